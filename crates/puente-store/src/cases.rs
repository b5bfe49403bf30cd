//! Organisations, persons and cases. Reading a case reads a person's identifying data, so every read
//! here that returns a person is written to the audit log in the same transaction.

use async_trait::async_trait;
use puente_core::domain::{Case, Organisation, Person};
use puente_core::htcds::{CaseStatus, Gender};
use puente_core::Country;
use serde::Serialize;

use crate::{Actor, StoreError, StoreResult};

/// An organisation as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredOrganisation {
    pub id: i64,
    #[serde(flatten)]
    pub organisation: Organisation,
    pub settings: serde_json::Value,
}

/// A case as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredCase {
    pub id: i64,
    pub organisation_id: i64,
    pub person_id: i64,
    pub owner_user_id: Option<i64>,
    pub version: i64,
    pub opened_on: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub case: Case,
}

/// A line of a case list: the non-identifying facts, plus the person's display name (identifying:
/// the caller decides whether a role may see it, and listing is audited).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseSummary {
    pub id: i64,
    pub organisation_id: i64,
    pub owner_user_id: Option<i64>,
    pub status: CaseStatus,
    pub version: i64,
    pub person_name: String,
    pub sex: Option<Gender>,
    pub age_at_intake: Option<u32>,
    pub nationality: Option<Country>,
    pub opened_on: String,
    pub updated_at: String,
}

/// A saved version of a case.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseVersion {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
    pub snapshot: serde_json::Value,
}

/// A note on a case.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredNote {
    pub id: i64,
    pub case_id: i64,
    pub author: String,
    pub text: String,
    pub created_at: String,
}

/// A new case to create: the case, who owns it, and the day it was opened (`YYYY-MM-DD`).
#[derive(Clone, Debug)]
pub struct NewCase {
    pub case: Case,
    pub owner_user_id: Option<i64>,
    pub opened_on: String,
}

/// Organisations, persons and cases.
#[async_trait]
pub trait CaseStore: Send + Sync {
    async fn create_organisation(
        &self,
        actor: &Actor,
        organisation: &Organisation,
    ) -> StoreResult<i64>;
    async fn organisation_by_slug(&self, slug: &str) -> StoreResult<Option<StoredOrganisation>>;
    async fn organisation(&self, id: i64) -> StoreResult<StoredOrganisation>;
    async fn list_organisations(&self) -> StoreResult<Vec<StoredOrganisation>>;
    async fn update_organisation_settings(
        &self,
        actor: &Actor,
        id: i64,
        settings: &serde_json::Value,
    ) -> StoreResult<()>;

    /// Creates cases (with their persons) in one transaction, each audited; returns their ids.
    async fn create_cases(
        &self,
        actor: &Actor,
        organisation_id: i64,
        cases: &[NewCase],
    ) -> StoreResult<Vec<i64>>;
    /// Reads a case of `organisation_id`; `None` if there is none with that id in that organisation.
    /// Audited as a view of identifying data.
    async fn case(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Option<StoredCase>>;
    /// Saves a new version of a case. Refused with [`StoreError::Conflict`] when `expected_version`
    /// is not the stored version: someone else saved in between.
    async fn update_case(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        expected_version: i64,
        case: &Case,
    ) -> StoreResult<i64>;
    /// The organisation's cases, newest first; with `owner_user_id`, only that user's. Audited.
    async fn list_cases(
        &self,
        actor: &Actor,
        organisation_id: i64,
        owner_user_id: Option<i64>,
    ) -> StoreResult<Vec<CaseSummary>>;
    /// Every saved version of a case, oldest first.
    async fn case_history(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<CaseVersion>>;
    async fn add_note(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        text: &str,
    ) -> StoreResult<i64>;
    async fn notes(&self, organisation_id: i64, case_id: i64) -> StoreResult<Vec<StoredNote>>;
    async fn count_cases(&self, organisation_id: i64) -> StoreResult<u64>;
}

/// The ids of recorded consents, for an audit detail.
pub(crate) fn consent_ids(consents: &[puente_core::domain::Consent], count: usize) -> String {
    let ids: Vec<String> = consents
        .iter()
        .filter_map(|consent| consent.id)
        .map(|id| id.to_string())
        .collect();
    debug_assert_eq!(ids.len(), count);
    ids.join(", ")
}

/// Today's date, `YYYY-MM-DD`, UTC.
pub fn today_iso() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        now.month() as u8,
        now.day()
    )
}

/// The case without its person and its consents, as stored in `cases.document`. Consents live in
/// their own table (see [`crate::consents`]): a case update never writes them.
pub(crate) fn document_of(case: &Case) -> StoreResult<String> {
    let mut value = serde_json::to_value(case).map_err(|e| StoreError::Invalid(e.to_string()))?;
    if let Some(object) = value.as_object_mut() {
        object.remove("person");
        object.remove("consents");
    }
    Ok(value.to_string())
}

pub(crate) fn case_from_parts(person: Person, document: &str) -> StoreResult<Case> {
    let mut value: serde_json::Value = serde_json::from_str(document)
        .map_err(|e| StoreError::Invalid(format!("stored case document: {e}")))?;
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "person".into(),
            serde_json::to_value(&person).map_err(|e| StoreError::Invalid(e.to_string()))?,
        );
    }
    serde_json::from_value(value)
        .map_err(|e| StoreError::Invalid(format!("stored case document: {e}")))
}

/// The age at intake: from the date of birth on the opening day, else the estimate.
pub(crate) fn age_at_intake(person: &Person, opened_on: &str) -> Option<u32> {
    let opened = time::Date::parse(
        opened_on,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok();
    match (person.date_of_birth, opened) {
        (Some(birth), Some(opened)) => birth.age_on(opened),
        _ => person.estimated_age,
    }
}
