//! Referrals between organisations, in the API and the pages, and the notifications they
//! raise.
//!
//! The sender refers one of its cases (authorised as an action about that case) under the person's
//! consent; the store refuses a referral that no consent covers. The receiver answers from its
//! inbox and reads the case only through [`ReferralStore::shared_case`](puente_store::ReferralStore),
//! which returns the shared parts and audits the read on both sides: never through the case
//! routes, which stay scoped to the owning organisation.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use puente_core::htcds::{ConsentScope, ReferralReason};
use puente_core::{Lang, Vocabulary};
use puente_store::referrals::SHAREABLE_SCOPES;
use puente_store::{NewReferral, ReferralContact, ReferralStatus, ReferralUrgency, StoredReferral};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api_types::{answers, ReferralAnswer, SharedCaseAnswer};
use crate::auth::{see_other, PageUser, Principal, RequestLang};
use crate::cases;
use crate::error::{AppError, ErrorAnswer, PageError};
use crate::extract::ApiJson;
use crate::forms::{FormFields, FormRefusal, TypedForm};
use crate::i18n::t;
use crate::openapi::{ReferralSchema, SharedCaseSchema};
use crate::policy::{self, Action};
use crate::services::directory::match_view;
use crate::templates::{page, vocabulary_choices, Choice};
use crate::AppState;

/// The receiving organisation, by id or by slug.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum OrganisationRef {
    Id(i64),
    Slug(String),
}

/// A directory service, by id or by slug.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ServiceRef {
    Id(i64),
    Slug(String),
}

/// The body of `POST /api/v1/cases/{id}/referrals`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewReferralRequest {
    /// The receiving organisation's id or slug.
    to_org: OrganisationRef,
    /// Services of the receiving organisation, by id or slug.
    #[serde(default)]
    services: Vec<ServiceRef>,
    /// The parts of the case shared: at least one.
    #[schema(schema_with = shareable_parts_schema)]
    share: Vec<String>,
    /// The person consents now to sharing these parts with the organisation (recorded as a
    /// consent of the case).
    #[serde(default)]
    consent: bool,
    #[serde(default)]
    #[schema(schema_with = referral_reason_schema)]
    reason: Option<String>,
    /// How soon the receiver is asked to act (`routine` when left out).
    #[serde(default)]
    #[schema(value_type = Option<String>, schema_with = referral_urgency_schema)]
    urgency: Option<ReferralUrgency>,
    /// Why, in words (no more of the person than the shared parts hold).
    #[serde(default)]
    #[schema(max_length = 2000)]
    reason_note: Option<String>,
    /// The contact person at the sending organisation (the user who refers when left out).
    #[serde(default)]
    contact_person: Option<ReferralContactRequest>,
}

/// The contact person at the sending organisation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReferralContactRequest {
    #[schema(max_length = 200)]
    name: String,
    /// A phone number or an e-mail address.
    #[serde(default)]
    #[schema(max_length = 200)]
    details: Option<String>,
}

fn referral_urgency_schema() -> utoipa::openapi::Object {
    crate::api_types::optional(crate::api_types::vocabulary_codes::<ReferralUrgency>())
}

/// The parts of a case a referral can share, at least one.
fn shareable_parts_schema() -> utoipa::openapi::Array {
    let codes: Vec<&str> = SHAREABLE_SCOPES.iter().map(|scope| scope.code()).collect();
    utoipa::openapi::ArrayBuilder::new()
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .enum_values(Some(codes)),
        )
        .min_items(Some(1))
        .build()
}

fn referral_reason_schema() -> utoipa::openapi::Object {
    crate::api_types::optional(crate::api_types::vocabulary_codes::<ReferralReason>())
}

/// The answer of `POST /api/v1/cases/{id}/referrals`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedReferral {
    id: i64,
    #[schema(value_type = String)]
    status: ReferralStatus,
}

/// The optional body of a referral's answer: a note for the other side (never a survivor's data).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReferralNote {
    #[schema(max_length = 20000)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// The optional body of `POST /api/v1/referrals/{id}/accept`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AcceptRequest {
    /// Also open the receiver's own case from the shared parts.
    #[allow(dead_code)]
    open_case: Option<bool>,
}

async fn organisation_id_of(
    state: &AppState,
    reference: &OrganisationRef,
) -> Result<i64, AppError> {
    match reference {
        OrganisationRef::Id(id) => Ok(*id),
        OrganisationRef::Slug(slug) => state
            .store
            .organisation_by_slug(slug)
            .await?
            .map(|organisation| organisation.id)
            .ok_or_else(|| AppError::Invalid(format!("no organisation has the slug `{slug}`"))),
    }
}

