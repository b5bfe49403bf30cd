//! The SQL of `crate::case_release`, written once for both backends.

use async_trait::async_trait;
use puente_core::country::Country;
use puente_core::ctdc::from_cases::CaseForRelease;
use puente_core::htcds::{Gender, TraffickingEventType};
use puente_core::Vocabulary;
use sqlx::Row;

use crate::{StoreError, StoreResult};

use super::Backend;
#[allow(unused_imports)]
pub(crate) use crate::case_release::*;

#[async_trait]
impl CaseReleaseStore for Backend {
    async fn cases_for_release(&self, organisation_id: i64) -> StoreResult<Vec<CaseForRelease>> {
        let rows = sqlx::query(
            "SELECT id, sex, age_at_intake, nationality, opened_on, document FROM cases WHERE organisation_id = $1 ORDER BY id",
        )
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let document: String = row.try_get("document")?;
                let document: ReleasedDocument =
                    serde_json::from_str(&document).map_err(|error| {
                        StoreError::Invalid(format!("stored case {id} document: {error}"))
                    })?;
                let sex: Option<String> = row.try_get("sex")?;
                let age: Option<i64> = row.try_get("age_at_intake")?;
                let nationality: Option<String> = row.try_get("nationality")?;
                let opened_on: String = row.try_get("opened_on")?;
                Ok(CaseForRelease {
                    year_opened: opened_on.get(..4).and_then(|year| year.parse().ok()),
                    sex: sex.as_deref().and_then(Gender::from_code),
                    age_at_intake: age.and_then(|age| u32::try_from(age).ok()),
                    nationality: nationality.as_deref().and_then(Country::from_code),
                    countries_of_exploitation: document
                        .events
                        .iter()
                        .filter(|event| event.kind == TraffickingEventType::Exploitation)
                        .filter_map(|event| event.country)
                        .collect(),
                    victim: document.victim,
                })
            })
            .collect()
    }
}
