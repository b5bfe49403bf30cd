//! # What it decides
//! Whether the US Department of Health and Human Services may issue an eligibility letter (a
//! child) or a certification (an adult), which open federal benefits as to a refugee. Gate:
//! `IN_US` and `TRAFFICKED_US`. A child (`MINOR`): `likely`, with no cooperation with law
//! enforcement needed. An adult: `possible`, missing Continued Presence or a bona fide T-visa
//! application (`CONTINUED_PRESENCE_OR_T_VISA_APPLICATION`), which the certification follows.
//!
//! # Legal source
//! 22 U.S.C. 7105(b)(1).
//!
//! # Example
//! A 16-year-old boy in the US in labour trafficking: `likely` (an eligibility letter). A
//! 30-year-old woman in sex trafficking: `possible`.

use puente_core::Label;

use crate::relief::{Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "us_hhs_letter",
    name: Label {
        es: "Carta de elegibilidad o certificación del HHS",
        en: "HHS eligibility letter or certification",
    },
    source: "22 U.S.C. 7105(b)(1)",
    decides: Label {
        es: "si el HHS puede dar la carta de elegibilidad (menores) o la certificación (adultos) para recibir ayudas",
        en: "whether HHS may issue the eligibility letter (children) or certification (adults) that opens benefits",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_trafficked_us(&mut findings);
    case.gate_in_us(&mut findings);
    match case.minor() {
        Some(true) => findings.met("MINOR", case.minor_words()),
        Some(false) => findings.missing(
            "CONTINUED_PRESENCE_OR_T_VISA_APPLICATION",
            case.say(
                "la presencia continuada o una solicitud de visa T de buena fe, a las que sigue la certificación del HHS para una persona adulta",
                "Continued Presence or a bona fide T-visa application, which the HHS certification of an adult follows",
            ),
        ),
        None => findings.missing("age", case.age_words()),
    }
    let mut outcome = Outcome::new(findings);
    if outcome.status == ReliefStatus::NotIndicated {
        return case.finish(&RULE, outcome);
    }
    match case.minor() {
        Some(true) => outcome.next_steps.push(case.say(
            "Pedir cuanto antes la carta de elegibilidad a la Oficina contra la Trata de Personas del HHS (solicitud de asistencia para menores); no se necesita cooperar con las autoridades (22 U.S.C. 7105(b)(1)).",
            "Request the eligibility letter from HHS's Office on Trafficking in Persons as soon as possible (request for assistance for child victims); no cooperation with law enforcement is needed (22 U.S.C. 7105(b)(1)).",
        )),
        _ => outcome.next_steps.push(case.say(
            "La certificación del HHS para una persona adulta sigue a la presencia continuada o a una solicitud de visa T de buena fe: acompañar esos trámites (22 U.S.C. 7105(b)(1)).",
            "The HHS certification of an adult follows Continued Presence or a bona fide T-visa application: support those first (22 U.S.C. 7105(b)(1)).",
        )),
    }
    case.finish(&RULE, outcome)
}
