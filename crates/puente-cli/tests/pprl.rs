//! `puente pprl` end to end: the real binary on the clkhash fixtures of `puente-pprl` and on
//! small synthetic CSVs.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

/// The command in English (`PUENTE_LANG=en`), as most checks here read its English messages.
fn puente() -> Command {
    let mut command = common::puente();
    command.env("PUENTE_LANG", "en");
    command
}

/// The command with no language asked for: Spanish, unless `--lang` says otherwise.
fn puente_default_language() -> Command {
    let mut command = common::puente();
    command.env_remove("PUENTE_LANG");
    command
}

const SECRET: &str = "shared secret of the demo organisations";

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../puente-pprl/tests/fixtures")
        .join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap()
}

#[test]
fn encode_writes_the_bytes_clkhash_writes() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("secret.txt");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    for case in [
        "blake_every_type",
        "double_hash_folded",
        "encodings_and_patterns",
    ] {
        let out = dir.path().join(format!("{case}.json"));
        puente()
            .args(["pprl", "encode", "--schema"])
            .arg(fixture(&format!("{case}/schema.json")))
            .arg("--secret-file")
            .arg(&secret_file)
            .arg(fixture(&format!("{case}/data.csv")))
            .arg("--out")
            .arg(&out)
            .assert()
            .success()
            .stderr(predicate::str::contains("24 records encoded"));
        assert_eq!(
            json(&out),
            json(&fixture(&format!("{case}/clks.json"))),
            "{case}"
        );
    }
}

/// Runs a command that must fail with exit code 1, an error containing `expected`, and no output
/// file.
fn assert_fails(command: &mut Command, out: &Path, expected: &[&str]) {
    let assert = command.assert().code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for part in expected {
        assert!(stderr.contains(part), "{part:?} not in {stderr}");
    }
    assert!(!out.exists(), "{} was written", out.display());
}

/// The fixture `encodings_and_patterns` with the code of line 4 breaking its pattern ("XX-12").
fn write_broken_csv(dir: &Path, name: &str) -> PathBuf {
    let data = read(&fixture("encodings_and_patterns/data.csv"));
    let mut lines: Vec<String> = data.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    cells[3] = "XX-12".to_string();
    lines[3] = cells.join(",");
    let broken = dir.join(name);
    std::fs::write(&broken, lines.join("\n") + "\n").unwrap();
    broken
}

#[test]
fn bad_records_and_bad_schemas_are_errors_that_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clks.json");
    let schema = fixture("encodings_and_patterns/schema.json");
    let data = read(&fixture("encodings_and_patterns/data.csv"));
    let broken = write_broken_csv(dir.path(), "broken.csv");
    assert_fails(
        puente()
            .args(["pprl", "encode", "--secret", SECRET, "--schema"])
            .arg(&schema)
            .arg(&broken)
            .arg("--out")
            .arg(&out),
        &out,
        &["broken.csv", "line 4, feature 'code'", "regular expression"],
    );

    let header = dir.path().join("header.csv");
    std::fs::write(&header, data.replacen("surname", "apellido", 1)).unwrap();
    assert_fails(
        puente()
            .args(["pprl", "encode", "--secret", SECRET, "--schema"])
            .arg(&schema)
            .arg(&header)
            .arg("--out")
            .arg(&out),
        &out,
        &["header.csv", "line 1", "'apellido'", "'surname'"],
    );

    let text = read(&schema);
    for (from, to, expected) in [
        ("\"version\": 3", "\"version\": 2", "version 3"),
        ("\"n\": 2", "\"n\": 2, \"skip\": 1", "unknown option 'skip'"),
    ] {
        let bad_schema = dir.path().join("schema.json");
        std::fs::write(&bad_schema, text.replacen(from, to, 1)).unwrap();
        assert_fails(
            puente()
                .args(["pprl", "encode", "--secret", SECRET, "--schema"])
                .arg(&bad_schema)
                .arg(fixture("encodings_and_patterns/data.csv"))
                .arg("--out")
                .arg(&out),
            &out,
            &["schema.json", expected],
        );
    }
}

