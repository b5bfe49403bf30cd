//! Matching encodings: Dice similarity on bit vectors, candidate pairs at or above a threshold
//! (all pairs, pruned by the popcount bound, or LSH blocking over the bits), and anonlink's greedy
//! solver (`solving/_multiparty_solving`: `greedy_solve`).
//!
//! The solver walks the candidate pairs from the most similar down (ties by dataset, then row, as
//! anonlink sorts them). Two records in no group form one; a record joins a group, or two groups
//! merge, only when every pair across them is itself a candidate pair. With two datasets this is
//! one-to-one matching; with more, groups hold at most one record of each dataset (records of one
//! dataset are never compared, so they are never candidates of each other).

use std::collections::HashMap;

use puente_linkage::Progress;
use rayon::prelude::*;

use crate::error::MatchError;

/// The encodings of one dataset as rows of 64-bit words, with each row's popcount.
#[derive(Debug, Clone)]
pub struct EncodingMatrix {
    rows: usize,
    words_per_row: usize,
    bytes: usize,
    words: Vec<u64>,
    popcounts: Vec<u32>,
}

impl EncodingMatrix {
    /// Packs encodings (all of one length, as the CLK file reader ensures).
    pub fn from_encodings(encodings: &[Vec<u8>]) -> EncodingMatrix {
        let bytes = encodings.first().map_or(0, Vec::len);
        let words_per_row = bytes.div_ceil(8).max(1);
        let mut words = vec![0u64; words_per_row * encodings.len()];
        for (row, encoding) in encodings.iter().enumerate() {
            let target = &mut words[row * words_per_row..(row + 1) * words_per_row];
            for (i, chunk) in encoding.chunks(8).enumerate() {
                let mut word = [0u8; 8];
                word[..chunk.len()].copy_from_slice(chunk);
                target[i] = u64::from_be_bytes(word);
            }
        }
        let popcounts = words
            .chunks(words_per_row)
            .map(|row| row.iter().map(|w| w.count_ones()).sum())
            .collect();
        EncodingMatrix {
            rows: encodings.len(),
            words_per_row,
            bytes,
            words,
            popcounts,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The length of every encoding in bytes.
    pub fn encoding_bytes(&self) -> usize {
        self.bytes
    }

    fn row(&self, i: usize) -> &[u64] {
        &self.words[i * self.words_per_row..(i + 1) * self.words_per_row]
    }

    /// Bit `bit` of row `row`, counting from the most significant bit of the first byte.
    fn bit(&self, row: usize, bit: usize) -> bool {
        self.words[row * self.words_per_row + bit / 64] >> (63 - bit % 64) & 1 == 1
    }
}

/// The Dice coefficient 2|A∩B| / (|A| + |B|), 0 when both are empty (as anonlink computes it).
pub fn dice(a: &[u64], popcount_a: u32, b: &[u64], popcount_b: u32) -> f64 {
    let total = popcount_a + popcount_b;
    if total == 0 {
        return 0.0;
    }
    let common: u32 = a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum();
    2.0 * f64::from(common) / f64::from(total)
}

/// The Dice coefficient of two encodings given as bytes.
pub fn dice_of_bytes(a: &[u8], b: &[u8]) -> f64 {
    let matrix_a = EncodingMatrix::from_encodings(&[a.to_vec()]);
    let matrix_b = EncodingMatrix::from_encodings(&[b.to_vec()]);
    dice(
        matrix_a.row(0),
        matrix_a.popcounts[0],
        matrix_b.row(0),
        matrix_b.popcounts[0],
    )
}

/// A similarity threshold from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold(f64);

impl Threshold {
    pub fn new(value: f64) -> Result<Threshold, MatchError> {
        if (0.0..=1.0).contains(&value) {
            Ok(Threshold(value))
        } else {
            Err(MatchError::Threshold(value.to_string()))
        }
    }

    /// Reads a threshold written on a command line.
    pub fn parse(text: &str) -> Result<Threshold, MatchError> {
        text.trim()
            .parse::<f64>()
            .map_err(|_| MatchError::Threshold(text.to_string()))
            .and_then(Threshold::new)
    }

    pub fn value(self) -> f64 {
        self.0
    }
}

/// How candidate pairs are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocking {
    /// Every pair of records of different datasets (pruned by the popcount bound, which never
    /// drops a pair at or above the threshold).
    AllPairs,
    /// Locality-sensitive hashing by bit sampling: `bands` bands of `bits_per_band` bit
    /// positions each (drawn with `seed`); two records are compared when they agree on every bit
    /// of some band. A pair agreeing in several bands is compared once. Blocks that would give
    /// more than `max_block_pairs` pairs are skipped and reported.
    Lsh {
        bands: usize,
        bits_per_band: usize,
        seed: u64,
        max_block_pairs: u64,
    },
}

impl Blocking {
    /// LSH settings for these datasets and threshold. The chance that two bits agree is
    /// estimated from the data: for unrelated records from 2,000 random pairs, for a pair at the
    /// threshold from the mean popcount (`1 - 2c(1 - t) / bits`). Each band has as many bits as
    /// keep its expected comparisons of unrelated records under two million; there are as many bands (8 to 256) as
    /// find a pair at the threshold with probability 0.99.
    pub fn lsh_for(datasets: &[EncodingMatrix], threshold: Threshold) -> Blocking {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let bits = datasets
            .first()
            .map_or(0, |d| d.encoding_bytes() * 8)
            .max(1) as f64;
        let mut all_pairs = 0f64;
        let mut agreement = 0f64;
        let mut samples = 0f64;
        let mut popcount_sum = 0f64;
        let mut rows = 0f64;
        for (l, left) in datasets.iter().enumerate() {
            popcount_sum += left.popcounts.iter().map(|&p| f64::from(p)).sum::<f64>();
            rows += left.len() as f64;
            for right in &datasets[l + 1..] {
                all_pairs += (left.len() * right.len()) as f64;
                if left.is_empty() || right.is_empty() {
                    continue;
                }
                for _ in 0..2000 {
                    let a = rng.gen_range(0..left.len());
                    let b = rng.gen_range(0..right.len());
                    let differing: u32 = left
                        .row(a)
                        .iter()
                        .zip(right.row(b))
                        .map(|(x, y)| (x ^ y).count_ones())
                        .sum();
                    agreement += 1.0 - f64::from(differing) / bits;
                    samples += 1.0;
                }
            }
        }
        let unrelated = if samples > 0.0 {
            agreement / samples
        } else {
            0.5
        };
        let unrelated = unrelated.clamp(0.05, 0.95);
        let mean_popcount = if rows > 0.0 {
            popcount_sum / rows
        } else {
            bits / 2.0
        };
        let matching = (1.0 - 2.0 * mean_popcount * (1.0 - threshold.value()) / bits)
            .clamp(unrelated + 0.01, 0.999);
        let budget = 2e6_f64;
        let bits_per_band = if all_pairs <= budget {
            1
        } else {
            ((budget / all_pairs).ln() / unrelated.ln()).ceil() as usize
        }
        .clamp(1, 60);
        let per_band = matching.powi(bits_per_band as i32);
        let bands = ((0.01f64).ln() / (1.0 - per_band).ln()).ceil();
        let bands = if bands.is_finite() {
            bands as usize
        } else {
            256
        };
        Blocking::Lsh {
            bands: bands.clamp(8, 256),
            bits_per_band,
            seed: 7,
            max_block_pairs: 5_000_000,
        }
    }
}

/// A pair of records at or above the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandidatePair {
    pub similarity: f64,
    pub dataset_l: usize,
    pub row_l: usize,
    pub dataset_r: usize,
    pub row_r: usize,
}

