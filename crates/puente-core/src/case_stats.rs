//! Statistics bucketing: what a case is counted under in each dimension of the dashboard (month
//! opened, exploitation type, sex, age group, nationality, country of exploitation, route,
//! recruitment method, methods of control, referral outcome, time to first service), and the one
//! tabulation that turns cases into rows of counts, alone or crossed.
//!
//! The counts are raw. Nothing here may be shown as it is: the caller publishes them through
//! `puente-disclosure` (every count under 3 hidden, with complementary suppression; see
//! [`CaseStats::overlapping`] for which method applies). The cases come in as the store loads
//! them ([`CountedCase`]: a case, or a group of cases that count alike), with no name, contact or
//! free text; this module only buckets and adds.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::{TraffickingEvent, VictimContext};
use crate::htcds::TraffickingEventType;
use crate::{Label, Vocabulary};

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

    /// The dimension of an API code (surrounding spaces ignored), or `None` for an unknown one.
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

/// The referral outcome of a case that was never referred.
pub const NOT_REFERRED: &str = "not_referred";

/// The time to first service of a case none of whose referrals has been accepted.
pub const NO_SERVICE: &str = "none";

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
    /// Ordered by the values when the first dimension is ordered in time, else largest first (and
    /// by the values among equal counts).
    pub rows: Vec<StatsRow>,
    /// How many cases were counted.
    pub cases: u64,
    /// True when a case can be counted in more than one row (a multi-valued dimension): the rows
    /// then do not add up to `cases`, there is no equation between them, and they are published
    /// with `puente_disclosure::suppress_independent`. Otherwise one row or two-way table
    /// suppression applies, with `cases` as the total.
    pub overlapping: bool,
}

/// Why cases cannot be counted by the dimensions asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    #[error("count by at least one dimension")]
    NoDimension,
    #[error("a dimension is repeated")]
    RepeatedDimension(StatsDimension),
}

/// The multi-valued facts a case is counted by, as the store's `cases` columns of the same names
/// hold them (codes joined by commas in code order, each once; empty for none). Filled at write
/// time from the case, so counting never decodes a case document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountedFacts {
    pub exploitation_types: String,
    pub exploitation_countries: String,
    /// `origin→destination`, or empty when no event records a country.
    pub route: String,
    pub recruitment_methods: String,
    pub methods_of_control: String,
}

/// The distinct values, sorted and joined by commas.
fn joined_distinct<I: IntoIterator<Item = String>>(values: I) -> String {
    values
        .into_iter()
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(",")
}

impl CountedFacts {
    /// The facts of a case's victim context and route (its events in order: the route runs from
    /// the first event with a country to the last).
    pub fn of(victim: &VictimContext, events: &[TraffickingEvent]) -> CountedFacts {
        let countries: Vec<&str> = events
            .iter()
            .filter_map(|event| event.country)
            .map(|country| country.alpha_2())
            .collect();
        CountedFacts {
            exploitation_types: joined_distinct(
                victim
                    .types_of_exploitation
                    .iter()
                    .map(|t| t.code().to_string()),
            ),
            exploitation_countries: joined_distinct(
                events
                    .iter()
                    .filter(|event| event.kind == TraffickingEventType::Exploitation)
                    .filter_map(|event| event.country)
                    .map(|country| country.alpha_2().to_string()),
            ),
            route: match (countries.first(), countries.last()) {
                (Some(origin), Some(destination)) => format!("{origin}→{destination}"),
                _ => String::new(),
            },
            recruitment_methods: joined_distinct(
                victim
                    .recruitment_methods
                    .iter()
                    .map(|m| m.code().to_string()),
            ),
            methods_of_control: joined_distinct(
                victim
                    .methods_of_control
                    .iter()
                    .map(|m| m.code().to_string()),
            ),
        }
    }
}

/// One referral of a counted case, as far as counting needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountedReferral {
    /// The referral's status code (`pending`, `accepted`, `declined`, ...).
    pub status: String,
    /// The day (ISO-8601, `YYYY-MM-DD` first) the receiver accepted the case, if it did.
    pub accepted_on: Option<String>,
}

