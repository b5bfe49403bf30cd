//! `puente pprl`: glue between files and the privacy-preserving record linkage engine.
//!
//! - `puente pprl encode --schema SCHEMA.json (--secret TEXT | --secret-file FILE) IN.csv
//!   --out CLKS.json` encodes a CSV whose header names the schema's features in order, byte for
//!   byte as clkhash 0.18.3 does. `--profile latam` instead uses the built-in Latin American
//!   profile over the columns `puente link` recognises (then `--schema` is not given).
//! - `puente pprl match A.json B.json [C.json ...] --threshold T --out PAIRS.csv` compares every
//!   pair of datasets by Dice coefficient and solves greedily as anonlink does; the pairs file has
//!   `dataset_l,row_l,dataset_r,row_r,similarity`, 0-based.
//!
//! A failed command writes nothing: outputs are written to a temporary file beside the target and
//! renamed into place only when everything succeeded.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use puente_core::Country;
use puente_linkage::Progress;
use puente_pprl::latam::{LatamColumns, LatamProfile};
use puente_pprl::matching::{match_datasets, Blocking, EncodingMatrix, Threshold};
use puente_pprl::{clk_file, Encoder, LinkageSchema, RecordFields};

use super::link::Bar;

#[derive(Debug, clap::Subcommand)]
pub enum PprlCommand {
    /// Encode the records of a CSV file as CLKs (keyed Bloom filters) with a shared secret.
    Encode(EncodeArgs),
    /// Match the CLK files of two or more organisations.
    Match(MatchArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ProfileArg {
    /// Latin American records: the linkage engine's normalisation, then a hardened encoding.
    Latam,
}

#[derive(Debug, clap::Args)]
pub struct EncodeArgs {
    /// The linkage schema (clkhash linkage schema version 3).
    #[arg(
        long,
        value_name = "SCHEMA.json",
        required_unless_present = "profile",
        conflicts_with = "profile"
    )]
    schema: Option<PathBuf>,

    /// The secret shared by the organisations (never sent to the linkage unit).
    #[arg(
        long,
        value_name = "TEXT",
        required_unless_present = "secret_file",
        conflicts_with = "secret_file"
    )]
    secret: Option<String>,

    /// A file holding the secret (one trailing line break is not part of it).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,

    /// The CSV file to encode (with a header row).
    #[arg(value_name = "IN.csv")]
    input: PathBuf,

    /// Where to write `{"clks": ["<base64>", ...]}`, one encoding per record in file order.
    #[arg(long, value_name = "CLKS.json")]
    out: PathBuf,

    /// A built-in profile instead of --schema.
    #[arg(long, value_enum, value_name = "PROFILE")]
    profile: Option<ProfileArg>,

    /// With --profile latam: the country of phones written without a calling code (ISO code).
    #[arg(long, value_name = "CODE", requires = "profile")]
    country: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum BlockingArg {
    /// All pairs for runs under two billion pairs, LSH blocking above.
    Auto,
    /// Every pair of records (pruned by popcount, which loses nothing).
    AllPairs,
    /// LSH bands over the bits.
    Lsh,
}

#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// The CLK files, one per organisation (dataset 0, 1, 2, ... in this order).
    #[arg(value_name = "CLKS.json", num_args = 2.., required = true)]
    files: Vec<PathBuf>,

    /// The lowest Dice similarity of a match (0 to 1).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    threshold: String,

    /// Where to write `dataset_l,row_l,dataset_r,row_r,similarity`.
    #[arg(long, value_name = "PAIRS.csv")]
    out: PathBuf,

    /// How candidate pairs are found.
    #[arg(long, value_enum, default_value_t = BlockingArg::Auto)]
    blocking: BlockingArg,
}

pub fn run(command: PprlCommand) -> anyhow::Result<ExitCode> {
    match command {
        PprlCommand::Encode(args) => encode(args)?,
        PprlCommand::Match(args) => match_files(args)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn read_secret(args: &EncodeArgs) -> anyhow::Result<Vec<u8>> {
    let secret = match (&args.secret, &args.secret_file) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(path)) => {
            let mut bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            if bytes.ends_with(b"\n") {
                bytes.pop();
                if bytes.ends_with(b"\r") {
                    bytes.pop();
                }
            }
            bytes
        }
        (None, None) => bail!("give the shared secret with --secret or --secret-file"),
    };
    if secret.is_empty() {
        bail!("the secret is empty / el secreto está vacío");
    }
    Ok(secret)
}

/// The rows of a CSV file with their lines, and its header.
struct CsvRows {
    header: Vec<String>,
    records: Vec<CsvRow>,
    lines: Vec<usize>,
}

/// One CSV row as the csv crate holds it (one buffer, not a string per field).
struct CsvRow(csv::StringRecord);

impl RecordFields for CsvRow {
    fn push_fields<'a>(&'a self, fields: &mut Vec<&'a str>) {
        fields.extend(self.0.iter());
    }
}

fn read_csv(path: &Path) -> anyhow::Result<CsvRows> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows = reader.records();
    let header = match rows.next() {
        Some(row) => row
            .with_context(|| format!("{}: line 1: cannot read the header", path.display()))?
            .iter()
            .map(str::to_string)
            .collect(),
        None => bail!(
            "{}: the file is empty (a header row is expected)",
            path.display()
        ),
    };
    let mut records = Vec::new();
    let mut lines = Vec::new();
    for row in rows {
        let row = row.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            anyhow::anyhow!("{}: line {line}: not valid CSV: {e}", path.display())
        })?;
        lines.push(row.position().map(|p| p.line() as usize).unwrap_or(0));
        records.push(CsvRow(row));
    }
    Ok(CsvRows {
        header,
        records,
        lines,
    })
}

