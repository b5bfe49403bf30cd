//! The Fellegi–Sunter model: for each field, the probability of each comparison level among
//! matches (m) and among non-matches (u); the prior probability λ that two random records match;
//! term-frequency adjustments on exact agreement. The match weight of a pair is the sum of
//! log2(m/u) over its fields plus log2(λ/(1−λ)); its match probability is the posterior.

use serde::{Deserialize, Serialize};

use crate::features::{Features, NULL};
use crate::schema::FieldKind;

/// The parameters of one field's comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldModel {
    /// The column's name.
    pub field: String,
    pub kind: FieldKind,
    /// Per level (level 0, "null", included and unused): the probability among matches.
    pub m: Vec<f64>,
    /// Per level: the probability among non-matches.
    pub u: Vec<f64>,
    /// Whether exact agreement is adjusted by how common the value is.
    pub term_frequency: bool,
}

impl FieldModel {
    /// Default parameters for a kind, used before learning and for small sets that cannot be
    /// learned from (the web app's duplicate warnings).
    pub fn default_for(field: &str, kind: FieldKind) -> FieldModel {
        let levels = kind.levels().len();
        // m: most matches agree exactly; the rest spread over the near levels; few disagree.
        let mut m = vec![0.0; levels];
        let mut u = vec![0.0; levels];
        let near = levels - 3;
        m[1] = 0.85;
        u[1] = match kind {
            FieldKind::Sex => 0.5,
            FieldKind::Category | FieldKind::Nationality => 0.2,
            FieldKind::GivenName | FieldKind::Surname => 0.01,
            FieldKind::Date => 0.0005,
            FieldKind::Phone | FieldKind::Identifier => 0.00001,
            _ => 0.005,
        };
        for level in 2..levels - 1 {
            m[level] = 0.12 / near.max(1) as f64;
            u[level] = 0.01 * (level as f64) / levels as f64;
        }
        m[levels - 1] = 1.0 - m[1..levels - 1].iter().sum::<f64>();
        u[levels - 1] = 1.0 - u[1..levels - 1].iter().sum::<f64>();
        FieldModel {
            field: field.to_string(),
            kind,
            m,
            u,
            term_frequency: !matches!(kind, FieldKind::Sex),
        }
    }

    /// The match weight log2(m/u) of a level; 0 for "null".
    pub fn weight(&self, level: usize) -> f64 {
        if level == 0 {
            0.0
        } else {
            (self.m[level] / self.u[level]).log2()
        }
    }
}

/// A trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub fields: Vec<FieldModel>,
    /// The probability that two records drawn at random are the same person.
    pub lambda: f64,
}

impl Model {
    /// A model with default parameters for a schema.
    pub fn default_for(schema: &[(String, FieldKind)]) -> Model {
        Model {
            fields: schema
                .iter()
                .map(|(name, kind)| FieldModel::default_for(name, *kind))
                .collect(),
            lambda: 1e-4,
        }
    }

    /// The prior match weight log2(λ/(1−λ)).
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// The posterior probability of a total match weight (prior included).
    pub fn probability(total_weight: f64) -> f64 {
        1.0 / (1.0 + (-total_weight).exp2())
    }
}

/// Term frequencies from fewer values than this are noise: no adjustment.
const MIN_VALUES_FOR_TERM_FREQUENCY: u32 = 200;

/// A model ready for scoring: weights per field and level, and term-frequency adjustments per
/// distinct value, precomputed for one set of features.
#[derive(Debug)]
pub(crate) struct Scorer<'a> {
    pub(crate) features: &'a Features,
    /// Per field, per level: log2(m/u) as f32.
    pub(crate) weights: Vec<Vec<f32>>,
    /// Per field: per distinct value, the adjusted weight of exact agreement (empty: no
    /// adjustment).
    pub(crate) exact: Vec<Vec<f32>>,
    pub(crate) prior: f64,
}

