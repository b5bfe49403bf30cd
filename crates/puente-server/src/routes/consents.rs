//! Consents of a case, given and withdrawn through their own actions (the JSON API and the case
//! page), never through a case update. A withdrawal asks for confirmation on the page; it ends the
//! access of every referral that shared under the consent, and the receiver is told.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use puente_core::domain::PartialDate;
use puente_core::htcds::ConsentScope;
use puente_core::Vocabulary;
use puente_store::{AuditAction, NewConsent, StoredConsent};
use serde::Deserialize;

use crate::api_types::{answers, ConsentAnswer, IdAnswer};
use crate::auth::{see_other, PageUser, Principal};
use crate::cases;
use crate::error::{AppError, ErrorAnswer, PageError};
use crate::extract::ApiJson;
use crate::forms::{refused, FormFields, FormRefusal, TypedForm};
use crate::openapi::ConsentSchema;
use crate::policy::Action;
use crate::templates::page;
use crate::AppState;

/// The body of `POST /api/v1/cases/{id}/consents`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiveConsentRequest {
    /// The organisation (slug) the person consents to share with; absent for consent to the
    /// recording organisation itself.
    #[serde(default)]
    with_organisation: Option<String>,
    /// What may be shared: at least one scope.
    #[schema(schema_with = consent_scopes_schema)]
    scopes: Vec<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, not in the future.
    #[schema(schema_with = crate::openapi::past_date_schema)]
    given_on: String,
}

/// At least one consent scope (a scope named twice counts once).
fn consent_scopes_schema() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new()
        .items(crate::api_types::consent_scope_schema())
        .min_items(Some(1))
        .build()
}

/// Reads the scopes of a consent from their codes; the first unknown code is named.
fn scopes_from_codes<'a>(
    codes: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<ConsentScope>, AppError> {
    let scopes = codes
        .into_iter()
        .map(|code| {
            ConsentScope::parse_code(code).map_err(|_| AppError::localized("invalid-code", code))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if scopes.is_empty() {
        return Err(AppError::localized("invalid-consent-scopes", ""));
    }
    Ok(scopes)
}

fn given_on_from_text(text: &str) -> Result<PartialDate, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::localized("invalid-consent-date", text))
}

/// Records a consent after the case's policy check.
async fn give(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
    consent: NewConsent,
) -> Result<StoredConsent, AppError> {
    let access = cases::authorize_case(state, principal, Action::EditCase, case_id).await?;
    Ok(state
        .store
        .give_consent(
            &principal.actor(),
            access.organisation_id,
            case_id,
            &consent,
        )
        .await?)
}

/// Withdraws a consent after the case's policy check.
async fn withdraw(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
    consent_id: i64,
) -> Result<puente_store::ConsentWithdrawal, AppError> {
    let access = cases::authorize_case(state, principal, Action::EditCase, case_id).await?;
    Ok(state
        .store
        .withdraw_consent(
            &principal.actor(),
            access.organisation_id,
            case_id,
            consent_id,
        )
        .await?)
}

/// `GET /api/v1/cases/{id}/consents`: every consent of the case with its id, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/consents", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "Consents as recorded, each with its id, when it was given and when withdrawn, oldest first", body = Vec<ConsentSchema>),
))]
pub async fn list_consents(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<ConsentAnswer>>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    cases::audit_case_read(&state, &principal, &access, AuditAction::ViewConsents).await?;
    let consents = state
        .store
        .consents(access.organisation_id, case_id)
        .await?;
    Ok(Json(answers(consents)))
}

/// `POST /api/v1/cases/{id}/consents` `{"with_organisation", "scopes", "given_on"}`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/consents", params(("id" = i64, Path, description = "The case")), request_body = GiveConsentRequest, responses(
    (status = 201, description = "The consent's id", body = IdAnswer),
    (status = 422, description = "No scopes, an unknown scope or organisation, or a date still to come", body = ErrorAnswer),
))]
pub async fn give_consent(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<GiveConsentRequest>,
) -> Result<Response, AppError> {
    let consent = NewConsent {
        scopes: scopes_from_codes(request.scopes.iter().map(String::as_str))?,
        with_organisation: request
            .with_organisation
            .map(|slug| slug.trim().to_string())
            .filter(|slug| !slug.is_empty()),
        given_on: given_on_from_text(&request.given_on)?,
    };
    let stored = give(&state, &principal, case_id, consent).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/cases/{case_id}/consents"),
        )],
        Json(IdAnswer { id: stored.id }),
    )
        .into_response())
}

/// The answer of `POST /api/v1/cases/{id}/consents/{consent_id}/withdraw`: what the withdrawal did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ConsentWithdrawalAnswer {
    /// The consent, now withdrawn.
    #[schema(value_type = ConsentSchema)]
    consent: ConsentAnswer,
    /// The referrals it ended (their ids): their receivers no longer see the case.
    ended_referrals: Vec<i64>,
}

