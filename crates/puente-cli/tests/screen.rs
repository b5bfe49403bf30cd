//! `puente screen`, run as a real binary: facts files, text and JSON output in both languages,
//! errors, the interactive questionnaires driven by piped standard input, and the catalogue.

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/screen")
        .join(name)
}

fn puente() -> Command {
    let mut command = Command::cargo_bin("puente").unwrap();
    command.env_remove("PUENTE_DB").env("RUST_LOG", "warn");
    command
}

fn stdout_of(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_facts_file_gives_the_json_shape_of_screening_md() {
    let text = stdout_of(
        puente()
            .args(["screen", "--format", "json", "--facts"])
            .arg(fixture("example.json")),
    );
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();

    // Same keys, same order, plus rule_set_version at the end.
    let keys = [
        "\"level\"",
        "\"minor\"",
        "\"frameworks\"",
        "\"palermo\"",
        "\"tvpa_sex\"",
        "\"tvpa_labor\"",
        "\"ilo_forced_labour\"",
        "\"smuggling\"",
        "\"urgent\"",
        "\"next_steps\"",
        "\"explanation\"",
        "\"rule_set_version\"",
    ];
    let positions: Vec<usize> = keys
        .iter()
        .map(|key| text.find(key).unwrap_or_else(|| panic!("{key}")))
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{positions:?}"
    );
    let object_keys = |value: &serde_json::Value| {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(object_keys(&json).len(), 8);
    assert_eq!(
        object_keys(&json["frameworks"]["palermo"]),
        [
            "act",
            "means",
            "means_required",
            "met",
            "missing",
            "purpose"
        ]
    );
    assert_eq!(
        object_keys(&json["frameworks"]["tvpa_sex"]),
        ["met", "missing"]
    );
    assert_eq!(
        object_keys(&json["frameworks"]["tvpa_labor"]),
        ["met", "missing"]
    );
    assert_eq!(
        object_keys(&json["frameworks"]["ilo_forced_labour"]),
        ["involuntariness", "met", "missing", "penalty"]
    );
    assert_eq!(
        object_keys(&json["smuggling"]),
        ["conversion_signs", "indicated"]
    );

    // The verdicts of screening.md's example input.
    assert_eq!(json["level"], "strong_indicators");
    assert_eq!(json["minor"], true);
    assert_eq!(json["frameworks"]["palermo"]["met"], true);
    assert_eq!(json["frameworks"]["palermo"]["means_required"], false);
    assert_eq!(
        json["frameworks"]["palermo"]["act"],
        serde_json::json!(["act_recruited"])
    );
    assert_eq!(
        json["frameworks"]["palermo"]["purpose"],
        serde_json::json!(["activity_labour"])
    );
    assert_eq!(
        json["frameworks"]["tvpa_sex"]["missing"],
        serde_json::json!(["activity_commercial_sex"])
    );
    assert_eq!(json["frameworks"]["tvpa_labor"]["met"], true);
    assert_eq!(
        json["frameworks"]["ilo_forced_labour"]["missing"],
        serde_json::json!(["penalty"])
    );
    assert_eq!(json["rule_set_version"], puente_screening::RULE_SET_VERSION);
    // Spanish by default, with the US hotline.
    let steps = json["next_steps"].as_array().unwrap();
    assert!(steps
        .iter()
        .any(|s| s.as_str().unwrap().contains("1-888-373-7888")));
    assert!(json["explanation"][1]
        .as_str()
        .unwrap()
        .starts_with("Protocolo de Palermo, art. 3: "));
}

#[test]
fn text_output_in_spanish_and_english() {
    let es = stdout_of(
        puente()
            .args(["screen", "--facts"])
            .arg(fixture("example.json")),
    );
    assert!(
        es.contains("Resultado: indicios sólidos de trata (strong_indicators)"),
        "{es}"
    );
    assert!(es.contains("Menor de edad: sí"));
    assert!(es.contains("Próximos pasos"));
    assert!(es.contains("1-888-373-7888"));
    assert!(es.contains("nunca una determinación jurídica"));

    let en = stdout_of(
        puente()
            .args(["screen", "--lang", "en", "--format", "text", "--facts"])
            .arg(fixture("example.json")),
    );
    assert!(
        en.contains("Result: strong indicators of trafficking (strong_indicators)"),
        "{en}"
    );
    assert!(en.contains("[x] palermo"));
    assert!(en.contains("[ ] tvpa_sex"));
    assert!(en.contains("Next steps"));
    assert!(en.contains("text 233733"));
    assert!(en.contains("never a legal determination"));

    let mexico = stdout_of(
        puente()
            .args(["screen", "--lang", "en", "--facts"])
            .arg(fixture("smuggling_mexico.json")),
    );
    assert!(mexico.contains("800 5533 000"), "{mexico}");
    assert!(mexico.contains("sign of trafficking: documents withheld"));
}

#[test]
fn facts_can_come_from_standard_input() {
    let text = stdout_of(
        puente()
            .args(["screen", "--format", "json", "--facts", "-"])
            .write_stdin(r#"{"facts": ["migr_kidnapped_en_route"]}"#),
    );
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["level"], "some_indicators");
    assert_eq!(json["minor"], serde_json::Value::Null);
}

#[test]
fn an_unknown_fact_code_is_an_error_naming_it() {
    puente()
        .args(["screen", "--facts"])
        .arg(fixture("unknown_code.json"))
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "`means_mind_control` is not a screening fact code",
        ))
        .stderr(predicate::str::contains("line 2"))
        .stderr(predicate::str::contains("unknown_code.json"));
}

