//! Per-record features, computed once, laid out by field (structure of arrays) so that comparing a
//! pair is a few integer comparisons and, only when values differ, a Jaro-Winkler on short bytes.
//!
//! Every value is interned: a record holds a `u32` id per field, and what is derived from a value
//! (its folded bytes, phonetic key, name units, nickname groups, E.164 number) is stored once per
//! distinct value.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use puente_core::Country;
use rayon::prelude::*;

use crate::date::{compare_dates, DateAgreement, PartialDate};
use crate::normalize::{fold, phonetic, split_units, Nicknames};
use crate::phone::normalize_phone;
use crate::schema::{FieldKind, Table};
use crate::similarity::{jaro_winkler, within_one_edit};

/// The id of a missing value.
pub(crate) const NULL: u32 = u32::MAX;
/// Name units kept per value.
const UNITS: usize = 3;
/// Nickname groups kept per given-name value.
const NICKS: usize = 4;

/// Slots of the per-thread cache of comparison levels (2^16 × 8 bytes = 512 KiB).
const CACHE_BITS: u32 = 16;

thread_local! {
    /// Recent `(field, value, value) → level` results, direct-mapped. An entry packs the field
    /// (4 bits), both value ids (28 bits each) and the level (4 bits); 0 is empty (levels of
    /// different values are never 0). Value ids belong to one [`Features`]: the cache holds the
    /// entries of one of them, named by its generation, and is emptied when a thread scores with
    /// another (the web app scores one new record after another on the same threads).
    static LEVEL_CACHE: std::cell::RefCell<(u64, Vec<u64>)> =
        std::cell::RefCell::new((0, vec![0; 1 << CACHE_BITS]));
}

/// The generation of the next [`Features`] (0 is never used, so a fresh cache is never taken for
/// any features' own).
static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A small, fast hasher (the Fx hash of rustc) for interning.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;
pub(crate) type FxHashMap<K, V> = HashMap<K, V, FxBuild>;

/// Interns strings: equal strings get equal ids; bytes are kept in one arena.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    map: FxHashMap<String, u32>,
    offsets: Vec<u32>,
    bytes: Vec<u8>,
}

impl Interner {
    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.map.get(text) {
            return *id;
        }
        let id = self.offsets.len() as u32;
        self.offsets.push(self.bytes.len() as u32);
        self.bytes.extend_from_slice(text.as_bytes());
        self.map.insert(text.to_string(), id);
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len()
    }

    pub(crate) fn get(&self, id: u32) -> &[u8] {
        let start = self.offsets[id as usize] as usize;
        let end = self
            .offsets
            .get(id as usize + 1)
            .map(|e| *e as usize)
            .unwrap_or(self.bytes.len());
        &self.bytes[start..end]
    }
}

/// Name units of one value: core (without particles), compact (particles joined) and phonetic ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Units {
    pub(crate) core: [u32; UNITS],
    pub(crate) compact: [u32; UNITS],
    pub(crate) phon: [u32; UNITS],
}

impl Units {
    const EMPTY: Units = Units {
        core: [NULL; UNITS],
        compact: [NULL; UNITS],
        phon: [NULL; UNITS],
    };
}

