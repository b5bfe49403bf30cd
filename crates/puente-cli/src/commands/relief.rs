//! `puente relief`: glue between the terminal and the pure relief screener.
//!
//! `puente relief --facts FILE|- [--format json|text] [--lang es|en]` reads relief.md's input (the
//! screening person and facts, the relief facts, `married`, `date_of_birth`, `us_arrival` and
//! `as_of`) and prints every option with its status. Today's date (UTC) dates the deadlines when
//! the file has no `as_of`. An unknown code is refused with an error naming it and its line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use puente_core::{Lang, Vocabulary};
use puente_screening::relief::{
    assess_relief, format_date, ReliefInput, ReliefResult, ReliefStatus,
};

/// Screen for the immigration relief and victim protections a survivor may be able to seek. The
/// result is an aid for a case worker and a lawyer, never a legal determination.
#[derive(Debug, clap::Args)]
pub struct ReliefArgs {
    /// A facts file: `{"person": {...}, "facts": [...], "as_of": "YYYY-MM-DD"}` (relief.md). `-`
    /// reads standard input.
    #[arg(long, value_name = "FILE.json", required = true)]
    facts: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Language of explanations and next steps: es or en.
    #[arg(long, default_value = "es", value_parser = parse_lang)]
    lang: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    text.parse()
}

pub fn run(args: ReliefArgs) -> anyhow::Result<ExitCode> {
    let input = read_input(&args.facts)?;
    let today = time::OffsetDateTime::now_utc().date();
    let result = assess_relief(&input, today, args.lang);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => writeln!(out, "{}", result.to_json_pretty())?,
        Format::Text => write!(out, "{}", render_text(&result, args.lang))?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn read_input(path: &Path) -> anyhow::Result<ReliefInput> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("cannot read the facts from standard input")?;
        text
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the facts file {}", path.display()))?
    };
    ReliefInput::from_json(&text)
        .with_context(|| format!("cannot assess relief for {}", path.display()))
}

/// The result, readable in a terminal: the likely options first in the order of relief.md, then
/// the possible ones, then those not indicated in one line each.
fn render_text(result: &ReliefResult, lang: Lang) -> String {
    let es = lang == Lang::Es;
    let t = |es_text: &'static str, en_text: &'static str| if es { es_text } else { en_text };
    let mut text = String::new();
    let mut line = |s: String| {
        text.push_str(&s);
        text.push('\n');
    };
    line(format!(
        "{}: {} ({}: {})",
        t("Protección legal", "Legal protection"),
        result.trafficking.level.label().get(lang),
        t("fecha de cálculo", "as of"),
        format_date(result.as_of)
    ));
    line(String::new());
    for status in [ReliefStatus::Likely, ReliefStatus::Possible] {
        for option in result.options.iter().filter(|o| o.status == status) {
            let marker = if status == ReliefStatus::Likely {
                "!!"
            } else {
                "! "
            };
            line(format!(
                "{marker} {} — {} ({})",
                option.id.label_in(lang),
                option.status.label().get(lang),
                option.id
            ));
            line(format!("   {}", option.explanation));
            if !option.missing.is_empty() {
                line(format!(
                    "   {}: {}",
                    t("Falta", "Missing"),
                    option.missing.join(", ")
                ));
            }
            if let Some(deadline) = &option.deadline {
                let flag = if deadline.passed {
                    t(" [VENCIDO]", " [PASSED]")
                } else {
                    ""
                };
                line(format!("   {}{flag}", deadline.text));
            }
            for (number, step) in option.next_steps.iter().enumerate() {
                line(format!("   {}. {step}", number + 1));
            }
            line(String::new());
        }
    }
    let not_indicated: Vec<_> = result
        .options
        .iter()
        .filter(|o| o.status == ReliefStatus::NotIndicated)
        .collect();
    if !not_indicated.is_empty() {
        line(t("No indicadas", "Not indicated").to_string());
        for option in not_indicated {
            line(format!(
                "   {} ({}): {}: {}",
                option.id.label_in(lang),
                option.id,
                t("lo descarta", "ruled out by"),
                option.blocking.join(", ")
            ));
        }
        line(String::new());
    }
    line(format!(
        "{} {}. {}",
        t("Reglas de protección legal, versión", "Relief rule set version"),
        result.rule_set_version,
        t(
            "Este resultado es una ayuda para quien atiende el caso y su abogada o abogado, nunca una determinación jurídica.",
            "This result is an aid for a case worker and the lawyer they refer to, never a legal determination."
        )
    ));
    text
}