/// A case as the store loads it for counting, or a group of `weight` cases that count alike.
/// Only the fields of the dimensions counted need to be filled: the others are not looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountedCase {
    /// HTCDS Gender code.
    pub sex: Option<String>,
    /// Age at intake, in years.
    pub age: Option<i64>,
    /// ISO alpha-2.
    pub nationality: Option<String>,
    /// The day the case was opened (`YYYY-MM-DD`), or at least its month (`YYYY-MM`) when neither
    /// time to first service is counted.
    pub opened_on: String,
    pub facts: CountedFacts,
    /// The case's referrals (empty: not referred).
    pub referrals: Vec<CountedReferral>,
    /// How many cases this stands for (1 for a case loaded on its own); a weight of 0 counts
    /// nothing.
    pub weight: u64,
}

/// The age band of an age at intake, or unknown.
pub fn age_group(age: Option<i64>) -> String {
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

/// The whole days from one day to another (ISO-8601, the first 10 characters read as
/// `YYYY-MM-DD`; negative when `to` is earlier), or `None` when either is not a day.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let from = time::Date::parse(from.get(..10)?, &format).ok()?;
    let to = time::Date::parse(to.get(..10)?, &format).ok()?;
    Some((to - from).whole_days())
}

/// The band of a time to first service in days: 0-7, 8-30, 31-90, 91+, or `none` (no accepted
/// referral, or days that cannot be counted).
pub fn time_to_first_service_band(days: Option<i64>) -> &'static str {
    match days {
        None => NO_SERVICE,
        Some(days) if days <= 7 => "0-7",
        Some(days) if days <= 30 => "8-30",
        Some(days) if days <= 90 => "31-90",
        Some(_) => "91+",
    }
}

impl CountedCase {
    /// The earliest day one of the case's referrals was accepted.
    pub fn first_accepted_on(&self) -> Option<&str> {
        self.referrals
            .iter()
            .filter_map(|referral| referral.accepted_on.as_deref())
            .min()
    }

    /// The days from the case's opening to its first accepted referral.
    pub fn days_to_first_service(&self) -> Option<i64> {
        self.first_accepted_on()
            .and_then(|accepted| days_between(&self.opened_on, accepted))
    }
}

fn distinct_or_unknown<I: IntoIterator<Item = String>>(values: I) -> Vec<String> {
    let set: BTreeSet<String> = values.into_iter().collect();
    if set.is_empty() {
        vec![UNKNOWN.into()]
    } else {
        set.into_iter().collect()
    }
}

/// The codes of a comma-joined column, or unknown for none.
fn codes_or_unknown(joined: &str) -> Vec<String> {
    distinct_or_unknown(
        joined
            .split(',')
            .filter(|code| !code.is_empty())
            .map(str::to_string),
    )
}

/// The values a case takes in a dimension: one for a single-valued dimension, one or more
/// (distinct, sorted) for a multi-valued one, never none.
pub fn values_of(case: &CountedCase, dimension: StatsDimension) -> Vec<String> {
    let facts = &case.facts;
    let known_or_unknown = |value: &Option<String>| value.clone().unwrap_or_else(|| UNKNOWN.into());
    match dimension {
        StatsDimension::Month => vec![case.opened_on.get(..7).unwrap_or(UNKNOWN).to_string()],
        StatsDimension::ExploitationType => codes_or_unknown(&facts.exploitation_types),
        StatsDimension::Sex => vec![known_or_unknown(&case.sex)],
        StatsDimension::AgeGroup => vec![age_group(case.age)],
        StatsDimension::Nationality => vec![known_or_unknown(&case.nationality)],
        StatsDimension::CountryOfExploitation => codes_or_unknown(&facts.exploitation_countries),
        StatsDimension::Route => match facts.route.as_str() {
            "" => vec![UNKNOWN.into()],
            route => vec![route.to_string()],
        },
        StatsDimension::RecruitmentMethod => codes_or_unknown(&facts.recruitment_methods),
        StatsDimension::MethodOfControl => codes_or_unknown(&facts.methods_of_control),
        StatsDimension::ReferralOutcome => {
            if case.referrals.is_empty() {
                vec![NOT_REFERRED.into()]
            } else {
                distinct_or_unknown(
                    case.referrals
                        .iter()
                        .map(|referral| referral.status.clone()),
                )
            }
        }
        StatsDimension::TimeToFirstService => {
            vec![time_to_first_service_band(case.days_to_first_service()).to_string()]
        }
    }
}

