//! The linkage benchmark: accuracy, time, memory and scoring speed on FEBRL 1–4, the Latin American
//! set and a million synthetic records.
//!
//! ```text
//! cargo run --release -p puente-linkage --example bench -- --data ../shared/data [--records 1000000] [--only NAME]
//! ```
//!
//! Each data set runs in its own process so that its peak memory (VmHWM) is its own. Wall time
//! covers the whole engine run (normalising, blocking, learning, scoring, clustering) and, in the
//! "total" column, reading the file too. Examples may do I/O; the engine does not.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use puente_linkage::evaluate::{evaluate_dedupe, evaluate_link, Evaluation};
use puente_linkage::{
    dedupe, link, ClusterMethod, Column, FieldKind, Linkage, NoProgress, Settings, Table,
};

const SETS: [&str; 6] = ["febrl1", "febrl2", "febrl3", "febrl4", "latam", "synthetic"];

struct Args {
    data: PathBuf,
    records: usize,
    only: Option<String>,
    sets: Vec<String>,
    verbose: bool,
    misses: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        data: PathBuf::from("../shared/data"),
        records: 1_000_000,
        only: None,
        sets: SETS.iter().map(|s| s.to_string()).collect(),
        verbose: false,
        misses: false,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        let mut value = || iter.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--data" => args.data = PathBuf::from(value()?),
            "--records" => {
                args.records = value()?.parse().map_err(|e| format!("--records: {e}"))?
            }
            "--only" => args.only = Some(value()?),
            "--sets" => args.sets = value()?.split(',').map(str::to_string).collect(),
            "--verbose" => args.verbose = true,
            "--misses" => args.misses = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// Reads a FEBRL file: plain comma-separated values with a leading space; the first column is the id.
fn read_febrl(path: &Path) -> Result<Table, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(|h| h.trim().to_string())
        .collect();
    let mut table = Table {
        ids: Vec::new(),
        columns: header[1..]
            .iter()
            .map(|name| Column {
                name: name.clone(),
                kind: FieldKind::from_header(name),
                values: Vec::new(),
            })
            .collect(),
    };
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        table.ids.push(cells[0].to_string());
        for (column, cell) in table.columns.iter_mut().zip(&cells[1..]) {
            column
                .values
                .push((!cell.is_empty()).then(|| cell.to_string()));
        }
    }
    Ok(table)
}

