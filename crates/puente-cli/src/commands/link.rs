//! `puente link` (issue 6): owned by the linkage work.

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum LinkCommand {}

pub fn run(command: LinkCommand) -> anyhow::Result<ExitCode> {
    match command {}
}
