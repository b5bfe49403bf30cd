//! `puente link` end to end: the real binary on small synthetic CSVs in `tests/fixtures/link/`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/link")
        .join(name)
}

fn puente() -> Command {
    let mut command = Command::cargo_bin("puente").unwrap();
    command.env_remove("RUST_LOG");
    command
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `(id_l, id_r)` pairs of a pairs file.
fn pairs_of(text: &str) -> Vec<(String, String)> {
    text.lines()
        .skip(1)
        .map(|line| {
            let mut cells = line.split(',');
            (
                cells.next().unwrap().to_string(),
                cells.next().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn dedupe_writes_the_documented_header_and_finds_latin_american_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    puente()
        .args(["link", "dedupe"])
        .arg(fixture("people.csv"))
        .args(["--id-column", "id", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("12 records"));
    let text = read(&out);
    assert_eq!(text.lines().next(), Some("id_l,id_r,match_probability"));
    let pairs = pairs_of(&text);
    // Accents and phone formats (p01/p02, with day and month swapped and the maternal surname
    // dropped), a nickname and partial date (p03/p04), a compound surname (p05/p06), Paco for
    // Francisco (p10/p11).
    for (a, b) in [
        ("p01", "p02"),
        ("p03", "p04"),
        ("p05", "p06"),
        ("p10", "p11"),
    ] {
        assert!(
            pairs.contains(&(a.to_string(), b.to_string())),
            "{a}-{b} missing from {pairs:?}"
        );
    }
    assert_eq!(pairs.len(), 4, "{pairs:?}");
    for line in text.lines().skip(1) {
        let p: f64 = line.split(',').nth(2).unwrap().parse().unwrap();
        assert!((0.5..=1.0).contains(&p), "{line}");
    }
}

#[test]
fn explain_adds_one_weight_column_per_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    puente()
        .args(["link", "dedupe"])
        .arg(fixture("people.csv"))
        .args(["--id-column", "id", "--explain", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = read(&out);
    assert_eq!(
        text.lines().next().unwrap(),
        "id_l,id_r,match_probability,weight_nombres,weight_apellidos,weight_fecha_nacimiento,\
         weight_sexo,weight_nacionalidad,weight_telefono,weight_ciudad"
    );
    for line in text.lines().skip(1) {
        assert_eq!(line.split(',').count(), 10, "{line}");
    }
}

#[test]
fn clusters_give_every_record_a_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    let clusters = dir.path().join("clusters.csv");
    for method in ["connected", "center"] {
        puente()
            .args(["link", "dedupe"])
            .arg(fixture("people.csv"))
            .args(["--id-column", "id", "--cluster-method", method, "--out"])
            .arg(&out)
            .arg("--clusters")
            .arg(&clusters)
            .assert()
            .success();
        let text = read(&clusters);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("id,cluster_id"));
        let rows: Vec<(String, String)> = lines
            .map(|l| {
                let (id, cluster) = l.split_once(',').unwrap();
                (id.to_string(), cluster.to_string())
            })
            .collect();
        assert_eq!(rows.len(), 12);
        let cluster_of = |id: &str| rows.iter().find(|(i, _)| i == id).unwrap().1.clone();
        assert_eq!(cluster_of("p01"), cluster_of("p02"));
        assert_ne!(cluster_of("p01"), cluster_of("p03"));
    }
}

#[test]
fn pair_links_two_files_with_columns_in_another_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    let clusters = dir.path().join("clusters.csv");
    puente()
        .args(["link", "pair"])
        .arg(fixture("people.csv"))
        .arg(fixture("people_b.csv"))
        .args(["--id-column", "id", "--out"])
        .arg(&out)
        .arg("--clusters")
        .arg(&clusters)
        .assert()
        .success();
    let text = read(&out);
    assert_eq!(text.lines().next(), Some("id_l,id_r,match_probability"));
    let mut pairs = pairs_of(&text);
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("p07".to_string(), "b2".to_string()),
            ("p12".to_string(), "b1".to_string())
        ]
    );
    let clusters = read(&clusters);
    assert_eq!(clusters.lines().next(), Some("source,id,cluster_id"));
    assert_eq!(clusters.lines().count(), 1 + 12 + 3);
}

#[test]
fn a_config_file_maps_columns_and_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    puente()
        .args(["link", "dedupe"])
        .arg(fixture("mapped.csv"))
        .args(["--explain", "--config"])
        .arg(fixture("config.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let text = read(&out);
    // `notas` is ignored; the others are compared under their mapped kinds.
    assert_eq!(
        text.lines().next(),
        Some("id_l,id_r,match_probability,weight_nom,weight_ape,weight_nacimiento,weight_tel")
    );
    assert_eq!(pairs_of(&text), [("s1".to_string(), "s2".to_string())]);
}

#[test]
fn bad_input_fails_with_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    let cases = [
        (
            "people.csv",
            "nope",
            "people.csv: line 1: no id column \"nope\"",
        ),
        (
            "duplicate_id.csv",
            "id",
            "duplicate_id.csv: line 4, column 1 (id): duplicate id \"a1\" (first on line 2)",
        ),
        (
            "bad_date.csv",
            "id",
            "bad_date.csv: line 3, column 4 (dob): unreadable date \"mayo de 1990\"",
        ),
        (
            "ragged.csv",
            "id",
            "ragged.csv: line 3: 3 fields where the header has 4",
        ),
    ];
    for (file, id, message) in cases {
        puente()
            .args(["link", "dedupe"])
            .arg(fixture(file))
            .args(["--id-column", id, "--out"])
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn skip_invalid_writes_the_rejected_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    let rejects = dir.path().join("rejects.csv");
    puente()
        .args(["link", "dedupe"])
        .arg(fixture("duplicate_id.csv"))
        .args(["--id-column", "id", "--skip-invalid", "--out"])
        .arg(&out)
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 invalid rows skipped"));
    let text = read(&rejects);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("id,given_name,surname,dob,error"));
    let row = lines.next().unwrap();
    assert!(row.starts_with("a1,Juan,García,1980-01-01,"), "{row}");
    assert!(row.contains("line 4"), "{row}");
    assert_eq!(lines.next(), None);
}

#[test]
fn skip_invalid_keeps_ragged_rows_and_bad_dates_in_the_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    let rejects = dir.path().join("rejects.csv");
    for file in ["ragged.csv", "bad_date.csv"] {
        puente()
            .args(["link", "dedupe"])
            .arg(fixture(file))
            .args(["--id-column", "id", "--skip-invalid", "--out"])
            .arg(&out)
            .arg("--rejects")
            .arg(&rejects)
            .assert()
            .success();
        let text = read(&rejects);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.lines().nth(1).unwrap().starts_with("a2,Rosa,Pérez,"),
            "{text}"
        );
        assert!(text.contains("line 3"), "{text}");
        assert_eq!(read(&out), "id_l,id_r,match_probability\n");
    }
}

