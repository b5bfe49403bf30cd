//! The SQL of `crate::case_stats`, written once for both backends.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::Row;

use crate::{StoreError, StoreResult};

use super::Backend;
#[allow(unused_imports)]
pub(crate) use crate::case_stats::*;

/// The key of an organisation's data now (an index-only read of `cases_stats_key`).
async fn data_key(store: &Backend, organisation_id: i64) -> StoreResult<DataKey> {
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
    store: &Backend,
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
