//! What the server needs to know about a case before it may read it, and de-identified counts.
//!
//! Deciding whether a user may open a case needs the case's organisation and owner, and nothing
//! identifying: [`CaseAccessStore::case_access`] reads only those columns, so the check itself is
//! not a view of the person (the read that follows, when allowed, is audited). The counts read only
//! the non-identifying columns of `cases`.

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;

use crate::{SqliteStore, StoreResult};

/// The organisation and owner of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CaseAccess {
    pub case_id: i64,
    pub organisation_id: i64,
    pub owner_user_id: Option<i64>,
    pub version: i64,
}

/// A de-identified dimension to count cases by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseDimension {
    Status,
    Sex,
    Nationality,
    /// Age at intake in the CTDC's broad groups (0-8, 9-17, 18-20, ...).
    AgeGroup,
}

impl CaseDimension {
    fn expression(self) -> &'static str {
        match self {
            CaseDimension::Status => "status",
            CaseDimension::Sex => "sex",
            CaseDimension::Nationality => "nationality",
            CaseDimension::AgeGroup => {
                "CASE WHEN age_at_intake IS NULL THEN NULL
                      WHEN age_at_intake <= 8 THEN '0-8'
                      WHEN age_at_intake <= 17 THEN '9-17'
                      WHEN age_at_intake <= 20 THEN '18-20'
                      WHEN age_at_intake <= 23 THEN '21-23'
                      WHEN age_at_intake <= 26 THEN '24-26'
                      WHEN age_at_intake <= 29 THEN '27-29'
                      WHEN age_at_intake <= 38 THEN '30-38'
                      WHEN age_at_intake <= 47 THEN '39-47'
                      ELSE '48+' END"
            }
        }
    }
}

/// One count: the value (`None` when not recorded) and how many cases have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseCount {
    pub value: Option<String>,
    pub count: u64,
}

/// Access facts and de-identified counts of cases.
#[async_trait]
pub trait CaseAccessStore: Send + Sync {
    /// The organisation, owner and version of a case, or `None` if there is no such case.
    async fn case_access(&self, case_id: i64) -> StoreResult<Option<CaseAccess>>;
    /// Gives a case of the organisation to a user (or to no one). Audited.
    async fn assign_case(
        &self,
        actor: &crate::Actor,
        organisation_id: i64,
        case_id: i64,
        owner_user_id: Option<i64>,
    ) -> StoreResult<()>;
    /// The organisation's cases counted by one dimension, largest first.
    async fn case_counts(
        &self,
        organisation_id: i64,
        dimension: CaseDimension,
    ) -> StoreResult<Vec<CaseCount>>;
}

#[async_trait]
impl CaseAccessStore for SqliteStore {
    async fn case_access(&self, case_id: i64) -> StoreResult<Option<CaseAccess>> {
        let row = sqlx::query(
            "SELECT id, organisation_id, owner_user_id, version FROM cases WHERE id = ?",
        )
        .bind(case_id)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(CaseAccess {
            case_id: row.try_get("id")?,
            organisation_id: row.try_get("organisation_id")?,
            owner_user_id: row.try_get("owner_user_id")?,
            version: row.try_get("version")?,
        }))
    }

    async fn assign_case(
        &self,
        actor: &crate::Actor,
        organisation_id: i64,
        case_id: i64,
        owner_user_id: Option<i64>,
    ) -> StoreResult<()> {
        let mut transaction = self.writer.begin().await?;
        let changed =
            sqlx::query("UPDATE cases SET owner_user_id = ? WHERE id = ? AND organisation_id = ?")
                .bind(owner_user_id)
                .bind(case_id)
                .bind(organisation_id)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(crate::StoreError::NotFound(format!("case {case_id}")));
        }
        crate::audit::append(
            &mut transaction,
            &crate::NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: "assign".into(),
                record_type: "case".into(),
                record_id: Some(case_id.to_string()),
                detail: match owner_user_id {
                    Some(user) => format!("owner user {user}"),
                    None => "no owner".into(),
                },
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn case_counts(
        &self,
        organisation_id: i64,
        dimension: CaseDimension,
    ) -> StoreResult<Vec<CaseCount>> {
        // The expression is one of the fixed strings above, never user input.
        let sql = format!(
            "SELECT {expression} AS value, COUNT(*) AS count FROM cases WHERE organisation_id = ?
             GROUP BY value ORDER BY count DESC, value",
            expression = dimension.expression()
        );
        let rows = sqlx::query(&sql)
            .bind(organisation_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|row| {
                let count: i64 = row.try_get("count")?;
                Ok(CaseCount {
                    value: row.try_get("value")?,
                    count: count as u64,
                })
            })
            .collect()
    }
}