async fn service_ids_of(state: &AppState, references: &[ServiceRef]) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    let mut stored = None;
    for reference in references {
        match reference {
            ServiceRef::Id(id) => ids.push(*id),
            ServiceRef::Slug(slug) => {
                if stored.is_none() {
                    stored = Some(state.store.services().await?);
                }
                let id = stored
                    .iter()
                    .flatten()
                    .find(|service| service.service.slug == *slug)
                    .map(|service| service.id)
                    .ok_or_else(|| {
                        AppError::Invalid(format!("no service has the slug `{slug}`"))
                    })?;
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

fn scopes_of<S: AsRef<str>>(codes: &[S]) -> Result<Vec<ConsentScope>, AppError> {
    codes
        .iter()
        .map(|code| {
            let code = code.as_ref();
            ConsentScope::from_code(code)
                .filter(|scope| SHAREABLE_SCOPES.contains(scope))
                .ok_or_else(|| {
                    AppError::Invalid(format!(
                        "`{code}` cannot be shared; share identity, contact, screening, events or notes"
                    ))
                })
        })
        .collect()
}

fn reason_of(code: Option<&str>) -> Result<ReferralReason, AppError> {
    match code {
        None => Ok(ReferralReason::AdditionalServicesRequired),
        Some(code) => ReferralReason::from_code(code)
            .ok_or_else(|| AppError::Invalid(format!("`{code}` is not a referral reason"))),
    }
}

/// Makes a referral of a case after checking that the user may refer it.
async fn refer_case(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
    referral: NewReferral,
) -> Result<StoredReferral, AppError> {
    let access = cases::authorize_case(state, principal, Action::ReferCase, case_id).await?;
    if referral.to_organisation_id == access.organisation_id {
        return Err(AppError::Invalid(
            "a case cannot be referred to its own organisation".into(),
        ));
    }
    if referral.share.is_empty() {
        return Err(AppError::Invalid(
            "a referral shares at least one part of the case".into(),
        ));
    }
    Ok(state
        .store
        .create_referral(&principal.actor(), access.organisation_id, &referral)
        .await?)
}

/// `POST /api/v1/cases/{id}/referrals`: 201 `{"id", "status"}`; 409 when no consent covers what
/// is shared (the message says so), 422 for a part that cannot be shared or an unknown receiver.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", params(("id" = i64, Path, description = "The case")), request_body = NewReferralRequest, responses(
    (status = 201, description = "The referral's id and status", body = CreatedReferral),
    (status = 409, description = "No consent covers what is shared, or an open referral to the organisation exists", body = ErrorAnswer),
    (status = 422, description = "A part that cannot be shared, an unknown organisation or service, or the case's own organisation", body = ErrorAnswer),
))]
pub async fn create_referral(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<NewReferralRequest>,
) -> Result<Response, AppError> {
    // Check access first, so that a caller who may not refer this case learns nothing more.
    cases::authorize_case(&state, &principal, Action::ReferCase, case_id).await?;
    let referral = NewReferral {
        case_id,
        to_organisation_id: organisation_id_of(&state, &request.to_org).await?,
        services: service_ids_of(&state, &request.services).await?,
        share: scopes_of(&request.share)?,
        consent: request.consent,
        reason: reason_of(request.reason.as_deref())?,
        urgency: request.urgency.unwrap_or(ReferralUrgency::Routine),
        reason_note: request.reason_note,
        contact_person: request
            .contact_person
            .map(|contact| ReferralContact {
                name: contact.name,
                details: contact.details,
            })
            .unwrap_or_default(),
    };
    let stored = refer_case(&state, &principal, case_id, referral).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/referrals/{}", stored.id))],
        Json(CreatedReferral {
            id: stored.id,
            status: stored.status,
        }),
    )
        .into_response())
}

/// `GET /api/v1/cases/{id}/referrals`: the referrals of one of the organisation's cases.
#[utoipa::path(get, path = "/api/v1/cases/{id}/referrals", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "The case's referrals, oldest first", body = Vec<ReferralSchema>),
))]
pub async fn case_referrals(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<ReferralAnswer>>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    let referrals = state
        .store
        .referrals_of_case(access.organisation_id, case_id)
        .await?;
    Ok(Json(answers(referrals)))
}

/// The answer of `GET /api/v1/referrals`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReferralLists {
    #[schema(value_type = Vec<ReferralSchema>)]
    received: Vec<ReferralAnswer>,
    #[schema(value_type = Vec<ReferralSchema>)]
    sent: Vec<ReferralAnswer>,
}

/// `GET /api/v1/referrals`: `{"received": [...], "sent": [...]}`, newest first.
#[utoipa::path(get, path = "/api/v1/referrals", responses(
    (status = 200, description = "The organisation's referrals, received and sent", body = ReferralLists),
))]
pub async fn list_referrals(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<ReferralLists>, AppError> {
    policy::require(&principal.subject(), Action::ViewReferrals, None)?;
    let organisation_id = principal.user.organisation_id;
    let received = state.store.referrals_received(organisation_id).await?;
    let sent = state.store.referrals_sent(organisation_id).await?;
    Ok(Json(ReferralLists {
        received: answers(received),
        sent: answers(sent),
    }))
}

/// `GET /api/v1/referrals/{id}`: the referral (no survivor data), seen from either side.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", params(("id" = i64, Path, description = "The referral")), responses(
    (status = 200, description = "The referral", body = ReferralSchema),
))]
pub async fn get_referral(
    State(state): State<AppState>,
    principal: Principal,
    Path(referral_id): Path<i64>,
) -> Result<Json<ReferralAnswer>, AppError> {
    policy::require(&principal.subject(), Action::ViewReferrals, None)?;
    let referral = state
        .store
        .referral(principal.user.organisation_id, referral_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(referral.into()))
}

/// `GET /api/v1/referrals/{id}/case`: for the receiving organisation, exactly the shared parts of
/// the case that the consent still covers. Audited on both sides.
#[utoipa::path(get, path = "/api/v1/referrals/{id}/case", params(("id" = i64, Path, description = "The referral")), responses(
    (status = 200, description = "The shared case", body = SharedCaseSchema),
    (status = 409, description = "The referral was rejected or revoked, or the consent withdrawn", body = ErrorAnswer),
))]
pub async fn shared_case(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(referral_id): Path<i64>,
) -> Result<Json<SharedCaseAnswer>, AppError> {
    policy::require(&principal.subject(), Action::ViewReferredCase, None)?;
    let mut shared = state
        .store
        .shared_case(
            &principal.actor(),
            principal.user.organisation_id,
            referral_id,
        )
        .await?;
    explain_shared_screenings(&state, &mut shared, lang).await?;
    Ok(Json(shared.into()))
}

