//! The relief screener of `shared/docs/relief.md`: which immigration relief and victim protections a
//! survivor may be able to seek in the United States, Mexico and Central America, and what is still
//! missing to know. An aid for a case worker and the lawyer they refer to, never a legal
//! determination.
//!
//! Pure, like the screening engine. [`assess_relief`] takes a [`ReliefInput`] (screening.md's
//! person and facts, the relief facts, `married`, `date_of_birth`, `us_arrival` and `as_of`), the
//! date to use when `as_of` is absent (the caller's today: the engine never reads a clock) and the
//! language, runs the screening engine on the same input (so "trafficking" always means the
//! screening verdict) and applies the twelve rules of [`rules`], one per file, in relief.md's order.
//!
//! Every option gets a status: `likely` (every condition met), `possible` (its gate met, nothing
//! that rules it out, some conditions unknown: in `missing`) or `not_indicated` (its gate not met,
//! or a condition rules it out: in `blocking`). `met`, `missing` and `blocking` name fact codes,
//! person fields (`age`, `married`, `current_country`, `nationality`, `unaccompanied`,
//! `date_of_birth`, `us_arrival`) or these terms:
//!
//! - `TRAFFICKED_US`: screening `tvpa_sex` or `tvpa_labor` is met;
//! - `TRAFFICKED`: `TRAFFICKED_US`, or screening `palermo` is met;
//! - `IN_US`: `current_country` is US and the person is `FOREIGN`;
//! - `FOREIGN`: `nationality` is known and differs from `current_country`;
//! - `MINOR`: age under 18;
//! - `UNDER_21`: age under 21 (SIJS);
//! - `UNDER_16`: age under 16 (the U visa's information from a parent or guardian);
//! - `CONTINUED_PRESENCE_OR_T_VISA_APPLICATION`: the HHS certification of an adult follows
//!   Continued Presence or a bona fide T-visa application.
//!
//! An unknown person field is unknown: a rule that needs it reports it as missing, never as false.
//! A relief fact that is absent is missing where it is a condition, and not met where it is a gate.
//! When `age` is not given but `date_of_birth` is, the age is the whole years from the date of birth
//! to `as_of` (for the screening engine too).
//!
//! ```
//! use puente_core::relief_facts::ReliefOptionKind;
//! use puente_core::Lang;
//! use puente_screening::relief::{assess_relief, ReliefInput, ReliefStatus};
//!
//! let input = ReliefInput::from_json(
//!     r#"{ "person": { "age": 16, "sex": "M", "nationality": "HN", "current_country": "US",
//!                      "unaccompanied": true, "married": false, "date_of_birth": "2010-02-01",
//!                      "us_arrival": "2025-06-10" },
//!          "facts": ["act_recruited", "means_debt_bondage", "activity_labour", "rel_present_on_account"],
//!          "as_of": "2026-12-01" }"#,
//! ).unwrap();
//! let today = time::macros::date!(2026 - 12 - 01);
//! let result = assess_relief(&input, today, Lang::En);
//! assert_eq!(result.rule_set_version, "2026.12.1");
//! let t_visa = result.option(ReliefOptionKind::UsTVisa);
//! assert_eq!(t_visa.status, ReliefStatus::Possible);
//! assert_eq!(t_visa.missing, ["rel_extreme_hardship"]);
//! assert_eq!(result.option(ReliefOptionKind::UsTvpraChild).status, ReliefStatus::Likely);
//! ```

mod input;
mod result;
/// The twelve rules of relief.md, one per file.
pub mod rules;

use puente_core::relief_facts::{ReliefFact, ReliefOptionKind};
use puente_core::{Country, Lang, Vocabulary};
use time::Date;

pub use input::{
    anniversary, format_date, parse_date, years_between, AnyFact, ReliefInput, ReliefPerson,
};
pub use result::{
    Deadline, DeadlineKind, ReliefOption, ReliefResult, ReliefStatus, TraffickingVerdict,
};

use crate::result::ScreeningResult;
use crate::rules::RuleInfo;

/// The version of the relief rule set, stored with every result. Calendar versioning, like the
/// screening rules: a change of wording is a patch release, a change of a status a minor one.
pub const RELIEF_RULE_SET_VERSION: &str = "2026.12.1";

