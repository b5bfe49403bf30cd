//! `puente link`: glue between CSV files and the pure entity-resolution engine.
//!
//! - `puente link dedupe FILE.csv --id-column ID --out PAIRS.csv [--threshold 0.5]
//!   [--clusters CLUSTERS.csv] [--explain]` finds duplicates within one file.
//! - `puente link pair A.csv B.csv --id-column ID --out PAIRS.csv ...` finds the records of two
//!   files that are the same person.
//!
//! Columns are recognised by header (trimmed): given_name/first_name/nombres,
//! surname/last_name/apellidos, date_of_birth/dob/fecha_nacimiento, sex, nationality, phone,
//! soc_sec_id, postcode, street_number, state, and any other as plain text; or mapped with
//! `--config FILE.toml`. The model is learned from the file itself: no training data.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use puente_core::Country;
use puente_linkage::date::PartialDate;
use puente_linkage::{
    BlockingRule, ClusterMethod, Column, FieldKind, Linkage, Progress, Settings, Table,
};
use serde::Deserialize;

#[derive(Debug, clap::Subcommand)]
pub enum LinkCommand {
    /// Find duplicate records within one CSV file.
    Dedupe(DedupeArgs),
    /// Find the records of two CSV files that are the same person.
    Pair(PairArgs),
}

#[derive(Debug, clap::Args)]
pub struct DedupeArgs {
    /// The CSV file (with a header row).
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
    #[command(flatten)]
    options: LinkOptions,
}

#[derive(Debug, clap::Args)]
pub struct PairArgs {
    /// The first CSV file (its ids go in `id_l`).
    #[arg(value_name = "A.csv")]
    left: PathBuf,
    /// The second CSV file (its ids go in `id_r`).
    #[arg(value_name = "B.csv")]
    right: PathBuf,
    #[command(flatten)]
    options: LinkOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ClusterArg {
    /// Connected components: any chain of links joins records.
    Connected,
    /// Center clustering: each member links directly to its cluster's center (no long chains).
    Center,
}

#[derive(Debug, clap::Args)]
pub struct LinkOptions {
    /// The column holding each record's id (unique within a file); or `id_column` in --config.
    #[arg(long, value_name = "COLUMN")]
    id_column: Option<String>,

    /// Where to write the pairs: `id_l,id_r,match_probability` (plus a weight per field with
    /// --explain), one line per pair at or above the threshold.
    #[arg(long, value_name = "PAIRS.csv")]
    out: PathBuf,

    /// The lowest match probability written (0 to 1).
    #[arg(long, value_name = "P")]
    threshold: Option<f64>,

    /// Also write a cluster number for every record: `id,cluster_id` (with `source` for `pair`).
    #[arg(long, value_name = "CLUSTERS.csv")]
    clusters: Option<PathBuf>,

    /// How clusters are formed.
    #[arg(long, value_enum, default_value_t = ClusterArg::Connected)]
    cluster_method: ClusterArg,

    /// Add one column per field with its match weight (log2 Bayes factor) to the pairs.
    #[arg(long)]
    explain: bool,

    /// A TOML file mapping columns to kinds, blocking rules and defaults (see the module docs).
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,

    /// The country assumed for phone numbers without a calling code (ISO code, e.g. GT), unless a
    /// record's nationality says otherwise.
    #[arg(long, value_name = "CODE")]
    country: Option<String>,

    /// Skip invalid rows (ragged, without id, duplicate id, unreadable date) instead of stopping.
    #[arg(long)]
    skip_invalid: bool,

    /// With --skip-invalid: write the skipped rows here, with an `error` column.
    #[arg(long, value_name = "REJECTS.csv", requires = "skip_invalid")]
    rejects: Option<PathBuf>,

