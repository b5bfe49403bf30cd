//! The PostgreSQL backend: a pool of connections to one database, migrations from
//! `migrations-postgres` run at connect.
//!
//! Many writers run at once here, so nothing relies on a single writer: the audit append takes a
//! transaction-scoped advisory lock before it reads the head, every versioned update checks
//! `rows_affected`, and a partial unique index refuses a second open referral. The audit key and
//! the checkpoints live in files outside the database, as for SQLite.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::audit_files::{AuditFiles, AuditState};
use crate::{AuditStore, StoreError, StoreResult};

/// The shared SQL, compiled for PostgreSQL.
// The same files are compiled once per backend on purpose: the SQL is written once.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
pub(crate) mod sql;

/// The store the shared SQL is implemented for, in this compilation.
pub(crate) type Backend = PostgresStore;
/// The sqlx database of this compilation.
pub(crate) type Db = sqlx::Postgres;

/// Makes the audit head this transaction's alone until it commits or rolls back: two appends
/// can never read the same head. The key is any fixed number, the same in every process.
pub(crate) const LOCK_AUDIT_HEAD: Option<&str> =
    Some("SELECT pg_advisory_xact_lock(28263386444901)");

/// The expression that aggregates the rows of the page (one JSON array of `columns` each, in id
/// order) into one JSON text.
pub(crate) fn json_rows_aggregate(columns: &str) -> String {
    format!("COALESCE(CAST(json_agg(json_build_array({columns}) ORDER BY id) AS TEXT), '[]')")
}

/// The migrations for PostgreSQL, embedded in the binary.
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

/// Puente's store in one PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pub(crate) writer: PgPool,
    /// The same pool as `writer`: PostgreSQL needs no separate readers; the shared SQL names both.
    pub(crate) reader: PgPool,
    database: String,
    data_directory: PathBuf,
    pub(crate) audit: Arc<AuditState>,
}

/// Where the files that belong to a PostgreSQL database but live outside it are kept:
/// `$PUENTE_DATA_DIR`, else the current directory.
pub fn postgres_data_directory() -> PathBuf {
    std::env::var_os("PUENTE_DATA_DIR")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The URL's server and database, without user or password, for messages.
pub fn describe_postgres_url(options: &PgConnectOptions) -> String {
    format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("postgres")
    )
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/database`) and brings its
    /// schema up to date. The audit key and checkpoints are where `PUENTE_AUDIT_KEY_FILE` and
    /// `PUENTE_AUDIT_CHECKPOINT_FILE` say, else in `$PUENTE_DATA_DIR` (or the current directory),
    /// named after the database: `<database>.audit-key`, `<database>.audit-checkpoints`.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        let options = parse_url(url)?;
        let database = options.get_database().unwrap_or("postgres").to_string();
        let data_directory = postgres_data_directory();
        let files = AuditFiles::from_environment(&data_directory.join(&database));
        PostgresStore::connect_with_audit_files(url, files).await
    }

    /// Connects with the audit key and checkpoints in the given files.
    pub async fn connect_with_audit_files(
        url: &str,
        files: AuditFiles,
    ) -> StoreResult<PostgresStore> {
        let options = parse_url(url)?;
        let described = describe_postgres_url(&options);
        let database = options.get_database().unwrap_or("postgres").to_string();
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|error| StoreError::Unavailable {
                reason: format!("cannot connect to PostgreSQL at {described}: {error}"),
            })?;
        POSTGRES_MIGRATOR.run(&pool).await?;
        let (audit, created) = AuditState::load(files)?;
        let store = PostgresStore {
            writer: pool.clone(),
            reader: pool,
            database,
            data_directory: postgres_data_directory(),
            audit: Arc::new(audit),
        };
        sql::case_search::backfill(&store).await?;
        if created {
            store.checkpoint_now(Some("key_created")).await?;
        }
        Ok(store)
    }

    /// Begins a write transaction. Concurrent writers are kept apart by the conditions of their
    /// updates (`rows_affected`), the unique indexes and the audit head's advisory lock.
    pub(crate) async fn begin_write(
        &self,
    ) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(self.writer.begin().await?)
    }

    /// The database's name.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The same store with the files that belong to its database (`file_beside`) kept in
    /// `directory` instead: a test keeps them in its temporary directory.
    pub fn with_data_directory(mut self, directory: &Path) -> PostgresStore {
        self.data_directory = directory.to_path_buf();
        self
    }

    /// The pool of connections.
    pub fn pool(&self) -> &PgPool {
        &self.writer
    }

    /// A file that belongs to the database but lives outside it: `<data directory>/<database>.<extension>`.
    pub fn file_beside(&self, extension: &str) -> PathBuf {
        self.data_directory
            .join(format!("{}.{extension}", self.database))
    }

    /// Writes a last audit checkpoint when the log changed, then closes the pool.
    pub async fn close(&self) {
        if let Err(error) = self.write_audit_checkpoint().await {
            tracing::warn!(error = %error, "cannot write the audit checkpoint at close");
        }
        self.writer.close().await;
    }
}

fn parse_url(url: &str) -> StoreResult<PgConnectOptions> {
    PgConnectOptions::from_str(url)
        .map_err(|error| StoreError::Invalid(format!("the PostgreSQL URL is not valid: {error}")))
}
