//! Differentially private counts: tables answered with exact discrete Gaussian noise, made
//! consistent afterwards.
//!
//! # What a table measures
//! A table of cells (rows by columns, each case in exactly one cell) is answered by measuring, each
//! with its own noise, the grand total, every row total (when there is more than one row) and every
//! cell. One case more or less changes one cell, one row total and the grand total by one, so the
//! squared L2 sensitivity is 3 (2 for a one-way table, whose row total is the grand total). A table
//! whose categories overlap (a case counted under several methods of control) measures its cells
//! and its total with a squared sensitivity of one more than the most categories a case can have.
//!
//! # The same question gets the same answer
//! The noise of an answer is drawn from ChaCha20 seeded with HMAC-SHA256 under the organisation's
//! secret [`NoiseKey`] of the canonical text of the query and a fingerprint of the data. Asking
//! again returns the same numbers, so averaging repeated answers learns nothing; the key never
//! leaves the caller and is not kept here.
//!
//! # Post-processing
//! Noisy measurements are then made into what a reader expects, which costs no privacy: the total
//! is rounded up from below zero to zero; the row totals are the closest non-negative integers
//! (in squared distance, then rounded keeping the sum) that add up to the total; the cells of a row
//! likewise add up to its row total. Column totals are the sums of their cells. Counts under
//! [`crate::THRESHOLD`] are still shown as `<3`: the noise protects them, the mark tells the reader
//! the figure is too small to read as more than "a few".

use crate::accounting::Rho;
use crate::sampler::{sample_discrete_gaussian, Rational};
use crate::Published;
use hmac::{Hmac, Mac};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The denominator of every noise variance: `σ²` is rounded up to a multiple of `1 / 2^20`.
const VARIANCE_DENOMINATOR: u64 = 1 << 20;

/// What went wrong setting up a private answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PrivacyError {
    #[error("epsilon must be a positive number, not {0}")]
    EpsilonNotPositive(f64),
    #[error("delta must be between 0 and 1 (exclusive), not {0}")]
    DeltaOutOfRange(f64),
    #[error("rho must be a positive number, not {0}")]
    RhoNotPositive(f64),
    #[error("the noise for rho {0} does not fit the sampler (rho too small)")]
    NoiseTooLarge(f64),
}

/// An organisation's secret for drawing noise. Never logged: its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct NoiseKey(Vec<u8>);

impl NoiseKey {
    pub fn new(secret: impl Into<Vec<u8>>) -> NoiseKey {
        NoiseKey(secret.into())
    }
}

impl std::fmt::Debug for NoiseKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("NoiseKey(..)")
    }
}

/// The seed of the noise of one answer: HMAC-SHA256 under `key` of a version tag, the canonical
/// query and the data fingerprint, each preceded by its length so no two inputs run together.
pub fn derive_seed(key: &NoiseKey, canonical_query: &str, data_fingerprint: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes a key of any length");
    for part in [
        b"puente private counts v1".as_slice(),
        canonical_query.as_bytes(),
        data_fingerprint,
    ] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The random source of one answer (see [`derive_seed`]).
pub fn noise_source(key: &NoiseKey, canonical_query: &str, data_fingerprint: &[u8]) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(derive_seed(key, canonical_query, data_fingerprint))
}

/// A fingerprint of a table's true counts, for callers that have no better one: the same counts
/// give the same answer even after unrelated data changed.
pub fn table_fingerprint(counts: &[Vec<u64>]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update((counts.len() as u64).to_be_bytes());
    for row in counts {
        hasher.update((row.len() as u64).to_be_bytes());
        for count in row {
            hasher.update(count.to_be_bytes());
        }
    }
    hasher.finalize().into()
}

/// The discrete Gaussian mechanism for a query of a given squared L2 sensitivity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GaussianMechanism {
    pub sigma_squared: Rational,
    pub sensitivity_squared: u64,
}

impl GaussianMechanism {
    /// The mechanism that costs at most `rho`: `σ² = Δ² / (2ρ)`, rounded up.
    pub fn for_rho(rho: Rho, sensitivity_squared: u64) -> Result<GaussianMechanism, PrivacyError> {
        if !(rho.0.is_finite() && rho.0 > 0.0) {
            return Err(PrivacyError::RhoNotPositive(rho.0));
        }
        let sigma_squared = sensitivity_squared.max(1) as f64 / (2.0 * rho.0);
        if sigma_squared > (1u64 << 40) as f64 {
            return Err(PrivacyError::NoiseTooLarge(rho.0));
        }
        let sigma_squared = Rational::at_least(sigma_squared, VARIANCE_DENOMINATOR)
            .ok_or(PrivacyError::NoiseTooLarge(rho.0))?;
        Ok(GaussianMechanism {
            sigma_squared,
            sensitivity_squared: sensitivity_squared.max(1),
        })
    }

