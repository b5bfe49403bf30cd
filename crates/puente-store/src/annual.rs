//! The raw counts of the annual report: the figures a government or an organisation puts into the
//! yearly Trafficking in Persons data call, for one calendar year.
//!
//! - victims identified: cases opened in the year whose HTCDS trafficking status is a possible or
//!   an actual victim, by sex, age group at intake, nationality and type of exploitation (a case
//!   may have several types);
//! - screened: cases with a screening in the year; referred: cases referred to another
//!   organisation in the year;
//! - relief sought: cases with a relief application filed in the year, by relief option (a case may
//!   seek several); relief granted: cases with an application granted in the year, by option;
//! - reports to authorities made in the year, by authority;
//! - prosecutions: proceedings charged in the year; convictions: proceedings with a verdict of
//!   conviction (for trafficking or another offence) in the year.
//!
//! [`AnnualCounts`] are raw: nothing may be published as it is. [`publish_annual_report`] is the
//! only way out: every count through `puente-disclosure` (`publish_rows` for the tables,
//! `suppress_independent` for the single figures). No name, contact or free text leaves this module.

use std::collections::BTreeMap;

use async_trait::async_trait;
use puente_core::domain::VictimContext;
use puente_core::htcds::{Gender, TypeOfExploitation};
use puente_core::legal::AuthorityKind;
use puente_core::relief_facts::ReliefOptionKind;
use puente_core::{Country, Label, Vocabulary};
use puente_disclosure::{publish_rows, suppress_independent, Published};
use serde::{Deserialize, Serialize};

use crate::case_stats::UNKNOWN;
use crate::StoreResult;

/// Counts grouped by one value (a code, `unknown` when not recorded), in the order of the codes.
pub type GroupedCounts = Vec<(String, u64)>;

/// The annual report's raw counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AnnualCounts {
    pub year: i32,
    pub victims_identified: u64,
    pub identified_by_sex: GroupedCounts,
    pub identified_by_age_group: GroupedCounts,
    pub identified_by_nationality: GroupedCounts,
    /// Overlapping: a case may have several types of exploitation.
    pub identified_by_exploitation_type: GroupedCounts,
    pub screened: u64,
    pub referred: u64,
    /// Cases that sought any relief in the year.
    pub relief_sought: u64,
    /// Overlapping: a case may seek several kinds of relief.
    pub relief_sought_by_type: GroupedCounts,
    pub relief_granted: u64,
    pub relief_granted_by_type: GroupedCounts,
    /// Reports made in the year (one case may make several).
    pub reports: u64,
    pub reports_by_authority: GroupedCounts,
    pub prosecutions: u64,
    pub convictions: u64,
}

/// The annual report in the store.
#[async_trait]
pub trait AnnualReportStore: Send + Sync {
    /// The counts of `year` for one organisation, or for every organisation of the database.
    async fn annual_counts(
        &self,
        organisation_id: Option<i64>,
        year: i32,
    ) -> StoreResult<AnnualCounts>;
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct IdentifiedDocument {
    pub(crate) victim: VictimContext,
}

pub(crate) fn grouped(counts: BTreeMap<String, u64>) -> GroupedCounts {
    let mut rows: GroupedCounts = counts.into_iter().collect();
    // Unknown last; else the codes' order (age groups start with their lower bound).
    rows.sort_by_key(|(value, _)| {
        let leading: String = value.chars().take_while(char::is_ascii_digit).collect();
        (
            value == UNKNOWN,
            leading.parse::<u32>().unwrap_or(u32::MAX),
            value.clone(),
        )
    });
    rows
}

/// One line of a published section: the code counted, its label and the published count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedLine {
    pub value: String,
    pub label: Label,
    pub count: Published,
}

/// One table of the published report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedSection {
    /// A stable identifier (`identified_by_sex`, `relief_sought_by_type`, ...).
    pub id: &'static str,
    pub label: Label,
    pub lines: Vec<PublishedLine>,
    /// The section's total, when it has one (the figures section has none).
    pub total: Option<Published>,
    /// True when an item may be counted on several lines (the lines do not add up to the total).
    pub overlapping: bool,
}

/// The annual report as it may be published: every count through `puente-disclosure`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedAnnualReport {
    pub year: i32,
    pub sections: Vec<PublishedSection>,
}