/// The features of one field.
#[derive(Debug)]
pub(crate) struct FieldFeatures {
    pub(crate) name: String,
    pub(crate) kind: FieldKind,
    /// Per record: the value's id, or [`NULL`].
    pub(crate) ids: Vec<u32>,
    /// Per value: how many records hold it.
    pub(crate) counts: Vec<u32>,
    /// Records with a value.
    pub(crate) non_null: u32,
    /// Per value: the bytes compared (folded text; digits for identifiers; E.164 for phones).
    pub(crate) strings: Interner,
    /// Per value (names): the phonetic key of the whole value, as an id in the shared interner.
    pub(crate) phon: Vec<u32>,
    /// Per value (names): the units.
    pub(crate) units: Vec<Units>,
    /// Per value (names): the whole value with spaces and particles joined ("delacruzlopez").
    pub(crate) compact: Vec<u32>,
    /// Per value (names): the unit cores sorted and joined, for swapped surnames.
    pub(crate) sorted: Vec<u32>,
    /// Per value (names): the blocking key of the first unit: its phonetic key, or for a given
    /// name that is a nickname, the phonetic key of the name it stands for ("Chepe": "jose").
    pub(crate) first_key: Vec<u32>,
    /// Per value (given names): nickname groups.
    pub(crate) nick: Vec<[u32; NICKS]>,
    /// Per value (phones): the national number's id in the shared interner.
    pub(crate) national: Vec<u32>,
    /// Per value (phones): all the digits as one number, so that comparing two phones reads
    /// nothing else.
    pub(crate) phone_digits: Vec<u64>,
    /// Per value (dates): the packed date.
    pub(crate) date: Vec<u32>,
    /// Per value (names and text): a histogram of its bytes in 32 buckets, for a cheap upper bound
    /// on Jaro-Winkler that skips most comparisons of unrelated values.
    pub(crate) hist: Vec<[u8; 32]>,
    /// Whether comparisons of this field are worth caching (names and text: Jaro-Winkler).
    pub(crate) cached: bool,
}

/// The byte histogram of a value.
fn histogram(bytes: &[u8]) -> [u8; 32] {
    let mut hist = [0u8; 32];
    for b in bytes {
        let slot = &mut hist[(*b & 31) as usize];
        *slot = slot.saturating_add(1);
    }
    hist
}

/// An upper bound on the Jaro-Winkler similarity of two values from their lengths, histograms
/// and common prefix: at most as many characters match as the histograms share.
#[inline]
fn jaro_winkler_bound(a: &[u8], b: &[u8], ha: &[u8; 32], hb: &[u8; 32]) -> f64 {
    // Written as an iterator over the two arrays so that it compiles to a few vector
    // instructions (byte minimum, then a horizontal sum).
    let common: u32 = ha.iter().zip(hb).map(|(x, y)| (*x).min(*y) as u32).sum();
    let m = common.min(a.len() as u32).min(b.len() as u32) as f64;
    if m == 0.0 {
        return 0.0;
    }
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + 1.0) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

impl FieldFeatures {
    /// Jaro-Winkler of two values of this field, or 0 when it is surely below `floor`.
    #[inline]
    fn similarity(&self, x: u32, y: u32, floor: f64) -> f64 {
        let (a, b) = (self.strings.get(x), self.strings.get(y));
        if !self.hist.is_empty()
            && jaro_winkler_bound(a, b, &self.hist[x as usize], &self.hist[y as usize]) < floor
        {
            return 0.0;
        }
        jaro_winkler(a, b)
    }
}

/// All features of a set of records (for linkage of two tables, the left records come first).
#[derive(Debug)]
pub struct Features {
    pub(crate) fields: Vec<FieldFeatures>,
    pub(crate) len: usize,
    /// The first given-name and surname fields, compared crosswise when both disagree (a given
    /// name written in the surname's field and the other way round).
    pub(crate) names: Option<(usize, usize)>,
    /// Fields whose agreement another field's agreement already implies, as
    /// `(implied, implying, highest level of the implying field)`: the sex when the given names
    /// agree (exactly or by nickname), the nationality when the city agrees. Their agreement then
    /// counts as no evidence instead of being counted twice.
    pub(crate) implied: Vec<(usize, usize, u8)>,
    /// The value ids again, record by record (`len × fields`): scoring a pair reads two short rows
    /// instead of one cache line per field per record.
    pub(crate) rows: Vec<u32>,
    /// Which features the value ids belong to, for the per-thread cache of levels.
    pub(crate) generation: u64,
}

