//! Typed answers and bodies of the JSON API that several route modules use, with their schemas
//! (`ToSchema`): the OpenAPI document describes them from these types.
//!
//! The answers made from what the store keeps (`CaseAnswer`, `ReferralAnswer`, ...) are the
//! server's own types: each names every field the API promises and is made from the store's type
//! field by field, so that a change in the store never silently changes the API. The document
//! describes them by the components `openapi.rs` writes (`StoredCase`, `Referral`, ...).

use puente_core::domain::{Case, Consent, TraffickingEvent};
use puente_core::htcds::{ConsentScope, ReferralReason};
use puente_core::sharing::{
    ReferralStatus, ReferralUrgency, SharedContact, SharedDocument, SharedIdentity, SharedNote,
    SharedScreening,
};
use puente_store::audit::AuditEntry;
use puente_store::cases::StoredCase;
use puente_store::consents::StoredConsent;
use puente_store::referrals::{HtcdsReferralFields, ReferralContact, SharedCase, StoredReferral};
use puente_store::screenings::StoredScreening;
use serde::Serialize;
use utoipa::ToSchema;

/// The id of what was created: `{"id"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdAnswer {
    pub id: i64,
}

/// A role of a user, by its code.
pub fn role_schema() -> utoipa::openapi::Object {
    code_schema(
        puente_store::accounts::Role::ALL
            .iter()
            .map(|role| role.code()),
    )
}

/// A string that is one of `codes`.
pub fn code_schema<'a>(codes: impl IntoIterator<Item = &'a str>) -> utoipa::openapi::Object {
    let codes: Vec<&str> = codes.into_iter().collect();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(codes))
        .build()
}

/// A code of one of the core's vocabularies.
pub fn vocabulary_codes<V: puente_core::Vocabulary + 'static>() -> utoipa::openapi::Object {
    code_schema(V::all().iter().map(|value| value.code()))
}

/// A case status, by its code (HTCDS CaseStatus), or null (the default).
pub fn optional_case_status_schema() -> utoipa::openapi::Object {
    optional(vocabulary_codes::<puente_core::htcds::CaseStatus>())
}

/// A code, or null.
pub fn optional(codes: utoipa::openapi::Object) -> utoipa::openapi::Object {
    let mut values = codes.enum_values.clone().unwrap_or_default();
    values.push(serde_json::Value::Null);
    utoipa::openapi::ObjectBuilder::from(codes)
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::Type::String,
            utoipa::openapi::Type::Null,
        ]))
        .enum_values(Some(values))
        .build()
}

/// A code, or nothing (an empty value, as a form sends a choice left blank).
pub fn code_or_blank(codes: utoipa::openapi::Object) -> utoipa::openapi::Object {
    let mut values = codes.enum_values.clone().unwrap_or_default();
    values.push(serde_json::Value::from(""));
    utoipa::openapi::ObjectBuilder::from(codes)
        .enum_values(Some(values))
        .build()
}

/// A consent scope, by its code (HTCDS ConsentScope).
pub fn consent_scope_schema() -> utoipa::openapi::Object {
    vocabulary_codes::<puente_core::htcds::ConsentScope>()
}

