//! Differentially private marginals up to the reporting length (see the crate's documentation).

use crate::{binomial, column_sets, Encoded, SynthesisError, SynthesisParameters};
use puente_disclosure::accounting::{default_delta, Rho};
use puente_disclosure::private::GaussianMechanism;
use puente_disclosure::sampler::sample_discrete_gaussian;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The longest combinations measured.
pub const MOST_REPORTING_LENGTH: usize = 4;

/// Tables with at most this many candidate cells keep every noisy count above zero; larger ones
/// drop the small ones, which are mostly noise.
const SMALL_TABLE_CELLS: usize = 64;

/// The codes of a combination packed in 16 bits each, first column lowest.
pub type CellKey = u64;

pub fn pack(codes: &[u16]) -> CellKey {
    codes.iter().enumerate().fold(0, |key, (position, code)| {
        key | (u64::from(*code) << (16 * position))
    })
}

pub fn unpack(key: CellKey, length: usize) -> Vec<u16> {
    (0..length)
        .map(|position| (key >> (16 * position)) as u16)
        .collect()
}

/// The noisy counts of one set of columns: the cells kept, with their noisy counts.
#[derive(Clone, Debug)]
pub struct NoisyTable {
    pub columns: Vec<usize>,
    pub cells: Vec<(CellKey, f64)>,
    pub candidates: usize,
}

/// Every noisy marginal, with what the report says about them.
#[derive(Clone, Debug)]
pub struct NoisyMarginals {
    pub dictionaries: Vec<Vec<String>>,
    /// The values of each column kept by the one-way threshold.
    pub kept_values: Vec<Vec<u16>>,
    /// The noisy number of records.
    pub total: f64,
    /// Tables by length: `by_length[0]` are the one-way tables.
    pub by_length: Vec<Vec<NoisyTable>>,
    pub report: MarginalsReport,
}

/// The privacy parameters and the noise, by length.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MarginalsReport {
    pub epsilon: f64,
    pub delta: f64,
    pub rho: f64,
    pub records: usize,
    pub noisy_records: f64,
    pub reporting_length: usize,
    pub lengths: Vec<LengthReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LengthReport {
    pub length: usize,
    pub rho: f64,
    pub sigma: f64,
    pub tables: usize,
    pub candidate_cells: usize,
    pub kept_cells: usize,
}

impl NoisyMarginals {
    pub fn report(&self) -> MarginalsReport {
        self.report.clone()
    }
}

/// Checks the parameters and returns `(ε, δ)`.
pub fn check_parameters(
    parameters: &SynthesisParameters,
    records: usize,
    columns: usize,
) -> Result<(f64, f64), SynthesisError> {
    if !(parameters.epsilon.is_finite() && parameters.epsilon > 0.0) {
        return Err(SynthesisError::EpsilonNotPositive(parameters.epsilon));
    }
    let delta = parameters.delta.unwrap_or_else(|| default_delta(records));
    if !(delta > 0.0 && delta < 1.0) {
        return Err(SynthesisError::DeltaOutOfRange(delta));
    }
    let most = MOST_REPORTING_LENGTH.min(columns);
    if parameters.reporting_length == 0 || parameters.reporting_length > most {
        return Err(SynthesisError::ReportingLengthOutOfRange {
            given: parameters.reporting_length,
            most,
        });
    }
    if records == 0 {
        return Err(SynthesisError::NoRecords);
    }
    Ok((parameters.epsilon, delta))
}