impl<'a> Scorer<'a> {
    pub(crate) fn new(model: &Model, features: &'a Features) -> Scorer<'a> {
        let mut weights = Vec::new();
        let mut exact = Vec::new();
        for (field, params) in features.fields.iter().zip(&model.fields) {
            let levels = params.m.len();
            let w: Vec<f32> = (0..levels).map(|l| params.weight(l) as f32).collect();
            let adjusted =
                if params.term_frequency && field.non_null >= MIN_VALUES_FOR_TERM_FREQUENCY {
                    // Exact agreement on a value of frequency tf weighs log2(m_exact / tf): more than
                    // average for a rare value, less for a common one; never below the next level.
                    let floor = w[2..levels - 1]
                        .iter()
                        .copied()
                        .fold(0.0f32, f32::max)
                        .min(w[1]);
                    let m = params.m[1];
                    let n = field.non_null as f64;
                    field
                        .counts
                        .iter()
                        .map(|count| {
                            let tf = (*count as f64 / n).max(1.0 / n);
                            ((m / tf.max(params.u[1] * 1e-3)).log2() as f32).max(floor)
                        })
                        .collect()
                } else {
                    Vec::new()
                };
            weights.push(w);
            exact.push(adjusted);
        }
        Scorer {
            features,
            weights,
            exact,
            prior: model.prior_weight(),
        }
    }

    /// The weight of field `f` at `level` for records `a` and `b`.
    #[inline]
    fn weight_at(&self, f: usize, level: u8, a: usize) -> f32 {
        if level == 1 && !self.exact[f].is_empty() {
            let id = self.features.rows[a * self.weights.len() + f];
            debug_assert!(id != NULL);
            self.exact[f][id as usize]
        } else {
            self.weights[f][level as usize]
        }
    }

    /// The levels and weights of every field for records `a` and `b`.
    pub(crate) fn field_weights(&self, a: usize, b: usize) -> Vec<(u8, f32)> {
        let levels = self.features.levels(a, b);
        (0..self.weights.len())
            .map(|f| (levels[f], self.weight_at(f, levels[f], a)))
            .collect()
    }

    /// The total match weight (prior included) of a pair.
    #[inline]
    pub(crate) fn total_weight(&self, a: usize, b: usize) -> f64 {
        let levels = self.features.levels(a, b);
        self.sum_weights(&levels, a)
    }

    #[inline]
    fn sum_weights(&self, levels: &[u8; 16], a: usize) -> f64 {
        let mut sum = 0.0f32;
        for f in 0..self.weights.len() {
            sum += self.weight_at(f, levels[f], a);
        }
        sum as f64 + self.prior
    }

    /// Calls `each(index, total weight)` for every pair of `pairs`, in order: the same weights as
    /// [`Scorer::total_weight`], with the thread's level cache borrowed once for all of them.
    pub(crate) fn score_pairs(&self, pairs: &[(u32, u32)], mut each: impl FnMut(usize, f64)) {
        let features = self.features;
        features.with_level_cache(|cache| {
            for (i, (a, b)) in pairs.iter().enumerate() {
                let (a, b) = (*a as usize, *b as usize);
                let levels = features.levels_in(cache, a, b);
                each(i, self.sum_weights(&levels, a));
            }
        });
    }
}

/// Levels of a pair, packed 4 bits per field (at most 16 fields).
pub(crate) fn pattern(features: &Features, a: usize, b: usize) -> u64 {
    let levels = features.levels(a, b);
    let mut packed = 0u64;
    for (f, level) in levels.iter().enumerate() {
        packed |= (*level as u64) << (4 * f);
    }
    packed
}

#[inline]
pub(crate) fn level_of(pattern: u64, f: usize) -> usize {
    ((pattern >> (4 * f)) & 0xF) as usize
}

/// A set of distinct comparison patterns with their counts, and for candidate pairs the blocking
/// rules each pair satisfies.
#[derive(Debug, Default, Clone)]
pub(crate) struct Patterns {
    pub(crate) entries: Vec<(u64, u32, f64)>,
}

/// The log-likelihood ratio tables log(m) and log(u) per field and level.
fn log_tables(fields: &[FieldModel]) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let lm = fields
        .iter()
        .map(|f| f.m.iter().map(|p| p.max(1e-12).ln()).collect())
        .collect();
    let lu = fields
        .iter()
        .map(|f| f.u.iter().map(|p| p.max(1e-12).ln()).collect())
        .collect();
    (lm, lu)
}

