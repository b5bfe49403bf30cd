//! How close a synthetic (or anonymised) data set is to the original: the total variation distance
//! `½·Σ|p - q|` between the two distributions of every set of 1 to `R` columns (a missing value is
//! a value like any other), and the combinations lost or made up.

use crate::{column_sets, Encoded, Microdata, NamedMarginal, SynthesisError};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// How many of the worst marginals each length lists.
pub const WORST_LISTED: usize = 8;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    pub lengths: Vec<LengthEvaluation>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LengthEvaluation {
    pub length: usize,
    pub marginals: usize,
    pub mean_tvd: f64,
    pub max_tvd: f64,
    /// The marginals of largest TVD, worst first.
    pub worst: Vec<NamedMarginal>,
    /// Combinations (cells of the marginals) in the original data.
    pub original_combinations: usize,
    /// Combinations of the original missing from the synthetic data.
    pub suppressed_combinations: usize,
    /// Combinations of the synthetic data that the original does not have.
    pub fabricated_combinations: usize,
}

struct MarginalComparison {
    tvd: f64,
    original: usize,
    suppressed: usize,
    fabricated: usize,
}

fn cell_counts(data: &Encoded, set: &[usize]) -> HashMap<u64, u32> {
    let mut counts = HashMap::new();
    for record in 0..data.records {
        let mut key = 0u64;
        for (position, column) in set.iter().enumerate() {
            key |= u64::from(data.codes[*column][record]) << (16 * position);
        }
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

fn compare(original: &Encoded, synthetic: &Encoded, set: &[usize]) -> MarginalComparison {
    let original_counts = cell_counts(original, set);
    let synthetic_counts = cell_counts(synthetic, set);
    let original_total = original.records.max(1) as f64;
    let synthetic_total = synthetic.records.max(1) as f64;
    let mut distance = 0.0;
    let mut suppressed = 0;
    for (key, count) in &original_counts {
        let other = synthetic_counts.get(key).copied().unwrap_or(0);
        if other == 0 {
            suppressed += 1;
        }
        distance += (f64::from(*count) / original_total - f64::from(other) / synthetic_total).abs();
    }
    let mut fabricated = 0;
    for (key, count) in &synthetic_counts {
        if !original_counts.contains_key(key) {
            fabricated += 1;
            distance += f64::from(*count) / synthetic_total;
        }
    }
    MarginalComparison {
        tvd: distance / 2.0,
        original: original_counts.len(),
        suppressed,
        fabricated,
    }
}

/// Compares `synthetic` with `original` (same columns) on every marginal up to `reporting_length`.
pub fn evaluate(
    original: &Microdata,
    synthetic: &Microdata,
    reporting_length: usize,
) -> Result<Evaluation, SynthesisError> {
    let original_codes = Encoded::from_microdata(original)?;
    let synthetic_codes = original_codes.encode_alike(synthetic)?;
    Ok(evaluate_encoded(
        &original_codes,
        &synthetic_codes,
        &original.columns,
        reporting_length,
    ))
}

/// [`evaluate`] on data already encoded alike.
pub fn evaluate_encoded(
    original: &Encoded,
    synthetic: &Encoded,
    names: &[String],
    reporting_length: usize,
) -> Evaluation {
    let lengths = (1..=reporting_length.min(original.columns()))
        .map(|length| {
            let sets = column_sets(original.columns(), length);
            let comparisons: Vec<MarginalComparison> = sets
                .par_iter()
                .map(|set| compare(original, synthetic, set))
                .collect();
            let marginals = comparisons.len();
            let mean_tvd = comparisons.iter().map(|c| c.tvd).sum::<f64>() / marginals.max(1) as f64;
            let max_tvd = comparisons.iter().map(|c| c.tvd).fold(0.0, f64::max);
            let mut ranked: Vec<usize> = (0..marginals).collect();
            ranked.sort_by(|a, b| comparisons[*b].tvd.total_cmp(&comparisons[*a].tvd));
            let worst = ranked
                .iter()
                .take(WORST_LISTED)
                .map(|index| NamedMarginal {
                    columns: sets[*index].iter().map(|c| names[*c].clone()).collect(),
                    tvd: comparisons[*index].tvd,
                })
                .collect();
            LengthEvaluation {
                length,
                marginals,
                mean_tvd,
                max_tvd,
                worst,
                original_combinations: comparisons.iter().map(|c| c.original).sum(),
                suppressed_combinations: comparisons.iter().map(|c| c.suppressed).sum(),
                fabricated_combinations: comparisons.iter().map(|c| c.fabricated).sum(),
            }
        })
        .collect();
    Evaluation { lengths }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(rows: &[[&str; 2]]) -> Microdata {
        Microdata {
            columns: vec!["a".into(), "b".into()],
            rows: rows
                .iter()
                .map(|row| row.iter().map(|v| v.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn tvd_of_known_distributions() {
        let original = data(&[["x", "1"], ["x", ""], ["y", "1"], ["y", ""]]);
        let same = evaluate(&original, &original, 2).unwrap();
        assert!(same.lengths.iter().all(|length| length.mean_tvd == 0.0));
        // Column a: x 1/2, y 1/2 against x 3/4, z 1/4: TVD 1/4 + 1/4 ... = 1/2 (|1/2-3/4| + 1/2 + 1/4) = 1/2.
        let other = data(&[["x", "1"], ["x", "1"], ["x", ""], ["z", ""]]);
        let evaluation = evaluate(&original, &other, 2).unwrap();
        let one_way = &evaluation.lengths[0];
        assert_eq!(one_way.worst[0].columns, vec!["a".to_string()]);
        assert!((one_way.worst[0].tvd - 0.5).abs() < 1e-12);
        // Column b has the same distribution.
        assert!((one_way.mean_tvd - 0.25).abs() < 1e-12);
        let two_way = &evaluation.lengths[1];
        assert_eq!(two_way.original_combinations, 4);
        assert_eq!(two_way.suppressed_combinations, 2);
        assert_eq!(two_way.fabricated_combinations, 1);
    }
}