#[test]
fn match_groups_three_parties_as_anonlink_does() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    puente()
        .args(["pprl", "match"])
        .arg(fixture("multiparty/party0.json"))
        .arg(fixture("multiparty/party1.json"))
        .arg(fixture("multiparty/party2.json"))
        .args(["--threshold", "0.7", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "3 datasets (22 + 24 + 23 records)",
        ))
        .stderr(predicate::str::contains("24 groups"));
    let text = read(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("dataset_l,row_l,dataset_r,row_r,similarity")
    );
    let pairs: Vec<(u64, u64, u64, u64)> = lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let similarity: f64 = cells[4].parse().unwrap();
            assert!(similarity >= 0.7, "{line}");
            (
                cells[0].parse().unwrap(),
                cells[1].parse().unwrap(),
                cells[2].parse().unwrap(),
                cells[3].parse().unwrap(),
            )
        })
        .collect();
    // Every pair of every anonlink group, and nothing else.
    let expected = json(&fixture("multiparty/anonlink_groups.json"));
    let mut from_groups = Vec::new();
    for group in expected["groups"].as_array().unwrap() {
        let records: Vec<(u64, u64)> = group
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r[0].as_u64().unwrap(), r[1].as_u64().unwrap()))
            .collect();
        for i in 0..records.len() {
            for j in i + 1..records.len() {
                from_groups.push((records[i].0, records[i].1, records[j].0, records[j].1));
            }
        }
    }
    from_groups.sort();
    assert_eq!(pairs, from_groups);
}

#[test]
fn bad_clk_files_and_thresholds_are_errors_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    let good = fixture("multiparty/party0.json");
    let base64_error = dir.path().join("base64.json");
    std::fs::write(&base64_error, "{\"clks\": [\n\"AAAA\",\n\"AA*A\"\n]}\n").unwrap();
    assert_fails(
        puente()
            .args(["pprl", "match"])
            .arg(&good)
            .arg(&base64_error)
            .args(["--threshold", "0.7", "--out"])
            .arg(&out),
        &out,
        &["base64.json", "line 3", "base64"],
    );
    let uneven = dir.path().join("uneven.json");
    std::fs::write(&uneven, "{\"clks\": [\n\"AAAA\",\n\"AAAAAA==\"\n]}\n").unwrap();
    assert_fails(
        puente()
            .args(["pprl", "match"])
            .arg(&good)
            .arg(&uneven)
            .args(["--threshold", "0.7", "--out"])
            .arg(&out),
        &out,
        &[
            "uneven.json",
            "line 3",
            "4 bytes where the first encoding has 3",
        ],
    );
    let short = dir.path().join("short.json");
    std::fs::write(&short, "{\"clks\": [\"AAAA\"]}\n").unwrap();
    assert_fails(
        puente()
            .args(["pprl", "match"])
            .arg(&good)
            .arg(&short)
            .args(["--threshold", "0.7", "--out"])
            .arg(&out),
        &out,
        &["short.json", "3 bytes", "64 bytes"],
    );
    for threshold in ["1.5", "-0.2", "high"] {
        assert_fails(
            puente()
                .args(["pprl", "match"])
                .arg(&good)
                .arg(fixture("multiparty/party1.json"))
                .args(["--threshold", threshold, "--out"])
                .arg(&out),
            &out,
            &["--threshold", "from 0 to 1"],
        );
    }
}

#[test]
fn the_latam_profile_matches_the_same_people_written_by_two_organisations() {
    let dir = tempfile::tempdir().unwrap();
    let hotline = dir.path().join("hotline.csv");
    let shelter = dir.path().join("shelter.csv");
    std::fs::write(
        &hotline,
        "nombres,apellidos,fecha_nacimiento,sexo,telefono,ciudad\n\
         José Luis,De la Cruz Hernández,1990-05-07,M,+502 5555 1234,Quetzaltenango\n\
         María Guadalupe,Xicará Ixcoy,1985-11-23,F,,Totonicapán\n\
         Ana Lucía,Pérez Sánchez,2001-02-14,F,+502 4123 9876,Mixco\n",
    )
    .unwrap();
    std::fs::write(
        &shelter,
        "given_name,surname,date_of_birth,sex,phone,city\n\
         Rosa,Ramírez,1979-03-03,mujer,+52 962 555 0101,Tapachula\n\
         María Lupita,Xicara Ixcoy,1985-11-23,femenino,,Totonicapan\n\
         CHEPE LUIS,Hernandez Delacruz,1990-07-05,masculino,55551234,\n",
    )
    .unwrap();
    for (input, output) in [(&hotline, "hotline.json"), (&shelter, "shelter.json")] {
        puente()
            .args([
                "pprl",
                "encode",
                "--profile",
                "latam",
                "--country",
                "GT",
                "--secret",
                SECRET,
            ])
            .arg(input)
            .arg("--out")
            .arg(dir.path().join(output))
            .assert()
            .success()
            .stderr(predicate::str::contains(
                "3 records encoded (2048 bits each)",
            ));
    }
    let out = dir.path().join("pairs.csv");
    puente()
        .args(["pprl", "match"])
        .arg(dir.path().join("hotline.json"))
        .arg(dir.path().join("shelter.json"))
        .args(["--threshold", "0.76", "--out"])
        .arg(&out)
        .assert()
        .success();
    let pairs: Vec<String> = read(&out)
        .lines()
        .skip(1)
        .map(|line| line.rsplit_once(',').unwrap().0.to_string())
        .collect();
    assert_eq!(pairs, vec!["0,0,1,2", "0,1,1,1"]);
    // The profile and a schema cannot both be given.
    puente()
        .args(["pprl", "encode", "--profile", "latam", "--schema"])
        .arg(fixture("multiparty/schema.json"))
        .args(["--secret", SECRET])
        .arg(&hotline)
        .arg("--out")
        .arg(dir.path().join("x.json"))
        .assert()
        .code(2);
}

