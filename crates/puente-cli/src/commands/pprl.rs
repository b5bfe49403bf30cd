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
//! Messages (errors, progress, summaries) are in Spanish unless `--lang en` (or `PUENTE_LANG=en`)
//! asks for English.
//!
//! A failed command writes nothing: outputs are written to a temporary file beside the target and
//! renamed into place only when everything succeeded.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use puente_core::{Country, Lang};
use puente_linkage::Progress;
use puente_pprl::latam::{LatamColumns, LatamProfile};
use puente_pprl::matching::{match_datasets, Blocking, EncodingMatrix, Threshold};
use puente_pprl::{clk_file, Encoder, LinkageSchema, RecordFields};

use super::link::Bar;

/// `tr!(lang, "spanish {x}", "english {x}")`: a message in the command's language.
macro_rules! tr {
    ($lang:expr, $es:literal, $en:literal $(,)?) => {
        match $lang {
            Lang::Es => format!($es),
            Lang::En => format!($en),
        }
    };
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    text.parse()
}

/// The language option of both commands.
#[derive(Debug, Clone, clap::Args)]
pub struct LangArg {
    /// Language of messages, progress and summaries: es or en.
    #[arg(long, env = "PUENTE_LANG", default_value = "es", value_parser = parse_lang)]
    lang: Lang,
}

/// The progress bar with the engine's stage names in the command's language.
struct LocalizedBar {
    bar: Bar,
    lang: Lang,
}

impl Progress for LocalizedBar {
    fn stage(&self, name: &str, total: u64) {
        let name = match (self.lang, name) {
            (Lang::Es, "encoding") => "codificando",
            (Lang::Es, "comparing") => "comparando",
            (Lang::Es, "solving") => "resolviendo",
            (_, name) => name,
        };
        self.bar.stage(name, total);
    }

    fn advance(&self, units: u64) {
        self.bar.advance(units);
    }
}

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

    #[command(flatten)]
    lang: LangArg,
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

    #[command(flatten)]
    lang: LangArg,
}

