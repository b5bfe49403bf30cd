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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use puente_core::domain::{TraffickingEvent, VictimContext};
use puente_core::htcds::TraffickingEventType;
use puente_core::{Label, Vocabulary};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::sqlite::SqliteStore;
use crate::{StoreError, StoreResult};

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
struct CountedDocument {
    victim: VictimContext,
    events: Vec<TraffickingEvent>,
}

/// What the counts of an organisation are made from, in a few numbers: the number of its cases,
/// the sum of their versions (every case update raises one) and the last case id; the number of
/// its referrals, the last id and the last change. When any differs, counts kept are stale.
type DataKey = (i64, i64, i64, i64, i64, String);

/// The counts kept between questions, per organisation, with the key of the data they were made
/// from: the cases read and parsed once, and each answer given.
#[derive(Default)]
pub(crate) struct CaseStatsCache {
    cases: HashMap<i64, (DataKey, Arc<Vec<CountedCase>>)>,
    answers: HashMap<(i64, Vec<StatsDimension>), (DataKey, CaseStats)>,
}

impl std::fmt::Debug for CaseStatsCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CaseStatsCache")
            .field("organisations", &self.cases.len())
            .field("answers", &self.answers.len())
            .finish()
    }
}

/// The key of an organisation's data now (an index-only read of `cases_stats_key`).
async fn data_key(store: &SqliteStore, organisation_id: i64) -> StoreResult<DataKey> {
    let (cases, versions, last_case): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(CAST(SUM(version) AS BIGINT), 0), COALESCE(MAX(id), 0) FROM cases WHERE organisation_id = $1",
    )
    .bind(organisation_id)
    .fetch_one(&store.reader)
    .await?;
    let (referrals, last_referral, referral_changed): (i64, i64, String) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(updated_at), '') FROM referrals WHERE from_organisation_id = $1",
    )
    .bind(organisation_id)
    .fetch_one(&store.reader)
    .await?;
    Ok((
        cases,
        versions,
        last_case,
        referrals,
        last_referral,
        referral_changed,
    ))
}

/// Reads and parses every case of an organisation, with its referrals, for counting.
async fn load_counted_cases(
    store: &SqliteStore,
    organisation_id: i64,
) -> StoreResult<Vec<CountedCase>> {
    let rows = sqlx::query(
        "SELECT id, sex, age_at_intake, nationality, opened_on, document FROM cases WHERE organisation_id = $1 ORDER BY id",
    )
    .bind(organisation_id)
    .fetch_all(&store.reader)
    .await?;
    let mut referrals: HashMap<i64, (Vec<String>, Option<String>)> = HashMap::new();
    let referral_rows = sqlx::query(
        "SELECT case_id, status, incoming_referral_date FROM referrals WHERE from_organisation_id = $1 ORDER BY id",
    )
    .bind(organisation_id)
    .fetch_all(&store.reader)
    .await?;
    for row in &referral_rows {
        let case_id: i64 = row.try_get("case_id")?;
        let status: String = row.try_get("status")?;
        let accepted_on: Option<String> = row.try_get("incoming_referral_date")?;
        let entry = referrals.entry(case_id).or_default();
        entry.0.push(status);
        if let Some(accepted_on) = accepted_on {
            if entry.1.as_ref().is_none_or(|first| accepted_on < *first) {
                entry.1 = Some(accepted_on);
            }
        }
    }
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let document: String = row.try_get("document")?;
            let (referral_statuses, first_accepted_on) = referrals.remove(&id).unwrap_or_default();
            Ok(CountedCase {
                sex: row.try_get("sex")?,
                age: row.try_get("age_at_intake")?,
                nationality: row.try_get("nationality")?,
                opened_on: row.try_get("opened_on")?,
                document: serde_json::from_str(&document).map_err(|error| {
                    StoreError::Invalid(format!("stored case {id} document: {error}"))
                })?,
                referral_statuses,
                first_accepted_on,
            })
        })
        .collect()
}

