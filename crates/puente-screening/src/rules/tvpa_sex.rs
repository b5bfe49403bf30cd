//! # What it decides
//! Whether the facts meet US law's definition of sex trafficking: a commercial sex act
//! (`activity_commercial_sex`) and at least one act, and either the person is under 18 or at least
//! one FFC means (force, fraud or coercion) is present. An unknown age is not under 18.
//!
//! # Legal source
//! Trafficking Victims Protection Act, 22 U.S.C. 7102(11)(A) and (12) (severe form of trafficking:
//! sex trafficking induced by force, fraud or coercion, or of a person under 18); USCIS Policy
//! Manual (the minor exception is for sex trafficking only).
//!
//! # Example
//! A 15-year-old recruited online (`act_recruited`) and sold for sex (`activity_commercial_sex`):
//! met, no force, fraud or coercion required. The same facts for an adult: not met, missing
//! `FFC means`.

use puente_core::screening_facts::Fact;
use puente_core::{Label, Lang};

use super::{fact_labels, head, AgeStatus, Case, RuleInfo};
use crate::groups;
use crate::result::{Missing, TvpaVerdict};
use puente_core::screening_facts::FactGroup;

pub const RULE: RuleInfo = RuleInfo {
    id: "tvpa_sex",
    name: Label {
        es: "TVPA de EE. UU., trata sexual, 22 U.S.C. 7102",
        en: "US TVPA, sex trafficking, 22 U.S.C. 7102",
    },
    source: "22 U.S.C. 7102(11)(A), (12); USCIS Policy Manual",
    decides: Label {
        es: "si hay comercio sexual, un acto, y fuerza, engaño o coacción (o menor de 18 años)",
        en: "whether there is commercial sex, an act, and force, fraud or coercion (or age under 18)",
    },
};

pub fn evaluate(case: &Case) -> TvpaVerdict {
    let mut missing = Vec::new();
    if !case.has(Fact::ActivityCommercialSex) {
        missing.push(Missing::CommercialSex);
    }
    if groups::in_element(case.facts, FactGroup::Act).is_empty() {
        missing.push(Missing::Act);
    }
    if !case.age.is_child() && !case.facts.iter().any(|f| groups::is_ffc(*f)) {
        missing.push(Missing::FfcMeans);
    }
    TvpaVerdict {
        met: missing.is_empty(),
        missing,
    }
}

pub fn explain(verdict: &TvpaVerdict, case: &Case, lang: Lang) -> String {
    let missing: Vec<String> = verdict
        .missing
        .iter()
        .map(|m| m.label().get(lang).to_string())
        .collect();
    let mut line = head(&RULE, verdict.met, &missing, lang);
    let act = groups::in_element(case.facts, FactGroup::Act);
    let ffc = groups::present_where(case.facts, groups::is_ffc);
    let sex = if case.has(Fact::ActivityCommercialSex) {
        vec![Fact::ActivityCommercialSex]
    } else {
        vec![]
    };
    line.push_str(&match lang {
        Lang::Es => format!(
            " Actividad: {}; acto: {}; fuerza, engaño o coacción: {}",
            fact_labels(&sex, case, lang),
            fact_labels(&act, case, lang),
            fact_labels(&ffc, case, lang)
        ),
        Lang::En => format!(
            " Activity: {}; act: {}; force, fraud or coercion: {}",
            fact_labels(&sex, case, lang),
            fact_labels(&act, case, lang),
            fact_labels(&ffc, case, lang)
        ),
    });
    match (case.age, lang) {
        (AgeStatus::Child(age), Lang::Es) => line.push_str(&format!(
            " (no se requiere: persona menor de edad, {age} años)"
        )),
        (AgeStatus::Child(age), Lang::En) => {
            line.push_str(&format!(" (not required: under 18, age {age})"))
        }
        (AgeStatus::Unknown, Lang::Es) => line.push_str(" (se requiere: la edad es desconocida)"),
        (AgeStatus::Unknown, Lang::En) => line.push_str(" (required: the age is unknown)"),
        _ => {}
    }
    line.push('.');
    line
}
