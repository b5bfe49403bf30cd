//! Helpers shared by the CLI integration tests: the real `puente` binary in a temporary directory.

#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/data` beside the repository: the CTDC and FEBRL data sets. Tests that need them say
/// plainly when they are missing.
pub fn shared_data() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    assert!(
        path.is_dir(),
        "the shared data sets are missing: expected them at {} (the `shared/` folder beside the repository)",
        path.display()
    );
    path
}

/// The CTDC Global Dataset of 15 July 2021.
pub fn ctdc_file() -> PathBuf {
    shared_data().join("ctdc/CTDC_global_kanon_dataset_15Jul2021.csv")
}

/// The `puente` binary, with logs quiet and no database from the environment.
pub fn puente() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("puente").expect("the puente binary is built");
    command.env_remove("PUENTE_DB").env("RUST_LOG", "error");
    command
}

/// Standard output of a command that must succeed (its standard error shown if it fails).
pub fn stdout_of(command: &mut assert_cmd::Command) -> String {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("standard output is UTF-8")
}
