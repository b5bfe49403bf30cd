//! Cryptographic long-term keys (CLKs): a record's features tokenised, each token hashed with the
//! feature's keys into bit positions of one Bloom filter, as clkhash 0.18.3 does
//! (`bloomfilter.py`, `comparators.py`, `field_formats.py`). The bits of an encoding are written
//! most significant bit first, byte by byte, as Python's `bitarray.tobytes()` writes them.
//!
//! Beyond clkhash, [`Hardening`] adds a record-level salt and balanced Bloom filters; both are
//! off in the compatible mode (see `docs/pprl.md` for what each defends against).

use blake2::digest::core_api::{Block, Buffer, UpdateCore, VariableOutputCore};
use blake2::Blake2bVarCore;
use hmac::{Hmac, Mac};
use md5::Md5;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rayon::prelude::*;
use sha1::Sha1;

use crate::error::{text, EncodeError, SchemaError, Text};
use crate::keys::{self, FeatureKeys};
use crate::schema::{
    Case, Comparison, Feature, Format, HashKind, Hashing, LinkageSchema, StringFormat, TextEncoding,
};

/// Options beyond clkhash. The default is clkhash's encoding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hardening {
    /// The feature (by position) whose formatted value salts every token of the other features,
    /// so the same name hashes to different bits for people with different salts.
    pub record_salt_feature: Option<usize>,
    /// Balanced Bloom filters: the filter followed by its complement, the bits then permuted
    /// with a permutation derived from the secret. Every encoding has the same number of ones.
    pub balanced: bool,
}

/// The filter bits of values already hashed, by feature, salt and formatted value (names and
/// dates repeat: clkhash keeps LRU caches for the same reason). One per thread; emptied when it
/// grows past its bound.
///
/// A value's bits are kept as the filter's 64-bit words they touch (a word's index and its
/// bits), so applying a cached value costs one OR per word rather than one per bit position. The
/// table is open addressing over 64-bit key hashes; each entry's key and words sit together in
/// one arena, so a lookup touches the slot and then one place in memory.
#[derive(Debug)]
pub struct TokenCache {
    /// `(hash, offset)`: the key's hash (0 when the slot is free) and where its entry begins in
    /// `arena`. The length is a power of two.
    slots: Vec<(u64, u32)>,
    /// Entries: a header word (the key's length in bytes, then the number of words above bit
    /// 32), the key in little-endian words padded with zero bytes, the word indices two to a
    /// word, then the words' bits.
    arena: Vec<u64>,
    entries: usize,
    /// The keys of the record being encoded, as padded words, one after the other.
    key_words: Vec<u64>,
    /// The record's lookups, one per hashed feature.
    lookups: Vec<Lookup>,
    /// Scratch space for the positions of a value seen for the first time.
    positions: Vec<u32>,
    /// Scratch space for a new value's bits: a filter's words (zero between uses) and the
    /// indices of the words that are not zero.
    new_words: Vec<u64>,
    touched_words: Vec<u32>,
}

/// One feature's key in [`TokenCache::key_words`].
#[derive(Debug, Clone, Copy)]
struct Lookup {
    feature: usize,
    words_start: usize,
    words_end: usize,
    key_bytes: usize,
    hash: u64,
}

impl Default for TokenCache {
    fn default() -> TokenCache {
        TokenCache {
            slots: vec![(0, 0); TokenCache::FIRST_SLOTS],
            arena: Vec::new(),
            entries: 0,
            key_words: Vec::new(),
            lookups: Vec::new(),
            positions: Vec::new(),
            new_words: Vec::new(),
            touched_words: Vec::new(),
        }
    }
}

impl TokenCache {
    const FIRST_SLOTS: usize = 1 << 12;
    const MOST_ENTRIES: usize = 1 << 17;
    /// 32 MB of entries per thread at most.
    const MOST_ARENA_WORDS: usize = 1 << 22;

    /// Adds the key of a feature's value to the record's lookups: the feature, the record's salt
    /// and the formatted value.
    fn push_lookup(&mut self, feature: usize, salt: Option<&str>, value: &str) {
        let words_start = self.key_words.len();
        let salt = salt.unwrap_or("").as_bytes();
        let key_bytes = 4 + salt.len() + 1 + value.len();
        let mut pending = [0u8; 8];
        let mut filled = 0;
        let bytes = (feature as u32)
            .to_le_bytes()
            .into_iter()
            .chain(salt.iter().copied())
            .chain(std::iter::once(0x1e))
            .chain(value.bytes());
        for byte in bytes {
            pending[filled] = byte;
            filled += 1;
            if filled == 8 {
                self.key_words.push(u64::from_le_bytes(pending));
                filled = 0;
            }
        }
        if filled > 0 {
            pending[filled..].fill(0);
            self.key_words.push(u64::from_le_bytes(pending));
        }
        let words_end = self.key_words.len();
        let mut hash = 0x9e37_79b9_7f4a_7c15 ^ key_bytes as u64;
        for &word in &self.key_words[words_start..words_end] {
            hash = (hash ^ word).wrapping_mul(0x2d35_8dcc_aa6c_78a5);
            hash ^= hash >> 29;
        }
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
        hash ^= hash >> 33;
        self.lookups.push(Lookup {
            feature,
            words_start,
            words_end,
            key_bytes,
            // 0 marks a free slot.
            hash: hash.max(1),
        });
    }

