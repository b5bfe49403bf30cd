//! The SQL of `crate::screening_voids`, written once for both backends.

use async_trait::async_trait;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use super::screenings::{screening_from_row, StoredScreening};
use crate::{Actor, StoreError, StoreResult};

use super::Backend;
#[allow(unused_imports)]
pub(crate) use crate::screening_voids::*;

#[async_trait]
impl ScreeningVoidStore for Backend {
    async fn void_screening(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        screening_id: i64,
        reason: &str,
    ) -> StoreResult<StoredScreening> {
        let reason = checked_void_reason(reason)?;
        let mut transaction = self.begin_write().await?;
        let now = audit::now();
        let updated = sqlx::query(
            "UPDATE screenings SET voided_at = $1, voided_by = $2, void_reason = $3
             WHERE id = $4 AND case_id = $5 AND organisation_id = $6 AND voided_at IS NULL",
        )
        .bind(&now)
        .bind(&actor.name)
        .bind(reason)
        .bind(screening_id)
        .bind(case_id)
        .bind(organisation_id)
        .execute(&mut *transaction)
        .await?;
        let row = sqlx::query(
            "SELECT * FROM screenings WHERE id = $1 AND case_id = $2 AND organisation_id = $3",
        )
        .bind(screening_id)
        .bind(case_id)
        .bind(organisation_id)
        .fetch_optional(&mut *transaction)
        .await?
        .ok_or_else(|| StoreError::not_found("screening", screening_id))?;
        let stored = screening_from_row(&row)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "screening {screening_id} was voided already, at {}",
                stored.voided_at.as_deref().unwrap_or("?")
            )));
        }
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                case_id: Some(case_id),
                ..NewAuditEntry::about(
                    actor,
                    organisation_id,
                    AuditAction::VoidScreening,
                    RecordType::Case,
                    case_id,
                    format!("screening {screening_id}"),
                )
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
    }
}