pub fn run(command: PprlCommand) -> anyhow::Result<ExitCode> {
    match command {
        PprlCommand::Encode(args) => encode(args)?,
        PprlCommand::Match(args) => match_files(args)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn read_secret(args: &EncodeArgs) -> anyhow::Result<Vec<u8>> {
    let lang = args.lang.lang;
    let secret = match (&args.secret, &args.secret_file) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(path)) => {
            let mut bytes = std::fs::read(path).with_context(|| cannot_read(lang, path))?;
            if bytes.ends_with(b"\n") {
                bytes.pop();
                if bytes.ends_with(b"\r") {
                    bytes.pop();
                }
            }
            bytes
        }
        (None, None) => bail!(tr!(
            lang,
            "dé el secreto compartido con --secret o --secret-file",
            "give the shared secret with --secret or --secret-file",
        )),
    };
    if secret.is_empty() {
        bail!(tr!(lang, "el secreto está vacío", "the secret is empty"));
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

/// "cannot read FILE" in the command's language.
fn cannot_read(lang: Lang, path: &Path) -> String {
    let path = path.display();
    tr!(lang, "no se puede leer {path}", "cannot read {path}")
}

fn read_csv(path: &Path, lang: Lang) -> anyhow::Result<CsvRows> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .with_context(|| cannot_read(lang, path))?;
    let mut rows = reader.records();
    let name = path.display();
    let header = match rows.next() {
        Some(row) => row
            .with_context(|| {
                tr!(
                    lang,
                    "{name}: línea 1: no se puede leer el encabezado",
                    "{name}: line 1: cannot read the header",
                )
            })?
            .iter()
            .map(str::to_string)
            .collect(),
        None => bail!(tr!(
            lang,
            "{name}: el archivo está vacío (se espera una fila de encabezado)",
            "{name}: the file is empty (a header row is expected)",
        )),
    };
    let mut records = Vec::new();
    let mut lines = Vec::new();
    for row in rows {
        let row = row.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            anyhow!(tr!(
                lang,
                "{name}: línea {line}: CSV no válido: {e}",
                "{name}: line {line}: not valid CSV: {e}",
            ))
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

/// A library error (already in the command's language) after the file it is about.
fn in_file(path: &Path, message: String) -> anyhow::Error {
    anyhow!("{}: {message}", path.display())
}

fn encode(args: EncodeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let lang = args.lang.lang;
    let secret = read_secret(&args)?;
    let rows = read_csv(&args.input, lang)?;
    let header: Vec<&str> = rows.header.iter().map(String::as_str).collect();
    let input = &args.input;
    let bar = LocalizedBar {
        bar: Bar::new(),
        lang,
    };
    bar.stage("encoding", rows.records.len() as u64);
    let advance = |units: u64| bar.advance(units);
    let (encodings, bits) = if args.profile == Some(ProfileArg::Latam) {
        let country = match &args.country {
            Some(code) => Some(Country::from_code(code).ok_or_else(|| {
                anyhow!(tr!(
                    lang,
                    "--country: código de país desconocido '{code}'",
                    "--country: unknown country code '{code}'",
                ))
            })?),
            None => None,
        };
        let profile = LatamProfile::new(&secret, country);
        let columns =
            LatamColumns::from_header(&header).map_err(|e| in_file(input, e.message(lang)))?;
        let encodings = profile
            .encode_all(&columns, &rows.records, &rows.lines, &advance)
            .map_err(|e| in_file(input, e.message(lang)))?;
        (encodings, profile.encoder().encoding_bytes() * 8)
    } else {
        let schema_path = args.schema.as_ref().ok_or_else(|| {
            anyhow!(tr!(
                lang,
                "dé --schema ESQUEMA.json o --profile latam",
                "give --schema SCHEMA.json or --profile latam",
            ))
        })?;
        let text =
            std::fs::read_to_string(schema_path).with_context(|| cannot_read(lang, schema_path))?;
        let schema = LinkageSchema::from_json_str(&text)
            .map_err(|e| in_file(schema_path, e.message(lang)))?;
        let encoder =
            Encoder::new(schema, &secret).map_err(|e| in_file(schema_path, e.message(lang)))?;
        encoder
            .check_header(&header)
            .map_err(|e| in_file(input, e.message(lang)))?;
        let encodings = encoder
            .encode_all(&rows.records, &rows.lines, &advance)
            .map_err(|e| in_file(input, e.message(lang)))?;
        (encodings, encoder.schema().l)
    };
    bar.bar.finish();
    write_atomically(&args.out, clk_file::to_json(&encodings).as_bytes(), lang)?;
    let (count, out, seconds) = (
        encodings.len(),
        args.out.display(),
        started.elapsed().as_secs_f64(),
    );
    eprintln!(
        "{}",
        tr!(
            lang,
            "{count} registros codificados ({bits} bits cada uno) en {out} ({seconds:.2} s)",
            "{count} records encoded ({bits} bits each) into {out} ({seconds:.2} s)",
        )
    );
    Ok(())
}

fn match_files(args: MatchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let lang = args.lang.lang;
    let threshold = Threshold::parse(&args.threshold)
        .map_err(|e| anyhow!("--threshold: {}", e.message(lang)))?;
    let mut datasets = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let text = std::fs::read_to_string(path).with_context(|| cannot_read(lang, path))?;
        let encodings = clk_file::from_json(&text).map_err(|e| in_file(path, e.message(lang)))?;
        datasets.push(EncodingMatrix::from_encodings(&encodings));
    }
    let first_with_rows = datasets.iter().position(|d| !d.is_empty());
    if let Some(first) = first_with_rows {
        let expected = datasets[first].encoding_bytes();
        for (index, dataset) in datasets.iter().enumerate() {
            if !dataset.is_empty() && dataset.encoding_bytes() != expected {
                let (file, found, first_file) = (
                    args.files[index].display(),
                    dataset.encoding_bytes(),
                    args.files[first].display(),
                );
                bail!(tr!(
                    lang,
                    "{file}: codificaciones de {found} bytes donde {first_file} tiene codificaciones de {expected} bytes (¿se hicieron con el mismo esquema?)",
                    "{file}: encodings of {found} bytes where {first_file} has encodings of {expected} bytes (were they made with the same schema?)",
                ));
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
    let bar = LocalizedBar {
        bar: Bar::new(),
        lang,
    };
    let result = match_datasets(&datasets, threshold, blocking, &bar).map_err(|e| {
        let message = e.message(lang);
        anyhow!(tr!(
            lang,
            "no se puede emparejar: {message}",
            "cannot match: {message}",
        ))
    })?;
    bar.bar.finish();
    let mut out = Vec::with_capacity(64 * result.pairs.len() + 64);
    writeln!(out, "dataset_l,row_l,dataset_r,row_r,similarity")?;
    for pair in &result.pairs {
        writeln!(
            out,
            "{},{},{},{},{:.6}",
            pair.dataset_l, pair.row_l, pair.dataset_r, pair.row_r, pair.similarity
        )?;
    }
    write_atomically(&args.out, &out, lang)?;
    let d = &result.diagnostics;
    let records: Vec<String> = d.records.iter().map(|n| n.to_string()).collect();
    let method = match blocking {
        Blocking::AllPairs => tr!(
            lang,
            "todos los pares, cota de popcount",
            "all pairs, popcount bound",
        ),
        Blocking::Lsh {
            bands,
            bits_per_band,
            ..
        } => tr!(
            lang,
            "bloqueo LSH, {bands} bandas de {bits_per_band} bits",
            "LSH blocking, {bands} bands of {bits_per_band} bits",
        ),
    };
    if d.skipped_blocks > 0 {
        let (blocks, pairs) = (d.skipped_blocks, d.skipped_block_pairs);
        eprintln!(
            "{}",
            tr!(
                lang,
                "aviso: se omitieron {blocks} bloques demasiado grandes para comparar ({pairs} pares)",
                "warning: {blocks} blocks too large to compare were skipped ({pairs} pairs)",
            )
        );
    }
    let (datasets_count, records, comparisons, pairs_total, candidates, threshold, groups) = (
        d.records.len(),
        records.join(" + "),
        d.comparisons,
        d.all_pairs,
        d.candidate_pairs,
        threshold.value(),
        result.groups.len(),
    );
    let (matched, seconds) = (result.pairs.len(), started.elapsed().as_secs_f64());
    eprintln!(
        "{}",
        tr!(
            lang,
            "{datasets_count} conjuntos de datos ({records} registros), {comparisons} comparaciones de {pairs_total} pares ({method}), {candidates} pares candidatos con similitud de al menos {threshold}, {groups} grupos, {matched} pares emparejados ({seconds:.2} s)",
            "{datasets_count} datasets ({records} records), {comparisons} comparisons of {pairs_total} pairs ({method}), {candidates} candidate pairs at or above {threshold}, {groups} groups, {matched} matched pairs ({seconds:.2} s)",
        )
    );
    Ok(())
}

/// Writes a file through a temporary file in the same directory, so that a failure leaves
/// nothing behind and readers never see half a file.
fn write_atomically(path: &Path, bytes: &[u8], lang: Lang) -> anyhow::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let cannot_write = |place: &Path| {
        let place = place.display();
        tr!(lang, "no se puede escribir {place}", "cannot write {place}")
    };
    let mut file =
        tempfile::NamedTempFile::new_in(&directory).with_context(|| cannot_write(&directory))?;
    file.write_all(bytes).with_context(|| cannot_write(path))?;
    file.persist(path).with_context(|| cannot_write(path))?;
    Ok(())
}