/// One record: its dataset and row (0-based).
pub type RecordRef = (usize, usize);

/// What a run did, for the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchDiagnostics {
    pub records: Vec<usize>,
    /// The pairs whose similarity was computed.
    pub comparisons: u64,
    /// The pairs all-pairs matching would have had to consider.
    pub all_pairs: u64,
    pub candidate_pairs: usize,
    /// LSH blocks skipped as too large, and the pairs they held.
    pub skipped_blocks: usize,
    pub skipped_block_pairs: u64,
}

/// The outcome of matching.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchResult {
    /// Groups of two or more records, each record in at most one group, each group sorted by
    /// dataset; the groups sorted by their first record.
    pub groups: Vec<Vec<RecordRef>>,
    /// Every pair of records within every group with its similarity, `dataset_l < dataset_r`.
    pub pairs: Vec<CandidatePair>,
    pub diagnostics: MatchDiagnostics,
}

/// Finds the candidate pairs of every pair of datasets, sorted as anonlink sorts them.
pub fn candidate_pairs(
    datasets: &[EncodingMatrix],
    threshold: Threshold,
    blocking: Blocking,
    progress: &dyn Progress,
) -> Result<(Vec<CandidatePair>, MatchDiagnostics), MatchError> {
    if datasets.len() < 2 {
        return Err(MatchError::TooFewDatasets(datasets.len()));
    }
    let expected = datasets[0].encoding_bytes();
    for (dataset, matrix) in datasets.iter().enumerate() {
        if !matrix.is_empty() && matrix.encoding_bytes() != expected && !datasets[0].is_empty() {
            return Err(MatchError::LengthMismatch {
                dataset,
                found: matrix.encoding_bytes(),
                expected,
            });
        }
    }
    let mut diagnostics = MatchDiagnostics {
        records: datasets.iter().map(EncodingMatrix::len).collect(),
        ..MatchDiagnostics::default()
    };
    for l in 0..datasets.len() {
        for r in l + 1..datasets.len() {
            diagnostics.all_pairs += (datasets[l].len() * datasets[r].len()) as u64;
        }
    }
    let mut candidates = match blocking {
        Blocking::AllPairs => {
            progress.stage("comparing", diagnostics.all_pairs);
            let mut all = Vec::new();
            for l in 0..datasets.len() {
                for r in l + 1..datasets.len() {
                    let (found, compared) =
                        all_pairs(&datasets[l], &datasets[r], l, r, threshold, progress);
                    diagnostics.comparisons += compared;
                    all.extend(found);
                }
            }
            all
        }
        Blocking::Lsh {
            bands,
            bits_per_band,
            seed,
            max_block_pairs,
        } => lsh_pairs(
            datasets,
            threshold,
            bands,
            bits_per_band,
            seed,
            max_block_pairs,
            &mut diagnostics,
            progress,
        ),
    };
    candidates.par_sort_unstable_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then(a.dataset_l.cmp(&b.dataset_l))
            .then(a.dataset_r.cmp(&b.dataset_r))
            .then(a.row_l.cmp(&b.row_l))
            .then(a.row_r.cmp(&b.row_r))
    });
    diagnostics.candidate_pairs = candidates.len();
    Ok((candidates, diagnostics))
}

