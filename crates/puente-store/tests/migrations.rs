//! A database made before consents had their own record keeps everything when it is opened: its
//! consents move out of the case documents (who recorded them, when they were given and
//! withdrawn), its referrals and their notifications stay, and the receiver still reads what the
//! consent covers.
//!
//! SQLite only: databases from before consents had their own record were SQLite files (the
//! PostgreSQL backend came later, its first schema already with the consents' table), so there is
//! no older PostgreSQL database to bring up to date.

use puente_core::htcds::ConsentScope;
use puente_store::{
    Actor, AuditFiles, AuditStore, CaseStore, ConsentStore, ReferralStatus, ReferralStore,
    SqliteStore,
};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// Runs only the migrations older than consents' own table on a new database at `path`.
async fn database_before_consents(path: &std::path::Path) -> sqlx::SqlitePool {
    let old_migrations = tempfile::tempdir().unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let version: u32 = name[..4].parse().unwrap();
        if version < 50 {
            std::fs::copy(entry.path(), old_migrations.path().join(&name)).unwrap();
        }
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(old_migrations.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool
}

#[tokio::test]
async fn consents_in_case_documents_move_to_their_own_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let pool = database_before_consents(&path).await;
    let at = "2026-11-01T10:00:00Z";
    for (slug, name) in [
        ("hotline-demo", "Línea Demo"),
        ("shelter-demo", "Albergue Demo"),
    ] {
        sqlx::query(
            "INSERT INTO organisations (slug, name, kind, created_at) VALUES (?, ?, 'Ngo', ?)",
        )
        .bind(slug)
        .bind(name)
        .bind(at)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO persons (organisation_id, given_name, surname, created_at, updated_at) VALUES (1, 'Ana', 'Pérez', ?, ?)",
    )
    .bind(at)
    .bind(at)
    .execute(&pool)
    .await
    .unwrap();
    let document = serde_json::json!({
        "status": "Active",
        "consents": [
            {"scopes": ["identity", "contact"], "with_organisation": "shelter-demo", "given_on": "2026-10-30",
             "recorded_by": "advocate@hotline.demo"},
            {"scopes": ["notes"], "with_organisation": "shelter-demo", "given_on": "2026-10-01",
             "recorded_by": "supervisor@hotline.demo", "withdrawn_on": "2026-10-15"}
        ]
    });
    sqlx::query(
        "INSERT INTO cases (organisation_id, person_id, status, version, document, opened_on, created_at, updated_at)
         VALUES (1, 1, 'Active', 3, ?, '2026-10-01', ?, ?)",
    )
    .bind(document.to_string())
    .bind(at)
    .bind(at)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO referrals (case_id, from_organisation_id, to_organisation_id, share, reason, status, created_by,
             created_at, outgoing_referral_date, updated_at)
         VALUES (1, 1, 2, '[\"identity\"]', 'Other', 'accepted', 'advocate@hotline.demo', ?, '2026-11-01', ?)",
    )
    .bind(at)
    .bind(at)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO notifications (organisation_id, kind, referral_id, created_at) VALUES (2, 'referral_received', 1, ?)",
    )
    .bind(at)
    .execute(&pool)
    .await
    .unwrap();
    // Two entries chained the way the log was before it had a key.
    let mut previous = puente_store::audit::GENESIS_HASH.to_string();
    for record_id in ["1", "2"] {
        let fields = puente_store::audit::EntryFields {
            actor: "advocate@hotline.demo",
            organisation_id: Some(1),
            action: "view",
            record_type: "case",
            record_id: Some(record_id),
            detail: "",
        };
        let hash = puente_store::audit::entry_hash(&previous, at, fields);
        sqlx::query(
            "INSERT INTO audit_log (at, actor, organisation_id, action, record_type, record_id, detail, previous_hash, hash)
             VALUES (?, 'advocate@hotline.demo', 1, 'view', 'case', ?, '', ?, ?)",
        )
        .bind(at)
        .bind(record_id)
        .bind(&previous)
        .bind(&hash)
        .execute(&pool)
        .await
        .unwrap();
        previous = hash;
    }
    pool.close().await;

    let store = SqliteStore::open_with_audit_files(&path, AuditFiles::beside(&path))
        .await
        .unwrap();
    // The first checkpoint, signed with the new key, pins the entries from before it.
    let report = store.verify_audit_chain().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.findings);
    let consents = store.consents(1, 1).await.unwrap();
    assert_eq!(consents.len(), 2);
    assert_eq!(
        consents[0].consent.scopes,
        [ConsentScope::Identity, ConsentScope::Contact]
    );
    assert_eq!(consents[0].consent.recorded_by, "advocate@hotline.demo");
    assert_eq!(consents[0].consent.given_on.to_string(), "2026-10-30");
    assert!(consents[0].consent.is_active());
    assert_eq!(consents[1].consent.recorded_by, "supervisor@hotline.demo");
    assert_eq!(
        consents[1]
            .consent
            .withdrawn_on
            .map(|date| date.to_string()),
        Some("2026-10-15".to_string())
    );
    let document: String = sqlx::query_scalar("SELECT document FROM cases WHERE id = 1")
        .fetch_one(store.reader())
        .await
        .unwrap();
    assert!(!document.contains("consents"), "{document}");

    let receiver = Actor {
        name: "caseworker@shelter.demo".into(),
        organisation_id: Some(2),
    };
    let referral = store.referral(2, 1).await.unwrap().unwrap();
    assert_eq!(referral.status, ReferralStatus::Accepted);
    assert_eq!(referral.case_version, 3);
    assert_eq!(store.notifications(2, false).await.unwrap().len(), 1);
    let shared = store.shared_case(&receiver, 2, 1).await.unwrap();
    assert_eq!(shared.identity.unwrap().given_name, "Ana");
    let advocate = Actor {
        name: "advocate@hotline.demo".into(),
        organisation_id: Some(1),
    };
    let case = store.case(&advocate, 1, 1).await.unwrap().unwrap();
    assert_eq!(case.case.consents.len(), 2);
    assert_eq!(case.case.consents[0].id, Some(consents[0].id));
    let report = store.verify_audit_chain().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.findings);
}