/// True counts of the cells of `columns`.
fn true_counts(data: &Encoded, columns: &[usize]) -> HashMap<CellKey, u32> {
    let sizes: Vec<usize> = columns
        .iter()
        .map(|c| data.dictionaries[*c].len())
        .collect();
    let dense_size: usize = sizes.iter().product();
    let mut counts = HashMap::new();
    if dense_size <= 1 << 22 {
        let mut dense = vec![0u32; dense_size];
        for record in 0..data.records {
            let mut index = 0;
            for (position, column) in columns.iter().enumerate() {
                index = index * sizes[position] + usize::from(data.codes[*column][record]);
            }
            dense[index] += 1;
        }
        for (index, count) in dense.into_iter().enumerate() {
            if count > 0 {
                let mut rest = index;
                let mut codes = vec![0u16; columns.len()];
                for position in (0..columns.len()).rev() {
                    codes[position] = (rest % sizes[position]) as u16;
                    rest /= sizes[position];
                }
                counts.insert(pack(&codes), count);
            }
        }
    } else {
        let mut codes = vec![0u16; columns.len()];
        for record in 0..data.records {
            for (position, column) in columns.iter().enumerate() {
                codes[position] = data.codes[*column][record];
            }
            *counts.entry(pack(&codes)).or_insert(0) += 1;
        }
    }
    counts
}

/// The random source of one table: the seed's ChaCha20 on a stream of its own.
fn table_source(seed: [u8; 32], length: usize, table: usize) -> ChaCha20Rng {
    let mut rng = ChaCha20Rng::from_seed(seed);
    rng.set_stream(((length as u64) << 32) | table as u64);
    rng
}

/// Measures every marginal up to the reporting length.
pub fn measure(
    data: &Encoded,
    parameters: &SynthesisParameters,
) -> Result<NoisyMarginals, SynthesisError> {
    let columns = data.columns();
    let (epsilon, delta) = check_parameters(parameters, data.records, columns)?;
    let reporting_length = parameters.reporting_length;
    // Half of delta for the conversion of rho, half for the values taken from the data.
    let rho = Rho::for_epsilon(epsilon, delta / 2.0);
    let delta_values = delta / 2.0;
    let weight_sum: usize = (1..=reporting_length).sum();
    let mechanisms: Vec<GaussianMechanism> = (1..=reporting_length)
        .map(|length| {
            let share = Rho(rho.0 * length as f64 / weight_sum as f64);
            GaussianMechanism::for_rho(share, binomial(columns, length))
                .map_err(|_| SynthesisError::EpsilonNotPositive(epsilon))
        })
        .collect::<Result<_, _>>()?;

    // Length 1: every value seen, kept when its noisy count passes a threshold that one record
    // reaches with probability at most delta / 2 over all columns (sub-Gaussian tail).
    let sigma_1 = mechanisms[0].standard_deviation();
    let value_threshold = 1.0 + sigma_1 * (2.0 * (columns as f64 / delta_values).ln()).sqrt();
    let one_way: Vec<(NoisyTable, Vec<u16>, f64)> = (0..columns)
        .into_par_iter()
        .map(|column| {
            let mut rng = table_source(parameters.seed, 1, column);
            let counts = true_counts(data, &[column]);
            let mut cells = Vec::new();
            let mut kept = Vec::new();
            let mut noisy_sum = 0.0;
            for code in 0..data.dictionaries[column].len() as u16 {
                let count = counts.get(&pack(&[code])).copied().unwrap_or(0);
                let noisy = (i64::from(count)
                    + sample_discrete_gaussian(&mut rng, mechanisms[0].sigma_squared))
                    as f64;
                noisy_sum += noisy;
                let is_empty = data.dictionaries[column][usize::from(code)].is_empty();
                if (noisy >= value_threshold || is_empty) && noisy > 0.0 {
                    cells.push((pack(&[code]), noisy));
                    kept.push(code);
                }
            }
            let candidates = data.dictionaries[column].len();
            (
                NoisyTable {
                    columns: vec![column],
                    cells,
                    candidates,
                },
                kept,
                noisy_sum,
            )
        })
        .collect();
    let total = (one_way.iter().map(|(_, _, sum)| sum).sum::<f64>() / columns as f64).max(1.0);
    let kept_values: Vec<Vec<u16>> = one_way.iter().map(|(_, kept, _)| kept.clone()).collect();
    let mut by_length: Vec<Vec<NoisyTable>> =
        vec![one_way.into_iter().map(|(table, _, _)| table).collect()];

    for length in 2..=reporting_length {
        let mechanism = mechanisms[length - 1];
        let sigma = mechanism.standard_deviation();
        let previous: HashMap<Vec<usize>, HashSet<CellKey>> = by_length[length - 2]
            .iter()
            .map(|table| {
                (
                    table.columns.clone(),
                    table.cells.iter().map(|(key, _)| *key).collect(),
                )
            })
            .collect();
        let sets = column_sets(columns, length);
        let tables: Vec<NoisyTable> = sets
            .par_iter()
            .enumerate()
            .map(|(index, set)| {
                let candidates = candidate_cells(set, &previous, &kept_values);
                let counts = true_counts(data, set);
                let mut rng = table_source(parameters.seed, length, index);
                let threshold = if candidates.len() <= SMALL_TABLE_CELLS {
                    0.0
                } else {
                    sigma * (2.0 * (candidates.len() as f64 / 8.0).ln()).sqrt()
                };
                let cells = candidates
                    .iter()
                    .filter_map(|key| {
                        let count = counts.get(key).copied().unwrap_or(0);
                        let noisy = (i64::from(count)
                            + sample_discrete_gaussian(&mut rng, mechanism.sigma_squared))
                            as f64;
                        (noisy > threshold && noisy > 0.0).then_some((*key, noisy))
                    })
                    .collect();
                NoisyTable {
                    columns: set.clone(),
                    cells,
                    candidates: candidates.len(),
                }
            })
            .collect();
        by_length.push(tables);
    }

    let lengths = by_length
        .iter()
        .zip(&mechanisms)
        .enumerate()
        .map(|(index, (tables, mechanism))| LengthReport {
            length: index + 1,
            rho: mechanism.rho().0,
            sigma: mechanism.standard_deviation(),
            tables: tables.len(),
            candidate_cells: tables.iter().map(|table| table.candidates).sum(),
            kept_cells: tables.iter().map(|table| table.cells.len()).sum(),
        })
        .collect();
    let spent = Rho::compose(mechanisms.iter().map(GaussianMechanism::rho));
    Ok(NoisyMarginals {
        dictionaries: data.dictionaries.clone(),
        kept_values,
        total,
        by_length,
        report: MarginalsReport {
            epsilon: spent.epsilon(delta / 2.0),
            delta,
            rho: spent.0,
            records: data.records,
            noisy_records: total,
            reporting_length,
            lengths,
        },
    })
}

