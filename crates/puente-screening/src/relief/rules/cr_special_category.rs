//! # What it decides
//! Whether a foreign victim of trafficking in Costa Rica may receive the special migratory category
//! for victims of trafficking. Gate: `current_country` CR, `FOREIGN` and `TRAFFICKED`: `likely`,
//! after accreditation as a victim by the Immediate Response Team (ERI) of CONATT.
//!
//! # Legal source
//! Ley 9095 de 2013 (Ley contra la Trata de Personas y creación de la CONATT); Ley General de
//! Migración y Extranjería 8764.
//!
//! # Example
//! A Nicaraguan woman trafficked in domestic servitude in San José: `likely`. A Costa Rican woman:
//! `not_indicated`, blocking `FOREIGN` (the national protection applies instead).

use puente_core::Label;

use crate::relief::{Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "cr_special_category",
    name: Label {
        es: "Categoría migratoria especial para víctimas de trata (Costa Rica)",
        en: "Special migratory category for victims of trafficking (Costa Rica)",
    },
    source: "Ley 9095 de 2013; Ley General de Migración y Extranjería 8764",
    decides: Label {
        es: "si una víctima extranjera de trata en Costa Rica puede recibir la categoría migratoria especial",
        en: "whether a foreign victim of trafficking in Costa Rica may receive the special migratory category",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_current_country(&mut findings, &["CR"]);
    case.gate_foreign(&mut findings);
    case.gate_trafficked(&mut findings);
    let mut outcome = Outcome::new(findings);
    if outcome.status != ReliefStatus::NotIndicated {
        outcome.next_steps.push(case.say(
            "Contactar al Equipo de Respuesta Inmediata (ERI) de la CONATT para la acreditación como víctima de trata; con ella, la Dirección General de Migración y Extranjería otorga la categoría especial (Ley 9095; Ley 8764).",
            "Contact CONATT's Immediate Response Team (ERI) for accreditation as a victim of trafficking; with it, the Directorate General of Migration grants the special category (Ley 9095; Ley 8764).",
        ));
    }
    case.finish(&RULE, outcome)
}
