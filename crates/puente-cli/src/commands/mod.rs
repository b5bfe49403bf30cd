//! One module per top-level command. Each exposes its clap arguments and a `run`-style function that
//! returns the process exit code.

pub mod audit;
pub mod ctdc;
pub mod demo;
pub mod link;
pub mod pprl;
pub mod publish;
mod publish_report;
pub mod relief;
pub mod report;
pub mod screen;
pub mod serve;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use puente_store::{Store, StoreLocation};

/// Logs go to standard error, filtered by `RUST_LOG` (default: warnings). Logs never carry identifying data.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The database path: `--db`, else `$PUENTE_DB` (both handled by clap), else `puente.db` in the
/// user's data directory.
pub fn database_path(db: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(path) = db {
        return Ok(path);
    }
    let dirs = directories::ProjectDirs::from("org", "Puente", "puente")
        .context("cannot find the user's data directory; pass --db PATH or set PUENTE_DB")?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir.join("puente.db"))
}

/// Where the store is: `--db` or `$PUENTE_DB` as a `postgres://` URL or a SQLite path, else
/// `puente.db` in the user's data directory.
pub fn store_location(db: Option<PathBuf>) -> anyhow::Result<puente_store::StoreLocation> {
    let path = database_path(db)?;
    Ok(puente_store::StoreLocation::parse(&path.to_string_lossy()))
}

/// How long a PostgreSQL server has to accept the connection before the command gives up.
const POSTGRES_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Opens the store at `location` (created or migrated as needed). A PostgreSQL server that does
/// not accept a connection within a few seconds is one clear error naming its server and database
/// (never its password), not a long wait.
pub async fn open_store(location: &StoreLocation) -> anyhow::Result<Arc<dyn Store>> {
    if let StoreLocation::Postgres(url) = location {
        check_postgres_answers(url, location).await?;
    }
    puente_store::open_store(location)
        .await
        .with_context(|| format!("cannot open the database {}", location.describe()))
}

/// Connects to the PostgreSQL server's port (a socket path is left to the driver) and fails
/// within [`POSTGRES_CONNECT_TIMEOUT`] when nothing answers there.
async fn check_postgres_answers(url: &str, location: &StoreLocation) -> anyhow::Result<()> {
    use std::str::FromStr;
    let Ok(options) = sqlx::postgres::PgConnectOptions::from_str(url) else {
        // The store reports the URL that is not valid.
        return Ok(());
    };
    let host = options.get_host().to_string();
    if host.starts_with('/') {
        return Ok(());
    }
    let address = (
        host.trim_start_matches('[').trim_end_matches(']'),
        options.get_port(),
    );
    let refusal = match tokio::time::timeout(
        POSTGRES_CONNECT_TIMEOUT,
        tokio::net::TcpStream::connect(address),
    )
    .await
    {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(error)) => error.to_string(),
        Err(_) => format!(
            "no answer within {} seconds",
            POSTGRES_CONNECT_TIMEOUT.as_secs()
        ),
    };
    anyhow::bail!(
        "cannot open the database {}: the PostgreSQL server does not answer ({refusal}); nothing was changed",
        location.describe()
    )
}

/// Opens the store of `--db`/`$PUENTE_DB` on a new runtime, for the commands that run their
/// steps one by one on it.
pub fn open_store_blocking(
    db: Option<PathBuf>,
) -> anyhow::Result<(tokio::runtime::Runtime, Arc<dyn Store>)> {
    let location = store_location(db)?;
    let runtime = runtime()?;
    let store = runtime.block_on(open_store(&location))?;
    Ok((runtime, store))
}

/// A current-thread Tokio runtime for the commands that talk to the store.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