/// `POST /api/v1/cases/{id}/consents/{consent_id}/withdraw`: 200 with the withdrawn consent and
/// the referrals it ended; 409 when it was withdrawn already.
#[utoipa::path(post, path = "/api/v1/cases/{id}/consents/{consent_id}/withdraw", params(("id" = i64, Path, description = "The case"), ("consent_id" = i64, Path, description = "The consent")), responses(
    (status = 200, description = "The withdrawn consent and the ids of the referrals it ended", body = ConsentWithdrawalAnswer),
    (status = 409, description = "The consent was withdrawn already", body = ErrorAnswer),
))]
pub async fn withdraw_consent(
    State(state): State<AppState>,
    principal: Principal,
    Path((case_id, consent_id)): Path<(i64, i64)>,
) -> Result<Json<ConsentWithdrawalAnswer>, AppError> {
    let withdrawal = withdraw(&state, &principal, case_id, consent_id).await?;
    Ok(Json(ConsentWithdrawalAnswer {
        consent: withdrawal.consent.into(),
        ended_referrals: withdrawal.ended_referrals,
    }))
}

/// The case page's consent form: the scopes (one or more codes), the organisation it is given
/// for (none: one's own), the day it was given.
#[derive(Debug)]
pub struct ConsentForm(pub NewConsent);

impl TryFrom<FormFields> for ConsentForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            Ok(ConsentForm(NewConsent {
                scopes: scopes_from_codes(fields.all("scopes")).map_err(refused("scopes"))?,
                with_organisation: fields.get("with_organisation").map(str::to_string),
                given_on: given_on_from_text(fields.get("given_on").unwrap_or_default())
                    .map_err(refused("given_on"))?,
            }))
        })
    }
}

/// The withdrawal's confirmation: withdrawn only when confirmed.
#[derive(Debug)]
pub struct WithdrawalForm {
    pub confirmed: bool,
}

impl TryFrom<FormFields> for WithdrawalForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(WithdrawalForm {
            confirmed: fields.is_yes("confirm"),
        })
    }
}

/// `POST /cases/{id}/consents`: a consent from the case page's form, recorded by the user.
pub async fn add_consent_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    TypedForm(ConsentForm(consent)): TypedForm<ConsentForm>,
) -> Result<Response, PageError> {
    give(&state, &user.principal, case_id, consent).await?;
    Ok(see_other(&format!("/cases/{case_id}?done=saved")))
}

/// `GET /cases/{id}/consents/{consent_id}/withdraw`: asks for confirmation, saying what the
/// withdrawal will end.
pub async fn withdraw_confirmation_page(
    State(state): State<AppState>,
    user: PageUser,
    Path((case_id, consent_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let access = cases::authorize_case(&state, &user.principal, Action::EditCase, case_id).await?;
    let consents = state
        .store
        .consents(access.organisation_id, case_id)
        .await?;
    let consent = consents
        .into_iter()
        .find(|stored| stored.id == consent_id)
        .ok_or(AppError::NotFound)?;
    let scopes: Vec<&str> = consent
        .consent
        .scopes
        .iter()
        .map(|scope| scope.label_in(lang))
        .collect();
    let html = page(
        &user,
        &format!("/cases/{case_id}/consents/{consent_id}/withdraw"),
        "consent_withdraw.html",
        context! {
            case_id => case_id,
            consent_id => consent_id,
            scopes => scopes.join(", "),
            with_organisation => consent.consent.with_organisation.clone()
                .unwrap_or_else(|| user.principal.organisation.organisation.name.clone()),
            given_on => consent.consent.given_on.to_string(),
            withdrawn_on => consent.consent.withdrawn_on.map(|date| date.to_string()),
        },
    )?;
    Ok(html.into_response())
}

/// `POST /cases/{id}/consents/{consent_id}/withdraw`: the confirmed withdrawal, dated today. The
/// consent stays in the record, marked withdrawn.
pub async fn withdraw_consent_form(
    State(state): State<AppState>,
    user: PageUser,
    Path((case_id, consent_id)): Path<(i64, i64)>,
    TypedForm(form): TypedForm<WithdrawalForm>,
) -> Result<Response, PageError> {
    if !form.confirmed {
        return Ok(see_other(&format!(
            "/cases/{case_id}/consents/{consent_id}/withdraw"
        )));
    }
    withdraw(&state, &user.principal, case_id, consent_id).await?;
    Ok(see_other(&format!("/cases/{case_id}?done=saved")))
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn a_consent_form_converts_and_its_refusals_name_their_fields() {
        let ConsentForm(consent) = ConsentForm::try_from(fields_of(&[
            ("scopes", "identity"),
            ("scopes", "contact"),
            ("with_organisation", ""),
            ("given_on", "2026-03-01"),
        ]))
        .unwrap();
        assert_eq!(consent.scopes.len(), 2);
        assert_eq!(consent.with_organisation, None);
        assert_eq!(consent.given_on.to_string(), "2026-03-01");
        let refusal = ConsentForm::try_from(fields_of(&[("given_on", "2026-03-01")])).unwrap_err();
        assert_eq!(refusal.field, "scopes");
        let refusal = ConsentForm::try_from(fields_of(&[("scopes", "nonsense")])).unwrap_err();
        assert_eq!(refusal.field, "scopes");
        let refusal = ConsentForm::try_from(fields_of(&[
            ("scopes", "identity"),
            ("given_on", "yesterday"),
        ]))
        .unwrap_err();
        assert_eq!(refusal.field, "given_on");
        assert!(matches!(
            refusal.error,
            AppError::Localized {
                id: "invalid-consent-date",
                ..
            }
        ));
    }
}
