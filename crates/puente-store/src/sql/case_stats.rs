//! The SQL of `crate::case_stats`, written once for both backends.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use sqlx::Row;

use crate::{StoreError, StoreResult};

use super::Backend;
#[allow(unused_imports)]
pub(crate) use crate::case_stats::*;

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
        let rows = sqlx::query(
            "SELECT id, sex, age_at_intake, nationality, opened_on, document FROM cases WHERE organisation_id = $1 ORDER BY id",
        )
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        let mut referrals: HashMap<i64, (Vec<String>, Option<String>)> = HashMap::new();
        let needs_referrals = by.iter().any(|dimension| {
            matches!(
                dimension,
                StatsDimension::ReferralOutcome | StatsDimension::TimeToFirstService
            )
        });
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
        let mut counts: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let document: String = row.try_get("document")?;
            let (referral_statuses, first_accepted_on) = referrals.remove(&id).unwrap_or_default();
            let case = CountedCase {
                sex: row.try_get("sex")?,
                age: row.try_get("age_at_intake")?,
                nationality: row.try_get("nationality")?,
                opened_on: row.try_get("opened_on")?,
                document: serde_json::from_str(&document).map_err(|error| {
                    StoreError::Invalid(format!("stored case {id} document: {error}"))
                })?,
                referral_statuses,
                first_accepted_on,
            };
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
        Ok(CaseStats {
            by: by.to_vec(),
            rows: stats_rows,
            cases: rows.len() as u64,
            overlapping: by.iter().any(|dimension| dimension.is_multi_valued()),
        })
    }
}
