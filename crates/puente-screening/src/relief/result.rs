//! The relief screener's output, shaped exactly as relief.md's JSON (same keys, same order).

use puente_core::relief_facts::ReliefOptionKind;
use puente_core::Label;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::result::Level;

/// An option's status. Ordered: `NotIndicated < Possible < Likely`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReliefStatus {
    /// The gate is not met, or a condition rules the option out (listed in `blocking`).
    NotIndicated,
    /// The gate is met and nothing rules it out, but some conditions are unknown (in `missing`).
    Possible,
    /// Every condition is met on the facts known.
    Likely,
}

impl ReliefStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReliefStatus::NotIndicated => "not_indicated",
            ReliefStatus::Possible => "possible",
            ReliefStatus::Likely => "likely",
        }
    }
    pub fn label(self) -> Label {
        match self {
            ReliefStatus::NotIndicated => Label {
                es: "no indicada",
                en: "not indicated",
            },
            ReliefStatus::Possible => Label {
                es: "posible",
                en: "possible",
            },
            ReliefStatus::Likely => Label {
                es: "probable",
                en: "likely",
            },
        }
    }
}

impl std::fmt::Display for ReliefStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What a deadline is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeadlineKind {
    /// SIJS: the petition must be filed before the 21st birthday.
    #[serde(rename = "twenty_first_birthday")]
    TwentyFirstBirthday,
    /// Asylum: one year after the last arrival in the United States.
    #[serde(rename = "asylum_one_year")]
    AsylumOneYear,
    /// TVPRA: a child of Mexico or Canada is screened within 48 hours.
    #[serde(rename = "tvpra_screening_48_hours")]
    TvpraScreeningWithin48Hours,
    /// TVPRA: any other unaccompanied child is transferred to ORR within 72 hours.
    #[serde(rename = "tvpra_transfer_72_hours")]
    TvpraTransferWithin72Hours,
}

impl DeadlineKind {
    /// The code, as in the JSON (`tvpra_transfer_72_hours`, ...): the key of the task it becomes.
    pub fn code(self) -> &'static str {
        match self {
            DeadlineKind::TwentyFirstBirthday => "twenty_first_birthday",
            DeadlineKind::AsylumOneYear => "asylum_one_year",
            DeadlineKind::TvpraScreeningWithin48Hours => "tvpra_screening_48_hours",
            DeadlineKind::TvpraTransferWithin72Hours => "tvpra_transfer_72_hours",
        }
    }

    /// What is to be done by the deadline, as the title of the task it becomes.
    pub fn task_title(self) -> Label {
        match self {
            DeadlineKind::TwentyFirstBirthday => Label {
                es: "Presentar la petición de SIJS antes de que cumpla 21 años",
                en: "File the SIJS petition before the 21st birthday",
            },
            DeadlineKind::AsylumOneYear => Label {
                es: "Presentar la solicitud de asilo dentro del año desde la llegada",
                en: "File the asylum application within one year of arrival",
            },
            DeadlineKind::TvpraScreeningWithin48Hours => Label {
                es: "TVPRA: evaluar a la niña o niño (trata y temor a volver) dentro de las 48 horas",
                en: "TVPRA: screen the child (trafficking and fear of return) within 48 hours",
            },
            DeadlineKind::TvpraTransferWithin72Hours => Label {
                es: "TVPRA: trasladar a la niña o niño a ORR dentro de las 72 horas",
                en: "TVPRA: transfer the child to ORR within 72 hours",
            },
        }
    }
}

/// A deadline of an option: the date when it can be known, whether it has passed on `as_of`,
/// whether the person is exempt, and a sentence in the requested language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub kind: DeadlineKind,
    #[serde(with = "optional_date")]
    pub date: Option<Date>,
    pub passed: bool,
    pub exempt: bool,
    pub text: String,
}

/// One option, with its status, the facts it rests on and what a case worker does next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReliefOption {
    pub id: ReliefOptionKind,
    pub status: ReliefStatus,
    /// Fact codes, person fields and terms (`TRAFFICKED_US`, `IN_US`, `MINOR`, ...) that are met.
    pub met: Vec<String>,
    /// Those still unknown.
    pub missing: Vec<String>,
    /// Those that rule the option out: a gate not met, or a condition that excludes it.
    pub blocking: Vec<String>,
    pub deadline: Option<Deadline>,
    pub source: String,
    /// In the requested language, citing the source; codes never appear in it.
    pub explanation: String,
    pub next_steps: Vec<String>,
}

/// The screening verdict the options rest on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraffickingVerdict {
    pub level: Level,
    /// `tvpa_sex` or `tvpa_labor` is met: a "severe form of trafficking", 22 U.S.C. 7102.
    pub trafficked_us: bool,
    /// `trafficked_us`, or `palermo` is met.
    pub trafficked: bool,
}

/// The result of the relief screener: an aid for a case worker and the lawyer they refer to,
/// never a legal determination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReliefResult {
    pub rule_set_version: String,
    #[serde(with = "date")]
    pub as_of: Date,
    pub trafficking: TraffickingVerdict,
    /// Every option of relief.md, in its order.
    pub options: Vec<ReliefOption>,
}

impl ReliefResult {
    /// The JSON of `--format json`, pretty-printed.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a relief result always serialises")
    }

    /// The option of this kind (every kind is present).
    pub fn option(&self, kind: ReliefOptionKind) -> &ReliefOption {
        self.options
            .iter()
            .find(|option| option.id == kind)
            .expect("every relief option is in a result")
    }
}

mod date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::super::input::format_date(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        super::super::input::parse_date(&text).ok_or_else(|| {
            serde::de::Error::custom(format_args!("`{text}` is not a date written YYYY-MM-DD"))
        })
    }
}

mod optional_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::date::serialize(date, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(deserializer)?;
        text.map(|text| {
            super::super::input::parse_date(&text).ok_or_else(|| {
                serde::de::Error::custom(format_args!("`{text}` is not a date written YYYY-MM-DD"))
            })
        })
        .transpose()
    }
}
