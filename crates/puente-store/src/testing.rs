//! One way for tests to open a fresh store on either backend: SQLite in a temporary directory, or,
//! when `PUENTE_TEST_DATABASE_URL` names a PostgreSQL server, a new database of a unique name on
//! it. Only with the `testing` feature (a dev-dependency feature of the crates that test stores).

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sqlx::Connection;

use crate::audit_files::AuditFiles;
use crate::{PostgresStore, SqliteStore, Store, StoreError, StoreResult};

/// The variable naming the PostgreSQL server tests run on; unset, they run on SQLite.
pub const TEST_DATABASE_URL_VARIABLE: &str = "PUENTE_TEST_DATABASE_URL";

/// A fresh store for one test, removed with its files when dropped (a PostgreSQL test database is
/// left for the throwaway cluster to take away).
pub struct TestStore {
    store: Arc<dyn Store>,
    sqlite: Option<SqliteStore>,
    postgres: Option<PostgresStore>,
    /// The PostgreSQL test database's URL.
    url: Option<String>,
    directory: tempfile::TempDir,
}

impl Deref for TestStore {
    type Target = dyn Store;
    fn deref(&self) -> &(dyn Store + 'static) {
        self.store.as_ref()
    }
}

static DATABASES: AtomicU64 = AtomicU64::new(0);

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|at| at + 3).unwrap_or(0);
    let host_end = base[after_scheme..]
        .find('/')
        .map(|at| at + after_scheme)
        .unwrap_or(base.len());
    let mut out = format!("{}/{database}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl TestStore {
    /// A fresh, empty store (migrated) on the backend the environment chooses.
    pub async fn open() -> TestStore {
        let directory = tempfile::tempdir().expect("a temporary directory");
        match std::env::var(TEST_DATABASE_URL_VARIABLE) {
            Ok(url) if !url.is_empty() => {
                let name = format!(
                    "puente_test_{}_{}_{}",
                    std::process::id(),
                    DATABASES.fetch_add(1, Ordering::Relaxed),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|elapsed| elapsed.subsec_nanos())
                        .unwrap_or(0)
                );
                let mut server = sqlx::PgConnection::connect(&url)
                    .await
                    .expect("the PostgreSQL server of PUENTE_TEST_DATABASE_URL answers");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut server)
                    .await
                    .expect("a test database can be created");
                server.close().await.ok();
                let files = AuditFiles::beside(&directory.path().join(&name));
                let url = with_database(&url, &name);
                let store = PostgresStore::connect_with_audit_files(&url, files)
                    .await
                    .expect("the test database opens")
                    .with_data_directory(directory.path());
                TestStore {
                    store: Arc::new(store.clone()),
                    sqlite: None,
                    postgres: Some(store),
                    url: Some(url),
                    directory,
                }
            }
            _ => {
                let path = directory.path().join("test.db");
                let store = SqliteStore::open_with_audit_files(&path, AuditFiles::beside(&path))
                    .await
                    .expect("the test database opens");
                TestStore {
                    store: Arc::new(store.clone()),
                    sqlite: Some(store),
                    postgres: None,
                    url: None,
                    directory,
                }
            }
        }
    }

    /// The store, to share (with a server, or tasks).
    pub fn shared(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The SQLite store, when the test runs on SQLite.
    pub fn sqlite(&self) -> Option<&SqliteStore> {
        self.sqlite.as_ref()
    }

    /// The PostgreSQL store, when the test runs on PostgreSQL.
    pub fn postgres(&self) -> Option<&PostgresStore> {
        self.postgres.as_ref()
    }

    /// The temporary directory the test's files are in.
    pub fn directory(&self) -> &std::path::Path {
        self.directory.path()
    }

    /// Another store on the same database, with its own connections, as a second process would
    /// open it.
    pub async fn another_process(&self) -> Arc<dyn Store> {
        self.open_again().await.expect("the database opens again")
    }

    /// Opens the same database again (with the same audit files), or says why it cannot: for
    /// tests of what opening checks.
    pub async fn open_again(&self) -> StoreResult<Arc<dyn Store>> {
        Ok(match (&self.sqlite, &self.postgres, &self.url) {
            (Some(store), _, _) => Arc::new(
                SqliteStore::open_with_audit_files(store.path(), store.audit_files().clone())
                    .await?,
            ),
            (None, Some(store), Some(url)) => Arc::new(
                PostgresStore::connect_with_audit_files(url, store.audit_files().clone())
                    .await?
                    .with_data_directory(self.directory.path()),
            ),
            _ => unreachable!("a test store is on one backend"),
        })
    }

    /// Reads rows behind the store's back, on either backend (`T` is a tuple of the columns).
    pub async fn fetch_behind_the_store<T>(&self, sql: &str) -> Vec<T>
    where
        T: for<'row> sqlx::FromRow<'row, sqlx::sqlite::SqliteRow>
            + for<'row> sqlx::FromRow<'row, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let rows = match (&self.sqlite, &self.postgres) {
            (Some(store), _) => {
                sqlx::query_as::<sqlx::Sqlite, T>(sql)
                    .fetch_all(store.reader())
                    .await
            }
            (None, Some(store)) => {
                sqlx::query_as::<sqlx::Postgres, T>(sql)
                    .fetch_all(store.pool())
                    .await
            }
            (None, None) => unreachable!("a test store is on one backend"),
        };
        rows.unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// Runs SQL behind the store's back and returns the database's refusal as the store would
    /// report it (a [`StoreError::Constraint`] naming the rule, for instance).
    pub async fn refusal_behind_the_store(&self, sql: &str) -> Option<StoreError> {
        let done = match (&self.sqlite, &self.postgres) {
            (Some(store), _) => sqlx::query(sql).execute(store.writer()).await.map(drop),
            (None, Some(store)) => sqlx::query(sql).execute(store.pool()).await.map(drop),
            (None, None) => unreachable!("a test store is on one backend"),
        };
        done.err().map(StoreError::from)
    }

    /// Runs SQL behind the store's back (as someone with direct access to the database would), on
    /// either backend: for tests that tamper with the audit log. Returns the rows it changed, or
    /// the database's refusal.
    pub async fn execute_behind_the_store(&self, sql: &str) -> Result<u64, String> {
        let done = match (&self.sqlite, &self.postgres) {
            (Some(store), _) => sqlx::query(sql)
                .execute(store.writer())
                .await
                .map(|done| done.rows_affected()),
            (None, Some(store)) => sqlx::query(sql)
                .execute(store.pool())
                .await
                .map(|done| done.rows_affected()),
            (None, None) => unreachable!("a test store is on one backend"),
        };
        done.map_err(|error| error.to_string())
    }

    /// Removes the triggers that refuse edits and deletions of audit entries, as someone with
    /// direct access to the database could.
    pub async fn drop_audit_guards(&self) {
        let statements: &[&str] = if self.sqlite.is_some() {
            &[
                "DROP TRIGGER audit_log_no_update",
                "DROP TRIGGER audit_log_no_delete",
            ]
        } else {
            &["ALTER TABLE audit_log DISABLE TRIGGER USER"]
        };
        for statement in statements {
            self.execute_behind_the_store(statement)
                .await
                .expect("the guard can be dropped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5433/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5433/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "t3"), "postgres://h:1/t3");
    }
}
