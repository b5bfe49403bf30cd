//! # What it decides
//! Whether the national law against trafficking of the country where the person is now protects
//! them, and which body to contact. Gate: `TRAFFICKED` and `current_country` one of GT, HN, SV, NI,
//! MX, CR, PA: `likely`, naming the law and the body. When the facts hold `activity_criminal`,
//! `migr_irregular_entry` or `activity_commercial_sex`, the result adds the non-punishment
//! principle: a victim is not to be punished for acts they were compelled to commit as a direct
//! consequence of being trafficked.
//!
//! # Legal source
//! GT Decreto 9-2009 (Ley VET), SVET; HN Decreto 59-2012, CICESCT; SV Decreto 824 de 2014 (Ley
//! Especial contra la Trata de Personas), CNCTP; NI Ley 896 de 2015; MX Ley General para Prevenir,
//! Sancionar y Erradicar los Delitos en Materia de Trata de Personas (2012), FEVIMTRA and CEAV; CR
//! Ley 9095, CONATT; PA Ley 79 de 2011, CNCTP. The non-punishment principle: Palermo Protocol
//! art. 2 read with the OHCHR Recommended Principles, principle 7.
//!
//! # Example
//! A Honduran girl in Tegucigalpa made to carry drugs by a gang: `likely`, Decreto 59-2012 and the
//! CICESCT, with the non-punishment principle.

use puente_core::screening_facts::Fact;
use puente_core::{Label, Lang};

use crate::relief::{Findings, Outcome, ReliefCase, ReliefOption, ReliefStatus};
use crate::rules::RuleInfo;

pub const RULE: RuleInfo = RuleInfo {
    id: "national_protection",
    name: Label {
        es: "Protección nacional a víctimas de trata",
        en: "National protection for victims of trafficking",
    },
    source: "GT Decreto 9-2009; HN Decreto 59-2012; SV Decreto 824 de 2014; NI Ley 896 de 2015; MX Ley General en Materia de Trata de Personas (2012); CR Ley 9095; PA Ley 79 de 2011",
    decides: Label {
        es: "si protege a la víctima la ley nacional contra la trata del país donde está, y a qué institución acudir",
        en: "whether the national anti-trafficking law of the country where the person is protects them, and which body to contact",
    },
};

/// The countries of the rule, with their law and the body to contact.
pub const NATIONAL_LAWS: &[(&str, &str, &str)] = &[
    (
        "GT",
        "Decreto 9-2009, Ley contra la Violencia Sexual, Explotación y Trata de Personas (Ley VET)",
        "SVET (Secretaría contra la Violencia Sexual, Explotación y Trata de Personas)",
    ),
    (
        "HN",
        "Decreto 59-2012, Ley contra la Trata de Personas",
        "CICESCT (Comisión Interinstitucional contra la Explotación Sexual Comercial y Trata de Personas)",
    ),
    (
        "SV",
        "Decreto 824 de 2014, Ley Especial contra la Trata de Personas",
        "CNCTP (Consejo Nacional contra la Trata de Personas)",
    ),
    (
        "NI",
        "Ley 896 de 2015, Ley contra la Trata de Personas",
        "Coalición Nacional contra la Trata de Personas",
    ),
    (
        "MX",
        "Ley General para Prevenir, Sancionar y Erradicar los Delitos en Materia de Trata de Personas (2012)",
        "FEVIMTRA (Fiscalía Especial para los Delitos de Violencia contra las Mujeres y Trata de Personas), CEAV (Comisión Ejecutiva de Atención a Víctimas)",
    ),
    (
        "CR",
        "Ley 9095 de 2013, Ley contra la Trata de Personas",
        "CONATT (Coalición Nacional contra el Tráfico Ilícito de Migrantes y la Trata de Personas)",
    ),
    (
        "PA",
        "Ley 79 de 2011, sobre Trata de Personas y Actividades Conexas",
        "CNCTP (Comisión Nacional contra la Trata de Personas)",
    ),
];

pub fn assess(case: &ReliefCase) -> ReliefOption {
    let mut findings = Findings::default();
    case.gate_trafficked(&mut findings);
    let codes: Vec<&str> = NATIONAL_LAWS.iter().map(|(code, _, _)| *code).collect();
    case.gate_current_country(&mut findings, &codes);
    let mut outcome = Outcome::new(findings);
    if outcome.status == ReliefStatus::NotIndicated {
        return case.finish(&RULE, outcome);
    }
    let law = case.current_country().and_then(|country| {
        NATIONAL_LAWS
            .iter()
            .find(|(code, _, _)| *code == country.alpha_2())
    });
    if let Some((_, law, body)) = law {
        outcome.notes.push(match case.lang {
            Lang::Es => format!("Ley aplicable: {law}. Institución: {body}."),
            Lang::En => format!("The law: {law}. The body to contact: {body}."),
        });
        outcome.next_steps.push(match case.lang {
            Lang::Es => {
                format!("Contactar a {body} para la atención y protección a las víctimas ({law}).")
            }
            Lang::En => {
                format!("Contact {body} for the assistance and protection of victims ({law}).")
            }
        });
    }
    let compelled = [
        Fact::ActivityCriminal,
        Fact::MigrIrregularEntry,
        Fact::ActivityCommercialSex,
    ];
    if compelled.iter().any(|fact| case.has_screening_fact(*fact)) {
        let principle = case.say(
            "Principio de no punición: una víctima no debe ser sancionada por los actos que fue obligada a cometer como consecuencia directa de la trata (Protocolo de Palermo art. 2; Principios y Directrices recomendados del ACNUDH, principio 7).",
            "The non-punishment principle: a victim is not to be punished for acts they were compelled to commit as a direct consequence of being trafficked (Palermo Protocol art. 2; OHCHR Recommended Principles, principle 7).",
        );
        outcome.notes.push(principle);
        outcome.next_steps.push(case.say(
            "Si la persona enfrenta cargos penales o sanciones migratorias por actos a los que fue obligada, pedir a su defensa que invoque el principio de no punición (Protocolo de Palermo art. 2; Principios y Directrices recomendados del ACNUDH, principio 7).",
            "If the person faces criminal charges or immigration penalties for acts they were compelled to commit, ask their defence to invoke the non-punishment principle (Palermo Protocol art. 2; OHCHR Recommended Principles, principle 7).",
        ));
    }
    case.finish(&RULE, outcome)
}
