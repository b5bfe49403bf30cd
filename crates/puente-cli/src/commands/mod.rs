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

use anyhow::Context;

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

/// A current-thread Tokio runtime for the commands that talk to the store.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
