//! Counts of an organisation's cases for the dashboard: by month opened, exploitation type, sex, age
//! group, nationality, country of exploitation, route, recruitment method, methods of control,
//! referral outcome and time to first service, alone or crossed two by two.
//!
//! The counts are raw. Nothing here may be shown as it is: the caller publishes them through
//! `puente-disclosure` (every count under 3 hidden, with complementary suppression; see
//! [`CaseStats::overlapping`] for which method applies). Reading them is not a read of identifying
//! data: no name, contact or free text leaves this module.
//!
//! # For the web app
//! `GET /api/v1/stats?by=nationality` (or `by=month,exploitation_type` for a cross-tab):
//! [`StatsDimension::from_code`] for each name (422 for an unknown one), then
//! [`CaseStatsStore::case_stats`], then
//! `puente_disclosure::publish_rows(&rows, stats.overlapping, stats.cases)` and
//! `PublishedRows::api_rows(&names)` for `{"by": [...], "rows": [...]}`; `PublishedRows::to_csv`
//! for the CSV, and the same published numbers (`Published::display`: the number or `<3`) for the
//! SVG charts and their tables, with `puente_disclosure::SUPPRESSION_NOTE` under them. The
//! imported CTDC dataset goes the same way from `CtdcStore::ctdc_stats`.

use std::collections::BTreeSet;

use async_trait::async_trait;
use puente_core::domain::{TraffickingEvent, VictimContext};
use puente_core::htcds::TraffickingEventType;
use puente_core::{Label, Vocabulary};
use serde::{Deserialize, Serialize};

use crate::StoreResult;

/// What the cases are counted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatsDimension {
    /// `YYYY-MM` of the day the case was opened.
    Month,
    /// HTCDS TypeOfExploitation codes; a case may have several.
    ExploitationType,
    /// HTCDS Gender codes.
    Sex,
    /// Age at intake in bands: 0-11, 12-17, 18-24, 25-39, 40-59, 60+.
    AgeGroup,
    /// ISO alpha-2.
    Nationality,
    /// ISO alpha-2 of the exploitation events; a case may have several.
    CountryOfExploitation,
    /// `HN→US`: the first and last countries of the route (`GT→GT` for a route inside one country).
    Route,
    /// HTCDS MethodOfRecruitment codes; a case may have several.
    RecruitmentMethod,
    /// HTCDS MethodsOfControl codes; a case may have several.
    MethodOfControl,
    /// The statuses of the case's referrals (`pending`, `accepted`, ...), or `not_referred`; a case
    /// may have several.
    ReferralOutcome,
    /// Days from the case's opening to its first accepted referral, in bands: 0-7, 8-30, 31-90,
    /// 91+, or `none` while no referral has been accepted.
    TimeToFirstService,
}

impl StatsDimension {
    pub const ALL: [StatsDimension; 11] = [
        StatsDimension::Month,
        StatsDimension::ExploitationType,
        StatsDimension::Sex,
        StatsDimension::AgeGroup,
        StatsDimension::Nationality,
        StatsDimension::CountryOfExploitation,
        StatsDimension::Route,
        StatsDimension::RecruitmentMethod,
        StatsDimension::MethodOfControl,
        StatsDimension::ReferralOutcome,
        StatsDimension::TimeToFirstService,
    ];

