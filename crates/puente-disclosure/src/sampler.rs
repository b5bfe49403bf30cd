//! Exact samplers of integer noise: the discrete Laplace and the discrete Gaussian distributions of
//! Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020).
//!
//! Floating-point noise leaks: the low bits of a double drawn by `ln(uniform)` are not uniformly
//! spread, and an observer can tell which true value produced an answer (Mironov 2012). These
//! samplers never touch floating point. Every probability is a ratio of integers; every coin is
//! drawn by rejection from uniform integers of the random source, which is exact. The distributions
//! produced are exactly the ones of the paper:
//!
//! - `P(Y = y) ∝ exp(-|y| / scale)` for the discrete Laplace ([`sample_discrete_laplace`]),
//! - `P(Y = y) ∝ exp(-y² / (2 σ²))` for the discrete Gaussian ([`sample_discrete_gaussian`]).
//!
//! Arithmetic runs in `u128` when the numbers fit and falls back to arbitrary-precision integers
//! when they do not (a draw far in the tail), so no draw is ever rounded or clipped.
//!
//! The random source is any [`RngCore`]; the mechanisms of this crate use ChaCha20, seeded from a
//! secret key (see [`crate::private`]).

use num_bigint::{BigUint, RandBigInt};
use rand::{Rng, RngCore};

/// A positive rational number, numerator over denominator, both positive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rational {
    pub numerator: u64,
    pub denominator: u64,
}

impl Rational {
    /// `numerator / denominator`; `None` when either is zero.
    pub fn new(numerator: u64, denominator: u64) -> Option<Rational> {
        (numerator > 0 && denominator > 0).then_some(Rational {
            numerator,
            denominator,
        })
    }

    /// The value as a double, for reports and accounting (never for noise).
    pub fn to_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// The smallest rational with the given denominator that is at least `value` (rounding up keeps
    /// a noise scale at least as large as asked, so the guarantee never weakens). `None` for a value
    /// that is not positive and finite or too large for the denominator.
    pub fn at_least(value: f64, denominator: u64) -> Option<Rational> {
        if !(value.is_finite() && value > 0.0) {
            return None;
        }
        let scaled = (value * denominator as f64).ceil();
        if scaled >= u64::MAX as f64 / 4.0 {
            return None;
        }
        Rational::new((scaled as u64).max(1), denominator)
    }
}

/// A coin that lands true with probability `numerator / denominator` (`numerator <= denominator`):
/// true when a uniform integer below the denominator is below the numerator.
pub fn sample_bernoulli_ratio<R: RngCore + ?Sized>(
    rng: &mut R,
    numerator: u128,
    denominator: u128,
) -> bool {
    debug_assert!(denominator > 0 && numerator <= denominator);
    rng.gen_range(0..denominator) < numerator
}

/// A coin that lands true with probability `exp(-numerator / denominator)` (denominator positive),
/// by the paper's Algorithm 1: for a ratio `γ` in `[0, 1]`, draw coins of probability `γ / k` for
/// `k = 1, 2, ...` until one lands false; the number of coins drawn is odd with probability
/// `exp(-γ)`. A larger `γ` is split into `⌊γ⌋` coins of `exp(-1)` and one of the remainder.
pub fn sample_bernoulli_exp<R: RngCore + ?Sized>(
    rng: &mut R,
    numerator: u128,
    denominator: u128,
) -> bool {
    debug_assert!(denominator > 0);
    let whole = numerator / denominator;
    let remainder = numerator % denominator;
    let mut done = 0u128;
    while done < whole {
        if !sample_bernoulli_exp_at_most_one(rng, 1, 1) {
            return false;
        }
        done += 1;
    }
    sample_bernoulli_exp_at_most_one(rng, remainder, denominator)
}

