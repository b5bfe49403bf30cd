//! # What it decides
//! The overall level of indicators:
//! - `strong_indicators`: any of palermo, tvpa_sex, tvpa_labor, ilo_forced_labour is met;
//! - `some_indicators`: otherwise, any MEANS; or any activity with any `cond_*`; or a child in any
//!   activity; or `migr_kidnapped_en_route` or `migr_handed_over_en_route`;
//! - `no_indicators`: otherwise.
//!
//! Adding a fact never lowers the level. Smuggling alone gives `no_indicators`: a smuggling fee
//! alone is not trafficking.
//!
//! # Legal source
//! Puente's screening practice (shared/docs/screening.md), after the HHS "Look Beneath the Surface"
//! questions, Vera's TVIT and the QYIT: an aid to a case worker, never a legal determination.
//!
//! # Example
//! An adult who works long hours for little pay (`activity_labour`, `cond_excessive_hours`) with no
//! act or means: `some_indicators`. An empty input: `no_indicators`.

use puente_core::screening_facts::{Fact, FactGroup};
use puente_core::{Label, Lang};

use super::{fact_labels, Case, RuleInfo};
use crate::groups;
use crate::result::{Frameworks, Level};

pub const RULE: RuleInfo = RuleInfo {
    id: "level",
    name: Label {
        es: "Nivel de indicios",
        en: "Level of indicators",
    },
    source:
        "Puente screening practice (screening.md); HHS Look Beneath the Surface; Vera TVIT; QYIT",
    decides: Label {
        es: "el nivel de indicios: sólidos, algunos o ninguno",
        en: "the level of indicators: strong, some or none",
    },
};

/// Why the level is what it is: the frameworks met, or the facts that give some indicators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelDecision {
    pub level: Level,
    /// The identifiers of the frameworks met.
    pub frameworks_met: Vec<&'static str>,
    /// The facts that give `some_indicators`.
    pub basis: Vec<Fact>,
}

pub fn evaluate(case: &Case, frameworks: &Frameworks) -> LevelDecision {
    let frameworks_met: Vec<&'static str> = [
        ("palermo", frameworks.palermo.met),
        ("tvpa_sex", frameworks.tvpa_sex.met),
        ("tvpa_labor", frameworks.tvpa_labor.met),
        ("ilo_forced_labour", frameworks.ilo_forced_labour.met),
    ]
    .into_iter()
    .filter(|(_, met)| *met)
    .map(|(id, _)| id)
    .collect();
    if !frameworks_met.is_empty() {
        return LevelDecision {
            level: Level::StrongIndicators,
            frameworks_met,
            basis: vec![],
        };
    }
    let means = groups::in_element(case.facts, FactGroup::Means);
    let activities = groups::in_element(case.facts, FactGroup::Activity);
    let conditions = groups::in_element(case.facts, FactGroup::Conditions);
    let route = case.present(&[Fact::MigrHandedOverEnRoute, Fact::MigrKidnappedEnRoute]);

    let mut basis = means;
    if !activities.is_empty() && (!conditions.is_empty() || case.age.is_child()) {
        basis.extend(&activities);
        basis.extend(&conditions);
    }
    basis.extend(route);
    basis.sort();
    basis.dedup();
    LevelDecision {
        level: if basis.is_empty() {
            Level::NoIndicators
        } else {
            Level::SomeIndicators
        },
        frameworks_met,
        basis,
    }
}

pub fn explain(decision: &LevelDecision, case: &Case, lang: Lang) -> String {
    let name = RULE.name.get(lang);
    let level = decision.level;
    let label = level.label().get(lang);
    let frameworks_met = decision
        .frameworks_met
        .iter()
        .filter_map(|id| super::rule(id))
        .map(|rule| rule.name.get(lang))
        .collect::<Vec<_>>()
        .join("; ");
    match (level, lang) {
        (Level::StrongIndicators, Lang::Es) => format!(
            "{name}: {label}: marcos que se cumplen: {}.",
            frameworks_met
        ),
        (Level::StrongIndicators, Lang::En) => format!(
            "{name}: {label}: {} met.",
            frameworks_met
        ),
        (Level::SomeIndicators, Lang::Es) => format!(
            "{name}: {label}: ningún marco se cumple, pero hay indicios en {}.",
            fact_labels(&decision.basis, case, lang)
        ),
        (Level::SomeIndicators, Lang::En) => format!(
            "{name}: {label}: no framework is met, but there are indicators in {}.",
            fact_labels(&decision.basis, case, lang)
        ),
        (Level::NoIndicators, Lang::Es) if case.facts.is_empty() => format!(
            "{name}: {label}: no se registró ningún hecho; vuelva a evaluar cuando se sepa más."
        ),
        (Level::NoIndicators, Lang::En) if case.facts.is_empty() => format!(
            "{name}: {label}: no facts were recorded; screen again when more is known."
        ),
        (Level::NoIndicators, Lang::Es) => format!(
            "{name}: {label}: ningún marco se cumple y no hay medios, condiciones ni incidentes en la ruta entre los hechos registrados."
        ),
        (Level::NoIndicators, Lang::En) => format!(
            "{name}: {label}: no framework is met, and the facts recorded hold no means, conditions or incidents on the route."
        ),
    }
}
