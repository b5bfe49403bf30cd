//! `puente report annual`, run as a real binary on a database filled by `puente demo-data`: every
//! section of the data call in CSV, JSON and HTML, every count under 3 hidden, the run audited,
//! and bad years refused.

mod common;

use common::stdout_of;
use predicates::prelude::*;

fn puente(db: &std::path::Path) -> assert_cmd::Command {
    let mut command = common::puente();
    command.arg("--db").arg(db);
    command
}

fn this_year() -> String {
    time::OffsetDateTime::now_utc().year().to_string()
}

#[test]
fn the_annual_report_of_the_demo_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("report.db");
    let created = stdout_of(puente(&db).args(["demo-data", "--cases", "400", "--seed", "5"]));
    assert!(created.contains("reports to authorities"), "{created}");
    let year = this_year();

    let json = stdout_of(puente(&db).args([
        "report", "annual", "--year", &year, "--format", "json", "--lang", "en",
    ]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["year"].to_string(), year);
    let sections = json["sections"].as_array().unwrap();
    let ids: Vec<&str> = sections.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "identified_by_sex",
            "identified_by_age_group",
            "identified_by_nationality",
            "identified_by_exploitation_type",
            "figures",
            "relief_sought_by_type",
            "relief_granted_by_type",
            "reports_by_authority"
        ]
    );
    // No count under 3 is ever published; hidden ones are null and marked.
    let mut shown = 0;
    for section in sections {
        let mut counts: Vec<&serde_json::Value> =
            section["lines"].as_array().unwrap().iter().collect();
        if let Some(total) = section.get("total") {
            counts.push(total);
        }
        for item in counts {
            match item["count"].as_u64() {
                Some(count) => {
                    assert!(count >= 3, "{section}");
                    shown += 1;
                }
                None => assert_eq!(item["suppressed"], true, "{section}"),
            }
        }
    }
    assert!(shown > 10, "only {shown} counts shown");
    let figures = &sections[4]["lines"];
    let figure = |value: &str| {
        figures
            .as_array()
            .unwrap()
            .iter()
            .find(|line| line["value"] == value)
            .unwrap()["count"]
            .clone()
    };
    assert!(figure("prosecutions").as_u64().unwrap_or(0) >= 3);
    assert!(figure("referred").is_null() || figure("referred").as_u64().unwrap() >= 3);
    let reports_total = sections[7]["total"]["count"].as_u64().unwrap();
    assert!(reports_total >= 3);
    assert_eq!(sections[0]["label"], "Victims identified, by sex");

    let csv = stdout_of(puente(&db).args(["report", "annual", "--year", &year]));
    assert!(csv.starts_with("year,section,value,label,count\n"), "{csv}");
    assert!(csv.contains(&format!("{year},identified_by_sex,total,Total,")));
    assert!(
        csv.contains(",reports_by_authority,police,Policía,"),
        "{csv}"
    );
    for line in csv.lines().skip(1) {
        let count = line.rsplit(',').next().unwrap();
        assert!(
            count == "<3" || count.parse::<u64>().unwrap() >= 3,
            "{line}"
        );
    }

    let html = stdout_of(puente(&db).args([
        "report", "annual", "--year", &year, "--format", "html", "--lang", "en",
    ]));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(
        html.contains("<h2 id=\"reports_by_authority\">Reports to authorities, by authority</h2>")
    );
    assert!(html.contains("fewer than 3"));

    // Each run is audited as an export; the chain still holds.
    stdout_of(puente(&db).args(["audit", "verify"]));
}

#[test]
fn a_year_without_cases_publishes_nothing_under_three_and_bad_years_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    let json =
        stdout_of(puente(&db).args(["report", "annual", "--year", "1999", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["sections"][0]["total"]["suppressed"], true);
    assert_eq!(
        json["sections"][0]["label"],
        "Víctimas identificadas, por sexo"
    );
    puente(&db)
        .args(["report", "annual", "--year", "26"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`26` is not a year of four digits",
        ));
    puente(&db)
        .args(["report", "annual", "--year", "2026", "--format", "pdf"])
        .assert()
        .code(2);
    puente(&db)
        .args(["report", "annual", "--year", "2026", "--org", "nobody"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no organisation `nobody`"));
}
