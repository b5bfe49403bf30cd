//! `puente import|export|stats ctdc` on the real CTDC Global Dataset, in a temporary directory.

mod common;

use std::path::Path;

use common::{ctdc_file, puente};
use predicates::prelude::*;
use serde_json::{json, Value};

fn import(db: &Path, file: &Path) -> assert_cmd::assert::Assert {
    puente()
        .arg("--db")
        .arg(db)
        .args(["import", "ctdc"])
        .arg(file)
        .assert()
}

fn stats_json(db: &Path, by: &str) -> Value {
    let output = puente()
        .arg("--db")
        .arg(db)
        .args(["stats", "ctdc", "--by", by, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn export(db: &Path, out: &Path) {
    puente()
        .arg("--db")
        .arg(db)
        .args(["export", "ctdc", "--out"])
        .arg(out)
        .assert()
        .success();
}

fn gender_counts() -> Value {
    json!({
        "dataset": "global-dataset",
        "release": "global-dataset",
        "by": ["gender"],
        "rows": [
            {"gender": "Female", "count": 68083},
            {"gender": "Male", "count": 21465},
            {"gender": null, "count": 8138},
            {"gender": "Transgender/NonConforming", "count": 64},
        ]
    })
}

#[test]
fn imports_the_global_dataset_with_its_known_counts_and_exports_it_back_identically() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    import(&db, &ctdc_file())
        .success()
        .stdout(predicate::str::contains("Imported 97750 CTDC records"))
        .stdout(predicate::str::contains(
            "Years of registration: 2002 to 2021",
        ))
        .stdout(predicate::str::contains(
            "Sources: Case Management 45143, Hotline 52607.",
        ));

    assert_eq!(stats_json(&db, "gender"), gender_counts());
    let by_source = stats_json(&db, "Datasource");
    assert_eq!(
        by_source["rows"][0],
        json!({"Datasource": "Hotline", "count": 52607})
    );
    let by_country = stats_json(&db, "CountryOfExploitation");
    assert_eq!(
        by_country["rows"][0],
        json!({"CountryOfExploitation": "US", "count": 51611})
    );

    // The export is the canonical file: the same header and rows, value for value.
    let exported = dir.path().join("export.csv");
    export(&db, &exported);
    let original = std::fs::read_to_string(ctdc_file()).unwrap();
    let written = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(written.lines().count(), 97751);
    assert!(
        written == original,
        "the export differs from the imported file"
    );

    // Importing the export and exporting again gives the same rows.
    let second_db = dir.path().join("second.db");
    import(&second_db, &exported).success();
    let again = dir.path().join("again.csv");
    export(&second_db, &again);
    assert!(std::fs::read_to_string(&again).unwrap() == written);
}

#[test]
fn grouped_stats_come_as_an_aligned_table_and_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    import(&db, &ctdc_file()).success();
    let table = puente()
        .arg("--db")
        .arg(&db)
        .args(["stats", "ctdc", "--by", "gender,Datasource"])
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("gender") && lines[0].ends_with("count"),
        "{table}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("Female") && line.contains("Hotline")),
        "{table}"
    );
    // Every count ends in the same column.
    let widths: Vec<usize> = lines
        .iter()
        .filter(|line| !line.starts_with('-'))
        .map(|line| line.len())
        .collect();
    assert!(widths.windows(2).all(|pair| pair[0] == pair[1]), "{table}");
    assert!(table.contains("97750"), "{table}");

    let csv = puente()
        .arg("--db")
        .arg(&db)
        .args(["stats", "ctdc", "--by", "gender", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(
        csv,
        "gender,count\nFemale,68083\nMale,21465\n,8138\nTransgender/NonConforming,64\n"
    );

    puente()
        .arg("--db")
        .arg(&db)
        .args(["stats", "ctdc", "--by", "shoe_size"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "`shoe_size` is not a column of dataset `global-dataset`",
        ));
}

/// The shared file's rows, parsed (some fields are quoted because they hold commas).
fn shared_rows() -> Vec<csv::StringRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(ctdc_file())
        .unwrap();
    reader.records().map(Result::unwrap).collect()
}

/// Rewrites the shared file as the 2020 release wrote it: a leading terms-of-use column, `;`
/// separators, `-99` for missing values, CRLF line ends.
fn write_2020_variant(path: &Path) {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_path(path)
        .unwrap();
    for (number, row) in shared_rows().iter().enumerate() {
        let terms = if number == 0 {
            "Terms of use: see ctdatacollaborative.org"
        } else {
            ""
        };
        let fields = row.iter().map(|field| {
            if number > 0 && field.is_empty() {
                "-99"
            } else {
                field
            }
        });
        writer
            .write_record(std::iter::once(terms).chain(fields))
            .unwrap();
    }
    writer.flush().unwrap();
}

/// Rewrites the shared file with a UTF-8 byte-order mark and every field quoted.
fn write_bom_quoted_variant(path: &Path) {
    let mut bytes = "\u{FEFF}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(&mut bytes);
        for row in shared_rows() {
            writer.write_record(&row).unwrap();
        }
        writer.flush().unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn older_release_formats_import_to_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let canonical = std::fs::read_to_string(ctdc_file()).unwrap();
    for (name, write) in [
        ("2020.csv", write_2020_variant as fn(&Path)),
        ("bom-quoted.csv", write_bom_quoted_variant),
    ] {
        let variant = dir.path().join(name);
        write(&variant);
        let db = dir.path().join(format!("{name}.db"));
        import(&db, &variant)
            .success()
            .stdout(predicate::str::contains("Imported 97750 CTDC records"));
        assert_eq!(stats_json(&db, "gender"), gender_counts(), "{name}");
        let exported = dir.path().join(format!("{name}.export.csv"));
        export(&db, &exported);
        assert!(
            std::fs::read_to_string(&exported).unwrap() == canonical,
            "{name}: export differs from the canonical file"
        );
    }
}

fn audit_and_count(db: &Path) -> (u64, Value) {
    let count = stats_json(db, "Datasource")["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["count"].as_u64().unwrap())
        .sum();
    (count, stats_json(db, "gender"))
}

#[test]
fn a_broken_file_is_refused_with_its_line_column_and_value_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    import(&db, &ctdc_file()).success();
    let before = audit_and_count(&db);

    let original = std::fs::read_to_string(ctdc_file()).unwrap();
    let rows = shared_rows();
    // Writes the shared file with field `field` of line `line_number` set to `value` (or the line
    // cut to its first fields when `value` is None).
    let write_with = |name: &str, line_number: usize, field: usize, value: Option<&str>| {
        let path = dir.path().join(name);
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_path(&path)
            .unwrap();
        for (index, row) in rows.iter().enumerate() {
            let mut fields: Vec<&str> = row.iter().collect();
            if index + 1 == line_number {
                match value {
                    Some(value) => fields[field] = value,
                    None => fields.truncate(field),
                }
            }
            writer.write_record(&fields).unwrap();
        }
        writer.flush().unwrap();
        path
    };
    let year_broken = write_with("year.csv", 50_000, 0, Some("20l6"));
    let gender_broken = write_with("gender.csv", 7, 2, Some("Femme"));
    let short_row = write_with("short.csv", 12, 3, None);

    let cases = [
        (
            &year_broken,
            "line 50000, column `yearOfRegistration`: not a year (value `20l6`)",
        ),
        (
            &gender_broken,
            "line 7, column `gender`: `Femme` is not a Gender code (value `Femme`)",
        ),
        (&short_row, "line 12: expected 63 fields, found 3"),
    ];
    for (path, message) in cases {
        assert!(std::fs::read_to_string(path).unwrap() != original);
        import(&db, path)
            .failure()
            .code(1)
            .stderr(predicate::str::contains(path.display().to_string()))
            .stderr(predicate::str::contains(message));
        assert_eq!(audit_and_count(&db), before, "{message}");
    }

    // The same file twice is refused, and changes nothing.
    import(&db, &ctdc_file())
        .failure()
        .stderr(predicate::str::contains("already imported"));
    assert_eq!(audit_and_count(&db), before);
}

#[test]
fn skip_invalid_imports_the_good_rows_and_writes_the_rejected_ones_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("puente.db");
    let path = dir.path().join("some-bad.csv");
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(&path)
        .unwrap();
    for (index, row) in shared_rows().iter().take(101).enumerate() {
        let mut fields: Vec<&str> = row.iter().collect();
        match index + 1 {
            11 => fields[2] = "Femme",
            21 => fields.truncate(2),
            _ => {}
        }
        writer.write_record(&fields).unwrap();
    }
    writer.flush().unwrap();
    let rejects = dir.path().join("rejects.csv");

    puente()
        .arg("--db")
        .arg(&db)
        .args(["import", "ctdc", "--skip-invalid", "--rejects"])
        .arg(&rejects)
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("Imported 98 CTDC records"))
        .stderr(predicate::str::contains("2 invalid row(s)"));
    let mut reader = csv::Reader::from_path(&rejects).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["line", "reason", "fields"]);
    let rejected: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rejected.len(), 2);
    assert_eq!(
        rejected[0][..2],
        [
            "11",
            "line 11, column `gender`: `Femme` is not a Gender code (value `Femme`)"
        ]
    );
    assert!(
        rejected[0][2].starts_with("2002|Case Management|Femme|"),
        "{:?}",
        rejected[0]
    );
    assert_eq!(
        rejected[1],
        [
            "21",
            "line 21: expected 63 fields, found 2",
            "2002|Case Management"
        ]
    );
}

#[test]
fn the_database_comes_from_the_environment_when_no_flag_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-env.db");
    let original = std::fs::read_to_string(ctdc_file()).unwrap();
    let small = dir.path().join("small.csv");
    std::fs::write(
        &small,
        original.lines().take(11).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    puente()
        .env("PUENTE_DB", &db)
        .args(["import", "ctdc"])
        .arg(&small)
        .assert()
        .success();
    assert!(db.exists());
    puente()
        .args(["import", "ctdc"])
        .arg(dir.path().join("missing.csv"))
        .env("PUENTE_DB", &db)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("cannot read").and(predicate::str::contains("missing.csv")),
        );
}

#[test]
fn help_documents_the_exit_codes_and_usage_errors_exit_with_two() {
    puente()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes: 0 success; 1 error"))
        .stdout(predicate::str::contains("Códigos de salida"));
    puente().args(["import", "ctdc"]).assert().failure().code(2);
    puente()
        .args(["stats", "ctdc"])
        .assert()
        .failure()
        .code(2)
        .stderr(predicate::str::contains("--by"));
}