/// Writes the shared screenings' explanation and next steps in the receiver's language.
async fn explain_shared_screenings(
    state: &AppState,
    shared: &mut puente_store::SharedCase,
    lang: Lang,
) -> Result<(), AppError> {
    for screening in shared.screenings.iter_mut().flatten() {
        crate::cases::explain_stored_screening(
            state,
            &screening.input,
            &mut screening.result,
            lang,
        )
        .await?;
    }
    Ok(())
}

/// What a user does to a referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Reject,
    Complete,
    Revoke,
}

impl Answer {
    fn from_path(word: &str) -> Option<Answer> {
        match word {
            "accept" => Some(Answer::Accept),
            "reject" => Some(Answer::Reject),
            "complete" => Some(Answer::Complete),
            "revoke" => Some(Answer::Revoke),
            _ => None,
        }
    }
}

/// Applies an answer after the policy check: the receiver accepts, rejects and completes; the
/// sender revokes, as an action about the referred case. The store checks the side and status.
async fn answer_referral(
    state: &AppState,
    principal: &Principal,
    referral_id: i64,
    answer: Answer,
    note: Option<&str>,
) -> Result<StoredReferral, AppError> {
    let organisation_id = principal.user.organisation_id;
    let actor = principal.actor();
    match answer {
        Answer::Revoke => {
            policy::require(&principal.subject(), Action::ViewReferrals, None)?;
            let referral = state
                .store
                .referral(organisation_id, referral_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if referral.from_organisation_id != organisation_id {
                return Err(AppError::Conflict(
                    "only the organisation that sent a referral can revoke it".into(),
                ));
            }
            cases::authorize_case(state, principal, Action::RevokeReferral, referral.case_id)
                .await?;
            Ok(state
                .store
                .revoke_referral(&actor, organisation_id, referral_id)
                .await?)
        }
        Answer::Accept => {
            policy::require(&principal.subject(), Action::AnswerReferral, None)?;
            Ok(state
                .store
                .accept_referral(&actor, organisation_id, referral_id)
                .await?)
        }
        Answer::Reject => {
            policy::require(&principal.subject(), Action::AnswerReferral, None)?;
            Ok(state
                .store
                .reject_referral(&actor, organisation_id, referral_id, note)
                .await?)
        }
        Answer::Complete => {
            policy::require(&principal.subject(), Action::AnswerReferral, None)?;
            Ok(state
                .store
                .complete_referral(&actor, organisation_id, referral_id)
                .await?)
        }
    }
}

/// `POST /api/v1/referrals/{id}/accept|reject|complete|revoke`: 200 with the referral; a reject
/// may carry `{"note"}` (never a survivor's data). 409 for the wrong side or status.
async fn referral_action(
    state: AppState,
    principal: Principal,
    referral_id: i64,
    answer: Answer,
    body: Bytes,
) -> Result<Json<ReferralAnswer>, AppError> {
    let note = if body.is_empty() {
        None
    } else {
        let value: Value = serde_json::from_slice(&body)
            .map_err(|error| AppError::BadRequest(error.to_string()))?;
        value["note"].as_str().map(str::to_string)
    };
    let referral =
        answer_referral(&state, &principal, referral_id, answer, note.as_deref()).await?;
    Ok(Json(referral.into()))
}

/// The answer of `POST /api/v1/referrals/{id}/accept`: the referral, and the receiver's new case
/// when it asked to open one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AcceptedReferral {
    #[serde(flatten)]
    #[schema(inline, value_type = ReferralSchema)]
    referral: ReferralAnswer,
    /// The receiver's own case opened from the shared parts (with `open_case` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    case_id: Option<i64>,
}

/// `POST /api/v1/referrals/{id}/accept` (the receiver). With `{"open_case": true}` the
/// receiver also opens its own case from the shared parts: 200 `{"case_id"}` with the referral.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/accept", params(("id" = i64, Path, description = "The referral")), request_body(content = Option<AcceptRequest>, description = "Nothing, or whether to open the receiver's own case", content_type = "application/json"), responses(
    (status = 200, description = "The referral after the change; with `open_case`, also the new case's `case_id`", body = AcceptedReferral),
    (status = 409, description = "The wrong side or the wrong status for this change", body = ErrorAnswer),
    (status = 422, description = "`open_case` is not true or false", body = ErrorAnswer),
))]
pub async fn accept_referral(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(referral_id): Path<i64>,
    body: Bytes,
) -> Result<Json<AcceptedReferral>, AppError> {
    let open_case = if body.is_empty() {
        false
    } else {
        let value: Value = serde_json::from_slice(&body)
            .map_err(|error| AppError::BadRequest(error.to_string()))?;
        match &value["open_case"] {
            Value::Null => false,
            Value::Bool(open) => *open,
            other => {
                return Err(AppError::InvalidField {
                    field: "open_case".into(),
                    detail: format!("`{other}` is not true or false"),
                })
            }
        }
    };
    if open_case {
        // Both checks come before the answer, so a refusal changes nothing.
        policy::require(&principal.subject(), Action::CreateCase, None)?;
    }
    let referral = answer_referral(&state, &principal, referral_id, Answer::Accept, None).await?;
    if !open_case {
        return Ok(Json(AcceptedReferral {
            referral: referral.into(),
            case_id: None,
        }));
    }
    let case_id =
        crate::services::handover::open_case_from_referral(&state, &principal, referral_id, lang)
            .await?;
    Ok(Json(AcceptedReferral {
        referral: referral.into(),
        case_id: Some(case_id),
    }))
}