/// The rows of `right` grouped by popcount, for the popcount bound.
struct ByPopcount {
    /// Row numbers of `right`, sorted by popcount.
    order: Vec<u32>,
    /// The rows' words in that order, contiguous.
    words: Vec<u64>,
    popcounts: Vec<u32>,
    /// `start[p]..start[p + 1]` are the positions (in `order`) with popcount `p`.
    start: Vec<usize>,
}

impl ByPopcount {
    fn new(matrix: &EncodingMatrix) -> ByPopcount {
        let mut order: Vec<u32> = (0..matrix.rows as u32).collect();
        order.sort_by_key(|&i| (matrix.popcounts[i as usize], i));
        let most = matrix.words_per_row * 64;
        let mut start = vec![0usize; most + 2];
        for &i in &order {
            start[matrix.popcounts[i as usize] as usize + 1] += 1;
        }
        for p in 1..start.len() {
            start[p] += start[p - 1];
        }
        let mut words = Vec::with_capacity(matrix.words.len());
        let mut popcounts = Vec::with_capacity(order.len());
        for &i in &order {
            words.extend_from_slice(matrix.row(i as usize));
            popcounts.push(matrix.popcounts[i as usize]);
        }
        ByPopcount {
            order,
            words,
            popcounts,
            start,
        }
    }
}

/// The highest Dice coefficient two encodings of these popcounts can have.
fn dice_bound(a: u32, b: u32) -> f64 {
    if a + b == 0 {
        0.0
    } else {
        2.0 * f64::from(a.min(b)) / f64::from(a + b)
    }
}

/// Compares one encoding with a run of encodings (contiguous rows of `width` words), keeping the
/// positions whose Dice coefficient is at or above the threshold. Run through
/// [`pulp::Arch::dispatch`], so that the popcounts compile to the processor's instruction where
/// it has one; the common widths (1024 and 2048 bits) get unrolled loops.
struct CompareRun<'a> {
    a: &'a [u64],
    popcount_a: u32,
    words: &'a [u64],
    popcounts: &'a [u32],
    /// `minimum_common[total]`: the fewest common bits that reach the threshold when the two
    /// popcounts add up to `total` (see [`minimum_common_bits`]).
    minimum_common: &'a [u32],
    found: &'a mut Vec<(f64, usize)>,
}

/// For every popcount total, the fewest common bits whose Dice coefficient (computed as
/// anonlink computes it, `2c / total` in double precision) reaches the threshold; `u32::MAX`
/// when none does. Comparing integers with this table gives exactly the division's answer
/// without a division per pair.
fn minimum_common_bits(threshold: f64, most_total: usize) -> Vec<u32> {
    (0..=most_total)
        .map(|total| {
            if total == 0 {
                return if 0.0 >= threshold { 0 } else { u32::MAX };
            }
            let reaches = |c: usize| 2.0 * c as f64 / total as f64 >= threshold;
            let mut c = ((threshold * total as f64 / 2.0).floor() as usize).saturating_sub(1);
            while c <= total && !reaches(c) {
                c += 1;
            }
            if c > total {
                u32::MAX
            } else {
                c as u32
            }
        })
        .collect()
}