    /// Reads the slot and the entry header of every lookup before any of them is used, so that
    /// the processor waits for their memory once rather than once per feature.
    fn touch_lookups(&self) {
        let mask = self.slots.len() - 1;
        let mut seen = 0u64;
        for lookup in &self.lookups {
            seen ^= self.slots[lookup.hash as usize & mask].0;
        }
        for lookup in &self.lookups {
            let (hash, offset) = self.slots[lookup.hash as usize & mask];
            if hash == lookup.hash {
                seen ^= self.arena[offset as usize];
            }
        }
        std::hint::black_box(seen);
    }

    /// Where the entry of a lookup begins in the arena, if it is cached.
    fn find(&self, lookup: &Lookup) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let key = &self.key_words[lookup.words_start..lookup.words_end];
        let mut index = lookup.hash as usize & mask;
        loop {
            let (slot_hash, offset) = self.slots[index];
            if slot_hash == 0 {
                return None;
            }
            let offset = offset as usize;
            if slot_hash == lookup.hash
                && (self.arena[offset] & 0xffff_ffff) as usize == lookup.key_bytes
                && self.arena[offset + 1..offset + 1 + key.len()] == *key
            {
                return Some(offset);
            }
            index = (index + 1) & mask;
        }
    }

    /// ORs the words of the entry at `offset` (whose key is `key_words` long) into `filter`.
    fn apply(&self, offset: usize, key_words: usize, filter: &mut BitVector) {
        let count = (self.arena[offset] >> 32) as usize;
        let indices_at = offset + 1 + key_words;
        let bits_at = indices_at + count.div_ceil(2);
        let indices = &self.arena[indices_at..bits_at];
        let bits = &self.arena[bits_at..bits_at + count];
        for (i, &word_bits) in bits.iter().enumerate() {
            let word_index = (indices[i / 2] >> (32 * (i % 2))) & 0xffff_ffff;
            filter.words[word_index as usize] |= word_bits;
        }
    }

    /// ORs `self.positions` into `filter` and caches them as the bits of a lookup's key.
    fn apply_and_insert_positions(&mut self, lookup: &Lookup, filter: &mut BitVector) {
        if self.new_words.len() < filter.words.len() {
            self.new_words.resize(filter.words.len(), 0);
        }
        self.touched_words.clear();
        for &position in &self.positions {
            let word_index = position / 64;
            let word = &mut self.new_words[word_index as usize];
            if *word == 0 {
                self.touched_words.push(word_index);
            }
            *word |= 1u64 << (position % 64);
        }
        for &word_index in &self.touched_words {
            filter.words[word_index as usize] |= self.new_words[word_index as usize];
        }
        if self.entries >= TokenCache::MOST_ENTRIES
            || self.arena.len() >= TokenCache::MOST_ARENA_WORDS
        {
            self.slots.clear();
            self.slots.resize(TokenCache::FIRST_SLOTS, (0, 0));
            self.arena.clear();
            self.entries = 0;
        }
        if 2 * (self.entries + 1) > self.slots.len() {
            self.grow();
        }
        let Ok(offset) = u32::try_from(self.arena.len()) else {
            self.clear_new_words();
            return;
        };
        let count = self.touched_words.len();
        self.arena
            .push(lookup.key_bytes as u64 | (count as u64) << 32);
        self.arena
            .extend_from_slice(&self.key_words[lookup.words_start..lookup.words_end]);
        self.arena.extend(self.touched_words.chunks(2).map(|pair| {
            u64::from(pair[0]) | pair.get(1).map_or(0, |&second| u64::from(second) << 32)
        }));
        self.arena.extend(
            self.touched_words
                .iter()
                .map(|&word_index| self.new_words[word_index as usize]),
        );
        self.clear_new_words();
        let index = self.free_slot(lookup.hash);
        self.slots[index] = (lookup.hash, offset);
        self.entries += 1;
    }

    fn clear_new_words(&mut self) {
        for &word_index in &self.touched_words {
            self.new_words[word_index as usize] = 0;
        }
    }

    /// The first free slot from the hash's place.
    fn free_slot(&self, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut index = hash as usize & mask;
        while self.slots[index].0 != 0 {
            index = (index + 1) & mask;
        }
        index
    }

    /// Doubles the slots, placing every entry again by its hash.
    fn grow(&mut self) {
        let doubled = vec![(0, 0); 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, doubled);
        for (hash, offset) in old {
            if hash != 0 {
                let index = self.free_slot(hash);
                self.slots[index] = (hash, offset);
            }
        }
    }
}

