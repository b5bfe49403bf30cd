//! `puente relief`, run as a real binary: relief.md's JSON, text in both languages, standard
//! input, today's date when the file has none, and errors that name the code and its line.

use std::path::PathBuf;

mod common;

use common::{puente, stdout_of};
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/relief")
        .join(name)
}

#[test]
fn the_example_of_relief_md_gives_its_json() {
    let text = stdout_of(
        puente()
            .args(["relief", "--format", "json", "--lang", "en", "--facts"])
            .arg(fixture("honduran_boy.json")),
    );
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["rule_set_version"], "2026.12.1");
    assert_eq!(json["as_of"], "2026-12-01");
    assert_eq!(json["trafficking"]["level"], "strong_indicators");
    assert_eq!(json["trafficking"]["trafficked_us"], true);
    let options = json["options"].as_array().unwrap();
    assert_eq!(options.len(), 12);
    let t_visa = &options[0];
    assert_eq!(t_visa["id"], "us_t_visa");
    assert_eq!(t_visa["status"], "possible");
    assert_eq!(
        t_visa["met"],
        serde_json::json!(["TRAFFICKED_US", "IN_US", "rel_present_on_account", "MINOR"])
    );
    assert_eq!(
        t_visa["missing"],
        serde_json::json!(["rel_extreme_hardship"])
    );
    assert_eq!(t_visa["source"], "8 U.S.C. 1101(a)(15)(T); 8 CFR 214.11");
    let tvpra = options
        .iter()
        .find(|o| o["id"] == "us_tvpra_child")
        .unwrap();
    assert_eq!(tvpra["status"], "likely");
    assert!(tvpra["next_steps"][0]
        .as_str()
        .unwrap()
        .contains("Office of Refugee Resettlement"));
    let sijs = options.iter().find(|o| o["id"] == "us_sijs").unwrap();
    assert_eq!(sijs["status"], "not_indicated");
    assert_eq!(
        sijs["blocking"],
        serde_json::json!(["rel_parent_abuse_neglect_abandonment"])
    );
}

#[test]
fn text_comes_in_spanish_by_default_and_in_english() {
    let spanish = stdout_of(
        puente()
            .args(["relief", "--facts"])
            .arg(fixture("honduran_boy.json")),
    );
    assert!(spanish.contains("Protección legal"), "{spanish}");
    assert!(spanish.contains("Visa T (EE. UU.) — posible"), "{spanish}");
    assert!(spanish.contains("Oficina de Reasentamiento de Refugiados"));
    assert!(spanish.contains("nunca una determinación jurídica"));
    let english = stdout_of(
        puente()
            .args(["relief", "--lang", "en", "--facts"])
            .arg(fixture("honduran_boy.json")),
    );
    assert!(english.contains("T visa (US) — possible"), "{english}");
    assert!(english.contains("Not indicated"));
    assert!(english.contains("Relief rule set version 2026.12.1"));
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let text = std::fs::read_to_string(fixture("honduran_boy.json")).unwrap();
    let output = stdout_of(
        puente()
            .args(["relief", "--format", "json", "--facts", "-"])
            .write_stdin(text),
    );
    let json: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(json["options"][6]["id"], "us_tvpra_child");
}

#[test]
fn without_as_of_the_deadlines_are_counted_from_today() {
    let text = stdout_of(
        puente()
            .args(["relief", "--format", "json", "--facts"])
            .arg(fixture("without_as_of.json")),
    );
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let written = json["as_of"].as_str().unwrap();
    let yesterday = today.previous_day().unwrap();
    assert!(
        [today, yesterday]
            .iter()
            .any(|day| puente_screening::relief::format_date(*day) == written),
        "{written}"
    );
    let asylum = &json["options"][4];
    assert_eq!(asylum["id"], "us_asylum");
    assert_eq!(asylum["deadline"]["date"], "2021-01-15");
    assert_eq!(asylum["deadline"]["passed"], true);
}

#[test]
fn an_unknown_code_is_refused_naming_it_and_its_line() {
    puente()
        .args(["relief", "--facts"])
        .arg(fixture("unknown_code.json"))
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "`rel_green_card` is neither a screening fact code nor a relief fact code",
        ))
        .stderr(predicate::str::contains("line 3"))
        .stderr(predicate::str::contains("unknown_code.json"));
}

#[test]
fn bad_dates_missing_files_and_usage_errors() {
    puente()
        .args(["relief", "--facts", "-"])
        .write_stdin(r#"{"person": {"us_arrival": "10/06/2025"}}"#)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`us_arrival` must be a date written YYYY-MM-DD, not `10/06/2025`",
        ));
    puente()
        .args(["relief", "--facts", "/nonexistent/facts.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read the facts file"));
    puente().args(["relief"]).assert().code(2);
    puente()
        .args(["relief", "--facts", "x.json", "--lang", "fr"])
        .assert()
        .code(2);
}