    /// The code used in the API (`?by=nationality`).
    pub fn code(self) -> &'static str {
        match self {
            StatsDimension::Month => "month",
            StatsDimension::ExploitationType => "exploitation_type",
            StatsDimension::Sex => "sex",
            StatsDimension::AgeGroup => "age_group",
            StatsDimension::Nationality => "nationality",
            StatsDimension::CountryOfExploitation => "country_of_exploitation",
            StatsDimension::Route => "route",
            StatsDimension::RecruitmentMethod => "recruitment_method",
            StatsDimension::MethodOfControl => "method_of_control",
            StatsDimension::ReferralOutcome => "referral_outcome",
            StatsDimension::TimeToFirstService => "time_to_first_service",
        }
    }

    pub fn from_code(code: &str) -> Option<StatsDimension> {
        StatsDimension::ALL
            .into_iter()
            .find(|dimension| dimension.code() == code.trim())
    }

    pub fn label(self) -> Label {
        let (es, en) = match self {
            StatsDimension::Month => ("Mes de apertura", "Month opened"),
            StatsDimension::ExploitationType => ("Tipo de explotación", "Type of exploitation"),
            StatsDimension::Sex => ("Sexo", "Sex"),
            StatsDimension::AgeGroup => ("Grupo de edad", "Age group"),
            StatsDimension::Nationality => ("Nacionalidad", "Nationality"),
            StatsDimension::CountryOfExploitation => {
                ("País de explotación", "Country of exploitation")
            }
            StatsDimension::Route => ("Ruta (origen → destino)", "Route (origin → destination)"),
            StatsDimension::RecruitmentMethod => ("Forma de captación", "Recruitment method"),
            StatsDimension::MethodOfControl => ("Medios de control", "Methods of control"),
            StatsDimension::ReferralOutcome => ("Resultado de la remisión", "Referral outcome"),
            StatsDimension::TimeToFirstService => {
                ("Tiempo hasta el primer servicio", "Time to first service")
            }
        };
        Label { es, en }
    }

    /// Whether a case may fall under several values of this dimension.
    pub fn is_multi_valued(self) -> bool {
        matches!(
            self,
            StatsDimension::ExploitationType
                | StatsDimension::CountryOfExploitation
                | StatsDimension::RecruitmentMethod
                | StatsDimension::MethodOfControl
                | StatsDimension::ReferralOutcome
        )
    }

    /// Whether the values are ordered in time (rows are then listed in that order).
    pub fn is_ordered(self) -> bool {
        matches!(
            self,
            StatsDimension::Month | StatsDimension::AgeGroup | StatsDimension::TimeToFirstService
        )
    }
}

/// The value used when a case does not record the dimension.
pub const UNKNOWN: &str = "unknown";

/// One line of counts: the values, one per dimension, and how many cases have them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatsRow {
    pub values: Vec<String>,
    pub count: u64,
}

/// The counts of an organisation's cases by one or more dimensions (raw: publish them through
/// `puente-disclosure`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseStats {
    pub by: Vec<StatsDimension>,
    /// Ordered by the values for a dimension in time, else largest first.
    pub rows: Vec<StatsRow>,
    /// How many cases were counted.
    pub cases: u64,
    /// True when a case can be counted in more than one row (a multi-valued dimension): the rows
    /// then do not add up to `cases`, there is no equation between them, and they are published
    /// with `puente_disclosure::suppress_independent`. Otherwise one row or two-way table
    /// suppression applies, with `cases` as the total.
    pub overlapping: bool,
}

/// De-identified case counts.
#[async_trait]
pub trait CaseStatsStore: Send + Sync {
    /// The counts of `organisation_id`'s cases by `by` (one or two dimensions for the dashboard;
    /// more are allowed). [`StoreError::Invalid`] for no dimension or a repeated one.
    async fn case_stats(
        &self,
        organisation_id: i64,
        by: &[StatsDimension],
    ) -> StoreResult<CaseStats>;
}

/// The parts of a case document the counts read.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CountedDocument {
    pub(crate) victim: VictimContext,
    pub(crate) events: Vec<TraffickingEvent>,
}

/// What is known of one case for counting.
pub(crate) struct CountedCase {
    pub(crate) sex: Option<String>,
    pub(crate) age: Option<i64>,
    pub(crate) nationality: Option<String>,
    pub(crate) opened_on: String,
    pub(crate) document: CountedDocument,
    pub(crate) referral_statuses: Vec<String>,
    pub(crate) first_accepted_on: Option<String>,
}

