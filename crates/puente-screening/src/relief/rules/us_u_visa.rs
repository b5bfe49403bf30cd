//! # What it decides
//! Whether a U visa may be sought. Gate: `IN_US`, and either trafficking found by the screening
//! (`TRAFFICKED`) or another qualifying crime (`rel_other_qualifying_crime`). Conditions: the crime
//! happened in the US or violated US law (`rel_crime_in_us`); substantial physical or mental abuse
//! (`rel_substantial_abuse`); information about the crime (`rel_has_information`, or `UNDER_16`: a
//! parent or guardian may provide it); a signed law-enforcement certification
//! (`rel_le_certification`). A refusal of a reasonable request of law enforcement
//! (`rel_le_refused`) rules it out.
//!
//! # Legal source
//! 8 U.S.C. 1101(a)(15)(U); 8 CFR 214.14.
//!
//! # Example
//! A Salvadoran woman in the US, a victim of extortion and sexual assault, with a signed I-918
//! Supplement B, who suffered substantial abuse and gave a statement: `likely`. Without the
//! certification: `possible`, missing `rel_le_certification`.

use puente_core::relief_facts::ReliefFact;
use puente_core::{Label, Vocabulary};

use crate::relief::{Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "us_u_visa",
    name: Label {
        es: "Visa U",
        en: "U visa",
    },
    source: "8 U.S.C. 1101(a)(15)(U); 8 CFR 214.14",
    decides: Label {
        es: "si una víctima de un delito que da derecho a la visa U puede pedirla",
        en: "whether a victim of a qualifying crime may seek a U visa",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_in_us(&mut findings);
    let other_crime = case.has(ReliefFact::OtherQualifyingCrime);
    if case.trafficked {
        findings.met("TRAFFICKED", case.trafficked_words());
    }
    if other_crime {
        case.gate_fact(&mut findings, ReliefFact::OtherQualifyingCrime);
    }
    if !case.trafficked && !other_crime {
        case.gate_trafficked(&mut findings);
        case.gate_fact(&mut findings, ReliefFact::OtherQualifyingCrime);
    }
    case.condition_fact(&mut findings, ReliefFact::CrimeInUs);
    case.condition_fact(&mut findings, ReliefFact::SubstantialAbuse);
    if case.has(ReliefFact::HasInformation) {
        case.condition_fact(&mut findings, ReliefFact::HasInformation);
    } else if case.age.is_some_and(|age| age < 16) {
        findings.met(
            "UNDER_16",
            case.say(
                "es menor de 16 años: su madre, padre o tutor puede dar la información sobre el delito",
                "is under 16: a parent or guardian may provide the information about the crime",
            ),
        );
    } else {
        case.condition_fact(&mut findings, ReliefFact::HasInformation);
    }
    case.condition_fact(&mut findings, ReliefFact::LawEnforcementCertification);
    if case.has(ReliefFact::LawEnforcementRefused) {
        findings.blocking(
            ReliefFact::LawEnforcementRefused.code(),
            ReliefFact::LawEnforcementRefused
                .label_in(case.lang)
                .to_string(),
        );
    }

    let mut outcome = Outcome::new(findings);
    if outcome.status != ReliefStatus::NotIndicated {
        if !case.has(ReliefFact::LawEnforcementCertification) {
            outcome.next_steps.push(case.say(
                "Pedir la certificación (formulario I-918, Suplemento B) a la policía, la fiscalía, el juzgado o la agencia que investiga el delito (8 CFR 214.14(c)(2)).",
                "Ask the police, prosecutor, judge or agency investigating the crime to sign the certification (Form I-918 Supplement B; 8 CFR 214.14(c)(2)).",
            ));
        }
        outcome.next_steps.push(case.say(
            "Derivar a una abogada o abogado de inmigración para la solicitud de visa U (formulario I-918; 8 CFR 214.14).",
            "Refer to an immigration lawyer for the U-visa petition (Form I-918; 8 CFR 214.14).",
        ));
    }
    case.finish(&RULE, outcome)
}
