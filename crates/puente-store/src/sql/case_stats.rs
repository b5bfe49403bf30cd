//! The SQL of `crate::case_stats`, written once for both backends.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::Row;

use puente_core::case_stats::{check_dimensions, tabulate};
use puente_core::domain::{TraffickingEvent, VictimContext};

use crate::StoreResult;

use super::{Backend, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::case_stats::*;

/// Writes a case's counted facts into its columns (in the transaction that saves the case).
pub(crate) async fn write_counted_facts(
    connection: &mut DbConnection,
    case_id: i64,
    victim: &VictimContext,
    events: &[TraffickingEvent],
) -> StoreResult<()> {
    let facts = CountedFacts::of(victim, events);
    sqlx::query(
        "UPDATE cases SET exploitation_types = $1, exploitation_countries = $2, route = $3,
             recruitment_methods = $4, methods_of_control = $5 WHERE id = $6",
    )
    .bind(&facts.exploitation_types)
    .bind(&facts.exploitation_countries)
    .bind(&facts.route)
    .bind(&facts.recruitment_methods)
    .bind(&facts.methods_of_control)
    .bind(case_id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

#[async_trait]
impl CaseStatsStore for Backend {
    async fn case_stats(
        &self,
        organisation_id: i64,
        by: &[StatsDimension],
    ) -> StoreResult<CaseStats> {
        // Refused before any read, with the refusal the tabulation would give.
        check_dimensions(by)?;
        let needs_referrals = by.iter().any(|dimension| column_of(*dimension).is_none());
        // Counted in SQL: one row per distinct combination of the columns asked for, with its
        // count; the referral dimensions need each case (its id and opening day) instead.
        let columns: Vec<String> = by
            .iter()
            .filter_map(|dimension| {
                column_of(*dimension).map(|column| format!("{column} AS {}", alias_of(*dimension)))
            })
            .collect();
        let grouped: Vec<&str> = by.iter().filter_map(|d| column_of(*d)).collect();
        let grouped_sql = |condition: &str| {
            let (select, group_by) = if columns.is_empty() {
                ("0 AS no_column".to_string(), String::new())
            } else {
                (
                    columns.join(", "),
                    format!(" GROUP BY {}", grouped.join(", ")),
                )
            };
            format!(
                "SELECT {select}, CAST(NULL AS BIGINT) AS id, CAST(NULL AS TEXT) AS opened_on, CAST(COUNT(*) AS BIGINT) AS counted FROM cases
                 WHERE organisation_id = $1{condition}{group_by}"
            )
        };
        let referred = " AND id IN (SELECT case_id FROM referrals WHERE from_organisation_id = $1)";
        let rows = if needs_referrals {
            // Only the referred cases are read one by one; the others count alike by their
            // columns (not referred, no first service).
            let mut per_case = columns.clone();
            per_case.push("id".into());
            per_case.push("opened_on".into());
            let mut rows = sqlx::query(&format!(
                "SELECT {}, CAST(1 AS BIGINT) AS counted FROM cases WHERE organisation_id = $1{referred}",
                per_case.join(", ")
            ))
            .bind(organisation_id)
            .fetch_all(&self.reader)
            .await?;
            let not_referred =
                " AND id NOT IN (SELECT case_id FROM referrals WHERE from_organisation_id = $1)";
            rows.extend(
                sqlx::query(&grouped_sql(not_referred))
                    .bind(organisation_id)
                    .fetch_all(&self.reader)
                    .await?,
            );
            rows
        } else {
            sqlx::query(&grouped_sql(""))
                .bind(organisation_id)
                .fetch_all(&self.reader)
                .await?
        };
        let mut referrals: HashMap<i64, Vec<CountedReferral>> = HashMap::new();
        if needs_referrals {
            let referral_rows = sqlx::query(
                "SELECT case_id, status, incoming_referral_date FROM referrals WHERE from_organisation_id = $1 ORDER BY id",
            )
            .bind(organisation_id)
            .fetch_all(&self.reader)
            .await?;
            for row in &referral_rows {
                let case_id: i64 = row.try_get("case_id")?;
                referrals.entry(case_id).or_default().push(CountedReferral {
                    status: row.try_get("status")?,
                    accepted_on: row.try_get("incoming_referral_date")?,
                });
            }
        }
        let cases = rows
            .iter()
            .map(|row| counted_case(row, by, &mut referrals))
            .collect::<StoreResult<Vec<CountedCase>>>()?;
        Ok(tabulate(by, cases)?)
    }
}

/// A row of the counting queries as the case (or group of alike cases) it stands for: the
/// columns of the dimensions asked for (the others left empty), and for a case read on its own
/// its opening day and its referrals.
fn counted_case(
    row: &DbRow,
    by: &[StatsDimension],
    referrals: &mut HashMap<i64, Vec<CountedReferral>>,
) -> StoreResult<CountedCase> {
    let asked = |dimension: StatsDimension| by.contains(&dimension);
    let optional = |dimension: StatsDimension| -> StoreResult<Option<String>> {
        if !asked(dimension) {
            return Ok(None);
        }
        Ok(row.try_get(alias_of(dimension))?)
    };
    let text = |dimension: StatsDimension| -> StoreResult<String> {
        Ok(optional(dimension)?.unwrap_or_default())
    };
    // A count without GROUP BY answers one row of count 0 even over no case: it counts nothing.
    let weight: i64 = row.try_get("counted")?;
    let id: Option<i64> = row.try_get("id")?;
    let (referrals, opened_on) = match id {
        Some(id) => (
            referrals.remove(&id).unwrap_or_default(),
            row.try_get("opened_on")?,
        ),
        None => (Vec::new(), text(StatsDimension::Month)?),
    };
    Ok(CountedCase {
        sex: optional(StatsDimension::Sex)?,
        age: if asked(StatsDimension::AgeGroup) {
            row.try_get("age_at_intake")?
        } else {
            None
        },
        nationality: optional(StatsDimension::Nationality)?,
        opened_on,
        facts: CountedFacts {
            exploitation_types: text(StatsDimension::ExploitationType)?,
            exploitation_countries: text(StatsDimension::CountryOfExploitation)?,
            route: text(StatsDimension::Route)?,
            recruitment_methods: text(StatsDimension::RecruitmentMethod)?,
            methods_of_control: text(StatsDimension::MethodOfControl)?,
        },
        referrals,
        weight: u64::try_from(weight).unwrap_or(0),
    })
}
