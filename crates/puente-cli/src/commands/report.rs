//! `puente report annual --year YYYY [--format csv|json|html] [--lang es|en] [--org SLUG]`: the
//! annual report, the figures of the yearly Trafficking in Persons data call (victims identified
//! by sex, age group, nationality and type of exploitation; screened; referred; relief sought and
//! granted by type; reports to authorities; prosecutions; convictions). Every count is published
//! through `puente-disclosure` (`puente_store::publish_annual_report`): a count under 3 is never
//! shown, nor one that could be derived from the totals. Running it is audited as an export.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use puente_core::Lang;
use puente_disclosure::SUPPRESSION_NOTE;
use puente_store::{publish_annual_report, Actor, NewAuditEntry, PublishedAnnualReport};

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// The annual report of one calendar year, every count through the disclosure rules.
    Annual(AnnualArgs),
}

#[derive(Debug, clap::Args)]
pub struct AnnualArgs {
    /// The calendar year, four digits.
    #[arg(long, value_name = "YYYY", value_parser = parse_year)]
    year: i32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Language of the labels: es or en.
    #[arg(long, default_value = "es", value_parser = parse_lang)]
    lang: Lang,
    /// One organisation (slug); every organisation of the database when absent.
    #[arg(long, value_name = "SLUG")]
    org: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Csv,
    Json,
    Html,
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    text.parse()
}

fn parse_year(text: &str) -> Result<i32, String> {
    let trimmed = text.trim();
    if trimmed.len() == 4 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        trimmed
            .parse()
            .map_err(|_| format!("`{text}` is not a year (YYYY)"))
    } else {
        Err(format!("`{text}` is not a year of four digits (YYYY)"))
    }
}

pub fn run(db: Option<PathBuf>, command: ReportCommand) -> anyhow::Result<ExitCode> {
    let ReportCommand::Annual(args) = command;
    let (runtime, store) = super::open_store_blocking(db)?;
    let actor = Actor::command_line();
    let report = runtime.block_on(async {
        let organisation = match &args.org {
            Some(slug) => Some(
                store
                    .organisation_by_slug(slug)
                    .await?
                    .with_context(|| format!("--org: there is no organisation `{slug}`"))?,
            ),
            None => None,
        };
        let organisation_id = organisation.as_ref().map(|o| o.id);
        let counts = store.annual_counts(organisation_id, args.year).await?;
        let report = publish_annual_report(&counts);
        store
            .record_audit(NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id,
                action: puente_store::AuditAction::Export,
                record_type: puente_store::RecordType::AnnualReport,
                record_id: Some(args.year.to_string()),
                case_id: None,
                detail: format!(
                    "annual report {} ({})",
                    args.year,
                    args.org.as_deref().unwrap_or("all organisations")
                ),
            })
            .await?;
        anyhow::Ok(report)
    })?;
    runtime.block_on(store.close());
    let text = match args.format {
        Format::Csv => to_csv(&report, args.lang),
        Format::Json => to_json(&report, args.lang),
        Format::Html => to_html(&report, args.lang),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// `section,value,label,count`, one line per count (`<3` for a hidden one), then each section's
/// total as `section,total,<label>,count`.
fn to_csv(report: &PublishedAnnualReport, lang: Lang) -> String {
    let mut csv = String::from("year,section,value,label,count\n");
    let total_word = match lang {
        Lang::Es => "Total",
        Lang::En => "Total",
    };
    for section in &report.sections {
        for line in &section.lines {
            csv.push_str(&format!(
                "{},{},{},{},{}\n",
                report.year,
                section.id,
                csv_field(&line.value),
                csv_field(line.label.get(lang)),
                line.count.display()
            ));
        }
        if let Some(total) = section.total {
            csv.push_str(&format!(
                "{},{},total,{},{}\n",
                report.year,
                section.id,
                total_word,
                total.display()
            ));
        }
    }
    csv
}

fn to_json(report: &PublishedAnnualReport, lang: Lang) -> String {
    let count = |published: puente_disclosure::Published| {
        let mut object = serde_json::Map::new();
        object.insert("count".into(), serde_json::json!(published));
        if published.is_suppressed() {
            object.insert("suppressed".into(), true.into());
        }
        object
    };
    let sections: Vec<serde_json::Value> = report
        .sections
        .iter()
        .map(|section| {
            let lines: Vec<serde_json::Value> = section
                .lines
                .iter()
                .map(|line| {
                    let mut object = serde_json::Map::new();
                    object.insert("value".into(), line.value.clone().into());
                    object.insert("label".into(), line.label.get(lang).into());
                    object.extend(count(line.count));
                    serde_json::Value::Object(object)
                })
                .collect();
            let mut object = serde_json::Map::new();
            object.insert("id".into(), section.id.into());
            object.insert("label".into(), section.label.get(lang).into());
            object.insert("overlapping".into(), section.overlapping.into());
            object.insert("lines".into(), lines.into());
            if let Some(total) = section.total {
                object.insert("total".into(), serde_json::Value::Object(count(total)));
            }
            serde_json::Value::Object(object)
        })
        .collect();
    let json = serde_json::json!({
        "year": report.year,
        "sections": sections,
        "note": SUPPRESSION_NOTE.get(lang),
    });
    let mut text = serde_json::to_string_pretty(&json).expect("the report always serialises");
    text.push('\n');
    text
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn to_html(report: &PublishedAnnualReport, lang: Lang) -> String {
    let (title, count_word, total_word, overlap_note) = match lang {
        Lang::Es => (
            "Informe anual",
            "Número",
            "Total",
            "Una misma persona o caso puede contarse en varias filas: las filas no suman el total.",
        ),
        Lang::En => (
            "Annual report",
            "Count",
            "Total",
            "One person or case may be counted on several lines: the lines do not add up to the total.",
        ),
    };
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} {year}</title>\n\
         <style>body{{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse;margin-bottom:1.5rem;width:100%}}\
         th,td{{border:1px solid #999;padding:.3rem .6rem;text-align:left}}td.count{{text-align:right}}</style>\n\
         </head>\n<body>\n<h1>{title} {year}</h1>\n",
        lang.tag(),
        year = report.year
    );
    for section in &report.sections {
        html.push_str(&format!(
            "<h2 id=\"{}\">{}</h2>\n<table>\n<thead><tr><th scope=\"col\"></th><th scope=\"col\">{count_word}</th></tr></thead>\n<tbody>\n",
            section.id,
            html_escape(section.label.get(lang))
        ));
        for line in &section.lines {
            html.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td class=\"count\">{}</td></tr>\n",
                html_escape(line.label.get(lang)),
                html_escape(&line.count.display())
            ));
        }
        html.push_str("</tbody>\n");
        if let Some(total) = section.total {
            html.push_str(&format!(
                "<tfoot><tr><th scope=\"row\">{total_word}</th><td class=\"count\">{}</td></tr></tfoot>\n",
                html_escape(&total.display())
            ));
        }
        html.push_str("</table>\n");
        if section.overlapping && section.total.is_some() {
            html.push_str(&format!("<p>{overlap_note}</p>\n"));
        }
    }
    html.push_str(&format!(
        "<p>{}</p>\n</body>\n</html>\n",
        html_escape(SUPPRESSION_NOTE.get(lang))
    ));
    html
}