/// `POST /api/v1/referrals/{id}/reject` (the receiver), with an optional `{"note"}`.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/reject", params(("id" = i64, Path, description = "The referral")), request_body(content = Option<ReferralNote>, description = "Nothing, or a note saying why", content_type = "application/json"), responses(
    (status = 200, description = "The referral after the change", body = ReferralSchema),
    (status = 409, description = "The wrong side or the wrong status for this change", body = ErrorAnswer),
))]
pub async fn reject_referral(
    State(state): State<AppState>,
    principal: Principal,
    Path(referral_id): Path<i64>,
    body: Bytes,
) -> Result<Json<ReferralAnswer>, AppError> {
    referral_action(state, principal, referral_id, Answer::Reject, body).await
}

/// `POST /api/v1/referrals/{id}/complete` (the receiver).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/complete", params(("id" = i64, Path, description = "The referral")), request_body(content = Option<ReferralNote>, description = "Nothing, or a note", content_type = "application/json"), responses(
    (status = 200, description = "The referral after the change", body = ReferralSchema),
    (status = 409, description = "The wrong side or the wrong status for this change", body = ErrorAnswer),
))]
pub async fn complete_referral(
    State(state): State<AppState>,
    principal: Principal,
    Path(referral_id): Path<i64>,
    body: Bytes,
) -> Result<Json<ReferralAnswer>, AppError> {
    referral_action(state, principal, referral_id, Answer::Complete, body).await
}

/// `POST /api/v1/referrals/{id}/revoke` (the sender).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/revoke", params(("id" = i64, Path, description = "The referral")), request_body(content = Option<ReferralNote>, description = "Nothing, or a note", content_type = "application/json"), responses(
    (status = 200, description = "The referral after the change", body = ReferralSchema),
    (status = 409, description = "The wrong side or the wrong status for this change", body = ErrorAnswer),
))]
pub async fn revoke_referral(
    State(state): State<AppState>,
    principal: Principal,
    Path(referral_id): Path<i64>,
    body: Bytes,
) -> Result<Json<ReferralAnswer>, AppError> {
    referral_action(state, principal, referral_id, Answer::Revoke, body).await
}

/// The query of `GET /api/v1/notifications`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParameters {
    /// Only the unread notifications.
    #[serde(default)]
    unread: bool,
}

/// A notification of the organisation, as the API gives it to one user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationAnswer {
    id: i64,
    organisation_id: i64,
    /// What it is about.
    #[schema(schema_with = notification_kind_schema)]
    kind: puente_store::referrals::NotificationKind,
    referral_id: i64,
    /// The organisation on the other side of the referral (its name).
    other_organisation: String,
    /// When (ISO 8601, UTC).
    created_at: String,
    /// When someone of the organisation first read it.
    read_at: Option<String>,
    /// Who first read it.
    read_by: Option<String>,
    /// When this user read it.
    read_by_me_at: Option<String>,
    /// The notification as a sentence in the request's language.
    message: String,
    /// Whether this user read it.
    read: bool,
}

fn notification_kind_schema() -> utoipa::openapi::Object {
    use puente_store::referrals::NotificationKind;
    crate::api_types::code_schema(NotificationKind::ALL.map(NotificationKind::code))
}

/// `GET /api/v1/notifications?unread=true`: the organisation's notifications, newest first, each
/// with its `message` in the request's language.
#[utoipa::path(get, path = "/api/v1/notifications", params(NotificationParameters), responses(
    (status = 200, description = "Notifications, newest first", body = Vec<NotificationAnswer>),
))]
pub async fn list_notifications(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Query(parameters): Query<NotificationParameters>,
) -> Result<Json<Vec<NotificationAnswer>>, AppError> {
    policy::require(&principal.subject(), Action::ViewReferrals, None)?;
    let notifications = state
        .store
        .user_notifications(
            principal.user.organisation_id,
            principal.user.id,
            parameters.unread,
        )
        .await?;
    Ok(Json(
        notifications
            .into_iter()
            .map(|notification| NotificationAnswer {
                message: notification.message(lang),
                read: notification.read_by_me_at.is_some(),
                id: notification.notification.id,
                organisation_id: notification.notification.organisation_id,
                kind: notification.notification.kind,
                referral_id: notification.notification.referral_id,
                other_organisation: notification.notification.other_organisation,
                created_at: notification.notification.created_at,
                read_at: notification.notification.read_at,
                read_by: notification.notification.read_by,
                read_by_me_at: notification.read_by_me_at,
            })
            .collect(),
    ))
}

