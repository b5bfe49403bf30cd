//! The embedded SQLite backend: one file, WAL journal, migrations run at open.
//!
//! SQLite allows one writer at a time. Writes go through a pool of one connection, so transactions
//! queue instead of failing with "database is locked"; reads use a separate pool and see the last
//! committed state (WAL lets them run while a write is under way).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::audit_files::{AuditFiles, AuditState};
use crate::{AuditStore, StoreResult};

/// The shared SQL, compiled for SQLite.
// The same files are compiled once per backend on purpose: the SQL is written once.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
pub(crate) mod sql;

/// The store the shared SQL is implemented for, in this compilation.
pub(crate) type Backend = SqliteStore;
/// The sqlx database of this compilation.
pub(crate) type Db = sqlx::Sqlite;

/// The statement that makes the audit head this transaction's alone before it is read: none in
/// SQLite, where a write transaction begun `IMMEDIATE` already holds the only write lock.
pub(crate) const LOCK_AUDIT_HEAD: Option<&str> = None;

/// The expression that aggregates the rows of `inner` (one JSON array of `columns` each, in id
/// order) into one JSON text.
pub(crate) fn json_rows_aggregate(columns: &str) -> String {
    format!("json_group_array(json_array({columns}))")
}

/// The migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Migrations whose comments were reworded after they shipped, each with the SHA-384 checksum of
/// its earlier text. The statements are the same, so a database that applied the earlier text is
/// up to date; without this, the migrator would refuse to open it ("previously applied but has
/// been modified").
const REWORDED_MIGRATIONS: &[(i64, &str)] = &[(
    20,
    "45f0ffa7b2bfedcb4e43e66aa2e518cbf930d1287047df88c4b3ea81724514b35088207b93a5baf4b4e1ba222992ebbd",
)];

/// Records the checksum of the current text of each reworded migration in a database that applied
/// its earlier text. Only a stored checksum equal to the earlier text's is replaced: a migration
/// changed any other way is still refused by the migrator.
async fn accept_reworded_migrations(pool: &SqlitePool) -> StoreResult<()> {
    let has_migrations_table: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await?;
    if has_migrations_table.is_none() {
        return Ok(());
    }
    for (version, earlier_checksum) in REWORDED_MIGRATIONS {
        let Some(migration) = MIGRATOR
            .iter()
            .find(|migration| migration.version == *version)
        else {
            continue;
        };
        let earlier = hex_bytes(earlier_checksum);
        sqlx::query(
            "UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2 AND checksum = $3",
        )
        .bind(migration.checksum.as_ref())
        .bind(version)
        .bind(earlier)
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// The bytes of a hexadecimal string written in this file.
fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|index| {
            u8::from_str_radix(&hex[index..index + 2], 16).expect("a hexadecimal constant")
        })
        .collect()
}

/// Puente's store in one SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    path: PathBuf,
    pub(crate) audit: Arc<AuditState>,
}

impl SqliteStore {
    /// Opens (creating if absent) the database at `path` and brings its schema up to date. The
    /// audit key and checkpoints are where `PUENTE_AUDIT_KEY_FILE` and
    /// `PUENTE_AUDIT_CHECKPOINT_FILE` say, else beside the database.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        SqliteStore::open_with_audit_files(path, AuditFiles::from_environment(path)).await
    }

    /// Opens the database with its audit key and checkpoints in the given files. The key file is
    /// created (mode 0600) with a new key when absent, and a first checkpoint, signed with it, pins
    /// the entries written before.
    pub async fn open_with_audit_files(path: &Path, files: AuditFiles) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-65536")
            // Rows cross from SQLite's worker thread in batches: large exports and statistics stay fast.
            .row_buffer_size(4096);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await?;
        accept_reworded_migrations(&writer).await?;
        MIGRATOR.run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        let (audit, created) = AuditState::load(files)?;
        let store = SqliteStore {
            writer,
            reader,
            path: path.to_path_buf(),
            audit: Arc::new(audit),
        };
        sql::case_search::backfill(&store).await?;
        if created {
            store.checkpoint_now(Some("key_created")).await?;
        }
        Ok(store)
    }

    /// Begins a write transaction holding SQLite's write lock from its first statement
    /// (`BEGIN IMMEDIATE`): with several processes writing one file, a transaction that read the
    /// audit head or a version waits its turn instead of failing when it comes to write.
    pub(crate) async fn begin_write(
        &self,
    ) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pool that writes. Transactions begun on it hold SQLite's write lock in turn.
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// The pool that reads.
    pub fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Writes a last audit checkpoint when the log changed, then closes both pools, checkpointing
    /// the WAL. A checkpoint that cannot be written is logged (the data is safe; the next start or
    /// command writes one).
    pub async fn close(&self) {
        if let Err(error) = self.write_audit_checkpoint().await {
            tracing::warn!(error = %error, "cannot write the audit checkpoint at close");
        }
        self.reader.close().await;
        self.writer.close().await;
    }
}
