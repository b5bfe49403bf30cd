//! Benchmark helpers for `bench/pprl.sh`.
//!
//! - `bench two-orgs DIR RECORDS SEED`: writes `DIR/a.csv` and `DIR/b.csv`, the same people
//!   written by two organisations (`puente_synth::linkage_set`): every person's first record in
//!   `a.csv`; their first duplicate, with its errors, in `b.csv`, which is filled up to the size of
//!   `a.csv` with people of another seed (ids `other-...`, in no truth pair).
//! - `bench evaluate PAIRS.csv A.csv B.csv`: precision, recall and F1 of `puente pprl match`
//!   output against the ids (`rec-<n>-...` is person `n`, FEBRL's convention).
//! - `bench latam-options A.csv B.csv`: the profile's F1 at its best threshold with each hardening
//!   option switched off in turn, to show what each costs.
//! - `bench dice-rate A.json B.json THRESHOLD COPIES`: all-pairs Dice comparisons per second
//!   (each file repeated COPIES times), the way anonlink's benchmark counts them.

use std::collections::HashMap;
use std::time::Instant;

use puente_linkage::NoProgress;
use puente_pprl::clk_file;
use puente_pprl::matching::{candidate_pairs, Blocking, EncodingMatrix, Threshold};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("two-orgs") => two_orgs(&args[1], args[2].parse().unwrap(), args[3].parse().unwrap()),
        Some("evaluate") => evaluate(&args[1], &args[2], &args[3]),
        Some("latam-options") => latam_options(&args[1], &args[2]),
        Some("dice-rate") => dice_rate(
            &args[1],
            &args[2],
            args[3].parse().unwrap(),
            args[4].parse().unwrap(),
        ),
        _ => {
            eprintln!("usage: bench two-orgs DIR RECORDS SEED | evaluate PAIRS.csv A.csv B.csv | dice-rate A.json B.json THRESHOLD COPIES");
            std::process::exit(2);
        }
    }
}

fn quote(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

fn row(values: &[&str]) -> String {
    let cells: Vec<String> = values.iter().map(|v| quote(v)).collect();
    cells.join(",") + "\n"
}

fn two_orgs(directory: &str, records: usize, seed: u64) {
    use puente_synth::linkage_set::{generate, COLUMNS};
    let set = generate(records, seed);
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut duplicate: HashMap<String, usize> = HashMap::new();
    for (index, record) in set.iter().enumerate() {
        let entity = entity_of(&record.id).unwrap().to_string();
        if record.id.ends_with("-org") {
            first.insert(entity, index);
        } else if record.id.ends_with("-dup-0") {
            duplicate.insert(entity, index);
        }
    }
    let header = row(&COLUMNS);
    let mut a = header.clone();
    let mut b = header;
    let mut a_count: usize = 0;
    let mut b_count: usize = 0;
    let mut entities: Vec<&String> = first.keys().collect();
    entities.sort_by_key(|e| e.parse::<u64>().unwrap_or(0));
    for entity in entities {
        a.push_str(&row(&set[first[entity]].values()));
        a_count += 1;
        if let Some(&index) = duplicate.get(entity) {
            b.push_str(&row(&set[index].values()));
            b_count += 1;
        }
    }
    let others = generate(a_count.saturating_sub(b_count) * 2 + 10, seed + 1000);
    for record in others.iter().filter(|r| r.id.ends_with("-org")) {
        if b_count >= a_count {
            break;
        }
        let mut record = record.clone();
        record.id = format!("other-{}", record.id);
        b.push_str(&row(&record.values()));
        b_count += 1;
    }
    std::fs::create_dir_all(directory).unwrap();
    std::fs::write(format!("{directory}/a.csv"), a).unwrap();
    std::fs::write(format!("{directory}/b.csv"), b).unwrap();
    eprintln!("{a_count} records in a.csv, {b_count} in b.csv");
}

/// `rec-<n>-...` is person `n`.
fn entity_of(id: &str) -> Option<&str> {
    let rest = id.trim().strip_prefix("rec-")?;
    rest.split('-').next()
}

fn ids(path: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .unwrap();
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "rec_id")
        .expect("a rec_id column");
    reader
        .records()
        .map(|r| r.unwrap()[column].to_string())
        .collect()
}

fn evaluate(pairs_path: &str, a_path: &str, b_path: &str) {
    let a = ids(a_path);
    let b = ids(b_path);
    let in_b: HashMap<&str, ()> = b
        .iter()
        .filter_map(|id| entity_of(id))
        .map(|e| (e, ()))
        .collect();
    let truth = a
        .iter()
        .filter_map(|id| entity_of(id))
        .filter(|e| in_b.contains_key(e))
        .count();
    let mut reader = csv::Reader::from_path(pairs_path).unwrap();
    let (mut true_positives, mut false_positives) = (0usize, 0usize);
    for record in reader.records() {
        let record = record.unwrap();
        let row_l: usize = record[1].parse().unwrap();
        let row_r: usize = record[3].parse().unwrap();
        let same = match (entity_of(&a[row_l]), entity_of(&b[row_r])) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        };
        if same {
            true_positives += 1;
        } else {
            false_positives += 1;
        }
    }
    let precision = true_positives as f64 / (true_positives + false_positives).max(1) as f64;
    let recall = true_positives as f64 / truth.max(1) as f64;
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    println!(
        "precision {precision:.4} recall {recall:.4} F1 {f1:.4} (true pairs {truth}, found {true_positives}, false {false_positives}, missed {})",
        truth - true_positives
    );
}

