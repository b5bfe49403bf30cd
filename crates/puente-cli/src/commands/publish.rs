//! `puente publish synthetic`: differentially private synthetic microdata (or a k-anonymised
//! release) of Puente's own cases or of an imported CTDC dataset, with a report page.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::ValueEnum;
use puente_core::country::Country;
use puente_core::ctdc::from_cases::{case_release_row, case_variables};
use puente_core::ctdc::releases::GLOBAL_SYNTHETIC_COLUMNS;
use puente_core::ctdc::Cell;
use puente_store::{Actor, Store};
use puente_synthesis::evaluate::evaluate;
use puente_synthesis::k_anonymity::{k_anonymise, KAnonymityReport};
use puente_synthesis::marginals::MarginalsReport;
use puente_synthesis::{synthesize, Microdata, SynthesisParameters};
use rand::RngCore;

use super::publish_report::{write_report, ReportInput};

#[derive(Debug, clap::Subcommand)]
pub enum PublishCommand {
    /// Publish synthetic microdata with differential privacy (DP marginals up to the reporting
    /// length, measured with an exact discrete Gaussian, then records fitted to them), or a
    /// k-anonymised release with `--mode k-anon`. Nothing is written when anything is wrong.
    Synthetic(PublishSyntheticArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PublishSource {
    /// The organisation's own cases (`--org SLUG`), as the CTDC variables of the 2024 Global
    /// Synthetic Dataset that a case records (all but traffickMonths), and majorityStatus.
    Cases,
    /// An imported CTDC dataset (`--dataset NAME` when several are stored).
    Ctdc,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum PublishFormat {
    /// The chosen columns, values coded as in the input (flags `1` or empty).
    #[default]
    Csv,
    /// The 27 variables of the 2024 Global Synthetic Dataset codebook, in its order.
    #[value(name = "ctdc-2024")]
    Ctdc2024,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum PublishMode {
    /// Differentially private synthetic records.
    #[default]
    Dp,
    /// The records themselves, values suppressed until every combination is shared by k records.
    #[value(name = "k-anon")]
    KAnon,
}

#[derive(Debug, clap::Args)]
pub struct PublishSyntheticArgs {
    #[arg(long, value_enum)]
    pub from: PublishSource,
    /// The columns to publish, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        required = true,
        value_name = "COL[,COL...]"
    )]
    pub columns: Vec<String>,
    /// The privacy loss epsilon (required with `--mode dp`, the default).
    #[arg(long, allow_negative_numbers = true)]
    pub epsilon: Option<f64>,
    /// The delta (default 1 / (n ln n) for n records).
    #[arg(long, allow_negative_numbers = true)]
    pub delta: Option<f64>,
    /// The longest combinations of columns whose counts are measured.
    #[arg(long, default_value_t = 3)]
    pub reporting_length: usize,
    #[arg(long, value_enum, default_value_t)]
    pub format: PublishFormat,
    /// The CSV file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write a report page (HTML with SVG charts) for the publisher.
    #[arg(long, value_name = "REPORT.html")]
    pub report: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub mode: PublishMode,
    /// The k of `--mode k-anon`.
    #[arg(long, default_value_t = 11)]
    pub k: usize,
    /// The CTDC dataset (with `--from ctdc`), when several are stored.
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
    /// The organisation whose cases are published (with `--from cases`).
    #[arg(long, value_name = "SLUG")]
    pub org: Option<String>,
}

/// The data to publish from, with the name of its source for the report.
struct SourceData {
    name: String,
    data: Microdata,
}

pub fn run(db: Option<PathBuf>, command: PublishCommand) -> anyhow::Result<ExitCode> {
    let PublishCommand::Synthetic(args) = command;
    let started = Instant::now();
    // Parameters first: nothing is read or written for a bad one.
    if args.mode == PublishMode::Dp {
        match args.epsilon {
            None => bail!("--epsilon: required for a differentially private release (or use --mode k-anon --k 11)"),
            Some(epsilon) if !(epsilon.is_finite() && epsilon > 0.0) => {
                bail!("--epsilon: must be a positive number, not {epsilon}; nothing was published")
            }
            Some(_) => {}
        }
        if let Some(delta) = args.delta {
            if !(delta > 0.0 && delta < 1.0) {
                bail!("--delta: must be between 0 and 1 (exclusive), not {delta}; nothing was published");
            }
        }
        if !(1..=4).contains(&args.reporting_length) {
            bail!(
                "--reporting-length: must be from 1 to 4, not {}; nothing was published",
                args.reporting_length
            );
        }
    }
    if args.mode == PublishMode::KAnon && args.k < 2 {
        bail!(
            "--k: must be at least 2, not {}; nothing was published",
            args.k
        );
    }

    let (runtime, store) = super::open_store_blocking(db)?;
    let source = runtime.block_on(load_source(store.as_ref(), &args));
    runtime.block_on(store.close());
    let source = source?;
    let read_time = started.elapsed();

    let synthesis_started = Instant::now();
    let (published, privacy) = match args.mode {
        PublishMode::Dp => {
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            let parameters = SynthesisParameters {
                epsilon: args.epsilon.unwrap_or_default(),
                delta: args.delta,
                reporting_length: args.reporting_length,
                seed,
            };
            let synthesis = synthesize(&source.data, &parameters)
                .map_err(|error| anyhow::anyhow!("{error}; nothing was published"))?;
            (synthesis.data, Privacy::Dp(synthesis.marginals))
        }
        PublishMode::KAnon => {
            let released = k_anonymise(&source.data, args.k)
                .map_err(|error| anyhow::anyhow!("{error}; nothing was published"))?;
            (released.data, Privacy::KAnon(released.report))
        }
    };
    let synthesis_time = synthesis_started.elapsed();

    let output = match args.format {
        PublishFormat::Csv => published.clone(),
        PublishFormat::Ctdc2024 => to_ctdc_2024(&published),
    };
    let evaluation = match &args.report {
        Some(_) => Some(
            evaluate(&source.data, &published, args.reporting_length.clamp(1, 3))
                .map_err(|error| anyhow::anyhow!("{error}"))?,
        ),
        None => None,
    };
    let report_html = evaluation.as_ref().map(|evaluation| {
        write_report(&ReportInput {
            source: &source.name,
            columns: &source.data.columns,
            records: source.data.rows.len(),
            published_records: published.rows.len(),
            mode: match &privacy {
                Privacy::Dp(report) => super::publish_report::ReportMode::Dp(report),
                Privacy::KAnon(report) => super::publish_report::ReportMode::KAnon(report),
            },
            evaluation,
        })
    });
    // Everything is ready: write the files (each to a temporary file renamed at the end).
    let mut csv_bytes = Vec::new();
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(&mut csv_bytes);
        writer.write_record(&output.columns)?;
        for row in &output.rows {
            writer.write_record(row)?;
        }
        writer.flush()?;
    }
    let mut pending = vec![(args.out.clone(), csv_bytes)];
    if let (Some(path), Some(html)) = (&args.report, report_html) {
        pending.push((path.clone(), html.into_bytes()));
    }
    let temporaries = pending
        .iter()
        .map(|(path, bytes)| write_temporary(path, bytes))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for ((path, _), temporary) in pending.iter().zip(temporaries) {
        temporary
            .persist(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "Published {} {} records of {} ({} columns) to {} in {:.2?} (read {:.2?}, {} {:.2?}).",
        published.rows.len(),
        match args.mode {
            PublishMode::Dp => "synthetic",
            PublishMode::KAnon => "k-anonymised",
        },
        source.name,
        source.data.columns.len(),
        args.out.display(),
        started.elapsed(),
        read_time,
        match args.mode {
            PublishMode::Dp => "synthesis",
            PublishMode::KAnon => "anonymisation",
        },
        synthesis_time,
    );
    match &privacy {
        Privacy::Dp(report) => println!(
            "Privacy: epsilon {:.3}, delta {:.3e} (rho {:.4}, zCDP), reporting length {}.",
            report.epsilon, report.delta, report.rho, report.reporting_length
        ),
        Privacy::KAnon(report) => println!(
            "k = {}: {} values suppressed, {} records left out.",
            report.k, report.suppressed_values, report.removed_records
        ),
    }
    if let Some(evaluation) = &evaluation {
        let means: Vec<String> = evaluation
            .lengths
            .iter()
            .map(|length| format!("{}-way {:.4}", length.length, length.mean_tvd))
            .collect();
        println!("Mean TVD: {}.", means.join(", "));
    }
    if let Some(path) = &args.report {
        println!("Report: {}.", path.display());
    }
    let _ = std::io::stdout().flush();
    Ok(ExitCode::SUCCESS)
}

enum Privacy {
    Dp(MarginalsReport),
    KAnon(KAnonymityReport),
}

fn write_temporary(path: &Path, bytes: &[u8]) -> anyhow::Result<tempfile::NamedTempFile> {
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(directory)
        .with_context(|| format!("cannot write in {}", directory.display()))?;
    temporary
        .write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(temporary)
}

/// The chosen columns of the chosen source, checked.
async fn load_source(store: &dyn Store, args: &PublishSyntheticArgs) -> anyhow::Result<SourceData> {
    let source = match args.from {
        PublishSource::Ctdc => {
            let datasets = store.ctdc_datasets().await?;
            let dataset = super::ctdc::choose_dataset(&datasets, args.dataset.as_deref())?
                .context(
                "--from ctdc: no CTDC dataset is stored; import one with `puente import ctdc FILE`",
            )?;
            let positions = choose_columns(&args.columns, &dataset.columns, &dataset.name)?;
            let rows = if dataset.is_global() {
                let mut rows = Vec::new();
                store
                    .export_ctdc(&Actor::command_line(), &dataset.name, &mut |page| {
                        for record in page {
                            rows.push(
                                positions
                                    .iter()
                                    .map(|position| {
                                        global_cell_text(record.cells[*position].as_ref())
                                    })
                                    .collect(),
                            );
                        }
                        Ok(())
                    })
                    .await?;
                rows
            } else {
                store
                    .ctdc_dataset_rows(&dataset.name)
                    .await?
                    .into_iter()
                    .map(|row| {
                        positions
                            .iter()
                            .map(|position| {
                                row.get(*position).cloned().flatten().unwrap_or_default()
                            })
                            .collect()
                    })
                    .collect()
            };
            SourceData {
                name: format!("CTDC dataset `{}`", dataset.name),
                data: Microdata {
                    columns: positions
                        .iter()
                        .map(|p| dataset.columns[*p].clone())
                        .collect(),
                    rows,
                },
            }
        }
        PublishSource::Cases => {
            let slug = args
                .org
                .as_deref()
                .context("--from cases: name the organisation with --org SLUG")?;
            let organisation = store
                .organisation_by_slug(slug)
                .await?
                .with_context(|| format!("--org: no organisation `{slug}`"))?;
            let available: Vec<String> = case_variables().iter().map(|c| c.to_string()).collect();
            let positions = choose_columns(&args.columns, &available, "cases")?;
            let rows: Vec<Vec<String>> = store
                .cases_for_release(organisation.id)
                .await?
                .iter()
                .map(|case| {
                    let values = case_release_row(case);
                    positions.iter().map(|p| values[*p].clone()).collect()
                })
                .collect();
            SourceData {
                name: format!("the cases of `{slug}`"),
                data: Microdata {
                    columns: positions.iter().map(|p| available[*p].clone()).collect(),
                    rows,
                },
            }
        }
    };
    if source.data.rows.is_empty() {
        bail!(
            "{} has no records to publish; nothing was published",
            source.name
        );
    }
    Ok(source)
}

/// The positions of the chosen columns, or an error naming the unknown one and the columns there are.
fn choose_columns(
    chosen: &[String],
    available: &[String],
    source: &str,
) -> anyhow::Result<Vec<usize>> {
    let mut positions = Vec::new();
    for name in chosen {
        let Some(position) = available
            .iter()
            .position(|column| column.eq_ignore_ascii_case(name.trim()))
        else {
            bail!(
                "--columns: `{name}` is not a column of {source}; its columns are: {}; nothing was published",
                available.join(", ")
            );
        };
        if positions.contains(&position) {
            bail!("--columns: `{name}` is named twice; nothing was published");
        }
        positions.push(position);
    }
    Ok(positions)
}

/// A Global Dataset cell as published: flags `1` or empty (a 0 is the same as empty).
fn global_cell_text(cell: Option<&Cell>) -> String {
    match cell {
        None | Some(Cell::Flag(false)) => String::new(),
        Some(cell) => cell.to_csv_text(),
    }
}

/// The 2024 Global Synthetic Dataset's variables from the columns published: same-named columns
/// as they are, genders and countries in the codebook's spelling, and each merged means variable
/// set when any of its Global Dataset columns is. Variables none of whose columns were published
/// are empty.
fn to_ctdc_2024(data: &Microdata) -> Microdata {
    let position: HashMap<String, usize> = data
        .columns
        .iter()
        .enumerate()
        .map(|(index, name)| (name.to_ascii_lowercase(), index))
        .collect();
    let merged: HashMap<&str, Vec<&str>> = HashMap::from([
        (
            "meansDebtBondageEarnings",
            vec!["meansOfControlDebtBondage", "meansOfControlTakesEarnings"],
        ),
        (
            "meansThreats",
            vec![
                "meansOfControlThreats",
                "meansOfControlUsesChildren",
                "meansOfControlThreatOfLawEnforcement",
            ],
        ),
        (
            "meansAbusePsyPhySex",
            vec![
                "meansOfControlPsychologicalAbuse",
                "meansOfControlPhysicalAbuse",
                "meansOfControlSexualAbuse",
            ],
        ),
        ("meansFalsePromises", vec!["meansOfControlFalsePromises"]),
        (
            "meansDrugsAlcohol",
            vec!["meansOfControlPsychoactiveSubstances"],
        ),
        (
            "meansDenyBasicNeeds",
            vec![
                "meansOfControlRestrictsFinancialAccess",
                "meansOfControlRestrictsMovement",
                "meansOfControlRestrictsMedicalCare",
                "meansOfControlWithholdsNecessities",
            ],
        ),
        (
            "meansExcessiveWorkHours",
            vec!["meansOfControlExcessiveWorkingHours"],
        ),
        (
            "meansWithholdDocs",
            vec!["meansOfControlWithholdsDocuments"],
        ),
    ]);
    let rows = data
        .rows
        .iter()
        .map(|row| {
            let get = |name: &str| {
                position
                    .get(&name.to_ascii_lowercase())
                    .map(|index| row[*index].as_str())
            };
            GLOBAL_SYNTHETIC_COLUMNS
                .iter()
                .map(|variable| {
                    let direct = get(variable).unwrap_or("");
                    match *variable {
                        "gender" => match direct {
                            "Female" | "Woman" => "Woman",
                            "Male" | "Man" => "Man",
                            "Transgender/NonConforming" | "Trans/Transgender/NonConforming" => {
                                "Trans/Transgender/NonConforming"
                            }
                            _ => "",
                        }
                        .to_string(),
                        "ageBroad" => match direct {
                            "Unknown" => String::new(),
                            other => other.to_string(),
                        },
                        "citizenship" | "CountryOfExploitation" => Country::from_code(direct)
                            .map(|country| country.alpha_3().to_string())
                            .unwrap_or_default(),
                        "traffickMonths" | "yearOfRegistration" => direct.to_string(),
                        name if merged.contains_key(name) => {
                            let set = get(name) == Some("1")
                                || merged[name].iter().any(|source| get(source) == Some("1"));
                            if set { "1" } else { "" }.to_string()
                        }
                        _ => if direct == "1" { "1" } else { "" }.to_string(),
                    }
                })
                .collect()
        })
        .collect();
    Microdata {
        columns: GLOBAL_SYNTHETIC_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect(),
        rows,
    }
}
