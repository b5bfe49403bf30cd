//! Accuracy regressions on FEBRL (from `../shared/data/febrl` relative to the repository root) and
//! on the Latin American set of `puente-synth`. The floors are below what the engine reaches (see
//! the crate's README) so that a real regression fails, not noise.

use std::path::PathBuf;

use puente_linkage::evaluate::{evaluate_dedupe, evaluate_link, Evaluation};
use puente_linkage::{dedupe, link, Column, FieldKind, NoProgress, Settings, Table};

fn febrl_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/febrl");
    if dir.join("dataset3.csv").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: FEBRL data missing at {} (expected ../shared/data/febrl from the repository root)",
            dir.display()
        );
        None
    }
}

/// Reads a FEBRL file: comma-separated, values with a leading space, the id first.
fn read_febrl(path: PathBuf) -> Table {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').map(str::trim).collect();
    let mut table = Table {
        ids: Vec::new(),
        columns: header[1..]
            .iter()
            .map(|name| Column {
                name: name.to_string(),
                kind: FieldKind::from_header(name),
                values: Vec::new(),
            })
            .collect(),
    };
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        table.ids.push(cells[0].to_string());
        for (column, cell) in table.columns.iter_mut().zip(&cells[1..]) {
            column
                .values
                .push((!cell.is_empty()).then(|| cell.to_string()));
        }
    }
    table
}

/// The default settings with a smaller random sample for u, so that the test stays fast in a debug
/// build (the benchmark uses the defaults).
fn settings() -> Settings {
    Settings {
        random_pairs: 200_000,
        ..Settings::default()
    }
}

fn pairs(linkage: &puente_linkage::Linkage) -> Vec<(u32, u32)> {
    linkage.pairs.iter().map(|p| (p.left, p.right)).collect()
}

fn assert_floor(name: &str, evaluation: Evaluation, f1: f64) {
    eprintln!("{name}: {evaluation:?}");
    assert!(
        evaluation.f1 >= f1,
        "{name}: F1 {:.4} below {f1}: {evaluation:?}",
        evaluation.f1
    );
}

#[test]
fn febrl3_dedupe_reaches_the_target() {
    let Some(dir) = febrl_dir() else { return };
    let table = read_febrl(dir.join("dataset3.csv"));
    let linkage = dedupe(&table, &settings(), &NoProgress).unwrap();
    assert!(linkage.diagnostics.learned);
    assert_floor(
        "FEBRL3",
        evaluate_dedupe(&table.ids, &pairs(&linkage)),
        0.998,
    );
}

#[test]
fn febrl4_link_reaches_the_target() {
    let Some(dir) = febrl_dir() else { return };
    let left = read_febrl(dir.join("dataset4a.csv"));
    let right = read_febrl(dir.join("dataset4b.csv"));
    let linkage = link(&left, &right, &settings(), &NoProgress).unwrap();
    assert_floor(
        "FEBRL4",
        evaluate_link(&left.ids, &right.ids, &pairs(&linkage)),
        0.9997,
    );
}

#[test]
fn latin_american_set_reaches_the_target() {
    let records = puente_synth::linkage_set::generate(5_000, 7);
    let columns = puente_synth::linkage_set::COLUMNS;
    let table = Table {
        ids: records.iter().map(|r| r.id.clone()).collect(),
        columns: (1..columns.len())
            .map(|c| Column {
                name: columns[c].to_string(),
                kind: FieldKind::from_header(columns[c]),
                values: records
                    .iter()
                    .map(|r| {
                        Some(r.values()[c])
                            .filter(|v| !v.is_empty())
                            .map(str::to_string)
                    })
                    .collect(),
            })
            .collect(),
    };
    let settings = Settings {
        default_country: puente_core::Country::from_alpha_2("GT"),
        ..settings()
    };
    let linkage = dedupe(&table, &settings, &NoProgress).unwrap();
    assert_floor(
        "Latin American set",
        evaluate_dedupe(&table.ids, &pairs(&linkage)),
        0.95,
    );
}
