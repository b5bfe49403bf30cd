//! # What it decides
//! Whether federal law enforcement may request Continued Presence, a temporary immigration status
//! for a victim of a severe form of trafficking. Gate: `IN_US` and `TRAFFICKED_US`. Condition: the
//! person is a potential witness in an investigation or prosecution (`rel_potential_witness`).
//! The survivor does not apply: federal law enforcement requests it, and the next step says so.
//!
//! # Legal source
//! 22 U.S.C. 7105(c)(3).
//!
//! # Example
//! A Guatemalan woman in the US, found in sex trafficking by the screening, whom HSI has asked to
//! testify (`rel_potential_witness`): `likely`. Without that fact: `possible`, missing
//! `rel_potential_witness`.

use puente_core::relief_facts::ReliefFact;
use puente_core::Label;

use crate::relief::{Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "us_continued_presence",
    name: Label {
        es: "Presencia continuada",
        en: "Continued Presence",
    },
    source: "22 U.S.C. 7105(c)(3)",
    decides: Label {
        es: "si las autoridades federales pueden pedir la presencia continuada de una víctima que puede ser testigo",
        en: "whether federal law enforcement may request Continued Presence for a victim who may be a witness",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_trafficked_us(&mut findings);
    case.gate_in_us(&mut findings);
    case.condition_fact(&mut findings, ReliefFact::PotentialWitness);
    let mut outcome = Outcome::new(findings);
    outcome.notes.push(case.say(
        "La solicitan las autoridades federales (por ejemplo HSI o el FBI), no la propia persona.",
        "It is requested by federal law enforcement (for example HSI or the FBI), not by the survivor.",
    ));
    if outcome.status != ReliefStatus::NotIndicated {
        outcome.next_steps.push(case.say(
            "La presencia continuada la piden las autoridades federales, no la víctima: con el consentimiento de la persona, pedir a la agencia federal que investiga (HSI, FBI) que la solicite (22 U.S.C. 7105(c)(3)).",
            "Continued Presence is requested by federal law enforcement, not by the survivor: with the person's consent, ask the investigating federal agency (HSI, FBI) to request it (22 U.S.C. 7105(c)(3)).",
        ));
    }
    case.finish(&RULE, outcome)
}
