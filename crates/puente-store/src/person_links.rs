//! Likely duplicate persons within one organisation: the records to compare, the pairs a
//! supervisor marked as different people, and merges.
//!
//! The comparison itself is `puente_linkage::find_duplicates` (a pure engine), called by the server
//! on [`PersonLinkStore::persons_to_compare`]. Nothing here ever reads another organisation's
//! persons: every method takes the organisation and filters on it.
//!
//! # The rules
//! - A merged person (`persons.merged_into` set) is kept, for history, and no longer compared.
//! - A merge moves the merged person's cases to the person kept; each moved case gets a new
//!   version, with its snapshot in `case_history` (the snapshot before the merge stays there too).
//! - A pair marked distinct is remembered (`person_distinct_pairs`) and never suggested again.
//! - Every method that reads identifying data or changes anything writes its audit entries in the
//!   same transaction.

use async_trait::async_trait;
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergeOutcome {
    pub kept_person_id: i64,
    pub merged_person_id: i64,
    /// The cases moved from the merged person to the one kept.
    pub moved_cases: Vec<i64>,
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
    /// Merges `merged_person_id` into `kept_person_id` (both of the organisation, neither merged):
    /// the merged row is kept with `merged_into` set, and its cases move to the person kept, each
    /// with a new version in its history. Audited on the persons and on every moved case.
    async fn merge_persons(
        &self,
        actor: &Actor,
        organisation_id: i64,
        merged_person_id: i64,
        kept_person_id: i64,
    ) -> StoreResult<MergeOutcome>;
}
