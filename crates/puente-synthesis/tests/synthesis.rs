//! Synthesis on generated data with known structure: the synthetic marginals are close to the
//! original ones, the privacy parameters are honoured, and bad parameters are refused.

use puente_synthesis::evaluate::evaluate;
use puente_synthesis::{synthesize, Microdata, SynthesisError, SynthesisParameters};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// 20,000 records of six correlated columns: year, gender, age band, nationality and two flags
/// that depend on gender and age.
fn generated() -> Microdata {
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    let rows = (0..20_000)
        .map(|_| {
            let year = 2015 + rng.gen_range(0..6);
            let woman = rng.gen_bool(0.7);
            let minor = rng.gen_bool(if woman { 0.25 } else { 0.4 });
            let nationality = ["GT", "HN", "SV", "NI", "MX", ""][rng.gen_range(0..6)];
            let sexual = rng.gen_bool(if woman { 0.7 } else { 0.15 });
            let labour = !sexual && rng.gen_bool(0.8) || rng.gen_bool(0.05);
            vec![
                year.to_string(),
                if woman { "Woman" } else { "Man" }.to_string(),
                if minor { "9--17" } else { "18--20" }.to_string(),
                nationality.to_string(),
                if sexual { "1" } else { "" }.to_string(),
                if labour { "1" } else { "" }.to_string(),
            ]
        })
        .collect();
    Microdata {
        columns: [
            "yearOfRegistration",
            "gender",
            "ageBroad",
            "citizenship",
            "isSexualExploit",
            "isForcedLabour",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

fn parameters(epsilon: f64) -> SynthesisParameters {
    SynthesisParameters {
        epsilon,
        delta: None,
        reporting_length: 3,
        seed: [1; 32],
    }
}

#[test]
fn synthetic_marginals_are_close_to_the_original_ones() {
    let data = generated();
    let synthesis = synthesize(&data, &parameters(4.0)).unwrap();
    assert_eq!(synthesis.data.columns, data.columns);
    let records = synthesis.data.rows.len() as f64;
    assert!((records - 20_000.0).abs() < 200.0, "{records} records");
    let evaluation = evaluate(&data, &synthesis.data, 3).unwrap();
    let means: Vec<f64> = evaluation.lengths.iter().map(|l| l.mean_tvd).collect();
    assert!(
        means[0] < 0.01 && means[1] < 0.02 && means[2] < 0.03,
        "{means:?}"
    );
    // The relation between gender and the sexual exploitation flag survives.
    let share = |gender: &str| {
        let of_gender: Vec<_> = synthesis
            .data
            .rows
            .iter()
            .filter(|row| row[1] == gender)
            .collect();
        of_gender.iter().filter(|row| row[4] == "1").count() as f64 / of_gender.len() as f64
    };
    assert!(share("Woman") > 0.6 && share("Man") < 0.25);
    // What was spent is what was asked.
    let report = &synthesis.marginals;
    assert!(
        report.epsilon <= 4.0 + 1e-9 && report.epsilon > 3.9,
        "{}",
        report.epsilon
    );
    assert_eq!(report.lengths.len(), 3);
}

#[test]
fn the_same_seed_gives_the_same_release_and_another_seed_another() {
    let data = generated();
    let first = synthesize(&data, &parameters(2.0)).unwrap();
    assert_eq!(
        first.data,
        synthesize(&data, &parameters(2.0)).unwrap().data
    );
    let mut other = parameters(2.0);
    other.seed = [2; 32];
    assert_ne!(first.data, synthesize(&data, &other).unwrap().data);
}

#[test]
fn a_value_of_one_record_is_not_published() {
    let mut data = generated();
    data.rows[7][3] = "PA".to_string();
    let synthesis = synthesize(&data, &parameters(4.0)).unwrap();
    assert!(synthesis.data.rows.iter().all(|row| row[3] != "PA"));
}

#[test]
fn bad_parameters_are_refused() {
    let data = generated();
    assert_eq!(
        synthesize(&data, &parameters(0.0)).unwrap_err(),
        SynthesisError::EpsilonNotPositive(0.0)
    );
    assert!(matches!(
        synthesize(&data, &parameters(-1.0)),
        Err(SynthesisError::EpsilonNotPositive(_))
    ));
    let mut long = parameters(1.0);
    long.reporting_length = 5;
    assert!(matches!(
        synthesize(&data, &long),
        Err(SynthesisError::ReportingLengthOutOfRange { given: 5, .. })
    ));
    let mut bad_delta = parameters(1.0);
    bad_delta.delta = Some(1.5);
    assert_eq!(
        synthesize(&data, &bad_delta).unwrap_err(),
        SynthesisError::DeltaOutOfRange(1.5)
    );
}