/// Every relief rule, in relief.md's order (the order of the options in a result).
pub const RELIEF_RULES: &[RuleInfo] = &[
    rules::us_t_visa::RULE,
    rules::us_continued_presence::RULE,
    rules::us_u_visa::RULE,
    rules::us_sijs::RULE,
    rules::us_asylum::RULE,
    rules::us_vawa::RULE,
    rules::us_tvpra_child::RULE,
    rules::us_hhs_letter::RULE,
    rules::mx_humanitarian_visitor::RULE,
    rules::cr_special_category::RULE,
    rules::national_protection::RULE,
    rules::assisted_return::RULE,
];

/// Assesses every relief option for one input. `today` is used when the input has no `as_of`.
/// Pure and deterministic: the same input, date, language and rule-set version always give the
/// same result.
pub fn assess_relief(input: &ReliefInput, today: Date, lang: Lang) -> ReliefResult {
    let as_of = input.as_of.unwrap_or(today);
    let screening_input = input.screening_input(as_of);
    let screening = crate::screen(&screening_input, lang);
    let case = ReliefCase::new(input, &screening, as_of, lang);
    let options = vec![
        rules::us_t_visa::assess(&case),
        rules::us_continued_presence::assess(&case),
        rules::us_u_visa::assess(&case),
        rules::us_sijs::assess(&case),
        rules::us_asylum::assess(&case),
        rules::us_vawa::assess(&case),
        rules::us_tvpra_child::assess(&case),
        rules::us_hhs_letter::assess(&case),
        rules::mx_humanitarian_visitor::assess(&case),
        rules::cr_special_category::assess(&case),
        rules::national_protection::assess(&case),
        rules::assisted_return::assess(&case),
    ];
    ReliefResult {
        rule_set_version: RELIEF_RULE_SET_VERSION.to_string(),
        as_of,
        trafficking: TraffickingVerdict {
            level: screening.level,
            trafficked_us: case.trafficked_us,
            trafficked: case.trafficked,
        },
        options,
    }
}

/// The case a relief rule looks at: the input, the screening verdict, the date and the language.
#[derive(Clone, Copy, Debug)]
pub struct ReliefCase<'a> {
    pub input: &'a ReliefInput,
    pub as_of: Date,
    pub lang: Lang,
    /// The age given, or derived from the date of birth on `as_of`.
    pub age: Option<u32>,
    pub trafficked_us: bool,
    pub trafficked: bool,
}