/// `exp(-numerator / denominator)` for a ratio in `[0, 1]`.
fn sample_bernoulli_exp_at_most_one<R: RngCore + ?Sized>(
    rng: &mut R,
    numerator: u128,
    denominator: u128,
) -> bool {
    let mut coins: u128 = 1;
    loop {
        match denominator.checked_mul(coins) {
            Some(scaled) => {
                if !sample_bernoulli_ratio(rng, numerator, scaled) {
                    return coins % 2 == 1;
                }
            }
            None => {
                let scaled = BigUint::from(denominator) * BigUint::from(coins);
                if rng.gen_biguint_below(&scaled) >= BigUint::from(numerator) {
                    return coins % 2 == 1;
                }
            }
        }
        coins += 1;
    }
}

/// The same coin for arbitrary-precision ratios (the tail of the discrete Gaussian).
fn sample_bernoulli_exp_big<R: RngCore + ?Sized>(
    rng: &mut R,
    numerator: &BigUint,
    denominator: &BigUint,
) -> bool {
    let mut whole = numerator / denominator;
    let remainder = numerator % denominator;
    let zero = BigUint::from(0u8);
    let one = BigUint::from(1u8);
    while whole > zero {
        if !sample_bernoulli_exp_at_most_one(rng, 1, 1) {
            return false;
        }
        whole -= &one;
    }
    let mut coins = BigUint::from(1u8);
    loop {
        let scaled = denominator * &coins;
        if rng.gen_biguint_below(&scaled) >= remainder {
            return (&coins % 2u8) == one;
        }
        coins += &one;
    }
}

/// A draw from the discrete Laplace distribution of scale `scale` on the integers,
/// `P(Y = y) = (e^{1/scale} - 1) / (e^{1/scale} + 1) · e^{-|y|/scale}`, by the paper's Algorithm 2
/// (for a scale `t / s`: a uniform remainder below `t` accepted with `exp(-u/t)`, a geometric number
/// of whole `t`s, divided by `s`, a random sign, and the negative zero rejected).
pub fn sample_discrete_laplace<R: RngCore + ?Sized>(rng: &mut R, scale: Rational) -> i64 {
    let t = u128::from(scale.numerator);
    let s = u128::from(scale.denominator);
    loop {
        let remainder = rng.gen_range(0..t);
        if !sample_bernoulli_exp(rng, remainder, t) {
            continue;
        }
        let mut wholes: u128 = 0;
        while sample_bernoulli_exp(rng, 1, 1) {
            wholes += 1;
        }
        let magnitude = (remainder + t * wholes) / s;
        let negative = rng.gen::<bool>();
        if negative && magnitude == 0 {
            continue;
        }
        // A magnitude past i64 has probability below exp(-2^62 / scale): it is drawn again
        // rather than wrapped (the scales used here are far below 2^40).
        let Ok(magnitude) = i64::try_from(magnitude) else {
            continue;
        };
        return if negative { -magnitude } else { magnitude };
    }
}

/// A draw from the discrete Gaussian distribution of variance parameter `sigma_squared` on the
/// integers, `P(Y = y) ∝ exp(-y² / (2σ²))`, by the paper's Algorithm 3: a discrete Laplace draw of
/// scale `t = ⌊σ⌋ + 1`, accepted with probability `exp(-(|y| - σ²/t)² / (2σ²))`.
///
/// With `σ² = a / b` the acceptance exponent is the ratio of integers
/// `(|y|·t·b - a)² / (2·a·b·t²)`.
pub fn sample_discrete_gaussian<R: RngCore + ?Sized>(rng: &mut R, sigma_squared: Rational) -> i64 {
    let a = u128::from(sigma_squared.numerator);
    let b = u128::from(sigma_squared.denominator);
    let t = floor_sqrt(a / b) + 1;
    let laplace_scale = Rational {
        numerator: u64::try_from(t).expect("t is at most 2^32 for a u64 variance"),
        denominator: 1,
    };
    loop {
        let candidate = sample_discrete_laplace(rng, laplace_scale);
        let magnitude = u128::from(candidate.unsigned_abs());
        let accepted = match gaussian_exponent_small(magnitude, t, a, b) {
            Some((numerator, denominator)) => sample_bernoulli_exp(rng, numerator, denominator),
            None => {
                let (numerator, denominator) = gaussian_exponent_big(magnitude, t, a, b);
                sample_bernoulli_exp_big(rng, &numerator, &denominator)
            }
        };
        if accepted {
            return candidate;
        }
    }
}

