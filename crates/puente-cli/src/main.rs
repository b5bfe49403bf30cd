//! The `puente` binary. Glue only: it parses the command line, opens the store and calls the crates.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Puente: case management, screening, referral and record linkage for counter-trafficking work.
///
/// Exit codes: 0 success; 1 an error (bad input, a failed import: nothing was changed); 2 a usage
/// error (unknown option or missing argument).
#[derive(Debug, Parser)]
#[command(
    name = "puente",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Exit codes: 0 success; 1 error (bad input, a failed import or request: nothing was changed); 2 usage error.\nCódigos de salida: 0 éxito; 1 error (datos no válidos, importación o solicitud fallida: nada cambió); 2 error de uso."
)]
struct Cli {
    /// The SQLite database file. Defaults to `$PUENTE_DB`, else `puente.db` in the user's data directory.
    #[arg(long, global = true, env = "PUENTE_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import a data set into the database.
    #[command(subcommand)]
    Import(commands::ctdc::ImportCommand),
    /// Export a data set from the database.
    #[command(subcommand)]
    Export(commands::ctdc::ExportCommand),
    /// Print statistics of a data set in the database.
    #[command(subcommand)]
    Stats(commands::ctdc::StatsCommand),
    /// Fill the database with synthetic, realistic demo cases (never real people).
    DemoData(commands::demo::DemoDataArgs),
    /// Screen a person for indicators of trafficking, smuggling and related harms.
    Screen(commands::screen::ScreenArgs),
    /// Reports: the annual report of the Trafficking in Persons data call.
    #[command(subcommand)]
    Report(commands::report::ReportCommand),
    /// Screen for the immigration relief and victim protections a survivor may seek.
    Relief(commands::relief::ReliefArgs),
    /// Find the same person across records (entity resolution).
    #[command(subcommand)]
    Link(commands::link::LinkCommand),
    /// Privacy-preserving record linkage: encode records as CLKs, match CLK files.
    #[command(subcommand)]
    Pprl(commands::pprl::PprlCommand),
    /// Serve the web application and the JSON API.
    Serve(commands::serve::ServeArgs),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// Publish a data set safely: differentially private synthetic microdata or a k-anonymised release.
    #[command(subcommand)]
    Publish(commands::publish::PublishCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::init_tracing();
    let result = match cli.command {
        Command::Import(command) => commands::ctdc::import(cli.db, command),
        Command::Export(command) => commands::ctdc::export(cli.db, command),
        Command::Stats(command) => commands::ctdc::stats(cli.db, command),
        Command::DemoData(args) => commands::demo::run(cli.db, args),
        Command::Screen(args) => commands::screen::run(args),
        Command::Report(command) => commands::report::run(cli.db, command),
        Command::Relief(args) => commands::relief::run(args),
        Command::Link(command) => commands::link::run(command),
        Command::Pprl(command) => commands::pprl::run(command),
        Command::Serve(args) => commands::serve::run(cli.db, args),
        Command::Audit(command) => commands::audit::run(cli.db, command),
        Command::Publish(command) => commands::publish::run(cli.db, command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
