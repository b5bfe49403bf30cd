//! Blocking: which pairs are compared at all. Several rules are OR-ed; each rule groups records by
//! a key and pairs the records of a group. A pair found by an earlier rule is not produced again, so
//! candidate pairs are distinct without sorting them. Groups too large to pair (a key such as
//! "García" in a million records) are skipped and reported, so the work never grows quadratically.

use std::fmt;
use std::hash::Hasher;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::features::{Features, FxHasher, NULL};
use crate::schema::FieldKind;
use crate::LinkageError;

/// How a field's value becomes part of a blocking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyTransform {
    /// The normalised value.
    Exact,
    /// The Spanish phonetic key of the whole value (names; others fall back to exact).
    Phonetic,
    /// The phonetic key of the first unit: the first given name (the name a nickname stands for),
    /// the paternal surname.
    FirstPhonetic,
    /// The units sorted: swapped surnames agree.
    Sorted,
    /// The year of a date.
    Year,
    /// The national number of a phone.
    National,
    /// The first n bytes of the normalised value.
    Prefix(u8),
    /// The value without its last two characters (a typo at the end still agrees).
    Head,
    /// The value without its first two characters (a typo at the start still agrees).
    Tail,
}

/// One part of a blocking key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingKey {
    pub field: String,
    pub transform: KeyTransform,
}

/// A blocking rule: records agreeing on every key are paired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingRule {
    pub keys: Vec<BlockingKey>,
    /// The keys agree in any order (`given_name:first_phonetic ~ surname:first_phonetic` pairs
    /// records whose given name and surname were written in each other's field).
    #[serde(default)]
    pub any_order: bool,
    /// Groups of this rule giving more pairs than this are skipped (a lower cap than
    /// [`crate::Settings::max_block_pairs`] for a broad rule meant for rare values).
    #[serde(default)]
    pub max_pairs: Option<u64>,
}

impl BlockingRule {
    /// Reads a rule written `field[:transform] & field[:transform]`, for example
    /// `given_name:first_phonetic & surname:first_phonetic` or `postcode & date_of_birth:year`.
    /// Transforms: exact (default), phonetic, first_phonetic, sorted, year, national, prefixN, head,
    /// tail.
    /// Parts joined with `~` instead of `&` agree in any order.
    pub fn parse(text: &str) -> Result<BlockingRule, LinkageError> {
        let mut keys = Vec::new();
        let any_order = text.contains('~');
        if any_order && text.contains('&') {
            return Err(LinkageError::BadRule {
                rule: text.to_string(),
                reason: "mix of & and ~".into(),
            });
        }
        for part in text.split(['&', '~']) {
            let part = part.trim();
            let (field, transform) = part.split_once(':').unwrap_or((part, "exact"));
            let transform = match transform.trim() {
                "exact" => KeyTransform::Exact,
                "phonetic" => KeyTransform::Phonetic,
                "first_phonetic" => KeyTransform::FirstPhonetic,
                "sorted" => KeyTransform::Sorted,
                "year" => KeyTransform::Year,
                "national" => KeyTransform::National,
                "head" => KeyTransform::Head,
                "tail" => KeyTransform::Tail,
                other => match other.strip_prefix("prefix").and_then(|n| n.parse().ok()) {
                    Some(n) => KeyTransform::Prefix(n),
                    None => {
                        return Err(LinkageError::BadRule {
                            rule: text.to_string(),
                            reason: format!("unknown transform {other:?}"),
                        })
                    }
                },
            };
            if field.trim().is_empty() {
                return Err(LinkageError::BadRule {
                    rule: text.to_string(),
                    reason: "empty field name".into(),
                });
            }
            keys.push(BlockingKey {
                field: field.trim().to_string(),
                transform,
            });
        }
        Ok(BlockingRule {
            keys,
            any_order,
            max_pairs: None,
        })
    }

    fn of(keys: &[(&str, KeyTransform)]) -> BlockingRule {
        BlockingRule {
            keys: keys
                .iter()
                .map(|(field, transform)| BlockingKey {
                    field: field.to_string(),
                    transform: *transform,
                })
                .collect(),
            any_order: false,
            max_pairs: None,
        }
    }
}

impl fmt::Display for BlockingRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                f.write_str(if self.any_order { " ~ " } else { " & " })?;
            }
            f.write_str(&key.field)?;
            match key.transform {
                KeyTransform::Exact => {}
                KeyTransform::Phonetic => f.write_str(":phonetic")?,
                KeyTransform::FirstPhonetic => f.write_str(":first_phonetic")?,
                KeyTransform::Sorted => f.write_str(":sorted")?,
                KeyTransform::Year => f.write_str(":year")?,
                KeyTransform::National => f.write_str(":national")?,
                KeyTransform::Prefix(n) => write!(f, ":prefix{n}")?,
                KeyTransform::Head => f.write_str(":head")?,
                KeyTransform::Tail => f.write_str(":tail")?,
            }
        }
        Ok(())
    }
}

