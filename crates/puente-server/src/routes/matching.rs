//! The JSON API of "match with partners": runs at a linkage unit, a case's matches with partner
//! organisations and the coordination requests they open. The work is done by
//! [`crate::services::matching`], as for the pages.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{Principal, RequestLang};
use crate::error::{AppError, ErrorAnswer};
use crate::extract::ApiJson;
use crate::policy::{self, Action};
use crate::services::matching::{decide_request, refresh_matching, request_json, start_matching};
use crate::{cases, AppState};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRunRequest {
    partnership: String,
    project: String,
    upload_token: String,
}

/// `POST /api/v1/matching/runs` `{"partnership", "project", "upload_token"}`: 201 with the run,
/// how many persons were encoded and how many were left out for want of consent.
#[utoipa::path(post, path = "/api/v1/matching/runs", request_body = StartRunRequest, responses(
    (status = 201, description = "The run, how many persons were encoded and how many were left out for want of consent", body = serde_json::Value),
    (status = 422, description = "An unknown partnership, or the unit refused the upload", body = ErrorAnswer),
    (status = 502, description = "The linkage unit could not be reached", body = ErrorAnswer),
))]
pub async fn start_run(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    ApiJson(request): ApiJson<StartRunRequest>,
) -> Result<Response, AppError> {
    let started = start_matching(
        &state,
        &principal,
        &request.partnership,
        &request.project,
        &request.upload_token,
        lang,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "run": started.run,
            "encoded": started.encoded,
            "without_consent": started.without_consent,
        })),
    )
        .into_response())
}

/// `GET /api/v1/matching/runs`: the organisation's runs and its partnerships (names and units;
/// never the secrets).
#[utoipa::path(get, path = "/api/v1/matching/runs", responses(
    (status = 200, description = "The organisation's runs and its partnerships (names and units, never the secrets)", body = serde_json::Value),
))]
pub async fn list_runs(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Value>, AppError> {
    policy::require(&principal.subject(), Action::MatchWithPartners, None)?;
    let runs = state.store.matching_runs(principal.organisation.id).await?;
    let partnerships: Vec<Value> = state
        .config
        .partnerships
        .0
        .iter()
        .map(|partnership| json!({"name": partnership.name, "unit_url": partnership.unit_url}))
        .collect();
    Ok(Json(json!({"runs": runs, "partnerships": partnerships})))
}

/// `POST /api/v1/matching/runs/{id}/refresh`: fetches the result from the unit.
#[utoipa::path(post, path = "/api/v1/matching/runs/{id}/refresh", params(("id" = i64, Path, description = "The run")), responses(
    (status = 200, description = "The run, the unit's status, its matches and the coordination requests opened", body = serde_json::Value),
    (status = 404, description = "No such run in the organisation", body = ErrorAnswer),
    (status = 502, description = "The linkage unit could not be reached", body = ErrorAnswer),
))]
pub async fn refresh_run(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(run_id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    let refreshed = refresh_matching(&state, &principal, run_id, lang).await?;
    Ok(Json(json!({
        "run": refreshed.run,
        "status": refreshed.status,
        "matches": refreshed.matches,
        "opened": refreshed.opened,
    })))
}

/// `GET /api/v1/cases/{id}/matches`: the case's coordination requests, each with its label.
#[utoipa::path(get, path = "/api/v1/cases/{id}/matches", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "The case's coordination requests, each with its label", body = serde_json::Value),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
))]
pub async fn case_matches(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    let requests = state
        .store
        .case_coordination_requests(access.organisation_id, case_id)
        .await?;
    Ok(Json(json!(requests
        .iter()
        .map(|request| request_json(request, lang))
        .collect::<Vec<_>>())))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    decision: String,
    #[serde(default)]
    survivor_consents: bool,
}

/// `POST /api/v1/coordination-requests/{id}/decision` `{"decision": "refer"|"decline",
/// "survivor_consents"}`.
#[utoipa::path(post, path = "/api/v1/coordination-requests/{id}/decision", params(("id" = i64, Path, description = "The coordination request")), request_body = DecisionRequest, responses(
    (status = 200, description = "The decided request", body = serde_json::Value),
    (status = 404, description = "No such request in the organisation", body = ErrorAnswer),
    (status = 409, description = "The request was decided before", body = ErrorAnswer),
    (status = 422, description = "Not `refer` or `decline`, or a referral without the survivor's consent", body = ErrorAnswer),
))]
pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(request_id): Path<i64>,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<Json<Value>, AppError> {
    let decided = decide_request(
        &state,
        &principal,
        request_id,
        &request.decision,
        request.survivor_consents,
        lang,
    )
    .await?;
    Ok(Json(request_json(&decided, lang)))
}
