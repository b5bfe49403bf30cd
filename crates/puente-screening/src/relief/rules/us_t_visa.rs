//! # What it decides
//! Whether a T visa may be sought. Gate: a foreign national in the United States (`IN_US`) whom the
//! screening finds to be a victim of a severe form of trafficking (`TRAFFICKED_US`). Conditions:
//! physical presence on account of the trafficking (`rel_present_on_account`); compliance with
//! reasonable requests of law enforcement (`rel_le_cooperated`), from which a child under 18
//! (`MINOR`) and a person whose trauma prevents it (`rel_trauma_prevents_cooperation`) are exempt,
//! so that a refusal (`rel_le_refused`) with neither exception rules it out; and extreme hardship
//! involving unusual and severe harm on removal (`rel_extreme_hardship`).
//!
//! # Legal source
//! 8 U.S.C. 1101(a)(15)(T); 8 CFR 214.11.
//!
//! # Example
//! A 16-year-old Honduran boy in Houston held by a debt and kept in the US by it: `possible`, met
//! `TRAFFICKED_US`, `IN_US`, `rel_present_on_account` and `MINOR` (no cooperation needed), missing
//! `rel_extreme_hardship`. An adult who refused to give a statement, with no trauma recorded:
//! `not_indicated`, blocking `rel_le_refused`.

use puente_core::relief_facts::ReliefFact;
use puente_core::{Label, Vocabulary};

use crate::relief::{Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "us_t_visa",
    name: Label {
        es: "Visa T",
        en: "T visa",
    },
    source: "8 U.S.C. 1101(a)(15)(T); 8 CFR 214.11",
    decides: Label {
        es: "si una víctima de una forma grave de trata en EE. UU. puede pedir la visa T",
        en: "whether a victim of a severe form of trafficking in the US may seek a T visa",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_trafficked_us(&mut findings);
    case.gate_in_us(&mut findings);
    case.condition_fact(&mut findings, ReliefFact::PresentOnAccount);
    cooperation(case, &mut findings);
    case.condition_fact(&mut findings, ReliefFact::ExtremeHardship);

    let mut outcome = Outcome::new(findings);
    if outcome.status != ReliefStatus::NotIndicated {
        outcome.next_steps.push(case.say(
            "Derivar a una abogada o abogado de inmigración, o a una persona representante acreditada por el Departamento de Justicia, para preparar la solicitud de visa T (formulario I-914; 8 CFR 214.11).",
            "Refer to an immigration lawyer or a representative accredited by the Department of Justice to prepare the T-visa application (Form I-914; 8 CFR 214.11).",
        ));
        if case.minor() == Some(true) {
            outcome.next_steps.push(case.say(
                "Siendo menor de 18 años, no se le exige cooperar con las autoridades: no condicionar la ayuda a una denuncia (8 CFR 214.11).",
                "Being under 18, the person need not cooperate with law enforcement: never make help depend on a report (8 CFR 214.11).",
            ));
        } else if !case.has(ReliefFact::LawEnforcementCooperated) {
            outcome.next_steps.push(case.say(
                "Si la persona lo desea, acompañarla a dar su declaración a las autoridades, con su abogada o abogado presente (8 CFR 214.11).",
                "If the person wishes, accompany them to give a statement to law enforcement, with their lawyer present (8 CFR 214.11).",
            ));
        }
    }
    case.finish(&RULE, outcome)
}

/// Cooperation with law enforcement, or one of its two exceptions.
fn cooperation(case: &ReliefCase, findings: &mut Findings) {
    let refused = case.has(ReliefFact::LawEnforcementRefused);
    let trauma = case.has(ReliefFact::TraumaPreventsCooperation);
    let minor = case.minor();
    if refused && !trauma && minor == Some(false) {
        findings.blocking(
            ReliefFact::LawEnforcementRefused.code(),
            ReliefFact::LawEnforcementRefused
                .label_in(case.lang)
                .to_string(),
        );
        return;
    }
    let mut excused = false;
    if case.has(ReliefFact::LawEnforcementCooperated) && !refused {
        findings.met(
            ReliefFact::LawEnforcementCooperated.code(),
            ReliefFact::LawEnforcementCooperated
                .label_in(case.lang)
                .to_string(),
        );
        excused = true;
    }
    if minor == Some(true) {
        findings.met(
            "MINOR",
            case.say(
                "es menor de 18 años: no se le exige cooperar con las autoridades",
                "is under 18: no cooperation with law enforcement is required",
            ),
        );
        excused = true;
    }
    if trauma {
        findings.met(
            ReliefFact::TraumaPreventsCooperation.code(),
            ReliefFact::TraumaPreventsCooperation
                .label_in(case.lang)
                .to_string(),
        );
        excused = true;
    }
    if !excused {
        if refused {
            findings.missing(
                "age",
                case.say(
                    "la edad de la persona (una persona menor de 18 años no tiene que cooperar, aunque se haya negado)",
                    "the person's age (a child under 18 need not cooperate, even after refusing)",
                ),
            );
        } else {
            case.condition_fact(findings, ReliefFact::LawEnforcementCooperated);
        }
    }
}