/// `(|y|·t·b - a)²` and `2·a·b·t²` in `u128`, when they fit.
fn gaussian_exponent_small(magnitude: u128, t: u128, a: u128, b: u128) -> Option<(u128, u128)> {
    let scaled = magnitude.checked_mul(t)?.checked_mul(b)?;
    let difference = scaled.abs_diff(a);
    let numerator = difference.checked_mul(difference)?;
    let denominator = a
        .checked_mul(b)?
        .checked_mul(t)?
        .checked_mul(t)?
        .checked_mul(2)?;
    Some((numerator, denominator))
}

fn gaussian_exponent_big(magnitude: u128, t: u128, a: u128, b: u128) -> (BigUint, BigUint) {
    let scaled = BigUint::from(magnitude) * BigUint::from(t) * BigUint::from(b);
    let a_big = BigUint::from(a);
    let difference = if scaled >= a_big {
        scaled - &a_big
    } else {
        &a_big - scaled
    };
    let numerator = &difference * &difference;
    let denominator = a_big * BigUint::from(b) * BigUint::from(t) * BigUint::from(t) * 2u8;
    (numerator, denominator)
}

/// The largest integer whose square is at most `value`.
pub fn floor_sqrt(value: u128) -> u128 {
    if value < 2 {
        return value;
    }
    // Newton's method from an upper bound; it decreases monotonically to the floor.
    let mut estimate = 1u128 << (128 - value.leading_zeros()).div_ceil(2);
    loop {
        let next = (estimate + value / estimate) / 2;
        if next >= estimate {
            return estimate;
        }
        estimate = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn floor_sqrt_is_exact_around_squares() {
        for root in [0u128, 1, 2, 3, 10, 255, 65_535, 1 << 40, (1 << 63) + 7] {
            let square = root * root;
            assert_eq!(floor_sqrt(square), root);
            if square > 0 {
                assert_eq!(floor_sqrt(square - 1), root - 1);
            }
            assert_eq!(floor_sqrt(square + 1), root.max(1));
        }
    }

    #[test]
    fn bernoulli_exp_matches_its_probability() {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        for (numerator, denominator) in [(0u128, 1u128), (1, 2), (1, 1), (5, 2)] {
            let draws = 200_000;
            let hits = (0..draws)
                .filter(|_| sample_bernoulli_exp(&mut rng, numerator, denominator))
                .count();
            let expected = (-(numerator as f64) / denominator as f64).exp();
            let observed = hits as f64 / draws as f64;
            let standard_error = (expected * (1.0 - expected) / draws as f64).sqrt();
            assert!(
                (observed - expected).abs() <= 5.0 * standard_error + 1e-12,
                "exp(-{numerator}/{denominator}): observed {observed}, expected {expected}"
            );
        }
    }

    #[test]
    fn the_big_integer_path_agrees_with_the_small_one() {
        let mut small = ChaCha20Rng::from_seed([3; 32]);
        let mut big = ChaCha20Rng::from_seed([3; 32]);
        let draws = 50_000;
        let small_hits = (0..draws)
            .filter(|_| sample_bernoulli_exp(&mut small, 3, 4))
            .count();
        let big_hits = (0..draws)
            .filter(|_| {
                sample_bernoulli_exp_big(&mut big, &BigUint::from(3u8), &BigUint::from(4u8))
            })
            .count();
        let expected = (-0.75f64).exp() * draws as f64;
        for hits in [small_hits, big_hits] {
            assert!((hits as f64 - expected).abs() < 5.0 * (expected * 0.53).sqrt());
        }
    }
}