    /// Write the learned model (m, u and λ per field and level) as JSON.
    #[arg(long, value_name = "MODEL.json")]
    model_out: Option<PathBuf>,
}

/// The `--config` file.
///
/// ```toml
/// id_column = "rec_id"      # optional; --id-column wins
/// country = "GT"            # phones without a calling code
/// threshold = 0.5
/// max_block_pairs = 100000
/// blocking = ["surname:first_phonetic & date_of_birth:year", "phone:national"]
///
/// [columns]                 # header = kind (given_name, surname, date, sex, nationality, phone,
/// nombre = "given_name"     # identifier, postcode, number, text, category) or "ignore"
/// notas = "ignore"
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    id_column: Option<String>,
    country: Option<String>,
    threshold: Option<f64>,
    max_block_pairs: Option<u64>,
    blocking: Option<Vec<String>>,
    #[serde(default)]
    columns: HashMap<String, String>,
}

pub fn run(command: LinkCommand) -> anyhow::Result<ExitCode> {
    match command {
        LinkCommand::Dedupe(args) => {
            let setup = Setup::new(&args.options)?;
            let table = setup.read(&args.file)?;
            let started = Instant::now();
            let progress = Bar::new();
            let linkage = puente_linkage::dedupe(&table, &setup.settings, &progress)
                .with_context(|| format!("cannot link {}", args.file.display()))?;
            progress.finish();
            write_pairs(&args.options, &linkage, &table.ids, &table.ids)?;
            if let (Some(path), Some(clusters)) = (&args.options.clusters, &linkage.clusters) {
                write_clusters(path, clusters, &[(None, &table.ids)])?;
            }
            setup.finish(&linkage, started)?;
        }
        LinkCommand::Pair(args) => {
            let setup = Setup::new(&args.options)?;
            let left = setup.read(&args.left)?;
            let right = setup.read(&args.right)?;
            let (left, right) = common_columns(left, right, &args.left, &args.right);
            let started = Instant::now();
            let progress = Bar::new();
            let linkage = puente_linkage::link(&left, &right, &setup.settings, &progress)
                .with_context(|| {
                    format!(
                        "cannot link {} with {}",
                        args.left.display(),
                        args.right.display()
                    )
                })?;
            progress.finish();
            write_pairs(&args.options, &linkage, &left.ids, &right.ids)?;
            if let (Some(path), Some(clusters)) = (&args.options.clusters, &linkage.clusters) {
                write_clusters(
                    path,
                    clusters,
                    &[(Some("l"), &left.ids), (Some("r"), &right.ids)],
                )?;
            }
            setup.finish(&linkage, started)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Options resolved from the command line and the config file.
struct Setup<'a> {
    options: &'a LinkOptions,
    id_column: String,
    kinds: HashMap<String, Option<FieldKind>>,
    settings: Settings,
}

impl<'a> Setup<'a> {
    fn new(options: &'a LinkOptions) -> anyhow::Result<Setup<'a>> {
        let config: Config = match &options.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("{}: invalid configuration", path.display()))?
            }
            None => Config::default(),
        };
        let mut kinds = HashMap::new();
        for (column, kind) in &config.columns {
            let kind = match kind.trim() {
                "ignore" => None,
                name => Some(FieldKind::from_name(name).with_context(|| {
                    let known: Vec<&str> = FieldKind::ALL.iter().map(|k| k.name()).collect();
                    format!(
                        "config: column {column:?}: unknown kind {name:?} (known: {}, ignore)",
                        known.join(", ")
                    )
                })?),
            };
            kinds.insert(column.trim().to_string(), kind);
        }
        let country = match options.country.as_ref().or(config.country.as_ref()) {
            Some(code) => Some(
                Country::from_code(code)
                    .with_context(|| format!("unknown country code {code:?}"))?,
            ),
            None => None,
        };
        let blocking = match &config.blocking {
            Some(rules) => Some(
                rules
                    .iter()
                    .map(|r| BlockingRule::parse(r))
                    .collect::<Result<Vec<_>, _>>()
                    .context("config: blocking")?,
            ),
            None => None,
        };
        let threshold = options.threshold.or(config.threshold).unwrap_or(0.5);
        if !(0.0..=1.0).contains(&threshold) {
            bail!("--threshold must be between 0 and 1, not {threshold}");
        }
        let defaults = Settings::default();
        let settings = Settings {
            threshold,
            blocking,
            max_block_pairs: config.max_block_pairs.unwrap_or(defaults.max_block_pairs),
            default_country: country,
            cluster: options
                .clusters
                .as_ref()
                .map(|_| match options.cluster_method {
                    ClusterArg::Connected => ClusterMethod::Connected,
                    ClusterArg::Center => ClusterMethod::Center,
                }),
            explain: options.explain,
            ..defaults
        };
        let id_column = match options.id_column.as_ref().or(config.id_column.as_ref()) {
            Some(column) if !column.trim().is_empty() => column.trim().to_string(),
            _ => bail!("which column holds the record ids? pass --id-column COLUMN (or id_column in --config)"),
        };
        Ok(Setup {
            options,
            id_column,
            kinds,
            settings,
        })
    }

    /// Reads a CSV file into a table, checking every row.
    fn read(&self, path: &Path) -> anyhow::Result<Table> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(std::io::BufReader::new(file));
        let mut records = reader.records();
        let no_header = || {
            anyhow::anyhow!(
                "{name}: the file is empty: no header line (the first line must name the columns, separated by commas)"
            )
        };
        let headers: Vec<String> = match records.next() {
            None => return Err(no_header()),
            Some(row) => row
                .map_err(|error| unreadable_csv(&name, &error))?
                .iter()
                .map(|h| h.trim().trim_start_matches('\u{feff}').trim().to_string())
                .collect(),
        };
        if headers.iter().all(String::is_empty) {
            return Err(no_header());
        }
        let id_index = headers
            .iter()
            .position(|h| *h == self.id_column)
            .with_context(|| {
                let delimiter_hint = match headers.as_slice() {
                    [only] if only.contains(';') => {
                        "; the columns seem separated by semicolons: save the file with commas"
                    }
                    [only] if only.contains('\t') => {
                        "; the columns seem separated by tabs: save the file with commas"
                    }
                    [only] if only.contains('|') => {
                        "; the columns seem separated by bars: save the file with commas"
                    }
                    _ => "",
                };
                format!(
                    "{name}: line 1: no id column {:?} (columns: {}){delimiter_hint}",
                    self.id_column,
                    headers.join(", ")
                )
            })?;
        // The compared columns: every other column not ignored by the config.
        let mut columns: Vec<(usize, Column)> = Vec::new();
        for (index, header) in headers.iter().enumerate() {
            if index == id_index || header.is_empty() {
                continue;
            }
            let kind = match self.kinds.get(header) {
                Some(None) => continue,
                Some(Some(kind)) => *kind,
                None => FieldKind::from_header(header),
            };
            columns.push((
                index,
                Column {
                    name: header.clone(),
                    kind,
                    values: Vec::new(),
                },
            ));
        }
        if columns.len() > 16 {
            bail!(
                "{name}: {} columns to compare; at most 16 are supported: ignore some with --config ([columns] name = \"ignore\")",
                columns.len()
            );
        }
        let mut ids: Vec<String> = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut rejects = Rejects::new(self.options.rejects.as_deref(), &headers)?;
        let mut last_row_line = 0;
        for row in records {
            let row = row.map_err(|error| unreadable_csv(&name, &error))?;
            let line = row.position().map(|p| p.line()).unwrap_or(0);
            last_row_line = line;
            // One record per line: a value that runs over several lines is a quote opened and
            // never closed, which would swallow the rest of the file. Never skipped.
            if let Some((index, _)) = row
                .iter()
                .enumerate()
                .find(|(_, value)| value.contains(['\n', '\r']))
            {
                bail!(
                    "{name}: line {line}, column {} ({}): a quoted value runs over several lines: is its closing quote (\") missing?",
                    index + 1,
                    headers.get(index).map(String::as_str).unwrap_or("?")
                );
            }
            let problem = (|| -> Option<String> {
                if row.len() != headers.len() {
                    return Some(format!(
                        "{name}: line {line}: {} fields where the header has {}",
                        row.len(),
                        headers.len()
                    ));
                }
                let id = row[id_index].trim();
                if id.is_empty() {
                    return Some(format!(
                        "{name}: line {line}, column {} ({}): empty id",
                        id_index + 1,
                        self.id_column
                    ));
                }
                if let Some(first) = seen.get(id) {
                    return Some(format!(
                        "{name}: line {line}, column {} ({}): duplicate id {id:?} (first on line {first})",
                        id_index + 1,
                        self.id_column
                    ));
                }
                for (index, column) in &columns {
                    if column.kind == FieldKind::Date {
                        if let Err(error) = PartialDate::parse(&row[*index]) {
                            return Some(format!(
                                "{name}: line {line}, column {} ({}): {error}",
                                index + 1,
                                column.name
                            ));
                        }
                    }
                }
                None
            })();
            if let Some(message) = problem {
                if !self.options.skip_invalid {
                    bail!("{message}\n(use --skip-invalid to skip such rows)");
                }
                rejects.push(&row, &message)?;
                continue;
            }
            let id = row[id_index].trim().to_string();
            seen.insert(id.clone(), line);
            ids.push(id);
            for (index, column) in &mut columns {
                let value = row[*index].trim();
                column
                    .values
                    .push((!value.is_empty()).then(|| value.to_string()));
            }
        }
        rejects.finish(&name)?;
        if last_row_line > 0 && !ends_with_line_break(path)? {
            eprintln!(
                "warning: {name}: line {last_row_line}, the last, has no line break at its end: if the file was cut short, its last record may be incomplete"
            );
        }
        Ok(Table {
            ids,
            columns: columns.into_iter().map(|(_, c)| c).collect(),
        })
    }

    fn finish(&self, linkage: &Linkage, started: Instant) -> anyhow::Result<()> {
        let d = &linkage.diagnostics;
        if !d.skipped_blocks.is_empty() {
            let pairs: u64 = d.skipped_blocks.iter().map(|b| b.pairs).sum();
            eprintln!(
                "warning: {} blocks too large to compare were skipped ({pairs} pairs); add blocking rules or raise max_block_pairs in --config",
                d.skipped_blocks.len()
            );
        }
        if let Some(path) = &self.options.model_out {
            let json = serde_json::to_string_pretty(&linkage.model)?;
            std::fs::write(path, json)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        let clusters = linkage
            .clusters
            .as_ref()
            .map(|c| format!(", {} clusters", c.iter().max().map(|m| m + 1).unwrap_or(0)))
            .unwrap_or_default();
        eprintln!(
            "{} records, {} candidate pairs, {} pairs at or above {}{clusters} ({:.2} s)",
            d.records,
            d.candidate_pairs,
            linkage.pairs.len(),
            self.settings.threshold,
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }
}

/// The rejects file of --skip-invalid.
struct Rejects {
    writer: Option<csv::Writer<std::fs::File>>,
    count: u64,
}

impl Rejects {
    fn new(path: Option<&Path>, headers: &[String]) -> anyhow::Result<Rejects> {
        let writer = match path {
            Some(path) => {
                // Ragged rows keep their own length: the writer must accept them.
                let mut writer = csv::WriterBuilder::new()
                    .flexible(true)
                    .from_path(path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                let mut header: Vec<&str> = headers.iter().map(String::as_str).collect();
                header.push("error");
                writer.write_record(&header)?;
                Some(writer)
            }
            None => None,
        };
        Ok(Rejects { writer, count: 0 })
    }

    fn push(&mut self, row: &csv::StringRecord, message: &str) -> anyhow::Result<()> {
        self.count += 1;
        if let Some(writer) = &mut self.writer {
            let mut fields: Vec<&str> = row.iter().collect();
            fields.push(message);
            writer.write_record(&fields)?;
        }
        Ok(())
    }

    fn finish(self, name: &str) -> anyhow::Result<()> {
        if let Some(mut writer) = self.writer {
            writer.flush()?;
        }
        if self.count > 0 {
            eprintln!("warning: {name}: {} invalid rows skipped", self.count);
        }
        Ok(())
    }
}

/// Keeps the columns both files have, in the first file's order, and says which were dropped.
/// A CSV error with the line it is on, in plain words.
fn unreadable_csv(name: &str, error: &csv::Error) -> anyhow::Error {
    let line = error
        .position()
        .map(|position| format!("line {}: ", position.line()))
        .unwrap_or_default();
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            anyhow::anyhow!(
                "{name}: {line}not UTF-8 text: is it a CSV file? (save it as CSV UTF-8)"
            )
        }
        _ => anyhow::anyhow!("{name}: {line}unreadable CSV: {error}"),
    }
}