    /// What it actually costs (at most what was asked, since `σ²` was rounded up).
    pub fn rho(&self) -> Rho {
        Rho::of_gaussian(self.sensitivity_squared as f64, self.sigma_squared.to_f64())
    }

    /// The standard deviation of its noise (about `σ`), for reports.
    pub fn standard_deviation(&self) -> f64 {
        self.sigma_squared.to_f64().sqrt()
    }

    /// One count with noise.
    pub fn noisy(&self, count: u64, rng: &mut ChaCha20Rng) -> i64 {
        count as i64 + sample_discrete_gaussian(rng, self.sigma_squared)
    }
}

/// What an answer says about its privacy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrivacyStatement {
    pub mechanism: &'static str,
    pub rho: f64,
    pub epsilon: f64,
    pub delta: f64,
}

impl PrivacyStatement {
    pub fn of(mechanism: &GaussianMechanism, delta: f64) -> PrivacyStatement {
        let rho = mechanism.rho();
        PrivacyStatement {
            mechanism: "discrete_gaussian",
            rho: rho.0,
            epsilon: rho.epsilon(delta),
            delta,
        }
    }
}

/// A table answered privately: non-negative integers, each row adding up to its row total and the
/// row totals to the total.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrivateTable {
    pub cells: Vec<Vec<u64>>,
    pub row_totals: Vec<u64>,
    pub column_totals: Vec<u64>,
    pub total: u64,
    pub privacy: PrivacyStatement,
}

/// A count as shown: `<3` under the threshold, the number otherwise.
pub fn shown(count: u64) -> Published {
    if count < crate::THRESHOLD {
        Published::Suppressed
    } else {
        Published::Shown(count)
    }
}

impl PrivateTable {
    /// The cells of a one-way table (the first row) as shown.
    pub fn shown_cells(&self) -> Vec<Published> {
        self.cells
            .first()
            .map(|row| row.iter().copied().map(shown).collect())
            .unwrap_or_default()
    }
}

/// The squared L2 sensitivity of a table of `rows` rows (see the module's documentation).
pub fn table_sensitivity_squared(rows: usize) -> u64 {
    if rows > 1 {
        3
    } else {
        2
    }
}

/// A table of counts (rows by columns, each case in exactly one cell; a one-way table is one row)
/// answered with a cost of at most `rho`, its noise drawn from `rng`.
pub fn private_table(
    counts: &[Vec<u64>],
    rho: Rho,
    delta: f64,
    rng: &mut ChaCha20Rng,
) -> Result<PrivateTable, PrivacyError> {
    check_delta(delta)?;
    let mechanism = GaussianMechanism::for_rho(rho, table_sensitivity_squared(counts.len()))?;
    let true_total: u64 = counts.iter().flatten().sum();
    let total = mechanism.noisy(true_total, rng).max(0) as u64;
    let row_totals = if counts.len() > 1 {
        let noisy: Vec<i64> = counts
            .iter()
            .map(|row| mechanism.noisy(row.iter().sum(), rng))
            .collect();
        project_to_sum(&noisy, total)
    } else {
        vec![total; counts.len()]
    };
    let columns = counts.iter().map(Vec::len).max().unwrap_or(0);
    let cells: Vec<Vec<u64>> = counts
        .iter()
        .zip(&row_totals)
        .map(|(row, row_total)| {
            let noisy: Vec<i64> = (0..columns)
                .map(|column| mechanism.noisy(row.get(column).copied().unwrap_or(0), rng))
                .collect();
            project_to_sum(&noisy, *row_total)
        })
        .collect();
    let column_totals = (0..columns)
        .map(|column| cells.iter().map(|row| row[column]).sum())
        .collect();
    Ok(PrivateTable {
        cells,
        row_totals,
        column_totals,
        total,
        privacy: PrivacyStatement::of(&mechanism, delta),
    })
}