#[test]
fn a_malformed_file_is_an_error_with_line_and_column() {
    puente()
        .args(["screen", "--facts"])
        .arg(fixture("malformed.json"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 2 column"));
}

#[test]
fn an_age_that_is_not_a_number_is_an_error_naming_it() {
    puente()
        .args(["screen", "--facts"])
        .arg(fixture("bad_age.json"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`age` must be a whole number of years, not \"sixteen\"",
        ));
}

#[test]
fn a_missing_file_and_a_missing_mode_are_errors() {
    puente()
        .args(["screen", "--facts", "/nonexistent/facts.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read the facts file"));
    puente().args(["screen"]).assert().code(2);
    puente()
        .args(["screen", "--facts", "x.json", "--lang", "fr"])
        .assert()
        .code(2);
}

#[test]
fn the_interactive_quick_screen_runs_on_piped_answers_and_saves_the_facts() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("facts.json");
    // age, labour, sex, recruited, deception, threats, violence, documents, debt, cannot leave,
    // crossed border, irregular entry, paid smuggler, kidnapped, under control now.
    let answers = "34\ns\nn\nsí\ny\n?\nn\nyes\nn\nn\ns\ns\ns\nn\nn\n";
    let text = stdout_of(
        puente()
            .args([
                "screen",
                "--interactive",
                "--lang",
                "es",
                "--questionnaire",
                "quick",
                "--country",
                "US",
                "--save",
            ])
            .arg(&saved)
            .write_stdin(answers),
    );
    assert!(text.contains("¿Cuántos años tiene?"), "{text}");
    assert!(text.contains("(15/15)"), "{text}");
    assert!(
        text.contains("Resultado: indicios sólidos de trata"),
        "{text}"
    );
    assert!(text.contains("1-888-373-7888"));
    assert!(text.contains("Hechos guardados en"));

    let input: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(input["person"]["age"], 34);
    assert_eq!(input["person"]["current_country"], "US");
    assert_eq!(
        input["facts"],
        serde_json::json!([
            "act_recruited",
            "means_deception",
            "means_withholds_documents",
            "activity_labour",
            "migr_crossed_border",
            "migr_irregular_entry",
            "migr_paid_smuggler"
        ])
    );
    // The saved file screens the same way.
    let again = stdout_of(
        puente()
            .args(["screen", "--format", "json", "--facts"])
            .arg(&saved),
    );
    let json: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(json["frameworks"]["tvpa_labor"]["met"], true);
    assert_eq!(
        json["smuggling"]["conversion_signs"][0]["sign"],
        "documents_withheld"
    );
}

#[test]
fn the_interactive_screen_can_stop_at_any_time_and_reasks_a_bad_answer() {
    let text = stdout_of(
        puente()
            .args(["screen", "--interactive", "--lang", "en"])
            .write_stdin("twenty\n17\nmaybe\ny\nq\n"),
    );
    assert!(text.contains("`twenty` is not an age"), "{text}");
    assert!(text.contains("`maybe` is not an answer"), "{text}");
    assert!(text.contains("Questionnaire stopped"), "{text}");
    // A 17-year-old who works: a child in an activity.
    assert!(
        text.contains("Result: some indicators of trafficking"),
        "{text}"
    );
    assert!(text.contains("Minor: yes"));
    // After the age, questions are worded for a child.
    assert!(text.contains("Have you had to work for someone"), "{text}");
}

#[test]
fn the_interactive_json_output_keeps_questions_off_standard_output() {
    let output = puente()
        .args([
            "screen",
            "--interactive",
            "--lang",
            "en",
            "--format",
            "json",
        ])
        .write_stdin("q\n")
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["level"], "no_indicators");
    assert!(String::from_utf8_lossy(&output.stderr).contains("How old are you?"));
}

