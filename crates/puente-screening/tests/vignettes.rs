//! The vignette suite: realistic scenarios as data files under `tests/vignettes/`, one JSON file
//! each (story, person, facts, expected verdicts), run by one data-driven test. Every mismatch of
//! every vignette is reported together.

mod common;

use common::{load_vignettes, Expectation};
use puente_core::{Lang, Vocabulary};
use puente_screening::rules::RULES;
use puente_screening::{screen, ScreeningResult};

fn check(name: &str, expect: &Expectation, result: &ScreeningResult, failures: &mut Vec<String>) {
    let mut compare = |what: &str, actual: String, expected: String| {
        if actual != expected {
            failures.push(format!("{name}: {what} is {actual}, expected {expected}"));
        }
    };
    let frameworks = &result.frameworks;
    compare("level", result.level.to_string(), expect.level.clone());
    compare(
        "minor",
        format!("{:?}", result.minor),
        format!("{:?}", expect.minor),
    );
    compare(
        "palermo",
        frameworks.palermo.met.to_string(),
        expect.palermo.to_string(),
    );
    compare(
        "tvpa_sex",
        frameworks.tvpa_sex.met.to_string(),
        expect.tvpa_sex.to_string(),
    );
    compare(
        "tvpa_labor",
        frameworks.tvpa_labor.met.to_string(),
        expect.tvpa_labor.to_string(),
    );
    compare(
        "ilo_forced_labour",
        frameworks.ilo_forced_labour.met.to_string(),
        expect.ilo_forced_labour.to_string(),
    );
    compare(
        "smuggling",
        result.smuggling.indicated.to_string(),
        expect.smuggling.to_string(),
    );
    let signs: Vec<String> = result
        .smuggling
        .conversion_signs
        .iter()
        .map(|sign| {
            serde_json::to_value(sign.sign)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    compare(
        "conversion_signs",
        format!("{signs:?}"),
        format!("{:?}", expect.conversion_signs),
    );
    if let Some(urgent) = &expect.urgent {
        let actual: Vec<String> = result.urgent.iter().map(|f| f.to_string()).collect();
        compare("urgent", format!("{actual:?}"), format!("{urgent:?}"));
    }
}

#[test]
fn every_vignette_gives_its_documented_verdicts() {
    let vignettes = load_vignettes();
    assert!(vignettes.len() >= 30, "only {} vignettes", vignettes.len());
    let mut failures = Vec::new();
    for (name, vignette, input) in &vignettes {
        assert!(!vignette.story.trim().is_empty(), "{name}: no story");
        for lang in Lang::ALL {
            let result = screen(input, lang);
            check(name, &vignette.expect, &result, &mut failures);

            // Every explanation line cites a rule of the registry by its name in the language,
            // and shows no fact code: facts are shown by their labels.
            for line in &result.explanation {
                let cites_a_rule = RULES
                    .iter()
                    .any(|rule| line.starts_with(&format!("{}: ", rule.name.get(lang))));
                if let Some(fact) = puente_screening::Fact::all()
                    .iter()
                    .find(|fact| line.contains(fact.code()))
                {
                    failures.push(format!(
                        "{name} ({lang}): explanation line shows the code {}: {line}",
                        fact.code()
                    ));
                }
                if !cites_a_rule {
                    failures.push(format!(
                        "{name} ({lang}): explanation line cites no rule: {line}"
                    ));
                }
            }
            // Urgent actions come first.
            let urgent_word = match lang {
                Lang::Es => "URGENTE",
                Lang::En => "URGENT",
            };
            let urgent_steps = result
                .next_steps
                .iter()
                .take_while(|step| step.starts_with(urgent_word))
                .count();
            if urgent_steps != result.urgent.len() {
                failures.push(format!(
                    "{name} ({lang}): {} urgent facts but {urgent_steps} urgent steps first",
                    result.urgent.len()
                ));
            }
            if result.rule_set_version != puente_screening::RULE_SET_VERSION {
                failures.push(format!("{name}: no rule-set version"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_suite_covers_every_framework_children_adults_and_unknown_ages() {
    let vignettes = load_vignettes();
    let count = |test: &dyn Fn(&Expectation) -> bool| {
        vignettes.iter().filter(|(_, v, _)| test(&v.expect)).count()
    };
    assert!(count(&|e| e.palermo) > 0);
    assert!(count(&|e| e.tvpa_sex) > 0);
    assert!(count(&|e| e.tvpa_labor) > 0);
    assert!(count(&|e| e.ilo_forced_labour) > 0);
    assert!(count(&|e| e.smuggling && e.conversion_signs.is_empty()) > 0);
    assert!(count(&|e| e.smuggling && !e.conversion_signs.is_empty()) > 0);
    assert!(count(&|e| e.minor == Some(true)) > 0);
    assert!(count(&|e| e.minor == Some(false)) > 0);
    assert!(count(&|e| e.minor.is_none()) > 0);
    for level in ["no_indicators", "some_indicators", "strong_indicators"] {
        assert!(count(&|e| e.level == level) > 0, "{level}");
    }
    // US versus Palermo: Palermo met, neither TVPA framework.
    assert!(count(&|e| e.palermo && !e.tvpa_sex && !e.tvpa_labor) >= 3);
}
