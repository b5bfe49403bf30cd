//! # What it decides
//! Whether Special Immigrant Juvenile Status may be sought. Gate: `IN_US`, under 21 (`UNDER_21`; an
//! unknown age is missing, 21 or older is blocking) and not married (`married` is blocking, an
//! unknown marital status missing). Condition: the findings of a state juvenile court
//! (`rel_juvenile_court_findings`). With abuse, neglect or abandonment by a parent
//! (`rel_parent_abuse_neglect_abandonment`) but no findings yet: `possible`, missing the findings;
//! with neither: `not_indicated`. Deadline: the 21st birthday, from `date_of_birth` (which then
//! also gives the age on `as_of`), else "before the 21st birthday".
//!
//! # Legal source
//! 8 U.S.C. 1101(a)(27)(J); 8 CFR 204.11.
//!
//! # Example
//! A 16-year-old unmarried Honduran boy in Houston, born 2010-02-01, abandoned by his father:
//! `possible`, missing `rel_juvenile_court_findings`, deadline 2031-02-01. Born 2005-02-01 and
//! assessed on 2026-12-01: `not_indicated`, blocking `age`, the deadline passed.

use puente_core::relief_facts::ReliefFact;
use puente_core::{Label, Lang};

use crate::relief::{
    anniversary, format_date, years_between, Deadline, DeadlineKind, Findings, Outcome, ReliefCase,
    ReliefOption, ReliefStatus,
};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "us_sijs",
    name: Label {
        es: "Estatus especial de inmigrante juvenil",
        en: "Special Immigrant Juvenile Status",
    },
    source: "8 U.S.C. 1101(a)(27)(J); 8 CFR 204.11",
    decides: Label {
        es: "si una persona menor de 21 años, soltera, maltratada, descuidada o abandonada por un progenitor puede pedir el SIJS",
        en: "whether an unmarried person under 21 abused, neglected or abandoned by a parent may seek SIJS",
    },
};

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_in_us(&mut findings);
    let date_of_birth = case.input.person.date_of_birth;
    let age = date_of_birth
        .map(|born| years_between(born, case.as_of))
        .or(case.age);
    match age {
        Some(age) if age < 21 => {
            findings.met("UNDER_21", case.say("es menor de 21 años", "is under 21"))
        }
        Some(_) => findings.blocking("age", case.say("tiene 21 años o más", "is 21 or older")),
        None => findings.missing("age", case.age_words()),
    }
    match case.input.person.married {
        Some(true) => findings.blocking("married", case.say("está casada o casado", "is married")),
        Some(false) => findings.met(
            "married",
            case.say("no está casada ni casado", "is not married"),
        ),
        None => findings.missing(
            "married",
            case.say("si la persona está casada", "whether the person is married"),
        ),
    }
    if case.has(ReliefFact::JuvenileCourtFindings) {
        case.condition_fact(&mut findings, ReliefFact::JuvenileCourtFindings);
    } else if case.has(ReliefFact::ParentAbuseNeglectAbandonment) {
        case.condition_fact(&mut findings, ReliefFact::ParentAbuseNeglectAbandonment);
        case.condition_fact(&mut findings, ReliefFact::JuvenileCourtFindings);
    } else {
        case.gate_fact(&mut findings, ReliefFact::ParentAbuseNeglectAbandonment);
    }

    let deadline = match date_of_birth {
        Some(born) => {
            let birthday = anniversary(born, 21);
            let passed = case.as_of >= birthday;
            let date = format_date(birthday);
            Deadline {
                kind: DeadlineKind::TwentyFirstBirthday,
                date: Some(birthday),
                passed,
                exempt: false,
                text: match (passed, case.lang) {
                    (false, Lang::Es) => format!("Plazo: la petición debe presentarse antes de cumplir 21 años, el {date} (8 CFR 204.11)."),
                    (false, Lang::En) => format!("Deadline: the petition must be filed before the 21st birthday, on {date} (8 CFR 204.11)."),
                    (true, Lang::Es) => format!("El plazo venció al cumplir 21 años, el {date} (8 CFR 204.11)."),
                    (true, Lang::En) => format!("The deadline passed on the 21st birthday, {date} (8 CFR 204.11)."),
                },
            }
        }
        None => Deadline {
            kind: DeadlineKind::TwentyFirstBirthday,
            date: None,
            passed: false,
            exempt: false,
            text: case.say(
                "Plazo: antes de cumplir 21 años (no consta la fecha de nacimiento) (8 CFR 204.11).",
                "Deadline: before the 21st birthday (the date of birth is not recorded) (8 CFR 204.11).",
            ),
        },
    };

    let mut outcome = Outcome::new(findings);
    if outcome.status != ReliefStatus::NotIndicated || deadline.passed {
        outcome.deadline = Some(deadline);
    }
    if outcome.status != ReliefStatus::NotIndicated {
        if !case.has(ReliefFact::JuvenileCourtFindings) {
            outcome.next_steps.push(case.say(
                "Derivar pronto a una abogada o abogado de familia o de inmigración para pedir a un tribunal estatal de menores las declaraciones necesarias (custodia, tutela o protección), antes de los 21 años (8 CFR 204.11(c)).",
                "Refer promptly to a family or immigration lawyer to ask a state juvenile court for the findings (custody, guardianship or dependency), before the 21st birthday (8 CFR 204.11(c)).",
            ));
        }
        outcome.next_steps.push(case.say(
            "Con la orden del tribunal, la abogada o abogado presenta la petición SIJS (formulario I-360) antes de los 21 años (8 U.S.C. 1101(a)(27)(J)).",
            "With the court order, the lawyer files the SIJS petition (Form I-360) before the 21st birthday (8 U.S.C. 1101(a)(27)(J)).",
        ));
    }
    case.finish(&RULE, outcome)
}