/// A day (`YYYY-MM-DD`), or nothing (an empty value, as a form sends a day left blank).
pub fn day_or_blank() -> utoipa::openapi::schema::AnyOfBuilder {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
    utoipa::openapi::schema::AnyOfBuilder::new()
        .item(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
        .item(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .max_length(Some(0)),
        )
}

/// A case as the API gives it: its ids, owner, version and days, and the HTCDS case itself (the
/// core's vocabulary). The component `StoredCase` of the document describes it.
#[derive(Debug, Serialize)]
pub struct CaseAnswer {
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

impl From<StoredCase> for CaseAnswer {
    fn from(stored: StoredCase) -> Self {
        CaseAnswer {
            id: stored.id,
            organisation_id: stored.organisation_id,
            person_id: stored.person_id,
            owner_user_id: stored.owner_user_id,
            version: stored.version,
            opened_on: stored.opened_on,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
            case: stored.case,
        }
    }
}

/// A consent of a case as the API gives it: its id and case, the consent (the core's), when it
/// was recorded and when and by whom withdrawn. The component `Consent` describes it.
#[derive(Debug, Serialize)]
pub struct ConsentAnswer {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub consent: Consent,
    pub recorded_at: String,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<String>,
}

impl From<StoredConsent> for ConsentAnswer {
    fn from(stored: StoredConsent) -> Self {
        ConsentAnswer {
            id: stored.id,
            case_id: stored.case_id,
            consent: stored.consent,
            recorded_at: stored.recorded_at,
            withdrawn_by: stored.withdrawn_by,
            withdrawn_at: stored.withdrawn_at,
        }
    }
}

/// A stored screening as the API gives it: its input and result (the JSON of screening.md),
/// level, rule-set version and language, who performed it, and whether it was voided. The
/// component `StoredScreening` describes it.
#[derive(Debug, Serialize)]
pub struct ScreeningAnswer {
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
    pub voided_at: Option<String>,
    pub voided_by: Option<String>,
    pub void_reason: Option<String>,
}

impl From<StoredScreening> for ScreeningAnswer {
    fn from(stored: StoredScreening) -> Self {
        ScreeningAnswer {
            id: stored.id,
            case_id: stored.case_id,
            organisation_id: stored.organisation_id,
            questionnaire: stored.questionnaire,
            input: stored.input,
            result: stored.result,
            level: stored.level,
            rule_set_version: stored.rule_set_version,
            lang: stored.lang,
            performed_by: stored.performed_by,
            created_at: stored.created_at,
            voided_at: stored.voided_at,
            voided_by: stored.voided_by,
            void_reason: stored.void_reason,
        }
    }
}

/// An audit entry as the API gives it, with the hashes that chain it. The component
/// `AuditEntry` describes it.
#[derive(Debug, Serialize)]
pub struct AuditEntryAnswer {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub organisation_id: Option<i64>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    pub case_id: Option<i64>,
    pub detail: String,
    pub previous_hash: String,
    pub hash: String,
    pub key_id: Option<i64>,
}

impl From<AuditEntry> for AuditEntryAnswer {
    fn from(entry: AuditEntry) -> Self {
        AuditEntryAnswer {
            id: entry.id,
            at: entry.at,
            actor: entry.actor,
            organisation_id: entry.organisation_id,
            action: entry.action,
            record_type: entry.record_type,
            record_id: entry.record_id,
            case_id: entry.case_id,
            detail: entry.detail,
            previous_hash: entry.previous_hash,
            hash: entry.hash,
            key_id: entry.key_id,
        }
    }
}

/// Whom the receiver calls at the sending organisation about a referral.
#[derive(Debug, Serialize)]
pub struct ReferralContactAnswer {
    pub name: String,
    /// A phone number or an e-mail address.
    pub details: Option<String>,
}

impl From<ReferralContact> for ReferralContactAnswer {
    fn from(contact: ReferralContact) -> Self {
        ReferralContactAnswer {
            name: contact.name,
            details: contact.details,
        }
    }
}

/// The HTCDS case fields a referral fills, named as the standard names them.
#[derive(Debug, Serialize)]
pub struct HtcdsReferralFieldsAnswer {
    #[serde(rename = "cas_OutgoingReferral")]
    pub outgoing_referral: bool,
    #[serde(rename = "cas_ReferredOrganisation")]
    pub referred_organisation: String,
    #[serde(rename = "cas_OutgoingReferralDate")]
    pub outgoing_referral_date: String,
    #[serde(rename = "cas_ReasonForOutgoingReferral")]
    pub reason_for_outgoing_referral: ReferralReason,
    #[serde(rename = "cas_IncomingReferral")]
    pub incoming_referral: bool,
    #[serde(rename = "cas_ReferringOrganisation")]
    pub referring_organisation: String,
    #[serde(rename = "cas_IncomingReferralDate")]
    pub incoming_referral_date: Option<String>,
    #[serde(rename = "cas_ReasonForIncomingReferral")]
    pub reason_for_incoming_referral: ReferralReason,
}

impl From<HtcdsReferralFields> for HtcdsReferralFieldsAnswer {
    fn from(fields: HtcdsReferralFields) -> Self {
        HtcdsReferralFieldsAnswer {
            outgoing_referral: fields.outgoing_referral,
            referred_organisation: fields.referred_organisation,
            outgoing_referral_date: fields.outgoing_referral_date,
            reason_for_outgoing_referral: fields.reason_for_outgoing_referral,
            incoming_referral: fields.incoming_referral,
            referring_organisation: fields.referring_organisation,
            incoming_referral_date: fields.incoming_referral_date,
            reason_for_incoming_referral: fields.reason_for_incoming_referral,
        }
    }
}

/// A referral as the API gives it to either side (it holds no survivor data). The component
/// `Referral` describes it.
#[derive(Debug, Serialize)]
pub struct ReferralAnswer {
    pub id: i64,
    /// The case's id in the sender's organisation.
    pub case_id: i64,
    pub from_organisation_id: i64,
    pub from_organisation: String,
    pub to_organisation_id: i64,
    pub to_organisation: String,
    pub services: Vec<i64>,
    pub share: Vec<ConsentScope>,
    pub reason: ReferralReason,
    pub urgency: ReferralUrgency,
    pub reason_note: Option<String>,
    pub contact_person: ReferralContactAnswer,
    pub status: ReferralStatus,
    pub consent_recorded_here: bool,
    /// The version of the case when the referral was made.
    pub case_version: i64,
    pub created_by: String,
    pub created_at: String,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    pub answer_note: Option<String>,
    pub completed_by: Option<String>,
    pub completed_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revoked_at: Option<String>,
    /// The consent whose withdrawal ended the referral, and when.
    pub withdrawn_consent_id: Option<i64>,
    pub consent_withdrawn_at: Option<String>,
    pub updated_at: String,
    pub htcds: HtcdsReferralFieldsAnswer,
}

impl From<StoredReferral> for ReferralAnswer {
    fn from(stored: StoredReferral) -> Self {
        ReferralAnswer {
            id: stored.id,
            case_id: stored.case_id,
            from_organisation_id: stored.from_organisation_id,
            from_organisation: stored.from_organisation,
            to_organisation_id: stored.to_organisation_id,
            to_organisation: stored.to_organisation,
            services: stored.services,
            share: stored.share,
            reason: stored.reason,
            urgency: stored.urgency,
            reason_note: stored.reason_note,
            contact_person: stored.contact_person.into(),
            status: stored.status,
            consent_recorded_here: stored.consent_recorded_here,
            case_version: stored.case_version,
            created_by: stored.created_by,
            created_at: stored.created_at,
            answered_by: stored.answered_by,
            answered_at: stored.answered_at,
            answer_note: stored.answer_note,
            completed_by: stored.completed_by,
            completed_at: stored.completed_at,
            revoked_by: stored.revoked_by,
            revoked_at: stored.revoked_at,
            withdrawn_consent_id: stored.withdrawn_consent_id,
            consent_withdrawn_at: stored.consent_withdrawn_at,
            updated_at: stored.updated_at,
            htcds: stored.htcds.into(),
        }
    }
}

/// What the receiving organisation sees of a referred case: the referral, and exactly the shared
/// parts the person's consent still covers (the core's types). An unshared part is absent. The
/// component `SharedCase` describes it.
#[derive(Debug, Serialize)]
pub struct SharedCaseAnswer {
    pub referral: ReferralAnswer,
    /// The parts shown: those shared and still covered by an active consent.
    pub shared: Vec<ConsentScope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<SharedIdentity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<SharedContact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screenings: Option<Vec<SharedScreening>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<TraffickingEvent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<SharedNote>>,
    /// The documents attached to the case until the referral was made, when `documents` is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<SharedDocument>>,
}

impl From<SharedCase> for SharedCaseAnswer {
    fn from(shared: SharedCase) -> Self {
        SharedCaseAnswer {
            referral: shared.referral.into(),
            shared: shared.shared,
            identity: shared.identity,
            contact: shared.contact,
            screenings: shared.screenings,
            events: shared.events,
            notes: shared.notes,
            documents: shared.documents,
        }
    }
}

/// Each answer of a list, converted.
pub fn answers<Stored, Answer: From<Stored>>(stored: Vec<Stored>) -> Vec<Answer> {
    stored.into_iter().map(Answer::from).collect()
}
