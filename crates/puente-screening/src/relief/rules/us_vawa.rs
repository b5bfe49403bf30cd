//! # What it decides
//! Whether a VAWA self-petition may be sought. Gate: `IN_US` and battery or extreme cruelty by a
//! US-citizen or permanent-resident spouse, parent or adult child (`rel_abused_by_usc_lpr_family`):
//! `possible`, never more, since the other conditions (the relationship, residence together, good
//! moral character) are for a lawyer to check.
//!
//! # Legal source
//! 8 U.S.C. 1154(a)(1) (Violence Against Women Act self-petitions).
//!
//! # Example
//! A Mexican woman in the US trafficked by her US-citizen husband: `possible`. Without the fact:
//! `not_indicated`, blocking `rel_abused_by_usc_lpr_family`.

use puente_core::relief_facts::ReliefFact;
use puente_core::Label;

use crate::relief::{Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "us_vawa",
    name: Label {
        es: "Autopetición VAWA",
        en: "VAWA self-petition",
    },
    source: "8 U.S.C. 1154(a)(1)",
    decides: Label {
        es: "si una persona maltratada por un familiar ciudadano o residente de EE. UU. puede autopeticionar",
        en: "whether a person abused by a US-citizen or resident family member may self-petition",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_in_us(&mut findings);
    case.gate_fact(&mut findings, ReliefFact::AbusedByUsCitizenOrResidentFamily);
    let mut outcome = Outcome::new(findings);
    if outcome.status == ReliefStatus::NotIndicated {
        return case.finish(&RULE, outcome);
    }
    outcome.status = ReliefStatus::Possible;
    outcome.notes.push(case.say(
        "Las demás condiciones (el parentesco, haber vivido juntos, la buena conducta moral) las revisa una abogada o abogado.",
        "The other conditions (the relationship, having lived together, good moral character) are for a lawyer to check.",
    ));
    outcome.next_steps.push(case.say(
        "Derivar a una abogada o abogado de inmigración para una autopetición VAWA (formulario I-360), sin que la persona agresora lo sepa (8 U.S.C. 1154(a)(1)).",
        "Refer to an immigration lawyer for a VAWA self-petition (Form I-360), without the abuser's knowledge (8 U.S.C. 1154(a)(1)).",
    ));
    case.finish(&RULE, outcome)
}
