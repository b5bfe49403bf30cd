//! An organisation's cases as the de-identified facts the CTDC variables are made from
//! (`puente_core::ctdc::from_cases`), for publishing them as differentially private synthetic
//! data or as a k-anonymised release. Nothing here identifies anyone: no name, date of birth,
//! contact, place or free text leaves this module, so reading it is not a read of identifying
//! data (as with the dashboard's counts).

use async_trait::async_trait;
use puente_core::country::Country;
use puente_core::ctdc::from_cases::CaseForRelease;
use puente_core::domain::{TraffickingEvent, VictimContext};
use puente_core::htcds::{Gender, TraffickingEventType};
use puente_core::Vocabulary;
use serde::Deserialize;
use sqlx::Row;

use crate::sqlite::SqliteStore;
use crate::{StoreError, StoreResult};

/// The cases of an organisation, de-identified for a release.
#[async_trait]
pub trait CaseReleaseStore: Send + Sync {
    /// Every case of `organisation_id`, in the order they were created.
    async fn cases_for_release(&self, organisation_id: i64) -> StoreResult<Vec<CaseForRelease>>;
}

/// The parts of a case document a release reads.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ReleasedDocument {
    victim: VictimContext,
    events: Vec<TraffickingEvent>,
}

#[async_trait]
impl CaseReleaseStore for SqliteStore {
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
