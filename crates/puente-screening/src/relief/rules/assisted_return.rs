//! # What it decides
//! Whether an assisted voluntary return to the country of nationality may be offered. Gate:
//! `FOREIGN` and `TRAFFICKED`: `likely` when the person wishes to return (`rel_wants_return`),
//! else `possible`, missing the person's wish. The next step always says: only if the person
//! wishes it and it is safe; never a condition of help.
//!
//! # Legal source
//! IOM assisted voluntary return and reintegration; the consulate of the country of nationality
//! (Vienna Convention on Consular Relations, art. 5); Palermo Protocol art. 8.
//!
//! # Example
//! A Salvadoran man trafficked on a farm in Guatemala who wants to go home: `likely`. Without the
//! wish recorded: `possible`, missing `rel_wants_return`.

use puente_core::relief_facts::ReliefFact;
use puente_core::{Label, Lang, Vocabulary};

use crate::relief::{Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "assisted_return",
    name: Label {
        es: "Retorno voluntario asistido",
        en: "Assisted voluntary return",
    },
    source: "IOM assisted voluntary return and reintegration; Vienna Convention on Consular Relations art. 5; Palermo Protocol art. 8",
    decides: Label {
        es: "si puede ofrecerse el retorno voluntario asistido al país de nacionalidad",
        en: "whether an assisted voluntary return to the country of nationality may be offered",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_foreign(&mut findings);
    case.gate_trafficked(&mut findings);
    if case.has(ReliefFact::WantsReturn) {
        case.condition_fact(&mut findings, ReliefFact::WantsReturn);
    } else {
        findings.missing(
            ReliefFact::WantsReturn.code(),
            case.say(
                "si la persona desea volver a su país",
                "whether the person wishes to return to their country",
            ),
        );
    }
    let mut outcome = Outcome::new(findings);
    if outcome.status == ReliefStatus::NotIndicated {
        return case.finish(&RULE, outcome);
    }
    let country = case
        .nationality()
        .map(|country| country.name(case.lang))
        .unwrap_or(match case.lang {
            Lang::Es => "su país",
            Lang::En => "their country",
        });
    outcome.next_steps.push(match case.lang {
        Lang::Es => format!(
            "Solo si la persona lo desea y es seguro, nunca como condición de la ayuda: contactar a la OIM (retorno voluntario asistido y reintegración) y al consulado de {country} (Protocolo de Palermo art. 8; Convención de Viena sobre Relaciones Consulares art. 5)."
        ),
        Lang::En => format!(
            "Only if the person wishes it and it is safe, never as a condition of help: contact IOM (assisted voluntary return and reintegration) and the consulate of {country} (Palermo Protocol art. 8; Vienna Convention on Consular Relations art. 5)."
        ),
    });
    case.finish(&RULE, outcome)
}