/// `POST /api/v1/notifications/{id}/read`: 204.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", params(("id" = i64, Path, description = "The notification")), responses(
    (status = 204, description = "Marked read"),
))]
pub async fn read_notification(
    State(state): State<AppState>,
    principal: Principal,
    Path(notification_id): Path<i64>,
) -> Result<StatusCode, AppError> {
    policy::require(&principal.subject(), Action::ViewReferrals, None)?;
    state
        .store
        .mark_read_for_user(
            &principal.actor(),
            principal.user.organisation_id,
            principal.user.id,
            notification_id,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The answer of `POST /api/v1/notifications/read`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkedAnswer {
    /// How many notifications were unread.
    marked: u64,
}

/// `POST /api/v1/notifications/read`: marks every notification read; `{"marked": n}`.
#[utoipa::path(post, path = "/api/v1/notifications/read", responses(
    (status = 200, description = "How many were unread", body = MarkedAnswer),
))]
pub async fn read_all_notifications(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<MarkedAnswer>, AppError> {
    policy::require(&principal.subject(), Action::ViewReferrals, None)?;
    let marked = state
        .store
        .mark_all_read_for_user(
            &principal.actor(),
            principal.user.organisation_id,
            principal.user.id,
        )
        .await?;
    Ok(Json(MarkedAnswer { marked }))
}

// ---- Pages ----

/// A referral as the pages list it.
#[derive(Debug, Serialize)]
pub struct ReferralRow {
    pub id: i64,
    pub case_id: i64,
    pub other_organisation: String,
    pub status: String,
    pub status_label: String,
    pub share: String,
    pub created_at: String,
    pub received: bool,
    pub urgency: String,
    pub urgency_label: String,
}

fn scope_labels(scopes: &[ConsentScope], lang: Lang) -> String {
    scopes
        .iter()
        .map(|scope| scope.label_in(lang).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The organisations' names by id, for the pages (the referral carries the slugs).
async fn organisation_names(
    state: &AppState,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    Ok(state
        .store
        .list_organisations()
        .await?
        .into_iter()
        .map(|organisation| (organisation.id, organisation.organisation.name))
        .collect())
}

fn referral_row(
    referral: &StoredReferral,
    organisation_id: i64,
    names: &std::collections::HashMap<i64, String>,
    lang: Lang,
) -> ReferralRow {
    let received = referral.to_organisation_id == organisation_id;
    let (other_id, other_slug) = if received {
        (referral.from_organisation_id, &referral.from_organisation)
    } else {
        (referral.to_organisation_id, &referral.to_organisation)
    };
    ReferralRow {
        id: referral.id,
        case_id: referral.case_id,
        other_organisation: names
            .get(&other_id)
            .cloned()
            .unwrap_or_else(|| other_slug.clone()),
        status: referral.status.code().to_string(),
        status_label: referral.status.label().get(lang).to_string(),
        share: scope_labels(&referral.share, lang),
        created_at: referral.created_at.clone(),
        urgency: referral.urgency.code().to_string(),
        urgency_label: referral.urgency.label_in(lang).to_string(),
        received,
    }
}

/// `GET /referrals`: the inbox (received) and the referrals sent, with their statuses.
pub async fn referrals_page(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ViewReferrals, None)?;
    let organisation_id = user.principal.user.organisation_id;
    let received = state.store.referrals_received(organisation_id).await?;
    let sent = state.store.referrals_sent(organisation_id).await?;
    let notifications = state.store.notifications(organisation_id, true).await?;
    let names = organisation_names(&state).await?;
    Ok(page(
        &user,
        "/referrals",
        "referrals.html",
        context! {
            received => received.iter().map(|r| referral_row(r, organisation_id, &names, lang)).collect::<Vec<_>>(),
            sent => sent.iter().map(|r| referral_row(r, organisation_id, &names, lang)).collect::<Vec<_>>(),
            unread => notifications.iter().map(|n| n.message(lang)).collect::<Vec<_>>(),
        },
    )?
    .into_response())
}

/// `GET /referrals/{id}`: for the receiver, the referral and exactly the shared parts of the case
/// (audited on both sides), with accept, reject and complete; for the sender, the referral and its
/// status, with revoke.
pub async fn referral_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(referral_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ViewReferrals, None)?;
    let organisation_id = user.principal.user.organisation_id;
    let referral = state
        .store
        .referral(organisation_id, referral_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let received = referral.to_organisation_id == organisation_id;
    let mut shared = Value::Null;
    if received && referral.status.gives_access() {
        policy::require(&user.subject(), Action::ViewReferredCase, None)?;
        let mut case = state
            .store
            .shared_case(&user.actor(), organisation_id, referral_id)
            .await?;
        explain_shared_screenings(&state, &mut case, lang).await?;
        shared = shared_case_view(&case, lang);
    }
    let services = {
        let organisations = state.store.list_organisations().await?;
        let mut names = Vec::new();
        for id in &referral.services {
            if let Some(service) = state.store.service(*id).await? {
                let found = puente_store::StoredServiceMatch {
                    id: service.id,
                    organisation_id: service.organisation_id,
                    score: 0,
                    reasons: Vec::new(),
                    service: service.service,
                };
                names.push(match_view(&found, &organisations, lang).name);
            }
        }
        names
    };
    let names = organisation_names(&state).await?;
    let row = referral_row(&referral, organisation_id, &names, lang);
    let messages: Vec<Value> = state
        .store
        .referral_messages(organisation_id, referral_id)
        .await?
        .into_iter()
        .map(|message| {
            json!({
                "mine": message.organisation_id == organisation_id,
                "organisation": message.organisation,
                "author": message.author,
                "text": message.text,
                "created_at": message.created_at,
            })
        })
        .collect();
    let opened_case = if received {
        state
            .store
            .referral_case(organisation_id, referral_id)
            .await?
    } else {
        None
    };
    let can_open_case = received
        && referral.status == ReferralStatus::Accepted
        && opened_case.is_none()
        && policy::authorize(&user.subject(), Action::CreateCase, None) == policy::Decision::Allow;
    Ok(page(
        &user,
        &format!("/referrals/{referral_id}"),
        "referral.html",
        context! {
            referral => row,
            services => services,
            reason => referral.reason.label_in(lang).to_string(),
            urgency => referral.urgency.label_in(lang).to_string(),
            urgency_code => referral.urgency.code(),
            reason_note => referral.reason_note,
            contact => referral.contact_person,
            answered_at => referral.answered_at,
            completed_at => referral.completed_at,
            revoked_at => referral.revoked_at,
            consent_withdrawn_at => referral.consent_withdrawn_at,
            answer_note => referral.answer_note,
            can_accept => received && referral.status == ReferralStatus::Pending,
            can_complete => received && referral.status == ReferralStatus::Accepted,
            can_revoke => !received && matches!(referral.status, ReferralStatus::Pending | ReferralStatus::Accepted),
            shared => shared,
            messages => messages,
            opened_case => opened_case,
            can_open_case => can_open_case,
        },
    )?
    .into_response())
}

/// The shared parts of a case as the page shows them: absent parts stay absent.
fn shared_case_view(case: &puente_store::SharedCase, lang: Lang) -> Value {
    let identity = case.identity.as_ref().map(|identity| {
        let names = [
            Some(identity.given_name.as_str()),
            identity.middle_name.as_deref(),
            Some(identity.surname.as_str()),
            identity.second_surname.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|name| !name.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
        json!({
            "name": names,
            "sex": identity.sex.map(|sex| sex.label_in(lang).to_string()),
            "date_of_birth": identity.date_of_birth.map(|date| date.to_string()),
            "estimated_age": identity.estimated_age,
            "nationality": identity.nationality.map(|country| country.name(lang).to_string()),
            "languages": identity.languages.join(", "),
        })
    });
    let contact = case.contact.as_ref().map(|contact| {
        json!({
            "phone": contact.phone,
            "country": contact.current_country.map(|country| country.name(lang).to_string()),
            "place": contact.current_place,
        })
    });
    let screenings = case.screenings.as_ref().map(|screenings| {
        screenings
            .iter()
            .map(|screening| {
                json!({
                    "level": screening.level,
                    "level_label": crate::services::case_rows::level_label(&screening.level, lang),
                    "next_steps": screening.result["next_steps"].as_array().cloned().unwrap_or_default(),
                    "created_at": screening.created_at,
                })
            })
            .collect::<Vec<_>>()
    });
    let events = case.events.as_ref().map(|events| {
        events
            .iter()
            .map(|event| {
                json!({
                    "kind": event.kind.label_in(lang).to_string(),
                    "country": event.country.map(|country| country.name(lang).to_string()).unwrap_or_default(),
                    "place": event.place.clone().unwrap_or_default(),
                    "date": event.date.map(|date| date.to_string()).unwrap_or_else(|| "?".into()),
                })
            })
            .collect::<Vec<_>>()
    });
    let notes = case.notes.as_ref().map(|notes| {
        notes
            .iter()
            .map(|note| json!({ "author": note.author, "text": note.text, "created_at": note.created_at }))
            .collect::<Vec<_>>()
    });
    let documents = case.documents.as_ref().map(|documents| {
        documents
            .iter()
            .map(|document| {
                json!({
                    "id": document.id,
                    "file_name": document.file_name,
                    "created_at": document.created_at,
                })
            })
            .collect::<Vec<_>>()
    });
    json!({
        "shared": scope_labels(&case.shared, lang),
        "identity": identity,
        "contact": contact,
        "screenings": screenings,
        "events": events,
        "notes": notes,
        "documents": documents,
    })
}

/// The form of a referral's status change: a note, when one is written.
#[derive(Debug)]
pub struct ReferralAnswerForm {
    pub note: Option<String>,
}

impl TryFrom<FormFields> for ReferralAnswerForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(ReferralAnswerForm {
            note: fields.get("note").map(str::to_string),
        })
    }
}

/// `POST /referrals/{id}/{accept|reject|complete|revoke}` from the pages.
pub async fn referral_action_form(
    State(state): State<AppState>,
    user: PageUser,
    Path((referral_id, word)): Path<(i64, String)>,
    TypedForm(form): TypedForm<ReferralAnswerForm>,
) -> Result<Response, PageError> {
    let answer = Answer::from_path(&word).ok_or(AppError::NotFound)?;
    answer_referral(
        &state,
        &user.principal,
        referral_id,
        answer,
        form.note.as_deref(),
    )
    .await?;
    Ok(see_other(&format!("/referrals/{referral_id}")))
}

#[derive(Debug, Deserialize)]
pub struct ReferFormParameters {
    #[serde(default)]
    service: Option<i64>,
}

/// What the referral form holds: empty for a new form, what the user chose when it comes back
/// refused. Nothing is chosen for the user: no part of the case is ticked to share.
#[derive(Debug, Default, Serialize)]
pub struct ReferFormValues {
    organisation: String,
    service_id: Option<i64>,
    reason: String,
    urgency: String,
    reason_note: String,
    contact_name: String,
    contact_details: String,
    share: Vec<String>,
    consent: bool,
}

/// The referral form as sent. It refuses nothing itself: the page checks every field at once and
/// shows each message next to its field.
#[derive(Debug)]
pub struct ReferForm {
    pub values: ReferFormValues,
    /// The reason's code, when one was sent (none: additional services).
    pub reason: Option<String>,
    /// Whether the form had a contact field at all (without one, the contact is the user).
    pub contact_name_sent: bool,
}

impl TryFrom<FormFields> for ReferForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        let values = ReferFormValues {
            organisation: fields.text("to_org"),
            service_id: fields.get("service").and_then(|value| value.parse().ok()),
            reason: fields.text("reason"),
            // A form sent without these fields asks for a routine referral with the user as the
            // contact; a field sent blank is refused next to it.
            urgency: fields
                .get("urgency")
                .unwrap_or(ReferralUrgency::Routine.code())
                .to_string(),
            reason_note: fields.text("reason_note"),
            contact_name: fields.text("contact_name"),
            contact_details: fields.text("contact_details"),
            share: fields
                .all("share")
                .into_iter()
                .map(str::to_string)
                .collect(),
            consent: fields.is_yes("consent"),
        };
        Ok(ReferForm {
            values,
            reason: fields.get("reason").map(str::to_string),
            contact_name_sent: fields.0.iter().any(|(name, _)| name == "contact_name"),
        })
    }
}