fn dice_rate(a_path: &str, b_path: &str, threshold: f64, copies: usize) {
    let load = |path: &str| {
        let clks = clk_file::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let repeated: Vec<Vec<u8>> = (0..copies).flat_map(|_| clks.iter().cloned()).collect();
        EncodingMatrix::from_encodings(&repeated)
    };
    let datasets = [load(a_path), load(b_path)];
    let threshold = Threshold::new(threshold).unwrap();
    // One warm-up run, then the timed one.
    let _ = candidate_pairs(&datasets, threshold, Blocking::AllPairs, &NoProgress).unwrap();
    let started = Instant::now();
    let (candidates, diagnostics) =
        candidate_pairs(&datasets, threshold, Blocking::AllPairs, &NoProgress).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} x {} records, {} pairs, {} Dice computed (popcount bound), {} candidates, {seconds:.3} s: {:.1} M pairs/s, {:.1} M Dice/s",
        datasets[0].len(),
        datasets[1].len(),
        diagnostics.all_pairs,
        diagnostics.comparisons,
        candidates.len(),
        diagnostics.all_pairs as f64 / seconds / 1e6,
        diagnostics.comparisons as f64 / seconds / 1e6
    );
}

fn read_rows(path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn latam_options(a_path: &str, b_path: &str) {
    use puente_pprl::latam::{LatamColumns, LatamProfile, PROFILE_SCHEMA};
    use puente_pprl::matching::match_datasets;
    use puente_pprl::{Hardening, LinkageSchema};
    let (header, a_rows) = read_rows(a_path);
    let (_, b_rows) = read_rows(b_path);
    let a_ids: Vec<&str> = a_rows.iter().map(|r| r[0].as_str()).collect();
    let b_ids: Vec<&str> = b_rows.iter().map(|r| r[0].as_str()).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let columns = LatamColumns::from_header(&header).unwrap();
    let in_b: std::collections::HashSet<&str> =
        b_ids.iter().filter_map(|id| entity_of(id)).collect();
    let truth = a_ids
        .iter()
        .filter(|id| entity_of(id).is_some_and(|e| in_b.contains(e)))
        .count();
    let unfolded = PROFILE_SCHEMA.replace("\"xor_folds\": 1", "\"xor_folds\": 0");
    let variants = [
        ("no hardening", unfolded.clone(), Hardening::default()),
        (
            "salt only",
            unfolded.clone(),
            Hardening {
                record_salt_feature: LatamProfile::hardening().record_salt_feature,
                balanced: false,
            },
        ),
        (
            "balanced only",
            unfolded,
            Hardening {
                record_salt_feature: None,
                balanced: true,
            },
        ),
        (
            "XOR folding only",
            PROFILE_SCHEMA.to_string(),
            Hardening::default(),
        ),
        (
            "profile (all three)",
            PROFILE_SCHEMA.to_string(),
            LatamProfile::hardening(),
        ),
    ];
    println!("| hardening | best threshold | precision | recall | F1 |");
    println!("|---|---:|---:|---:|---:|");
    for (name, schema_text, hardening) in variants {
        let schema = LinkageSchema::from_json_str(&schema_text).unwrap();
        let country = puente_core::Country::from_alpha_2("GT");
        let profile =
            LatamProfile::with_hardening(b"benchmark secret", country, schema, hardening).unwrap();
        let encode = |rows: &[Vec<String>]| {
            let lines: Vec<usize> = (2..rows.len() + 2).collect();
            let encodings = profile.encode_all(&columns, rows, &lines, &|_| {}).unwrap();
            EncodingMatrix::from_encodings(&encodings)
        };
        let datasets = [encode(&a_rows), encode(&b_rows)];
        let mut best = (0.0, 0.0, 0.0, 0.0);
        for step in 0..18 {
            let t = 0.60 + 0.02 * step as f64;
            let result = match_datasets(
                &datasets,
                Threshold::new(t).unwrap(),
                Blocking::AllPairs,
                &NoProgress,
            )
            .unwrap();
            let correct = result
                .pairs
                .iter()
                .filter(|p| entity_of(a_ids[p.row_l]) == entity_of(b_ids[p.row_r]))
                .count();
            let precision = correct as f64 / result.pairs.len().max(1) as f64;
            let recall = correct as f64 / truth.max(1) as f64;
            let f1 = if correct == 0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            if f1 > best.3 {
                best = (t, precision, recall, f1);
            }
        }
        println!(
            "| {name} | {:.2} | {:.4} | {:.4} | {:.4} |",
            best.0, best.1, best.2, best.3
        );
    }
}
