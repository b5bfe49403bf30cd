//! Screenings run inside a case, stored with the rule-set version that produced them.

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, SqliteStore, StoreError, StoreResult};

/// A screening to store: the engine's input and result as JSON, exactly as the engine gave them.
#[derive(Clone, Debug, PartialEq)]
pub struct NewScreening {
    pub case_id: i64,
    pub organisation_id: i64,
    /// `quick`, `full`, `child` (a questionnaire) or `api` (facts sent directly).
    pub questionnaire: String,
    pub input: serde_json::Value,
    pub result: serde_json::Value,
    pub level: String,
    pub rule_set_version: String,
    pub lang: String,
}

/// A stored screening.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredScreening {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    pub questionnaire: String,
    pub input: serde_json::Value,
    pub result: serde_json::Value,
    pub level: String,
    pub rule_set_version: String,
    pub lang: String,
    pub performed_by: String,
    pub created_at: String,
    /// When the screening was voided (it is kept, but never shared or counted), by whom and why.
    pub voided_at: Option<String>,
    pub voided_by: Option<String>,
    pub void_reason: Option<String>,
}

impl StoredScreening {
    /// Whether the screening was voided.
    pub fn is_void(&self) -> bool {
        self.voided_at.is_some()
    }
}

/// Screenings in the store.
#[async_trait]
pub trait ScreeningStore: Send + Sync {
    /// Stores a screening and audits it, in one transaction.
    async fn record_screening(
        &self,
        actor: &Actor,
        screening: &NewScreening,
    ) -> StoreResult<StoredScreening>;
    /// A case's screenings, oldest first.
    async fn screenings_for_case(&self, case_id: i64) -> StoreResult<Vec<StoredScreening>>;
    async fn screening(&self, id: i64) -> StoreResult<Option<StoredScreening>>;
}

pub(crate) fn screening_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<StoredScreening> {
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
impl ScreeningStore for SqliteStore {
    async fn record_screening(
        &self,
        actor: &Actor,
        screening: &NewScreening,
    ) -> StoreResult<StoredScreening> {
        let mut transaction = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO screenings (case_id, organisation_id, questionnaire, input, result, level,
                                     rule_set_version, lang, performed_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
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
        audit::append(
            &mut transaction,
            &self.audit_key(),
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
        let rows = sqlx::query("SELECT * FROM screenings WHERE case_id = ? ORDER BY id")
            .bind(case_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(screening_from_row).collect()
    }

    async fn screening(&self, id: i64) -> StoreResult<Option<StoredScreening>> {
        let row = sqlx::query("SELECT * FROM screenings WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(screening_from_row).transpose()
    }
}
