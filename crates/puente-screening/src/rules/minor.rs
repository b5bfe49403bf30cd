//! # What it decides
//! Whether the person is a child: `minor` is true if age < 18, false if age ≥ 18, and null when the
//! age is unknown. An unknown age is neither child nor adult: a rule that needs a child does not
//! apply, and neither does a rule that needs an adult.
//!
//! # Legal source
//! Palermo Protocol art. 3(d) ("child" shall mean any person under eighteen years of age);
//! 22 U.S.C. 7102 (sex trafficking of a person under 18); UN Convention on the Rights of the Child art. 1.
//!
//! # Example
//! `{"person": {"age": 16}}` gives `"minor": true`; `{"person": {}}` gives `"minor": null` and the
//! explanation says that the age is unknown.

use puente_core::{Label, Lang};

use super::{AgeStatus, Case, RuleInfo};

pub const RULE: RuleInfo = RuleInfo {
    id: "minor",
    name: Label {
        es: "Minoría de edad",
        en: "Minor",
    },
    source: "Palermo Protocol art. 3(d); 22 U.S.C. 7102; CRC art. 1",
    decides: Label {
        es: "si la persona es menor de 18 años, adulta o de edad desconocida",
        en: "whether the person is under 18, an adult, or of unknown age",
    },
};

/// True if age < 18, false if age ≥ 18, None if unknown.
pub fn evaluate(case: &Case) -> Option<bool> {
    match case.age {
        AgeStatus::Child(_) => Some(true),
        AgeStatus::Adult(_) => Some(false),
        AgeStatus::Unknown => None,
    }
}

pub fn explain(case: &Case, lang: Lang) -> String {
    let name = RULE.name.get(lang);
    match (case.age, lang) {
        (AgeStatus::Child(age), Lang::Es) => {
            format!("{name}: {age} años, menor de 18: es niña, niño o adolescente.")
        }
        (AgeStatus::Child(age), Lang::En) => {
            format!("{name}: age {age}, under 18: a child.")
        }
        (AgeStatus::Adult(age), Lang::Es) => {
            format!("{name}: {age} años: persona adulta.")
        }
        (AgeStatus::Adult(age), Lang::En) => format!("{name}: age {age}: an adult."),
        (AgeStatus::Unknown, Lang::Es) => format!(
            "{name}: la edad es desconocida: no se trata a la persona ni como menor ni como adulta; \
             no se aplican las reglas que dependen de la edad (la excepción de medios para menores)."
        ),
        (AgeStatus::Unknown, Lang::En) => format!(
            "{name}: the age is unknown: the person is treated as neither a child nor an adult; \
             rules that depend on age (the exception from means for children) do not apply."
        ),
    }
}
