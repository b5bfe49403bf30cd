//! The linkage unit's state (`puente serve --linkage-unit`): projects, each party's upload token
//! (kept as a SHA-256 hash) and its one upload, the encodings while a run waits for every party,
//! and the match groups. The unit holds no cases and never a name: encodings arrive keyed with a
//! secret the unit does not have, and are deleted in the transaction that stores the run's groups.
//! A party reads its own rows' groups only, with the partners' organisation names.

use async_trait::async_trait;

use crate::{Actor, StoreResult};

/// A project to create.
#[derive(Clone, Debug, PartialEq)]
pub struct NewLinkageProject {
    /// The public identifier (random).
    pub reference: String,
    pub schema_name: String,
    pub encoding_bytes: usize,
    pub threshold: f64,
    /// Each party's organisation name and the SHA-256 hash of its upload token, in party order.
    pub parties: Vec<(String, String)>,
}

/// A project as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkageProject {
    pub id: i64,
    pub reference: String,
    pub schema_name: String,
    pub encoding_bytes: usize,
    pub threshold: f64,
    /// `waiting` until every party uploaded, then `done`.
    pub status: String,
    pub created_at: String,
    pub completed_at: Option<String>,
    pub parties: Vec<LinkageParty>,
}

impl LinkageProject {
    /// How many parties uploaded.
    pub fn parties_contributed(&self) -> usize {
        self.parties
            .iter()
            .filter(|party| party.uploaded_at.is_some())
            .count()
    }
}

/// One party of a project.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkageParty {
    pub party: usize,
    pub organisation_name: String,
    pub token_hash: String,
    pub uploaded_at: Option<String>,
    pub record_count: Option<usize>,
}

/// A match group the unit found: its opaque reference, its members (party, row) and the
/// similarity of every pair of its parties (`party_l < party_r`).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkageGroup {
    pub reference: String,
    pub members: Vec<(usize, usize)>,
    pub similarities: Vec<(usize, usize, f64)>,
}

/// What one party reads of one group: its own row and the partners, never their rows.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyMatch {
    pub row: usize,
    pub match_reference: String,
    pub partners: Vec<MatchPartner>,
}

/// A partner in a group, as one party sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchPartner {
    pub organisation_name: String,
    pub similarity: f64,
    /// What the partner decided with the survivor, once it did: `refer` or `decline`.
    pub decision: Option<String>,
}

/// How an upload ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadOutcome {
    pub records: usize,
    /// Whether every party has uploaded now (the run can start).
    pub all_uploaded: bool,
}

#[async_trait]
pub trait LinkageUnitStore: Send + Sync {
    /// Creates a project with its parties. Audited.
    async fn create_linkage_project(
        &self,
        actor: &Actor,
        project: &NewLinkageProject,
    ) -> StoreResult<LinkageProject>;
    /// The project, by its public reference.
    async fn linkage_project(&self, reference: &str) -> StoreResult<Option<LinkageProject>>;
    /// Stores a party's encodings, once: a second upload is refused (`Conflict`) and changes
    /// nothing. Audited.
    async fn upload_linkage_encodings(
        &self,
        actor: &Actor,
        project_id: i64,
        party: usize,
        encodings: &[Vec<u8>],
    ) -> StoreResult<UploadOutcome>;
    /// Every party's encodings, in party and row order.
    async fn linkage_encodings(&self, project_id: i64) -> StoreResult<Vec<Vec<Vec<u8>>>>;
    /// Stores the run's groups, deletes every encoding of the project and marks it done, in one
    /// transaction with its audit entry. A project already done is refused.
    async fn complete_linkage_run(
        &self,
        actor: &Actor,
        project_id: i64,
        groups: &[LinkageGroup],
        detail: &str,
    ) -> StoreResult<()>;
    /// The groups holding one of `party`'s rows, as that party may see them. Audited as a read.
    async fn linkage_result(
        &self,
        actor: &Actor,
        project_id: i64,
        party: usize,
    ) -> StoreResult<Vec<PartyMatch>>;
    /// Records what `party` decided about referring in one group it belongs to. Audited.
    async fn record_linkage_decision(
        &self,
        actor: &Actor,
        project_id: i64,
        party: usize,
        match_reference: &str,
        decision: &str,
    ) -> StoreResult<()>;
    /// How many encodings the unit holds for the project (zero once its run ended).
    async fn linkage_encoding_count(&self, project_id: i64) -> StoreResult<u64>;
}