/// The posterior of a pattern given λ, ignoring the fields in `mask` (a bit per field).
fn posterior(lm: &[Vec<f64>], lu: &[Vec<f64>], pattern: u64, mask: u32, lambda: f64) -> f64 {
    let mut log_ratio = (lambda / (1.0 - lambda)).ln();
    for f in 0..lm.len() {
        if mask & (1 << f) != 0 {
            continue;
        }
        let level = level_of(pattern, f);
        if level == 0 {
            continue;
        }
        log_ratio += lm[f][level] - lu[f][level];
    }
    1.0 / (1.0 + (-log_ratio).exp())
}

/// Estimates u from random pairs, each weighted by its probability of being a non-match under the
/// current model (so that true matches among the random pairs do not inflate u).
pub(crate) fn estimate_u(model: &mut Model, random: &Patterns) {
    let (lm, lu) = log_tables(&model.fields);
    let fields = model.fields.len();
    let mut sums: Vec<Vec<f64>> = model.fields.iter().map(|f| vec![0.0; f.u.len()]).collect();
    for (pattern, _, count) in &random.entries {
        let weight = count * (1.0 - posterior(&lm, &lu, *pattern, 0, model.lambda));
        for (f, sum) in sums.iter_mut().enumerate().take(fields) {
            sum[level_of(*pattern, f)] += weight;
        }
    }
    for (field, sum) in model.fields.iter_mut().zip(sums) {
        let total: f64 = sum[1..].iter().sum();
        let levels = sum.len();
        if total <= 0.0 {
            continue;
        }
        // A level never seen among random pairs gets half a pair's worth.
        let floor = 0.5 / total.max(1.0);
        for level in 1..levels {
            field.u[level] = (sum[level] / total).max(floor);
        }
        let norm: f64 = field.u[1..].iter().sum();
        for level in 1..levels {
            field.u[level] /= norm;
        }
    }
}

/// The smallest m: no level is treated as impossible among matches (at most about −13 bits).
const M_FLOOR: f64 = 1e-4;

/// A field agreeing exactly in this share of a session's pairs is taken as forced by the rule.
const FORCED_AGREEMENT: f64 = 0.995;