/// Publishes the counts: each table through `puente_disclosure::publish_rows` (one-way tables with
/// complementary suppression against their total; overlapping ones with the primary rule), and the
/// single figures through `puente_disclosure::suppress_independent`.
pub fn publish_annual_report(counts: &AnnualCounts) -> PublishedAnnualReport {
    let table = |id: &'static str,
                 label: Label,
                 rows: &GroupedCounts,
                 total: u64,
                 overlapping: bool,
                 labeller: &dyn Fn(&str) -> Label| {
        let rows_for_disclosure: Vec<(Vec<String>, u64)> = rows
            .iter()
            .map(|(value, count)| (vec![value.clone()], *count))
            .collect();
        let published = publish_rows(&rows_for_disclosure, overlapping, total);
        PublishedSection {
            id,
            label,
            lines: published
                .rows
                .iter()
                .map(|row| PublishedLine {
                    value: row.values[0].clone(),
                    label: labeller(&row.values[0]),
                    count: row.count,
                })
                .collect(),
            total: Some(published.total),
            overlapping,
        }
    };
    let figures = [
        (
            "screened",
            Label {
                es: "Casos evaluados (cribado de trata)",
                en: "Cases screened for trafficking",
            },
            counts.screened,
        ),
        (
            "referred",
            Label {
                es: "Casos remitidos a servicios",
                en: "Cases referred to services",
            },
            counts.referred,
        ),
        (
            "prosecutions",
            Label {
                es: "Procesos penales con acusación",
                en: "Prosecutions (proceedings charged)",
            },
            counts.prosecutions,
        ),
        (
            "convictions",
            Label {
                es: "Procesos penales con condena",
                en: "Convictions (proceedings with a conviction)",
            },
            counts.convictions,
        ),
    ];
    let figure_counts: Vec<u64> = figures.iter().map(|(_, _, count)| *count).collect();
    let figures_section = PublishedSection {
        id: "figures",
        label: Label {
            es: "Cifras del año",
            en: "Figures of the year",
        },
        lines: figures
            .iter()
            .zip(suppress_independent(&figure_counts))
            .map(|((value, label, _), count)| PublishedLine {
                value: value.to_string(),
                label: *label,
                count,
            })
            .collect(),
        total: None,
        overlapping: true,
    };
    let identified = counts.victims_identified;
    PublishedAnnualReport {
        year: counts.year,
        sections: vec![
            table(
                "identified_by_sex",
                Label {
                    es: "Víctimas identificadas, por sexo",
                    en: "Victims identified, by sex",
                },
                &counts.identified_by_sex,
                identified,
                false,
                &|code| code_label::<Gender>(code),
            ),
            table(
                "identified_by_age_group",
                Label {
                    es: "Víctimas identificadas, por grupo de edad al ingreso",
                    en: "Victims identified, by age group at intake",
                },
                &counts.identified_by_age_group,
                identified,
                false,
                &age_label,
            ),
            table(
                "identified_by_nationality",
                Label {
                    es: "Víctimas identificadas, por nacionalidad",
                    en: "Victims identified, by nationality",
                },
                &counts.identified_by_nationality,
                identified,
                false,
                &country_label,
            ),
            table(
                "identified_by_exploitation_type",
                Label {
                    es: "Víctimas identificadas, por tipo de explotación (una persona puede sufrir varios)",
                    en: "Victims identified, by type of exploitation (a person may suffer several)",
                },
                &counts.identified_by_exploitation_type,
                identified,
                true,
                &|code| code_label::<TypeOfExploitation>(code),
            ),
            figures_section,
            table(
                "relief_sought_by_type",
                Label {
                    es: "Casos que solicitaron protección migratoria o de víctima, por tipo",
                    en: "Cases that sought relief, by type",
                },
                &counts.relief_sought_by_type,
                counts.relief_sought,
                true,
                &|code| code_label::<ReliefOptionKind>(code),
            ),
            table(
                "relief_granted_by_type",
                Label {
                    es: "Casos a los que se concedió protección, por tipo",
                    en: "Cases granted relief, by type",
                },
                &counts.relief_granted_by_type,
                counts.relief_granted,
                true,
                &|code| code_label::<ReliefOptionKind>(code),
            ),
            table(
                "reports_by_authority",
                Label {
                    es: "Denuncias ante autoridades, por autoridad",
                    en: "Reports to authorities, by authority",
                },
                &counts.reports_by_authority,
                counts.reports,
                false,
                &|code| code_label::<AuthorityKind>(code),
            ),
        ],
    }
}

pub(crate) const UNKNOWN_LABEL: Label = Label {
    es: "No consta",
    en: "Not recorded",
};

pub(crate) fn code_label<V: Vocabulary>(code: &str) -> Label {
    V::from_code(code).map_or(UNKNOWN_LABEL, |value| value.label())
}

pub(crate) fn country_label(code: &str) -> Label {
    Country::from_alpha_2(code).map_or(UNKNOWN_LABEL, |country| country.label())
}

pub(crate) fn age_label(code: &str) -> Label {
    match code {
        "0-11" => Label {
            es: "0 a 11 años",
            en: "0 to 11 years",
        },
        "12-17" => Label {
            es: "12 a 17 años",
            en: "12 to 17 years",
        },
        "18-24" => Label {
            es: "18 a 24 años",
            en: "18 to 24 years",
        },
        "25-39" => Label {
            es: "25 a 39 años",
            en: "25 to 39 years",
        },
        "40-59" => Label {
            es: "40 a 59 años",
            en: "40 to 59 years",
        },
        "60+" => Label {
            es: "60 años o más",
            en: "60 years or more",
        },
        _ => UNKNOWN_LABEL,
    }
}
