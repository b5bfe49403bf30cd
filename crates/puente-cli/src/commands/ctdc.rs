//! `puente import ctdc`, `puente export ctdc` and `puente stats ctdc`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::ValueEnum;
use puente_core::ctdc::{self, Cell, ColumnKind, ReadOptions, COLUMNS};
use puente_store::{Actor, CtdcDataset, Store};
use sha2::{Digest, Sha256};

#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Import a CTDC CSV of any release, recognised by its header: the Global Dataset (63 or 58
    /// columns; `,` or `;`, with or without the terms-of-use column, `-99` or empty for missing, with
    /// or without BOM, CRLF or LF, quoted or not), the Global Synthetic Dataset (27 variables) or
    /// the Victim-Perpetrator Synthetic Dataset (16 variables). Each file is kept as its own
    /// dataset. All or nothing: the first invalid row stops the import and the database is left
    /// as it was.
    Ctdc(ImportCtdcArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportCtdcArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// Import the valid rows and write the invalid ones, with the reason, to the rejects file.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where rejected rows go with --skip-invalid (default: FILE.rejects.csv).
    #[arg(long, value_name = "FILE", requires = "skip_invalid")]
    pub rejects: Option<PathBuf>,
    /// Replace the dataset of the same name, in the same transaction.
    #[arg(long)]
    pub replace: bool,
    /// The name of the dataset the file is kept as (default: the release's name,
    /// `global-dataset`, `global-dataset-2017`, `global-synthetic` or
    /// `victim-perpetrator-synthetic`).
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Write a stored Global Dataset as the canonical 63-column CSV (comma-separated, empty for
    /// missing).
    Ctdc(ExportCtdcArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportCtdcArgs {
    /// The CSV file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The Global Dataset to write; may be left out when one is stored.
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum StatsCommand {
    /// Count the stored CTDC records grouped by one or more columns.
    Ctdc(StatsCtdcArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum StatsFormat {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// `{"by": [...], "rows": [{"col": value, "count": n}, ...]}`, missing values as null.
    Json,
    /// CSV with a header, missing values empty.
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct StatsCtdcArgs {
    /// Columns to group by, comma-separated CTDC column names (e.g. `gender,ageBroad`).
    #[arg(
        long,
        value_delimiter = ',',
        required = true,
        value_name = "COL[,COL...]"
    )]
    pub by: Vec<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: StatsFormat,
    /// The dataset to count (see `puente import ctdc`); may be left out when one is stored.
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
}

fn open_store(db: Option<PathBuf>) -> anyhow::Result<(tokio::runtime::Runtime, Arc<dyn Store>)> {
    super::open_store_blocking(db)
}

pub fn import(db: Option<PathBuf>, command: ImportCommand) -> anyhow::Result<ExitCode> {
    let ImportCommand::Ctdc(args) = command;
    let started = Instant::now();
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let read = ctdc::read_ctdc_release(
        &bytes,
        ReadOptions {
            skip_invalid: args.skip_invalid,
        },
    )
    .map_err(|error| anyhow::anyhow!("{}: {error}", args.file.display()))?;
    let (release, file) = match read {
        ctdc::CtdcReleaseFile::Global { release, file } => (release, file),
        ctdc::CtdcReleaseFile::Synthetic(file) => return import_synthetic(db, &args, &bytes, file),
    };
    write_rejects_of(&args, &file.rejected)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let source = args
        .file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = args
        .dataset
        .clone()
        .unwrap_or_else(|| release.code().to_string());
    let (runtime, store) = open_store(db)?;
    let summary = runtime
        .block_on(store.import_ctdc(
            &Actor::command_line(),
            &name,
            release.code(),
            &source,
            &sha256,
            &file.records,
            args.replace,
        ))
        .map_err(|error| {
            anyhow::anyhow!("{}: {error}; nothing was imported", args.file.display())
        })?;
    runtime.block_on(store.close());

    println!(
        "Imported {} CTDC records of the {} from {} as dataset `{name}` in {:.2?}.",
        summary.records,
        release.title(),
        args.file.display(),
        started.elapsed()
    );
    if summary.replaced > 0 {
        println!("Replaced {} records stored before.", summary.replaced);
    }
    let years: Vec<u16> = file
        .records
        .iter()
        .filter_map(|record| record.year_of_registration())
        .collect();
    if let (Some(first), Some(last)) = (years.iter().min(), years.iter().max()) {
        let missing = file.records.len() - years.len();
        println!("Years of registration: {first} to {last} ({missing} without a year).");
    }
    let mut sources = std::collections::BTreeMap::<String, usize>::new();
    for record in &file.records {
        let name = record
            .datasource()
            .map(|source| source.to_string())
            .unwrap_or_else(|| "(missing)".into());
        *sources.entry(name).or_default() += 1;
    }
    let sources: Vec<String> = sources
        .iter()
        .map(|(name, count)| format!("{name} {count}"))
        .collect();
    println!("Sources: {}.", sources.join(", "));
    if !file.rejected.is_empty() {
        println!("Skipped {} invalid rows.", file.rejected.len());
    }
    Ok(ExitCode::SUCCESS)
}

/// Imports a synthetic release as its own dataset.
fn import_synthetic(
    db: Option<PathBuf>,
    args: &ImportCtdcArgs,
    bytes: &[u8],
    file: ctdc::SyntheticFile,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    write_rejects_of(args, &file.rejected)?;
    let name = args
        .dataset
        .clone()
        .unwrap_or_else(|| file.release.code().to_string());
    let sha256 = hex::encode(Sha256::digest(bytes));
    let source = args
        .file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (runtime, store) = open_store(db)?;
    let summary = runtime
        .block_on(store.import_ctdc_dataset(
            &Actor::command_line(),
            &name,
            file.release.code(),
            &source,
            &sha256,
            &file.columns,
            &file.rows,
            args.replace,
        ))
        .map_err(|error| {
            anyhow::anyhow!("{}: {error}; nothing was imported", args.file.display())
        })?;
    runtime.block_on(store.close());
    println!(
        "Imported {} records of the {} from {} as dataset `{name}` in {:.2?}.",
        summary.records,
        file.release.title(),
        args.file.display(),
        started.elapsed()
    );
    if summary.replaced > 0 {
        println!("Replaced {} records stored before.", summary.replaced);
    }
    if !file.rejected.is_empty() {
        println!("Skipped {} invalid rows.", file.rejected.len());
    }
    Ok(ExitCode::SUCCESS)
}

/// With `--skip-invalid`, writes the rows left out to the rejects file and says so.
fn write_rejects_of(args: &ImportCtdcArgs, rejected: &[ctdc::RejectedRow]) -> anyhow::Result<()> {
    if rejected.is_empty() {
        return Ok(());
    }
    let rejects = args
        .rejects
        .clone()
        .unwrap_or_else(|| rejects_path(&args.file));
    write_rejects(&rejects, rejected)?;
    eprintln!(
        "{} invalid row(s) of {} skipped and written with their reasons to {}",
        rejected.len(),
        args.file.display(),
        rejects.display()
    );
    Ok(())
}

fn rejects_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".rejects.csv");
    file.with_file_name(name)
}

fn write_rejects(path: &Path, rejected: &[ctdc::RejectedRow]) -> anyhow::Result<()> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    writer.write_record(["line", "reason", "fields"])?;
    for row in rejected {
        let fields = row.fields.join("|");
        writer.write_record([row.line.to_string(), row.error.to_string(), fields])?;
    }
    writer.flush()?;
    Ok(())
}

pub fn export(db: Option<PathBuf>, command: ExportCommand) -> anyhow::Result<ExitCode> {
    let ExportCommand::Ctdc(args) = command;
    let started = Instant::now();
    let (runtime, store) = open_store(db)?;
    let global: Vec<CtdcDataset> = runtime
        .block_on(store.ctdc_datasets())?
        .into_iter()
        .filter(CtdcDataset::is_global)
        .collect();
    let dataset = choose_dataset(&global, args.dataset.as_deref())?
        .context("no Global Dataset is stored; import one with `puente import ctdc FILE`")?;
    // Write to a temporary file beside the target and rename it at the end, so a failed export
    // leaves no half-written file.
    let directory = args
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temporary = tempfile::NamedTempFile::new_in(directory)
        .with_context(|| format!("cannot write in {}", directory.display()))?;
    let mut writer =
        ctdc::CtdcCsvWriter::new(std::io::BufWriter::with_capacity(1 << 20, temporary))?;
    let exported = runtime.block_on(store.export_ctdc(
        &Actor::command_line(),
        &dataset.name,
        &mut |page| {
            page.iter()
                .try_for_each(|record| writer.write(record))
                .map_err(|error| {
                    puente_store::StoreError::Invalid(format!(
                        "cannot write {}: {error}",
                        args.out.display()
                    ))
                })
        },
    ))?;
    runtime.block_on(store.close());
    let temporary = writer.finish()?.into_inner().map_err(|error| {
        anyhow::anyhow!("cannot write {}: {}", args.out.display(), error.error())
    })?;
    temporary
        .persist(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "Exported {exported} CTDC records to {} in {:.2?}.",
        args.out.display(),
        started.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}

/// The dataset a command works on: the one named, or the only one stored.
pub fn choose_dataset(
    datasets: &[CtdcDataset],
    named: Option<&str>,
) -> anyhow::Result<Option<CtdcDataset>> {
    let names = || {
        datasets
            .iter()
            .map(|dataset| format!("`{}` ({} records)", dataset.name, dataset.records))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match named {
        Some(name) => match datasets.iter().find(|dataset| dataset.name == name) {
            Some(dataset) => Ok(Some(dataset.clone())),
            None if datasets.is_empty() => bail!(
                "--dataset: no CTDC dataset is stored; import one with `puente import ctdc FILE`"
            ),
            None => bail!(
                "--dataset: no dataset `{name}`; the datasets are: {}",
                names()
            ),
        },
        None if datasets.len() > 1 => bail!(
            "several CTDC datasets are stored: choose one with --dataset NAME ({})",
            names()
        ),
        None => Ok(datasets.first().cloned()),
    }
}

pub fn stats(db: Option<PathBuf>, command: StatsCommand) -> anyhow::Result<ExitCode> {
    let StatsCommand::Ctdc(args) = command;
    let (runtime, store) = open_store(db)?;
    let datasets = runtime.block_on(store.ctdc_datasets())?;
    let dataset = choose_dataset(&datasets, args.dataset.as_deref())?;
    let Some(dataset) = dataset else {
        bail!("no CTDC dataset is stored; import one with `puente import ctdc FILE`");
    };
    if !dataset.is_global() {
        let rows = runtime.block_on(store.ctdc_dataset_rows(&dataset.name))?;
        runtime.block_on(store.close());
        return synthetic_stats(&args, &dataset, &rows);
    }
    let mut indices = Vec::new();
    for name in &args.by {
        match ctdc::column_index(name)
            .filter(|index| dataset.columns.iter().any(|c| c == COLUMNS[*index].0))
        {
            Some(index) => indices.push(index),
            None => bail!(
                "--by: `{name}` is not a column of dataset `{}`; its columns are: {}",
                dataset.name,
                dataset.columns.join(", ")
            ),
        }
    }
    let names: Vec<&str> = indices.iter().map(|index| COLUMNS[*index].0).collect();
    let rows = runtime.block_on(store.ctdc_stats(&dataset.name, &indices))?;
    runtime.block_on(store.close());
    let kinds: Vec<ColumnKind> = indices.iter().map(|index| COLUMNS[*index].1).collect();
    let output = match args.format {
        StatsFormat::Json => {
            let rows = stats_json_rows(&names, &kinds, &rows);
            let document = serde_json::json!({
                "dataset": dataset.name,
                "release": dataset.release,
                "by": names,
                "rows": rows,
            });
            serde_json::to_string_pretty(&document)? + "\n"
        }
        StatsFormat::Csv => stats_csv(&names, &rows)?,
        StatsFormat::Table => table(&names, &rows),
    };
    std::io::stdout().write_all(output.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Counts of a synthetic dataset; a multi-valued column counts a row under each of its values, and
/// the output says so.
fn synthetic_stats(
    args: &StatsCtdcArgs,
    dataset: &CtdcDataset,
    rows: &[Vec<Option<String>>],
) -> anyhow::Result<ExitCode> {
    let release = ctdc::CtdcRelease::from_code(&dataset.release)
        .with_context(|| format!("dataset `{}` has an unknown release", dataset.name))?;
    let mut indices = Vec::new();
    for name in &args.by {
        match dataset
            .columns
            .iter()
            .position(|column| column.eq_ignore_ascii_case(name.trim()))
        {
            Some(index) => indices.push(index),
            None => bail!(
                "--by: `{name}` is not a column of dataset `{}`; its columns are: {}",
                dataset.name,
                dataset.columns.join(", ")
            ),
        }
    }
    let names: Vec<&str> = indices
        .iter()
        .map(|index| dataset.columns[*index].as_str())
        .collect();
    let multi_valued: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| release.is_multi_valued(name))
        .collect();
    let note = (!multi_valued.is_empty()).then(|| {
        format!(
            "{} may hold several values: a record is counted once under each of its values, so the counts add up to more than the records.",
            multi_valued.join(", ")
        )
    });
    let counted = ctdc::releases::count_synthetic_rows(release, &dataset.columns, rows, &indices);
    let stats_rows: Vec<puente_store::CtdcStatsRow> = counted
        .into_iter()
        .map(|(values, count)| puente_store::CtdcStatsRow {
            values: values
                .into_iter()
                .map(|value| value.map(|text| Cell::Text(text.into())))
                .collect(),
            count,
        })
        .collect();
    let output = match args.format {
        StatsFormat::Json => {
            let kinds = vec![ColumnKind::Text; names.len()];
            let rows = stats_json_rows(&names, &kinds, &stats_rows);
            let mut document = serde_json::json!({
                "dataset": dataset.name,
                "release": dataset.release,
                "records": dataset.records,
                "by": names,
                "rows": rows,
            });
            if let Some(note) = &note {
                document["multi_valued"] = serde_json::json!(multi_valued);
                document["note"] = serde_json::json!(note);
            }
            serde_json::to_string_pretty(&document)? + "\n"
        }
        StatsFormat::Csv => stats_csv(&names, &stats_rows)?,
        StatsFormat::Table => {
            let mut out = table(&names, &stats_rows);
            if let Some(note) = &note {
                out.push_str(&format!("Note: {note}\n"));
            }
            out
        }
    };
    std::io::stdout().write_all(output.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Grouped counts as JSON objects: each column's value (null when missing) and `count`.
fn stats_json_rows(
    names: &[&str],
    kinds: &[ColumnKind],
    rows: &[puente_store::CtdcStatsRow],
) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|row| {
            let mut object = serde_json::Map::new();
            for ((name, kind), value) in names.iter().zip(kinds).zip(&row.values) {
                object.insert(name.to_string(), json_value(*kind, value.as_ref()));
            }
            object.insert("count".into(), row.count.into());
            serde_json::Value::Object(object)
        })
        .collect()
}

/// Grouped counts as CSV with a header, missing values empty.
fn stats_csv(names: &[&str], rows: &[puente_store::CtdcStatsRow]) -> anyhow::Result<String> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(names.iter().copied().chain(["count"]))?;
    for row in rows {
        let mut fields: Vec<String> = row
            .values
            .iter()
            .map(|value| value.as_ref().map(Cell::to_csv_text).unwrap_or_default())
            .collect();
        fields.push(row.count.to_string());
        writer.write_record(&fields)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

fn json_value(kind: ColumnKind, value: Option<&Cell>) -> serde_json::Value {
    match (kind, value) {
        (_, None) => serde_json::Value::Null,
        (_, Some(Cell::Year(year))) => (*year).into(),
        (_, Some(Cell::Flag(flag))) => u8::from(*flag).into(),
        (_, Some(Cell::Text(text))) => text.to_string().into(),
    }
}

/// An aligned table: text left-aligned, counts right-aligned, missing values shown as `(missing)`,
/// and a total line.
fn table(names: &[&str], rows: &[puente_store::CtdcStatsRow]) -> String {
    let mut cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut line: Vec<String> = row
                .values
                .iter()
                .map(|value| {
                    value
                        .as_ref()
                        .map(Cell::to_csv_text)
                        .unwrap_or_else(|| "(missing)".into())
                })
                .collect();
            line.push(row.count.to_string());
            line
        })
        .collect();
    let total: u64 = rows.iter().map(|row| row.count).sum();
    let mut total_line = vec![String::new(); names.len()];
    total_line[0] = "total".into();
    total_line.push(total.to_string());
    let header: Vec<String> = names
        .iter()
        .map(|name| name.to_string())
        .chain(["count".to_string()])
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for line in cells.iter().chain(std::iter::once(&total_line)) {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let last = header.len() - 1;
    let render = |line: &[String]| {
        let mut out = String::new();
        for (position, (cell, width)) in line.iter().zip(&widths).enumerate() {
            if position == last {
                let _ = write!(out, "{cell:>width$}");
            } else {
                let _ = write!(out, "{cell:<width$}  ");
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = render(&header);
    out.push_str(&render(
        &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
    ));
    for line in cells.drain(..) {
        out.push_str(&render(&line));
    }
    out.push_str(&render(
        &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
    ));
    out.push_str(&render(&total_line));
    out
}