/// Expectation-maximisation of m on candidate pairs, with u fixed, Splink-style: one session per
/// blocking rule on the pairs that rule found, ignoring the fields the rule blocked on (their
/// agreement was forced by the blocking); m of a field is averaged over the sessions that saw it.
/// Returns the number of iterations of the longest session.
pub(crate) fn estimate_m(
    model: &mut Model,
    candidates: &Patterns,
    rule_fields: &[u32],
    max_iterations: usize,
) -> usize {
    let fields = model.fields.len();
    let (_, lu) = log_tables(&model.fields);
    let mut sum_m: Vec<Vec<f64>> = model.fields.iter().map(|f| vec![0.0; f.m.len()]).collect();
    let mut sessions = vec![0.0f64; fields];
    let mut longest = 0;
    for (rule, rule_mask) in rule_fields.iter().enumerate() {
        let entries: Vec<&(u64, u32, f64)> = candidates
            .entries
            .iter()
            .filter(|(_, rules, _)| rules & (1 << rule) != 0)
            .collect();
        let total: f64 = entries.iter().map(|e| e.2).sum();
        if total < 10.0 {
            continue;
        }
        // Fields that (nearly) always agree in this session are forced by the rule, not evidence:
        // a given name fixes the sex, a city the nationality. They are left out like the rule's own
        // fields, or EM takes their agreement for matches.
        let mut mask = *rule_mask;
        for f in 0..fields {
            let (mut agree, mut present) = (0.0, 0.0);
            for (pattern, _, count) in &entries {
                match level_of(*pattern, f) {
                    0 => {}
                    1 => {
                        agree += count;
                        present += count;
                    }
                    _ => present += count,
                }
            }
            if present > 0.0 && agree / present >= FORCED_AGREEMENT {
                mask |= 1 << f;
            }
        }
        let mask = &mask;
        let mut m: Vec<Vec<f64>> = model.fields.iter().map(|f| f.m.clone()).collect();
        let mut lambda = 0.5;
        let mut iterations = 0;
        for _ in 0..max_iterations {
            iterations += 1;
            let lm: Vec<Vec<f64>> = m
                .iter()
                .map(|l| l.iter().map(|p| p.max(1e-12).ln()).collect())
                .collect();
            let mut acc: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
            let mut matched = 0.0;
            for (pattern, _, count) in &entries {
                let p = posterior(&lm, &lu, *pattern, *mask, lambda) * count;
                matched += p;
                for (f, a) in acc.iter_mut().enumerate() {
                    if mask & (1 << f) == 0 {
                        a[level_of(*pattern, f)] += p;
                    }
                }
            }
            let mut change: f64 = 0.0;
            for f in 0..fields {
                if mask & (1 << f) != 0 {
                    continue;
                }
                let total_f: f64 = acc[f][1..].iter().sum();
                if total_f <= 0.0 {
                    continue;
                }
                for level in 1..acc[f].len() {
                    let value = (acc[f][level] / total_f).max(M_FLOOR);
                    change = change.max((value - m[f][level]).abs());
                    m[f][level] = value;
                }
            }
            let new_lambda = (matched / total).clamp(1e-9, 1.0 - 1e-9);
            change = change.max((new_lambda - lambda).abs());
            lambda = new_lambda;
            if change < 1e-5 {
                break;
            }
        }
        longest = longest.max(iterations);
        // Sessions are weighted by their share of matches to the 8th power (nearly the purest
        // session that saw the field): EM separates matches best
        // where they are common (pairs sharing a phone), while a rule that pairs thousands of
        // namesakes can settle on a wrong split (same city rather than same person).
        let weight = lambda.powi(8);
        for f in 0..fields {
            if mask & (1 << f) == 0 {
                sessions[f] += weight;
                for level in 1..m[f].len() {
                    sum_m[f][level] += weight * m[f][level];
                }
            }
        }
    }
    for f in 0..fields {
        if sessions[f] > 0.0 {
            let levels = model.fields[f].m.len();
            for level in 1..levels {
                model.fields[f].m[level] = sum_m[f][level] / sessions[f];
            }
            let norm: f64 = model.fields[f].m[1..].iter().sum();
            for level in 1..levels {
                model.fields[f].m[level] /= norm;
            }
        }
    }
    longest
}

/// Estimates λ, the probability that two random records match, as the fixed point of
/// λ = Σ posterior(candidate; λ) / all pairs: candidate pairs hold nearly every match, and pairs
/// outside them are taken as non-matches.
pub(crate) fn estimate_lambda(model: &mut Model, candidates: &Patterns, all_pairs: f64) {
    if all_pairs <= 0.0 {
        return;
    }
    let (lm, lu) = log_tables(&model.fields);
    // Start from above (every candidate a match) to reach the largest fixed point.
    let candidate_count: f64 = candidates.entries.iter().map(|e| e.2).sum();
    let mut lambda = (candidate_count / all_pairs).clamp(1e-12, 0.5);
    for _ in 0..100 {
        let matched: f64 = candidates
            .entries
            .iter()
            .map(|(pattern, _, count)| count * posterior(&lm, &lu, *pattern, 0, lambda))
            .sum();
        let next = (matched / all_pairs).clamp(1e-12, 0.5);
        let done = (next - lambda).abs() <= lambda * 1e-6;
        lambda = next;
        if done {
            break;
        }
    }
    model.lambda = lambda;
}
