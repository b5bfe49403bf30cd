//! `puente publish synthetic` on a small generated Global Synthetic file and on demo cases: the
//! release has the chosen columns, a `ctdc-2024` release imports back to its own rows, the report
//! has its charts, and bad input writes nothing.

mod common;

use std::path::{Path, PathBuf};

use common::puente;
use predicates::prelude::*;
use puente_core::ctdc::releases::GLOBAL_SYNTHETIC_COLUMNS;

fn run(db: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    puente().arg("--db").arg(db).args(args).assert()
}

/// `puente publish synthetic` with `args`.
fn publish(db: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let mut all = vec!["publish", "synthetic"];
    all.extend_from_slice(args);
    run(db, &all)
}

/// 3,000 generated records (never real data) of the Global Synthetic release, with a relation
/// between gender and the sexual exploitation flag.
fn generated_release(dir: &Path) -> PathBuf {
    let path = dir.join("generated.csv");
    let mut text = GLOBAL_SYNTHETIC_COLUMNS.join(",");
    for index in 0..3_000usize {
        let woman = index % 10 < 7;
        let mut fields = vec![String::new(); GLOBAL_SYNTHETIC_COLUMNS.len()];
        fields[0] = (2018 + index % 4).to_string();
        fields[1] = if woman { "Woman" } else { "Man" }.to_string();
        fields[2] = ["9--17", "18--20", "30--38"][index % 3].to_string();
        fields[3] = ["HND", "GTM", "SLV", ""][index % 4].to_string();
        fields[4] = if index % 5 == 0 { "MEX" } else { "USA" }.to_string();
        fields[15] = if woman && index % 7 != 0 { "1" } else { "" }.to_string();
        fields[14] = if !woman { "1" } else { "0" }.to_string();
        text.push('\n');
        text.push_str(&fields.join(","));
    }
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    path
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|row| row.unwrap().iter().map(str::to_string).collect())
        .collect()
}

const COLUMNS: &str = "yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,isForcedLabour,isSexualExploit";

#[test]
fn a_synthetic_release_has_the_columns_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    run(
        &db,
        &[
            "import",
            "ctdc",
            generated_release(dir.path()).to_str().unwrap(),
        ],
    )
    .success();
    let out = dir.path().join("release.csv");
    let report = dir.path().join("report.html");
    publish(
        &db,
        &[
            "--from",
            "ctdc",
            "--columns",
            COLUMNS,
            "--epsilon",
            "4",
            "--out",
            out.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    )
    .success()
    .stdout(predicate::str::contains("Privacy: epsilon 4.000"))
    .stdout(predicate::str::contains("Mean TVD: 1-way"));
    let rows = read_csv(&out);
    assert_eq!(rows[0].join(","), COLUMNS);
    let records = rows.len() - 1;
    assert!((2_800..3_200).contains(&records), "{records} records");
    // Flags are 1 or empty, and the relation between gender and the flag survives.
    assert!(rows[1..]
        .iter()
        .all(|row| row[6].is_empty() || row[6] == "1"));
    let share = |gender: &str| {
        let of: Vec<_> = rows[1..].iter().filter(|row| row[1] == gender).collect();
        of.iter().filter(|row| row[6] == "1").count() as f64 / of.len() as f64
    };
    assert!(
        share("Woman") > 0.7 && share("Man") < 0.1,
        "{} {}",
        share("Woman"),
        share("Man")
    );
    let page = std::fs::read_to_string(&report).unwrap();
    for expected in [
        "Parámetros de privacidad",
        "Privacy parameters",
        "<svg",
        "Worst marginals",
        "Fabricadas / Fabricated",
    ] {
        assert!(page.contains(expected), "report lacks {expected}");
    }
}