/// The Latin American set of `puente-synth` as a table.
fn latam_table(records: usize, seed: u64) -> Table {
    let set = puente_synth::linkage_set::generate(records, seed);
    let columns = puente_synth::linkage_set::COLUMNS;
    Table {
        ids: set.iter().map(|r| r.id.clone()).collect(),
        columns: (1..columns.len())
            .map(|c| Column {
                name: columns[c].to_string(),
                kind: FieldKind::from_header(columns[c]),
                values: set
                    .iter()
                    .map(|r| {
                        Some(r.values()[c])
                            .filter(|v| !v.is_empty())
                            .map(str::to_string)
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Prints the true pairs missed and the false pairs found at 0.5, with their weights.
fn print_misses(left: &Table, right: &Table, linked: Option<()>, settings: &Settings) {
    use puente_linkage::evaluate::entity_of;
    let settings = Settings {
        threshold: 0.0,
        explain: true,
        ..settings.clone()
    };
    let linkage = match linked {
        None => dedupe(left, &settings, &NoProgress).unwrap(),
        Some(()) => link(left, right, &settings, &NoProgress).unwrap(),
    };
    let row = |t: &Table, i: u32| -> String {
        let mut s = t.ids[i as usize].clone();
        for c in &t.columns {
            s.push_str(" | ");
            s.push_str(c.values[i as usize].as_deref().unwrap_or(""));
        }
        s
    };
    let mut found = std::collections::HashSet::new();
    for p in &linkage.pairs {
        let same = entity_of(&left.ids[p.left as usize]) == entity_of(&right.ids[p.right as usize]);
        if same {
            found.insert((p.left, p.right));
        }
        if same != (p.probability >= 0.5) {
            eprintln!(
                "{} p={:.3} w={:.1}",
                if same { "FN" } else { "FP" },
                p.probability,
                p.match_weight
            );
            eprintln!("   {}\n   {}", row(left, p.left), row(right, p.right));
            let w: Vec<String> = p.weights.iter().map(|w| format!("{w:.1}")).collect();
            eprintln!("   weights {}", w.join(" "));
        }
    }
    // True pairs never compared.
    let mut by_entity: std::collections::HashMap<&str, Vec<u32>> = Default::default();
    for (i, id) in right.ids.iter().enumerate() {
        by_entity.entry(entity_of(id)).or_default().push(i as u32);
    }
    for (i, id) in left.ids.iter().enumerate() {
        for j in by_entity.get(entity_of(id)).into_iter().flatten() {
            let pair = (i as u32, *j);
            if (linked.is_some() || pair.0 < pair.1) && !found.contains(&pair) {
                eprintln!(
                    "NOT BLOCKED\n   {}\n   {}",
                    row(left, pair.0),
                    row(right, pair.1)
                );
            }
        }
    }
}

fn peak_memory_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn pairs(linkage: &Linkage) -> Vec<(u32, u32)> {
    linkage.pairs.iter().map(|p| (p.left, p.right)).collect()
}

fn report(linkage: &Linkage, verbose: bool) {
    if !verbose {
        return;
    }
    let d = &linkage.diagnostics;
    eprintln!(
        "  candidates {} ({:?})",
        d.candidate_pairs, d.pairs_per_rule
    );
    eprintln!("  skipped blocks {}", d.skipped_blocks.len());
    eprintln!("  seconds {:?}", d.seconds);
    eprintln!(
        "  lambda {:e}, em iterations {}",
        linkage.model.lambda, d.em_iterations
    );
    for f in &linkage.model.fields {
        let w: Vec<String> = (1..f.m.len())
            .map(|l| format!("{}={:.1}", f.kind.levels()[l], f.weight(l)))
            .collect();
        eprintln!("  {}: {}", f.field, w.join(" "));
    }
}

/// Runs one data set in this process and prints one tab-separated result line.
fn run_one(name: &str, args: &Args) -> Result<(), String> {
    let febrl = args.data.join("febrl");
    let total = Instant::now();
    let settings = Settings {
        cluster: Some(ClusterMethod::Connected),
        ..Settings::default()
    };
    let (evaluation, linkage, records, engine_seconds): (Evaluation, Linkage, usize, f64) =
        match name {
            "febrl1" | "febrl2" | "febrl3" => {
                let file = format!("dataset{}.csv", &name[5..]);
                let table = read_febrl(&febrl.join(file))?;
                let start = Instant::now();
                let linkage = dedupe(&table, &settings, &NoProgress).map_err(|e| e.to_string())?;
                let seconds = start.elapsed().as_secs_f64();
                if args.misses {
                    print_misses(&table, &table, None, &settings);
                }
                (
                    evaluate_dedupe(&table.ids, &pairs(&linkage)),
                    linkage,
                    table.len(),
                    seconds,
                )
            }
            "febrl4" => {
                let left = read_febrl(&febrl.join("dataset4a.csv"))?;
                let right = read_febrl(&febrl.join("dataset4b.csv"))?;
                let start = Instant::now();
                let linkage =
                    link(&left, &right, &settings, &NoProgress).map_err(|e| e.to_string())?;
                let seconds = start.elapsed().as_secs_f64();
                if args.misses {
                    print_misses(&left, &right, Some(()), &settings);
                }
                let records = left.len() + right.len();
                (
                    evaluate_link(&left.ids, &right.ids, &pairs(&linkage)),
                    linkage,
                    records,
                    seconds,
                )
            }
            "latam" | "synthetic" => {
                let (records, seed) = if name == "latam" {
                    (10_000, 7)
                } else {
                    (args.records, 11)
                };
                let table = latam_table(records, seed);
                let settings = Settings {
                    default_country: puente_core::Country::from_alpha_2("GT"),
                    ..settings
                };
                let start = Instant::now();
                let linkage = dedupe(&table, &settings, &NoProgress).map_err(|e| e.to_string())?;
                let seconds = start.elapsed().as_secs_f64();
                if args.misses {
                    print_misses(&table, &table, None, &settings);
                }
                (
                    evaluate_dedupe(&table.ids, &pairs(&linkage)),
                    linkage,
                    table.len(),
                    seconds,
                )
            }
            other => return Err(format!("unknown data set {other}")),
        };
    report(&linkage, args.verbose);
    println!(
        "RESULT\t{name}\t{records}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.2}\t{:.2}\t{:.0}\t{:.1}\t{}\t{}",
        linkage.diagnostics.candidate_pairs,
        evaluation.precision,
        evaluation.recall,
        evaluation.f1,
        engine_seconds,
        total.elapsed().as_secs_f64(),
        peak_memory_mb(),
        linkage.diagnostics.comparisons_per_second / 1e6,
        evaluation.false_positives,
        evaluation.false_negatives,
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(name) = &args.only {
        return match run_one(name, &args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if !args.data.join("febrl").is_dir() {
        eprintln!(
            "note: FEBRL data not found at {} (expected ../shared/data/febrl); FEBRL sets skipped",
            args.data.join("febrl").display()
        );
    }
    println!(
        "| data set | records | candidate pairs | precision | recall | F1 | engine s | total s | peak MB | M comparisons/s | FP | FN |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let exe = std::env::current_exe().expect("the benchmark's own path");
    for name in &args.sets {
        if name.starts_with("febrl") && !args.data.join("febrl").is_dir() {
            continue;
        }
        let mut command = Command::new(&exe);
        command
            .args(["--only", name, "--data"])
            .arg(&args.data)
            .args(["--records", &args.records.to_string()]);
        if args.verbose {
            command.arg("--verbose");
        }
        let output = match command.output() {
            Ok(output) => output,
            Err(e) => {
                eprintln!("error: cannot run {name}: {e}");
                return ExitCode::FAILURE;
            }
        };
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8_lossy(&output.stdout);
        match stdout.lines().find(|l| l.starts_with("RESULT\t")) {
            Some(line) => {
                let cells: Vec<&str> = line.split('\t').skip(1).collect();
                println!("| {} |", cells.join(" | "));
            }
            None => {
                eprintln!("error: {name} failed");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
