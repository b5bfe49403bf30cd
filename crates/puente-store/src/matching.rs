//! "Match with partners" on an organisation's instance: the persons whose consent covers
//! `matching` (the decision is `puente_core::sharing::allows_matching`), each run the organisation
//! took part in at a linkage unit with the case behind each uploaded row, and the coordination
//! requests a run's result opens: one per match with a partner organisation, naming the unit's
//! project and the match's opaque reference (through which the partner finds its own row), never a
//! name. Each request is decided with the survivor (refer or decline).

use async_trait::async_trait;
use puente_core::domain::Person;
use serde::Serialize;

use crate::{Actor, StoreResult};

/// The persons an organisation may encode for matching.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonsForMatching {
    /// Each consenting person's case and person record, by case id.
    pub persons: Vec<(i64, Person)>,
    /// How many cases were left out because no active consent covers `matching`.
    pub without_consent: usize,
}

/// A run to record, once its encodings were uploaded.
#[derive(Clone, PartialEq)]
pub struct NewMatchingRun {
    pub partnership: String,
    pub unit_url: String,
    pub project_reference: String,
    pub upload_token: String,
    /// The case behind each uploaded row, in row order.
    pub case_ids: Vec<i64>,
    pub without_consent: usize,
}

impl std::fmt::Debug for NewMatchingRun {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("NewMatchingRun")
            .field("partnership", &self.partnership)
            .field("project_reference", &self.project_reference)
            .field("rows", &self.case_ids.len())
            .finish_non_exhaustive()
    }
}

/// A run as stored.
#[derive(Clone, PartialEq, Serialize)]
pub struct StoredMatchingRun {
    pub id: i64,
    pub organisation_id: i64,
    pub partnership: String,
    pub unit_url: String,
    pub project_reference: String,
    #[serde(skip)]
    pub upload_token: String,
    /// `uploaded` until the result is in, then `done`.
    pub status: String,
    pub record_count: i64,
    pub without_consent: i64,
    pub started_by: String,
    pub started_at: String,
    pub completed_at: Option<String>,
}

impl std::fmt::Debug for StoredMatchingRun {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("StoredMatchingRun")
            .field("id", &self.id)
            .field("project_reference", &self.project_reference)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// One match of the unit's result, for one of this organisation's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedMatch {
    pub row: usize,
    pub match_reference: String,
    pub partner_organisation: String,
    pub similarity: f64,
    pub partner_decision: Option<String>,
}

/// A coordination request opened by a match.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoordinationRequest {
    pub id: i64,
    pub run_id: i64,
    pub case_id: i64,
    pub project_reference: String,
    pub match_reference: String,
    pub partner_organisation: String,
    pub similarity: f64,
    /// `open`, then `refer` or `decline` as decided with the survivor.
    pub status: String,
    pub partner_decision: Option<String>,
    pub opened_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

#[async_trait]
pub trait MatchingStore: Send + Sync {
    /// The organisation's persons whose active consents allow matching, and how many were left
    /// out. Reading them is audited (they are about to be encoded).
    async fn persons_for_matching(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> StoreResult<PersonsForMatching>;
    /// Records a run whose encodings the unit accepted. Audited.
    async fn record_matching_run(
        &self,
        actor: &Actor,
        organisation_id: i64,
        run: &NewMatchingRun,
    ) -> StoreResult<StoredMatchingRun>;
    /// The organisation's runs, newest first.
    async fn matching_runs(&self, organisation_id: i64) -> StoreResult<Vec<StoredMatchingRun>>;
    async fn matching_run(
        &self,
        organisation_id: i64,
        run_id: i64,
    ) -> StoreResult<StoredMatchingRun>;
    /// Stores the unit's result: marks the run done and opens a coordination request for every
    /// match not seen before (each audited on its case); a match seen before gets the partner's
    /// decision. Returns how many requests were opened now.
    async fn record_matching_result(
        &self,
        actor: &Actor,
        organisation_id: i64,
        run_id: i64,
        matches: &[ReceivedMatch],
    ) -> StoreResult<usize>;
    /// The coordination requests of a case, newest first.
    async fn case_coordination_requests(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<CoordinationRequest>>;
    async fn coordination_request(
        &self,
        organisation_id: i64,
        request_id: i64,
    ) -> StoreResult<CoordinationRequest>;
    /// Decides an open request (`refer` or `decline`) with the survivor. Audited on its case; a
    /// request decided before is refused.
    async fn decide_coordination_request(
        &self,
        actor: &Actor,
        organisation_id: i64,
        request_id: i64,
        decision: &str,
    ) -> StoreResult<CoordinationRequest>;
}
