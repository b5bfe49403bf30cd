//! The exact samplers draw the distributions they claim: chi-square goodness of fit against the
//! exact probabilities, and the variance, on fixed seeds (so the tests never flicker).

use puente_disclosure::sampler::{sample_discrete_gaussian, sample_discrete_laplace, Rational};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;

/// The exact probabilities of `weight(y)` normalised over `|y| <= 400` (the rest is below 1e-30).
fn probabilities(weight: impl Fn(f64) -> f64) -> BTreeMap<i64, f64> {
    let weights: BTreeMap<i64, f64> = (-400..=400).map(|y| (y, weight(y as f64))).collect();
    let sum: f64 = weights.values().sum();
    weights.into_iter().map(|(y, w)| (y, w / sum)).collect()
}

/// The chi-square statistic of `draws` against `expected`, pooling every value whose expected count
/// is under 20 into its tail bin, and the degrees of freedom.
fn chi_square(draws: &[i64], expected: &BTreeMap<i64, f64>) -> (f64, usize) {
    let n = draws.len() as f64;
    let kept: Vec<i64> = expected
        .iter()
        .filter(|(_, p)| **p * n >= 20.0)
        .map(|(y, _)| *y)
        .collect();
    let (lowest, highest) = (kept[0], *kept.last().unwrap());
    let bin = |y: i64| y.clamp(lowest - 1, highest + 1);
    let mut observed: BTreeMap<i64, f64> = BTreeMap::new();
    for draw in draws {
        *observed.entry(bin(*draw)).or_default() += 1.0;
    }
    let mut expected_bins: BTreeMap<i64, f64> = BTreeMap::new();
    for (y, p) in expected {
        *expected_bins.entry(bin(*y)).or_default() += p * n;
    }
    let statistic = expected_bins
        .iter()
        .map(|(y, e)| {
            let o = observed.get(y).copied().unwrap_or(0.0);
            (o - e) * (o - e) / e
        })
        .sum();
    (statistic, expected_bins.len() - 1)
}

/// The 0.999 quantile of the chi-square distribution, by the Wilson-Hilferty approximation.
fn chi_square_critical(degrees: usize) -> f64 {
    let k = degrees as f64;
    let z = 3.09;
    k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
}

fn mean_and_variance(draws: &[i64]) -> (f64, f64) {
    let n = draws.len() as f64;
    let mean = draws.iter().map(|y| *y as f64).sum::<f64>() / n;
    let variance = draws
        .iter()
        .map(|y| (*y as f64 - mean).powi(2))
        .sum::<f64>()
        / (n - 1.0);
    (mean, variance)
}

#[test]
fn the_discrete_gaussian_fits_its_distribution() {
    for (numerator, denominator, seed) in [(4u64, 1u64, 1u8), (5, 2, 2), (1, 3, 3), (400, 1, 4)] {
        let sigma_squared = Rational::new(numerator, denominator).unwrap();
        let mut rng = ChaCha20Rng::from_seed([seed; 32]);
        let draws: Vec<i64> = (0..60_000)
            .map(|_| sample_discrete_gaussian(&mut rng, sigma_squared))
            .collect();
        let s2 = sigma_squared.to_f64();
        let expected = probabilities(|y| (-y * y / (2.0 * s2)).exp());
        let (statistic, degrees) = chi_square(&draws, &expected);
        assert!(
            statistic < chi_square_critical(degrees),
            "sigma² {s2}: chi-square {statistic:.1} on {degrees} degrees"
        );
        let exact_variance: f64 = expected.iter().map(|(y, p)| (*y as f64).powi(2) * p).sum();
        let (mean, variance) = mean_and_variance(&draws);
        let standard_error = (exact_variance / draws.len() as f64).sqrt();
        assert!(
            mean.abs() < 5.0 * standard_error,
            "sigma² {s2}: mean {mean}"
        );
        assert!(
            (variance - exact_variance).abs() < 0.04 * exact_variance,
            "sigma² {s2}: variance {variance}, exact {exact_variance}"
        );
        // The discrete Gaussian's variance is at most sigma² (and close to it once sigma is 1 or more).
        assert!(exact_variance <= s2 + 1e-12);
    }
}

#[test]
fn the_discrete_laplace_fits_its_distribution() {
    for (numerator, denominator, seed) in [(1u64, 1u64, 5u8), (3, 2, 6), (10, 1, 7), (1, 4, 8)] {
        let scale = Rational::new(numerator, denominator).unwrap();
        let mut rng = ChaCha20Rng::from_seed([seed; 32]);
        let draws: Vec<i64> = (0..60_000)
            .map(|_| sample_discrete_laplace(&mut rng, scale))
            .collect();
        let b = scale.to_f64();
        let expected = probabilities(|y| (-y.abs() / b).exp());
        let (statistic, degrees) = chi_square(&draws, &expected);
        assert!(
            degrees == 0 || statistic < chi_square_critical(degrees),
            "scale {b}: chi-square {statistic:.1} on {degrees} degrees"
        );
        let exact_variance: f64 = expected.iter().map(|(y, p)| (*y as f64).powi(2) * p).sum();
        let (_, variance) = mean_and_variance(&draws);
        assert!(
            (variance - exact_variance).abs() < 0.06 * exact_variance + 1e-3,
            "scale {b}: variance {variance}, exact {exact_variance}"
        );
    }
}

#[test]
fn a_wide_gaussian_draws_through_the_big_integer_path_correctly() {
    // sigma² = 2^40 over a denominator of 2^22: a few per cent of the candidates overflow u128 and
    // are accepted or rejected with arbitrary-precision arithmetic.
    let sigma_squared = Rational::new(1 << 62, 1 << 22).unwrap();
    let mut rng = ChaCha20Rng::from_seed([11; 32]);
    let draws: Vec<i64> = (0..4_000)
        .map(|_| sample_discrete_gaussian(&mut rng, sigma_squared))
        .collect();
    let (mean, variance) = mean_and_variance(&draws);
    let sigma = (1u64 << 20) as f64;
    assert!(mean.abs() < 5.0 * sigma / (draws.len() as f64).sqrt());
    assert!(
        (variance.sqrt() / sigma - 1.0).abs() < 0.05,
        "sd {}",
        variance.sqrt()
    );
}

#[test]
fn the_same_seed_draws_the_same_noise() {
    let sigma_squared = Rational::new(20, 1).unwrap();
    let draw = |seed: u8| {
        let mut rng = ChaCha20Rng::from_seed([seed; 32]);
        (0..50)
            .map(|_| sample_discrete_gaussian(&mut rng, sigma_squared))
            .collect::<Vec<_>>()
    };
    assert_eq!(draw(1), draw(1));
    assert_ne!(draw(1), draw(2));
}
