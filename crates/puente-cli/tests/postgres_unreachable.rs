//! Every command that opens the store takes `--db` as a `postgres://` URL; a PostgreSQL server that
//! nobody answers is one clear line on standard error and exit 1, within a few seconds, for each.

use std::process::Command;
use std::time::{Duration, Instant};

/// Port 1 on loopback: nothing listens there.
const NOBODY_ANSWERS: &str = "postgres://puente:secret-password@127.0.0.1:1/puente";

fn run_against_nobody(arguments: &[&str]) -> (std::process::Output, Duration) {
    let directory = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = Command::new(assert_cmd::cargo::cargo_bin("puente"))
        .args(["--db", NOBODY_ANSWERS])
        .args(arguments)
        .current_dir(directory.path())
        .env_remove("PUENTE_DB")
        .env("PUENTE_DATA_DIR", directory.path())
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    (output, started.elapsed())
}

#[test]
fn a_postgresql_nobody_answers_is_one_clear_line_and_exit_1_for_every_command() {
    let out = tempfile::tempdir().unwrap();
    let export = out.path().join("export");
    let export = export.to_str().unwrap();
    let csv = out.path().join("ctdc.csv");
    let csv = csv.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["serve", "--addr", "127.0.0.1:0"],
        vec!["demo-data", "--cases", "1"],
        vec!["audit", "verify"],
        vec!["audit", "export", "--out", export],
        vec!["audit", "rotate-key"],
        vec!["stats", "ctdc", "--by", "gender"],
        vec!["export", "ctdc", "--out", csv],
        vec!["report", "annual", "--year", "2025"],
    ];
    for arguments in commands {
        let (output, took) = run_against_nobody(&arguments);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{arguments:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().filter(|line| !line.is_empty()).collect();
        assert_eq!(lines.len(), 1, "{arguments:?}: one line, not {stderr}");
        let line = lines[0];
        assert!(
            line.contains("cannot open the database postgres://127.0.0.1:1/puente")
                && line.contains("does not answer"),
            "{arguments:?}: {line}"
        );
        assert!(
            !line.contains("secret-password"),
            "{arguments:?}: the password is never printed: {line}"
        );
        assert!(!line.contains("panicked"), "{arguments:?}: {line}");
        assert!(
            took < Duration::from_secs(20),
            "{arguments:?}: took {took:?}"
        );
    }
    for path in [export, csv] {
        assert!(
            !std::path::Path::new(path).exists(),
            "a failed export creates nothing: {path}"
        );
    }
}
