//! Which backend a deployment uses, chosen by the database's location, and what the command line
//! and the server need of a store beyond its areas ([`StoreControl`]), so that `dyn Store` is
//! enough for them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;

use crate::audit_files::{self, AuditFiles, CheckpointLine};
use crate::{PostgresStore, SqliteStore, Store, StoreResult};

/// Where the store is: a SQLite file, or a PostgreSQL database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl StoreLocation {
    /// A `postgres://` or `postgresql://` URL is PostgreSQL; anything else a SQLite path.
    pub fn parse(text: &str) -> StoreLocation {
        let lower = text.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            StoreLocation::Postgres(text.trim().to_string())
        } else {
            StoreLocation::Sqlite(PathBuf::from(text))
        }
    }

    /// The location for messages: a path, or a URL's server and database without its user or
    /// password.
    pub fn describe(&self) -> String {
        match self {
            StoreLocation::Sqlite(path) => path.display().to_string(),
            StoreLocation::Postgres(url) => {
                use std::str::FromStr;
                match sqlx::postgres::PgConnectOptions::from_str(url) {
                    Ok(options) => format!(
                        "postgres://{}",
                        crate::postgres::describe_postgres_url(&options)
                    ),
                    Err(_) => "a PostgreSQL URL that is not valid".to_string(),
                }
            }
        }
    }
}

/// Opens the store at `location`: the SQLite file (created when absent) or the PostgreSQL
/// database, its schema brought up to date either way.
pub async fn open_store(location: &StoreLocation) -> StoreResult<Arc<dyn Store>> {
    Ok(match location {
        StoreLocation::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        StoreLocation::Postgres(url) => Arc::new(PostgresStore::connect(url).await?),
    })
}

/// What the command line and the server need of a store beyond its areas.
#[async_trait]
pub trait StoreControl: Send + Sync {
    /// Writes a last audit checkpoint when the log changed, then closes the connections.
    async fn close(&self);
    /// Where the audit key and the checkpoints are kept.
    fn audit_files(&self) -> &AuditFiles;
    /// Every line of the checkpoint file.
    fn audit_checkpoints(&self) -> StoreResult<Vec<CheckpointLine>> {
        audit_files::read_checkpoints(&self.audit_files().checkpoint_file)
    }
    /// A file that belongs to the database but is kept outside it (another key file), named
    /// after the database with `extension`.
    fn file_beside(&self, extension: &str) -> PathBuf;
    /// `sqlite` or `postgres`.
    fn backend_name(&self) -> &'static str;
}

#[async_trait]
impl StoreControl for SqliteStore {
    async fn close(&self) {
        SqliteStore::close(self).await
    }
    fn audit_files(&self) -> &AuditFiles {
        SqliteStore::audit_files(self)
    }
    fn file_beside(&self, extension: &str) -> PathBuf {
        Path::new(self.path()).with_extension(extension)
    }
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

#[async_trait]
impl StoreControl for PostgresStore {
    async fn close(&self) {
        PostgresStore::close(self).await
    }
    fn audit_files(&self) -> &AuditFiles {
        PostgresStore::audit_files(self)
    }
    fn file_beside(&self, extension: &str) -> PathBuf {
        PostgresStore::file_beside(self, extension)
    }
    fn backend_name(&self) -> &'static str {
        "postgres"
    }
}