#[inline(always)]
fn common_bits<const W: usize>(a: &[u64], b: &[u64]) -> u32 {
    let a: &[u64; W] = a.try_into().expect("rows have W words");
    let b: &[u64; W] = b.try_into().expect("rows have W words");
    let mut common = 0u32;
    for i in 0..W {
        common += (a[i] & b[i]).count_ones();
    }
    common
}

impl CompareRun<'_> {
    #[inline(always)]
    fn run<const W: usize>(self) {
        let width = self.a.len();
        for (position, (b, &popcount_b)) in self
            .words
            .chunks_exact(width)
            .zip(self.popcounts)
            .enumerate()
        {
            let total = self.popcount_a + popcount_b;
            let common = if W == 0 {
                self.a
                    .iter()
                    .zip(b)
                    .map(|(x, y)| (x & y).count_ones())
                    .sum::<u32>()
            } else {
                common_bits::<W>(self.a, b)
            };
            if common >= self.minimum_common[total as usize] {
                let similarity = if total == 0 {
                    0.0
                } else {
                    2.0 * f64::from(common) / f64::from(total)
                };
                self.found.push((similarity, position));
            }
        }
    }
}

impl pulp::WithSimd for CompareRun<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        match self.a.len() {
            16 => self.run::<16>(),
            32 => self.run::<32>(),
            8 => self.run::<8>(),
            _ => self.run::<0>(),
        }
    }
}

/// The AVX2 form of [`CompareRun`] for rows of 16 or 32 words: the popcount of `a & b` by nibble
/// lookups in 256-bit registers (Muła's method), four words per instruction, summed by `psadbw`.
#[cfg(target_arch = "x86_64")]
struct CompareRunAvx2<'a> {
    simd: pulp::x86::V3,
    run: CompareRun<'a>,
}

#[cfg(target_arch = "x86_64")]
impl CompareRunAvx2<'_> {
    #[inline(always)]
    fn common<const CHUNKS: usize>(simd: pulp::x86::V3, a: &[pulp::u64x4], b: &[u64]) -> u32 {
        let lookup: pulp::u8x32 = pulp::cast([
            0u8, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3,
            2, 3, 3, 4,
        ]);
        let low_mask = simd.splat_u8x32(0x0f);
        let mut counts = simd.splat_u8x32(0);
        for chunk in 0..CHUNKS {
            let words: [u64; 4] = b[4 * chunk..4 * chunk + 4].try_into().expect("four words");
            let both: pulp::u8x32 = pulp::cast(simd.and_u64x4(a[chunk], pulp::cast(words)));
            let low = simd.and_u8x32(both, low_mask);
            let high = simd.and_u8x32(
                pulp::cast(simd.shr_const_u16x16::<4>(pulp::cast(both))),
                low_mask,
            );
            let low_count: pulp::u8x32 = pulp::cast(
                simd.avx2
                    ._mm256_shuffle_epi8(pulp::cast(lookup), pulp::cast(low)),
            );
            let high_count: pulp::u8x32 = pulp::cast(
                simd.avx2
                    ._mm256_shuffle_epi8(pulp::cast(lookup), pulp::cast(high)),
            );
            counts =
                simd.wrapping_add_u8x32(counts, simd.wrapping_add_u8x32(low_count, high_count));
        }
        let sums = simd.sum_of_absolute_differences_u8x32(counts, simd.splat_u8x32(0));
        (sums.0 + sums.1 + sums.2 + sums.3) as u32
    }

    #[inline(always)]
    fn go<const CHUNKS: usize>(self) {
        let simd = self.simd;
        let run = self.run;
        let width = run.a.len();
        let a: Vec<pulp::u64x4> = run
            .a
            .chunks_exact(4)
            .map(|w| pulp::cast::<[u64; 4], pulp::u64x4>(w.try_into().expect("four words")))
            .collect();
        for (position, (b, &popcount_b)) in
            run.words.chunks_exact(width).zip(run.popcounts).enumerate()
        {
            let total = run.popcount_a + popcount_b;
            let common = Self::common::<CHUNKS>(simd, &a, b);
            if common >= run.minimum_common[total as usize] {
                let similarity = if total == 0 {
                    0.0
                } else {
                    2.0 * f64::from(common) / f64::from(total)
                };
                run.found.push((similarity, position));
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
impl pulp::WithSimd for CompareRunAvx2<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        match self.run.a.len() {
            16 => self.go::<4>(),
            _ => self.go::<8>(),
        }
    }
}

/// Runs a comparison with the fastest kernel the processor has.
fn compare_run(arch: pulp::Arch, avx2: Option<&pulp::x86::V3>, run: CompareRun<'_>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = avx2 {
        if matches!(run.a.len(), 16 | 32) {
            pulp::Simd::vectorize(*simd, CompareRunAvx2 { simd: *simd, run });
            return;
        }
    }
    let _ = avx2;
    arch.dispatch(run);
}