/// What is known of one case for counting.
struct CountedCase {
    sex: Option<String>,
    age: Option<i64>,
    nationality: Option<String>,
    opened_on: String,
    document: CountedDocument,
    referral_statuses: Vec<String>,
    first_accepted_on: Option<String>,
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

fn days_between(from: &str, to: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let from = time::Date::parse(from.get(..10)?, &format).ok()?;
    let to = time::Date::parse(to.get(..10)?, &format).ok()?;
    Some((to - from).whole_days())
}

fn distinct_or_unknown<I: IntoIterator<Item = String>>(values: I) -> Vec<String> {
    let set: BTreeSet<String> = values.into_iter().collect();
    if set.is_empty() {
        vec![UNKNOWN.into()]
    } else {
        set.into_iter().collect()
    }
}

/// The values a case takes in a dimension (several for a multi-valued one, never none).
fn values_of(case: &CountedCase, dimension: StatsDimension) -> Vec<String> {
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
fn order_key(value: &str) -> (bool, i64, String) {
    let leading: String = value.chars().take_while(char::is_ascii_digit).collect();
    let last = value == UNKNOWN || value == "none";
    (last, leading.parse().unwrap_or(i64::MAX), value.to_string())
}

#[async_trait]
impl CaseStatsStore for SqliteStore {
    async fn case_stats(
        &self,
        organisation_id: i64,
        by: &[StatsDimension],
    ) -> StoreResult<CaseStats> {
        if by.is_empty() {
            return Err(StoreError::Invalid(
                "count by at least one dimension".into(),
            ));
        }
        if by.iter().collect::<BTreeSet<_>>().len() != by.len() {
            return Err(StoreError::Invalid("a dimension is repeated".into()));
        }
        // The answer kept for this question, while the data it was made from is unchanged.
        let key = data_key(self, organisation_id).await?;
        let question = (organisation_id, by.to_vec());
        {
            let cache = self
                .case_stats_cache
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((kept_key, answer)) = cache.answers.get(&question) {
                if *kept_key == key {
                    return Ok(answer.clone());
                }
            }
        }
        let kept_cases = {
            let cache = self
                .case_stats_cache
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            cache
                .cases
                .get(&organisation_id)
                .filter(|(kept_key, _)| *kept_key == key)
                .map(|(_, cases)| Arc::clone(cases))
        };
        let cases = match kept_cases {
            Some(cases) => cases,
            None => {
                let cases = Arc::new(load_counted_cases(self, organisation_id).await?);
                self.case_stats_cache
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .cases
                    .insert(organisation_id, (key.clone(), Arc::clone(&cases)));
                cases
            }
        };
        let mut counts: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        for case in cases.iter() {
            let mut combinations: Vec<Vec<String>> = vec![Vec::new()];
            for dimension in by {
                let values = values_of(case, *dimension);
                combinations = combinations
                    .into_iter()
                    .flat_map(|prefix| {
                        values.iter().map(move |value| {
                            let mut combination = prefix.clone();
                            combination.push(value.clone());
                            combination
                        })
                    })
                    .collect();
            }
            for combination in combinations {
                *counts.entry(combination).or_default() += 1;
            }
        }
        let mut stats_rows: Vec<StatsRow> = counts
            .into_iter()
            .map(|(values, count)| StatsRow { values, count })
            .collect();
        if by[0].is_ordered() {
            stats_rows.sort_by(|a, b| {
                a.values
                    .iter()
                    .map(|v| order_key(v))
                    .cmp(b.values.iter().map(|v| order_key(v)))
            });
        } else {
            stats_rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.values.cmp(&b.values)));
        }
        let answer = CaseStats {
            by: by.to_vec(),
            rows: stats_rows,
            cases: cases.len() as u64,
            overlapping: by.iter().any(|dimension| dimension.is_multi_valued()),
        };
        self.case_stats_cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .answers
            .insert(question, (key, answer.clone()));
        Ok(answer)
    }
}