/// The messages of a refused referral form, each shown next to its field, in the user's language.
#[derive(Debug, Default, Serialize)]
struct ReferFormErrors {
    organisation: Option<String>,
    share: Option<String>,
    consent: Option<String>,
    urgency: Option<String>,
    contact: Option<String>,
    /// A refusal that is not about one field (the store's), shown above the form.
    form: Option<String>,
}

impl ReferFormErrors {
    fn any(&self) -> bool {
        self.organisation.is_some()
            || self.share.is_some()
            || self.consent.is_some()
            || self.urgency.is_some()
            || self.contact.is_some()
            || self.form.is_some()
    }
}

/// The referral form, with the values and messages given; the receiving organisation is preset
/// from the service when there is one.
async fn refer_form_page(
    state: &AppState,
    user: &PageUser,
    case_id: i64,
    own_organisation_id: i64,
    values: &ReferFormValues,
    errors: &ReferFormErrors,
) -> Result<axum::response::Html<String>, PageError> {
    let lang = user.lang;
    let service = match values.service_id {
        Some(id) => state.store.service(id).await?,
        None => None,
    };
    let organisations: Vec<Choice> = state
        .store
        .list_organisations()
        .await?
        .into_iter()
        .filter(|organisation| organisation.id != own_organisation_id)
        .map(|organisation| Choice {
            value: organisation.id.to_string(),
            label: organisation.organisation.name,
        })
        .collect();
    let scopes: Vec<Choice> = SHAREABLE_SCOPES
        .iter()
        .map(|scope| Choice {
            value: scope.code().to_string(),
            label: scope.label_in(lang).to_string(),
        })
        .collect();
    let selected_organisation = if values.organisation.is_empty() {
        service
            .as_ref()
            .map(|service| service.organisation_id.to_string())
            .unwrap_or_default()
    } else {
        values.organisation.clone()
    };
    page(
        user,
        &format!("/cases/{case_id}/refer"),
        "referral_form.html",
        context! {
            case_id => case_id,
            organisations => organisations,
            selected_organisation => selected_organisation,
            service_id => service.as_ref().map(|service| service.id),
            service_name => service.as_ref().map(|service| service.service.name(lang).to_string()),
            scopes => scopes,
            reasons => vocabulary_choices::<ReferralReason>(lang),
            urgencies => vocabulary_choices::<ReferralUrgency>(lang),
            values => values,
            errors => errors,
        },
    )
}