/// Whether the file's last byte is a line break.
fn ends_with_line_break(path: &Path) -> anyhow::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n' || last[0] == b'\r')
}

fn common_columns(
    mut left: Table,
    mut right: Table,
    left_path: &Path,
    right_path: &Path,
) -> (Table, Table) {
    if left.is_empty() && left.columns.is_empty() || right.is_empty() && right.columns.is_empty() {
        return (Table::default(), Table::default());
    }
    let names = |t: &Table| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let (left_names, right_names) = (names(&left), names(&right));
    for (path, own, other) in [
        (left_path, &left_names, &right_names),
        (right_path, &right_names, &left_names),
    ] {
        let dropped: Vec<&String> = own.iter().filter(|n| !other.contains(n)).collect();
        if !dropped.is_empty() {
            eprintln!(
                "warning: {}: columns not in the other file are not compared: {}",
                path.display(),
                dropped
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    left.columns.retain(|c| right_names.contains(&c.name));
    right.columns.retain(|c| left_names.contains(&c.name));
    (left, right)
}

fn write_pairs(
    options: &LinkOptions,
    linkage: &Linkage,
    left_ids: &[String],
    right_ids: &[String],
) -> anyhow::Result<()> {
    let path = &options.out;
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut header = vec![
        "id_l".to_string(),
        "id_r".to_string(),
        "match_probability".to_string(),
    ];
    if options.explain {
        header.extend(linkage.field_names().iter().map(|f| format!("weight_{f}")));
    }
    writer.write_record(&header)?;
    for pair in &linkage.pairs {
        let mut row = vec![
            left_ids[pair.left as usize].clone(),
            right_ids[pair.right as usize].clone(),
            format!("{:.6}", pair.probability),
        ];
        if options.explain {
            row.extend(pair.weights.iter().map(|w| format!("{w:.3}")));
        }
        writer.write_record(&row)?;
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn write_clusters(
    path: &Path,
    clusters: &[u32],
    sources: &[(Option<&str>, &Vec<String>)],
) -> anyhow::Result<()> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    let with_source = sources.len() > 1;
    if with_source {
        writer.write_record(["source", "id", "cluster_id"])?;
    } else {
        writer.write_record(["id", "cluster_id"])?;
    }
    let mut index = 0;
    for (source, ids) in sources {
        for id in ids.iter() {
            let cluster = clusters
                .get(index)
                .copied()
                .unwrap_or(index as u32)
                .to_string();
            if with_source {
                writer.write_record([source.unwrap_or(""), id.as_str(), cluster.as_str()])?;
            } else {
                writer.write_record([id.as_str(), cluster.as_str()])?;
            }
            index += 1;
        }
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A progress bar on standard error, only when it is a terminal.
pub(crate) struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    pub(crate) fn new() -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Bar(Some(bar))
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str, total: u64) {
        if let Some(bar) = &self.0 {
            bar.set_message(name.to_string());
            bar.set_length(total);
            bar.set_position(0);
        }
    }

    fn advance(&self, units: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(units);
        }
    }
}
