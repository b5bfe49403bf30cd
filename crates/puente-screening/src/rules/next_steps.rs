//! # What it decides
//! The next steps for the case worker, in this order: urgent actions first (danger now, medical
//! need, self-harm risk, controller present: speak to the person alone), then referrals by need
//! (child protection, shelter, medical, psychological, legal, immigration relief, return), then the
//! hotline numbers for the person's current country (every known hotline when it is unknown).
//!
//! # Legal source
//! Palermo Protocol art. 6 (assistance to and protection of victims: housing, medical,
//! psychological and legal assistance) and art. 8 (safe return); 22 U.S.C. 7105 (T visa, Continued
//! Presence, HHS eligibility letters for children); Mexico, Ley de Migración art. 52 fr. V
//! (humanitarian visitor status for victims of crime); Smuggling of Migrants Protocol art. 5
//! (smuggled migrants are not prosecuted for having been smuggled); domain.md (hotline numbers).
//!
//! # Example
//! An adult in the US, still under the exploiter's control, with a controller waiting outside and
//! strong indicators: "URGENT — danger now", then "URGENT — speak to the person alone", then shelter,
//! psychological support, legal advice, T visa / Continued Presence, and the US hotline.

use puente_core::htcds::SupportType;
use puente_core::screening_facts::Fact;
use puente_core::{Label, Lang};

use super::{Case, RuleInfo};
use crate::hotlines::{self, Hotline};
use crate::result::{Level, SmugglingAssessment};

pub const RULE: RuleInfo = RuleInfo {
    id: "next_steps",
    name: Label {
        es: "Próximos pasos",
        en: "Next steps",
    },
    source: "Palermo Protocol arts. 6 and 8; Smuggling Protocol art. 5; 22 U.S.C. 7105; Ley de Migración (México) art. 52 fr. V; domain.md",
    decides: Label {
        es: "las acciones urgentes, las derivaciones según necesidad y las líneas de ayuda",
        en: "the urgent actions, the referrals by need and the hotlines",
    },
};

/// One next step. Urgent steps come first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    DangerNow,
    MedicalNow,
    SelfHarmRisk,
    SpeakAlone,
    ChildProtection,
    Shelter,
    Medical,
    Psychological,
    Legal,
    /// Legal advice for a smuggled migrant with no trafficking indicator.
    MigrantLegal,
    ImmigrationRelief,
    /// Asylum or refugee status for a smuggled migrant with no trafficking indicator.
    InternationalProtection,
    Return,
    NoIndicators,
    Hotline(Hotline),
    NoHotline,
}

impl Step {
    /// The support need a referral step asks for; `None` for a step that asks for no service
    /// (danger now, speaking to the person alone, a hotline, no indicators).
    pub fn support_need(&self) -> Option<SupportType> {
        match self {
            Step::MedicalNow | Step::Medical => Some(SupportType::Health),
            Step::SelfHarmRisk | Step::Psychological => Some(SupportType::Psychosocial),
            Step::ChildProtection => Some(SupportType::SocialCare),
            Step::Shelter => Some(SupportType::Accommodation),
            Step::Legal | Step::MigrantLegal => Some(SupportType::Legal),
            Step::ImmigrationRelief | Step::InternationalProtection => {
                Some(SupportType::ImmigrationRelief)
            }
            Step::Return => Some(SupportType::ReturnAndReintegration),
            Step::DangerNow
            | Step::SpeakAlone
            | Step::NoIndicators
            | Step::Hotline(_)
            | Step::NoHotline => None,
        }
    }
}

