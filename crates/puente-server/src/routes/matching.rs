//! The JSON API of "match with partners": runs at a linkage unit, a case's matches with partner
//! organisations and the coordination requests they open. The work is done by
//! [`crate::services::matching`], as for the pages.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use puente_core::Lang;
use puente_store::{CoordinationRequest, StoredMatchingRun};
use serde::{Deserialize, Serialize};

use crate::auth::{Principal, RequestLang};
use crate::error::{AppError, ErrorAnswer};
use crate::extract::ApiJson;
use crate::policy::{self, Action};
use crate::services::matching::{decide_request, known_to_label, refresh_matching, start_matching};
use crate::{cases, AppState};

/// A run at a linkage unit, as the API describes it (never its upload token).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchingRunAnswer {
    id: i64,
    organisation_id: i64,
    /// The partnership's name.
    partnership: String,
    /// The linkage unit's address.
    unit_url: String,
    /// The project's reference at the unit.
    project_reference: String,
    /// `uploaded` until the result is in, then `done`.
    #[schema(schema_with = run_status_schema)]
    status: String,
    /// How many persons were encoded and uploaded.
    record_count: i64,
    /// How many persons were left out for want of consent.
    without_consent: i64,
    started_by: String,
    /// When (ISO 8601, UTC).
    started_at: String,
    /// When the result came in; null until then.
    completed_at: Option<String>,
}

fn run_status_schema() -> utoipa::openapi::Object {
    crate::api_types::code_schema(["uploaded", "done"])
}

impl MatchingRunAnswer {
    fn of(run: &StoredMatchingRun) -> Self {
        Self {
            id: run.id,
            organisation_id: run.organisation_id,
            partnership: run.partnership.clone(),
            unit_url: run.unit_url.clone(),
            project_reference: run.project_reference.clone(),
            status: run.status.clone(),
            record_count: run.record_count,
            without_consent: run.without_consent,
            started_by: run.started_by.clone(),
            started_at: run.started_at.clone(),
            completed_at: run.completed_at.clone(),
        }
    }
}

/// The answer of `POST /api/v1/matching/runs`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StartedRunAnswer {
    run: MatchingRunAnswer,
    /// How many persons were encoded.
    encoded: usize,
    /// How many were left out for want of consent.
    without_consent: usize,
}

/// A partnership as the API shows it: its name and unit (never its secret).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartnershipAnswer {
    name: String,
    unit_url: String,
}

/// The answer of `GET /api/v1/matching/runs`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchingRunList {
    runs: Vec<MatchingRunAnswer>,
    partnerships: Vec<PartnershipAnswer>,
}

/// The answer of `POST /api/v1/matching/runs/{id}/refresh`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RefreshedRunAnswer {
    run: MatchingRunAnswer,
    /// `waiting` while partners have not uploaded, else `done`.
    #[schema(schema_with = refresh_status_schema)]
    status: &'static str,
    /// How many matches the result has.
    matches: usize,
    /// How many coordination requests were opened.
    opened: usize,
}

fn refresh_status_schema() -> utoipa::openapi::Object {
    crate::api_types::code_schema(["waiting", "done"])
}

/// A coordination request opened by a match, with its label in the request's language.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoordinationRequestAnswer {
    id: i64,
    run_id: i64,
    case_id: i64,
    project_reference: String,
    match_reference: String,
    /// The partner organisation the person is known to.
    partner_organisation: String,
    /// How similar the two records are, from 0 to 1.
    similarity: f64,
    /// `open`, then `refer` or `decline` as decided with the survivor.
    #[schema(schema_with = request_status_schema)]
    status: String,
    /// The partner's decision, once it decided.
    partner_decision: Option<String>,
    opened_at: String,
    decided_by: Option<String>,
    decided_at: Option<String>,
    /// "Known to ... (similarity ...)" in the request's language.
    label: String,
}

fn request_status_schema() -> utoipa::openapi::Object {
    crate::api_types::code_schema(["open", "refer", "decline"])
}

