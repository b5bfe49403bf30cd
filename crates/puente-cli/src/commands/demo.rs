//! `puente demo-data`.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct DemoDataArgs {}

pub fn run(_db: Option<PathBuf>, _args: DemoDataArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