fn all_pairs(
    left: &EncodingMatrix,
    right: &EncodingMatrix,
    dataset_l: usize,
    dataset_r: usize,
    threshold: Threshold,
    progress: &dyn Progress,
) -> (Vec<CandidatePair>, u64) {
    let t = threshold.value();
    let sorted = ByPopcount::new(right);
    let width = left.words_per_row;
    let most = (width * 64) as u32;
    let arch = pulp::Arch::new();
    let avx2 = pulp::x86::V3::try_new();
    let minimum_common = minimum_common_bits(t, 2 * width * 64);
    let results: Vec<(Vec<CandidatePair>, u64)> = (0..left.rows)
        .into_par_iter()
        .chunks(64)
        .map(|rows: Vec<usize>| {
            let mut found = Vec::new();
            let mut hits = Vec::new();
            let mut compared = 0u64;
            // Each row's interval of `right` (by popcount), then the intervals walked in tiles
            // of `right` that stay in the cache while every row of the chunk reads them.
            let mut intervals = Vec::with_capacity(rows.len());
            for &row_l in &rows {
                let pa = left.popcounts[row_l];
                // The popcounts of `right` that can reach the threshold form one interval.
                let mut low = pa;
                while low > 0 && dice_bound(pa, low - 1) >= t {
                    low -= 1;
                }
                let mut high = pa;
                while high < most && dice_bound(pa, high + 1) >= t {
                    high += 1;
                }
                if dice_bound(pa, pa) < t && !(pa == 0 && t == 0.0) {
                    continue;
                }
                let from = sorted.start[low as usize];
                let to = sorted.start[(high as usize + 1).min(sorted.start.len() - 1)];
                if from < to {
                    compared += (to - from) as u64;
                    intervals.push((row_l, from, to));
                }
            }
            let first = intervals.iter().map(|i| i.1).min().unwrap_or(0);
            let last = intervals.iter().map(|i| i.2).max().unwrap_or(0);
            const TILE: usize = 512;
            let mut tile_start = first;
            while tile_start < last {
                let tile_end = (tile_start + TILE).min(last);
                for &(row_l, from, to) in &intervals {
                    let (lo, hi) = (from.max(tile_start), to.min(tile_end));
                    if lo >= hi {
                        continue;
                    }
                    hits.clear();
                    compare_run(
                        arch,
                        avx2.as_ref(),
                        CompareRun {
                            a: left.row(row_l),
                            popcount_a: left.popcounts[row_l],
                            words: &sorted.words[lo * width..hi * width],
                            popcounts: &sorted.popcounts[lo..hi],
                            minimum_common: &minimum_common,
                            found: &mut hits,
                        },
                    );
                    for &(similarity, offset) in &hits {
                        found.push(CandidatePair {
                            similarity,
                            dataset_l,
                            row_l,
                            dataset_r,
                            row_r: sorted.order[lo + offset] as usize,
                        });
                    }
                }
                tile_start = tile_end;
            }
            progress.advance(rows_len_to_pairs(right.rows));
            (found, compared)
        })
        .collect();
    let mut all = Vec::new();
    let mut compared = 0;
    for (found, count) in results {
        compared += count;
        all.extend(found);
    }
    (all, compared)
}

/// Progress is counted in pairs of the all-pairs total: 64 rows of the left times the right.
fn rows_len_to_pairs(right_rows: usize) -> u64 {
    64 * right_rows as u64
}

