//! The entity-resolution engine: finds the same person across records written
//! differently, with normalisation built for Latin American names and a Fellegi–Sunter model that
//! learns from the records themselves.
//!
//! Pure: data in, data and diagnostics out. No I/O, no async. The `puente link` command and the
//! web app are the glue.
//!
//! The pipeline of [`dedupe`] and [`link`]:
//! 1. [`Features`]: every value normalised once and interned (accents folded, names split into
//!    units with their particles, phonetic keys, nickname groups, phones in E.164, partial dates).
//! 2. [`blocking`]: candidate pairs from OR-ed blocking rules, each pair once, over-large groups
//!    skipped and reported.
//! 3. [`model`]: u from random pairs, m by expectation-maximisation per blocking rule, λ as a fixed
//!    point over the candidates; term-frequency adjustment of exact agreement.
//! 4. Scoring of every candidate pair (in parallel), then clusters ([`cluster`]).
//!
//! [`find_duplicates`] scores one new record against existing ones, with explanations, for the
//! duplicate warnings of the web app.

// Numeric loops over parallel arrays (fields, levels) read best with an index.
#![allow(clippy::needless_range_loop)]

/// Blocking rules and candidate pairs.
pub mod blocking;
/// Clusters from scored pairs.
pub mod cluster;
/// Partial dates and their comparison.
pub mod date;
/// Precision, recall and F1 against known truth (for tests and the benchmark).
pub mod evaluate;
/// Per-record features.
pub mod features;
/// The Fellegi–Sunter model.
pub mod model;
/// Folding, name splitting, nicknames and the Spanish phonetic key.
pub mod normalize;
/// Phones in E.164.
pub mod phone;
/// Tables, columns and field kinds.
pub mod schema;
/// The keys a person is found by (search and the duplicate check's blocks).
pub mod search_keys;
/// Jaro-Winkler and edit distance.
pub mod similarity;

use std::time::Instant;

use puente_core::Country;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use blocking::{BlockingKey, BlockingRule, KeyTransform, SkippedBlock};
pub use cluster::ClusterMethod;
pub use features::Features;
use features::FxHashMap;
pub use model::{FieldModel, Model};
use model::{Patterns, Scorer};
pub use schema::{Column, FieldKind, Table};

/// What went wrong, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkageError {
    #[error("blocking rule {rule:?}: {reason}")]
    BadRule { rule: String, reason: String },
    #[error("column {column:?} has {found} values for {expected} records")]
    RaggedColumn {
        column: String,
        expected: usize,
        found: usize,
    },
    #[error("the tables to link have different columns: {left:?} and {right:?}")]
    DifferentColumns {
        left: Vec<String>,
        right: Vec<String>,
    },
    #[error("{count} columns are compared; at most 16 are supported")]
    TooManyFields { count: usize },
    #[error("the model has fields {model:?} but the records have {records:?}")]
    ModelMismatch {
        model: Vec<String>,
        records: Vec<String>,
    },
    #[error("the threshold must be between 0 and 1, not {0}")]
    BadThreshold(f64),
}

/// How a run behaves. `Settings::default()` suits most files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Pairs at or above this match probability are returned.
    pub threshold: f64,
    /// Blocking rules; `None` picks them from the columns ([`blocking::default_rules`]).
    pub blocking: Option<Vec<BlockingRule>>,
    /// Groups that would produce more pairs than this are skipped (and reported).
    pub max_block_pairs: u64,
    /// Random pairs sampled to estimate u (all pairs when there are fewer).
    pub random_pairs: usize,
    /// Candidate pairs used for EM (a uniform sample when there are more).
    pub training_pairs: usize,
    /// The most iterations of one EM session.
    pub em_iterations: usize,
    /// Rounds of (m, λ, u) estimation.
    pub training_rounds: usize,
    /// Seed of the random-pair sample: runs are reproducible.
    pub seed: u64,
    /// Country assumed for phone numbers without a calling code, unless the record has a
    /// nationality in the region.
    pub default_country: Option<Country>,
    /// Clusters to compute, if any.
    pub cluster: Option<ClusterMethod>,
    /// Keep each returned pair's weight per field.
    pub explain: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            threshold: 0.5,
            blocking: None,
            max_block_pairs: 100_000,
            random_pairs: 400_000,
            training_pairs: 2_000_000,
            em_iterations: 50,
            training_rounds: 2,
            seed: 42,
            default_country: None,
            cluster: None,
            explain: false,
        }
    }
}

