//! # What it decides
//! Whether the facts meet the ILO's statistical definition of forced labour: work that is both
//! involuntary and under menace of a penalty. Met with a LABOUR_LIKE or commercial-sex activity,
//! one indicator of involuntariness and one of penalty. A single code may not serve as both:
//! `means_debt_bondage`, on both lists, counts for the penalty side only when it is the only
//! penalty candidate and another code shows involuntariness; otherwise it counts as involuntariness.
//!
//! # Legal source
//! ILO Forced Labour Convention, 1930 (No. 29), art. 2(1); Guidelines concerning the measurement of
//! forced labour, 20th International Conference of Labour Statisticians (2018); ILO Indicators of
//! Forced Labour (11 indicators).
//!
//! # Example
//! A domestic worker (`activity_domestic_work`) paid nothing (`cond_little_or_no_pay`) and never
//! let out (`means_restricts_movement`): met. A worker whose only indicator is
//! `means_debt_bondage`: not met, missing `penalty` (one code cannot be both).

use puente_core::screening_facts::Fact;
use puente_core::{Label, Lang};

use super::{fact_labels, head, Case, RuleInfo};
use crate::groups::{ILO_INVOLUNTARINESS, ILO_PENALTY, LABOUR_LIKE};
use crate::result::{IloVerdict, Missing};

pub const RULE: RuleInfo = RuleInfo {
    id: "ilo_forced_labour",
    name: Label {
        es: "OIT, trabajo forzoso, directrices de la CIET de 2018",
        en: "ILO forced labour, 2018 ICLS guidelines",
    },
    source: "ILO Convention No. 29 art. 2(1); 20th ICLS Guidelines concerning the measurement of forced labour (2018)",
    decides: Label {
        es: "si hay trabajo involuntario bajo amenaza de una pena",
        en: "whether there is work that is involuntary and under menace of a penalty",
    },
};

pub fn evaluate(case: &Case) -> IloVerdict {
    let debt = Fact::MeansDebtBondage;
    let other_involuntariness = case
        .facts
        .iter()
        .any(|f| *f != debt && ILO_INVOLUNTARINESS.contains(f));
    let other_penalty = case
        .facts
        .iter()
        .any(|f| *f != debt && ILO_PENALTY.contains(f));
    // Debt bondage serves the side that needs it; it never serves both.
    let debt_is_penalty = other_involuntariness && !other_penalty;
    let involuntariness: Vec<Fact> = case
        .facts
        .iter()
        .copied()
        .filter(|f| ILO_INVOLUNTARINESS.contains(f) && (*f != debt || !debt_is_penalty))
        .collect();
    let penalty: Vec<Fact> = case
        .facts
        .iter()
        .copied()
        .filter(|f| ILO_PENALTY.contains(f) && (*f != debt || debt_is_penalty))
        .collect();

    let mut missing = Vec::new();
    if !case.has_any(LABOUR_LIKE) && !case.has(Fact::ActivityCommercialSex) {
        missing.push(Missing::Activity);
    }
    if involuntariness.is_empty() {
        missing.push(Missing::Involuntariness);
    }
    if penalty.is_empty() {
        missing.push(Missing::Penalty);
    }
    IloVerdict {
        met: missing.is_empty(),
        involuntariness,
        penalty,
        missing,
    }
}

pub fn explain(verdict: &IloVerdict, case: &Case, lang: Lang) -> String {
    let missing: Vec<String> = verdict
        .missing
        .iter()
        .map(|m| m.label().get(lang).to_string())
        .collect();
    let mut line = head(&RULE, verdict.met, &missing, lang);
    let mut activity = case.present(LABOUR_LIKE);
    if case.has(Fact::ActivityCommercialSex) {
        activity.insert(0, Fact::ActivityCommercialSex);
    }
    line.push_str(&match lang {
        Lang::Es => format!(
            " Actividad: {}; involuntariedad: {}; amenaza de pena: {}.",
            fact_labels(&activity, case, lang),
            fact_labels(&verdict.involuntariness, case, lang),
            fact_labels(&verdict.penalty, case, lang)
        ),
        Lang::En => format!(
            " Activity: {}; involuntariness: {}; menace of penalty: {}.",
            fact_labels(&activity, case, lang),
            fact_labels(&verdict.involuntariness, case, lang),
            fact_labels(&verdict.penalty, case, lang)
        ),
    });
    if case.has(Fact::MeansDebtBondage) {
        let debt_bondage = fact_labels(&[Fact::MeansDebtBondage], case, lang);
        line.push_str(&match lang {
            Lang::Es => format!(" {debt_bondage} cuenta para un solo lado (un mismo hecho no puede ser involuntariedad y pena)."),
            Lang::En => format!(" {debt_bondage} counts for one side only (a single fact may not serve as both involuntariness and penalty)."),
        });
    }
    line
}