/// The most pairs a group of the names-alone rule may give: about 30 records.
const RARE_NAME_PAIRS: u64 = 500;

/// Default rules for a schema: each identifier and phone alone; the date of birth alone; first
/// given name and paternal surname by sound; given name with sorted surnames (swapped surnames);
/// the surname or given name with the birth year or the postcode.
pub fn default_rules(schema: &[(String, FieldKind)]) -> Vec<BlockingRule> {
    use KeyTransform::*;
    let first = |kind: FieldKind| {
        schema
            .iter()
            .find(|(_, k)| *k == kind)
            .map(|(n, _)| n.as_str())
    };
    let mut rules = Vec::new();
    for (name, kind) in schema {
        match kind {
            FieldKind::Identifier => {
                rules.push(BlockingRule::of(&[(name, Exact)]));
                // A typo in the last or the first digits.
                rules.push(BlockingRule::of(&[(name, Head)]));
                rules.push(BlockingRule::of(&[(name, Tail)]));
            }
            FieldKind::Phone => rules.push(BlockingRule::of(&[(name, National)])),
            _ => {}
        }
    }
    let given = first(FieldKind::GivenName);
    let surname = first(FieldKind::Surname);
    let date = first(FieldKind::Date);
    let postcode = first(FieldKind::Postcode);
    if let Some(d) = date {
        rules.push(BlockingRule::of(&[(d, Exact)]));
    }
    if let (Some(g), Some(s)) = (given, surname) {
        // Names by sound; with the birth year when there is one, so that common names
        // ("José García") do not pair every José García in a large file.
        let year = date.map(|d| (d, Year));
        let with_year = |keys: &[(&str, KeyTransform)]| -> Vec<(String, KeyTransform)> {
            keys.iter()
                .map(|(f, t)| (f.to_string(), *t))
                .chain(year.map(|(d, t)| (d.to_string(), t)))
                .collect()
        };
        let own = |keys: Vec<(String, KeyTransform)>, any_order: bool| BlockingRule {
            keys: keys
                .into_iter()
                .map(|(field, transform)| BlockingKey { field, transform })
                .collect(),
            any_order,
            max_pairs: None,
        };
        rules.push(own(
            with_year(&[(g, FirstPhonetic), (s, FirstPhonetic)]),
            false,
        ));
        // Both surnames in any order, without the year (often missing or partial).
        rules.push(BlockingRule::of(&[(g, FirstPhonetic), (s, Sorted)]));
        // Given name and surname written in each other's field (often with other errors, so
        // without the year).
        rules.push(own(
            vec![
                (g.to_string(), FirstPhonetic),
                (s.to_string(), FirstPhonetic),
            ],
            true,
        ));
        // Names alone, for rare names only (records missing the year and the place).
        rules.push(BlockingRule {
            max_pairs: Some(RARE_NAME_PAIRS),
            ..BlockingRule::of(&[(g, FirstPhonetic), (s, FirstPhonetic)])
        });
        // Names with the place (the city, or the first address line).
        if let Some(t) = first(FieldKind::Text) {
            rules.push(BlockingRule::of(&[
                (g, FirstPhonetic),
                (s, FirstPhonetic),
                (t, Exact),
            ]));
        }
    }
    for name in [surname, given].into_iter().flatten() {
        if let Some(p) = postcode {
            rules.push(BlockingRule::of(&[(name, FirstPhonetic), (p, Exact)]));
        }
    }
    // Addresses: the street with its number or postcode, the number with the postcode.
    let number = first(FieldKind::Number);
    let street = first(FieldKind::Text);
    if let (Some(n), Some(p)) = (number, postcode) {
        rules.push(BlockingRule::of(&[(n, Exact), (p, Exact)]));
    }
    if let Some(t) = street {
        for other in [number, postcode].into_iter().flatten() {
            rules.push(BlockingRule::of(&[(t, Exact), (other, Exact)]));
        }
    }
    if rules.is_empty() {
        // No known field: pair records agreeing on the first column.
        if let Some((name, _)) = schema.first() {
            rules.push(BlockingRule::of(&[(name, Exact)]));
        }
    }
    rules
}

