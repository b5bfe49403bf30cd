//! # What it decides
//! Whether a foreign national in Mexico may receive the status of visitor for humanitarian reasons.
//! Gate: `current_country` MX and `FOREIGN`. `likely` when any ground holds: a victim or witness of
//! a crime in Mexico (`rel_crime_in_country` with `TRAFFICKED` or `rel_other_qualifying_crime`); an
//! unaccompanied child (`MINOR` and `unaccompanied`); an asylum applicant (`rel_fear_of_return`,
//! with COMAR as the next step). `possible` when `TRAFFICKED` but the crime is not recorded as
//! committed in Mexico (missing `rel_crime_in_country`).
//!
//! # Legal source
//! Ley de Migración, art. 52, fracc. V (visitante por razones humanitarias).
//!
//! # Example
//! A Guatemalan woman trafficked in Tapachula (`rel_crime_in_country`, trafficking found):
//! `likely`. The same woman trafficked in Guatemala before crossing: `possible`, missing
//! `rel_crime_in_country`.

use puente_core::relief_facts::ReliefFact;
use puente_core::{Label, Lang, Vocabulary};

use crate::relief::{Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "mx_humanitarian_visitor",
    name: Label {
        es: "Visitante por razones humanitarias (México)",
        en: "Visitor for humanitarian reasons (Mexico)",
    },
    source: "Ley de Migración, art. 52, fracc. V",
    decides: Label {
        es: "si una persona extranjera en México puede recibir la tarjeta de visitante por razones humanitarias",
        en: "whether a foreign national in Mexico may receive the visitor card for humanitarian reasons",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_current_country(&mut findings, &["MX"]);
    case.gate_foreign(&mut findings);
    if findings.is_blocked() {
        return case.finish(&RULE, Outcome::new(findings));
    }

    let crime_in_country = case.has(ReliefFact::CrimeInCountry);
    let other_crime = case.has(ReliefFact::OtherQualifyingCrime);
    let crime_ground = crime_in_country && (case.trafficked || other_crime);
    let child_ground = case.unaccompanied_minor();
    let fear_ground = case.has(ReliefFact::FearOfReturn);
    let mut grounds = Findings::default();
    if crime_ground {
        case.condition_fact(&mut grounds, ReliefFact::CrimeInCountry);
        if case.trafficked {
            grounds.met("TRAFFICKED", case.trafficked_words());
        }
        if other_crime {
            case.condition_fact(&mut grounds, ReliefFact::OtherQualifyingCrime);
        }
    }
    if child_ground == Some(true) {
        grounds.met("MINOR", case.minor_words());
        grounds.met("unaccompanied", case.unaccompanied_words());
    }
    if fear_ground {
        case.condition_fact(&mut grounds, ReliefFact::FearOfReturn);
    }
    let any_ground = crime_ground || child_ground == Some(true) || fear_ground;
    if !any_ground {
        if case.trafficked {
            grounds.met("TRAFFICKED", case.trafficked_words());
            grounds.missing(
                ReliefFact::CrimeInCountry.code(),
                case.say(
                    "si el delito ocurrió en México",
                    "whether the crime happened in Mexico",
                ),
            );
        } else if child_ground.is_none()
            && (case.minor() == Some(true) || case.input.person.unaccompanied == Some(true))
        {
            case.gate_minor(&mut grounds);
            case.gate_unaccompanied(&mut grounds);
        } else {
            if !crime_in_country {
                grounds.blocking(
                    ReliefFact::CrimeInCountry.code(),
                    case.say(
                        "no consta que sea víctima o testigo de un delito en México",
                        "not recorded as a victim or witness of a crime in Mexico",
                    ),
                );
            } else {
                case.gate_fact(&mut grounds, ReliefFact::OtherQualifyingCrime);
            }
            grounds.blocking(
                "unaccompanied",
                case.say(
                    "no consta que sea una niña o niño no acompañado",
                    "not recorded as an unaccompanied child",
                ),
            );
            case.gate_fact(&mut grounds, ReliefFact::FearOfReturn);
        }
    }
    let mut combined = findings;
    for check in grounds.into_checks() {
        combined.push_check(check);
    }
    let mut outcome = Outcome::new(combined);
    if outcome.status == ReliefStatus::NotIndicated {
        return case.finish(&RULE, outcome);
    }
    outcome.next_steps.push(case.say(
        "Acompañar la solicitud de la tarjeta de visitante por razones humanitarias ante el Instituto Nacional de Migración (Ley de Migración, art. 52, fracc. V).",
        "Support the application for the visitor card for humanitarian reasons at the National Migration Institute, INM (Ley de Migración, art. 52, fracc. V).",
    ));
    if fear_ground {
        outcome.next_steps.push(case.say(
            "Derivar a la Comisión Mexicana de Ayuda a Refugiados (COMAR) para solicitar la condición de refugiado; la solicitud da derecho a la tarjeta de visitante por razones humanitarias (Ley de Migración, art. 52, fracc. V; Ley sobre Refugiados, Protección Complementaria y Asilo Político).",
            "Refer to the Mexican Commission for Refugee Assistance (COMAR) to apply for refugee status; the application gives the right to the humanitarian visitor card (Ley de Migración, art. 52, fracc. V; Ley sobre Refugiados, Protección Complementaria y Asilo Político).",
        ));
    }
    if crime_ground || case.trafficked {
        outcome.next_steps.push(match case.lang {
            Lang::Es => "Si la persona lo desea, presentar la denuncia ante la Fiscalía (FEVIMTRA, en casos de trata): ser víctima o testigo de un delito en México es uno de los supuestos de la visa humanitaria (Ley de Migración, art. 52, fracc. V).".to_string(),
            Lang::En => "If the person wishes, report to the prosecutor (FEVIMTRA, for trafficking): being a victim or witness of a crime in Mexico is one of the grounds of the humanitarian status (Ley de Migración, art. 52, fracc. V).".to_string(),
        });
    }
    if child_ground == Some(true) {
        outcome.next_steps.push(case.say(
            "Notificar a la Procuraduría de Protección de Niñas, Niños y Adolescentes (DIF), que determina el interés superior de la niña o niño (Ley de Migración, art. 52, fracc. V; Ley General de los Derechos de Niñas, Niños y Adolescentes).",
            "Notify the Child Protection Office (Procuraduría de Protección de Niñas, Niños y Adolescentes, DIF), which determines the child's best interest (Ley de Migración, art. 52, fracc. V; Ley General de los Derechos de Niñas, Niños y Adolescentes).",
        ));
    }
    case.finish(&RULE, outcome)
}
