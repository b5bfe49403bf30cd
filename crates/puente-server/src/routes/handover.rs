//! Handing a case over: the receiver opens its own case from an accepted referral (filled from
//! the shared parts only), and the two organisations write to each other on the referral.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api_types::IdAnswer;
use crate::auth::{see_other, PageUser, Principal};
use crate::cases;
use crate::error::ErrorAnswer;
use crate::error::{AppError, PageError};
use crate::extract::ApiJson;
use crate::forms::{CheckedForm, FormFields, FormRefusal};
use crate::policy::{self, Action};
use crate::services::handover::open_case_from_referral;
use crate::tasks::ReferralMessageSchema;
use crate::AppState;

/// The body of `POST /api/v1/referrals/{id}/messages`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    /// The message for the other organisation (never more than the referral shares).
    #[schema(min_length = 1, max_length = 4000)]
    text: String,
}

/// `POST /api/v1/referrals/{id}/messages` `{"text"}`: 201 `{"id"}`; 404 for a referral the
/// organisation is not party to.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/messages", params(("id" = i64, Path, description = "The referral")), request_body = MessageRequest, responses(
    (status = 201, description = "The message's id", body = IdAnswer),
    (status = 404, description = "No such referral the organisation is party to", body = ErrorAnswer),
    (status = 422, description = "An empty or overlong message, named in `field`", body = ErrorAnswer),
))]
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
    Ok((StatusCode::CREATED, Json(IdAnswer { id: message.id })).into_response())
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
#[utoipa::path(get, path = "/api/v1/referrals/{id}/messages", params(("id" = i64, Path, description = "The referral")), responses(
    (status = 200, description = "The referral's messages, oldest first", body = Vec<ReferralMessageSchema>),
    (status = 404, description = "No such referral the organisation is party to", body = ErrorAnswer),
))]
pub async fn list_messages(
    State(state): State<AppState>,
    principal: Principal,
    Path(referral_id): Path<i64>,
) -> Result<Json<Vec<ReferralMessageSchema>>, AppError> {
    policy::require(&principal.subject(), Action::ViewReferrals, None)?;
    let messages = state
        .store
        .referral_messages(principal.user.organisation_id, referral_id)
        .await?;
    Ok(Json(
        messages
            .into_iter()
            .map(ReferralMessageSchema::from)
            .collect(),
    ))
}

/// The referral page's message form: one message of 1 to the most characters.
#[derive(Debug)]
pub struct MessageForm {
    pub text: String,
}

impl TryFrom<FormFields> for MessageForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            let text = fields.text("text");
            check_message(&text).map_err(crate::forms::refused("text"))?;
            Ok(MessageForm { text })
        })
    }
}

/// `POST /referrals/{id}/messages`: the referral page's form.
pub async fn message_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(referral_id): Path<i64>,
    CheckedForm(form): CheckedForm<MessageForm>,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::ViewReferrals, None)?;
    // The role is checked before the message.
    let form = form?;
    state
        .store
        .post_referral_message(
            &user.actor(),
            user.principal.user.organisation_id,
            referral_id,
            &form.text,
        )
        .await?;
    Ok(see_other(&format!("/referrals/{referral_id}#messages")))
}

/// `POST /referrals/{id}/open-case`: the receiver opens its case, then goes to it.
pub async fn open_case_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(referral_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let case_id = open_case_from_referral(&state, &user.principal, referral_id, lang).await?;
    Ok(see_other(&format!("/cases/{case_id}")))
}

/// The answer of `POST /api/v1/cases/{id}/assign`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignAnswer {
    /// The case.
    id: i64,
    /// Its new assignee; null for no one.
    assignee: Option<i64>,
}

/// The body of `POST /api/v1/cases/{id}/assign`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// A colleague of the case's organisation who works cases; null gives the case to no one.
    assignee: Option<i64>,
}

/// `POST /api/v1/cases/{id}/assign` `{"assignee"}` (supervisors): gives the case to a colleague.
/// An assignee who cannot own the organisation's cases is a 422 naming `assignee`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/assign", params(("id" = i64, Path, description = "The case")), request_body = AssignRequest, responses(
    (status = 200, description = "The case's id and its assignee", body = AssignAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
    (status = 422, description = "The assignee cannot own cases of this organisation", body = ErrorAnswer),
))]
pub async fn assign_case(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<AssignAnswer>, AppError> {
    match cases::assign_case(&state, &principal, case_id, request.assignee).await {
        Ok(()) => Ok(Json(AssignAnswer {
            id: case_id,
            assignee: request.assignee,
        })),
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

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn a_message_form_converts_and_an_empty_or_overlong_one_names_the_text() {
        let form = MessageForm::try_from(fields_of(&[("text", " Recibido, gracias ")])).unwrap();
        assert_eq!(form.text, "Recibido, gracias");
        let refusal = MessageForm::try_from(fields_of(&[("text", "  ")])).unwrap_err();
        assert_eq!(refusal.field, "text");
        let long = "a".repeat(puente_store::followup::MESSAGE_MAX_CHARS + 1);
        let refusal = MessageForm::try_from(fields_of(&[("text", &long)])).unwrap_err();
        assert_eq!(refusal.field, "text");
        assert!(matches!(refusal.error, AppError::InvalidField { .. }));
    }
}