/// The order of an ordered dimension's values: by their leading number (a band's lower bound, a
/// month's year), then as text (a month); unknown and none last.
pub fn order_key(value: &str) -> (bool, i64, String) {
    let leading: String = value.chars().take_while(char::is_ascii_digit).collect();
    let last = value == UNKNOWN || value == NO_SERVICE;
    (last, leading.parse().unwrap_or(i64::MAX), value.to_string())
}

/// The order of counts whose values are not ordered in time: the largest count first, then by
/// the values (a missing value before any other, numbers by their value, text by its bytes), so
/// that the order is the same whatever database counted them.
pub fn largest_first<V: Ord>(a: (&[V], u64), b: (&[V], u64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0))
}

/// Every combination of one value from each list, in the lists' order (their cartesian
/// product; none when a list is empty): what a record is counted under when several of the
/// dimensions it is counted by hold more than one value.
pub fn every_combination<T: Clone>(choices: impl IntoIterator<Item = Vec<T>>) -> Vec<Vec<T>> {
    let mut combinations: Vec<Vec<T>> = vec![Vec::new()];
    for values in choices {
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
    combinations
}

/// Checks the dimensions asked for: at least one, none repeated.
pub fn check_dimensions(by: &[StatsDimension]) -> Result<(), StatsError> {
    if by.is_empty() {
        return Err(StatsError::NoDimension);
    }
    let mut seen = BTreeSet::new();
    match by.iter().find(|dimension| !seen.insert(**dimension)) {
        Some(repeated) => Err(StatsError::RepeatedDimension(*repeated)),
        None => Ok(()),
    }
}

/// Counts the cases by the dimensions `by`: each case (with its weight) under every combination
/// of its values, one per dimension; the rows ordered as [`CaseStats::rows`] says.
pub fn tabulate(
    by: &[StatsDimension],
    cases: impl IntoIterator<Item = CountedCase>,
) -> Result<CaseStats, StatsError> {
    check_dimensions(by)?;
    let mut counts: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    let mut total: u64 = 0;
    for case in cases {
        if case.weight == 0 {
            continue;
        }
        total += case.weight;
        let combinations =
            every_combination(by.iter().map(|dimension| values_of(&case, *dimension)));
        for combination in combinations {
            *counts.entry(combination).or_default() += case.weight;
        }
    }
    let mut rows: Vec<StatsRow> = counts
        .into_iter()
        .map(|(values, count)| StatsRow { values, count })
        .collect();
    if by[0].is_ordered() {
        rows.sort_by(|a, b| {
            a.values
                .iter()
                .map(|value| order_key(value))
                .cmp(b.values.iter().map(|value| order_key(value)))
        });
    } else {
        rows.sort_by(|a, b| largest_first((&a.values, a.count), (&b.values, b.count)));
    }
    Ok(CaseStats {
        by: by.to_vec(),
        rows,
        cases: total,
        overlapping: by.iter().any(|dimension| dimension.is_multi_valued()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::htcds::TypeOfExploitation;
    use crate::Country;
    use proptest::prelude::*;
    use StatsDimension::*;

    /// One case opened on `opened_on`, with the fields the tests set afterwards.
    fn opened(opened_on: &str) -> CountedCase {
        CountedCase {
            opened_on: opened_on.into(),
            weight: 1,
            ..CountedCase::default()
        }
    }

    fn referral(status: &str, accepted_on: Option<&str>) -> CountedReferral {
        CountedReferral {
            status: status.into(),
            accepted_on: accepted_on.map(str::to_string),
        }
    }

    /// The rows as (values joined by `|`, count), in their order.
    fn rows_of(stats: &CaseStats) -> Vec<(String, u64)> {
        stats
            .rows
            .iter()
            .map(|row| (row.values.join("|"), row.count))
            .collect()
    }

    fn expected(rows: &[(&str, u64)]) -> Vec<(String, u64)> {
        rows.iter()
            .map(|(values, count)| (values.to_string(), *count))
            .collect()
    }

    #[test]
    fn age_bands_change_at_their_edges() {
        let cases = [
            (None, "unknown"),
            (Some(0), "0-11"),
            (Some(11), "0-11"),
            (Some(12), "12-17"),
            (Some(17), "12-17"),
            (Some(18), "18-24"),
            (Some(24), "18-24"),
            (Some(25), "25-39"),
            (Some(39), "25-39"),
            (Some(40), "40-59"),
            (Some(59), "40-59"),
            (Some(60), "60+"),
            (Some(97), "60+"),
        ];
        for (age, band) in cases {
            assert_eq!(age_group(age), band, "age {age:?}");
        }
    }

    #[test]
    fn time_to_first_service_bands_change_at_their_edges() {
        let cases = [
            (None, "none"),
            (Some(0), "0-7"),
            (Some(7), "0-7"),
            (Some(8), "8-30"),
            (Some(30), "8-30"),
            (Some(31), "31-90"),
            (Some(90), "31-90"),
            (Some(91), "91+"),
            (Some(400), "91+"),
        ];
        for (days, band) in cases {
            assert_eq!(time_to_first_service_band(days), band, "days {days:?}");
        }
    }

    #[test]
    fn days_are_counted_between_calendar_days() {
        assert_eq!(days_between("2026-01-31", "2026-03-01"), Some(29));
        assert_eq!(days_between("2024-02-28", "2024-03-01"), Some(2));
        assert_eq!(
            days_between("2026-03-01T09:00:00Z", "2026-03-08T23:59:00Z"),
            Some(7)
        );
        assert_eq!(days_between("2026-03-08", "2026-03-01"), Some(-7));
        assert_eq!(days_between("2026-03", "2026-03-08"), None);
        assert_eq!(days_between("2026-02-30", "2026-03-08"), None);
    }

    #[test]
    fn the_first_accepted_referral_decides_the_time_to_first_service() {
        let mut case = opened("2026-03-01");
        assert_eq!(values_of(&case, TimeToFirstService), ["none"]);
        assert_eq!(values_of(&case, ReferralOutcome), ["not_referred"]);
        case.referrals = vec![
            referral("pending", None),
            referral("accepted", Some("2026-04-15")),
            referral("accepted", Some("2026-03-09")),
        ];
        assert_eq!(case.first_accepted_on(), Some("2026-03-09"));
        assert_eq!(case.days_to_first_service(), Some(8));
        assert_eq!(values_of(&case, TimeToFirstService), ["8-30"]);
        assert_eq!(values_of(&case, ReferralOutcome), ["accepted", "pending"]);
        case.referrals = vec![referral("declined", None)];
        assert_eq!(values_of(&case, TimeToFirstService), ["none"]);
    }

    #[test]
    fn a_case_without_the_facts_is_counted_as_unknown() {
        let case = opened("");
        let of_the_case = StatsDimension::ALL
            .into_iter()
            .filter(|dimension| !matches!(dimension, ReferralOutcome | TimeToFirstService));
        for dimension in of_the_case {
            assert_eq!(values_of(&case, dimension), [UNKNOWN], "{dimension:?}");
        }
    }

    #[test]
    fn counted_facts_hold_each_code_once_and_the_route_from_first_to_last_country() {
        let victim = VictimContext {
            types_of_exploitation: vec![
                TypeOfExploitation::SexualExploitation,
                TypeOfExploitation::ForcedLabour,
                TypeOfExploitation::SexualExploitation,
            ],
            ..VictimContext::default()
        };
        let event = |kind, code: Option<&str>| TraffickingEvent {
            kind,
            country: code.and_then(Country::from_alpha_2),
            place: None,
            date: None,
            description: None,
        };
        let events = [
            event(TraffickingEventType::Recruitment, Some("HN")),
            event(TraffickingEventType::Transit, Some("GT")),
            event(TraffickingEventType::Exploitation, Some("MX")),
            event(TraffickingEventType::Exploitation, None),
            event(TraffickingEventType::Exploitation, Some("US")),
            event(TraffickingEventType::Exploitation, Some("MX")),
        ];
        let facts = CountedFacts::of(&victim, &events);
        assert_eq!(facts.exploitation_types, "ForcedLabour,SexualExploitation");
        assert_eq!(facts.exploitation_countries, "MX,US");
        assert_eq!(facts.route, "HN→MX");
        assert_eq!(facts.recruitment_methods, "");
        let case = CountedCase {
            facts,
            ..opened("2026-01-05")
        };
        assert_eq!(
            values_of(&case, ExploitationType),
            ["ForcedLabour", "SexualExploitation"]
        );
        assert_eq!(values_of(&case, RecruitmentMethod), [UNKNOWN]);
        assert_eq!(values_of(&case, Route), ["HN→MX"]);
        assert_eq!(CountedFacts::of(&victim, &[]).route, "");
    }

    #[test]
    fn a_multi_valued_dimension_counts_a_case_once_per_value_and_overlaps() {
        let mut both = opened("2026-01-05");
        both.facts.exploitation_types = "ForcedLabour,SexualExploitation".into();
        let mut labour = opened("2026-01-09");
        labour.facts.exploitation_types = "ForcedLabour".into();
        let stats = tabulate(&[ExploitationType], [both, labour, opened("2026-02-01")]).unwrap();
        assert_eq!(
            rows_of(&stats),
            expected(&[
                ("ForcedLabour", 2),
                ("SexualExploitation", 1),
                ("unknown", 1)
            ])
        );
        assert_eq!(stats.cases, 3);
        assert!(stats.overlapping);
        let counted: u64 = stats.rows.iter().map(|row| row.count).sum();
        assert!(counted > stats.cases);
    }

    #[test]
    fn a_cross_tab_of_single_valued_dimensions_adds_up_to_the_cases() {
        let case = |sex: &str, age: i64| CountedCase {
            sex: Some(sex.into()),
            age: Some(age),
            ..opened("2026-01-05")
        };
        let cases = [
            case("Female", 16),
            case("Female", 17),
            case("Female", 30),
            case("Male", 30),
            CountedCase {
                age: Some(12),
                ..opened("2026-01-05")
            },
        ];
        let stats = tabulate(&[Sex, AgeGroup], cases).unwrap();
        assert_eq!(
            rows_of(&stats),
            expected(&[
                ("Female|12-17", 2),
                ("Female|25-39", 1),
                ("Male|25-39", 1),
                ("unknown|12-17", 1),
            ])
        );
        assert_eq!(stats.by, [Sex, AgeGroup]);
        assert_eq!(stats.cases, 5);
        assert!(!stats.overlapping);
        assert_eq!(stats.rows.iter().map(|row| row.count).sum::<u64>(), 5);
    }

    #[test]
    fn ordered_dimensions_list_their_values_in_order_with_unknown_and_none_last() {
        let aged = |age: Option<i64>, weight: u64| CountedCase {
            age,
            weight,
            ..opened("2026-01-05")
        };
        let stats = tabulate(
            &[AgeGroup],
            [
                aged(None, 9),
                aged(Some(70), 1),
                aged(Some(5), 1),
                aged(Some(30), 4),
                aged(Some(12), 2),
            ],
        )
        .unwrap();
        assert_eq!(
            rows_of(&stats),
            expected(&[
                ("0-11", 1),
                ("12-17", 2),
                ("25-39", 4),
                ("60+", 1),
                ("unknown", 9)
            ])
        );
        let months = tabulate(
            &[Month],
            [
                opened("2026-11-02"),
                opened("2025-12-30"),
                opened("2026-02-14"),
                opened("2026-11-20"),
            ],
        )
        .unwrap();
        assert_eq!(
            rows_of(&months),
            expected(&[("2025-12", 1), ("2026-02", 1), ("2026-11", 2)])
        );
        let mut served = opened("2026-01-01");
        served.referrals = vec![referral("accepted", Some("2026-05-01"))];
        let mut quick = opened("2026-01-01");
        quick.referrals = vec![referral("accepted", Some("2026-01-03"))];
        let bands = tabulate(
            &[TimeToFirstService],
            [opened("2026-01-01"), served, quick.clone(), quick],
        )
        .unwrap();
        assert_eq!(
            rows_of(&bands),
            expected(&[("0-7", 2), ("91+", 1), ("none", 1)])
        );
    }

    #[test]
    fn other_dimensions_list_the_largest_count_first_then_by_values() {
        let of = |nationality: &str, weight: u64| CountedCase {
            nationality: Some(nationality.into()),
            weight,
            ..opened("2026-01-05")
        };
        let stats = tabulate(
            &[Nationality, Month],
            [of("NI", 2), of("GT", 5), of("SV", 2), of("HN", 7)],
        )
        .unwrap();
        assert_eq!(
            rows_of(&stats),
            expected(&[
                ("HN|2026-01", 7),
                ("GT|2026-01", 5),
                ("NI|2026-01", 2),
                ("SV|2026-01", 2),
            ])
        );
    }

    #[test]
    fn every_combination_takes_one_value_of_each_list_in_order() {
        let lists = [vec!["a", "b"], vec!["x"], vec!["1", "2"]];
        assert_eq!(
            every_combination(lists),
            [
                ["a", "x", "1"],
                ["a", "x", "2"],
                ["b", "x", "1"],
                ["b", "x", "2"]
            ]
        );
        assert_eq!(every_combination(Vec::<Vec<u8>>::new()), [Vec::<u8>::new()]);
        assert!(every_combination([vec![1], vec![]]).is_empty());
    }

    #[test]
    fn largest_first_puts_a_missing_value_before_the_others_among_equal_counts() {
        let mut counted: Vec<(Vec<Option<&str>>, u64)> = vec![
            (vec![Some("Male")], 2),
            (vec![Some("Unknown")], 1),
            (vec![None], 2),
            (vec![Some("X")], 3),
            (vec![Some("Female")], 2),
        ];
        counted.sort_by(|a, b| largest_first((&a.0, a.1), (&b.0, b.1)));
        let order: Vec<Option<&str>> = counted.iter().map(|(values, _)| values[0]).collect();
        assert_eq!(
            order,
            [
                Some("X"),
                None,
                Some("Female"),
                Some("Male"),
                Some("Unknown")
            ]
        );
    }

    #[test]
    fn a_group_of_alike_cases_counts_its_weight_and_an_empty_group_nothing() {
        let group = |sex: &str, weight: u64| CountedCase {
            sex: Some(sex.into()),
            weight,
            ..opened("2026-01-05")
        };
        let stats = tabulate(
            &[Sex],
            [
                group("Female", 12),
                group("Male", 7),
                group("Female", 1),
                group("Other", 0),
            ],
        )
        .unwrap();
        assert_eq!(rows_of(&stats), expected(&[("Female", 13), ("Male", 7)]));
        assert_eq!(stats.cases, 20);
        let nothing = tabulate(&[Sex], std::iter::empty()).unwrap();
        assert!(nothing.rows.is_empty());
        assert_eq!(nothing.cases, 0);
    }

    #[test]
    fn no_dimension_and_a_repeated_one_are_refused() {
        assert_eq!(
            tabulate(&[], [opened("2026-01-05")]),
            Err(StatsError::NoDimension)
        );
        assert_eq!(
            tabulate(&[Sex, Month, Sex], [opened("2026-01-05")]),
            Err(StatsError::RepeatedDimension(Sex))
        );
        assert_eq!(
            StatsError::NoDimension.to_string(),
            "count by at least one dimension"
        );
        assert_eq!(
            StatsError::RepeatedDimension(Month).to_string(),
            "a dimension is repeated"
        );
    }

    #[test]
    fn every_dimension_is_found_by_its_code() {
        for dimension in StatsDimension::ALL {
            assert_eq!(StatsDimension::from_code(dimension.code()), Some(dimension));
            assert_eq!(
                StatsDimension::from_code(&format!(" {} ", dimension.code())),
                Some(dimension)
            );
            assert!(!dimension.label().es.is_empty() && !dimension.label().en.is_empty());
        }
        assert_eq!(StatsDimension::from_code("age"), None);
    }

    /// Any case over a few values of every dimension (opened in 2025 or 2026, referred or not).
    fn any_case() -> impl Strategy<Value = CountedCase> {
        let code = || prop::sample::select(vec!["A", "B", "C"]);
        let codes = move || {
            prop::collection::btree_set(code(), 0..3)
                .prop_map(|codes| codes.into_iter().collect::<Vec<_>>().join(","))
        };
        let day = || {
            (2025..=2026_i32, 1..=12_u8, 1..=28_u8)
                .prop_map(|(year, month, day)| format!("{year}-{month:02}-{day:02}"))
        };
        let referrals = prop::collection::vec(
            (
                prop::sample::select(vec!["pending", "accepted", "declined"]),
                prop::option::of(day()),
            )
                .prop_map(|(status, accepted_on)| CountedReferral {
                    status: status.into(),
                    accepted_on,
                }),
            0..3,
        );
        (
            (
                prop::option::of(code()),
                prop::option::of(-1..80_i64),
                prop::option::of(code()),
                day(),
            ),
            (codes(), codes(), prop::option::of(code()), codes(), codes()),
            referrals,
            0..4_u64,
        )
            .prop_map(
                |((sex, age, nationality, opened_on), facts, referrals, weight)| CountedCase {
                    sex: sex.map(str::to_string),
                    age,
                    nationality: nationality.map(str::to_string),
                    opened_on,
                    facts: CountedFacts {
                        exploitation_types: facts.0,
                        exploitation_countries: facts.1,
                        route: facts
                            .2
                            .map(|code| format!("{code}→{code}"))
                            .unwrap_or_default(),
                        recruitment_methods: facts.3,
                        methods_of_control: facts.4,
                    },
                    referrals,
                    weight,
                },
            )
    }

    proptest! {
        #[test]
        fn cells_of_single_valued_dimensions_add_up_to_the_cases(
            cases in prop::collection::vec(any_case(), 0..30),
            by in prop::sample::subsequence(
                StatsDimension::ALL
                    .into_iter()
                    .filter(|dimension| !dimension.is_multi_valued())
                    .collect::<Vec<_>>(),
                1..=3,
            ).prop_shuffle(),
        ) {
            let weights: u64 = cases.iter().map(|case| case.weight).sum();
            let stats = tabulate(&by, cases).unwrap();
            prop_assert!(!stats.overlapping);
            prop_assert_eq!(stats.cases, weights);
            prop_assert_eq!(stats.rows.iter().map(|row| row.count).sum::<u64>(), weights);
        }

        #[test]
        fn each_value_counts_the_cases_that_take_it(
            cases in prop::collection::vec(any_case(), 0..30),
            dimension in prop::sample::select(StatsDimension::ALL.to_vec()),
        ) {
            let stats = tabulate(&[dimension], cases.clone()).unwrap();
            prop_assert_eq!(stats.overlapping, dimension.is_multi_valued());
            for row in &stats.rows {
                prop_assert!(row.count > 0);
                let taking: u64 = cases
                    .iter()
                    .filter(|case| values_of(case, dimension).contains(&row.values[0]))
                    .map(|case| case.weight)
                    .sum();
                prop_assert_eq!(row.count, taking, "{:?} = {}", dimension, row.values[0]);
            }
            // And no value a case takes is missing from the rows.
            for case in cases.iter().filter(|case| case.weight > 0) {
                for value in values_of(case, dimension) {
                    prop_assert!(stats.rows.iter().any(|row| row.values[0] == value));
                }
            }
        }
    }
}
