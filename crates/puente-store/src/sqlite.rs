//! The embedded SQLite backend: one file, WAL journal, migrations run at open.
//!
//! SQLite allows one writer at a time. Writes go through a pool of one connection, so transactions
//! queue instead of failing with "database is locked"; reads use a separate pool and see the last
//! committed state (WAL lets them run while a write is under way).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::QueryBuilder;

use crate::audit::{self, AuditEntry, AuditQuery, ChainReport, NewAuditEntry};
use crate::{AuditStore, StoreResult};

/// The migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Puente's store in one SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if absent) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
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
        MIGRATOR.run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore {
            writer,
            reader,
            path: path.to_path_buf(),
        })
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

    /// Closes both pools, checkpointing the WAL.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn record_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry> {
        let mut transaction = self.writer.begin().await?;
        let stored = audit::append(&mut transaction, &entry).await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn audit_entries(&self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>> {
        let mut builder = QueryBuilder::new("SELECT * FROM audit_log WHERE 1 = 1");
        if let Some(record_type) = &query.record_type {
            builder.push(" AND record_type = ").push_bind(record_type);
        }
        if let Some(record_id) = &query.record_id {
            builder.push(" AND record_id = ").push_bind(record_id);
        }
        if let Some(organisation_id) = query.organisation_id {
            builder
                .push(" AND organisation_id = ")
                .push_bind(organisation_id);
        }
        if let Some(actor) = &query.actor {
            builder.push(" AND actor = ").push_bind(actor);
        }
        builder.push(if query.newest_first {
            " ORDER BY id DESC"
        } else {
            " ORDER BY id"
        });
        if let Some(limit) = query.limit {
            builder.push(" LIMIT ").push_bind(i64::from(limit));
        }
        let rows = builder.build().fetch_all(&self.reader).await?;
        rows.iter().map(audit::entry_from_row).collect()
    }

    async fn verify_audit_chain(&self) -> StoreResult<ChainReport> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id")
            .fetch_all(&self.reader)
            .await?;
        let entries = rows
            .iter()
            .map(audit::entry_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(audit::verify_chain(&entries))
    }
}