#[allow(clippy::too_many_arguments)]
fn lsh_pairs(
    datasets: &[EncodingMatrix],
    threshold: Threshold,
    bands: usize,
    bits_per_band: usize,
    seed: u64,
    max_block_pairs: u64,
    diagnostics: &mut MatchDiagnostics,
    progress: &dyn Progress,
) -> Vec<CandidatePair> {
    use rand::seq::index::sample;
    use rand::SeedableRng;
    let t = threshold.value();
    let bit_count = datasets[0].encoding_bytes() * 8;
    let bits_per_band = bits_per_band.clamp(1, 64).min(bit_count.max(1));
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let band_bits: Vec<Vec<usize>> = (0..bands)
        .map(|_| sample(&mut rng, bit_count, bits_per_band).into_vec())
        .collect();
    progress.stage("comparing", bands as u64);
    let arch = pulp::Arch::new();
    let minimum_common = minimum_common_bits(t, 2 * bit_count);
    let key_of = |matrix: &EncodingMatrix, row: usize, bits: &[usize]| -> u64 {
        bits.iter()
            .fold(0u64, |key, &bit| key << 1 | u64::from(matrix.bit(row, bit)))
    };
    let per_band: Vec<(Vec<CandidatePair>, u64, usize, u64)> = band_bits
        .par_iter()
        .enumerate()
        .map(|(band, bits)| {
            // (key, dataset, row) sorted: equal keys are one block. Keys are made band by band,
            // so memory stays at one band's entries per thread.
            let mut entries: Vec<(u64, u32, u32)> = Vec::new();
            for (dataset, matrix) in datasets.iter().enumerate() {
                for row in 0..matrix.len() {
                    let key = bits
                        .iter()
                        .fold(0u64, |key, &bit| key << 1 | u64::from(matrix.bit(row, bit)));
                    entries.push((key, dataset as u32, row as u32));
                }
            }
            entries.sort_unstable();
            let mut found = Vec::new();
            let mut compared = 0u64;
            let mut skipped = 0usize;
            let mut skipped_pairs = 0u64;
            let mut start = 0;
            while start < entries.len() {
                let mut end = start + 1;
                while end < entries.len() && entries[end].0 == entries[start].0 {
                    end += 1;
                }
                let block = &entries[start..end];
                start = end;
                if block.len() < 2 || block[0].1 == block[block.len() - 1].1 {
                    continue;
                }
                let mut per_dataset = vec![0u64; datasets.len()];
                for entry in block {
                    per_dataset[entry.1 as usize] += 1;
                }
                let total: u64 = per_dataset.iter().sum();
                let same: u64 = per_dataset
                    .iter()
                    .map(|n| n * n.saturating_sub(1) / 2)
                    .sum();
                let pairs = total * (total - 1) / 2 - same;
                if pairs > max_block_pairs {
                    skipped += 1;
                    skipped_pairs += pairs;
                    continue;
                }
                arch.dispatch(|| {
                    for (i, &(_, dataset_l, row_l)) in block.iter().enumerate() {
                        let (dataset_l, row_l) = (dataset_l as usize, row_l as usize);
                        let left = &datasets[dataset_l];
                        let a = left.row(row_l);
                        let pa = left.popcounts[row_l];
                        for &(_, dataset_r, row_r) in &block[i + 1..] {
                            let (dataset_r, row_r) = (dataset_r as usize, row_r as usize);
                            if dataset_r == dataset_l {
                                continue;
                            }
                            let right = &datasets[dataset_r];
                            let pb = right.popcounts[row_r];
                            if dice_bound(pa, pb) < t {
                                continue;
                            }
                            compared += 1;
                            let b = right.row(row_r);
                            let total = pa + pb;
                            let common: u32 =
                                a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum();
                            if common >= minimum_common[total as usize] {
                                let similarity = if total == 0 {
                                    0.0
                                } else {
                                    2.0 * f64::from(common) / f64::from(total)
                                };
                                // A pair that also agrees in an earlier band is found there.
                                let earlier = band_bits[..band].iter().any(|bits| {
                                    key_of(left, row_l, bits) == key_of(right, row_r, bits)
                                });
                                if !earlier {
                                    found.push(CandidatePair {
                                        similarity,
                                        dataset_l,
                                        row_l,
                                        dataset_r,
                                        row_r,
                                    });
                                }
                            }
                        }
                    }
                });
            }
            progress.advance(1);
            (found, compared, skipped, skipped_pairs)
        })
        .collect();
    let mut all = Vec::new();
    for (found, compared, skipped, skipped_pairs) in per_band {
        diagnostics.comparisons += compared;
        diagnostics.skipped_blocks += skipped;
        diagnostics.skipped_block_pairs += skipped_pairs;
        all.extend(found);
    }
    all
}