/// Reports progress of long runs (the command line shows a bar). Every method has a default that
/// does nothing.
pub trait Progress: Sync {
    /// A stage begins, with `total` units of work (0 when unknown).
    fn stage(&self, _name: &str, _total: u64) {}
    /// `units` more units of the current stage are done.
    fn advance(&self, _units: u64) {}
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// A scored pair. Indexes are record positions: in [`link`], `left` indexes the left table and
/// `right` the right table; in [`dedupe`], both index the one table and `left < right`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPair {
    pub left: u32,
    pub right: u32,
    pub probability: f64,
    /// The total match weight, prior included: log2 of the posterior odds.
    pub match_weight: f64,
    /// With [`Settings::explain`]: the weight of each field, in column order.
    pub weights: Vec<f32>,
}

/// Fewer candidate pairs than this: the default model is used instead of learning.
pub const MIN_CANDIDATES_TO_LEARN: usize = 50;
/// Fewer possible pairs than this: the default model is used instead of learning.
pub const MIN_PAIRS_TO_LEARN: f64 = 5_000.0;

/// What happened in a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    pub records: usize,
    /// All pairs that could be compared.
    pub all_pairs: f64,
    pub candidate_pairs: u64,
    /// Per blocking rule: the rule and the new pairs it produced.
    pub pairs_per_rule: Vec<(String, u64)>,
    pub skipped_blocks: Vec<SkippedBlock>,
    pub random_pairs: u64,
    pub em_iterations: usize,
    /// Whether the model was learned from the records (false: too few, defaults used).
    pub learned: bool,
    /// Seconds per stage: features, blocking, learning, scoring, clustering.
    pub seconds: Vec<(String, f64)>,
    /// Comparisons scored per second in the scoring stage (all candidate pairs, every field).
    pub comparisons_per_second: f64,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Linkage {
    /// Pairs at or above the threshold, ordered by `(left, right)`.
    pub pairs: Vec<ScoredPair>,
    /// With [`Settings::cluster`]: a cluster number per record (for [`link`], left records first).
    pub clusters: Option<Vec<u32>>,
    /// The learned model: its m, u and λ explain every weight.
    pub model: Model,
    pub diagnostics: Diagnostics,
}

impl Linkage {
    /// The names of the compared fields, in the order of [`ScoredPair::weights`].
    pub fn field_names(&self) -> Vec<&str> {
        self.model.fields.iter().map(|f| f.field.as_str()).collect()
    }
}