/// `GET /cases/{id}/refer?service=ID`: the referral form: the receiving organisation (preset from
/// the service), the parts of the case to share (none ticked), and the person's consent.
pub async fn refer_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    Query(parameters): Query<ReferFormParameters>,
) -> Result<Response, PageError> {
    let access = cases::authorize_case(&state, &user.principal, Action::ReferCase, case_id).await?;
    // The contact is the user who refers, unless they name a colleague.
    let values = ReferFormValues {
        service_id: parameters.service,
        urgency: ReferralUrgency::Routine.code().to_string(),
        contact_name: user.principal.user.display_name.clone(),
        ..ReferFormValues::default()
    };
    let html = refer_form_page(
        &state,
        &user,
        case_id,
        access.organisation_id,
        &values,
        &ReferFormErrors::default(),
    )
    .await?;
    Ok(html.into_response())
}

/// `POST /cases/{id}/refer`: makes the referral from the form. A refused form (no organisation,
/// nothing to share, no consent, or the store's refusal) comes back filled in as it was sent,
/// with the message next to the field, and nothing is sent.
pub async fn refer_submit(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    TypedForm(form): TypedForm<ReferForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let access = cases::authorize_case(&state, &user.principal, Action::ReferCase, case_id).await?;
    let ReferForm {
        mut values,
        reason,
        contact_name_sent,
    } = form;
    if !contact_name_sent {
        values.contact_name = user.principal.user.display_name.clone();
    }
    let mut errors = ReferFormErrors::default();
    let to_organisation_id: Option<i64> = values.organisation.parse().ok();
    if to_organisation_id.is_none() {
        errors.organisation = Some(t(lang, "referral-pick-organisation"));
    }
    let share = scopes_of(&values.share);
    match &share {
        Ok(scopes) if scopes.is_empty() => errors.share = Some(t(lang, "referral-pick-share")),
        Ok(_) => {}
        Err(error) => errors.share = Some(error.message(lang)),
    }
    if !values.consent {
        errors.consent = Some(t(lang, "referral-needs-consent"));
    }
    let reason = reason_of(reason.as_deref());
    if let Err(error) = &reason {
        errors.form = Some(error.message(lang));
    }
    let urgency = ReferralUrgency::from_code(&values.urgency);
    if urgency.is_none() {
        errors.urgency = Some(t(lang, "referral-pick-urgency"));
    }
    if values.contact_name.trim().is_empty() {
        errors.contact = Some(t(lang, "referral-needs-contact"));
    }
    if let Some(problem) = puente_core::bounds::referral_details_out_of_bounds(
        Some(&values.reason_note),
        Some(&values.contact_name),
        Some(&values.contact_details),
    ) {
        errors.form = Some(AppError::OutOfBounds(problem).message(lang));
    }
    if let (false, Some(to_organisation_id), Ok(share), Ok(reason), Some(urgency)) =
        (errors.any(), to_organisation_id, share, reason, urgency)
    {
        let referral = NewReferral {
            case_id,
            to_organisation_id,
            services: values.service_id.into_iter().collect(),
            share,
            consent: true,
            reason,
            urgency,
            reason_note: Some(values.reason_note.clone()),
            contact_person: ReferralContact {
                name: values.contact_name.clone(),
                details: Some(values.contact_details.clone()),
            },
        };
        match refer_case(&state, &user.principal, case_id, referral).await {
            Ok(stored) => return Ok(see_other(&format!("/referrals/{}", stored.id))),
            Err(
                error @ (AppError::Conflict(_) | AppError::Invalid(_) | AppError::Localized { .. }),
            ) => {
                errors.form = Some(error.message(lang));
            }
            Err(other) => return Err(PageError(other)),
        }
    }
    let status = if errors.consent.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = refer_form_page(
        &state,
        &user,
        case_id,
        access.organisation_id,
        &values,
        &errors,
    )
    .await?;
    Ok((status, html).into_response())
}