/// A schema with its keys, ready to encode records.
pub struct Encoder {
    schema: LinkageSchema,
    prepared: Vec<Option<PreparedFeature>>,
    hardening: Hardening,
    /// The bit permutation of balanced filters (`permutation[i]` is where bit `i` goes).
    permutation: Vec<u32>,
    /// Tells this encoder's thread-local caches from another encoder's (another secret).
    cache_owner: u64,
}

static NEXT_CACHE_OWNER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    /// Each thread's cache, with the encoder it belongs to.
    static THREAD_CACHE: std::cell::RefCell<(u64, TokenCache)> =
        std::cell::RefCell::new((0, TokenCache::default()));
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("features", &self.schema.features.len())
            .field("l", &self.schema.l)
            .finish_non_exhaustive()
    }
}

/// A feature's keyed hash functions, keyed once.
enum PreparedFeature {
    Blake(Blake2bMac512Keyed),
    Double {
        sha1: Box<Hmac<Sha1>>,
        md5: Box<Hmac<Md5>>,
        prevent_singularity: bool,
    },
}

/// Keyed BLAKE2b-512 (clkhash's `blake2b(token, key=key, salt=str(i))`) with the feature's key
/// and the salts "0", "1", ... (one per 32 bits), each state kept after its key block, so that a
/// token costs one compression rather than two.
struct Blake2bMac512Keyed {
    by_salt: Vec<Blake2bVarCore>,
}

impl Blake2bMac512Keyed {
    fn new(key: &[u8], most_bits: usize) -> Blake2bMac512Keyed {
        assert!(
            key.len() <= 64,
            "the schema reader keeps BLAKE2b keys within 64 bytes"
        );
        let count = most_bits.div_ceil(32).max(1);
        let mut key_block = Block::<Blake2bVarCore>::default();
        key_block[..key.len()].copy_from_slice(key);
        let by_salt = (0..count)
            .map(|i| {
                let mut core =
                    Blake2bVarCore::new_with_params(i.to_string().as_bytes(), &[], key.len(), 64);
                // The key block is never the last block: tokens are never empty.
                core.update_blocks(std::slice::from_ref(&key_block));
                core
            })
            .collect();
        Blake2bMac512Keyed { by_salt }
    }

    /// The 64-byte MAC of a non-empty token with salt number `salt`.
    fn mac(&self, salt: usize, token: &[u8]) -> [u8; 64] {
        let mut core = self.by_salt[salt].clone();
        let mut buffer = Buffer::<Blake2bVarCore>::default();
        buffer.digest_blocks(token, |blocks| core.update_blocks(blocks));
        let mut out = Default::default();
        core.finalize_variable_core(&mut buffer, &mut out);
        let mut digest = [0u8; 64];
        digest.copy_from_slice(&out);
        digest
    }
}

impl Encoder {
    /// Keys the schema's features with the secret.
    pub fn new(schema: LinkageSchema, secret: &[u8]) -> Result<Encoder, SchemaError> {
        Encoder::with_hardening(schema, secret, Hardening::default())
    }

