//! Handing a case over: the receiver opens its own case from an accepted referral (filled from
//! the shared parts only), and the two organisations write to each other on the referral.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use puente_core::sharing::case_from_shared;
use puente_core::Lang;
use puente_store::{NewCase, ReferralStatus};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{see_other, PageUser, Principal};
use crate::cases::{self, FormFields};
use crate::error::{AppError, InLanguage, PageError};
use crate::policy::{self, Action};
use crate::routes::api::ApiJson;
use crate::AppState;

/// The name a case opened from a referral carries when the person's identity was not shared.
fn unshared_name(referral_id: i64, lang: Lang) -> String {
    match lang {
        Lang::Es => format!("Persona de la remisión {referral_id}"),
        Lang::En => format!("Person of referral {referral_id}"),
    }
}

/// Opens, at the receiving organisation, a case filled from the shared parts of an accepted
/// referral (read through `shared_case`, audited on both sides), owned by the user, and links it
/// to the referral. A referral that has a case already is refused before anything is written.
pub async fn open_case_from_referral(
    state: &AppState,
    principal: &Principal,
    referral_id: i64,
    lang: Lang,
) -> Result<i64, AppError> {
    policy::require(&principal.subject(), Action::ViewReferredCase, None)?;
    policy::require(&principal.subject(), Action::CreateCase, None)?;
    let organisation_id = principal.user.organisation_id;
    let referral = state
        .store
        .referral(organisation_id, referral_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if referral.to_organisation_id != organisation_id {
        return Err(AppError::NotFound);
    }
    if referral.status != ReferralStatus::Accepted {
        return Err(AppError::Conflict(format!(
            "referral {referral_id} is {}: a case is opened from an accepted referral",
            referral.status.code()
        )));
    }
    if let Some(case_id) = state
        .store
        .referral_case(organisation_id, referral_id)
        .await?
    {
        return Err(AppError::Conflict(format!(
            "case {case_id} was opened from referral {referral_id} already"
        )));
    }
    let shared = state
        .store
        .shared_case(&principal.actor(), organisation_id, referral_id)
        .await?;
    let case = case_from_shared(
        shared.identity.as_ref(),
        shared.contact.as_ref(),
        shared.events.as_deref(),
        &unshared_name(referral_id, lang),
    );
    cases::validate_case(&case)?;
    let ids = state
        .store
        .create_cases(
            &principal.actor(),
            organisation_id,
            &[NewCase {
                case,
                owner_user_id: Some(principal.user.id),
                opened_on: puente_store::cases::today_iso(),
            }],
        )
        .await?;
    let case_id = *ids
        .first()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the store created no case")))?;
    state
        .store
        .link_referral_case(&principal.actor(), organisation_id, referral_id, case_id)
        .await?;
    Ok(case_id)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    text: String,
}

/// `POST /api/v1/referrals/{id}/messages` `{"text"}`: 201 `{"id"}`; 404 for a referral the
/// organisation is not party to.
pub async fn post_message(
    State(state): State<AppState>,
    principal: Principal,
    Path(referral_id): Path<i64>,
    ApiJson(request): ApiJson<MessageRequest>,
) -> Result<Response, AppError> {
    policy::require(&principal.subject(), Action::ViewReferrals, None)?;
    check_message(&request.text)?;
    let message = state
        .store
        .post_referral_message(
            &principal.actor(),
            principal.user.organisation_id,
            referral_id,
            &request.text,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": message.id }))).into_response())
}

/// Refuses an empty or overlong message, naming the field.
fn check_message(text: &str) -> Result<(), AppError> {
    let length = text.trim().chars().count();
    if length == 0 || length > puente_store::followup::MESSAGE_MAX_CHARS {
        return Err(AppError::InvalidField {
            field: "text".into(),
            detail: format!(
                "a message needs 1 to {} characters",
                puente_store::followup::MESSAGE_MAX_CHARS
            ),
        });
    }
    Ok(())
}

/// `GET /api/v1/referrals/{id}/messages`: oldest first.
pub async fn list_messages(
    State(state): State<AppState>,
    principal: Principal,
    Path(referral_id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    policy::require(&principal.subject(), Action::ViewReferrals, None)?;
    let messages = state
        .store
        .referral_messages(principal.user.organisation_id, referral_id)
        .await?;
    Ok(Json(json!(messages)))
}

/// `POST /referrals/{id}/messages`: the referral page's form.
pub async fn message_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(referral_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ViewReferrals, None).in_language(lang)?;
    let fields = FormFields(pairs);
    let text = fields.get("text").unwrap_or("");
    check_message(text).in_language(lang)?;
    state
        .store
        .post_referral_message(
            &user.actor(),
            user.principal.user.organisation_id,
            referral_id,
            text,
        )
        .await
        .in_language(lang)?;
    Ok(see_other(&format!("/referrals/{referral_id}#messages")))
}

/// `POST /referrals/{id}/open-case`: the receiver opens its case, then goes to it.
pub async fn open_case_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(referral_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let case_id = open_case_from_referral(&state, &user.principal, referral_id, lang)
        .await
        .in_language(lang)?;
    Ok(see_other(&format!("/cases/{case_id}")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// A colleague of the case's organisation who works cases; null gives the case to no one.
    assignee: Option<i64>,
}

/// `POST /api/v1/cases/{id}/assign` `{"assignee"}` (supervisors): gives the case to a colleague.
/// An assignee who cannot own the organisation's cases is a 422 naming `assignee`.
pub async fn assign_case(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<Value>, AppError> {
    match cases::assign_case(&state, &principal, case_id, request.assignee).await {
        Ok(()) => Ok(Json(json!({ "id": case_id, "assignee": request.assignee }))),
        Err(AppError::Localized {
            id: "invalid-owner",
            value,
        }) => Err(AppError::InvalidField {
            field: "assignee".into(),
            detail: format!("user {value} cannot own cases of this organisation"),
        }),
        Err(error) => Err(error),
    }
}
