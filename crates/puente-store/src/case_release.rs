//! An organisation's cases as the de-identified facts the CTDC variables are made from
//! (`puente_core::ctdc::from_cases`), for publishing them as differentially private synthetic
//! data or as a k-anonymised release. Nothing here identifies anyone: no name, date of birth,
//! contact, place or free text leaves this module, so reading it is not a read of identifying
//! data (as with the dashboard's counts).

use async_trait::async_trait;
use puente_core::ctdc::from_cases::CaseForRelease;
use puente_core::domain::{TraffickingEvent, VictimContext};
use serde::Deserialize;

use crate::StoreResult;

/// The cases of an organisation, de-identified for a release.
#[async_trait]
pub trait CaseReleaseStore: Send + Sync {
    /// Every case of `organisation_id`, in the order they were created.
    async fn cases_for_release(&self, organisation_id: i64) -> StoreResult<Vec<CaseForRelease>>;
}

/// The parts of a case document a release reads.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ReleasedDocument {
    pub(crate) victim: VictimContext,
    pub(crate) events: Vec<TraffickingEvent>,
}
