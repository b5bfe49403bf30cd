//! # What it decides
//! Whether the facts indicate smuggling of migrants (crossed a border, irregular entry, and paid or
//! owes a smuggler), and, when they do, which signs show that smuggling turned into trafficking:
//! the journey's debt with debt bondage; handed over en route with a payment to a controller or any
//! FFC means; documents withheld; movement restricted. A smuggling fee alone is not trafficking.
//!
//! # Legal source
//! Protocol against the Smuggling of Migrants by Land, Sea and Air (2000), art. 3(a); UNODC and US
//! Human Smuggling and Trafficking Center criteria on smuggling versus trafficking; DHS Blue
//! Campaign indicator card ("paying off a smuggling fee alone is not considered trafficking").
//!
//! # Example
//! A woman who crossed into Mexico irregularly (`migr_crossed_border`, `migr_irregular_entry`)
//! with a coyote she paid (`migr_paid_smuggler`): smuggling indicated, no conversion sign, and no
//! trafficking indicator. If her passport is then taken (`means_withholds_documents`), the sign
//! `documents_withheld` is listed.

use puente_core::screening_facts::Fact;
use puente_core::{Label, Lang};

use super::{fact_labels, Case, RuleInfo};
use crate::groups;
use crate::result::{ConversionSign, ConversionSignKind, SmugglingAssessment};

pub const RULE: RuleInfo = RuleInfo {
    id: "smuggling",
    name: Label {
        es: "Tráfico ilícito de migrantes",
        en: "Smuggling of migrants",
    },
    source: "Smuggling of Migrants Protocol (2000) art. 3(a); UNODC; US HSTC; DHS Blue Campaign",
    decides: Label {
        es:
            "si hay indicios de tráfico ilícito de migrantes y señales de que se convirtió en trata",
        en: "whether smuggling is indicated, and signs that it turned into trafficking",
    },
};

/// The facts that together indicate smuggling.
pub const SMUGGLING: &[Fact] = &[
    Fact::MigrCrossedBorder,
    Fact::MigrIrregularEntry,
    Fact::MigrPaidSmuggler,
];

pub fn evaluate(case: &Case) -> SmugglingAssessment {
    let indicated = SMUGGLING.iter().all(|fact| case.has(*fact));
    let mut conversion_signs = Vec::new();
    if indicated {
        if case.has(Fact::MigrSmugglingDebt) && case.has(Fact::MeansDebtBondage) {
            conversion_signs.push(ConversionSign {
                sign: ConversionSignKind::SmugglingDebtBecameDebtBondage,
                facts: vec![Fact::MeansDebtBondage, Fact::MigrSmugglingDebt],
            });
        }
        if case.has(Fact::MigrHandedOverEnRoute) {
            let control: Vec<Fact> = groups::present_where(case.facts, |f| {
                f == Fact::MeansPaymentToController || groups::is_ffc(f)
            });
            if !control.is_empty() {
                let mut facts = control;
                facts.push(Fact::MigrHandedOverEnRoute);
                conversion_signs.push(ConversionSign {
                    sign: ConversionSignKind::HandedOverUnderControl,
                    facts,
                });
            }
        }
        if case.has(Fact::MeansWithholdsDocuments) {
            conversion_signs.push(ConversionSign {
                sign: ConversionSignKind::DocumentsWithheld,
                facts: vec![Fact::MeansWithholdsDocuments],
            });
        }
        if case.has(Fact::MeansRestrictsMovement) {
            conversion_signs.push(ConversionSign {
                sign: ConversionSignKind::MovementRestricted,
                facts: vec![Fact::MeansRestrictsMovement],
            });
        }
    }
    SmugglingAssessment {
        indicated,
        conversion_signs,
    }
}

pub fn explain(assessment: &SmugglingAssessment, case: &Case, lang: Lang) -> String {
    let name = RULE.name.get(lang);
    if !assessment.indicated {
        let present = case.present(SMUGGLING);
        let missing: Vec<Fact> = SMUGGLING
            .iter()
            .copied()
            .filter(|f| !case.has(*f))
            .collect();
        return match lang {
            Lang::Es => format!(
                "{name}: no indicado; presentes: {}; faltan: {}.",
                fact_labels(&present, case, lang),
                fact_labels(&missing, case, lang)
            ),
            Lang::En => format!(
                "{name}: not indicated; present: {}; missing: {}.",
                fact_labels(&present, case, lang),
                fact_labels(&missing, case, lang)
            ),
        };
    }
    let mut line = match lang {
        Lang::Es => format!(
            "{name}: indicado por {}.",
            fact_labels(SMUGGLING, case, lang)
        ),
        Lang::En => format!(
            "{name}: indicated by {}.",
            fact_labels(SMUGGLING, case, lang)
        ),
    };
    if assessment.conversion_signs.is_empty() {
        line.push_str(match lang {
            Lang::Es => " Sin señales de que se convirtiera en trata: pagar a un traficante de migrantes no es, por sí solo, trata.",
            Lang::En => " No sign that it turned into trafficking: paying a smuggling fee alone is not trafficking.",
        });
    } else {
        let signs: Vec<String> = assessment
            .conversion_signs
            .iter()
            .map(|sign| {
                format!(
                    "{} ({})",
                    sign.sign.label_for(case.person.sex).get(lang),
                    fact_labels(&sign.facts, case, lang)
                )
            })
            .collect();
        line.push_str(&match lang {
            Lang::Es => format!(
                " Señales de que se convirtió en trata: {}.",
                signs.join("; ")
            ),
            Lang::En => format!(
                " Signs that it turned into trafficking: {}.",
                signs.join("; ")
            ),
        });
    }
    line
}