/// The cells of `set` all of whose sub-combinations one shorter were kept.
fn candidate_cells(
    set: &[usize],
    previous: &HashMap<Vec<usize>, HashSet<CellKey>>,
    kept_values: &[Vec<u16>],
) -> Vec<CellKey> {
    let length = set.len();
    let head = &set[..length - 1];
    let last = set[length - 1];
    let mut candidates = Vec::new();
    let Some(head_cells) = previous.get(head) else {
        return candidates;
    };
    // The other sub-combinations, each without one column of the head.
    let others: Vec<(usize, &HashSet<CellKey>)> = (0..length - 1)
        .filter_map(|dropped| {
            let sub: Vec<usize> = set.iter().copied().filter(|c| *c != set[dropped]).collect();
            previous.get(&sub).map(|cells| (dropped, cells))
        })
        .collect();
    if others.len() != length - 1 {
        return candidates;
    }
    let mut sorted_head: Vec<CellKey> = head_cells.iter().copied().collect();
    sorted_head.sort_unstable();
    for head_key in sorted_head {
        let head_codes = unpack(head_key, length - 1);
        for value in &kept_values[last] {
            let mut codes = head_codes.clone();
            codes.push(*value);
            let supported = others.iter().all(|(dropped, cells)| {
                let sub: Vec<u16> = codes
                    .iter()
                    .enumerate()
                    .filter(|(position, _)| position != dropped)
                    .map(|(_, code)| *code)
                    .collect();
                cells.contains(&pack(&sub))
            });
            if supported {
                candidates.push(pack(&codes));
            }
        }
    }
    candidates
}
