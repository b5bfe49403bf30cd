//! Screenings run inside a case, stored with the rule-set version that produced them.

use async_trait::async_trait;
use serde::Serialize;

use crate::{Actor, StoreResult};

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