/// Normalises a value of a field into the text that is interned, or `None` when missing.
fn normal_value(kind: FieldKind, raw: &str, country: Option<Country>) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let value = match kind {
        FieldKind::GivenName | FieldKind::Surname | FieldKind::Text | FieldKind::Category => {
            fold(raw)
        }
        FieldKind::Identifier | FieldKind::Postcode | FieldKind::Number => {
            fold(raw).chars().filter(|c| c.is_alphanumeric()).collect()
        }
        FieldKind::Sex => {
            let folded = fold(raw);
            match folded.as_str() {
                "f" | "female" | "femenino" | "mujer" | "fem" | "woman" | "girl" | "nina" => {
                    "f".into()
                }
                "m" | "male" | "masculino" | "hombre" | "masc" | "man" | "boy" | "nino" => {
                    "m".into()
                }
                _ => folded,
            }
        }
        FieldKind::Nationality => match Country::from_code(raw) {
            Some(country) => country.alpha_2().to_ascii_lowercase(),
            None => fold(raw),
        },
        FieldKind::Phone => normalize_phone(raw, country)?.e164(),
        FieldKind::Date => {
            let date = PartialDate::parse(raw).ok()??;
            date.packed().to_string()
        }
    };
    (!value.is_empty()).then_some(value)
}

impl Features {
    /// Computes the features of a table. `default_country` is assumed for phone numbers written
    /// without a calling code, unless the record has a nationality.
    pub fn build(table: &Table, default_country: Option<Country>) -> Features {
        Features::build_many(&[table], default_country)
    }

    /// Computes the features of several tables with the same columns, one after the other.
    pub fn build_many(tables: &[&Table], default_country: Option<Country>) -> Features {
        let first = tables[0];
        let len: usize = tables.iter().map(|t| t.len()).sum();
        let nationality = first
            .columns
            .iter()
            .position(|c| c.kind == FieldKind::Nationality);
        // The country of each record, for its phone numbers.
        let countries: Vec<Option<Country>> = tables
            .iter()
            .flat_map(|table| {
                (0..table.len()).map(move |row| {
                    nationality
                        .and_then(|c| table.columns[c].values[row].as_deref())
                        .and_then(Country::from_code)
                        .filter(|c| puente_core::country::REGION.contains(&c.alpha_2()))
                        .or(default_country)
                })
            })
            .collect();
        // Name units and phonetic keys of every field share one interner.
        let mut shared = Interner::default();
        let mut fields = Vec::with_capacity(first.columns.len());
        for (index, column) in first.columns.iter().enumerate() {
            let kind = column.kind;
            let raw: Vec<&Option<String>> = tables
                .iter()
                .flat_map(|t| t.columns[index].values.iter())
                .collect();
            let normal: Vec<Option<String>> = raw
                .par_iter()
                .zip(countries.par_iter())
                .map(|(value, country)| {
                    value
                        .as_deref()
                        .and_then(|v| normal_value(kind, v, *country))
                })
                .collect();
            let mut strings = Interner::default();
            let mut counts: Vec<u32> = Vec::new();
            let mut non_null = 0;
            let ids: Vec<u32> = normal
                .iter()
                .map(|value| match value {
                    Some(text) => {
                        let id = strings.intern(text);
                        if id as usize == counts.len() {
                            counts.push(0);
                        }
                        counts[id as usize] += 1;
                        non_null += 1;
                        id
                    }
                    None => NULL,
                })
                .collect();
            let mut field = FieldFeatures {
                name: column.name.clone(),
                kind,
                ids,
                counts,
                non_null,
                strings,
                phon: Vec::new(),
                units: Vec::new(),
                compact: Vec::new(),
                sorted: Vec::new(),
                nick: Vec::new(),
                first_key: Vec::new(),
                national: Vec::new(),
                phone_digits: Vec::new(),
                date: Vec::new(),
                hist: Vec::new(),
                cached: matches!(
                    kind,
                    FieldKind::GivenName | FieldKind::Surname | FieldKind::Text
                ),
            };
            field.derive(&mut shared);
            fields.push(field);
        }
        let given = fields.iter().position(|f| f.kind == FieldKind::GivenName);
        let surname = fields.iter().position(|f| f.kind == FieldKind::Surname);
        let names = given.zip(surname);
        let kind_of = |kind: FieldKind| fields.iter().position(|f| f.kind == kind);
        let place = fields.iter().position(|f| {
            f.kind == FieldKind::Text
                && matches!(
                    fold(&f.name).replace(' ', "_").as_str(),
                    "city"
                        | "ciudad"
                        | "municipio"
                        | "municipality"
                        | "town"
                        | "localidad"
                        | "poblacion"
                )
        });
        let mut implied = Vec::new();
        if let (Some(sex), Some(given)) = (kind_of(FieldKind::Sex), given) {
            implied.push((sex, given, 2));
        }
        if let (Some(nationality), Some(place)) = (kind_of(FieldKind::Nationality), place) {
            implied.push((nationality, place, 1));
        }
        let width = fields.len();
        let mut rows = vec![NULL; len * width];
        for (f, field) in fields.iter().enumerate() {
            for (record, id) in field.ids.iter().enumerate() {
                rows[record * width + f] = *id;
            }
        }
        Features {
            fields,
            len,
            names,
            implied,
            rows,
            generation: NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The comparison levels of records `a` and `b`, one per field (at most 16 fields). Given name
    /// and surname written in each other's fields both get the "jaro_winkler_0.92" level.
    #[inline]
    pub(crate) fn levels(&self, a: usize, b: usize) -> [u8; 16] {
        self.with_level_cache(|cache| self.levels_in(cache, a, b))
    }

    /// Runs `body` with this thread's cache of comparison levels, for [`Features::levels_in`].
    #[inline]
    pub(crate) fn with_level_cache<R>(&self, body: impl FnOnce(&mut [u64]) -> R) -> R {
        LEVEL_CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let (generation, entries) = &mut *cache;
            if *generation != self.generation {
                // Entries of other features name other values: forget them.
                entries.fill(0);
                *generation = self.generation;
            }
            body(entries)
        })
    }