impl CoordinationRequestAnswer {
    fn of(request: &CoordinationRequest, lang: Lang) -> Self {
        Self {
            id: request.id,
            run_id: request.run_id,
            case_id: request.case_id,
            project_reference: request.project_reference.clone(),
            match_reference: request.match_reference.clone(),
            partner_organisation: request.partner_organisation.clone(),
            similarity: request.similarity,
            status: request.status.clone(),
            partner_decision: request.partner_decision.clone(),
            opened_at: request.opened_at.clone(),
            decided_by: request.decided_by.clone(),
            decided_at: request.decided_at.clone(),
            label: known_to_label(request, lang),
        }
    }
}

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
    (status = 201, description = "The run, how many persons were encoded and how many were left out for want of consent", body = StartedRunAnswer),
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
        Json(StartedRunAnswer {
            run: MatchingRunAnswer::of(&started.run),
            encoded: started.encoded,
            without_consent: started.without_consent,
        }),
    )
        .into_response())
}

/// `GET /api/v1/matching/runs`: the organisation's runs and its partnerships (names and units;
/// never the secrets).
#[utoipa::path(get, path = "/api/v1/matching/runs", responses(
    (status = 200, description = "The organisation's runs and its partnerships (names and units, never the secrets)", body = MatchingRunList),
))]
pub async fn list_runs(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<MatchingRunList>, AppError> {
    policy::require(&principal.subject(), Action::MatchWithPartners, None)?;
    let runs = state.store.matching_runs(principal.organisation.id).await?;
    let partnerships = state
        .config
        .partnerships
        .0
        .iter()
        .map(|partnership| PartnershipAnswer {
            name: partnership.name.clone(),
            unit_url: partnership.unit_url.clone(),
        })
        .collect();
    Ok(Json(MatchingRunList {
        runs: runs.iter().map(MatchingRunAnswer::of).collect(),
        partnerships,
    }))
}

/// `POST /api/v1/matching/runs/{id}/refresh`: fetches the result from the unit.
#[utoipa::path(post, path = "/api/v1/matching/runs/{id}/refresh", params(("id" = i64, Path, description = "The run")), responses(
    (status = 200, description = "The run, the unit's status, its matches and the coordination requests opened", body = RefreshedRunAnswer),
    (status = 404, description = "No such run in the organisation", body = ErrorAnswer),
    (status = 502, description = "The linkage unit could not be reached", body = ErrorAnswer),
))]
pub async fn refresh_run(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(run_id): Path<i64>,
) -> Result<Json<RefreshedRunAnswer>, AppError> {
    let refreshed = refresh_matching(&state, &principal, run_id, lang).await?;
    Ok(Json(RefreshedRunAnswer {
        run: MatchingRunAnswer::of(&refreshed.run),
        status: refreshed.status,
        matches: refreshed.matches,
        opened: refreshed.opened,
    }))
}

/// `GET /api/v1/cases/{id}/matches`: the case's coordination requests, each with its label.
#[utoipa::path(get, path = "/api/v1/cases/{id}/matches", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "The case's coordination requests, each with its label", body = Vec<CoordinationRequestAnswer>),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
))]
pub async fn case_matches(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<CoordinationRequestAnswer>>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    let requests = state
        .store
        .case_coordination_requests(access.organisation_id, case_id)
        .await?;
    Ok(Json(
        requests
            .iter()
            .map(|request| CoordinationRequestAnswer::of(request, lang))
            .collect(),
    ))
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
    (status = 200, description = "The decided request", body = CoordinationRequestAnswer),
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
) -> Result<Json<CoordinationRequestAnswer>, AppError> {
    let decided = decide_request(
        &state,
        &principal,
        request_id,
        &request.decision,
        request.survivor_consents,
        lang,
    )
    .await?;
    Ok(Json(CoordinationRequestAnswer::of(&decided, lang)))
}