fn encode(args: EncodeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let secret = read_secret(&args)?;
    let rows = read_csv(&args.input)?;
    let header: Vec<&str> = rows.header.iter().map(String::as_str).collect();
    let input = args.input.display().to_string();
    let bar = Bar::new();
    bar.stage("encoding", rows.records.len() as u64);
    let advance = |units: u64| bar.advance(units);
    let (encodings, bits) = if args.profile == Some(ProfileArg::Latam) {
        let country = match &args.country {
            Some(code) => Some(Country::from_code(code).with_context(|| {
                format!("--country: unknown country code '{code}' / código de país desconocido")
            })?),
            None => None,
        };
        let profile = LatamProfile::new(&secret, country);
        let columns = LatamColumns::from_header(&header).with_context(|| input.clone())?;
        let encodings = profile
            .encode_all(&columns, &rows.records, &rows.lines, &advance)
            .with_context(|| input.clone())?;
        (encodings, profile.encoder().encoding_bytes() * 8)
    } else {
        let schema_path = args
            .schema
            .as_ref()
            .context("give --schema SCHEMA.json or --profile latam")?;
        let text = std::fs::read_to_string(schema_path)
            .with_context(|| format!("cannot read {}", schema_path.display()))?;
        let schema = LinkageSchema::from_json_str(&text)
            .with_context(|| schema_path.display().to_string())?;
        let encoder =
            Encoder::new(schema, &secret).with_context(|| schema_path.display().to_string())?;
        encoder
            .check_header(&header)
            .with_context(|| input.clone())?;
        let encodings = encoder
            .encode_all(&rows.records, &rows.lines, &advance)
            .with_context(|| input.clone())?;
        (encodings, encoder.schema().l)
    };
    bar.finish();
    write_atomically(&args.out, clk_file::to_json(&encodings).as_bytes())?;
    eprintln!(
        "{} records encoded ({bits} bits each) into {} ({:.2} s)",
        encodings.len(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn match_files(args: MatchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let threshold = Threshold::parse(&args.threshold).context("--threshold")?;
    let mut datasets = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let encodings = clk_file::from_json(&text).with_context(|| path.display().to_string())?;
        datasets.push(EncodingMatrix::from_encodings(&encodings));
    }
    let first_with_rows = datasets.iter().position(|d| !d.is_empty());
    if let Some(first) = first_with_rows {
        let expected = datasets[first].encoding_bytes();
        for (index, dataset) in datasets.iter().enumerate() {
            if !dataset.is_empty() && dataset.encoding_bytes() != expected {
                bail!(
                    "{}: encodings of {} bytes where {} has encodings of {expected} bytes (were they made with the same schema?)",
                    args.files[index].display(),
                    dataset.encoding_bytes(),
                    args.files[first].display()
                );
            }
        }
    }
    let all_pairs: u64 = (0..datasets.len())
        .flat_map(|l| (l + 1..datasets.len()).map(move |r| (l, r)))
        .map(|(l, r)| (datasets[l].len() * datasets[r].len()) as u64)
        .sum();
    let blocking = match args.blocking {
        BlockingArg::AllPairs => Blocking::AllPairs,
        BlockingArg::Lsh => Blocking::lsh_for(&datasets, threshold),
        BlockingArg::Auto if all_pairs > 2_000_000_000 => Blocking::lsh_for(&datasets, threshold),
        BlockingArg::Auto => Blocking::AllPairs,
    };
    let bar = Bar::new();
    let result = match_datasets(&datasets, threshold, blocking, &bar).context("cannot match")?;
    bar.finish();
    let mut out = Vec::with_capacity(64 * result.pairs.len() + 64);
    writeln!(out, "dataset_l,row_l,dataset_r,row_r,similarity")?;
    for pair in &result.pairs {
        writeln!(
            out,
            "{},{},{},{},{:.6}",
            pair.dataset_l, pair.row_l, pair.dataset_r, pair.row_r, pair.similarity
        )?;
    }
    write_atomically(&args.out, &out)?;
    let d = &result.diagnostics;
    let records: Vec<String> = d.records.iter().map(|n| n.to_string()).collect();
    let method = match blocking {
        Blocking::AllPairs => "all pairs, popcount bound".to_string(),
        Blocking::Lsh {
            bands,
            bits_per_band,
            ..
        } => format!("LSH blocking, {bands} bands of {bits_per_band} bits"),
    };
    if d.skipped_blocks > 0 {
        eprintln!(
            "warning: {} blocks too large to compare were skipped ({} pairs)",
            d.skipped_blocks, d.skipped_block_pairs
        );
    }
    eprintln!(
        "{} datasets ({} records), {} comparisons of {} pairs ({method}), {} candidate pairs at or above {}, {} groups, {} matched pairs ({:.2} s)",
        d.records.len(),
        records.join(" + "),
        d.comparisons,
        d.all_pairs,
        d.candidate_pairs,
        threshold.value(),
        result.groups.len(),
        result.pairs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes a file through a temporary file in the same directory, so that a failure leaves
/// nothing behind and readers never see half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(&directory)
        .with_context(|| format!("cannot write in {}", directory.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
