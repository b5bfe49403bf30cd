//! The SQL of `crate::annual`, written once for both backends.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use puente_core::htcds::TraffickingStatus;
use puente_core::Vocabulary;
use sqlx::Row;

use crate::{StoreError, StoreResult};
use puente_core::case_stats::{age_group, UNKNOWN};

use super::Backend;
#[allow(unused_imports)]
pub(crate) use crate::annual::*;

/// `column` falls in the year asked for: its ISO-8601 text (a date, a time, or a partial date)
/// begins with the year's four digits (`$1` is the pattern `YYYY%`). Both backends read `LIKE`
/// alike.
fn in_year(column: &str) -> String {
    format!("{column} LIKE $1")
}

/// `AND organisation_id = <id>` when one organisation is asked for (the column named as given).
fn scope(column: &str, organisation_id: Option<i64>) -> String {
    match organisation_id {
        Some(id) => format!(" AND {column} = {id}"),
        None => String::new(),
    }
}

#[async_trait]
impl AnnualReportStore for Backend {
    async fn annual_counts(
        &self,
        organisation_id: Option<i64>,
        year: i32,
    ) -> StoreResult<AnnualCounts> {
        if !(1900..=9999).contains(&year) {
            return Err(StoreError::Invalid(format!(
                "`{year}` is not a year of four digits"
            )));
        }
        let year_pattern = format!("{year:04}%");
        let mut counts = AnnualCounts {
            year,
            ..AnnualCounts::default()
        };

        let cases = sqlx::query(&format!(
            "SELECT sex, age_at_intake, nationality, document FROM cases
             WHERE {}{}",
            in_year("opened_on"),
            scope("organisation_id", organisation_id)
        ))
        .bind(&year_pattern)
        .fetch_all(&self.reader)
        .await?;
        let mut by_sex = BTreeMap::new();
        let mut by_age = BTreeMap::new();
        let mut by_nationality = BTreeMap::new();
        let mut by_type = BTreeMap::new();
        for row in &cases {
            let document: String = row.try_get("document")?;
            let document: IdentifiedDocument =
                serde_json::from_str(&document).map_err(|error| {
                    StoreError::Invalid(format!("a stored case document is not valid: {error}"))
                })?;
            let identified = matches!(
                document.victim.trafficking_status,
                Some(TraffickingStatus::PossibleVictimOfTrafficking)
                    | Some(TraffickingStatus::ActualVictimOfTrafficking)
            );
            if !identified {
                continue;
            }
            counts.victims_identified += 1;
            let sex: Option<String> = row.try_get("sex")?;
            *by_sex
                .entry(sex.unwrap_or_else(|| UNKNOWN.into()))
                .or_insert(0) += 1;
            let age: Option<i64> = row.try_get("age_at_intake")?;
            *by_age.entry(age_group(age)).or_insert(0) += 1;
            let nationality: Option<String> = row.try_get("nationality")?;
            *by_nationality
                .entry(nationality.unwrap_or_else(|| UNKNOWN.into()))
                .or_insert(0) += 1;
            let types: BTreeSet<&str> = document
                .victim
                .types_of_exploitation
                .iter()
                .map(|kind| kind.code())
                .collect();
            if types.is_empty() {
                *by_type.entry(UNKNOWN.to_string()).or_insert(0) += 1;
            }
            for kind in types {
                *by_type.entry(kind.to_string()).or_insert(0) += 1;
            }
        }
        counts.identified_by_sex = grouped(by_sex);
        counts.identified_by_age_group = grouped(by_age);
        counts.identified_by_nationality = grouped(by_nationality);
        counts.identified_by_exploitation_type = grouped(by_type);

        let count = |sql: String| {
            let year_pattern = year_pattern.clone();
            async move {
                let value: i64 = sqlx::query_scalar(&sql)
                    .bind(year_pattern)
                    .fetch_one(&self.reader)
                    .await?;
                StoreResult::Ok(value.max(0) as u64)
            }
        };
        counts.screened = count(format!(
            "SELECT COUNT(DISTINCT case_id) FROM screenings WHERE {} AND voided_at IS NULL{}",
            in_year("created_at"),
            scope("organisation_id", organisation_id)
        ))
        .await?;
        counts.referred = count(format!(
            "SELECT COUNT(DISTINCT case_id) FROM referrals WHERE {}{}",
            in_year("outgoing_referral_date"),
            scope("from_organisation_id", organisation_id)
        ))
        .await?;
        counts.reports = count(format!(
            "SELECT COUNT(*) FROM authority_reports WHERE {}{}",
            in_year("reported_on"),
            scope("organisation_id", organisation_id)
        ))
        .await?;
        counts.prosecutions = count(format!(
            "SELECT COUNT(DISTINCT proceeding_id) FROM proceeding_stages
             WHERE stage = 'charges' AND {}{}",
            in_year("stage_on"),
            scope("organisation_id", organisation_id)
        ))
        .await?;
        counts.convictions = count(format!(
            "SELECT COUNT(DISTINCT proceeding_id) FROM proceeding_stages
             WHERE stage = 'verdict' AND outcome IN ('conviction', 'partial_conviction')
               AND {}{}",
            in_year("stage_on"),
            scope("organisation_id", organisation_id)
        ))
        .await?;
        counts.relief_sought = count(format!(
            "SELECT COUNT(DISTINCT case_id) FROM relief_applications WHERE {}{}",
            in_year("filed_on"),
            scope("organisation_id", organisation_id)
        ))
        .await?;
        counts.relief_granted = count(format!(
            "SELECT COUNT(DISTINCT case_id) FROM relief_applications
             WHERE status = 'granted' AND {}{}",
            in_year("decided_on"),
            scope("organisation_id", organisation_id)
        ))
        .await?;

        let grouped_query = |sql: String| {
            let year_pattern = year_pattern.clone();
            async move {
                let rows = sqlx::query(&sql)
                    .bind(year_pattern)
                    .fetch_all(&self.reader)
                    .await?;
                let mut map = BTreeMap::new();
                for row in &rows {
                    let value: String = row.try_get(0)?;
                    let count: i64 = row.try_get(1)?;
                    map.insert(value, count.max(0) as u64);
                }
                StoreResult::Ok(map)
            }
        };
        let order_by_vocabulary = |map: BTreeMap<String, u64>, codes: Vec<&'static str>| {
            codes
                .into_iter()
                .filter_map(|code| map.get(code).map(|count| (code.to_string(), *count)))
                .collect::<GroupedCounts>()
        };
        let relief_codes: Vec<&'static str> = puente_core::relief_facts::ReliefOptionKind::all()
            .iter()
            .map(|kind| kind.code())
            .collect();
        counts.relief_sought_by_type = order_by_vocabulary(
            grouped_query(format!(
                "SELECT relief, COUNT(DISTINCT case_id) FROM relief_applications
                 WHERE {}{} GROUP BY relief",
                in_year("filed_on"),
                scope("organisation_id", organisation_id)
            ))
            .await?,
            relief_codes.clone(),
        );
        counts.relief_granted_by_type = order_by_vocabulary(
            grouped_query(format!(
                "SELECT relief, COUNT(DISTINCT case_id) FROM relief_applications
                 WHERE status = 'granted' AND {}{} GROUP BY relief",
                in_year("decided_on"),
                scope("organisation_id", organisation_id)
            ))
            .await?,
            relief_codes,
        );
        counts.reports_by_authority = order_by_vocabulary(
            grouped_query(format!(
                "SELECT authority, COUNT(*) FROM authority_reports
                 WHERE {}{} GROUP BY authority",
                in_year("reported_on"),
                scope("organisation_id", organisation_id)
            ))
            .await?,
            puente_core::legal::AuthorityKind::all()
                .iter()
                .map(|kind| kind.code())
                .collect(),
        );
        Ok(counts)
    }
}
