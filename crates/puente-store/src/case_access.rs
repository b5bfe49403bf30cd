//! What the server needs to know about a case before it may read it.
//!
//! Deciding whether a user may open a case needs the case's organisation and owner, and nothing
//! identifying: [`CaseAccessStore::case_access`] reads only those columns, so the check itself is
//! not a view of the person (the read that follows, when allowed, is audited).

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{AuditAction, RecordType};
use crate::{SqliteStore, StoreResult};

/// The organisation and owner of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CaseAccess {
    pub case_id: i64,
    pub organisation_id: i64,
    pub owner_user_id: Option<i64>,
    pub version: i64,
}

/// Access facts of cases (counts are in [`crate::case_stats`]).
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
        let mut transaction = self.begin_write().await?;
        let changed =
            sqlx::query("UPDATE cases SET owner_user_id = ? WHERE id = ? AND organisation_id = ?")
                .bind(owner_user_id)
                .bind(case_id)
                .bind(organisation_id)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(crate::StoreError::not_found("case", case_id));
        }
        crate::audit::append(
            &mut transaction,
            &self.audit_key(),
            &crate::NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::Assign,
                record_type: RecordType::Case,
                record_id: Some(case_id.to_string()),
                case_id: None,
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
}