/// Counts of overlapping categories (a case may be under up to `most_categories_per_case` of them)
/// and the number of cases, answered with a cost of at most `rho`: non-negative noisy counts that
/// need not add up to the total.
pub fn private_overlapping(
    counts: &[u64],
    cases: u64,
    most_categories_per_case: u64,
    rho: Rho,
    delta: f64,
    rng: &mut ChaCha20Rng,
) -> Result<PrivateTable, PrivacyError> {
    check_delta(delta)?;
    let mechanism = GaussianMechanism::for_rho(rho, most_categories_per_case.max(1) + 1)?;
    let total = mechanism.noisy(cases, rng).max(0) as u64;
    let cells: Vec<u64> = counts
        .iter()
        .map(|count| (mechanism.noisy(*count, rng).max(0) as u64).min(total))
        .collect();
    Ok(PrivateTable {
        column_totals: cells.clone(),
        cells: vec![cells],
        row_totals: vec![total],
        total,
        privacy: PrivacyStatement::of(&mechanism, delta),
    })
}

/// Grouped counts (a statistics query's rows, as [`crate::publish_rows`] takes them) answered
/// privately with a cost of at most `rho`, as [`crate::PublishedRows`]: one dimension is a one-way
/// table, two a two-way table over every combination of the values seen, an `overlapping` grouping
/// (a case under several rows) independent counts with the sensitivity of a case in every row.
/// Counts under 3 show as `<3`.
pub fn private_rows(
    rows: &[(Vec<String>, u64)],
    overlapping: bool,
    total: u64,
    rho: Rho,
    delta: f64,
    rng: &mut ChaCha20Rng,
) -> Result<(crate::PublishedRows, PrivacyStatement), PrivacyError> {
    use crate::{PublishedRow, PublishedRows};
    let dimensions = rows.first().map_or(1, |(values, _)| values.len());
    // One published row per query row, from the first row of a private table.
    let one_row_each = |table: PrivateTable| {
        (
            PublishedRows {
                rows: rows
                    .iter()
                    .zip(&table.cells[0])
                    .map(|((values, _), count)| PublishedRow {
                        values: values.clone(),
                        count: shown(*count),
                    })
                    .collect(),
                first_totals: Vec::new(),
                second_totals: Vec::new(),
                total: crate::Published::Shown(table.total),
            },
            table.privacy,
        )
    };
    if overlapping {
        let counts: Vec<u64> = rows.iter().map(|(_, count)| *count).collect();
        let table = private_overlapping(&counts, total, rows.len() as u64, rho, delta, rng)?;
        return Ok(one_row_each(table));
    }
    if dimensions == 2 {
        let (firsts, seconds, counts) = crate::two_way_matrix(rows);
        let table = private_table(&counts, rho, delta, rng)?;
        let mut published = Vec::new();
        for (row, first) in firsts.iter().enumerate() {
            for (column, second) in seconds.iter().enumerate() {
                published.push(PublishedRow {
                    values: vec![first.clone(), second.clone()],
                    count: shown(table.cells[row][column]),
                });
            }
        }
        return Ok((
            PublishedRows {
                rows: published,
                first_totals: firsts
                    .iter()
                    .cloned()
                    .zip(table.row_totals.iter().map(|count| shown(*count)))
                    .collect(),
                second_totals: seconds
                    .iter()
                    .cloned()
                    .zip(table.column_totals.iter().map(|count| shown(*count)))
                    .collect(),
                total: crate::Published::Shown(table.total),
            },
            table.privacy,
        ));
    }
    let counts = vec![rows.iter().map(|(_, count)| *count).collect::<Vec<u64>>()];
    let table = private_table(&counts, rho, delta, rng)?;
    Ok(one_row_each(table))
}

/// A fingerprint of grouped counts (their values and counts), for [`derive_seed`].
pub fn rows_fingerprint(rows: &[(Vec<String>, u64)], total: u64) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(total.to_be_bytes());
    for (values, count) in rows {
        for value in values {
            hasher.update((value.len() as u64).to_be_bytes());
            hasher.update(value.as_bytes());
        }
        hasher.update(count.to_be_bytes());
    }
    hasher.finalize().into()
}

pub(crate) fn check_delta(delta: f64) -> Result<(), PrivacyError> {
    if delta > 0.0 && delta < 1.0 {
        Ok(())
    } else {
        Err(PrivacyError::DeltaOutOfRange(delta))
    }
}