    /// The slot of the level cache for field `f` and values `x` and `y`, and its key (`None`:
    /// not cached).
    #[inline(always)]
    fn cache_slot(field: &FieldFeatures, f: usize, x: u32, y: u32) -> Option<(usize, u64)> {
        if field.cached && x < 1 << 28 && y < 1 << 28 {
            let (lo, hi) = (x.min(y) as u64, x.max(y) as u64);
            let key = (f as u64) << 60 | lo << 32 | hi << 4;
            let slot = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - CACHE_BITS)) as usize;
            Some((slot, key))
        } else {
            None
        }
    }

    /// [`Features::levels`] with the level cache given.
    #[inline]
    pub(crate) fn levels_in(&self, cache: &mut [u64], a: usize, b: usize) -> [u8; 16] {
        let mut levels = [0u8; 16];
        let width = self.fields.len();
        let row_a = &self.rows[a * width..(a + 1) * width];
        let row_b = &self.rows[b * width..(b + 1) * width];
        {
            for (f, field) in self.fields.iter().enumerate().take(16) {
                let (x, y) = (row_a[f], row_b[f]);
                levels[f] = if x == NULL || y == NULL {
                    0
                } else if x == y {
                    // The same year alone ("1985" and "1985") is partial agreement, not exact.
                    if field.kind == FieldKind::Date
                        && !PartialDate::unpack(field.date[x as usize]).is_complete()
                    {
                        4
                    } else {
                        1
                    }
                } else if let Some((slot, key)) = Features::cache_slot(field, f, x, y) {
                    // Common values meet again and again ("maria" and "jose"): remember the
                    // level of recent value pairs (comparisons are symmetric).
                    let entry = cache[slot];
                    if entry & !0xF == key {
                        (entry & 0xF) as u8
                    } else {
                        let level = field.level_of_values(x, y);
                        cache[slot] = key | level as u64;
                        level
                    }
                } else {
                    field.level_of_values(x, y)
                };
            }
        }
        if let Some((g, s)) = self.names {
            if levels[g] >= 6
                && levels[s] >= 6
                && self.crosswise(g, s, a, b)
                && self.crosswise(s, g, a, b)
            {
                levels[g] = 3;
                levels[s] = 3;
            }
        }
        for (implied, implying, highest) in &self.implied {
            if levels[*implied] == 1 && (1..=*highest).contains(&levels[*implying]) {
                levels[*implied] = 0;
            }
        }
        levels
    }

    /// Whether field `f` of record `a` agrees closely with field `h` of record `b`.
    fn crosswise(&self, f: usize, h: usize, a: usize, b: usize) -> bool {
        // The rows rather than the columns: the pair's rows are already in the CPU cache.
        let width = self.fields.len();
        let (x, y) = (self.rows[a * width + f], self.rows[b * width + h]);
        if x == NULL || y == NULL {
            return false;
        }
        let (ff, fh) = (&self.fields[f], &self.fields[h]);
        let (p, q) = (ff.strings.get(x), fh.strings.get(y));
        // Names written in each other's field keep their first letter.
        if p.first() != q.first() {
            return false;
        }
        p == q
            || (jaro_winkler_bound(p, q, &ff.hist[x as usize], &fh.hist[y as usize]) >= 0.92
                && jaro_winkler(p, q) >= 0.92)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl FieldFeatures {
    /// Computes what is derived from each distinct value.
    fn derive(&mut self, shared: &mut Interner) {
        let count = self.strings.len();
        if matches!(
            self.kind,
            FieldKind::GivenName | FieldKind::Surname | FieldKind::Text
        ) {
            self.hist = (0..count as u32)
                .map(|id| histogram(self.strings.get(id)))
                .collect();
        }
        match self.kind {
            FieldKind::GivenName | FieldKind::Surname => {
                let nicknames = Nicknames::spanish();
                for id in 0..count as u32 {
                    let text = std::str::from_utf8(self.strings.get(id))
                        .unwrap_or_default()
                        .to_string();
                    let units = split_units(&text);
                    let mut u = Units::EMPTY;
                    for (slot, unit) in units.iter().take(UNITS).enumerate() {
                        u.core[slot] = shared.intern(&unit.core);
                        u.compact[slot] = shared.intern(&unit.compact);
                        u.phon[slot] = shared.intern(&phonetic(&unit.core));
                    }
                    self.units.push(u);
                    let compact: String = units.iter().map(|u| u.compact.as_str()).collect();
                    self.compact.push(shared.intern(&compact));
                    let mut cores: Vec<&str> = units.iter().map(|u| u.core.as_str()).collect();
                    cores.sort_unstable();
                    self.sorted.push(shared.intern(&cores.join(" ")));
                    self.phon.push(shared.intern(&phonetic(&text)));
                    let mut groups = [NULL; NICKS];
                    if self.kind == FieldKind::GivenName {
                        let mut n = 0;
                        let candidates = std::iter::once(text.as_str())
                            .chain(units.iter().map(|u| u.full.as_str()))
                            .chain(units.iter().map(|u| u.core.as_str()));
                        for candidate in candidates {
                            for group in nicknames.groups(candidate) {
                                if n < NICKS && !groups[..n].contains(group) {
                                    groups[n] = *group;
                                    n += 1;
                                }
                            }
                        }
                    }
                    self.nick.push(groups);
                    let first_key = match units.first() {
                        None => NULL,
                        Some(unit) => {
                            let group = if self.kind == FieldKind::GivenName {
                                nicknames
                                    .groups(&unit.full)
                                    .first()
                                    .or(nicknames.groups(&unit.core).first())
                            } else {
                                None
                            };
                            match group {
                                Some(g) => shared.intern(&phonetic(nicknames.canonical(*g))),
                                None => u.phon[0],
                            }
                        }
                    };
                    self.first_key.push(first_key);
                }
            }
            FieldKind::Phone => {
                for id in 0..count as u32 {
                    let text = std::str::from_utf8(self.strings.get(id)).unwrap_or_default();
                    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                    // The national number: the last eight digits (seven for short numbers).
                    let national = &digits[digits.len().saturating_sub(8)..];
                    self.national.push(shared.intern(national));
                    self.phone_digits.push(
                        digits
                            .get(digits.len().saturating_sub(19)..)
                            .unwrap_or_default()
                            .parse()
                            .unwrap_or(0),
                    );
                }
            }
            FieldKind::Date => {
                for id in 0..count as u32 {
                    let text = std::str::from_utf8(self.strings.get(id)).unwrap_or_default();
                    self.date.push(text.parse().unwrap_or(0));
                }
            }
            _ => {}
        }
    }

    /// The comparison level of records `a` and `b` (see [`FieldKind::levels`]).
    #[cfg(test)]
    pub(crate) fn level(&self, a: usize, b: usize) -> u8 {
        let (x, y) = (self.ids[a], self.ids[b]);
        if x == NULL || y == NULL {
            return 0;
        }
        if x == y {
            return 1;
        }
        self.level_of_values(x, y)
    }

    /// The comparison level of two different, present values.
    pub(crate) fn level_of_values(&self, x: u32, y: u32) -> u8 {
        let (xi, yi) = (x as usize, y as usize);
        match self.kind {
            FieldKind::GivenName | FieldKind::Surname => {
                let (ux, uy) = (&self.units[xi], &self.units[yi]);
                let common_core = shares(&ux.core, &uy.core) || shares(&ux.compact, &uy.compact);
                if self.kind == FieldKind::Surname {
                    if self.sorted[xi] == self.sorted[yi] || self.compact[xi] == self.compact[yi] {
                        return 2;
                    }
                } else if !common_core && nick_overlap(&self.nick[xi], &self.nick[yi]) {
                    return 2;
                }
                // One name dropped ("Hernández López" and "Hernández"): partial, however similar
                // the strings look.
                if common_core && units_len(ux) != units_len(uy) {
                    return 5;
                }
                // Two surnames each, one shared ("Pérez Sánchez" and "Pérez Chávez"): a typo only
                // if the first words and the last words are each alike; otherwise one in common.
                if self.kind == FieldKind::Surname && common_core && units_len(ux) >= 2 {
                    let (a, b) = (self.strings.get(x), self.strings.get(y));
                    fn first(t: &[u8]) -> &[u8] {
                        t.split(|c| *c == b' ').next().unwrap_or_default()
                    }
                    fn last(t: &[u8]) -> &[u8] {
                        t.rsplit(|c| *c == b' ').next().unwrap_or_default()
                    }
                    let alike = jaro_winkler(first(a), first(b)) >= 0.92
                        && jaro_winkler(last(a), last(b)) >= 0.92;
                    return if alike { 3 } else { 5 };
                }
                let jw = self.similarity(x, y, 0.80);
                if jw >= 0.92 {
                    return 3;
                }
                if self.phon[xi] == self.phon[yi] {
                    return 4;
                }
                if common_core || shares(&ux.phon, &uy.phon) {
                    return 5;
                }
                if jw >= 0.80 {
                    return 6;
                }
                7
            }
            FieldKind::Date => match compare_dates(
                PartialDate::unpack(self.date[xi]),
                PartialDate::unpack(self.date[yi]),
            ) {
                DateAgreement::Exact => 1,
                DateAgreement::DayMonthSwapped => 2,
                DateAgreement::OneDigit => 3,
                DateAgreement::Partial => 4,
                DateAgreement::SameYear => 5,
                DateAgreement::Different => 6,
            },
            FieldKind::Phone => {
                let (p, q) = (self.phone_digits[xi], self.phone_digits[yi]);
                // The national number: the last eight digits.
                if p % 100_000_000 == q % 100_000_000 {
                    2
                } else if digits_within_one_edit(p, q) {
                    3
                } else {
                    4
                }
            }
            FieldKind::Identifier | FieldKind::Postcode | FieldKind::Number => {
                if within_one_edit(self.strings.get(x), self.strings.get(y)) {
                    2
                } else {
                    3
                }
            }
            FieldKind::Text => {
                let jw = self.similarity(x, y, 0.80);
                if jw >= 0.92 {
                    2
                } else if jw >= 0.80 {
                    3
                } else {
                    4
                }
            }
            FieldKind::Sex | FieldKind::Nationality | FieldKind::Category => 2,
        }
    }
}

/// Whether two numbers' decimal digits are at most one edit apart.
fn digits_within_one_edit(p: u64, q: u64) -> bool {
    // Cheap necessary conditions first (most pairs of phones are unrelated): an edit changes at
    // most two adjacent digits of equal-length numbers, so their last three digits, their digits
    // before the last three, or (a transposition across that boundary) their last two digits
    // agree; an inserted digit leaves the last three digits, or the digits before them, as they
    // were.
    let digit_count = |n: u64| n.checked_ilog10().map_or(0, |l| l + 1);
    let (lp, lq) = (digit_count(p), digit_count(q));
    if lp.abs_diff(lq) > 1 {
        return false;
    }
    if lp >= 4 && lq >= 4 {
        let plausible = match lp.cmp(&lq) {
            std::cmp::Ordering::Equal => {
                p % 1000 == q % 1000 || p / 1000 == q / 1000 || p % 100 == q % 100
            }
            std::cmp::Ordering::Greater => p % 1000 == q % 1000 || p / 1000 == q / 100,
            std::cmp::Ordering::Less => p % 1000 == q % 1000 || q / 1000 == p / 100,
        };
        if !plausible {
            return false;
        }
    }
    digits_within_one_edit_exact(p, q)
}

/// [`digits_within_one_edit`] digit by digit.
fn digits_within_one_edit_exact(p: u64, q: u64) -> bool {
    fn digits(mut n: u64) -> ([u8; 20], usize) {
        let mut out = [0u8; 20];
        let mut len = 0;
        while n > 0 {
            out[len] = (n % 10) as u8;
            n /= 10;
            len += 1;
        }
        (out, len)
    }
    let ((a, la), (b, lb)) = (digits(p), digits(q));
    // Edit distance does not change when both strings are reversed.
    within_one_edit(&a[..la], &b[..lb])
}

#[inline]
fn units_len(units: &Units) -> usize {
    units.core.iter().filter(|c| **c != NULL).count()
}

#[inline]
fn shares(a: &[u32; UNITS], b: &[u32; UNITS]) -> bool {
    a.iter().any(|x| *x != NULL && b.contains(x))
}

#[inline]
fn nick_overlap(a: &[u32; NICKS], b: &[u32; NICKS]) -> bool {
    a[0] != NULL && b[0] != NULL && a.iter().any(|x| *x != NULL && b.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;

    fn table(kind: FieldKind, values: &[&str]) -> Table {
        Table {
            ids: (0..values.len()).map(|i| i.to_string()).collect(),
            columns: vec![Column {
                name: "field".into(),
                kind,
                values: values.iter().map(|v| Some(v.to_string())).collect(),
            }],
        }
    }

    /// Checks the level label of the first value against each of the others.
    fn check(kind: FieldKind, cases: &[(&str, &str, &str)]) {
        for (a, b, expected) in cases {
            let features = Features::build(&table(kind, &[a, b]), Country::from_alpha_2("GT"));
            let level = features.fields[0].level(0, 1);
            assert_eq!(
                kind.levels()[level as usize],
                *expected,
                "{kind:?}: {a:?} vs {b:?}"
            );
            let back = features.fields[0].level(1, 0);
            assert_eq!(level, back, "symmetry: {a:?} vs {b:?}");
        }
    }

    #[test]
    fn digit_edit_filter_never_rejects_a_near_number() {
        let mut state = 7u64;
        let mut next = || {
            state = crate::splitmix(state);
            state
        };
        let edit = |n: u64, r: u64| -> u64 {
            let mut digits: Vec<u8> = n.to_string().into_bytes();
            let i = (r >> 8) as usize % digits.len();
            match r % 4 {
                0 => digits[i] = b'0' + (r >> 20) as u8 % 10,
                1 => digits.insert(i, b'0' + (r >> 20) as u8 % 10),
                2 if digits.len() > 1 => {
                    digits.remove(i);
                }
                _ if i + 1 < digits.len() => digits.swap(i, i + 1),
                _ => {}
            }
            let text = String::from_utf8(digits).unwrap();
            text.trim_start_matches('0').parse().unwrap_or(0)
        };
        for round in 0..200_000 {
            let r = next();
            let p = match round % 3 {
                0 => r % 100_000_000,
                1 => r % 1_000_000_000_000,
                _ => r % 10_000,
            };
            let q = if round % 5 == 0 {
                next() % (p + 2).max(10)
            } else {
                edit(p, next())
            };
            assert_eq!(
                digits_within_one_edit(p, q),
                digits_within_one_edit_exact(p, q),
                "{p} {q}"
            );
        }
    }

    #[test]
    fn given_names_compare_with_nicknames_and_compound_names() {
        check(
            FieldKind::GivenName,
            &[
                ("María José", "maria jose", "exact"),
                ("José", "Chepe", "nickname"),
                ("Pepe", "Chepe", "nickname"),
                ("Francisco", "Pancho", "nickname"),
                ("María José", "Majo", "nickname"),
                ("Mitchell", "Mitchel", "jaro_winkler_0.92"),
                ("Yesenia", "Llecenia", "phonetic"),
                ("María José", "María", "one_name_in_common"),
                ("Ana Lucía", "Lucía", "one_name_in_common"),
                ("Pedro", "Juan", "else"),
                ("", "Juan", "null"),
            ],
        );
    }

    #[test]
    fn surnames_compare_reordered_dropped_and_with_particles() {
        check(
            FieldKind::Surname,
            &[
                ("Hernández López", "HERNANDEZ LOPEZ", "exact"),
                (
                    "Hernández López",
                    "López Hernández",
                    "reordered_or_particles",
                ),
                ("De la Cruz", "Delacruz", "reordered_or_particles"),
                ("De la Cruz", "Cruz", "reordered_or_particles"),
                ("Hernández López", "Hernández", "one_surname_in_common"),
                ("De León Pérez", "De León", "one_surname_in_common"),
                ("Gonzalez", "Gonzales", "jaro_winkler_0.92"),
                ("Vásquez", "Basques", "phonetic"),
                ("García", "Xicará", "else"),
                ("Pérez Sánchez", "Pérez Chávez", "one_surname_in_common"),
                ("López Rodríguez", "López Rodrgíuez", "jaro_winkler_0.92"),
            ],
        );
    }

    #[test]
    fn agreement_implied_by_another_field_counts_once() {
        let column = |name: &str, values: [&str; 3]| Column {
            name: name.into(),
            kind: FieldKind::from_header(name),
            values: values.iter().map(|v| Some(v.to_string())).collect(),
        };
        let table = Table {
            ids: vec!["a".into(), "b".into(), "c".into()],
            columns: vec![
                column("given_name", ["José", "Chepe", "Pedro"]),
                column("sex", ["M", "hombre", "M"]),
                column("nationality", ["GT", "GT", "GT"]),
                column("city", ["Cobán", "Coban", "Mixco"]),
            ],
        };
        let features = Features::build(&table, None);
        // Same given name (by nickname) and city: sex and nationality add nothing.
        assert_eq!(&features.levels(0, 1)[..4], &[2, 0, 0, 1]);
        // Different given name and city: sex and nationality agreement are evidence again.
        assert_eq!(&features.levels(0, 2)[..4], &[7, 1, 1, 4]);
    }

    #[test]
    fn other_fields_compare_by_kind() {
        check(
            FieldKind::Phone,
            &[
                ("+502 5555 1234", "(502) 5555-1234", "exact"),
                ("502-5555-1234", "55551234", "exact"),
                ("+504 5555 1234", "55551234", "same_national_number"),
                ("55551234", "55551235", "one_digit"),
                ("55551234", "44441234", "else"),
            ],
        );
        check(
            FieldKind::Date,
            &[
                ("1990-05-12", "19900512", "exact"),
                ("1990-05-12", "1990-12-05", "day_month_swapped"),
                ("1990-05-12", "1990", "partial_agrees"),
                ("1990-05-12", "1990-05-21", "one_digit"),
                ("1990-05-12", "1990-07-30", "same_year"),
            ],
        );
        check(
            FieldKind::Identifier,
            &[
                ("1804974", " 1804974", "exact"),
                ("1804974", "1809474", "one_edit"),
                ("1804974", "2185997", "else"),
            ],
        );
        check(
            FieldKind::Sex,
            &[("F", "femenino", "exact"), ("mujer", "hombre", "else")],
        );
        check(
            FieldKind::Nationality,
            &[("GT", "GTM", "exact"), ("GT", "HN", "else")],
        );
        check(
            FieldKind::Text,
            &[
                ("wallaby place", "wallaby  place", "exact"),
                ("wallaby place", "walaby place", "jaro_winkler_0.92"),
            ],
        );
    }
}
