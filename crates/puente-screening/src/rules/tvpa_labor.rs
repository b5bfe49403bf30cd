//! # What it decides
//! Whether the facts meet US law's definition of labour trafficking: a LABOUR_LIKE activity, at
//! least one act and at least one FFC means (force, fraud or coercion), at any age. US law has no
//! minor exception for labour trafficking: a child's labour without force, fraud or coercion is not
//! labour trafficking under the TVPA (it may be under Palermo).
//!
//! # Legal source
//! Trafficking Victims Protection Act, 22 U.S.C. 7102(11)(B) (labour or services obtained through
//! force, fraud or coercion for the purpose of involuntary servitude, peonage, debt bondage or
//! slavery); USCIS Policy Manual.
//!
//! # Example
//! A man recruited (`act_recruited`) for farm work (`activity_labour`) whose passport is taken
//! (`means_withholds_documents`): met. A 16-year-old recruited for farm work with excessive hours
//! and no means: not met, missing `FFC means`.

use puente_core::{Label, Lang};

use super::{fact_labels, head, AgeStatus, Case, RuleInfo};
use crate::groups::{self, LABOUR_LIKE};
use crate::result::{Missing, TvpaVerdict};
use puente_core::screening_facts::FactGroup;

pub const RULE: RuleInfo = RuleInfo {
    id: "tvpa_labor",
    name: Label {
        es: "TVPA de EE. UU., trata laboral, 22 U.S.C. 7102",
        en: "US TVPA, labor trafficking, 22 U.S.C. 7102",
    },
    source: "22 U.S.C. 7102(11)(B); USCIS Policy Manual",
    decides: Label {
        es: "si hay trabajo o servicios, un acto y fuerza, engaño o coacción, a cualquier edad",
        en: "whether there is labour or services, an act, and force, fraud or coercion, at any age",
    },
};

pub fn evaluate(case: &Case) -> TvpaVerdict {
    let mut missing = Vec::new();
    if !case.has_any(LABOUR_LIKE) {
        missing.push(Missing::LabourLikeActivity);
    }
    if groups::in_element(case.facts, FactGroup::Act).is_empty() {
        missing.push(Missing::Act);
    }
    if !case.facts.iter().any(|f| groups::is_ffc(*f)) {
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
    let labour = case.present(LABOUR_LIKE);
    line.push_str(&match lang {
        Lang::Es => format!(
            " Actividad: {}; acto: {}; fuerza, engaño o coacción: {}",
            fact_labels(&labour, case, lang),
            fact_labels(&act, case, lang),
            fact_labels(&ffc, case, lang)
        ),
        Lang::En => format!(
            " Activity: {}; act: {}; force, fraud or coercion: {}",
            fact_labels(&labour, case, lang),
            fact_labels(&act, case, lang),
            fact_labels(&ffc, case, lang)
        ),
    });
    line.push('.');
    if !verdict.met
        && ffc.is_empty()
        && matches!(case.age, AgeStatus::Child(_))
        && !labour.is_empty()
    {
        line.push_str(match lang {
            Lang::Es => " La ley de EE. UU. no tiene excepción para menores en la trata laboral: se requieren fuerza, engaño o coacción.",
            Lang::En => " US law has no minor exception for labor trafficking: force, fraud or coercion is required.",
        });
    }
    line
}