#[test]
fn the_child_screen_records_the_tvpra_questions() {
    // age 12, unaccompanied, then: labour yes, everything else no (?) ...
    let mut answers = String::from("12\ns\ns\n");
    answers.push_str(&"n\n".repeat(60));
    let text = stdout_of(
        puente()
            .args([
                "screen",
                "--interactive",
                "--questionnaire",
                "child",
                "--lang",
                "es",
                "--country",
                "US",
            ])
            .write_stdin(answers),
    );
    assert!(text.contains("¿Cuántos años tienes?"), "{text}");
    assert!(
        text.contains("TVPRA (8 U.S.C. 1232), evaluación de 48 horas:"),
        "{text}"
    );
    assert!(text.contains("Víctima de trata o en riesgo: no"), "{text}");
    assert!(
        text.contains("menor de 14 años: se presume que no puede"),
        "{text}"
    );
    assert!(
        !text.contains("decisión independiente de retirar"),
        "under 14: not asked"
    );
}

#[test]
fn list_facts_prints_the_catalogue() {
    let text = stdout_of(puente().args(["screen", "--list-facts", "--format", "json"]));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(rows.len(), 45);
    let deception = rows
        .iter()
        .find(|row| row["code"] == "means_deception")
        .unwrap();
    assert_eq!(deception["group"], "means");
    assert_eq!(deception["htcds"], serde_json::json!(["FalsePromises"]));
    assert!(deception["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "ILO indicator 2 (Deception)"));
    assert!(deception["question"]["child"]["es"]
        .as_str()
        .unwrap()
        .ends_with('?'));

    let text = stdout_of(puente().args(["screen", "--list-facts", "--lang", "en"]));
    for code in [
        "act_recruited",
        "means_payment_to_controller",
        "activity_organ_removal",
        "urgent_self_harm_risk",
    ] {
        assert!(text.contains(code), "{code}");
    }
    assert!(text.contains("HTCDS: DebtBondage"));
    assert!(text.contains("To children:"));
}

#[test]
fn an_empty_facts_file_is_an_error_and_a_byte_order_mark_is_not() {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in [("empty.json", ""), ("blank.json", " \n\t\n")] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        puente()
            .args(["screen", "--facts"])
            .arg(&path)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("{name}: it is empty")));
    }
    puente()
        .args(["screen", "--facts", "-"])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("standard input: it is empty"));
    let path = dir.path().join("bom.json");
    std::fs::write(
        &path,
        "\u{feff}{\"facts\": [\"act_recruited\", \"means_deception\", \"activity_labour\"]}",
    )
    .unwrap();
    let output = stdout_of(
        puente()
            .args(["screen", "--format", "json", "--facts"])
            .arg(&path),
    );
    let json: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_ne!(json["level"], "no_indicators");
}

#[test]
fn piped_answers_that_end_before_the_questionnaire_are_an_error() {
    for answers in ["", "17\n", "17\ny\n"] {
        puente()
            .args(["screen", "--interactive", "--lang", "en"])
            .write_stdin(answers)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("ended at question"))
            .stderr(predicate::str::contains("end them with q"));
    }
}