#[test]
fn the_learned_model_can_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    let model = dir.path().join("model.json");
    puente()
        .args(["link", "dedupe"])
        .arg(fixture("people.csv"))
        .args(["--id-column", "id", "--out"])
        .arg(&out)
        .arg("--model-out")
        .arg(&model)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&read(&model)).unwrap();
    assert!(json["lambda"].as_f64().unwrap() > 0.0);
    assert_eq!(json["fields"][0]["field"], "nombres");
    assert_eq!(json["fields"][0]["kind"], "given_name");
}

#[test]
fn a_file_with_a_header_and_no_rows_gives_an_empty_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pairs.csv");
    let clusters = dir.path().join("clusters.csv");
    let header_only = dir.path().join("header.csv");
    std::fs::write(&header_only, "id,given_name,surname\n").unwrap();
    puente()
        .args(["link", "dedupe"])
        .arg(&header_only)
        .args(["--id-column", "id", "--out"])
        .arg(&out)
        .arg("--clusters")
        .arg(&clusters)
        .assert()
        .success();
    assert_eq!(read(&out), "id_l,id_r,match_probability\n");
    puente()
        .args(["link", "pair"])
        .arg(&header_only)
        .arg(&header_only)
        .args(["--id-column", "id", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(read(&out), "id_l,id_r,match_probability\n");
}

/// Every kind of bad file (truncated, garbage, empty, another delimiter, a quote never closed):
/// a clear error naming the file and the line, exit 1, and no output written.
#[test]
fn every_kind_of_bad_file_is_an_error_with_its_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let header = "id,given_name,surname,dob\n";
    let rows = "a1,María,López,1990-05-12\na2,Maria,Lopez,1990-05-12\na3,Juan,Pérez,1985\n";
    let mut garbage = vec![0xff, 0xfe, 0x00, 0x81];
    garbage.extend_from_slice(b"\x00\x9c\n\xfe");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "unterminated_last_column.csv",
            format!("{header}a1,María,López,\"1990-05-12\n{rows}").into_bytes(),
            "line 2, column 4 (dob): a quoted value runs over several lines",
        ),
        (
            "unterminated_middle.csv",
            format!("{header}{rows}a4,\"Ana,Ruiz,1991\na5,Eva,Ruiz,1992\n").into_bytes(),
            "line 5, column 2 (given_name): a quoted value runs over several lines",
        ),
        ("empty.csv", Vec::new(), "the file is empty: no header line"),
        ("blank_lines.csv", b"\n\n\r\n".to_vec(), "the file is empty"),
        (
            "semicolons.csv",
            "id;given_name;surname\na1;Ana;López\n".as_bytes().to_vec(),
            "line 1: no id column \"id\" (columns: id;given_name;surname); the columns seem separated by semicolons",
        ),
        (
            "tabs.csv",
            "id\tgiven_name\na1\tAna\n".as_bytes().to_vec(),
            "separated by tabs",
        ),
        ("garbage.csv", garbage, "line 1: not UTF-8 text"),
        (
            "latin1.csv",
            [header.as_bytes(), b"a1,Mar\xeda,L\xf3pez,1990\n"].concat(),
            "line 2: not UTF-8 text",
        ),
        (
            "cut_in_a_row.csv",
            format!("{header}{rows}a4,Ana").into_bytes(),
            "line 5: 2 fields where the header has 4",
        ),
    ];
    for (file, content, message) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, content).unwrap();
        let out = dir.path().join(format!("{file}.pairs.csv"));
        puente()
            .args(["link", "dedupe"])
            .arg(&path)
            .args(["--id-column", "id", "--out"])
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("{file}: ")))
            .stderr(predicate::str::contains(message));
        assert!(!out.exists(), "{file}: an output was written");
        // The same file as either side of a pair.
        let good = dir.path().join("good.csv");
        std::fs::write(&good, format!("{header}{rows}")).unwrap();
        puente()
            .args(["link", "pair"])
            .arg(&good)
            .arg(&path)
            .args(["--id-column", "id", "--out"])
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(file));
    }
    // A quote never closed is refused even with --skip-invalid: skipping it would drop the rest
    // of the file.
    let path = dir.path().join("unterminated_last_column.csv");
    puente()
        .args(["link", "dedupe"])
        .arg(&path)
        .args(["--id-column", "id", "--skip-invalid", "--out"])
        .arg(dir.path().join("skipped.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("closing quote"));
}

#[test]
fn a_file_whose_last_line_has_no_line_break_is_read_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no_final_break.csv");
    std::fs::write(&path, "id,given_name,surname\na1,Ana,López\na2,Ana,Lopez").unwrap();
    let out = dir.path().join("pairs.csv");
    puente()
        .args(["link", "dedupe"])
        .arg(&path)
        .args(["--id-column", "id", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "line 3, the last, has no line break at its end",
        ));
}

#[test]
fn usage_errors_exit_with_2_and_a_missing_id_column_option_with_1() {
    puente().args(["link", "dedupe"]).assert().code(2);
    puente()
        .args(["link", "dedupe", "x.csv", "--out", "y.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--id-column"));
}