impl<'a> ReliefCase<'a> {
    pub fn new(
        input: &'a ReliefInput,
        screening: &ScreeningResult,
        as_of: Date,
        lang: Lang,
    ) -> ReliefCase<'a> {
        let frameworks = &screening.frameworks;
        let trafficked_us = frameworks.tvpa_sex.met || frameworks.tvpa_labor.met;
        ReliefCase {
            input,
            as_of,
            lang,
            age: input.age_on(as_of),
            trafficked_us,
            trafficked: trafficked_us || frameworks.palermo.met,
        }
    }

    pub fn has(&self, fact: ReliefFact) -> bool {
        self.input.relief_facts.contains(&fact)
    }

    pub fn has_screening_fact(&self, fact: crate::Fact) -> bool {
        self.input.facts.contains(&fact)
    }

    /// Under 18: `None` when the age is unknown.
    pub fn minor(&self) -> Option<bool> {
        self.age.map(|age| age < crate::AGE_OF_MAJORITY)
    }

    /// Under 18 and unaccompanied: `None` when either is unknown and the other does not settle it.
    pub fn unaccompanied_minor(&self) -> Option<bool> {
        match (self.minor(), self.input.person.unaccompanied) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        }
    }

    pub fn current_country(&self) -> Option<Country> {
        self.input.person.current_country
    }

    pub fn nationality(&self) -> Option<Country> {
        self.input.person.nationality
    }

    /// A text in the case's language.
    pub fn say(&self, es: &str, en: &str) -> String {
        match self.lang {
            Lang::Es => es.to_string(),
            Lang::En => en.to_string(),
        }
    }

    fn country_name(&self, country: Country) -> &'static str {
        country.name(self.lang)
    }

    /// The country's name after "in": "the United States" in English, else its name.
    fn in_country(&self, country: Country) -> String {
        match (self.lang, country.alpha_2()) {
            (Lang::En, "US") => "the United States".to_string(),
            _ => self.country_name(country).to_string(),
        }
    }

    // The checks shared by several rules. Each records its term, field or fact with the words a
    // case worker reads.

    /// `TRAFFICKED_US` as a gate.
    pub(crate) fn gate_trafficked_us(&self, findings: &mut Findings) {
        if self.trafficked_us {
            findings.met("TRAFFICKED_US", self.say(
                "la evaluación encuentra una forma grave de trata según la ley de EE. UU. (22 U.S.C. 7102)",
                "the screening finds a severe form of trafficking under US law (22 U.S.C. 7102)",
            ));
        } else {
            findings.blocking("TRAFFICKED_US", self.say(
                "la evaluación no encuentra una forma grave de trata según la ley de EE. UU. (22 U.S.C. 7102)",
                "the screening does not find a severe form of trafficking under US law (22 U.S.C. 7102)",
            ));
        }
    }

    /// `TRAFFICKED` as a gate.
    pub(crate) fn gate_trafficked(&self, findings: &mut Findings) {
        if self.trafficked {
            findings.met("TRAFFICKED", self.trafficked_words());
        } else {
            findings.blocking("TRAFFICKED", self.say(
                "la evaluación no encuentra trata ni según la ley de EE. UU. ni según el Protocolo de Palermo",
                "the screening finds trafficking neither under US law nor under the Palermo Protocol",
            ));
        }
    }

    pub(crate) fn trafficked_words(&self) -> String {
        self.say(
            "la evaluación encuentra trata (según la ley de EE. UU. o el Protocolo de Palermo)",
            "the screening finds trafficking (under US law or the Palermo Protocol)",
        )
    }

    /// `FOREIGN` as a gate: the nationality known and different from the current country.
    pub(crate) fn gate_foreign(&self, findings: &mut Findings) {
        match (self.nationality(), self.current_country()) {
            (None, _) => findings.missing(
                "nationality",
                self.say("la nacionalidad de la persona", "the person's nationality"),
            ),
            (Some(_), None) => findings.missing(
                "current_country",
                self.say("el país donde está ahora", "the country where the person is now"),
            ),
            (Some(nationality), Some(current)) if nationality == current => findings.blocking(
                "FOREIGN",
                match self.lang {
                    Lang::Es => format!(
                        "es nacional de {}, el país donde está: estas medidas son para personas extranjeras",
                        self.country_name(current)
                    ),
                    Lang::En => format!(
                        "is a national of {}, the country where they are: these protections are for foreign nationals",
                        self.in_country(current)
                    ),
                },
            ),
            (Some(nationality), Some(current)) => findings.met(
                "FOREIGN",
                match self.lang {
                    Lang::Es => format!(
                        "es una persona extranjera: nacional de {} en {}",
                        self.country_name(nationality),
                        self.in_country(current)
                    ),
                    Lang::En => format!(
                        "is a foreign national: a national of {} in {}",
                        self.country_name(nationality),
                        self.in_country(current)
                    ),
                },
            ),
        }
    }

    /// The current country as a gate: one of `countries`.
    pub(crate) fn gate_current_country(&self, findings: &mut Findings, countries: &[&str]) {
        let names: Vec<&str> = countries
            .iter()
            .filter_map(|code| Country::from_alpha_2(code))
            .map(|country| self.country_name(country))
            .collect();
        match self.current_country() {
            None => findings.missing(
                "current_country",
                self.say(
                    "el país donde está ahora",
                    "the country where the person is now",
                ),
            ),
            Some(current) if countries.contains(&current.alpha_2()) => findings.met(
                "current_country",
                match self.lang {
                    Lang::Es => format!("está en {}", self.in_country(current)),
                    Lang::En => format!("is in {}", self.in_country(current)),
                },
            ),
            Some(current) => findings.blocking(
                "current_country",
                match self.lang {
                    Lang::Es => format!(
                        "está en {}, no en {}",
                        self.in_country(current),
                        or_list(&names, Lang::Es)
                    ),
                    Lang::En => format!(
                        "is in {}, not in {}",
                        self.in_country(current),
                        or_list(&names, Lang::En)
                    ),
                },
            ),
        }
    }

    /// `IN_US` as a gate: in the United States and a foreign national.
    pub(crate) fn gate_in_us(&self, findings: &mut Findings) {
        match (self.current_country(), self.nationality()) {
            (None, Some(nationality)) if nationality.alpha_2() == "US" => findings.blocking(
                "IN_US",
                self.say(
                    "tiene la nacionalidad de Estados Unidos: no necesita ninguna de estas medidas migratorias",
                    "is a US national: needs none of these immigration protections",
                ),
            ),
            (None, _) => findings.missing(
                "current_country",
                self.say("el país donde está ahora", "the country where the person is now"),
            ),
            (Some(current), _) if current.alpha_2() != "US" => findings.blocking(
                "IN_US",
                match self.lang {
                    Lang::Es => format!(
                        "no está en Estados Unidos (está en {})",
                        self.country_name(current)
                    ),
                    Lang::En => format!(
                        "is not in the United States (is in {})",
                        self.country_name(current)
                    ),
                },
            ),
            (Some(_), None) => findings.missing(
                "nationality",
                self.say("la nacionalidad de la persona", "the person's nationality"),
            ),
            (Some(_), Some(nationality)) if nationality.alpha_2() == "US" => findings.blocking(
                "FOREIGN",
                self.say(
                    "tiene la nacionalidad de Estados Unidos: no necesita ninguna de estas medidas migratorias",
                    "is a US national: needs none of these immigration protections",
                ),
            ),
            (Some(_), Some(_)) => findings.met(
                "IN_US",
                self.say(
                    "es una persona extranjera en Estados Unidos",
                    "is a foreign national in the United States",
                ),
            ),
        }
    }

    /// `MINOR` as a gate.
    pub(crate) fn gate_minor(&self, findings: &mut Findings) {
        match self.minor() {
            Some(true) => findings.met("MINOR", self.minor_words()),
            Some(false) => {
                findings.blocking("MINOR", self.say("es mayor de 18 años", "is 18 or older"))
            }
            None => findings.missing("age", self.age_words()),
        }
    }

    pub(crate) fn minor_words(&self) -> String {
        self.say("es menor de 18 años", "is under 18")
    }

    pub(crate) fn age_words(&self) -> String {
        self.say("la edad de la persona", "the person's age")
    }

    /// `unaccompanied` as a gate.
    pub(crate) fn gate_unaccompanied(&self, findings: &mut Findings) {
        match self.input.person.unaccompanied {
            Some(true) => findings.met("unaccompanied", self.unaccompanied_words()),
            Some(false) => findings.blocking(
                "unaccompanied",
                self.say(
                    "está con su madre, padre o tutor legal",
                    "is with a parent or legal guardian",
                ),
            ),
            None => findings.missing(
                "unaccompanied",
                self.say(
                    "si está sin su madre, padre o tutor legal",
                    "whether the child is without a parent or legal guardian",
                ),
            ),
        }
    }

    pub(crate) fn unaccompanied_words(&self) -> String {
        self.say(
            "está sin su madre, padre o tutor legal (no acompañada)",
            "is without a parent or legal guardian (unaccompanied)",
        )
    }

    /// A relief fact as a gate: absent is not met.
    pub(crate) fn gate_fact(&self, findings: &mut Findings, fact: ReliefFact) {
        if self.has(fact) {
            findings.met(fact.code(), fact.label_in(self.lang).to_string());
        } else {
            findings.blocking(fact.code(), self.not_recorded(fact));
        }
    }

    /// A relief fact as a condition: absent is missing.
    pub(crate) fn condition_fact(&self, findings: &mut Findings, fact: ReliefFact) {
        if self.has(fact) {
            findings.met(fact.code(), fact.label_in(self.lang).to_string());
        } else {
            findings.missing(fact.code(), fact.label_in(self.lang).to_string());
        }
    }

    pub(crate) fn not_recorded(&self, fact: ReliefFact) -> String {
        match self.lang {
            Lang::Es => format!("no consta que {}", fact.label_in(Lang::Es)),
            Lang::En => format!("not recorded that the person {}", fact.label_in(Lang::En)),
        }
    }

    /// Writes an option from its findings: the explanation lists what is met, what is missing and
    /// what rules it out, in words, after the option's name, source and status.
    pub(crate) fn finish(&self, rule: &RuleInfo, outcome: Outcome) -> ReliefOption {
        let kind = ReliefOptionKind::from_code(rule.id).expect("every relief rule is an option");
        let lang = self.lang;
        let findings = &outcome.findings;
        let mut explanation = format!(
            "{} ({}): {}.",
            kind.label_in(lang),
            rule.source,
            outcome.status.label().get(lang)
        );
        let sections = [
            (State::Met, self.say("Se cumple", "Met")),
            (State::Missing, self.say("Falta saber", "Still to find out")),
            (State::Blocking, self.say("Lo descarta", "Rules it out")),
        ];
        for (state, heading) in sections {
            let words: Vec<&str> = findings
                .checks
                .iter()
                .filter(|check| check.state == state)
                .map(|check| check.words.as_str())
                .collect();
            if !words.is_empty() {
                let joined = words.join("; ");
                let end = if joined.ends_with('.') { "" } else { "." };
                explanation.push_str(&format!(" {heading}: {joined}{end}"));
            }
        }
        for note in &outcome.notes {
            explanation.push(' ');
            explanation.push_str(note);
        }
        if let Some(deadline) = &outcome.deadline {
            explanation.push(' ');
            explanation.push_str(&deadline.text);
        }
        let codes = |state: State| -> Vec<String> {
            findings
                .checks
                .iter()
                .filter(|check| check.state == state)
                .map(|check| check.code.clone())
                .collect()
        };
        ReliefOption {
            id: kind,
            status: outcome.status,
            met: codes(State::Met),
            missing: codes(State::Missing),
            blocking: codes(State::Blocking),
            deadline: outcome.deadline,
            source: rule.source.to_string(),
            explanation,
            next_steps: outcome.next_steps,
        }
    }
}

