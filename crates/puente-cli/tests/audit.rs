//! `puente audit verify` against each way of rewriting the log behind Puente's back, run as the real
//! binary on a database the command line wrote (and checkpointed); `puente audit export` and
//! `puente audit rotate-key`.

mod common;

use std::path::{Path, PathBuf};

use common::puente;
use predicates::prelude::*;

/// A database with the demo's entries and the checkpoint written when the command finished.
fn database() -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("puente.db");
    puente()
        .arg("--db")
        .arg(&db)
        .args(["demo-data", "--cases", "3"])
        .assert()
        .success();
    assert!(directory.path().join("puente.db.audit-key").exists());
    assert!(directory
        .path()
        .join("puente.db.audit-checkpoints")
        .exists());
    (directory, db)
}

/// Runs SQL on the database directly, as someone with the file but not the key would.
fn tamper(db: &Path, statements: &[&str]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", db.display());
        let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
        for statement in statements {
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .unwrap();
        }
        connection.close().await.unwrap();
    });
}

/// Verify fails naming what it found, and again when run a second time: checking the log never
/// pins it in its rewritten state.
fn verify_fails_with(db: &Path, expected: &str) {
    for _ in 0..2 {
        puente()
            .arg("--db")
            .arg(db)
            .args(["audit", "verify"])
            .assert()
            .code(1)
            .stdout(predicate::str::contains("BROKEN").and(predicate::str::contains(expected)));
    }
}

#[test]
fn verify_names_an_edited_entry() {
    let (_directory, db) = database();
    tamper(
        &db,
        &[
            "DROP TRIGGER audit_log_no_update",
            "UPDATE audit_log SET actor = 'nobody' WHERE id = 2",
        ],
    );
    verify_fails_with(&db, "entry 2 was edited after it was written");
}

#[test]
fn verify_names_a_deleted_tail() {
    let (_directory, db) = database();
    tamper(
        &db,
        &[
            "DROP TRIGGER audit_log_no_delete",
            "DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 3 FROM audit_log)",
        ],
    );
    verify_fails_with(&db, "the last 3 entries were deleted");
}

#[test]
fn verify_names_an_emptied_log() {
    let (_directory, db) = database();
    tamper(
        &db,
        &["DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log"],
    );
    verify_fails_with(&db, "the log was emptied");
}

#[test]
fn verify_names_an_inserted_entry() {
    let (_directory, db) = database();
    tamper(
        &db,
        &["INSERT INTO audit_log (at, actor, action, record_type, detail, previous_hash, hash, key_id)
           SELECT '2026-12-01T10:00:00Z', 'x', 'export', 'ctdc', '', hash, 'forged', 1
           FROM audit_log ORDER BY id DESC LIMIT 1"],
    );
    verify_fails_with(&db, "was inserted behind Puente's back");
}

#[test]
fn verify_names_a_chain_recomputed_without_the_key() {
    let (_directory, db) = database();
    // The hash the log had before it was keyed, recomputed with SQL alone is not possible, so the
    // forger uses the library's public, unkeyed formula on the last entry after editing it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sqlx::{Connection, Row};
        let url = format!("sqlite://{}", db.display());
        let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&mut connection)
            .await
            .unwrap();
        let row = sqlx::query("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&mut connection)
            .await
            .unwrap();
        let id: i64 = row.get("id");
        let previous: String = row.get("previous_hash");
        let at: String = row.get("at");
        let organisation_id: Option<i64> = row.get("organisation_id");
        let action: String = row.get("action");
        let record_type: String = row.get("record_type");
        let record_id: Option<String> = row.get("record_id");
        let hash = puente_store::audit::entry_hash(
            &previous,
            &at,
            puente_store::audit::EntryFields {
                actor: "nobody",
                organisation_id,
                action: &action,
                record_type: &record_type,
                record_id: record_id.as_deref(),
                detail: "",
            },
        );
        sqlx::query("UPDATE audit_log SET actor = 'nobody', detail = '', hash = ? WHERE id = ?")
            .bind(hash)
            .bind(id)
            .execute(&mut connection)
            .await
            .unwrap();
        connection.close().await.unwrap();
    });
    verify_fails_with(&db, "recomputed without the audit key");
}

#[test]
fn export_writes_entries_and_checkpoints_and_rotation_keeps_the_log_verifiable() {
    let (directory, db) = database();
    let out = directory.path().join("for-the-auditor");
    puente()
        .arg("--db")
        .arg(&db)
        .args(["audit", "export", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("Exported"));
    let entries = std::fs::read_to_string(out.join("entries.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(entries.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], 1);
    assert!(first["hash"].is_string() && first["key_id"] == 1);
    let checkpoints = std::fs::read_to_string(out.join("checkpoints.jsonl")).unwrap();
    assert!(checkpoints.contains("\"signature\""));
    assert!(std::fs::read_to_string(out.join("README.txt"))
        .unwrap()
        .contains("HMAC-SHA256"));
    // A second export into the same directory is refused and changes nothing there.
    puente()
        .arg("--db")
        .arg(&db)
        .args(["audit", "export", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not empty"));

    puente()
        .arg("--db")
        .arg(&db)
        .args(["audit", "rotate-key"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Audit key 2"));
    puente()
        .arg("--db")
        .arg(&db)
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("intact"));
}