/// `GET /notifications`: the organisation's notifications, unread first marked.
pub async fn notifications_page(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ViewReferrals, None)?;
    let notifications = state
        .store
        .user_notifications(
            user.principal.user.organisation_id,
            user.principal.user.id,
            false,
        )
        .await?;
    let rows: Vec<Value> = notifications
        .iter()
        .map(|notification| {
            json!({
                "id": notification.notification.id,
                "message": notification.message(lang),
                "referral_id": notification.notification.referral_id,
                "created_at": notification.notification.created_at,
                "unread": notification.read_by_me_at.is_none(),
            })
        })
        .collect();
    let account_notices =
        crate::services::account_notices::account_notices(&state, &user.principal, user.lang)
            .await?;
    Ok(page(
        &user,
        "/notifications",
        "notifications.html",
        context! { notifications => rows, account_notices => account_notices },
    )?
    .into_response())
}

/// `POST /notifications/read`: marks every notification read.
pub async fn notifications_read_form(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::ViewReferrals, None)?;
    state
        .store
        .mark_all_read_for_user(
            &user.actor(),
            user.principal.user.organisation_id,
            user.principal.user.id,
        )
        .await?;
    Ok(see_other("/notifications"))
}

/// `GET /notifications/{id}`: opens a notification: marks it read for the user and goes to the
/// referral it is about.
pub async fn open_notification(
    State(state): State<AppState>,
    user: PageUser,
    Path(notification_id): Path<i64>,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::ViewReferrals, None)?;
    let organisation_id = user.principal.user.organisation_id;
    let notification = state
        .store
        .user_notifications(organisation_id, user.principal.user.id, false)
        .await?
        .into_iter()
        .find(|notification| notification.notification.id == notification_id)
        .ok_or(AppError::NotFound)?;
    state
        .store
        .mark_read_for_user(
            &user.actor(),
            organisation_id,
            user.principal.user.id,
            notification_id,
        )
        .await?;
    Ok(see_other(&format!(
        "/referrals/{}",
        notification.notification.referral_id
    )))
}

/// `GET /notifications/badge.svg`: the number of unread notifications as a small image, so that
/// every page's menu shows it without scripts (an empty image when there are none, or when the
/// role has no referrals).
pub async fn notifications_badge(State(state): State<AppState>, user: PageUser) -> Response {
    let unread = if policy::authorize(&user.subject(), Action::ViewReferrals, None)
        == policy::Decision::Allow
    {
        state
            .store
            .unread_count_for_user(user.principal.user.organisation_id, user.principal.user.id)
            .await
            .unwrap_or(0)
    } else {
        0
    };
    let svg = if unread == 0 {
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#.to_string()
    } else {
        let text = if unread > 99 {
            "99+".to_string()
        } else {
            unread.to_string()
        };
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="28" height="20" viewBox="0 0 28 20"><rect width="28" height="20" rx="10" fill="#a3211a"/><text x="14" y="14.5" font-family="sans-serif" font-size="12" font-weight="700" fill="#fff" text-anchor="middle">{text}</text></svg>"##
        )
    };
    ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn the_referral_forms_read_their_fields_with_the_defaults_of_a_short_form() {
        let form = ReferForm::try_from(fields_of(&[
            ("to_org", "2"),
            ("service", "5"),
            ("share", "identity"),
            ("share", "contact"),
            ("consent", "yes"),
        ]))
        .unwrap();
        assert_eq!(form.values.organisation, "2");
        assert_eq!(form.values.service_id, Some(5));
        assert_eq!(form.values.share, ["identity", "contact"]);
        assert_eq!(form.values.urgency, ReferralUrgency::Routine.code());
        assert!(form.values.consent && !form.contact_name_sent);
        assert_eq!(form.reason, None);
        let form =
            ReferForm::try_from(fields_of(&[("contact_name", " "), ("reason", "x")])).unwrap();
        assert!(form.contact_name_sent && form.values.contact_name.is_empty());
        assert_eq!(form.reason.as_deref(), Some("x"));
        let form = ReferralAnswerForm::try_from(fields_of(&[("note", "  ")])).unwrap();
        assert_eq!(form.note, None);
    }
}
