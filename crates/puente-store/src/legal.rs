//! The legal track of a case: reports to authorities, criminal proceedings and their stages, the
//! survivor's participation and its support, law-enforcement certifications, relief applications,
//! and the relief screener's results with their rule-set version.
//!
//! Every write is one transaction with its audit entry; every read names the organisation, and a
//! case of another organisation is "not found" (its existence is not revealed). Audit details name
//! record kinds and codes, never agencies, references or anything a person could be found by.

use async_trait::async_trait;
use puente_core::legal::{
    ApplicationStatus, AuthorityKind, CertificationKind, CertificationStatus, ParticipationKind,
    ParticipationSupport, ProceedingStage, VerdictOutcome,
};
use puente_core::relief_facts::ReliefOptionKind;
use puente_core::Country;
use serde::Serialize;
use time::Date;

use crate::{Actor, StoreError, StoreResult};

/// A report of the case to an authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewAuthorityReport {
    pub authority: AuthorityKind,
    /// The agency's name (for example "Policía Nacional Civil, Escuintla").
    pub agency: String,
    pub reported_on: Date,
    /// The authority's reference number for the report, when it gave one.
    pub reference: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredAuthorityReport {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub report: NewAuthorityReport,
    pub created_by: String,
    pub created_at: String,
}

/// A criminal proceeding opened on the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewProceeding {
    pub country: Option<Country>,
    pub court_or_office: String,
    pub reference: Option<String>,
}

/// A stage a proceeding reached, on a date. A verdict carries its outcome; no other stage does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewProceedingStage {
    pub stage: ProceedingStage,
    pub stage_on: Date,
    pub outcome: Option<VerdictOutcome>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredProceedingStage {
    pub id: i64,
    #[serde(flatten)]
    pub stage: NewProceedingStage,
    pub created_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredProceeding {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub proceeding: NewProceeding,
    /// In date order.
    pub stages: Vec<StoredProceedingStage>,
    pub created_by: String,
    pub created_at: String,
}

/// The survivor's part in a proceeding and the support given for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewParticipation {
    pub proceeding_id: Option<i64>,
    pub kind: ParticipationKind,
    pub participated_on: Date,
    pub supports: Vec<ParticipationSupport>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredParticipation {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub participation: NewParticipation,
    pub created_by: String,
}

/// A certification asked of an authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewCertification {
    pub kind: CertificationKind,
    pub agency: String,
    pub asked_on: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredCertification {
    pub id: i64,
    pub case_id: i64,
    pub kind: CertificationKind,
    pub agency: String,
    pub status: CertificationStatus,
    pub asked_on: Date,
    /// When it was signed or refused.
    pub decided_on: Option<Date>,
    pub created_by: String,
    pub updated_at: String,
}

/// A relief application: its type is one of the relief options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewReliefApplication {
    pub relief: ReliefOptionKind,
    pub status: ApplicationStatus,
    pub filed_on: Option<Date>,
}

/// A change of a relief application's status, with the date and, for a receipt, its number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReliefApplicationUpdate {
    pub status: ApplicationStatus,
    pub on: Date,
    pub receipt_number: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredReliefApplication {
    pub id: i64,
    pub case_id: i64,
    pub relief: ReliefOptionKind,
    pub status: ApplicationStatus,
    pub filed_on: Option<Date>,
    pub receipt_on: Option<Date>,
    pub receipt_number: Option<String>,
    pub decided_on: Option<Date>,
    pub created_by: String,
    pub updated_at: String,
}

/// A relief screener result to store, exactly as the engine gave it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewReliefAssessment {
    /// The screening it was computed from, when there was one.
    pub screening_id: Option<i64>,
    pub input: serde_json::Value,
    pub result: serde_json::Value,
    pub rule_set_version: String,
    pub as_of: Date,
    pub lang: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredReliefAssessment {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub assessment: NewReliefAssessment,
    pub performed_by: String,
    pub created_at: String,
}

/// Everything of a case's legal track, for its page.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LegalTrack {
    pub reports: Vec<StoredAuthorityReport>,
    pub proceedings: Vec<StoredProceeding>,
    pub participations: Vec<StoredParticipation>,
    pub certifications: Vec<StoredCertification>,
    pub applications: Vec<StoredReliefApplication>,
    pub latest_assessment: Option<StoredReliefAssessment>,
}

/// The legal track in the store. `organisation_id` is always the caller's organisation: a case,
/// proceeding, certification or application of another organisation is not found.
#[async_trait]
pub trait LegalTrackStore: Send + Sync {
    async fn record_authority_report(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        report: &NewAuthorityReport,
    ) -> StoreResult<StoredAuthorityReport>;
    async fn record_proceeding(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        proceeding: &NewProceeding,
    ) -> StoreResult<StoredProceeding>;
    /// Adds a stage to a proceeding; refuses a verdict without an outcome or another stage with one.
    async fn record_proceeding_stage(
        &self,
        actor: &Actor,
        organisation_id: i64,
        proceeding_id: i64,
        stage: &NewProceedingStage,
    ) -> StoreResult<StoredProceeding>;
    async fn record_participation(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        participation: &NewParticipation,
    ) -> StoreResult<StoredParticipation>;
    /// Records a certification as asked for.
    async fn record_certification(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        certification: &NewCertification,
    ) -> StoreResult<StoredCertification>;
    /// Marks a certification signed or refused on a date.
    async fn decide_certification(
        &self,
        actor: &Actor,
        organisation_id: i64,
        certification_id: i64,
        status: CertificationStatus,
        on: Date,
    ) -> StoreResult<StoredCertification>;
    async fn record_relief_application(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        application: &NewReliefApplication,
    ) -> StoreResult<StoredReliefApplication>;
    /// Moves an application on: filed (sets the filing date), receipt (date and number), granted
    /// or denied (the decision date), withdrawn.
    async fn update_relief_application(
        &self,
        actor: &Actor,
        organisation_id: i64,
        application_id: i64,
        update: &ReliefApplicationUpdate,
    ) -> StoreResult<StoredReliefApplication>;
    async fn record_relief_assessment(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        assessment: &NewReliefAssessment,
    ) -> StoreResult<StoredReliefAssessment>;
    /// A case's relief results, oldest first.
    async fn relief_assessments(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredReliefAssessment>>;
    /// A case's whole legal track.
    async fn legal_track(&self, organisation_id: i64, case_id: i64) -> StoreResult<LegalTrack>;
}

pub(crate) fn iso(date: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format)
        .expect("a calendar date always formats")
}

pub(crate) fn parse_iso(text: &str, what: &str) -> StoreResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format)
        .map_err(|_| StoreError::Invalid(format!("stored {what} `{text}` is not a date")))
}

/// Refuses a blank required text, naming the field.
pub(crate) fn required(text: &str, field: &str) -> StoreResult<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(StoreError::Invalid(format!("`{field}` is required")));
    }
    Ok(trimmed.to_string())
}

pub(crate) fn optional_text(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}