/// anonlink's greedy solver over candidate pairs sorted by [`candidate_pairs`].
pub fn greedy_solve(candidates: &[CandidatePair], records: &[usize]) -> Vec<Vec<RecordRef>> {
    let mut offsets = Vec::with_capacity(records.len() + 1);
    offsets.push(0usize);
    for n in records {
        offsets.push(offsets.last().copied().unwrap_or(0) + n);
    }
    let global = |dataset: usize, row: usize| offsets[dataset] + row;
    const NONE: u32 = u32::MAX;
    let mut group_of = vec![NONE; offsets.last().copied().unwrap_or(0)];
    let mut members: Vec<Vec<u32>> = Vec::new();
    // For each group, the candidate pairs seen between it and other groups that could not merge.
    let mut matchable: Vec<HashMap<u32, u32>> = Vec::new();
    for pair in candidates {
        let i0 = global(pair.dataset_l, pair.row_l) as u32;
        let i1 = global(pair.dataset_r, pair.row_r) as u32;
        if i0 == i1 {
            continue;
        }
        let (g0, g1) = (group_of[i0 as usize], group_of[i1 as usize]);
        match (g0 != NONE, g1 != NONE) {
            (true, true) => {
                if g0 == g1 {
                    continue;
                }
                let overlap = matchable[g0 as usize].get(&g1).copied().unwrap_or(0) + 1;
                let total = members[g0 as usize].len() * members[g1 as usize].len();
                if overlap as usize >= total {
                    // Merge the smaller group into the bigger.
                    let (big, small) = if members[g0 as usize].len() < members[g1 as usize].len() {
                        (g1, g0)
                    } else {
                        (g0, g1)
                    };
                    let moved = std::mem::take(&mut members[small as usize]);
                    for &record in &moved {
                        group_of[record as usize] = big;
                    }
                    members[big as usize].extend(moved);
                    matchable[big as usize].remove(&small);
                    let small_edges = std::mem::take(&mut matchable[small as usize]);
                    for (other, count) in small_edges {
                        if other == big {
                            continue;
                        }
                        *matchable[big as usize].entry(other).or_insert(0) += count;
                        let other_edges = &mut matchable[other as usize];
                        other_edges.remove(&small);
                        *other_edges.entry(big).or_insert(0) += count;
                    }
                } else {
                    *matchable[g0 as usize].entry(g1).or_insert(0) += 1;
                    *matchable[g1 as usize].entry(g0).or_insert(0) += 1;
                }
            }
            (true, false) | (false, true) => {
                let (grouped, alone, group) = if g0 != NONE {
                    (i0, i1, g0)
                } else {
                    (i1, i0, g1)
                };
                let _ = grouped;
                if members[group as usize].len() <= 1 {
                    members[group as usize].push(alone);
                    group_of[alone as usize] = group;
                } else {
                    let new_group = members.len() as u32;
                    members.push(vec![alone]);
                    matchable.push(HashMap::from([(group, 1)]));
                    matchable[group as usize].insert(new_group, 1);
                    group_of[alone as usize] = new_group;
                }
            }
            (false, false) => {
                let new_group = members.len() as u32;
                members.push(vec![i0, i1]);
                matchable.push(HashMap::new());
                group_of[i0 as usize] = new_group;
                group_of[i1 as usize] = new_group;
            }
        }
    }
    let to_record = |g: u32| -> RecordRef {
        let g = g as usize;
        let dataset = offsets.partition_point(|&o| o <= g) - 1;
        (dataset, g - offsets[dataset])
    };
    let mut groups: Vec<Vec<RecordRef>> = members
        .into_iter()
        .filter(|m| m.len() > 1)
        .map(|m| {
            let mut group: Vec<RecordRef> = m.into_iter().map(to_record).collect();
            group.sort_unstable();
            group
        })
        .collect();
    groups.sort_unstable();
    groups
}

