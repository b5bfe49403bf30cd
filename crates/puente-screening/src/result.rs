//! The engine's output, shaped exactly as screening.md's JSON (same keys, same order), plus the
//! version of the rule set that produced it.

use puente_core::htcds::SupportType;
use puente_core::screening_facts::Fact;
use puente_core::{Label, Lang};
use serde::{Deserialize, Serialize};

/// The overall level of indicators. Ordered: `NoIndicators < SomeIndicators < StrongIndicators`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    NoIndicators,
    SomeIndicators,
    StrongIndicators,
}

impl Level {
    pub fn code(self) -> &'static str {
        match self {
            Level::NoIndicators => "no_indicators",
            Level::SomeIndicators => "some_indicators",
            Level::StrongIndicators => "strong_indicators",
        }
    }
    pub fn label(self) -> Label {
        match self {
            Level::NoIndicators => Label {
                es: "sin indicios de trata",
                en: "no indicators of trafficking",
            },
            Level::SomeIndicators => Label {
                es: "algunos indicios de trata",
                en: "some indicators of trafficking",
            },
            Level::StrongIndicators => Label {
                es: "indicios sólidos de trata",
                en: "strong indicators of trafficking",
            },
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// An element a framework still lacks, as it appears in a framework's `missing` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Missing {
    /// Palermo: no act (recruitment, transport, transfer, harbouring, receipt).
    #[serde(rename = "act")]
    Act,
    /// Palermo: no means, and the person is not known to be a child.
    #[serde(rename = "means")]
    Means,
    /// Palermo: no purpose of exploitation.
    #[serde(rename = "purpose")]
    Purpose,
    /// TVPA sex trafficking: no commercial sex act.
    #[serde(rename = "activity_commercial_sex")]
    CommercialSex,
    /// TVPA labour trafficking: no LABOUR_LIKE activity.
    #[serde(rename = "LABOUR_LIKE activity")]
    LabourLikeActivity,
    /// TVPA: no force, fraud or coercion.
    #[serde(rename = "FFC means")]
    FfcMeans,
    /// ILO: no LABOUR_LIKE or commercial-sex activity.
    #[serde(rename = "activity")]
    Activity,
    /// ILO: no indicator of involuntariness.
    #[serde(rename = "involuntariness")]
    Involuntariness,
    /// ILO: no indicator of menace of a penalty.
    #[serde(rename = "penalty")]
    Penalty,
}

impl Missing {
    /// The text used in results and explanations (the serialised form).
    pub fn as_str(self) -> &'static str {
        match self {
            Missing::Act => "act",
            Missing::Means => "means",
            Missing::Purpose => "purpose",
            Missing::CommercialSex => "activity_commercial_sex",
            Missing::LabourLikeActivity => "LABOUR_LIKE activity",
            Missing::FfcMeans => "FFC means",
            Missing::Activity => "activity",
            Missing::Involuntariness => "involuntariness",
            Missing::Penalty => "penalty",
        }
    }

    /// The element's name for a reader, in Spanish and English (the code stays in the JSON).
    pub fn label(self) -> Label {
        let both = |es, en| Label { es, en };
        match self {
            Missing::Act => both(
                "un acto (captación, traslado, entrega, acogida o recepción)",
                "an act (recruitment, transport, transfer, harbouring or receipt)",
            ),
            Missing::Means => both("un medio", "a means"),
            Missing::Purpose => both("una finalidad de explotación", "a purpose of exploitation"),
            Missing::CommercialSex => both("un acto sexual comercial", "a commercial sex act"),
            Missing::LabourLikeActivity => both(
                "un trabajo o servicio en beneficio de otra persona",
                "labour or services for another's benefit",
            ),
            Missing::FfcMeans => both("fuerza, engaño o coacción", "force, fraud or coercion"),
            Missing::Activity => both(
                "un trabajo, servicio o comercio sexual",
                "labour, services or commercial sex",
            ),
            Missing::Involuntariness => both("involuntariedad", "involuntariness"),
            Missing::Penalty => both("amenaza de una pena", "menace of a penalty"),
        }
    }
}

/// Palermo Protocol, art. 3.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PalermoVerdict {
    pub met: bool,
    pub act: Vec<Fact>,
    pub means: Vec<Fact>,
    /// The activities that establish a purpose of exploitation.
    pub purpose: Vec<Fact>,
    /// False only for a child (age < 18); an unknown age requires means.
    pub means_required: bool,
    pub missing: Vec<Missing>,
}

/// US TVPA, sex or labour trafficking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvpaVerdict {
    pub met: bool,
    pub missing: Vec<Missing>,
}

