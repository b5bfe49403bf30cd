//! `puente import|export|stats ctdc`.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {}
#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {}
#[derive(Debug, clap::Subcommand)]
pub enum StatsCommand {}

pub fn import(_db: Option<PathBuf>, command: ImportCommand) -> anyhow::Result<ExitCode> {
    match command {}
}
pub fn export(_db: Option<PathBuf>, command: ExportCommand) -> anyhow::Result<ExitCode> {
    match command {}
}
pub fn stats(_db: Option<PathBuf>, command: StatsCommand) -> anyhow::Result<ExitCode> {
    match command {}
}
