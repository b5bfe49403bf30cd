//! The rules of screening.md, one per file, and the registry that lists them with the rule set's
//! version.
//!
//! Every rule file has the same shape: a doc comment in fixed sections (what it decides, legal
//! source, example), a [`RuleInfo`] constant `RULE` with the rule's stable identifier, an
//! `evaluate` function from a [`Case`](crate::rules::Case) to its verdict, and an `explain` function that writes the
//! verdict's explanation line, citing the rule and the facts it rests on, in Spanish or English.
//!
//! A rule never changes meaning under the same identifier and version: a change of wording in an
//! explanation is a patch release of [`RULE_SET_VERSION`], a change of a verdict a minor one.

pub mod ilo_forced_labour;
pub mod level;
pub mod minor;
pub mod next_steps;
pub mod palermo;
pub mod smuggling;
pub mod tvpa_labor;
pub mod tvpa_sex;

use std::collections::BTreeSet;

use puente_core::screening_facts::Fact;
use puente_core::{Label, Lang};
use serde::Serialize;

use crate::input::{PersonContext, ScreeningInput, AGE_OF_MAJORITY};

/// The version of the rule set, stored with every result so that a later change of rules never
/// rewrites an old result. Calendar versioning: year, month, release within the month.
pub const RULE_SET_VERSION: &str = "2026.12.1";

/// What the registry knows of a rule: its stable identifier, its name, its legal source and what it
/// decides, in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// The stable identifier, as it appears in results and explanations (`palermo`, `tvpa_sex`, ...).
    pub id: &'static str,
    pub name: Label,
    /// The legal or technical source, as a citation.
    pub source: &'static str,
    pub decides: Label,
}

/// Every rule of the rule set, in the order they are applied and explained.
pub const RULES: &[RuleInfo] = &[
    minor::RULE,
    palermo::RULE,
    tvpa_sex::RULE,
    tvpa_labor::RULE,
    ilo_forced_labour::RULE,
    smuggling::RULE,
    level::RULE,
    next_steps::RULE,
];

/// The rule set: its version and its rules.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RuleSet {
    pub version: &'static str,
    pub rules: &'static [RuleInfo],
}

/// The rule set this build of the engine applies.
pub const fn rule_set() -> RuleSet {
    RuleSet {
        version: RULE_SET_VERSION,
        rules: RULES,
    }
}

/// Finds a rule by its identifier.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|rule| rule.id == id)
}

/// What the age says, for rules that depend on it. An unknown age is neither a child nor an adult:
/// a rule that needs a child does not apply, and neither does one that needs an adult.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgeStatus {
    Child(u32),
    Adult(u32),
    Unknown,
}

impl AgeStatus {
    pub fn of(age: Option<u32>) -> AgeStatus {
        match age {
            Some(years) if years < AGE_OF_MAJORITY => AgeStatus::Child(years),
            Some(years) => AgeStatus::Adult(years),
            None => AgeStatus::Unknown,
        }
    }
    pub fn is_child(self) -> bool {
        matches!(self, AgeStatus::Child(_))
    }
    pub fn is_adult(self) -> bool {
        matches!(self, AgeStatus::Adult(_))
    }
}

/// The case a rule looks at: the facts and what is known of the person.
#[derive(Clone, Copy, Debug)]
pub struct Case<'a> {
    pub facts: &'a BTreeSet<Fact>,
    pub person: &'a PersonContext,
    pub age: AgeStatus,
}

impl<'a> Case<'a> {
    pub fn new(input: &'a ScreeningInput) -> Case<'a> {
        Case {
            facts: &input.facts,
            person: &input.person,
            age: AgeStatus::of(input.person.age),
        }
    }
    pub fn has(&self, fact: Fact) -> bool {
        self.facts.contains(&fact)
    }
    pub fn has_any(&self, group: &[Fact]) -> bool {
        group.iter().any(|fact| self.facts.contains(fact))
    }
    pub fn present(&self, group: &[Fact]) -> Vec<Fact> {
        crate::groups::present(self.facts, group)
    }
}

/// Writes a list of facts for an explanation, each by its label in the language and worded for the
/// person's sex and quoted (`«a», «b»`), or `none`/`no consta`. The codes stay in the result's JSON fields.
pub(crate) fn fact_labels(facts: &[Fact], case: &Case, lang: Lang) -> String {
    if facts.is_empty() {
        return match lang {
            Lang::Es => "no consta".to_string(),
            Lang::En => "none".to_string(),
        };
    }
    facts
        .iter()
        .map(|fact| {
            let label = crate::wording::fact_label(*fact, lang, case.person.sex);
            match lang {
                Lang::Es => format!("«{label}»"),
                Lang::En => format!("“{label}”"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `met`/`not met` in the language.
pub(crate) fn met_word(met: bool, lang: Lang) -> &'static str {
    match (met, lang) {
        (true, Lang::Es) => "se cumple",
        (false, Lang::Es) => "no se cumple",
        (true, Lang::En) => "met",
        (false, Lang::En) => "not met",
    }
}

/// The head of an explanation line: `name: met` / `name: not met; missing: ...`. The rule is
/// cited by its name in the language; its stable identifier is the key of the result's JSON.
pub(crate) fn head(rule: &RuleInfo, met: bool, missing: &[String], lang: Lang) -> String {
    let mut line = format!("{}: {}", rule.name.get(lang), met_word(met, lang));
    if !met && !missing.is_empty() {
        let word = match lang {
            Lang::Es => "falta",
            Lang::En => "missing",
        };
        line.push_str(&format!("; {word}: {}", missing.join("; ")));
    }
    line.push('.');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_identifiers_are_unique_and_stable() {
        let ids: Vec<&str> = RULES.iter().map(|rule| rule.id).collect();
        assert_eq!(
            ids,
            [
                "minor",
                "palermo",
                "tvpa_sex",
                "tvpa_labor",
                "ilo_forced_labour",
                "smuggling",
                "level",
                "next_steps"
            ]
        );
        assert_eq!(
            rule("palermo").map(|r| r.source),
            Some(palermo::RULE.source)
        );
        assert!(rule("nothing").is_none());
    }

    #[test]
    fn an_unknown_age_is_neither_child_nor_adult() {
        assert!(AgeStatus::of(Some(17)).is_child());
        assert!(AgeStatus::of(Some(18)).is_adult());
        let unknown = AgeStatus::of(None);
        assert!(!unknown.is_child() && !unknown.is_adult());
    }
}
