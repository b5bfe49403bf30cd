//! The SQL of `crate::case_access`, written once for both backends.

use async_trait::async_trait;
use sqlx::Row;

use super::audit::{AuditAction, RecordType};
use crate::StoreResult;

use super::Backend;
#[allow(unused_imports)]
pub(crate) use crate::case_access::*;

#[async_trait]
impl CaseAccessStore for Backend {
    async fn case_access(&self, case_id: i64) -> StoreResult<Option<CaseAccess>> {
        let row = sqlx::query(
            "SELECT id, organisation_id, owner_user_id, version FROM cases WHERE id = $1",
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
        let changed = sqlx::query(
            "UPDATE cases SET owner_user_id = $1 WHERE id = $2 AND organisation_id = $3",
        )
        .bind(owner_user_id)
        .bind(case_id)
        .bind(organisation_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(crate::StoreError::not_found("case", case_id));
        }
        self.append_audit(
            &mut transaction,
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