/// A database at `directory/puente.db` made (and closed) by this version, with its audit files.
async fn database_made_by_this_version(
    directory: &std::path::Path,
) -> (std::path::PathBuf, AuditFiles) {
    let path = directory.join("puente.db");
    let files = AuditFiles::beside(&path);
    let store = SqliteStore::open_with_audit_files(&path, files.clone())
        .await
        .unwrap();
    drop(store);
    (path, files)
}

/// Sets the checksum the database keeps for a migration.
async fn store_checksum(path: &std::path::Path, version: i64, checksum: Vec<u8>) {
    let options = SqliteConnectOptions::new().filename(path);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2")
        .bind(checksum)
        .bind(version)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// The SHA-384 checksum, as bytes, of the text migration 0020 had when it shipped (its first
/// comment line was worded differently; the statements were the same).
fn checksum_of_the_shipped_text_of_0020() -> Vec<u8> {
    let hex = "45f0ffa7b2bfedcb4e43e66aa2e518cbf930d1287047df88c4b3ea81724514b35088207b93a5baf4b4e1ba222992ebbd";
    (0..hex.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(&hex[index..index + 2], 16).unwrap())
        .collect()
}

#[tokio::test]
async fn a_database_that_applied_a_migration_before_its_comment_was_reworded_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (path, files) = database_made_by_this_version(dir.path()).await;
    store_checksum(&path, 20, checksum_of_the_shipped_text_of_0020()).await;
    SqliteStore::open_with_audit_files(&path, files)
        .await
        .expect("the database applied the same statements and opens");
}

#[tokio::test]
async fn a_database_whose_migration_was_changed_otherwise_is_still_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (path, files) = database_made_by_this_version(dir.path()).await;
    store_checksum(&path, 20, vec![7; 48]).await;
    let refusal = SqliteStore::open_with_audit_files(&path, files)
        .await
        .expect_err("a checksum of neither text is refused");
    assert!(
        refusal.to_string().contains("20"),
        "the refusal names the migration: {refusal}"
    );
}