/// ILO forced labour (20th ICLS guidelines, 2018).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IloVerdict {
    pub met: bool,
    pub involuntariness: Vec<Fact>,
    pub penalty: Vec<Fact>,
    pub missing: Vec<Missing>,
}

/// The four frameworks, in screening.md's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frameworks {
    pub palermo: PalermoVerdict,
    pub tvpa_sex: TvpaVerdict,
    pub tvpa_labor: TvpaVerdict,
    pub ilo_forced_labour: IloVerdict,
}

impl Frameworks {
    /// True when any framework is met.
    pub fn any_met(&self) -> bool {
        self.palermo.met || self.tvpa_sex.met || self.tvpa_labor.met || self.ilo_forced_labour.met
    }
}

/// A sign that smuggling turned into trafficking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversionSignKind {
    /// The journey's debt became debt bondage.
    SmugglingDebtBecameDebtBondage,
    /// Handed over en route, and paid for or controlled by force, fraud or coercion.
    HandedOverUnderControl,
    /// Identity documents withheld.
    DocumentsWithheld,
    /// Freedom of movement restricted.
    MovementRestricted,
}

impl ConversionSignKind {
    /// The label worded for the person's sex: in Spanish, masculine for a man or a boy.
    pub fn label_for(self, sex: Option<crate::Sex>) -> Label {
        match (self, sex) {
            (ConversionSignKind::HandedOverUnderControl, Some(crate::Sex::Male)) => Label {
                es: "entregado en la ruta y pagado o controlado con fuerza, engaño o coacción",
                en: "handed over en route and paid for or controlled by force, fraud or coercion",
            },
            _ => self.label(),
        }
    }

    pub fn label(self) -> Label {
        match self {
            ConversionSignKind::SmugglingDebtBecameDebtBondage => Label {
                es: "la deuda del viaje se convirtió en servidumbre por deudas",
                en: "the journey's debt became debt bondage",
            },
            ConversionSignKind::HandedOverUnderControl => Label {
                es: "entregada en la ruta y pagada o controlada con fuerza, engaño o coacción",
                en: "handed over en route and paid for or controlled by force, fraud or coercion",
            },
            ConversionSignKind::DocumentsWithheld => Label {
                es: "le retienen los documentos",
                en: "documents withheld",
            },
            ConversionSignKind::MovementRestricted => Label {
                es: "le restringen la libertad de movimiento",
                en: "freedom of movement restricted",
            },
        }
    }
}

/// One conversion sign and the facts it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionSign {
    pub sign: ConversionSignKind,
    pub facts: Vec<Fact>,
}

/// The smuggling assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmugglingAssessment {
    pub indicated: bool,
    pub conversion_signs: Vec<ConversionSign>,
}

/// The result of a screening: an aid for a case worker, never a legal determination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningResult {
    pub level: Level,
    /// True if age < 18, false if age ≥ 18, null if unknown.
    pub minor: Option<bool>,
    pub frameworks: Frameworks,
    pub smuggling: SmugglingAssessment,
    /// The `urgent_*` facts present.
    pub urgent: Vec<Fact>,
    /// Urgent actions first, then referrals by need, then hotlines; in the requested language.
    pub next_steps: Vec<String>,
    /// One per next step, in the same order: the support need the step asks for (`null` for a
    /// step that asks for no service). Results stored before this field existed have none.
    #[serde(default)]
    pub next_step_needs: Vec<Option<SupportType>>,
    /// One line per rule, citing the rule and the facts it rests on; in the requested language.
    pub explanation: Vec<String>,
    /// The version of the rule set that produced this result.
    pub rule_set_version: String,
}

impl ScreeningResult {
    /// The JSON of `--format json`: screening.md's shape exactly, pretty-printed (the needs per
    /// step, for the directory, travel only in the stored and API form).
    pub fn to_json_pretty(&self) -> String {
        let mut value = serde_json::to_value(self).expect("a screening result always serialises");
        if let Some(object) = value.as_object_mut() {
            // `shift_remove` keeps the order of the other keys (a plain remove would move the last one).
            object.shift_remove("next_step_needs");
        }
        serde_json::to_string_pretty(&value).expect("a screening result always serialises")
    }

    /// The support needs the next steps ask for, in their order, once each.
    pub fn support_needs(&self) -> Vec<SupportType> {
        let mut needs = Vec::new();
        for need in self.next_step_needs.iter().flatten() {
            if !needs.contains(need) {
                needs.push(*need);
            }
        }
        needs
    }

    /// The name of the language-independent parts: used by the text renderer of the CLI.
    pub fn level_label(&self, lang: Lang) -> &'static str {
        self.level.label().get(lang)
    }
}
