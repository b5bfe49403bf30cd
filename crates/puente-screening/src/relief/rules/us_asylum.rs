//! # What it decides
//! Whether asylum, withholding of removal or protection under the Convention against Torture may
//! be sought. Gate: `IN_US` and fear of persecution or serious harm on return
//! (`rel_fear_of_return`). Never `likely`: whether the harm is persecution on a protected ground is
//! for an asylum officer or a judge; `possible`, with `rel_protected_ground` missing until given.
//! Deadline: one year after the last arrival (`us_arrival`); an unaccompanied child (`MINOR` and
//! `unaccompanied`) is exempt and the result says so; a passed deadline is named but does not rule
//! the option out (exceptions exist, and withholding and CAT protection have no deadline).
//!
//! # Legal source
//! 8 U.S.C. 1158 (asylum; the one-year deadline in 1158(a)(2)(B), the exemption of unaccompanied
//! children in 1158(a)(2)(E)); 8 U.S.C. 1231(b)(3) (withholding of removal); Convention against
//! Torture, art. 3.
//!
//! # Example
//! An adult Nicaraguan man who arrived on 2025-06-10 and fears the gang that trafficked him:
//! `possible`, missing `rel_protected_ground`, deadline 2026-06-10, passed on 2026-12-01.

use puente_core::relief_facts::ReliefFact;
use puente_core::Label;
use puente_core::Lang;

use crate::relief::{
    anniversary, format_date, Deadline, DeadlineKind, Findings, Outcome, ReliefCase, ReliefOption,
    ReliefStatus,
};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "us_asylum",
    name: Label {
        es: "Asilo, suspensión de la expulsión y Convención contra la Tortura",
        en: "Asylum, withholding of removal and the Convention against Torture",
    },
    source: "8 U.S.C. 1158; 8 U.S.C. 1231(b)(3); Convention against Torture art. 3",
    decides: Label {
        es: "si una persona que teme volver puede pedir asilo o protección, y su plazo de un año",
        en: "whether a person who fears return may seek asylum or protection, and its one-year deadline",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_in_us(&mut findings);
    case.gate_fact(&mut findings, ReliefFact::FearOfReturn);
    case.condition_fact(&mut findings, ReliefFact::ProtectedGround);
    let mut outcome = Outcome::new(findings);
    if outcome.status == ReliefStatus::Likely {
        outcome.status = ReliefStatus::Possible;
    }
    if outcome.status == ReliefStatus::NotIndicated {
        return case.finish(&RULE, outcome);
    }
    outcome.notes.push(case.say(
        "El asilo nunca se marca como probable: si el daño es persecución por un motivo protegido lo decide una oficial de asilo o un juez.",
        "Asylum is never marked likely: whether the harm is persecution on a protected ground is for an asylum officer or a judge to decide.",
    ));
    let deadline = deadline(case);
    outcome.next_steps.push(case.say(
        "Derivar a una abogada o abogado de inmigración para el asilo (formulario I-589), que también pide la suspensión de la expulsión y la protección de la Convención contra la Tortura (8 U.S.C. 1158; 8 U.S.C. 1231(b)(3)).",
        "Refer to an immigration lawyer for asylum (Form I-589), which also asks for withholding of removal and protection under the Convention against Torture (8 U.S.C. 1158; 8 U.S.C. 1231(b)(3)).",
    ));
    if !deadline.exempt && !deadline.passed {
        outcome.next_steps.push(case.say(
            "Presentar antes de que venza el año desde la llegada (8 U.S.C. 1158(a)(2)(B)).",
            "File before the year since arrival runs out (8 U.S.C. 1158(a)(2)(B)).",
        ));
    }
    outcome.deadline = Some(deadline);
    case.finish(&RULE, outcome)
}

fn deadline(case: &ReliefCase) -> Deadline {
    if case.unaccompanied_minor() == Some(true) {
        return Deadline {
            kind: DeadlineKind::AsylumOneYear,
            date: None,
            passed: false,
            exempt: true,
            text: case.say(
                "Una niña o niño no acompañado está exento del plazo de un año (8 U.S.C. 1158(a)(2)(E)).",
                "An unaccompanied child is exempt from the one-year deadline (8 U.S.C. 1158(a)(2)(E)).",
            ),
        };
    }
    let Some(arrival) = case.input.person.us_arrival else {
        return Deadline {
            kind: DeadlineKind::AsylumOneYear,
            date: None,
            passed: false,
            exempt: false,
            text: case.say(
                "Plazo: un año desde la última llegada a Estados Unidos, que no consta (8 U.S.C. 1158(a)(2)(B)).",
                "Deadline: one year after the last arrival in the United States, which is not recorded (8 U.S.C. 1158(a)(2)(B)).",
            ),
        };
    };
    let last_day = anniversary(arrival, 1);
    let passed = case.as_of > last_day;
    let date = format_date(last_day);
    Deadline {
        kind: DeadlineKind::AsylumOneYear,
        date: Some(last_day),
        passed,
        exempt: false,
        text: match (passed, case.lang) {
            (false, Lang::Es) => format!("Plazo: un año desde la llegada, hasta el {date} (8 U.S.C. 1158(a)(2)(B))."),
            (false, Lang::En) => format!("Deadline: one year after arrival, by {date} (8 U.S.C. 1158(a)(2)(B))."),
            (true, Lang::Es) => format!(
                "El plazo de un año venció el {date} (8 U.S.C. 1158(a)(2)(B)): el asilo aún puede pedirse por circunstancias cambiadas o extraordinarias (8 U.S.C. 1158(a)(2)(D)), y la suspensión de la expulsión y la protección de la Convención contra la Tortura no tienen plazo."
            ),
            (true, Lang::En) => format!(
                "The one-year deadline passed on {date} (8 U.S.C. 1158(a)(2)(B)): asylum may still be sought for changed or extraordinary circumstances (8 U.S.C. 1158(a)(2)(D)), and withholding of removal and protection under the Convention against Torture have no deadline."
            ),
        },
    }
}
