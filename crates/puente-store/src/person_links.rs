//! Likely duplicate persons within one organisation: the records to compare, the pairs a
//! supervisor marked as different people, and merges.
//!
//! The comparison itself is `puente_linkage::find_duplicates` (a pure engine), called by the server
//! on [`PersonLinkStore::persons_to_compare`]. Nothing here ever reads another organisation's
//! persons: every method takes the organisation and filters on it.
//!
//! # The rules
//! - A merged person (`persons.merged_into` set) is kept, for history, and no longer compared.
//! - A merge loses no value: the kept record takes, field by field, the value of the record the
//!   supervisor picked (preset by `puente_core::person_merge::default_choices`: the non-empty,
//!   most recent value); both records' values before it are kept in `person_merges`.
//! - A merge moves the merged person's cases to the person kept; every case of either record gets
//!   a new version, with its snapshot in `case_history` (the snapshot before the merge stays there
//!   too).
//! - A merge can be undone while the kept record has not changed since: the kept record gets its
//!   values back, the merged record is live again, the moved cases move back (each with a new
//!   version), and the merge stays listed as undone.
//! - A pair marked distinct is remembered (`person_distinct_pairs`) and never suggested again.
//! - Every method that reads identifying data or changes anything writes its audit entries in the
//!   same transaction.

use async_trait::async_trait;
use puente_core::domain::Person;
use puente_core::person_merge::FieldChoice;
use serde::Serialize;

use crate::{Actor, StoreResult};

/// One case of a person: its id and owner (for the caller's access check).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PersonCase {
    pub case_id: i64,
    pub owner_user_id: Option<i64>,
}

/// A person record as the duplicate check compares it: the identifying fields as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonToCompare {
    pub person_id: i64,
    pub given_name: String,
    pub middle_name: Option<String>,
    pub surname: String,
    pub second_surname: Option<String>,
    pub sex: Option<String>,
    pub date_of_birth: Option<String>,
    pub nationality: Option<String>,
    pub phone: Option<String>,
    /// The person's cases, oldest first.
    pub cases: Vec<PersonCase>,
}

impl PersonToCompare {
    /// The given names as one text ("María José").
    pub fn given_names(&self) -> String {
        join_names(&self.given_name, self.middle_name.as_deref())
    }

    /// The surnames as one text ("Hernández López").
    pub fn surnames(&self) -> String {
        join_names(&self.surname, self.second_surname.as_deref())
    }
}

pub(crate) fn join_names(first: &str, second: Option<&str>) -> String {
    match second.map(str::trim).filter(|second| !second.is_empty()) {
        Some(second) => format!("{} {second}", first.trim()),
        None => first.trim().to_string(),
    }
}

/// What a merge did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MergeOutcome {
    /// The merge, to show or undo it.
    pub merge_id: i64,
    pub kept_person_id: i64,
    pub merged_person_id: i64,
    /// The cases moved from the merged person to the one kept.
    pub moved_cases: Vec<i64>,
    /// The kept record after the merge.
    pub person: Person,
}

/// One side of a merge to decide: a live record of the organisation, its values and when it last
/// changed, and its cases.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MergeCandidate {
    pub person_id: i64,
    pub person: Person,
    pub updated_at: String,
    pub cases: Vec<PersonCase>,
}

/// A merge as kept: both records' values before it, the choices, the moved cases, and its undo.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredPersonMerge {
    pub id: i64,
    pub organisation_id: i64,
    pub kept_person_id: i64,
    pub merged_person_id: i64,
    pub kept_before: Person,
    pub merged_before: Person,
    pub choices: Vec<FieldChoice>,
    pub moved_cases: Vec<i64>,
    pub merged_by: String,
    pub merged_at: String,
    pub undone_by: Option<String>,
    pub undone_at: Option<String>,
}

/// What undoing a merge did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UndoneMerge {
    pub merge_id: i64,
    /// The cases moved back to the record merged away.
    pub moved_back: Vec<i64>,
}

/// Likely duplicates within an organisation.
#[async_trait]
pub trait PersonLinkStore: Send + Sync {
    /// The organisation's persons that are not merged, with their cases, to compare a new or
    /// edited person against. Audited as one read of identifying data for a duplicate check.
    async fn persons_to_compare(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> StoreResult<Vec<PersonToCompare>>;
    /// The pairs of the organisation's persons marked as different people, lower id first.
    async fn distinct_pairs(&self, organisation_id: i64) -> StoreResult<Vec<(i64, i64)>>;
    /// Remembers that two of the organisation's persons are different people. Audited.
    async fn mark_persons_distinct(
        &self,
        actor: &Actor,
        organisation_id: i64,
        person_a: i64,
        person_b: i64,
    ) -> StoreResult<()>;
    /// A live person record of the organisation with its cases, for the side-by-side view of a
    /// merge. Audited as a read of identifying data.
    async fn merge_candidate(
        &self,
        actor: &Actor,
        organisation_id: i64,
        person_id: i64,
    ) -> StoreResult<MergeCandidate>;
    /// Merges `merged_person_id` into `kept_person_id` (both of the organisation, neither merged):
    /// the kept record takes each field from the record `picks` names, the others as
    /// `puente_core::person_merge::default_choices` presets them; the merged row is kept with
    /// `merged_into` set, and its cases move to the person kept; every case of both gets a new
    /// version in its history. Audited on the persons and on every case.
    async fn merge_persons(
        &self,
        actor: &Actor,
        organisation_id: i64,
        merged_person_id: i64,
        kept_person_id: i64,
        picks: &[FieldChoice],
    ) -> StoreResult<MergeOutcome>;
    /// A merge of the organisation.
    async fn person_merge(
        &self,
        organisation_id: i64,
        merge_id: i64,
    ) -> StoreResult<Option<StoredPersonMerge>>;
    /// Undoes a merge: refused ([`crate::StoreError::Conflict`]) when it was undone already or
    /// the kept record changed since. Audited on the persons and on every case.
    async fn undo_person_merge(
        &self,
        actor: &Actor,
        organisation_id: i64,
        merge_id: i64,
    ) -> StoreResult<UndoneMerge>;
}