/// The non-negative integers closest to `values` that add up to `target`: the Euclidean projection
/// onto `{x ≥ 0, Σx = target}` (`x = max(v - λ, 0)`), rounded down with the units left over given to
/// the largest fractional parts (ties to the first). Exact integer arithmetic throughout.
pub fn project_to_sum(values: &[i64], target: u64) -> Vec<u64> {
    if values.is_empty() {
        return Vec::new();
    }
    let target = i128::from(target);
    let mut sorted: Vec<i128> = values.iter().map(|value| i128::from(*value)).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    // The support is the largest k with v_k > (S_k - target) / k.
    let mut prefix = 0i128;
    let mut support = 1i128;
    let mut support_sum = sorted[0];
    for (index, value) in sorted.iter().enumerate() {
        prefix += value;
        let k = index as i128 + 1;
        if value * k > prefix - target {
            support = k;
            support_sum = prefix;
        }
    }
    // λ = (support_sum - target) / support; x_i·support = v_i·support - (support_sum - target).
    let shift = support_sum - target;
    let scaled: Vec<i128> = values
        .iter()
        .map(|value| (i128::from(*value) * support - shift).max(0))
        .collect();
    let mut result: Vec<u64> = scaled.iter().map(|x| (x / support) as u64).collect();
    let assigned: i128 = result.iter().map(|x| i128::from(*x)).sum();
    let mut left_over = target - assigned;
    let mut by_fraction: Vec<usize> = (0..values.len()).collect();
    by_fraction.sort_by_key(|index| std::cmp::Reverse(scaled[*index] % support));
    for index in by_fraction.iter().cycle() {
        if left_over <= 0 {
            break;
        }
        result[*index] += 1;
        left_over -= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_keeps_the_sum_and_the_order() {
        let check = |values: &[i64], target: u64, expected: &[u64]| {
            let projected = project_to_sum(values, target);
            assert_eq!(projected, expected, "{values:?} to {target}");
            assert_eq!(projected.iter().sum::<u64>(), target);
        };
        check(&[10, 20, 30], 60, &[10, 20, 30]);
        check(&[10, 20, 30], 63, &[11, 21, 31]);
        check(&[-4, 20, 30], 50, &[0, 20, 30]);
        check(&[-4, 20, 30], 44, &[0, 17, 27]);
        check(&[5, 5], 11, &[6, 5]);
        check(&[-3, -2], 0, &[0, 0]);
        check(&[-3, -2], 4, &[2, 2]);
        check(&[7], 3, &[3]);
    }

    #[test]
    fn the_same_query_on_the_same_data_draws_the_same_noise() {
        let key = NoiseKey::new(b"a secret of the organisation".to_vec());
        let counts = vec![vec![41, 1]];
        let answer = |query: &str| {
            let mut rng = noise_source(&key, query, &table_fingerprint(&counts));
            private_table(&counts, Rho(0.05), 1e-6, &mut rng).unwrap()
        };
        assert_eq!(answer("by=referral_outcome"), answer("by=referral_outcome"));
        let other_key = NoiseKey::new(b"another secret".to_vec());
        assert_ne!(
            derive_seed(&key, "q", b"data"),
            derive_seed(&other_key, "q", b"data")
        );
        assert_ne!(
            derive_seed(&key, "q", b"data"),
            derive_seed(&key, "qd", b"ata")
        );
        assert_eq!(format!("{key:?}"), "NoiseKey(..)");
    }

    #[test]
    fn a_private_table_is_consistent() {
        let mut rng = ChaCha20Rng::from_seed([9; 32]);
        let counts = vec![vec![12, 0, 3], vec![1, 7, 30]];
        let table = private_table(&counts, Rho(0.05), 1e-6, &mut rng).unwrap();
        assert_eq!(table.row_totals.iter().sum::<u64>(), table.total);
        for (row, row_total) in table.cells.iter().zip(&table.row_totals) {
            assert_eq!(row.iter().sum::<u64>(), *row_total);
        }
        assert_eq!(table.column_totals.iter().sum::<u64>(), table.total);
        assert_eq!(table.privacy.mechanism, "discrete_gaussian");
        assert!(table.privacy.rho <= 0.05 && table.privacy.rho > 0.0499);
        assert!(private_table(&counts, Rho(0.0), 1e-6, &mut rng).is_err());
        assert!(private_table(&counts, Rho(0.1), 0.0, &mut rng).is_err());
    }
}