pub fn evaluate(
    case: &Case,
    level: Level,
    smuggling: &SmugglingAssessment,
    extra_hotlines: &[Hotline],
) -> Vec<Step> {
    use Fact::*;
    let mut steps = Vec::new();
    let indicated = level > Level::NoIndicators;
    let child = case.age.is_child();

    if case.has(UrgentUnderControlNow) {
        steps.push(Step::DangerNow);
    }
    if case.has(UrgentMedicalNeed) {
        steps.push(Step::MedicalNow);
    }
    if case.has(UrgentSelfHarmRisk) {
        steps.push(Step::SelfHarmRisk);
    }
    if case.has(UrgentControllerPresent) {
        steps.push(Step::SpeakAlone);
    }

    if child && (indicated || case.person.unaccompanied == Some(true)) {
        steps.push(Step::ChildProtection);
    }
    let shelter = case.has_any(&[
        UrgentUnderControlNow,
        CondCannotLeave,
        MeansRestrictsMovement,
        MeansAbduction,
    ]) || level == Level::StrongIndicators
        || (child && case.person.unaccompanied == Some(true));
    if shelter {
        steps.push(Step::Shelter);
    }
    let medical = case.has_any(&[
        MeansPhysicalViolence,
        MeansSexualViolence,
        MeansPsychoactiveSubstances,
        MeansWithholdsNecessities,
        CondHazardousOrDegrading,
        ActivityCommercialSex,
        ActivityOrganRemoval,
        MigrKidnappedEnRoute,
    ]);
    if medical {
        steps.push(Step::Medical);
    }
    if indicated || case.has(UrgentSelfHarmRisk) {
        steps.push(Step::Psychological);
    }
    if indicated {
        steps.push(Step::Legal);
    } else if smuggling.indicated {
        steps.push(Step::MigrantLegal);
    }
    let abroad = case.has(MigrCrossedBorder)
        || matches!(
            (case.person.nationality, case.person.current_country),
            (Some(nationality), Some(current)) if nationality != current
        );
    if abroad && indicated {
        steps.push(Step::ImmigrationRelief);
    } else if abroad && smuggling.indicated {
        steps.push(Step::InternationalProtection);
    }
    if abroad {
        steps.push(Step::Return);
    }
    if !indicated {
        steps.push(Step::NoIndicators);
    }

    let lines = hotlines::for_country(case.person.current_country, extra_hotlines);
    if lines.is_empty() {
        steps.push(Step::NoHotline);
    }
    steps.extend(lines.into_iter().map(Step::Hotline));
    steps
}