    /// As [`Encoder::new`], with hardening beyond clkhash.
    pub fn with_hardening(
        schema: LinkageSchema,
        secret: &[u8],
        hardening: Hardening,
    ) -> Result<Encoder, SchemaError> {
        if !keys::can_derive(&schema.kdf, schema.features.len()) {
            let (key_size, features) = (schema.kdf.key_size, schema.features.len());
            return Err(SchemaError::Invalid {
                location: text!("clkConfig.kdf", "clkConfig.kdf"),
                message: text!(
                    "HKDF no puede derivar dos claves de {key_size} bytes para cada uno de {features} campos; reduzca keySize o use SHA512",
                    "HKDF cannot derive two keys of {key_size} bytes for each of {features} features; lower keySize or use SHA512",
                ),
            });
        }
        let keys = keys::feature_keys(&schema.kdf, secret, schema.features.len());
        let prepared = schema
            .features
            .iter()
            .zip(&keys)
            .map(|(feature, keys)| feature.hashing.as_ref().map(|h| prepare(h, keys)))
            .collect();
        let permutation = if hardening.balanced {
            let seed = keys::hkdf_bytes_with_info(
                crate::schema::KdfHash::Sha256,
                None,
                Some(b"puente-pprl balanced bloom filter permutation"),
                secret,
                32,
            );
            let mut seed_array = [0u8; 32];
            seed_array.copy_from_slice(&seed);
            let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed_array);
            let mut permutation: Vec<u32> = (0..2 * schema.l as u32).collect();
            permutation.shuffle(&mut rng);
            permutation
        } else {
            Vec::new()
        };
        Ok(Encoder {
            schema,
            prepared,
            hardening,
            permutation,
            cache_owner: NEXT_CACHE_OWNER.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// The value that keys this encoder's caches.
    pub(crate) fn cache_owner(&self) -> u64 {
        self.cache_owner
    }

    pub fn schema(&self) -> &LinkageSchema {
        &self.schema
    }

    /// The length of every encoding in bytes.
    pub fn encoding_bytes(&self) -> usize {
        if self.hardening.balanced {
            (2 * self.schema.l).div_ceil(8)
        } else {
            self.schema.encoding_bytes()
        }
    }

    /// Checks that the CSV header names the schema's features in order, as clkhash does.
    pub fn check_header(&self, header: &[&str]) -> Result<(), EncodeError> {
        let features = &self.schema.features;
        if header.len() != features.len() {
            let (columns, count) = (header.len(), features.len());
            let names = features
                .iter()
                .map(|f| f.identifier.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(EncodeError::Header {
                message: text!(
                    "el encabezado tiene {columns} columnas donde el esquema tiene {count} campos ({names})",
                    "the header has {columns} columns where the schema has {count} features ({names})",
                ),
            });
        }
        for (position, (column, feature)) in header.iter().zip(features).enumerate() {
            if *column != feature.identifier {
                let (number, expected) = (position + 1, &feature.identifier);
                return Err(EncodeError::Header {
                    message: text!(
                        "la columna {number} es '{column}' donde el campo del esquema es '{expected}'",
                        "column {number} is '{column}' where the schema's feature is '{expected}'",
                    ),
                });
            }
        }
        Ok(())
    }

    /// Validates and encodes one record. `line` is the record's line in its file, for errors.
    pub fn encode_record(&self, record: &[&str], line: usize) -> Result<Vec<u8>, EncodeError> {
        self.encode_record_cached(record, line, &mut TokenCache::default())
    }

    /// As [`Encoder::encode_record`], reusing the token positions in `cache`.
    pub fn encode_record_cached(
        &self,
        record: &[&str],
        line: usize,
        cache: &mut TokenCache,
    ) -> Result<Vec<u8>, EncodeError> {
        let features = &self.schema.features;
        if record.len() != features.len() {
            return Err(EncodeError::RowLength {
                line,
                found: record.len(),
                expected: features.len(),
            });
        }
        for (value, feature) in record.iter().zip(features) {
            validate(feature, value).map_err(|message| EncodeError::InvalidEntry {
                line,
                feature: feature.identifier.clone(),
                message,
            })?;
        }
        let salt = match self.hardening.record_salt_feature {
            Some(index) => {
                let feature = &features[index];
                let value = hashable_value(feature, record[index]).map_err(|message| {
                    EncodeError::InvalidEntry {
                        line,
                        feature: feature.identifier.clone(),
                        message,
                    }
                })?;
                Some(value.into_owned())
            }
            None => None,
        };
        let hash_length = self.schema.hash_length();
        let mut filter = BitVector::zeros(hash_length);
        let salt_of = |index: usize| match (&salt, self.hardening.record_salt_feature) {
            (Some(salt), Some(salt_index)) if salt_index != index => Some(salt.as_str()),
            _ => None,
        };
        let invalid = |feature: &Feature, message: Text| EncodeError::InvalidEntry {
            line,
            feature: feature.identifier.clone(),
            message,
        };
        // First every feature's key, then their cache entries, so that the memory of all of
        // them is fetched at once.
        cache.key_words.clear();
        cache.lookups.clear();
        for (index, (value, feature)) in record.iter().zip(features).enumerate() {
            if feature.hashing.is_none() {
                continue;
            }
            let formatted =
                hashable_value(feature, value).map_err(|message| invalid(feature, message))?;
            cache.push_lookup(index, salt_of(index), &formatted);
        }
        cache.touch_lookups();
        let mut token_bytes = Vec::with_capacity(64);
        for lookup_index in 0..cache.lookups.len() {
            let lookup = cache.lookups[lookup_index];
            if let Some(offset) = cache.find(&lookup) {
                cache.apply(offset, lookup.words_end - lookup.words_start, &mut filter);
                continue;
            }
            let index = lookup.feature;
            let feature = &features[index];
            let (Some(hashing), Some(prepared)) = (&feature.hashing, &self.prepared[index]) else {
                continue;
            };
            let salt = salt_of(index);
            let invalid = |message: Text| invalid(feature, message);
            let formatted = hashable_value(feature, record[index]).map_err(invalid)?;
            let tokens = tokenize(&hashing.comparison, &formatted).map_err(invalid)?;
            if tokens.is_empty() {
                continue;
            }
            cache.positions.clear();
            for (token, bits) in tokens
                .iter()
                .zip(hashing.strategy.bits_per_token(tokens.len()))
            {
                token_bytes.clear();
                encode_text(hashing.encoding, token, &mut token_bytes).map_err(invalid)?;
                if let Some(salt) = salt {
                    token_bytes.push(0x1f);
                    token_bytes.extend_from_slice(salt.as_bytes());
                }
                token_positions(
                    prepared,
                    &token_bytes,
                    bits,
                    hash_length,
                    &mut cache.positions,
                );
            }
            cache.apply_and_insert_positions(&lookup, &mut filter);
        }
        let folded = filter.fold(self.schema.xor_folds);
        if self.hardening.balanced {
            let l = folded.len;
            let mut balanced = BitVector::zeros(2 * l);
            for i in 0..l {
                let bit = folded.get(i);
                let target_of_bit = self.permutation[i] as usize;
                let target_of_complement = self.permutation[l + i] as usize;
                if bit {
                    balanced.set(target_of_bit);
                } else {
                    balanced.set(target_of_complement);
                }
            }
            return Ok(balanced.to_msb_bytes());
        }
        Ok(folded.to_msb_bytes())
    }

    /// Encodes every record, in parallel; the first invalid record (in file order) is the error.
    /// `lines[i]` is record `i`'s line in its file. `progress` is told of every 1,024 records.
    pub fn encode_all<R: RecordFields>(
        &self,
        records: &[R],
        lines: &[usize],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<Vec<u8>>, EncodeError> {
        encode_in_parallel(
            records,
            lines,
            progress,
            self.cache_owner,
            |fields, line, cache| self.encode_record_cached(fields, line, cache),
        )
    }
}

/// A record as its fields: `Vec<String>` is one, and the command line's CSV rows are another (so
/// that a file's rows need not be copied into a string per field).
pub trait RecordFields: Sync {
    /// Appends the record's fields, in order.
    fn push_fields<'a>(&'a self, fields: &mut Vec<&'a str>);
}

impl RecordFields for Vec<String> {
    fn push_fields<'a>(&'a self, fields: &mut Vec<&'a str>) {
        fields.extend(self.iter().map(String::as_str));
    }
}

/// Runs `encode` over every record on all cores, keeping the records' order; the first error in
/// file order is returned.
pub fn encode_in_parallel<R, F>(
    records: &[R],
    lines: &[usize],
    progress: &(dyn Fn(u64) + Sync),
    cache_owner: u64,
    encode: F,
) -> Result<Vec<Vec<u8>>, EncodeError>
where
    R: RecordFields,
    F: Fn(&[&str], usize, &mut TokenCache) -> Result<Vec<u8>, EncodeError> + Sync,
{
    let chunks: Vec<Vec<Result<Vec<u8>, EncodeError>>> = records
        .par_chunks(1024)
        .zip(lines.par_chunks(1024))
        .map(|(chunk, chunk_lines)| {
            let out: Vec<_> = THREAD_CACHE.with(|cell| {
                let mut guard = cell.borrow_mut();
                let (owner, cache) = &mut *guard;
                if *owner != cache_owner {
                    *owner = cache_owner;
                    *cache = TokenCache::default();
                }
                let mut fields: Vec<&str> = Vec::new();
                chunk
                    .iter()
                    .zip(chunk_lines)
                    .map(|(record, line)| {
                        fields.clear();
                        record.push_fields(&mut fields);
                        encode(&fields, *line, cache)
                    })
                    .collect()
            });
            progress(chunk.len() as u64);
            out
        })
        .collect();
    chunks.into_iter().flatten().collect()
}

fn prepare(hashing: &Hashing, keys: &FeatureKeys) -> PreparedFeature {
    match hashing.hash {
        HashKind::Blake => {
            let most_bits = match hashing.strategy {
                crate::schema::Strategy::BitsPerToken(k) => k,
                crate::schema::Strategy::BitsPerFeature(k) => k,
            };
            PreparedFeature::Blake(Blake2bMac512Keyed::new(&keys.first, most_bits))
        }
        HashKind::Double {
            prevent_singularity,
        } => PreparedFeature::Double {
            sha1: Box::new(
                <Hmac<Sha1> as Mac>::new_from_slice(&keys.first)
                    .expect("HMAC takes keys of any length"),
            ),
            md5: Box::new(
                <Hmac<Md5> as Mac>::new_from_slice(&keys.second)
                    .expect("HMAC takes keys of any length"),
            ),
            prevent_singularity,
        },
    }
}

/// The `bits` positions of one token, appended to `positions`.
fn token_positions(
    prepared: &PreparedFeature,
    token: &[u8],
    bits: usize,
    length: usize,
    positions: &mut Vec<u32>,
) {
    match prepared {
        PreparedFeature::Blake(keyed) => {
            let mut remaining = bits;
            for salt in 0..keyed.by_salt.len() {
                if remaining == 0 {
                    break;
                }
                let digest = keyed.mac(salt, token);
                for pair in digest.chunks_exact(2).take(remaining.min(32)) {
                    let short = u16::from_le_bytes([pair[0], pair[1]]) as usize;
                    positions.push((short % length) as u32);
                }
                remaining = remaining.saturating_sub(32);
            }
        }
        PreparedFeature::Double {
            sha1,
            md5,
            prevent_singularity,
        } => {
            let length_u64 = length as u64;
            let mut sha1_mac = (**sha1).clone();
            Mac::update(&mut sha1_mac, token);
            let sha1_value = big_endian_mod(&sha1_mac.finalize().into_bytes(), length_u64);
            let mut md5_mac = (**md5).clone();
            Mac::update(&mut md5_mac, token);
            let mut md5_value = big_endian_mod(&md5_mac.finalize().into_bytes(), length_u64);
            if *prevent_singularity {
                let mut counter: u32 = 0;
                let mut buffer = Vec::with_capacity(token.len() + 4);
                while md5_value == 0 {
                    buffer.clear();
                    buffer.extend_from_slice(token);
                    let c = char::from_u32(counter).unwrap_or('\u{fffd}');
                    let mut utf8 = [0u8; 4];
                    buffer.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                    let mut retry = (**md5).clone();
                    Mac::update(&mut retry, &buffer);
                    md5_value = big_endian_mod(&retry.finalize().into_bytes(), length_u64);
                    counter += 1;
                }
            }
            for i in 0..bits as u64 {
                let position =
                    (sha1_value as u128 + i as u128 * md5_value as u128) % length_u64 as u128;
                positions.push(position as u32);
            }
        }
    }
}

/// The digest read as a big-endian integer, modulo `m`.
fn big_endian_mod(bytes: &[u8], m: u64) -> u64 {
    bytes
        .iter()
        .fold(0u64, |r, b| ((r << 8) | u64::from(*b)) % m)
}

/// Writes a token in the feature's encoding (Python's codecs: UTF-16 and UTF-32 begin with a
/// little-endian byte-order mark).
fn encode_text(encoding: TextEncoding, text: &str, out: &mut Vec<u8>) -> Result<(), Text> {
    match encoding {
        TextEncoding::Utf8 => out.extend_from_slice(text.as_bytes()),
        TextEncoding::Ascii => {
            if !text.is_ascii() {
                return Err(text!(
                    "se esperaba un texto que se pueda codificar en ascii, se leyó '{text}'",
                    "expected text that can be encoded in ascii, read '{text}'",
                ));
            }
            out.extend_from_slice(text.as_bytes());
        }
        TextEncoding::Utf16 => {
            out.extend_from_slice(&[0xff, 0xfe]);
            for unit in text.encode_utf16() {
                out.extend_from_slice(&unit.to_le_bytes());
            }
        }
        TextEncoding::Utf32 => {
            out.extend_from_slice(&[0xff, 0xfe, 0, 0]);
            for c in text.chars() {
                out.extend_from_slice(&(c as u32).to_le_bytes());
            }
        }
    }
    Ok(())
}

/// Checks one value against its feature's format (clkhash's `validate`).
fn validate(feature: &Feature, value: &str) -> Result<(), Text> {
    let Some(hashing) = &feature.hashing else {
        return Ok(());
    };
    if let Some(missing) = &hashing.missing_value {
        if missing.sentinel == value {
            return Ok(());
        }
    }
    if hashing.encoding == TextEncoding::Ascii && !value.is_ascii() {
        return Err(text!(
            "se esperaba un valor que se pueda codificar en ascii, se leyó '{value}'",
            "expected an entry that can be encoded in ascii, read '{value}'",
        ));
    }
    match &feature.format {
        Format::String(StringFormat::Pattern { source, regex }) => {
            if !regex.is_match(value) {
                return Err(text!(
                    "se esperaba un valor que cumpla la expresión regular '{source}', se leyó '{value}'",
                    "expected an entry that conforms to the regular expression '{source}', read '{value}'",
                ));
            }
        }
        Format::String(StringFormat::Plain {
            case,
            min_length,
            max_length,
        }) => {
            // Counting characters costs a pass over the value: only when a length is bounded.
            let length = if min_length.is_some() || max_length.is_some() {
                value.chars().count()
            } else {
                0
            };
            if let Some(min) = min_length {
                if length < *min {
                    return Err(text!(
                        "se esperaba un texto de al menos {min} caracteres, se leyó '{value}' de {length}",
                        "expected a string length of at least {min}, read '{value}' of length {length}",
                    ));
                }
            }
            if let Some(max) = max_length {
                if length > *max {
                    return Err(text!(
                        "se esperaba un texto de como mucho {max} caracteres, se leyó '{value}' de {length}",
                        "expected a string length of at most {max}, read '{value}' of length {length}",
                    ));
                }
            }
            match case {
                Case::Upper if value.to_uppercase() != value => {
                    return Err(text!(
                        "se esperaba un texto en mayúsculas, se leyó '{value}'",
                        "expected an upper case string, read '{value}'",
                    ))
                }
                Case::Lower if value.to_lowercase() != value => {
                    return Err(text!(
                        "se esperaba un texto en minúsculas, se leyó '{value}'",
                        "expected a lower case string, read '{value}'",
                    ))
                }
                _ => {}
            }
        }
        Format::Integer { minimum, maximum } => {
            let Some(number) = python_int(value) else {
                return Err(text!(
                    "número entero no válido, se leyó '{value}'",
                    "invalid integer, read '{value}'",
                ));
            };
            if let Some(min) = minimum {
                if number < *min {
                    return Err(text!(
                        "se esperaba un entero de al menos {min}, se leyó '{number}'",
                        "expected an integer value of at least {min}, read '{number}'",
                    ));
                }
            }
            if let Some(max) = maximum {
                if number > *max {
                    return Err(text!(
                        "se esperaba un entero de como mucho {max}, se leyó '{number}'",
                        "expected an integer value of at most {max}, read '{number}'",
                    ));
                }
            }
        }
        Format::Date(format) => {
            format.to_hashable(value).map_err(|e| {
                let source = format.source();
                // The detail is Python's own wording, which clkhash users search for.
                text!(
                    "no es una fecha en el formato '{source}': {e}",
                    "not a date in the format '{source}': {e}",
                )
            })?;
        }
        Format::Enum { values } => {
            if !values.contains(value) {
                let mut sorted: Vec<&String> = values.iter().collect();
                sorted.sort();
                return Err(text!(
                    "se esperaba uno de los valores {sorted:?}, se leyó '{value}'",
                    "expected one of the enum values {sorted:?}, read '{value}'",
                ));
            }
        }
        Format::Ignored => {}
    }
    Ok(())
}

/// The text that is tokenised: the missing-value replacement, or the value formatted by its
/// feature (integers without sign or padding noise, dates as `%Y%m%d`).
fn hashable_value<'a>(
    feature: &'a Feature,
    value: &'a str,
) -> Result<std::borrow::Cow<'a, str>, Text> {
    use std::borrow::Cow;
    if let Some(missing) = feature
        .hashing
        .as_ref()
        .and_then(|h| h.missing_value.as_ref())
    {
        if missing.sentinel == value {
            return Ok(Cow::Borrowed(&missing.replace_with));
        }
    }
    match &feature.format {
        Format::Integer { .. } => python_int(value)
            .map(|n| Cow::Owned(n.to_string()))
            .ok_or_else(|| {
                text!(
                    "número entero no válido, se leyó '{value}'",
                    "invalid integer, read '{value}'",
                )
            }),
        Format::Date(format) => format.to_hashable(value).map(Cow::Owned).map_err(|e| {
            let source = format.source();
            text!(
                "no es una fecha en el formato '{source}': {e}",
                "not a date in the format '{source}': {e}",
            )
        }),
        _ => Ok(Cow::Borrowed(value)),
    }
}

/// Python's `int(text, 10)`: white space around, an optional sign, ASCII digits with single
/// underscores between them.
pub(crate) fn python_int(text: &str) -> Option<i128> {
    let trimmed = text.trim();
    let (negative, digits) = match trimmed.as_bytes().first()? {
        b'-' => (true, &trimmed[1..]),
        b'+' => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let cleaned: String = digits.chars().filter(|c| *c != '_').collect();
    let magnitude: i128 = cleaned.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// The tokens of a formatted value (clkhash's comparators).
pub(crate) fn tokenize(comparison: &Comparison, word: &str) -> Result<Vec<String>, Text> {
    if word.is_empty() {
        return Ok(Vec::new());
    }
    match comparison {
        Comparison::Exact => Ok(vec![word.to_string()]),
        Comparison::Ngram { n, positional } => {
            let n = *n;
            let mut chars: Vec<char> = Vec::with_capacity(word.len() + 2 * n);
            if n > 1 {
                chars.extend(std::iter::repeat_n(' ', n - 1));
            }
            chars.extend(word.chars());
            if n > 1 {
                chars.extend(std::iter::repeat_n(' ', n - 1));
            }
            if chars.len() < n {
                return Ok(Vec::new());
            }
            Ok(chars
                .windows(n)
                .enumerate()
                .map(|(i, gram)| {
                    let gram: String = gram.iter().collect();
                    if *positional {
                        format!("{} {gram}", i + 1)
                    } else {
                        gram
                    }
                })
                .collect())
        }
        Comparison::Numeric {
            distance_interval,
            resolution,
            fractional_precision,
        } => {
            let scale = 10i128.pow(*fractional_precision);
            let value = match python_int(word) {
                Some(v) => v.checked_mul(scale),
                None => {
                    let float: f64 = word.trim().parse().map_err(|_| {
                        text!(
                            "no es un número, se leyó '{word}'",
                            "not a number, read '{word}'",
                        )
                    })?;
                    if !float.is_finite() {
                        return Err(text!(
                            "no es un número finito, se leyó '{word}'",
                            "not a finite number, read '{word}'",
                        ));
                    }
                    let scaled = if *fractional_precision > 0 {
                        (float * 10f64.powi(*fractional_precision as i32)).round_ties_even()
                    } else {
                        float.trunc()
                    };
                    if scaled.abs() > 1e36 {
                        None
                    } else {
                        Some(scaled as i128)
                    }
                }
            };
            let too_large = || {
                text!(
                    "el número es demasiado grande para codificarlo, se leyó '{word}'",
                    "the number is too large to encode, read '{word}'",
                )
            };
            let value = value
                .and_then(|v| v.checked_mul(2 * resolution))
                .ok_or_else(too_large)?;
            let interval = *distance_interval;
            let residue = value.rem_euclid(interval);
            let centre = if residue == 0 {
                value
            } else if 2 * residue < interval {
                value - residue
            } else {
                value + (interval - residue)
            };
            (-resolution..=*resolution)
                .map(|i| {
                    i.checked_mul(interval)
                        .and_then(|offset| centre.checked_add(offset))
                        .map(|t| t.to_string())
                        .ok_or_else(too_large)
                })
                .collect()
        }
    }
}

/// A fixed-length bit vector, bit `i` in word `i / 64` at bit `i % 64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BitVector {
    words: Vec<u64>,
    len: usize,
}

impl BitVector {
    pub(crate) fn zeros(len: usize) -> BitVector {
        BitVector {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    #[inline]
    pub(crate) fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    #[inline]
    pub(crate) fn get(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    /// XOR folding: the first half XOR the second, `folds` times.
    pub(crate) fn fold(self, folds: u32) -> BitVector {
        let mut current = self;
        for _ in 0..folds {
            let half = current.len / 2;
            let mut next = BitVector::zeros(half);
            if half.is_multiple_of(64) {
                let words = half / 64;
                for w in 0..words {
                    next.words[w] = current.words[w] ^ current.words[w + words];
                }
            } else {
                for i in 0..half {
                    if current.get(i) != current.get(i + half) {
                        next.set(i);
                    }
                }
            }
            current = next;
        }
        current
    }

    /// The bytes, most significant bit first (bit 0 is the top bit of byte 0), padded with zero
    /// bits to whole bytes.
    pub(crate) fn to_msb_bytes(&self) -> Vec<u8> {
        let count = self.len.div_ceil(8);
        (0..count)
            .map(|j| ((self.words[j / 8] >> (8 * (j % 8))) as u8).reverse_bits())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ngrams(n: usize, positional: bool, word: &str) -> Vec<String> {
        tokenize(&Comparison::Ngram { n, positional }, word).unwrap()
    }

    #[test]
    fn ngrams_are_padded_and_positional_ones_numbered() {
        assert_eq!(ngrams(2, false, "ab"), vec![" a", "ab", "b "]);
        assert_eq!(ngrams(1, false, "ab"), vec!["a", "b"]);
        assert_eq!(ngrams(2, true, "ñu"), vec!["1  ñ", "2 ñu", "3 u "]);
        assert!(ngrams(2, false, "").is_empty());
    }

    #[test]
    fn numeric_tokens_follow_the_neighbourhood_construction() {
        // clkhash's docstring: threshold 8, resolution 2, x = 25 gives 88, 96, 104, 112, 120.
        let comparison = Comparison::Numeric {
            distance_interval: 8,
            resolution: 2,
            fractional_precision: 0,
        };
        assert_eq!(
            tokenize(&comparison, "25").unwrap(),
            vec!["88", "96", "104", "112", "120"]
        );
        assert!(tokenize(&comparison, "twenty").is_err());
    }

    #[test]
    fn python_int_accepts_what_python_accepts() {
        assert_eq!(python_int(" +13 "), Some(13));
        assert_eq!(python_int("-1_000"), Some(-1000));
        assert_eq!(python_int("1__0"), None);
        assert_eq!(python_int("1.5"), None);
        assert_eq!(python_int(""), None);
    }

    #[test]
    fn cached_bits_give_the_same_encodings_as_hashing_afresh() {
        let schema = LinkageSchema::from_json_str(
            r#"{"version": 3,
                "clkConfig": {"l": 512, "xor_folds": 1, "kdf": {"type": "HKDF", "keySize": 64}},
                "features": [
                  {"identifier": "sex", "format": {"type": "string"},
                   "hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 8}}},
                  {"identifier": "name", "format": {"type": "string"},
                   "hashing": {"comparison": {"type": "ngram", "n": 2},
                               "strategy": {"bitsPerFeature": 200}}},
                  {"identifier": "year", "format": {"type": "integer"},
                   "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true},
                               "strategy": {"bitsPerToken": 70},
                               "hash": {"type": "doubleHash"}}}
                ]}"#,
        )
        .unwrap();
        let hardened = Hardening {
            record_salt_feature: Some(0),
            balanced: true,
        };
        for hardening in [Hardening::default(), hardened] {
            let encoder = Encoder::with_hardening(schema.clone(), b"secret", hardening).unwrap();
            let records = [
                ["f", "maria", "1990"],
                ["m", "maria", "1990"],
                ["f", "maria", "1990"],
                ["f", "josé", "+1990"],
                ["m", "", "1985"],
                ["m", "maria", "1985"],
            ];
            let mut shared = TokenCache::default();
            for (index, record) in records.iter().chain(records.iter()).enumerate() {
                let afresh = encoder.encode_record(record, index + 2).unwrap();
                let cached = encoder
                    .encode_record_cached(record, index + 2, &mut shared)
                    .unwrap();
                assert_eq!(afresh, cached, "record {index}: {record:?}");
            }
            let first = encoder.encode_record(&records[0], 2).unwrap();
            let second = encoder.encode_record(&records[1], 3).unwrap();
            assert_ne!(first, second, "the sex is part of the encoding");
        }
    }

    #[test]
    fn folding_xors_the_halves_and_bytes_are_most_significant_bit_first() {
        let mut bits = BitVector::zeros(16);
        bits.set(0);
        bits.set(8);
        bits.set(9);
        assert_eq!(bits.to_msb_bytes(), vec![0x80, 0xc0]);
        assert_eq!(bits.fold(1).to_msb_bytes(), vec![0x40]);
    }
}
