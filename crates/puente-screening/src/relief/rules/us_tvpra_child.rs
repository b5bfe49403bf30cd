//! # What it decides
//! Whether the procedures of the TVPRA for unaccompanied children apply. Gate: `IN_US`, `MINOR` and
//! `unaccompanied`: `likely`. A child of Mexico or Canada is screened within 48 hours for
//! trafficking and for fear of return, and may be returned only if neither is found and the child
//! can decide independently; a child of any other country is transferred to the Office of Refugee
//! Resettlement within 72 hours.
//!
//! # Legal source
//! 8 U.S.C. 1232 (the William Wilberforce Trafficking Victims Protection Reauthorization Act of
//! 2008, section 235): 1232(a)(2) and (a)(4), 1232(b)(3).
//!
//! # Example
//! A 16-year-old Honduran boy alone in Houston: `likely`, transfer to ORR within 72 hours. A
//! 15-year-old Mexican girl alone at the border: `likely`, screening within 48 hours.

use puente_core::Label;

use crate::relief::{
    Deadline, DeadlineKind, Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus,
};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "us_tvpra_child",
    name: Label {
        es: "Procedimientos de la TVPRA para niñas y niños no acompañados",
        en: "TVPRA procedures for unaccompanied children",
    },
    source: "8 U.S.C. 1232",
    decides: Label {
        es: "si se aplican a una niña o niño no acompañado la evaluación en 48 horas o el traslado a ORR en 72 horas",
        en: "whether an unaccompanied child gets the 48-hour screening or the 72-hour transfer to ORR",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_in_us(&mut findings);
    case.gate_minor(&mut findings);
    case.gate_unaccompanied(&mut findings);
    let mut outcome = Outcome::new(findings);
    if outcome.status == ReliefStatus::NotIndicated {
        return case.finish(&RULE, outcome);
    }
    let contiguous = case
        .nationality()
        .is_some_and(|country| matches!(country.alpha_2(), "MX" | "CA"));
    if contiguous {
        outcome.next_steps.push(case.say(
            "Dentro de las 48 horas, evaluar si la niña o niño es víctima de trata o teme volver; solo puede ser devuelto si no hay ninguna de las dos y puede decidir por sí mismo (8 U.S.C. 1232(a)(2), (a)(4)).",
            "Within 48 hours, screen the child for trafficking and for fear of return; the child may be returned only if neither is found and the child can decide independently (8 U.S.C. 1232(a)(2), (a)(4)).",
        ));
        outcome.deadline = Some(Deadline {
            kind: DeadlineKind::TvpraScreeningWithin48Hours,
            date: None,
            passed: false,
            exempt: false,
            text: case.say(
                "Plazo: la evaluación, dentro de las 48 horas desde que la niña o niño queda bajo custodia (8 U.S.C. 1232(a)(4)).",
                "Deadline: the screening, within 48 hours of the child coming into custody (8 U.S.C. 1232(a)(4)).",
            ),
        });
    } else {
        outcome.next_steps.push(case.say(
            "Trasladar a la niña o niño a la Oficina de Reasentamiento de Refugiados (ORR) dentro de las 72 horas (8 U.S.C. 1232(b)(3)).",
            "Transfer the child to the Office of Refugee Resettlement (ORR) within 72 hours (8 U.S.C. 1232(b)(3)).",
        ));
        outcome.deadline = Some(Deadline {
            kind: DeadlineKind::TvpraTransferWithin72Hours,
            date: None,
            passed: false,
            exempt: false,
            text: case.say(
                "Plazo: el traslado a ORR, dentro de las 72 horas desde que se determina que es una niña o niño no acompañado (8 U.S.C. 1232(b)(3)).",
                "Deadline: the transfer to ORR, within 72 hours of determining that the child is unaccompanied (8 U.S.C. 1232(b)(3)).",
            ),
        });
    }
    outcome.next_steps.push(case.say(
        "Derivar a un programa de representación legal para niñas y niños no acompañados (8 U.S.C. 1232(c)(5)).",
        "Refer to a legal service for unaccompanied children (8 U.S.C. 1232(c)(5)).",
    ));
    case.finish(&RULE, outcome)
}