/// Matches the datasets: candidate pairs, the greedy solver, and every pair within each group.
pub fn match_datasets(
    datasets: &[EncodingMatrix],
    threshold: Threshold,
    blocking: Blocking,
    progress: &dyn Progress,
) -> Result<MatchResult, MatchError> {
    let (candidates, diagnostics) = candidate_pairs(datasets, threshold, blocking, progress)?;
    progress.stage("solving", 0);
    let groups = greedy_solve(&candidates, &diagnostics.records);
    let mut in_group: HashMap<RecordRef, usize> = HashMap::new();
    for (index, group) in groups.iter().enumerate() {
        for record in group {
            in_group.insert(*record, index);
        }
    }
    let mut pairs: Vec<CandidatePair> = candidates
        .iter()
        .filter(|c| {
            let l = in_group.get(&(c.dataset_l, c.row_l));
            l.is_some() && l == in_group.get(&(c.dataset_r, c.row_r))
        })
        .copied()
        .collect();
    pairs.sort_unstable_by_key(|c| (c.dataset_l, c.row_l, c.dataset_r, c.row_r));
    Ok(MatchResult {
        groups,
        pairs,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use puente_linkage::NoProgress;

    fn pair(similarity: f64, l: RecordRef, r: RecordRef) -> CandidatePair {
        CandidatePair {
            similarity,
            dataset_l: l.0,
            row_l: l.1,
            dataset_r: r.0,
            row_r: r.1,
        }
    }

    #[test]
    fn two_datasets_match_one_to_one_best_first() {
        let candidates = [
            pair(0.9, (0, 0), (1, 0)),
            pair(0.8, (0, 1), (1, 0)),
            pair(0.7, (0, 1), (1, 1)),
        ];
        assert_eq!(
            greedy_solve(&candidates, &[2, 2]),
            vec![vec![(0, 0), (1, 0)], vec![(0, 1), (1, 1)]]
        );
    }

    #[test]
    fn three_datasets_form_a_group_only_when_every_pair_is_a_candidate() {
        let chain = [pair(0.9, (0, 0), (1, 0)), pair(0.8, (1, 0), (2, 0))];
        // (0,0)-(2,0) is not a candidate: (2,0) stays out of the group.
        assert_eq!(greedy_solve(&chain, &[1, 1, 1]), vec![vec![(0, 0), (1, 0)]]);
        let triangle = [
            pair(0.9, (0, 0), (1, 0)),
            pair(0.8, (1, 0), (2, 0)),
            pair(0.7, (0, 0), (2, 0)),
        ];
        assert_eq!(
            greedy_solve(&triangle, &[1, 1, 1]),
            vec![vec![(0, 0), (1, 0), (2, 0)]]
        );
    }

    #[test]
    fn the_common_bits_table_decides_as_the_division_does() {
        for t in [0.0, 0.1, 0.6, 0.7, 0.75, 0.8, 0.95, 1.0] {
            let table = minimum_common_bits(t, 600);
            for (total, &least) in table.iter().enumerate() {
                for common in 0..=total / 2 {
                    let division = if total == 0 {
                        0.0
                    } else {
                        2.0 * common as f64 / total as f64
                    };
                    assert_eq!(
                        common as u32 >= least,
                        division >= t,
                        "t {t}, total {total}, common {common}"
                    );
                }
            }
        }
    }

    #[test]
    fn thresholds_outside_zero_to_one_are_refused() {
        assert!(Threshold::parse("1.5").is_err());
        assert!(Threshold::parse("-0.1").is_err());
        assert!(Threshold::parse("NaN").is_err());
        assert!(Threshold::parse("abc").is_err());
        assert_eq!(Threshold::parse("0.6").unwrap().value(), 0.6);
    }

    fn random_encodings(count: usize, seed: u64) -> Vec<Vec<u8>> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..count)
            .map(|_| {
                (0..128)
                    .map(|_| rng.gen::<u8>() & rng.gen::<u8>())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_popcount_bound_and_lsh_find_what_brute_force_finds() {
        let mut a = random_encodings(300, 1);
        let b = random_encodings(300, 2);
        // Near copies of b's first 50 rows, with a few bits flipped.
        for i in 0..50 {
            let mut copy = b[i].clone();
            copy[i % 128] ^= 0x11;
            a[i + 100] = copy;
        }
        let matrices = [
            EncodingMatrix::from_encodings(&a),
            EncodingMatrix::from_encodings(&b),
        ];
        let threshold = Threshold::new(0.8).unwrap();
        let mut brute = Vec::new();
        for (i, x) in a.iter().enumerate() {
            for (j, y) in b.iter().enumerate() {
                let s = dice_of_bytes(x, y);
                if s >= 0.8 {
                    brute.push((i, j, s));
                }
            }
        }
        let (found, _) =
            candidate_pairs(&matrices, threshold, Blocking::AllPairs, &NoProgress).unwrap();
        let mut found: Vec<_> = found
            .iter()
            .map(|c| (c.row_l, c.row_r, c.similarity))
            .collect();
        found.sort_by_key(|x| (x.0, x.1));
        assert_eq!(found, brute);
        assert_eq!(brute.len(), 50);
        let blocking = Blocking::Lsh {
            bands: 32,
            bits_per_band: 16,
            seed: 3,
            max_block_pairs: 1_000_000,
        };
        let (lsh, diagnostics) =
            candidate_pairs(&matrices, threshold, blocking, &NoProgress).unwrap();
        assert_eq!(lsh.len(), 50);
        assert!(
            diagnostics.comparisons < diagnostics.all_pairs / 10,
            "{diagnostics:?}"
        );
    }
}
