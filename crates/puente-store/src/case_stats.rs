//! Counts of an organisation's cases for the dashboard: by month opened, exploitation type, sex, age
//! group, nationality, country of exploitation, route, recruitment method, methods of control,
//! referral outcome and time to first service, alone or crossed two by two.
//!
//! The counts are raw. Nothing here may be shown as it is: the caller publishes them through
//! `puente-disclosure` (every count under 3 hidden, with complementary suppression; see
//! [`CaseStats::overlapping`] for which method applies). Reading them is not a read of identifying
//! data: no name, contact or free text leaves this module.
//!
//! What a case is counted under, and the tabulation itself, are pure: `puente_core::case_stats`
//! (its types are re-exported here). The store only loads: the cases grouped in SQL by the
//! columns asked for (filled at write time, see `column_of`), the referred cases one by one
//! with their referrals, as [`CountedCase`] values handed to `puente_core::case_stats::tabulate`.
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

use async_trait::async_trait;

use crate::{StoreError, StoreResult};

pub use puente_core::case_stats::{
    CaseStats, CountedCase, CountedFacts, CountedReferral, StatsDimension, StatsError, StatsRow,
    NOT_REFERRED, NO_SERVICE, UNKNOWN,
};

impl From<StatsError> for StoreError {
    /// Dimensions that cannot be counted by are bad input, answered as today (422).
    fn from(error: StatsError) -> StoreError {
        StoreError::Invalid(error.to_string())
    }
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

/// The column (or expression) a dimension is counted from; `None` for the referral dimensions,
/// which are read case by case.
pub(crate) fn column_of(dimension: StatsDimension) -> Option<&'static str> {
    Some(match dimension {
        StatsDimension::Month => "SUBSTR(opened_on, 1, 7)",
        StatsDimension::ExploitationType => "exploitation_types",
        StatsDimension::Sex => "sex",
        StatsDimension::AgeGroup => "age_at_intake",
        StatsDimension::Nationality => "nationality",
        StatsDimension::CountryOfExploitation => "exploitation_countries",
        StatsDimension::Route => "route",
        StatsDimension::RecruitmentMethod => "recruitment_methods",
        StatsDimension::MethodOfControl => "methods_of_control",
        StatsDimension::ReferralOutcome | StatsDimension::TimeToFirstService => return None,
    })
}

/// The name a dimension's column is read back by.
pub(crate) fn alias_of(dimension: StatsDimension) -> &'static str {
    match dimension {
        StatsDimension::Month => "opened_month",
        StatsDimension::AgeGroup => "age_at_intake",
        other => column_of(other).unwrap_or("id"),
    }
}
