//! The engine: applies the rules of the registry, in order, to one input.

use puente_core::screening_facts::FactGroup;
use puente_core::Lang;
use serde::{Deserialize, Serialize};

use crate::groups;
use crate::hotlines::Hotline;
use crate::input::ScreeningInput;
use crate::result::{Frameworks, ScreeningResult};
use crate::rules::{self, Case, RULE_SET_VERSION};

/// How to screen: the language of explanations and next steps, and extra hotline entries (from the
/// service directory) added to the built-in ones for the person's current country.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningOptions {
    pub lang: Lang,
    #[serde(default)]
    pub hotlines: Vec<Hotline>,
}

impl ScreeningOptions {
    pub fn new(lang: Lang) -> ScreeningOptions {
        ScreeningOptions {
            lang,
            hotlines: Vec::new(),
        }
    }
}

/// Screens one input, with explanations and next steps in `lang`.
pub fn screen(input: &ScreeningInput, lang: Lang) -> ScreeningResult {
    screen_with(input, &ScreeningOptions::new(lang))
}

/// Screens one input with options. Pure and deterministic: the same input, options and rule-set
/// version always give the same result.
pub fn screen_with(input: &ScreeningInput, options: &ScreeningOptions) -> ScreeningResult {
    let case = Case::new(input);

    let minor = rules::minor::evaluate(&case);
    let frameworks = Frameworks {
        palermo: rules::palermo::evaluate(&case),
        tvpa_sex: rules::tvpa_sex::evaluate(&case),
        tvpa_labor: rules::tvpa_labor::evaluate(&case),
        ilo_forced_labour: rules::ilo_forced_labour::evaluate(&case),
    };
    let smuggling = rules::smuggling::evaluate(&case);
    let level = rules::level::evaluate(&case, &frameworks);

    let steps = rules::next_steps::evaluate(&case, level.level, &smuggling, &options.hotlines);
    let next_step_needs = steps
        .iter()
        .map(rules::next_steps::Step::support_need)
        .collect();

    let mut result = ScreeningResult {
        level: level.level,
        minor,
        frameworks,
        smuggling,
        urgent: groups::in_element(case.facts, FactGroup::Urgency),
        next_steps: Vec::new(),
        next_step_needs,
        explanation: Vec::new(),
        rule_set_version: RULE_SET_VERSION.to_string(),
    };
    let words = explain(input, &result, options);
    result.explanation = words.explanation;
    result.next_steps = words.next_steps;
    result
}

/// The words of a result for one reader: the explanation and the next steps, in the reader's
/// language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// One line per rule, citing the rule by its name and the facts by their labels.
    pub explanation: Vec<String>,
    /// Urgent actions first, then referrals by need, then hotlines.
    pub next_steps: Vec<String>,
}

/// Writes the explanation and next steps of a result in `options.lang`, from the input and the
/// result's verdicts (its codes) as they were stored: a stored screening is read in the reader's
/// language without being screened again. The verdicts are never recomputed: the level, the
/// frameworks and the smuggling assessment are the result's own.
pub fn explain(
    input: &ScreeningInput,
    result: &ScreeningResult,
    options: &ScreeningOptions,
) -> Explanation {
    let lang = options.lang;
    let case = Case::new(input);
    let mut level = rules::level::evaluate(&case, &result.frameworks);
    level.level = result.level;
    let steps =
        rules::next_steps::evaluate(&case, result.level, &result.smuggling, &options.hotlines);
    let frameworks = &result.frameworks;
    Explanation {
        explanation: vec![
            rules::minor::explain(&case, lang),
            rules::palermo::explain(&frameworks.palermo, &case, lang),
            rules::tvpa_sex::explain(&frameworks.tvpa_sex, &case, lang),
            rules::tvpa_labor::explain(&frameworks.tvpa_labor, &case, lang),
            rules::ilo_forced_labour::explain(&frameworks.ilo_forced_labour, &case, lang),
            rules::smuggling::explain(&result.smuggling, &case, lang),
            rules::level::explain(&level, &case, lang),
        ],
        next_steps: steps
            .iter()
            .map(|step| rules::next_steps::render(step, &case, lang))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fact;
    use puente_core::Country;

    #[test]
    fn extra_hotlines_serve_their_country_only() {
        let guatemala = Country::from_alpha_2("GT").unwrap();
        let options = ScreeningOptions {
            lang: Lang::En,
            hotlines: vec![Hotline {
                country: guatemala,
                name_es: "Línea de ejemplo".into(),
                name_en: "Example line".into(),
                phone: "1510".into(),
                text: None,
            }],
        };
        let mut input = ScreeningInput::from_facts([Fact::MeansThreats]);
        input.person.current_country = Some(guatemala);
        let steps = screen_with(&input, &options).next_steps;
        assert!(steps
            .iter()
            .any(|s| s == "Hotline: Example line (Guatemala): 1510."));
        assert!(!steps.iter().any(|s| s.contains("1-888-373-7888")));

        input.person.current_country = Country::from_alpha_2("US");
        let steps = screen_with(&input, &options).next_steps;
        assert!(!steps.iter().any(|s| s.contains("1510")));
        assert!(steps
            .iter()
            .any(|s| s.contains("1-888-373-7888 (text 233733)")
                || s.contains("1-888-373-7888, text 233733")));
    }

    #[test]
    fn a_stored_result_is_explained_in_the_readers_language() {
        let input = ScreeningInput::from_json(
            r#"{"person": {"age": 30, "sex": "M", "current_country": "MX"}, "facts": ["act_recruited", "means_debt_bondage", "activity_labour"]}"#,
        )
        .unwrap();
        let spanish = screen(&input, Lang::Es);
        let english = screen(&input, Lang::En);
        // A result stored after a Spanish screening, read by an English reader.
        let read_in_english = explain(&input, &spanish, &ScreeningOptions::new(Lang::En));
        assert_eq!(read_in_english.explanation, english.explanation);
        assert_eq!(read_in_english.next_steps, english.next_steps);
        let read_in_spanish = explain(&input, &english, &ScreeningOptions::new(Lang::Es));
        assert_eq!(read_in_spanish.next_steps, spanish.next_steps);
        // Labels, not codes, worded for a man in Spanish.
        let palermo = &spanish.explanation[1];
        assert!(palermo.contains("«Reclutado, contratado"), "{palermo}");
        assert!(palermo.contains("«Servidumbre por deudas»"), "{palermo}");
        assert!(!palermo.contains("act_recruited"), "{palermo}");
        assert!(english.explanation[1].contains("“Debt bondage”"));
    }

    #[test]
    fn the_result_round_trips_through_json_for_storage() {
        let input = ScreeningInput::from_json(
            r#"{"person": {"age": 16}, "facts": ["act_recruited", "activity_commercial_sex", "migr_crossed_border", "migr_irregular_entry", "migr_paid_smuggler", "means_withholds_documents"]}"#,
        )
        .unwrap();
        let result = screen(&input, Lang::Es);
        // Stored as serde writes it, with the need of each step; read back whole.
        let stored = serde_json::to_string(&result).unwrap();
        let back: ScreeningResult = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, result);
        // The `--format json` shape of screening.md, which reads back without the needs.
        let json = result.to_json_pretty();
        let shown: ScreeningResult = serde_json::from_str(&json).unwrap();
        assert_eq!(shown.next_steps, result.next_steps);
        assert!(shown.next_step_needs.is_empty());
        assert!(json
            .trim_end()
            .ends_with("\"rule_set_version\": \"2026.12.1\"\n}"));
    }
}