#[test]
fn a_ctdc_2024_release_imports_back_to_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    run(
        &db,
        &[
            "import",
            "ctdc",
            generated_release(dir.path()).to_str().unwrap(),
        ],
    )
    .success();
    let out = dir.path().join("release-2024.csv");
    publish(
        &db,
        &[
            "--from",
            "ctdc",
            "--columns",
            COLUMNS,
            "--epsilon",
            "2",
            "--format",
            "ctdc-2024",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .success();
    let rows = read_csv(&out);
    assert_eq!(rows[0], GLOBAL_SYNTHETIC_COLUMNS.map(String::from).to_vec());
    let women = rows[1..].iter().filter(|row| row[1] == "Woman").count();
    let second = dir.path().join("second.db");
    run(&second, &["import", "ctdc", out.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains(format!(
            "Imported {} records of the Global Synthetic Dataset",
            rows.len() - 1
        )));
    let output = puente()
        .arg("--db")
        .arg(&second)
        .args(["stats", "ctdc", "--by", "gender", "--format", "json"])
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let imported_women = stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["gender"] == "Woman")
        .map(|row| row["count"].as_u64().unwrap())
        .unwrap();
    assert_eq!(imported_women as usize, women);
    // Every row comes back: the counts of every combination of the 27 variables are the file's.
    let output = puente()
        .arg("--db")
        .arg(&second)
        .args(["stats", "ctdc", "--format", "json", "--by"])
        .arg(GLOBAL_SYNTHETIC_COLUMNS.join(","))
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut imported = std::collections::BTreeMap::<Vec<String>, u64>::new();
    for row in stats["rows"].as_array().unwrap() {
        let values = GLOBAL_SYNTHETIC_COLUMNS
            .iter()
            .map(|column| row[column].as_str().unwrap_or_default().to_string())
            .collect();
        imported.insert(values, row["count"].as_u64().unwrap());
    }
    let mut written = std::collections::BTreeMap::<Vec<String>, u64>::new();
    for row in &rows[1..] {
        *written.entry(row.clone()).or_default() += 1;
    }
    assert_eq!(imported, written);
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    let out = dir.path().join("never.csv");
    let out_text = out.to_str().unwrap().to_string();
    // `publish synthetic --from ctdc ARGS --out never.csv` must fail with exit 1 and `message`.
    let refused = |arguments: &[&str], message: &str| {
        let mut all = vec!["--from", "ctdc"];
        all.extend_from_slice(arguments);
        all.extend_from_slice(&["--out", &out_text]);
        publish(&db, &all)
            .failure()
            .code(1)
            .stderr(predicate::str::contains(message));
    };
    refused(
        &["--columns", "gender", "--epsilon", "1"],
        "no CTDC dataset is stored",
    );
    let release = generated_release(dir.path());
    run(&db, &["import", "ctdc", release.to_str().unwrap()]).success();
    for (epsilon, message) in [
        ("0", "--epsilon: must be a positive number, not 0"),
        ("-2", "not -2"),
        ("NaN", "positive number"),
    ] {
        refused(&["--columns", "gender", "--epsilon", epsilon], message);
    }
    refused(
        &["--columns", "gender,shoeSize", "--epsilon", "1"],
        "`shoeSize` is not a column of global-synthetic",
    );
    refused(
        &["--dataset", "nope", "--columns", "gender", "--epsilon", "1"],
        "no dataset `nope`",
    );
    refused(&["--columns", "gender"], "--epsilon: required");
    assert!(!out.exists());
}

#[test]
fn a_k_anonymised_release_shares_every_combination_among_k_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    run(
        &db,
        &["demo-data", "--cases", "150", "--org", "hotline-demo"],
    )
    .success();
    let out = dir.path().join("k-anon.csv");
    publish(
        &db,
        &[
            "--from",
            "cases",
            "--org",
            "hotline-demo",
            "--columns",
            "yearOfRegistration,gender,majorityStatus,citizenship",
            "--mode",
            "k-anon",
            "--k",
            "11",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .success()
    .stdout(predicate::str::contains("k = 11:"));
    let rows = read_csv(&out);
    assert_eq!(
        rows[0].join(","),
        "yearOfRegistration,gender,majorityStatus,citizenship"
    );
    let mut groups = std::collections::HashMap::new();
    for row in &rows[1..] {
        *groups.entry(row.clone()).or_insert(0) += 1;
    }
    assert!(groups.values().all(|size| *size >= 11), "{groups:?}");
    assert!(rows.len() > 100);
}

#[test]
fn cases_are_published_as_every_ctdc_variable_a_case_records() {
    use puente_core::ctdc::from_cases::case_variables;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    run(
        &db,
        &["demo-data", "--cases", "150", "--org", "hotline-demo"],
    )
    .success();
    // The records themselves, as CTDC variables: with k = 2 over three flags nothing is suppressed.
    let flags = dir.path().join("flags.csv");
    publish(
        &db,
        &[
            "--from",
            "cases",
            "--org",
            "hotline-demo",
            "--columns",
            "isForcedLabour,isSexualExploit,meansThreats,typeOfLabourAgriculture,ageBroad",
            "--mode",
            "k-anon",
            "--k",
            "2",
            "--out",
            flags.to_str().unwrap(),
        ],
    )
    .success();
    let rows = read_csv(&flags);
    let records = rows.len() - 1;
    assert!(records > 140, "{records}");
    for (position, name) in ["isForcedLabour", "isSexualExploit", "meansThreats"]
        .iter()
        .enumerate()
    {
        let set = rows[1..].iter().filter(|row| row[position] == "1").count();
        assert!(set > 0 && set < records, "{name}: {set} of {records}");
        assert!(
            rows[1..]
                .iter()
                .all(|row| row[position].is_empty() || row[position] == "1"),
            "{name} holds only 1 or empty"
        );
    }
    let bands: std::collections::BTreeSet<&str> =
        rows[1..].iter().map(|row| row[4].as_str()).collect();
    let known = [
        "", "0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+",
    ];
    assert!(bands.iter().all(|band| known.contains(band)), "{bands:?}");

    // Every case variable, differentially private, in the 2024 codebook's format.
    let all = dir.path().join("all.csv");
    publish(
        &db,
        &[
            "--from",
            "cases",
            "--org",
            "hotline-demo",
            "--columns",
            &case_variables().join(","),
            "--epsilon",
            "4",
            "--format",
            "ctdc-2024",
            "--out",
            all.to_str().unwrap(),
        ],
    )
    .success();
    let rows = read_csv(&all);
    assert_eq!(rows[0], GLOBAL_SYNTHETIC_COLUMNS.map(String::from).to_vec());
    let citizenship = rows[1..]
        .iter()
        .filter(|row| !row[4].is_empty())
        .map(|row| row[4].as_str())
        .collect::<Vec<_>>();
    assert!(
        citizenship.iter().all(|code| code.len() == 3),
        "{citizenship:?}"
    );
    assert!(rows.len() > 100);
}