/// The text of a step, in the language.
pub fn render(step: &Step, case: &Case, lang: Lang) -> String {
    let country = case.person.current_country.map(|c| c.alpha_2());
    let child = case.age.is_child();
    let es = lang == Lang::Es;
    let text: String = match step {
        Step::DangerNow => if es {
            "URGENTE — peligro ahora: la persona sigue bajo el control de quien la explota. Evalúe con ella su seguridad inmediata y un plan de seguridad; si corre peligro inmediato, llame a los servicios de emergencia (911 en EE. UU. y México)."
        } else {
            "URGENT — danger now: the person is still under the exploiter's control. Assess immediate safety and a safety plan with them; if they are in immediate danger, call the emergency services (911 in the US and Mexico)."
        }.into(),
        Step::MedicalNow => if es {
            "URGENTE — atención médica ahora: acompañe a la persona a un servicio médico o de urgencias."
        } else {
            "URGENT — medical care now: take the person to a medical or emergency service."
        }.into(),
        Step::SelfHarmRisk => if es {
            "URGENTE — riesgo de autolesión: no deje sola a la persona y consiga de inmediato una evaluación de crisis en salud mental."
        } else {
            "URGENT — risk of self-harm: do not leave the person alone, and arrange an immediate mental-health crisis assessment."
        }.into(),
        Step::SpeakAlone => if es {
            "URGENTE — hable con la persona a solas: alguien habla por ella, la acompaña o la espera. Sepárela con discreción y nunca use a esa persona como intérprete."
        } else {
            "URGENT — speak to the person alone: someone speaks for, accompanies or waits for them. Separate them discreetly, and never use that person as an interpreter."
        }.into(),
        Step::ChildProtection => match (country, es) {
            (Some("US"), true) => "Protección de la niñez: notifique a la autoridad de protección infantil; si es una niña o niño no acompañado, la custodia corresponde a la Oficina de Reasentamiento de Refugiados (ORR) del HHS; solicite la carta de elegibilidad del HHS para menores víctimas de trata.".into(),
            (Some("US"), false) => "Child protection: notify the child protection authority; an unaccompanied child goes to the custody of HHS's Office of Refugee Resettlement (ORR); request an HHS eligibility letter for child victims of trafficking.".into(),
            (Some("MX"), true) => "Protección de la niñez: dé aviso a la Procuraduría de Protección de Niñas, Niños y Adolescentes (DIF).".into(),
            (Some("MX"), false) => "Child protection: notify the Procuraduría de Protección de Niñas, Niños y Adolescentes (DIF).".into(),
            (_, true) => "Protección de la niñez: dé aviso a la autoridad nacional de protección de la niñez; el interés superior de la niña o el niño guía cada decisión.".into(),
            (_, false) => "Child protection: notify the national child protection authority; the best interests of the child guide every decision.".into(),
        },
        Step::Shelter => if es {
            "Derivar a un albergue o alojamiento seguro especializado en trata."
        } else {
            "Refer to a safe shelter or housing specialised in trafficking."
        }.into(),
        Step::Medical => if es {
            "Derivar a atención médica (lesiones, salud sexual y reproductiva, consumo de sustancias)."
        } else {
            "Refer to medical care (injuries, sexual and reproductive health, substance use)."
        }.into(),
        Step::Psychological => if es {
            "Derivar a apoyo psicológico informado en trauma."
        } else {
            "Refer to trauma-informed psychological support."
        }.into(),
        Step::Legal => {
            let mut text = String::from(if es {
                "Derivar a asesoría legal: derechos como víctima"
            } else {
                "Refer to legal advice: rights as a victim"
            });
            if case.has_any(&[Fact::MeansWithholdsEarnings, Fact::CondLittleOrNoPay]) {
                text.push_str(if es { ", reclamo de salarios no pagados" } else { ", claims for unpaid wages" });
            }
            if case.has(Fact::ActivityCriminal) {
                text.push_str(if es {
                    ", no punición por los delitos que se le obligó a cometer"
                } else {
                    ", non-punishment for crimes the person was made to commit"
                });
            }
            text.push('.');
            text
        }
        Step::MigrantLegal => if es {
            "Derivar a asesoría legal para personas migrantes: no se castiga a una persona por haber sido objeto de tráfico ilícito (Protocolo contra el tráfico ilícito de migrantes, art. 5)."
        } else {
            "Refer to legal advice for migrants: a person is not punished for having been smuggled (Smuggling of Migrants Protocol, art. 5)."
        }.into(),
        Step::InternationalProtection => if es {
            "Protección internacional: asilo o refugio si hay temor de volver al país de origen."
        } else {
            "International protection: asylum or refugee status if there is a fear of return to the country of origin."
        }.into(),
        Step::ImmigrationRelief => match (country, es, child) {
            (Some("US"), true, false) => "Protección migratoria: visa T y Presencia Continuada (Continued Presence, solicitada por las autoridades); también asilo si hay temor de volver.".into(),
            (Some("US"), false, false) => "Immigration relief: T visa and Continued Presence (requested by law enforcement); asylum too if there is a fear of return.".into(),
            (Some("US"), true, true) => "Protección migratoria: visa T, Presencia Continuada y Estatus Especial de Inmigrante Juvenil (SIJS); también asilo si hay temor de volver.".into(),
            (Some("US"), false, true) => "Immigration relief: T visa, Continued Presence and Special Immigrant Juvenile Status (SIJS); asylum too if there is a fear of return.".into(),
            (Some("MX"), true, _) => "Protección migratoria: condición de visitante por razones humanitarias (Ley de Migración, art. 52, fr. V); también la condición de refugiado si hay temor de volver.".into(),
            (Some("MX"), false, _) => "Immigration relief: humanitarian visitor status (Ley de Migración, art. 52, fr. V); refugee status too if there is a fear of return.".into(),
            (_, true, _) => "Protección migratoria: la protección que el país donde está la persona da a las víctimas de trata, y asilo si hay temor de volver.".into(),
            (_, false, _) => "Immigration relief: the protection the country where the person is gives victims of trafficking, and asylum if there is a fear of return.".into(),
        },
        Step::Return => if es {
            "Retorno voluntario y seguro, y reintegración, solo si la persona lo desea y tras evaluar el riesgo (p. ej., retorno voluntario asistido de la OIM)."
        } else {
            "Safe, voluntary return and reintegration, only if the person wishes it and after a risk assessment (e.g. IOM assisted voluntary return)."
        }.into(),
        Step::NoIndicators => if es {
            "Sin indicios en los hechos registrados: deje la puerta abierta y vuelva a evaluar si se sabe más."
        } else {
            "No indicators in the facts recorded: keep the door open, and screen again if more becomes known."
        }.into(),
        Step::Hotline(hotline) => match lang {
            Lang::Es => format!("Línea de ayuda: {}.", hotline.render(lang)),
            Lang::En => format!("Hotline: {}.", hotline.render(lang)),
        },
        Step::NoHotline => if es {
            "No hay una línea de ayuda registrada para el país actual: búsquela en el directorio de servicios."
        } else {
            "No hotline is recorded for the current country: look it up in the service directory."
        }.into(),
    };
    text
}