/// `a, b or c` / `a, b o c`.
pub(crate) fn or_list(items: &[&str], lang: Lang) -> String {
    let word = match lang {
        Lang::Es => "o",
        Lang::En => "or",
    };
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}

/// Where a check leaves its term, field or fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Met,
    Missing,
    Blocking,
}

/// One term, field or fact a rule looked at, with the words that explain it.
#[derive(Clone, Debug)]
pub(crate) struct Check {
    code: String,
    state: State,
    words: String,
}

/// What a rule found, in the order it looked.
#[derive(Clone, Debug, Default)]
pub(crate) struct Findings {
    checks: Vec<Check>,
}

impl Findings {
    pub(crate) fn met(&mut self, code: &str, words: String) {
        self.push(code, State::Met, words);
    }
    pub(crate) fn missing(&mut self, code: &str, words: String) {
        self.push(code, State::Missing, words);
    }
    pub(crate) fn blocking(&mut self, code: &str, words: String) {
        self.push(code, State::Blocking, words);
    }
    fn push(&mut self, code: &str, state: State, words: String) {
        if !self.checks.iter().any(|check| check.code == code) {
            self.checks.push(Check {
                code: code.to_string(),
                state,
                words,
            });
        }
    }
    pub(crate) fn push_check(&mut self, check: Check) {
        self.push(&check.code, check.state, check.words);
    }
    pub(crate) fn into_checks(self) -> Vec<Check> {
        self.checks
    }
    pub(crate) fn is_blocked(&self) -> bool {
        self.checks
            .iter()
            .any(|check| check.state == State::Blocking)
    }
    pub(crate) fn has_missing(&self) -> bool {
        self.checks
            .iter()
            .any(|check| check.state == State::Missing)
    }
    /// The status relief.md gives by default: anything blocking rules it out, anything missing
    /// leaves it possible, else likely.
    pub(crate) fn status(&self) -> ReliefStatus {
        if self.is_blocked() {
            ReliefStatus::NotIndicated
        } else if self.has_missing() {
            ReliefStatus::Possible
        } else {
            ReliefStatus::Likely
        }
    }
}

/// A rule's outcome before it is written out.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) status: ReliefStatus,
    pub(crate) findings: Findings,
    /// Sentences added to the explanation after the findings.
    pub(crate) notes: Vec<String>,
    pub(crate) deadline: Option<Deadline>,
    pub(crate) next_steps: Vec<String>,
}

impl Outcome {
    pub(crate) fn new(findings: Findings) -> Outcome {
        Outcome {
            status: findings.status(),
            findings,
            notes: Vec::new(),
            deadline: None,
            next_steps: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relief_rule_identifiers_are_the_options_in_order() {
        let ids: Vec<&str> = RELIEF_RULES.iter().map(|rule| rule.id).collect();
        let options: Vec<&str> = ReliefOptionKind::all().iter().map(|o| o.code()).collect();
        assert_eq!(ids, options);
    }
}