pub(crate) fn age_group(age: Option<i64>) -> String {
    match age {
        None => UNKNOWN.into(),
        Some(age) if age < 12 => "0-11".into(),
        Some(age) if age < 18 => "12-17".into(),
        Some(age) if age < 25 => "18-24".into(),
        Some(age) if age < 40 => "25-39".into(),
        Some(age) if age < 60 => "40-59".into(),
        Some(_) => "60+".into(),
    }
}

pub(crate) fn days_between(from: &str, to: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let from = time::Date::parse(from.get(..10)?, &format).ok()?;
    let to = time::Date::parse(to.get(..10)?, &format).ok()?;
    Some((to - from).whole_days())
}

pub(crate) fn distinct_or_unknown<I: IntoIterator<Item = String>>(values: I) -> Vec<String> {
    let set: BTreeSet<String> = values.into_iter().collect();
    if set.is_empty() {
        vec![UNKNOWN.into()]
    } else {
        set.into_iter().collect()
    }
}

/// The values a case takes in a dimension (several for a multi-valued one, never none).
pub(crate) fn values_of(case: &CountedCase, dimension: StatsDimension) -> Vec<String> {
    let victim = &case.document.victim;
    match dimension {
        StatsDimension::Month => vec![case.opened_on.get(..7).unwrap_or(UNKNOWN).to_string()],
        StatsDimension::ExploitationType => distinct_or_unknown(
            victim
                .types_of_exploitation
                .iter()
                .map(|t| t.code().to_string()),
        ),
        StatsDimension::Sex => vec![case.sex.clone().unwrap_or_else(|| UNKNOWN.into())],
        StatsDimension::AgeGroup => vec![age_group(case.age)],
        StatsDimension::Nationality => {
            vec![case.nationality.clone().unwrap_or_else(|| UNKNOWN.into())]
        }
        StatsDimension::CountryOfExploitation => distinct_or_unknown(
            case.document
                .events
                .iter()
                .filter(|event| event.kind == TraffickingEventType::Exploitation)
                .filter_map(|event| event.country)
                .map(|country| country.alpha_2().to_string()),
        ),
        StatsDimension::Route => {
            let countries: Vec<&str> = case
                .document
                .events
                .iter()
                .filter_map(|event| event.country)
                .map(|country| country.alpha_2())
                .collect();
            match (countries.first(), countries.last()) {
                (Some(origin), Some(destination)) => vec![format!("{origin}→{destination}")],
                _ => vec![UNKNOWN.into()],
            }
        }
        StatsDimension::RecruitmentMethod => distinct_or_unknown(
            victim
                .recruitment_methods
                .iter()
                .map(|m| m.code().to_string()),
        ),
        StatsDimension::MethodOfControl => distinct_or_unknown(
            victim
                .methods_of_control
                .iter()
                .map(|m| m.code().to_string()),
        ),
        StatsDimension::ReferralOutcome => {
            if case.referral_statuses.is_empty() {
                vec!["not_referred".into()]
            } else {
                distinct_or_unknown(case.referral_statuses.iter().cloned())
            }
        }
        StatsDimension::TimeToFirstService => {
            let days = case
                .first_accepted_on
                .as_deref()
                .and_then(|accepted| days_between(&case.opened_on, accepted));
            vec![match days {
                None => "none".into(),
                Some(days) if days <= 7 => "0-7".into(),
                Some(days) if days <= 30 => "8-30".into(),
                Some(days) if days <= 90 => "31-90".into(),
                Some(_) => "91+".into(),
            }]
        }
    }
}

/// The order of an ordered dimension's values: by their leading number (a band's lower bound, a
/// month's year), then as text (a month); unknown and none last.
pub(crate) fn order_key(value: &str) -> (bool, i64, String) {
    let leading: String = value.chars().take_while(char::is_ascii_digit).collect();
    let last = value == UNKNOWN || value == "none";
    (last, leading.parse().unwrap_or(i64::MAX), value.to_string())
}
