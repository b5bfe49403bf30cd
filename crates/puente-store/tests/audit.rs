//! The audit log against someone with write access to the database file but not to the audit key:
//! an edited entry, a deleted tail, an emptied log, an inserted entry and a chain recomputed
//! without the key are each found and named, by the whole check and (for what follows the last
//! checkpoint) by the incremental one; two appends on the same head cannot both commit. On SQLite,
//! or on PostgreSQL when `PUENTE_TEST_DATABASE_URL` is set.

use puente_store::audit::{entry_hash, EntryFields};
use puente_store::testing::TestStore;
use puente_store::{Actor, AuditAction, AuditFinding, NewAuditEntry, RecordType};

struct Log {
    store: TestStore,
}

fn entry(number: usize) -> NewAuditEntry {
    NewAuditEntry {
        actor: "advocate@hotline.demo".into(),
        organisation_id: Some(1),
        action: AuditAction::View,
        record_type: RecordType::Case,
        record_id: Some(number.to_string()),
        case_id: None,
        detail: String::new(),
    }
}

/// A store with `entries` entries and a checkpoint after them.
async fn log_with(entries: usize) -> Log {
    let store = TestStore::open().await;
    for number in 0..entries {
        store.record_audit(entry(number)).await.unwrap();
    }
    store.write_audit_checkpoint().await.unwrap().unwrap();
    Log { store }
}

async fn execute(log: &Log, sql: &str) {
    log.store
        .execute_behind_the_store(sql)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
}

async fn drop_triggers(log: &Log) {
    log.store.drop_audit_guards().await;
}

async fn findings(log: &Log) -> (Vec<AuditFinding>, Vec<AuditFinding>) {
    let whole = log.store.verify_audit_chain().await.unwrap();
    let recent = log.store.verify_audit_since_checkpoint().await.unwrap();
    (whole.findings, recent.findings)
}

