//! Pairwise precision, recall and F1 against known truth. Record ids written the FEBRL way carry
//! their entity: `rec-<n>-org` and `rec-<n>-dup-<k>` are entity `n`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The entity of a FEBRL-style record id: `"rec-552-dup-3"` gives `"552"`; other ids are their own
/// entity.
pub fn entity_of(id: &str) -> &str {
    let id = id.trim();
    id.strip_prefix("rec-")
        .and_then(|rest| rest.split('-').next())
        .unwrap_or(id)
}

/// Pairwise quality of a set of predicted links.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Evaluation {
    fn from_counts(true_positives: u64, predicted: u64, actual: u64) -> Evaluation {
        let precision = if predicted == 0 {
            1.0
        } else {
            true_positives as f64 / predicted as f64
        };
        let recall = if actual == 0 {
            1.0
        } else {
            true_positives as f64 / actual as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Evaluation {
            true_positives,
            false_positives: predicted - true_positives,
            false_negatives: actual - true_positives,
            precision,
            recall,
            f1,
        }
    }
}

/// Evaluates predicted pairs `(i, j)` of one table (deduplication) whose ids are `ids`.
pub fn evaluate_dedupe(ids: &[String], predicted: &[(u32, u32)]) -> Evaluation {
    let mut sizes: HashMap<&str, u64> = HashMap::new();
    for id in ids {
        *sizes.entry(entity_of(id)).or_default() += 1;
    }
    let actual: u64 = sizes.values().map(|n| n * (n - 1) / 2).sum();
    let correct = predicted
        .iter()
        .filter(|(a, b)| entity_of(&ids[*a as usize]) == entity_of(&ids[*b as usize]))
        .count() as u64;
    Evaluation::from_counts(correct, predicted.len() as u64, actual)
}

/// Evaluates predicted pairs `(i in left, j in right)` of a linkage of two tables.
pub fn evaluate_link(left: &[String], right: &[String], predicted: &[(u32, u32)]) -> Evaluation {
    let mut right_sizes: HashMap<&str, u64> = HashMap::new();
    for id in right {
        *right_sizes.entry(entity_of(id)).or_default() += 1;
    }
    let actual: u64 = left
        .iter()
        .map(|id| right_sizes.get(entity_of(id)).copied().unwrap_or(0))
        .sum();
    let correct = predicted
        .iter()
        .filter(|(a, b)| entity_of(&left[*a as usize]) == entity_of(&right[*b as usize]))
        .count() as u64;
    Evaluation::from_counts(correct, predicted.len() as u64, actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn febrl_ids_name_their_entity_and_scores_add_up() {
        assert_eq!(entity_of(" rec-552-dup-3"), "552");
        assert_eq!(entity_of("rec-1496-org"), "1496");
        assert_eq!(entity_of("p17"), "p17");
        let ids: Vec<String> = ["rec-1-org", "rec-1-dup-0", "rec-1-dup-1", "rec-2-org"]
            .map(String::from)
            .into();
        // Truth: 3 pairs. Predicted: one right, one wrong.
        let e = evaluate_dedupe(&ids, &[(0, 1), (1, 3)]);
        assert_eq!(
            (e.true_positives, e.false_positives, e.false_negatives),
            (1, 1, 2)
        );
        assert!((e.precision - 0.5).abs() < 1e-9 && (e.recall - 1.0 / 3.0).abs() < 1e-9);
        let left: Vec<String> = ["rec-1-org", "rec-2-org"].map(String::from).into();
        let right: Vec<String> = ["rec-2-dup-0", "rec-1-dup-0"].map(String::from).into();
        let e = evaluate_link(&left, &right, &[(0, 1), (1, 0)]);
        assert_eq!(e.f1, 1.0);
    }
}
