//! `puente import ctdc` and `puente stats ctdc` on small files of every CTDC release, made here
//! (never real data), with counts known from how they were made.

mod common;

use std::path::{Path, PathBuf};

use common::puente;
use predicates::prelude::*;
use puente_core::ctdc::releases::{GLOBAL_SYNTHETIC_COLUMNS, VICTIM_PERPETRATOR_COLUMNS};
use puente_core::ctdc::CtdcRelease;
use serde_json::{json, Value};

fn run(db: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    puente().arg("--db").arg(db).args(args).assert()
}

fn stats(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["stats", "ctdc", "--format", "json"];
    all.extend_from_slice(args);
    let output = puente().arg("--db").arg(db).args(&all).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn counts(document: &Value, column: &str) -> Vec<(Value, u64)> {
    document["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row[column].clone(), row["count"].as_u64().unwrap()))
        .collect()
}

/// A file of `columns` whose rows set the named columns and leave the others missing (`missing`).
fn write(
    path: &Path,
    columns: &[&str],
    missing: &str,
    rows: &[Vec<(&str, &str)>],
    final_newline: bool,
) {
    let mut text = columns.join(",");
    for row in rows {
        text.push('\n');
        let fields: Vec<String> = columns
            .iter()
            .map(|column| {
                row.iter()
                    .find(|(name, _)| name == column)
                    .map(|(_, value)| value.to_string())
                    .unwrap_or_else(|| missing.to_string())
            })
            .collect();
        text.push_str(&fields.join(","));
    }
    if final_newline {
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn global_2017(dir: &Path) -> PathBuf {
    let path = dir.join("global-2017.csv");
    let mut rows = Vec::new();
    // 7 women aged 9 to 17 (written 09--17 and 9--17), 3 of unknown gender and age, 2 men of an
    // unknown citizenship (ZZ).
    for index in 0..7 {
        rows.push(vec![
            ("yearOfRegistration", "2016"),
            ("Datasource", "Case Management"),
            ("gender", "Female"),
            ("ageBroad", if index % 2 == 0 { "09--17" } else { "9--17" }),
            ("citizenship", "PH"),
            ("RecruiterRelationship", "Friend"),
        ]);
    }
    for _ in 0..3 {
        rows.push(vec![
            ("yearOfRegistration", "2017"),
            ("gender", "Unknown"),
            ("ageBroad", "Unknown"),
        ]);
    }
    for _ in 0..2 {
        rows.push(vec![
            ("yearOfRegistration", "2015"),
            ("gender", "Male"),
            ("citizenship", "ZZ"),
        ]);
    }
    write(
        &path,
        &CtdcRelease::GlobalDataset2017.columns(),
        "-99",
        &rows,
        true,
    );
    path
}

fn global_synthetic(dir: &Path) -> PathBuf {
    let path = dir.join("global-synthetic.csv");
    let mut rows = Vec::new();
    for index in 0..9 {
        rows.push(vec![
            ("yearOfRegistration", "2021"),
            ("gender", if index < 6 { "Woman" } else { "Man" }),
            ("ageBroad", "18--20"),
            ("citizenship", "HND"),
            ("CountryOfExploitation", "USA"),
            ("isSexualExploit", if index < 5 { "1" } else { "0" }),
        ]);
    }
    write(&path, &GLOBAL_SYNTHETIC_COLUMNS, "", &rows, true);
    path
}

fn victim_perpetrator(dir: &Path) -> PathBuf {
    let path = dir.join("victim-perpetrator.csv");
    let rows = vec![
        vec![
            ("yearRegister", "2005-2013"),
            ("gender", "Female"),
            ("IP_Gender", "Female;Male"),
            ("isForcedLabour", "1"),
        ],
        vec![
            ("yearRegister", "2014-2018"),
            ("gender", "Female"),
            ("IP_Gender", "Male"),
        ],
        vec![
            ("yearRegister", "2019"),
            ("gender", "Male"),
            ("IP_Gender", "Male;Female"),
        ],
    ];
    // No newline after the last row, as the release has it.
    write(&path, &VICTIM_PERPETRATOR_COLUMNS, "", &rows, false);
    path
}

#[test]
fn the_2017_global_dataset_imports_with_its_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    run(
        &db,
        &["import", "ctdc", global_2017(dir.path()).to_str().unwrap()],
    )
    .success()
    .stdout(predicate::str::contains("Imported 12 CTDC records"));
    let by_age = stats(&db, &["--by", "ageBroad"]);
    assert_eq!(
        counts(&by_age, "ageBroad"),
        vec![(json!("9--17"), 7), (json!("Unknown"), 3), (Value::Null, 2)]
    );
    let by_citizenship = stats(&db, &["--by", "citizenship"]);
    assert_eq!(
        counts(&by_citizenship, "citizenship"),
        vec![(json!("PH"), 7), (Value::Null, 3), (json!("ZZ"), 2)]
    );
    let by_gender = stats(&db, &["--dataset", "global-dataset-2017", "--by", "gender"]);
    assert_eq!(counts(&by_gender, "gender")[1], (json!("Unknown"), 3));
}

/// A 63-column Global Dataset of 2021: 4 men from Honduras and 1 woman from Guatemala.
fn global_2021(dir: &Path) -> PathBuf {
    let path = dir.join("global-2021.csv");
    let mut rows = Vec::new();
    for _ in 0..4 {
        rows.push(vec![
            ("yearOfRegistration", "2021"),
            ("gender", "Male"),
            ("citizenship", "HN"),
        ]);
    }
    rows.push(vec![
        ("yearOfRegistration", "2020"),
        ("gender", "Female"),
        ("citizenship", "GT"),
    ]);
    write(
        &path,
        &CtdcRelease::GlobalDataset.columns(),
        "",
        &rows,
        true,
    );
    path
}

#[test]
fn global_dataset_files_of_different_years_are_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    let old = global_2017(dir.path());
    let new = global_2021(dir.path());
    run(&db, &["import", "ctdc", old.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains("as dataset `global-dataset-2017`"));
    run(&db, &["import", "ctdc", new.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains("as dataset `global-dataset`"));
    run(&db, &["stats", "ctdc", "--by", "gender"])
        .failure()
        .code(1)
        .stderr(predicate::str::contains(
            "`global-dataset` (5 records), `global-dataset-2017` (12 records)",
        ));
    let recent = stats(&db, &["--dataset", "global-dataset", "--by", "citizenship"]);
    assert_eq!(
        counts(&recent, "citizenship"),
        vec![(json!("HN"), 4), (json!("GT"), 1)]
    );
    let older = stats(&db, &["--dataset", "global-dataset-2017", "--by", "gender"]);
    assert_eq!(
        counts(&older, "gender"),
        vec![
            (json!("Female"), 7),
            (json!("Unknown"), 3),
            (json!("Male"), 2)
        ]
    );
    // A column the 2017 edition does not have is refused for it, and known for the later one.
    run(
        &db,
        &[
            "stats",
            "ctdc",
            "--dataset",
            "global-dataset-2017",
            "--by",
            "isSlaveryAndPractices",
        ],
    )
    .failure()
    .stderr(predicate::str::contains(
        "`isSlaveryAndPractices` is not a column of dataset `global-dataset-2017`",
    ));
    // Another file under a name in use is refused and changes nothing; --replace replaces only
    // that dataset.
    let renamed = dir.path().join("global-2021-copy.csv");
    let mut text = std::fs::read_to_string(&new).unwrap();
    let first_row = text.lines().nth(1).unwrap().to_owned();
    text.push_str(&first_row);
    text.push('\n');
    std::fs::write(&renamed, text).unwrap();
    run(
        &db,
        &[
            "import",
            "ctdc",
            "--dataset",
            "global-dataset-2017",
            renamed.to_str().unwrap(),
        ],
    )
    .failure()
    .code(1)
    .stderr(predicate::str::contains(
        "a dataset named `global-dataset-2017` is already stored",
    ));
    run(
        &db,
        &["import", "ctdc", "--replace", renamed.to_str().unwrap()],
    )
    .success();
    let replaced = stats(&db, &["--dataset", "global-dataset", "--by", "gender"]);
    assert_eq!(replaced["rows"][0]["count"], 5);
    let untouched = stats(&db, &["--dataset", "global-dataset-2017", "--by", "gender"]);
    assert_eq!(counts(&untouched, "gender")[0], (json!("Female"), 7));
    // Each can be exported on its own.
    let out = dir.path().join("export.csv");
    run(
        &db,
        &[
            "export",
            "ctdc",
            "--dataset",
            "global-dataset-2017",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .success();
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 13);
}

#[test]
fn synthetic_releases_are_kept_as_their_own_datasets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    let synthetic = global_synthetic(dir.path());
    run(&db, &["import", "ctdc", synthetic.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains("as dataset `global-synthetic`"));
    // With one dataset, --dataset may be left out.
    let by_flag = stats(&db, &["--by", "gender,isSexualExploit"]);
    assert_eq!(by_flag["dataset"], "global-synthetic");
    assert_eq!(
        by_flag["rows"][0],
        json!({"gender": "Woman", "isSexualExploit": "1", "count": 5})
    );
    assert_eq!(
        by_flag["rows"][1],
        json!({"gender": "Man", "isSexualExploit": null, "count": 3})
    );

    run(
        &db,
        &[
            "import",
            "ctdc",
            victim_perpetrator(dir.path()).to_str().unwrap(),
        ],
    )
    .success();
    run(&db, &["stats", "ctdc", "--by", "gender"])
        .failure()
        .code(1)
        .stderr(predicate::str::contains("several CTDC datasets are stored"))
        .stderr(predicate::str::contains(
            "`victim-perpetrator-synthetic` (3 records)",
        ));
    let perpetrators = stats(
        &db,
        &[
            "--dataset",
            "victim-perpetrator-synthetic",
            "--by",
            "IP_Gender",
        ],
    );
    assert_eq!(
        counts(&perpetrators, "IP_Gender"),
        vec![(json!("Male"), 3), (json!("Female"), 2)]
    );
    assert!(perpetrators["note"]
        .as_str()
        .unwrap()
        .contains("counted once under each of its values"));
    let years = stats(
        &db,
        &[
            "--dataset",
            "victim-perpetrator-synthetic",
            "--by",
            "yearRegister",
        ],
    );
    assert_eq!(counts(&years, "yearRegister").len(), 3);
    run(
        &db,
        &[
            "stats",
            "ctdc",
            "--dataset",
            "victim-perpetrator-synthetic",
            "--by",
            "ageBroad",
        ],
    )
    .failure()
    .stderr(predicate::str::contains(
        "`ageBroad` is not a column of dataset `victim-perpetrator-synthetic`",
    ));

    // The same file again is refused and changes nothing; under another name it is a second dataset.
    run(&db, &["import", "ctdc", synthetic.to_str().unwrap()])
        .failure()
        .stderr(predicate::str::contains("already imported"));
    run(
        &db,
        &[
            "import",
            "ctdc",
            "--replace",
            "--dataset",
            "edition-2024",
            synthetic.to_str().unwrap(),
        ],
    )
    .success();
    let again = stats(&db, &["--dataset", "edition-2024", "--by", "gender"]);
    assert_eq!(again["records"], 9);
}

#[test]
fn an_unknown_header_lists_the_known_releases_and_how_it_differs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    let path = dir.path().join("unknown.csv");
    let mut columns = GLOBAL_SYNTHETIC_COLUMNS.to_vec();
    columns[1] = "sex";
    write(&path, &columns, "", &[vec![("sex", "Woman")]], true);
    run(&db, &["import", "ctdc", path.to_str().unwrap()])
        .failure()
        .code(1)
        .stderr(predicate::str::contains(
            "line 1: the header is of no known CTDC release",
        ))
        .stderr(predicate::str::contains(
            "Global Synthetic Dataset (27 variables): unknown column(s) `sex`; lacks `gender`",
        ))
        .stderr(predicate::str::contains(
            "Global Dataset, 2017 to 2019 (58 columns)",
        ))
        .stderr(predicate::str::contains(
            "Victim-Perpetrator Synthetic Dataset (16 variables)",
        ));
    // A bad cell names its line and column.
    let bad = dir.path().join("bad.csv");
    write(
        &bad,
        &GLOBAL_SYNTHETIC_COLUMNS,
        "",
        &[
            vec![("gender", "Woman")],
            vec![("gender", "Woman")],
            vec![("ageBroad", "9-17")],
        ],
        true,
    );
    run(&db, &["import", "ctdc", bad.to_str().unwrap()])
        .failure()
        .stderr(predicate::str::contains(
            "line 4, column `ageBroad`: not one of",
        ));
    run(
        &db,
        &[
            "stats",
            "ctdc",
            "--by",
            "gender",
            "--dataset",
            "global-synthetic",
        ],
    )
    .failure()
    .stderr(predicate::str::contains("no CTDC dataset is stored"));
}