#[tokio::test]
async fn an_untouched_log_is_intact_and_its_key_file_is_private() {
    let log = log_with(12).await;
    let whole = log.store.verify_audit_chain().await.unwrap();
    assert!(whole.is_intact(), "{:?}", whole.findings);
    assert_eq!(whole.entries, 12);
    log.store.record_audit(entry(99)).await.unwrap();
    let recent = log.store.verify_audit_since_checkpoint().await.unwrap();
    assert!(recent.is_intact(), "{:?}", recent.findings);
    assert_eq!(
        recent.entries, 1,
        "only what follows the checkpoint is checked"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key_file = &log.store.audit_files().key_file;
        let mode = std::fs::metadata(key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // A key others can read is refused at open, with the file and the reason.
        std::fs::set_permissions(key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = match log.store.open_again().await {
            Ok(_) => panic!("a key others can read is used"),
            Err(error) => error,
        };
        assert!(error.to_string().contains("chmod 600"), "{error}");
    }
}

#[tokio::test]
async fn an_edited_entry_is_named() {
    let log = log_with(10).await;
    drop_triggers(&log).await;
    execute(
        &log,
        "UPDATE audit_log SET detail = 'nothing happened' WHERE id = 4",
    )
    .await;
    let (whole, _) = findings(&log).await;
    assert_eq!(whole, [AuditFinding::EditedEntry { id: 4 }]);
    assert_eq!(
        whole[0].to_string(),
        "entry 4 was edited after it was written: its content no longer matches its hash"
    );
}

#[tokio::test]
async fn a_deleted_tail_is_named() {
    let log = log_with(60).await;
    drop_triggers(&log).await;
    execute(&log, "DELETE FROM audit_log WHERE id > 10").await;
    let (whole, recent) = findings(&log).await;
    for found in [&whole, &recent] {
        assert!(
            found.iter().any(|finding| matches!(
                finding,
                AuditFinding::DeletedTail {
                    checkpoint_entries: 60,
                    entries: 10,
                    ..
                }
            )),
            "{found:?}"
        );
    }
    assert!(whole.iter().any(|finding| finding
        .to_string()
        .starts_with("the last 50 entries were deleted")));
    // Writing on after the deletion does not hide it: the entries the checkpoint recorded are gone.
    for number in 0..60 {
        log.store.record_audit(entry(number)).await.unwrap();
    }
    let (whole, recent) = findings(&log).await;
    assert!(
        whole
            .iter()
            .any(|finding| matches!(finding, AuditFinding::CheckpointMismatch { .. })),
        "{whole:?}"
    );
    assert!(!recent.is_empty(), "{recent:?}");
}

#[tokio::test]
async fn an_emptied_log_is_named() {
    let log = log_with(20).await;
    drop_triggers(&log).await;
    execute(&log, "DELETE FROM audit_log").await;
    let (whole, recent) = findings(&log).await;
    for found in [&whole, &recent] {
        assert!(
            found.iter().any(|finding| matches!(
                finding,
                AuditFinding::EmptiedLog {
                    checkpoint_entries: 20,
                    ..
                }
            )),
            "{found:?}"
        );
    }
}

#[tokio::test]
async fn an_inserted_entry_is_named() {
    let log = log_with(10).await;
    // The triggers refuse only updates and deletes: an insert needs no dropping. The forger links
    // to the head and computes the hash as anyone can, without the key.
    let (head_id, head): (i64, String) = log
        .store
        .fetch_behind_the_store("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .await
        .remove(0);
    let at = "2026-12-01T10:00:00Z";
    let fields = EntryFields {
        actor: "supervisor@hotline.demo",
        organisation_id: Some(1),
        action: "export",
        record_type: "ctdc",
        record_id: None,
        detail: "",
    };
    let forged = entry_hash(&head, at, fields);
    // The hashes are hexadecimal and the time is fixed: written into the statement as they are.
    execute(
        &log,
        &format!(
            "INSERT INTO audit_log (at, actor, organisation_id, action, record_type, record_id, detail, previous_hash, hash, key_id)
             VALUES ('{at}', 'supervisor@hotline.demo', 1, 'export', 'ctdc', NULL, '', '{head}', '{forged}', 1)"
        ),
    )
    .await;
    let (whole, recent) = findings(&log).await;
    let inserted = AuditFinding::InsertedEntry { id: head_id + 1 };
    assert_eq!(whole, std::slice::from_ref(&inserted));
    assert_eq!(recent, [inserted]);
    assert!(whole[0]
        .to_string()
        .contains("inserted behind Puente's back"));
}

/// The statement a writer that read the head before another committed would run: a second entry
/// on the same previous hash.
async fn fork_of_the_head(log: &Log) -> String {
    let (previous, at): (String, String) = log
        .store
        .fetch_behind_the_store("SELECT previous_hash, at FROM audit_log ORDER BY id DESC LIMIT 1")
        .await
        .remove(0);
    format!(
        "INSERT INTO audit_log (at, actor, action, record_type, detail, previous_hash, hash, key_id)
         VALUES ('{at}', 'x', 'view', 'case', '', '{previous}', 'fork', 1)"
    )
}

/// An entry's id, time, actor, organisation, action, record type, record id and detail.
type StoredRow = (
    i64,
    String,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
    String,
);

#[tokio::test]
async fn a_chain_recomputed_without_the_key_is_named() {
    let log = log_with(10).await;
    drop_triggers(&log).await;
    execute(&log, "UPDATE audit_log SET actor = 'nobody' WHERE id = 3").await;
    // Recompute every hash from the edited entry on, the way the log was chained before it had a
    // key: plain SHA-256, which needs nothing secret.
    let rows: Vec<StoredRow> = log
        .store
        .fetch_behind_the_store(
            "SELECT id, at, actor, organisation_id, action, record_type, record_id, detail FROM audit_log ORDER BY id",
        )
        .await;
    let (mut previous,): (String,) = log
        .store
        .fetch_behind_the_store("SELECT hash FROM audit_log WHERE id = 2")
        .await
        .remove(0);
    for (id, at, actor, organisation_id, action, record_type, record_id, detail) in
        rows.into_iter().filter(|row| row.0 >= 3)
    {
        let hash = entry_hash(
            &previous,
            &at,
            EntryFields {
                actor: &actor,
                organisation_id,
                action: &action,
                record_type: &record_type,
                record_id: record_id.as_deref(),
                detail: &detail,
            },
        );
        execute(
            &log,
            &format!(
                "UPDATE audit_log SET previous_hash = '{previous}', hash = '{hash}' WHERE id = {id}"
            ),
        )
        .await;
        previous = hash;
    }
    let (whole, _) = findings(&log).await;
    assert!(
        whole.contains(&AuditFinding::RecomputedWithoutKey { from_id: 3 }),
        "{whole:?}"
    );
    assert!(
        whole
            .iter()
            .any(|finding| matches!(finding, AuditFinding::CheckpointMismatch { .. })),
        "{whole:?}"
    );
}

#[tokio::test]
async fn a_forged_checkpoint_is_named_and_two_appends_cannot_fork_the_chain() {
    let log = log_with(5).await;
    let checkpoint_file = log.store.audit_files().checkpoint_file.clone();
    let mut text = std::fs::read_to_string(&checkpoint_file).unwrap();
    let lines = text.lines().count();
    text.push_str(&format!(
        "{{\"entries\":2,\"last_id\":2,\"head\":\"00\",\"at\":\"2026-12-01T10:00:00Z\",\"key_id\":1,\"signature\":\"{}\"}}\n",
        "ab".repeat(32)
    ));
    std::fs::write(&checkpoint_file, text).unwrap();
    let whole = log.store.verify_audit_chain().await.unwrap();
    assert!(
        whole
            .findings
            .contains(&AuditFinding::CheckpointForged { line: lines + 1 }),
        "{:?}",
        whole.findings
    );

    // A second entry on the same head, as a writer that read the head before another committed
    // would make, is refused by the database.
    let fork = log
        .store
        .refusal_behind_the_store(&fork_of_the_head(&log).await)
        .await;
    assert!(fork.is_some(), "a second entry on one head is refused");
}

#[tokio::test]
async fn a_new_key_starts_a_new_segment_and_the_old_entries_still_verify() {
    let log = log_with(5).await;
    let actor = Actor {
        name: "cli:admin".into(),
        organisation_id: None,
    };
    let new_key = log.store.rotate_audit_key(&actor).await.unwrap();
    assert_eq!(new_key, 2);
    let written = log.store.record_audit(entry(7)).await.unwrap();
    assert_eq!(written.key_id, Some(2));
    let whole = log.store.verify_audit_chain().await.unwrap();
    assert!(whole.is_intact(), "{:?}", whole.findings);
    let notes: Vec<Option<String>> = log
        .store
        .audit_checkpoints()
        .unwrap()
        .into_iter()
        .map(|(_, checkpoint)| checkpoint.unwrap().note)
        .collect();
    assert!(notes.contains(&Some("segment_end".into())));
    assert!(notes.contains(&Some("segment_start".into())));
    // Reopened, the store reads both keys and goes on with the new one.
    log.store.close().await;
    let reopened = log.store.another_process().await;
    assert!(reopened.verify_audit_chain().await.unwrap().is_intact());
    assert_eq!(
        reopened.record_audit(entry(8)).await.unwrap().key_id,
        Some(2)
    );
}

#[tokio::test]
async fn two_processes_appending_at_once_never_fork_the_chain() {
    let log = log_with(1).await;
    // A second store on the same database: another process, with its own connections.
    let other = log.store.another_process().await;
    let mut writers = Vec::new();
    for (index, store) in [log.store.shared(), other.clone()].into_iter().enumerate() {
        for number in 0..40 {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                store.record_audit(entry(index * 100 + number)).await
            }));
        }
    }
    for writer in writers {
        writer.await.unwrap().unwrap();
    }
    let whole = other.verify_audit_chain().await.unwrap();
    assert!(whole.is_intact(), "{:?}", whole.findings);
    assert_eq!(whole.entries, 81);
}

#[tokio::test]
async fn a_rule_the_database_keeps_is_named_in_the_error() {
    let log = log_with(1).await;
    let refused = log
        .store
        .refusal_behind_the_store(&fork_of_the_head(&log).await)
        .await;
    let error = refused.expect("a second entry on one head is refused");
    // SQLite names the table and column, PostgreSQL the unique index.
    let rule = if log.store.sqlite().is_some() {
        "audit_log.previous_hash"
    } else {
        "audit_log_one_successor"
    };
    assert!(
        matches!(&error, puente_store::StoreError::Constraint { name } if name.contains(rule)),
        "{error}"
    );
}