#[test]
fn errors_are_in_spanish_by_default_and_in_english_with_lang_en() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clks.json");
    let schema = fixture("encodings_and_patterns/schema.json");
    let broken = write_broken_csv(dir.path(), "roto.csv");
    let encode = |lang: Option<&str>| {
        let mut command = puente_default_language();
        command.args(["pprl", "encode", "--secret", SECRET, "--schema"]);
        command.arg(&schema).arg(&broken).arg("--out").arg(&out);
        if let Some(lang) = lang {
            command.args(["--lang", lang]);
        }
        command
    };
    // What and where: the file, the line, the field and the value.
    assert_fails(
        &mut encode(None),
        &out,
        &[
            "roto.csv",
            "línea 4, campo 'code'",
            "expresión regular",
            "se leyó 'XX-12'",
        ],
    );
    assert_fails(
        &mut encode(Some("es")),
        &out,
        &["roto.csv", "línea 4, campo 'code'"],
    );
    assert_fails(
        &mut encode(Some("en")),
        &out,
        &[
            "roto.csv",
            "line 4, feature 'code'",
            "regular expression",
            "read 'XX-12'",
        ],
    );
    // The environment chooses too, and --lang wins over it.
    assert_fails(
        encode(None).env("PUENTE_LANG", "en"),
        &out,
        &["line 4, feature 'code'"],
    );
    assert_fails(
        encode(Some("es")).env("PUENTE_LANG", "en"),
        &out,
        &["línea 4, campo 'code'"],
    );

    let text = read(&schema);
    let bad_schema = dir.path().join("esquema.json");
    std::fs::write(
        &bad_schema,
        text.replacen("\"n\": 2", "\"n\": 2, \"skip\": 1", 1),
    )
    .unwrap();
    assert_fails(
        puente_default_language()
            .args(["pprl", "encode", "--secret", SECRET, "--schema"])
            .arg(&bad_schema)
            .arg(fixture("encodings_and_patterns/data.csv"))
            .arg("--out")
            .arg(&out),
        &out,
        &[
            "esquema.json",
            "línea ",
            "campo '",
            "opción desconocida 'skip'",
        ],
    );

    let pairs = dir.path().join("pares.csv");
    let uneven = dir.path().join("desigual.json");
    std::fs::write(&uneven, "{\"clks\": [\n\"AAAA\",\n\"AAAAAA==\"\n]}\n").unwrap();
    for (lang, expected) in [
        (
            "es",
            "línea 3, codificación 1: 4 bytes donde la primera codificación tiene 3",
        ),
        (
            "en",
            "line 3, encoding 1: 4 bytes where the first encoding has 3",
        ),
    ] {
        assert_fails(
            puente_default_language()
                .args(["pprl", "match", "--lang", lang])
                .arg(fixture("multiparty/party0.json"))
                .arg(&uneven)
                .args(["--threshold", "0.7", "--out"])
                .arg(&pairs),
            &pairs,
            &["desigual.json", expected],
        );
    }
    assert_fails(
        puente_default_language()
            .args(["pprl", "match"])
            .arg(fixture("multiparty/party0.json"))
            .arg(fixture("multiparty/party1.json"))
            .args(["--threshold", "1.5", "--out"])
            .arg(&pairs),
        &pairs,
        &[
            "--threshold",
            "el umbral debe ser un número de 0 a 1",
            "1.5",
        ],
    );
}

#[test]
fn summaries_are_in_spanish_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clks.json");
    puente_default_language()
        .args(["pprl", "encode", "--secret", SECRET, "--schema"])
        .arg(fixture("blake_every_type/schema.json"))
        .arg(fixture("blake_every_type/data.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("24 registros codificados"));
    let pairs = dir.path().join("pares.csv");
    puente_default_language()
        .args(["pprl", "match"])
        .arg(fixture("multiparty/party0.json"))
        .arg(fixture("multiparty/party1.json"))
        .args(["--threshold", "0.7", "--out"])
        .arg(&pairs)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("conjuntos de datos").and(predicate::str::contains("grupos")),
        );
}
