//! # What it decides
//! Whether the facts meet the international definition of trafficking in persons: at least one
//! act, a purpose of exploitation, and at least one means, except that for a child (age < 18) no
//! means are required. The purpose of exploitation is present when any of: an
//! INHERENTLY_EXPLOITATIVE activity; a LABOUR_LIKE activity together with at least one MEANS; a
//! LABOUR_LIKE activity of a child together with at least one `cond_*`. Consent is irrelevant once
//! a means is present. An unknown age does not make a child: means are then required.
//!
//! # Legal source
//! Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children
//! (Palermo Protocol, 2000), art. 3(a)-(d). MEANS is wider than US law's force, fraud or coercion:
//! abuse of a position of vulnerability and payments to a person in control count.
//!
//! # Example
//! A 16-year-old recruited (`act_recruited`) to work in a field (`activity_labour`) twelve hours a
//! day (`cond_excessive_hours`): met, with no means required. The same facts for a 30-year-old:
//! not met, missing `means` and `purpose`.

use puente_core::screening_facts::Fact;
use puente_core::{Label, Lang};

use super::{fact_labels, head, AgeStatus, Case, RuleInfo};
use crate::groups::{self, INHERENTLY_EXPLOITATIVE, LABOUR_LIKE};
use crate::result::{Missing, PalermoVerdict};
use puente_core::screening_facts::FactGroup;

pub const RULE: RuleInfo = RuleInfo {
    id: "palermo",
    name: Label {
        es: "Protocolo de Palermo, art. 3",
        en: "Palermo Protocol, art. 3",
    },
    source: "Palermo Protocol (2000), art. 3(a)-(d)",
    decides: Label {
        es: "si hay acto, medios (salvo para menores) y finalidad de explotación",
        en: "whether there is an act, a means (except for a child) and a purpose of exploitation",
    },
};

pub fn evaluate(case: &Case) -> PalermoVerdict {
    let act = groups::in_element(case.facts, FactGroup::Act);
    let means = groups::in_element(case.facts, FactGroup::Means);
    let conditions = groups::in_element(case.facts, FactGroup::Conditions);
    let child = case.age.is_child();
    let purpose: Vec<Fact> = case
        .facts
        .iter()
        .copied()
        .filter(|fact| {
            INHERENTLY_EXPLOITATIVE.contains(fact)
                || (LABOUR_LIKE.contains(fact)
                    && (!means.is_empty() || (child && !conditions.is_empty())))
        })
        .collect();
    let means_required = !child;

    let mut missing = Vec::new();
    if act.is_empty() {
        missing.push(Missing::Act);
    }
    if means_required && means.is_empty() {
        missing.push(Missing::Means);
    }
    if purpose.is_empty() {
        missing.push(Missing::Purpose);
    }
    PalermoVerdict {
        met: missing.is_empty(),
        act,
        means,
        purpose,
        means_required,
        missing,
    }
}

pub fn explain(verdict: &PalermoVerdict, case: &Case, lang: Lang) -> String {
    let missing: Vec<String> = verdict
        .missing
        .iter()
        .map(|m| m.label().get(lang).to_string())
        .collect();
    let mut line = head(&RULE, verdict.met, &missing, lang);
    let conditions = groups::in_element(case.facts, FactGroup::Conditions);
    let labour_like = case.present(LABOUR_LIKE);
    let (act, means, purpose) = match lang {
        Lang::Es => ("Acto", "medios", "finalidad de explotación"),
        Lang::En => ("Act", "means", "purpose of exploitation"),
    };
    line.push_str(&format!(
        " {act}: {}; {means}: {}",
        fact_labels(&verdict.act, case, lang),
        fact_labels(&verdict.means, case, lang)
    ));
    match (case.age, verdict.means.is_empty(), lang) {
        (AgeStatus::Child(age), true, Lang::Es) => line.push_str(&format!(
            " (no se requieren: persona menor de edad, {age} años)"
        )),
        (AgeStatus::Child(age), true, Lang::En) => {
            line.push_str(&format!(" (none required: a child aged {age})"))
        }
        (AgeStatus::Unknown, true, Lang::Es) => {
            line.push_str(" (se requieren: la edad es desconocida)")
        }
        (AgeStatus::Unknown, true, Lang::En) => line.push_str(" (required: the age is unknown)"),
        _ => {}
    }
    line.push_str(&format!(
        "; {purpose}: {}",
        fact_labels(&verdict.purpose, case, lang)
    ));
    let labour_purpose: Vec<Fact> = verdict
        .purpose
        .iter()
        .copied()
        .filter(|f| LABOUR_LIKE.contains(f) && !INHERENTLY_EXPLOITATIVE.contains(f))
        .collect();
    if !labour_purpose.is_empty() {
        if verdict.means.is_empty() {
            line.push_str(&match lang {
                Lang::Es => format!(
                    " (trabajo de una persona menor con {})",
                    fact_labels(&conditions, case, lang)
                ),
                Lang::En => format!(
                    " (work of a child with {})",
                    fact_labels(&conditions, case, lang)
                ),
            });
        } else {
            line.push_str(&match lang {
                Lang::Es => " (trabajo obtenido por medios)".to_string(),
                Lang::En => " (work obtained by a means)".to_string(),
            });
        }
    } else if verdict.purpose.is_empty() && !labour_like.is_empty() {
        line.push_str(&match (case.age.is_child(), lang) {
            (true, Lang::Es) => format!(
                " ({} es explotación solo con medios o con condiciones de trabajo abusivas)",
                fact_labels(&labour_like, case, lang)
            ),
            (true, Lang::En) => format!(
                " ({} is exploitation only with a means or abusive working conditions)",
                fact_labels(&labour_like, case, lang)
            ),
            (false, Lang::Es) => format!(
                " ({} es explotación solo con medios)",
                fact_labels(&labour_like, case, lang)
            ),
            (false, Lang::En) => format!(
                " ({} is exploitation only with a means)",
                fact_labels(&labour_like, case, lang)
            ),
        });
    }
    line.push('.');
    if verdict.met && !verdict.means.is_empty() && case.has(Fact::MigrConsentedToMove) {
        let consent = fact_labels(&[Fact::MigrConsentedToMove], case, lang);
        line.push_str(&match lang {
            Lang::Es => format!(" El consentimiento ({consent}) es irrelevante una vez presentes los medios (art. 3(b))."),
            Lang::En => format!(" Consent ({consent}) is irrelevant once a means is present (art. 3(b))."),
        });
    }
    line
}
