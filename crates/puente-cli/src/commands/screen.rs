//! `puente screen` (issue 3): owned by the screening work.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ScreenArgs {}

pub fn run(_args: ScreenArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`puente screen` is not built yet")
}
