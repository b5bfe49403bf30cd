//! The SQL of `crate::screenings`, written once for both backends.

use async_trait::async_trait;
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::screenings::*;

pub(crate) fn screening_from_row(row: &DbRow) -> StoreResult<StoredScreening> {
    let parse = |column: &str| -> StoreResult<serde_json::Value> {
        let text: String = row.try_get(column)?;
        serde_json::from_str(&text).map_err(|error| {
            StoreError::Invalid(format!("stored screening {column} is not JSON: {error}"))
        })
    };
    Ok(StoredScreening {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        organisation_id: row.try_get("organisation_id")?,
        questionnaire: row.try_get("questionnaire")?,
        input: parse("input")?,
        result: parse("result")?,
        level: row.try_get("level")?,
        rule_set_version: row.try_get("rule_set_version")?,
        lang: row.try_get("lang")?,
        performed_by: row.try_get("performed_by")?,
        created_at: row.try_get("created_at")?,
        voided_at: row.try_get("voided_at")?,
        voided_by: row.try_get("voided_by")?,
        void_reason: row.try_get("void_reason")?,
    })
}

#[async_trait]
impl ScreeningStore for Backend {
    async fn record_screening(
        &self,
        actor: &Actor,
        screening: &NewScreening,
    ) -> StoreResult<StoredScreening> {
        let mut transaction = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO screenings (case_id, organisation_id, questionnaire, input, result, level,
                                     rule_set_version, lang, performed_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
        )
        .bind(screening.case_id)
        .bind(screening.organisation_id)
        .bind(&screening.questionnaire)
        .bind(screening.input.to_string())
        .bind(screening.result.to_string())
        .bind(&screening.level)
        .bind(&screening.rule_set_version)
        .bind(&screening.lang)
        .bind(&actor.name)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        let stored = screening_from_row(&row)?;
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(screening.organisation_id),
                action: AuditAction::Screen,
                record_type: RecordType::Case,
                record_id: Some(screening.case_id.to_string()),
                case_id: None,
                detail: format!(
                    "screening {} ({}, rules {}): {}",
                    stored.id, stored.questionnaire, stored.rule_set_version, stored.level
                ),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn screenings_for_case(&self, case_id: i64) -> StoreResult<Vec<StoredScreening>> {
        let rows = sqlx::query("SELECT * FROM screenings WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(screening_from_row).collect()
    }

    async fn screening(&self, id: i64) -> StoreResult<Option<StoredScreening>> {
        let row = sqlx::query("SELECT * FROM screenings WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(screening_from_row).transpose()
    }
}
