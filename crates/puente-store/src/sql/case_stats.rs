//! The SQL of `crate::case_stats`, written once for both backends.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use sqlx::Row;

use puente_core::domain::{TraffickingEvent, VictimContext};

use crate::{StoreError, StoreResult};

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
        if by.is_empty() {
            return Err(StoreError::Invalid(
                "count by at least one dimension".into(),
            ));
        }
        if by.iter().collect::<BTreeSet<_>>().len() != by.len() {
            return Err(StoreError::Invalid("a dimension is repeated".into()));
        }
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
        let mut referrals: HashMap<i64, (Vec<String>, Option<String>)> = HashMap::new();
        if needs_referrals {
            let referral_rows = sqlx::query(
                "SELECT case_id, status, incoming_referral_date FROM referrals WHERE from_organisation_id = $1 ORDER BY id",
            )
            .bind(organisation_id)
            .fetch_all(&self.reader)
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
        }
        let asked = |dimension: StatsDimension| by.contains(&dimension);
        let text = |row: &DbRow, dimension: StatsDimension| -> StoreResult<String> {
            if !asked(dimension) {
                return Ok(String::new());
            }
            let value: Option<String> = row.try_get(alias_of(dimension))?;
            Ok(value.unwrap_or_default())
        };
        let optional = |row: &DbRow, dimension: StatsDimension| -> StoreResult<Option<String>> {
            if !asked(dimension) {
                return Ok(None);
            }
            Ok(row.try_get(alias_of(dimension))?)
        };
        let mut counts: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        let mut total: u64 = 0;
        for row in &rows {
            let weight: i64 = row.try_get("counted")?;
            // A count without GROUP BY answers one row even over no case.
            if weight == 0 {
                continue;
            }
            let id: Option<i64> = row.try_get("id")?;
            let (referral_statuses, first_accepted_on, opened_on) = match id {
                Some(id) => {
                    let (statuses, first) = referrals.remove(&id).unwrap_or_default();
                    (statuses, first, row.try_get("opened_on")?)
                }
                None => (Vec::new(), None, text(row, StatsDimension::Month)?),
            };
            let case = CountedCase {
                sex: optional(row, StatsDimension::Sex)?,
                age: if asked(StatsDimension::AgeGroup) {
                    row.try_get("age_at_intake")?
                } else {
                    None
                },
                nationality: optional(row, StatsDimension::Nationality)?,
                opened_on,
                facts: CountedFacts {
                    exploitation_types: text(row, StatsDimension::ExploitationType)?,
                    exploitation_countries: text(row, StatsDimension::CountryOfExploitation)?,
                    route: text(row, StatsDimension::Route)?,
                    recruitment_methods: text(row, StatsDimension::RecruitmentMethod)?,
                    methods_of_control: text(row, StatsDimension::MethodOfControl)?,
                },
                referral_statuses,
                first_accepted_on,
                weight: weight as u64,
            };
            total += case.weight;
            let mut combinations: Vec<Vec<String>> = vec![Vec::new()];
            for dimension in by {
                let values = values_of(&case, *dimension);
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
                *counts.entry(combination).or_default() += case.weight;
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
        Ok(CaseStats {
            by: by.to_vec(),
            rows: stats_rows,
            cases: total,
            overlapping: by.iter().any(|dimension| dimension.is_multi_valued()),
        })
    }
}