/// Per rule, per record: the key (0 when a part is missing).
pub(crate) fn record_keys(
    features: &Features,
    rules: &[BlockingRule],
) -> Result<Vec<Vec<u64>>, LinkageError> {
    rules
        .iter()
        .map(|rule| {
            let parts = rule
                .keys
                .iter()
                .map(|key| {
                    features
                        .fields
                        .iter()
                        .position(|f| f.name == key.field)
                        .map(|f| (f, key.transform))
                        .ok_or_else(|| LinkageError::BadRule {
                            rule: rule.to_string(),
                            reason: format!("no column named {:?}", key.field),
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((0..features.len)
                .into_par_iter()
                .map(|record| {
                    let mut values = [0u64; 8];
                    for (slot, (f, transform)) in parts.iter().enumerate().take(8) {
                        match key_part(features, *f, *transform, record) {
                            Some(value) => values[slot] = value,
                            None => return 0,
                        }
                    }
                    let values = &mut values[..parts.len().min(8)];
                    if rule.any_order {
                        values.sort_unstable();
                    }
                    let mut hasher = FxHasher::default();
                    for value in values.iter() {
                        hasher.write_u64(*value);
                    }
                    hasher.finish().max(1)
                })
                .collect())
        })
        .collect()
}

fn key_part(features: &Features, f: usize, transform: KeyTransform, record: usize) -> Option<u64> {
    let field = &features.fields[f];
    let id = field.ids[record];
    if id == NULL {
        return None;
    }
    let i = id as usize;
    let is_name = matches!(field.kind, FieldKind::GivenName | FieldKind::Surname);
    let value = match transform {
        KeyTransform::Phonetic if is_name => field.phon[i] as u64,
        KeyTransform::FirstPhonetic if is_name => field.first_key[i] as u64,
        KeyTransform::Sorted if is_name => field.sorted[i] as u64,
        KeyTransform::Year if field.kind == FieldKind::Date => {
            let year = field.date[i] / 10_000;
            if year == 0 {
                return None;
            }
            year as u64
        }
        KeyTransform::National if field.kind == FieldKind::Phone => field.national[i] as u64,
        KeyTransform::Prefix(n) => {
            let bytes = field.strings.get(id);
            let mut hasher = FxHasher::default();
            hasher.write(&bytes[..bytes.len().min(n as usize)]);
            hasher.finish()
        }
        KeyTransform::Head | KeyTransform::Tail => {
            let bytes = field.strings.get(id);
            if bytes.len() < 5 {
                return None;
            }
            let part = if transform == KeyTransform::Head {
                &bytes[..bytes.len() - 2]
            } else {
                &bytes[2..]
            };
            let mut hasher = FxHasher::default();
            hasher.write(part);
            hasher.write_u8((transform == KeyTransform::Head) as u8);
            hasher.finish()
        }
        _ => id as u64,
    };
    if value == NULL as u64 {
        return None;
    }
    Some(value + 1)
}

/// A group that was not paired because it would produce too many pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedBlock {
    /// The rule, as written.
    pub rule: String,
    /// Records in the group.
    pub records: usize,
    /// Pairs it would have produced.
    pub pairs: u64,
}

/// The candidate pairs of a set of records.
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    pub(crate) pairs: Vec<(u32, u32)>,
    /// Per rule: the pairs it produced that no earlier rule had.
    pub(crate) per_rule: Vec<u64>,
    pub(crate) skipped: Vec<SkippedBlock>,
}

/// Generates candidate pairs. With `split = Some(n)` (linkage of two tables) only pairs of a record
/// below `n` with one at or above `n` are produced; otherwise every pair within a group.
pub(crate) fn candidates(
    keys: &mut [Vec<u64>],
    rules: &[BlockingRule],
    features: Option<&Features>,
    split: Option<usize>,
    max_block_pairs: u64,
) -> Candidates {
    let len = keys.first().map(Vec::len).unwrap_or(0);
    let mut result = Candidates::default();
    // An any-order rule pairs only records whose parts are in a different order: the same order
    // is the plain rule's business. Per rule, the keys in the written order (any-order rules only).
    let same_order: Vec<Option<Vec<u64>>> = rules
        .iter()
        .map(|rule| match features {
            Some(features) if rule.any_order => {
                let ordered = BlockingRule {
                    any_order: false,
                    ..rule.clone()
                };
                record_keys(features, std::slice::from_ref(&ordered))
                    .ok()
                    .and_then(|mut k| k.pop())
            }
            _ => None,
        })
        .collect();
    for r in 0..keys.len() {
        let rule_keys = &keys[r];
        let mut sorted: Vec<(u64, u32)> = (0..len)
            .filter(|i| rule_keys[*i] != 0)
            .map(|i| (rule_keys[i], i as u32))
            .collect();
        sorted.par_sort_unstable();
        // Group boundaries.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        for i in 1..=sorted.len() {
            if i == sorted.len() || sorted[i].0 != sorted[start].0 {
                if i - start > 1 {
                    groups.push((start, i));
                }
                start = i;
            }
        }
        let cap = rules[r]
            .max_pairs
            .unwrap_or(max_block_pairs)
            .min(max_block_pairs);
        let mut kept = Vec::with_capacity(groups.len());
        let mut skipped_records: Vec<u32> = Vec::new();
        for (start, end) in groups {
            let size = end - start;
            let pairs = match split {
                None => (size * (size - 1) / 2) as u64,
                Some(n) => {
                    let left = sorted[start..end]
                        .iter()
                        .filter(|(_, i)| (*i as usize) < n)
                        .count() as u64;
                    left * (size as u64 - left)
                }
            };
            if pairs == 0 {
                continue;
            }
            if pairs > cap {
                result.skipped.push(SkippedBlock {
                    rule: rules[r].to_string(),
                    records: size,
                    pairs,
                });
                skipped_records.extend(sorted[start..end].iter().map(|(_, i)| *i));
                continue;
            }
            kept.push((start, end));
        }
        let earlier = &keys[..r];
        let earlier_order = &same_order[..r];
        // Whether an earlier rule produced the pair: its keys agree, outside a skipped group
        // (those keys were cleared), and for an any-order rule in a different order.
        let found_before = |a: usize, b: usize| {
            earlier.iter().zip(earlier_order).any(|(k, order)| {
                k[a] != 0 && k[a] == k[b] && order.as_ref().is_none_or(|o| o[a] != o[b])
            })
        };
        let order = same_order[r].as_deref();
        // Groups are paired in parallel, a few hundred at a time into one vector each.
        let new_pairs: Vec<(u32, u32)> = kept
            .par_chunks(256)
            .flat_map_iter(|chunk| {
                let mut out = Vec::new();
                for (start, end) in chunk {
                    let group = &sorted[*start..*end];
                    for (x, (_, a)) in group.iter().enumerate() {
                        for (_, b) in &group[x + 1..] {
                            let (a, b) = ((*a).min(*b) as usize, (*a).max(*b) as usize);
                            if let Some(n) = split {
                                if (a < n) == (b < n) {
                                    continue;
                                }
                            }
                            if order.is_some_and(|k| k[a] == k[b]) {
                                continue;
                            }
                            if !found_before(a, b) {
                                out.push((a as u32, b as u32));
                            }
                        }
                    }
                }
                out
            })
            .collect();
        result.per_rule.push(new_pairs.len() as u64);
        result.pairs.extend(new_pairs);
        // Records of skipped groups were not paired by this rule: later rules must not think so.
        for record in skipped_records {
            keys[r][record as usize] = 0;
        }
    }
    result
}

/// The blocking rules (a bit each) that a pair satisfies.
#[inline]
pub(crate) fn rules_of(keys: &[Vec<u64>], a: usize, b: usize) -> u32 {
    let mut mask = 0;
    for (r, k) in keys.iter().enumerate().take(32) {
        if k[a] != 0 && k[a] == k[b] {
            mask |= 1 << r;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_and_print_the_same() {
        for text in [
            "given_name:first_phonetic & surname:first_phonetic",
            "postcode & date_of_birth:year",
            "address_1:prefix4",
            "soc_sec_id:head",
            "given_name:first_phonetic ~ surname:first_phonetic",
        ] {
            assert_eq!(BlockingRule::parse(text).unwrap().to_string(), text);
        }
        assert!(BlockingRule::parse("surname:soundex").is_err());
    }

    #[test]
    fn pairs_are_distinct_across_rules_and_large_groups_are_skipped() {
        // Records 0..6: rule A keys, rule B keys.
        let a = vec![1, 1, 1, 2, 2, 9];
        let b = vec![5, 5, 6, 6, 7, 7];
        let keys = vec![a, b];
        let rules = vec![
            BlockingRule::parse("x").unwrap(),
            BlockingRule::parse("y").unwrap(),
        ];
        let found = candidates(&mut keys.clone(), &rules, None, None, 100);
        let mut pairs = found.pairs.clone();
        pairs.sort_unstable();
        assert_eq!(pairs, [(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (4, 5)]);
        assert_eq!(found.per_rule, [4, 2]);
        let capped = candidates(&mut keys.clone(), &rules, None, None, 2);
        assert_eq!(capped.skipped.len(), 1);
        assert_eq!(capped.skipped[0].records, 3);
        // A group skipped by the first rule does not hide its pairs from the second.
        let mut capped_keys = keys.clone();
        let capped = candidates(&mut capped_keys, &rules, None, None, 2);
        let mut pairs = capped.pairs.clone();
        pairs.sort_unstable();
        assert_eq!(pairs, [(0, 1), (2, 3), (3, 4), (4, 5)]);
        let linked = candidates(&mut keys.clone(), &rules, None, Some(3), 100);
        let mut pairs = linked.pairs;
        pairs.sort_unstable();
        assert_eq!(pairs, [(2, 3)]);
    }
}