/// Finds duplicates within one table.
pub fn dedupe(
    table: &Table,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Linkage, LinkageError> {
    check_table(table)?;
    run(&[table], None, settings, progress)
}

/// Finds the records of `left` and `right` that are the same person. The right table's columns
/// must have the same names as the left's (in any order).
pub fn link(
    left: &Table,
    right: &Table,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Linkage, LinkageError> {
    check_table(left)?;
    check_table(right)?;
    let names = |t: &Table| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let mut reordered = Table {
        ids: right.ids.clone(),
        columns: Vec::with_capacity(left.columns.len()),
    };
    for column in &left.columns {
        match right
            .columns
            .iter()
            .find(|c| c.name == column.name && c.kind == column.kind)
        {
            Some(found) => reordered.columns.push(found.clone()),
            None => {
                return Err(LinkageError::DifferentColumns {
                    left: names(left),
                    right: names(right),
                })
            }
        }
    }
    if reordered.columns.len() != right.columns.len() {
        return Err(LinkageError::DifferentColumns {
            left: names(left),
            right: names(right),
        });
    }
    let mut result = run(&[left, &reordered], Some(left.len()), settings, progress)?;
    let n = left.len() as u32;
    for pair in &mut result.pairs {
        pair.right -= n;
    }
    Ok(result)
}

fn check_table(table: &Table) -> Result<(), LinkageError> {
    for column in &table.columns {
        if column.values.len() != table.ids.len() {
            return Err(LinkageError::RaggedColumn {
                column: column.name.clone(),
                expected: table.ids.len(),
                found: column.values.len(),
            });
        }
    }
    if table.columns.len() > 16 {
        return Err(LinkageError::TooManyFields {
            count: table.columns.len(),
        });
    }
    Ok(())
}

/// A deterministic pseudo-random sequence (SplitMix64).
fn splitmix(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Counts the comparison patterns of `count` pairs given by `pair_at`, in parallel.
fn count_patterns<F>(
    count: usize,
    pair_at: F,
    features: &Features,
    keys: Option<&[Vec<u64>]>,
) -> Patterns
where
    F: Fn(usize) -> (usize, usize) + Sync,
{
    let chunk = 1 << 14;
    let maps: Vec<FxHashMap<(u64, u32), f64>> = (0..count.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let mut map: FxHashMap<(u64, u32), f64> = FxHashMap::default();
            for i in c * chunk..((c + 1) * chunk).min(count) {
                let (a, b) = pair_at(i);
                let pattern = model::pattern(features, a, b);
                let rules = keys.map(|k| blocking::rules_of(k, a, b)).unwrap_or(0);
                *map.entry((pattern, rules)).or_default() += 1.0;
            }
            map
        })
        .collect();
    let mut total: FxHashMap<(u64, u32), f64> = FxHashMap::default();
    for map in maps {
        for (key, value) in map {
            *total.entry(key).or_default() += value;
        }
    }
    let mut entries: Vec<(u64, u32, f64)> =
        total.into_iter().map(|((p, r), c)| (p, r, c)).collect();
    entries.sort_unstable_by_key(|x| (x.0, x.1));
    Patterns { entries }
}

fn run(
    tables: &[&Table],
    split: Option<usize>,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Linkage, LinkageError> {
    if !(0.0..=1.0).contains(&settings.threshold) {
        return Err(LinkageError::BadThreshold(settings.threshold));
    }
    let mut diagnostics = Diagnostics::default();
    let mut clock = Instant::now();
    let mut lap = |name: &str, diagnostics: &mut Diagnostics| {
        diagnostics
            .seconds
            .push((name.to_string(), clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };
    let schema = tables[0].schema();
    let n: usize = tables.iter().map(|t| t.len()).sum();
    diagnostics.records = n;
    progress.stage("normalising", 0);
    let features = Features::build_many(tables, settings.default_country);
    lap("features", &mut diagnostics);

    // Blocking.
    progress.stage("blocking", 0);
    let rules = match &settings.blocking {
        Some(rules) => rules.clone(),
        None => blocking::default_rules(&schema),
    };
    let mut keys = blocking::record_keys(&features, &rules)?;
    let found = blocking::candidates(
        &mut keys,
        &rules,
        Some(&features),
        split,
        settings.max_block_pairs,
    );
    diagnostics.candidate_pairs = found.pairs.len() as u64;
    diagnostics.pairs_per_rule = rules
        .iter()
        .map(|r| r.to_string())
        .zip(found.per_rule.iter().copied())
        .collect();
    diagnostics.skipped_blocks = found.skipped.clone();
    let pairs = found.pairs;
    lap("blocking", &mut diagnostics);

    // Learning.
    progress.stage("learning", 0);
    let all_pairs = match split {
        Some(left) => left as f64 * (n - left) as f64,
        None => n as f64 * (n as f64 - 1.0) / 2.0,
    };
    diagnostics.all_pairs = all_pairs;
    let mut model = Model::default_for(&schema);
    // Too few records or candidates to learn from: the default model, which suits people records.
    diagnostics.learned = pairs.len() >= MIN_CANDIDATES_TO_LEARN && all_pairs >= MIN_PAIRS_TO_LEARN;
    if diagnostics.learned {
        let random = if all_pairs <= settings.random_pairs as f64 {
            // Every pair: enumerate them.
            let all: Vec<(u32, u32)> = match split {
                Some(left) => (0..left)
                    .flat_map(|a| (left..n).map(move |b| (a as u32, b as u32)))
                    .collect(),
                None => (0..n)
                    .flat_map(|a| (a + 1..n).map(move |b| (a as u32, b as u32)))
                    .collect(),
            };
            count_patterns(
                all.len(),
                |i| (all[i].0 as usize, all[i].1 as usize),
                &features,
                None,
            )
        } else {
            let seed = settings.seed;
            count_patterns(
                settings.random_pairs,
                |i| {
                    let r = splitmix(seed ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
                    match split {
                        Some(left) => {
                            let a = (r % left as u64) as usize;
                            let b = left + ((r >> 32) % (n - left) as u64) as usize;
                            (a, b)
                        }
                        None => {
                            let a = (r % n as u64) as usize;
                            let mut b = (splitmix(r) % (n as u64 - 1)) as usize;
                            if b >= a {
                                b += 1;
                            }
                            (a.min(b), a.max(b))
                        }
                    }
                },
                &features,
                None,
            )
        };
        diagnostics.random_pairs = random.entries.iter().map(|e| e.2).sum::<f64>() as u64;
        // EM on a uniform sample of the candidates when there are many: the estimates are the
        // same and a million-record file learns in a second.
        let stride = pairs.len().div_ceil(settings.training_pairs.max(1)).max(1);
        let candidates = count_patterns(
            pairs.len().div_ceil(stride),
            |i| (pairs[i * stride].0 as usize, pairs[i * stride].1 as usize),
            &features,
            Some(&keys),
        );
        let scale = stride as f64;
        let candidates = Patterns {
            entries: candidates
                .entries
                .into_iter()
                .map(|(p, r, c)| (p, r, c * scale))
                .collect(),
        };
        let rule_fields: Vec<u32> = rules
            .iter()
            .map(|rule| {
                rule.keys
                    .iter()
                    .filter_map(|k| schema.iter().position(|(name, _)| *name == k.field))
                    .fold(0u32, |mask, f| mask | (1 << f))
            })
            .collect();
        model.lambda = 1e-12;
        model::estimate_u(&mut model, &random);
        for round in 0..settings.training_rounds.max(1) {
            let iterations = model::estimate_m(
                &mut model,
                &candidates,
                &rule_fields,
                settings.em_iterations,
            );
            diagnostics.em_iterations = diagnostics.em_iterations.max(iterations);
            model::estimate_lambda(&mut model, &candidates, all_pairs);
            if round + 1 < settings.training_rounds {
                model::estimate_u(&mut model, &random);
            }
        }
    }
    lap("learning", &mut diagnostics);

    // Scoring.
    progress.stage("scoring", pairs.len() as u64);
    let scorer = Scorer::new(&model, &features);
    let threshold = settings.threshold;
    // The weight of the threshold, less a margin for rounding: log2(t / (1 − t)).
    let threshold_weight = if threshold <= 0.0 {
        f64::NEG_INFINITY
    } else if threshold >= 1.0 {
        f64::INFINITY
    } else {
        (threshold / (1.0 - threshold)).log2() - 1e-6
    };
    let chunk = 1 << 16;
    let start = Instant::now();
    let mut scored: Vec<ScoredPair> = pairs
        .par_chunks(chunk)
        .flat_map_iter(|block| {
            let mut out: Vec<ScoredPair> = Vec::new();
            scorer.score_pairs(block, |i, weight| {
                // Most pairs are far below the threshold: compare weights first.
                if weight < threshold_weight {
                    return;
                }
                let probability = Model::probability(weight);
                if probability >= threshold {
                    let (a, b) = block[i];
                    out.push(ScoredPair {
                        left: a,
                        right: b,
                        probability,
                        match_weight: weight,
                        weights: Vec::new(),
                    });
                }
            });
            progress.advance(block.len() as u64);
            out
        })
        .collect();
    let scoring_seconds = start.elapsed().as_secs_f64();
    diagnostics.comparisons_per_second = if scoring_seconds > 0.0 {
        pairs.len() as f64 / scoring_seconds
    } else {
        0.0
    };
    scored.par_sort_unstable_by(|x, y| (x.left, x.right).cmp(&(y.left, y.right)));
    if settings.explain {
        scored.par_iter_mut().for_each(|pair| {
            pair.weights = scorer
                .field_weights(pair.left as usize, pair.right as usize)
                .into_iter()
                .map(|(_, weight)| weight)
                .collect();
        });
    }
    lap("scoring", &mut diagnostics);

    let clusters = settings.cluster.map(|method| {
        let links: Vec<(u32, u32, f64)> = scored
            .iter()
            .map(|p| (p.left, p.right, p.probability))
            .collect();
        cluster::cluster(n, &links, threshold, method)
    });
    lap("clustering", &mut diagnostics);
    Ok(Linkage {
        pairs: scored,
        clusters,
        model,
        diagnostics,
    })
}

/// One field's part in a match: how the values compared and what that weighs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldExplanation {
    pub field: String,
    /// The comparison level, such as `exact`, `nickname` or `one_surname_in_common`.
    pub level: String,
    /// The match weight, log2 of the Bayes factor: positive for evidence of a match.
    pub weight: f64,
}

/// A likely duplicate of a new record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The position of the existing record in the table.
    pub index: usize,
    pub id: String,
    pub probability: f64,
    pub match_weight: f64,
    pub explanation: Vec<FieldExplanation>,
}

/// Scores one new record (`values`, one per column of `existing`) against every existing record and
/// returns those at or above `threshold`, most likely first, each with its explanation per field.
/// Pass a model learned on similar records, or [`Model::default_for`] the schema.
pub fn find_duplicates(
    model: &Model,
    existing: &Table,
    values: &[Option<String>],
    threshold: f64,
    default_country: Option<Country>,
) -> Result<Vec<Duplicate>, LinkageError> {
    check_table(existing)?;
    let names: Vec<String> = existing.columns.iter().map(|c| c.name.clone()).collect();
    let model_names: Vec<String> = model.fields.iter().map(|f| f.field.clone()).collect();
    if names != model_names || values.len() != names.len() {
        return Err(LinkageError::ModelMismatch {
            model: model_names,
            records: names,
        });
    }
    let query = Table {
        ids: vec![String::new()],
        columns: existing
            .columns
            .iter()
            .zip(values)
            .map(|(c, v)| Column {
                name: c.name.clone(),
                kind: c.kind,
                values: vec![v.clone()],
            })
            .collect(),
    };
    let features = Features::build_many(&[existing, &query], default_country);
    let scorer = Scorer::new(model, &features);
    let new = existing.len();
    let mut found: Vec<Duplicate> = (0..existing.len())
        .filter_map(|index| {
            let weight = scorer.total_weight(index, new);
            let probability = Model::probability(weight);
            (probability >= threshold).then(|| Duplicate {
                index,
                id: existing.ids[index].clone(),
                probability,
                match_weight: weight,
                explanation: scorer
                    .field_weights(index, new)
                    .into_iter()
                    .enumerate()
                    .map(|(f, (level, weight))| FieldExplanation {
                        field: names[f].clone(),
                        level: existing.columns[f].kind.levels()[level as usize].to_string(),
                        weight: weight as f64,
                    })
                    .collect(),
            })
        })
        .collect();
    found.sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then(x.index.cmp(&y.index))
    });
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(rows: &[[&str; 5]]) -> Table {
        let names = ["given_name", "surname", "date_of_birth", "phone", "city"];
        Table {
            ids: (0..rows.len()).map(|i| format!("p{i}")).collect(),
            columns: names
                .iter()
                .enumerate()
                .map(|(c, name)| Column {
                    name: name.to_string(),
                    kind: FieldKind::from_header(name),
                    values: rows
                        .iter()
                        .map(|r| Some(r[c].to_string()).filter(|v| !v.is_empty()))
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_new_record_finds_its_duplicate_with_an_explanation() {
        let existing = people(&[
            [
                "María José",
                "Hernández López",
                "1990-05-12",
                "+502 5555 1234",
                "Quetzaltenango",
            ],
            ["Pedro", "García", "1978-11-20", "7777 6666", "Mixco"],
            [
                "José",
                "Xicará Tzul",
                "1985-03-02",
                "(502) 4444-9876",
                "Cobán",
            ],
        ]);
        let model = Model::default_for(&existing.schema());
        let query: Vec<Option<String>> = ["Chepe", "Xicara", "1985", "502-4444-9876", ""]
            .iter()
            .map(|v| Some(v.to_string()).filter(|v| !v.is_empty()))
            .collect();
        let found =
            find_duplicates(&model, &existing, &query, 0.5, Country::from_alpha_2("GT")).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        let duplicate = &found[0];
        assert_eq!(duplicate.id, "p2");
        let levels: Vec<(&str, &str)> = duplicate
            .explanation
            .iter()
            .map(|e| (e.field.as_str(), e.level.as_str()))
            .collect();
        assert_eq!(
            levels,
            [
                ("given_name", "nickname"),
                ("surname", "one_surname_in_common"),
                ("date_of_birth", "partial_agrees"),
                ("phone", "exact"),
                ("city", "null"),
            ]
        );
        assert!(
            duplicate
                .explanation
                .iter()
                .find(|e| e.field == "phone")
                .unwrap()
                .weight
                > 10.0
        );
        let total: f64 =
            duplicate.explanation.iter().map(|e| e.weight).sum::<f64>() + model.prior_weight();
        assert!((total - duplicate.match_weight).abs() < 1e-3);
        // A model for other columns is refused.
        assert!(find_duplicates(&model, &existing, &query[..2], 0.5, None).is_err());
    }

    /// Value ids are local to one table's features: a thread that scored another table before
    /// must not reuse its cached levels (the web app checks one new person after another).
    #[test]
    fn scoring_again_on_the_same_thread_gives_what_a_fresh_thread_gives() {
        let first = people(&[
            ["Pedro", "Xicará Tzul", "1962-01-30", "", ""],
            ["María José", "Hernández López", "1990-05-12", "", ""],
            ["Ana", "García", "1985-03-02", "", ""],
        ]);
        // Here the value ids of the first table's pairs name other values.
        let second = people(&[
            ["Zoila", "Xicará Tzul", "1962-01-30", "", ""],
            ["Ana", "García", "1985-03-02", "", ""],
            ["María José", "Hernández López", "1990-05-12", "", ""],
        ]);
        let query: Vec<Option<String>> = ["Maria", "Hernandez", "1990-05-12", "", ""]
            .iter()
            .map(|v| Some(v.to_string()).filter(|v| !v.is_empty()))
            .collect();
        let run = |table: &Table| {
            let model = Model::default_for(&table.schema());
            // Every record, with its explanation, whatever its probability.
            find_duplicates(&model, table, &query, 0.0, None).unwrap()
        };
        let fresh = {
            let (second, run_query) = (second.clone(), query.clone());
            std::thread::spawn(move || {
                let model = Model::default_for(&second.schema());
                find_duplicates(&model, &second, &run_query, 0.0, None).unwrap()
            })
            .join()
            .unwrap()
        };
        assert_eq!(fresh.len(), 3, "{fresh:?}");
        assert_eq!(fresh[0].id, "p2", "{fresh:?}");
        // The same thread scores the first table, then the second.
        run(&first);
        assert_eq!(run(&second), fresh);
    }

    #[test]
    fn empty_and_single_record_tables_give_empty_results() {
        let empty = people(&[]);
        let linkage = dedupe(&empty, &Settings::default(), &NoProgress).unwrap();
        assert!(linkage.pairs.is_empty());
        let one = people(&[["Ana", "López", "1990", "", ""]]);
        let linkage = dedupe(
            &one,
            &Settings {
                cluster: Some(ClusterMethod::Connected),
                ..Settings::default()
            },
            &NoProgress,
        )
        .unwrap();
        assert!(linkage.pairs.is_empty());
        assert_eq!(linkage.clusters, Some(vec![0]));
        let linkage = link(&one, &empty, &Settings::default(), &NoProgress).unwrap();
        assert!(linkage.pairs.is_empty());
    }

    #[test]
    fn bad_settings_and_ragged_tables_are_errors() {
        let mut table = people(&[["Ana", "López", "1990", "", ""]]);
        let bad = Settings {
            threshold: 1.5,
            ..Settings::default()
        };
        assert_eq!(
            dedupe(&table, &bad, &NoProgress).unwrap_err(),
            LinkageError::BadThreshold(1.5)
        );
        let rule = Settings {
            blocking: Some(vec![BlockingRule::parse("nope").unwrap()]),
            ..Settings::default()
        };
        assert!(matches!(
            dedupe(&table, &rule, &NoProgress),
            Err(LinkageError::BadRule { .. })
        ));
        table.columns[0].values.push(None);
        assert!(matches!(
            dedupe(&table, &Settings::default(), &NoProgress),
            Err(LinkageError::RaggedColumn { .. })
        ));
    }

    #[test]
    fn runs_are_reproducible_and_pairs_are_ordered() {
        let records = [
            [
                "María José",
                "Hernández López",
                "1990-05-12",
                "+502 5555 1234",
                "Quetzaltenango",
            ],
            [
                "Maria Jose",
                "Hernandez",
                "1990-12-05",
                "55551234",
                "quetzaltenango",
            ],
            ["Pedro", "García", "1978-11-20", "7777 6666", "Mixco"],
            ["Pedro", "Garcia", "1978-11-20", "", "Mixco"],
        ];
        let table = people(&records);
        let settings = Settings {
            default_country: Country::from_alpha_2("GT"),
            explain: true,
            ..Settings::default()
        };
        let first = dedupe(&table, &settings, &NoProgress).unwrap();
        let second = dedupe(&table, &settings, &NoProgress).unwrap();
        assert_eq!(first.pairs, second.pairs);
        let pairs: Vec<(u32, u32)> = first.pairs.iter().map(|p| (p.left, p.right)).collect();
        assert_eq!(pairs, [(0, 1), (2, 3)]);
        assert!(first.pairs.iter().all(|p| p.weights.len() == 5));
    }
}
