//! `puente audit verify`: recomputes the audit log's hash chain.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use puente_store::{AuditStore, SqliteStore};

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was changed or removed behind the application's back. Exits 1
    /// (and names the first broken entry) when the chain is broken.
    Verify,
}

pub fn run(db: Option<PathBuf>, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let path = super::database_path(db)?;
    let runtime = super::runtime()?;
    match command {
        AuditCommand::Verify => runtime.block_on(async {
            let store = SqliteStore::open(&path)
                .await
                .with_context(|| format!("cannot open the database {}", path.display()))?;
            let report = store.verify_audit_chain().await.context("cannot read the audit log")?;
            store.close().await;
            match report.first_broken {
                None => {
                    println!("The audit log is intact: {} entries, hash chain verified.", report.entries);
                    Ok(ExitCode::SUCCESS)
                }
                Some(entry) => {
                    println!(
                        "The audit log is BROKEN at entry {entry} (of {} entries): it was changed, removed or reordered outside Puente.",
                        report.entries
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }),
    }
}
