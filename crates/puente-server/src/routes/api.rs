//! The JSON API under `/api/v1`. Errors are `{"error": {"code", "message"}}` with the right status.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use puente_core::domain::{Case, Person, TraffickingEvent, VictimContext};
use puente_core::htcds::CaseStatus;
use puente_screening::ScreeningInput;
use puente_store::accounts::SessionKind;
use puente_store::AuditQuery;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{self, ClientAddress, Principal, RequestLang, SESSION_COOKIE};
use crate::cases;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::routes::case_pages::case_audit_entries;
use crate::routes::pages::{change_user_role, create_user_in_organisation};
use crate::AppState;

/// A JSON body whose problems are answered in the API's error format: 400 when it is not JSON,
/// 422 when it is JSON of the wrong shape (the message names the field).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(error)) => Err(json_data_error(&error.body_text())),
            Err(rejection) if rejection.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Err(AppError::UnsupportedMediaType)
            }
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge)
            }
            Err(rejection) if crate::error::is_body_timeout(&rejection) => {
                Err(AppError::RequestTimeout)
            }
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

/// A body of the wrong shape, named by the field it is about: the framework's words are
/// "Failed to deserialize the JSON body into the target type: person.estimated_age: invalid
/// value ... at line 1 column 30".
fn json_data_error(text: &str) -> AppError {
    let detail = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text);
    match detail.split_once(": ") {
        Some((field, rest))
            if !field.is_empty()
                && field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c)) =>
        {
            AppError::InvalidField {
                field: field.to_string(),
                detail: rest.to_string(),
            }
        }
        _ => AppError::Invalid(detail.to_string()),
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginRequest {
    email: String,
    password: String,
    /// The current code of the user's authenticator app, when they use one.
    #[serde(default)]
    totp: Option<String>,
}

/// `POST /api/v1/login`: a bearer token, and the same session as a cookie.
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    let issued = auth::log_in(
        &state,
        &request.email,
        &request.password,
        request.totp.as_deref(),
        &address,
        SessionKind::Bearer,
    )
    .await?;
    let cookie = auth::set_cookie(
        SESSION_COOKIE,
        &issued.token,
        auth::SESSION_LIFETIME_SECONDS,
        state.config.secure_cookies,
    );
    let body = json!({
        "token": issued.token,
        "csrf_token": issued.csrf_token,
        "expires_in": auth::SESSION_LIFETIME_SECONDS,
        "user": user_json(&issued.user),
    });
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

fn user_json(user: &puente_store::accounts::User) -> Value {
    json!({
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.code(),
        "organisation_id": user.organisation_id,
        "language": user.language.map(|lang| lang.tag()),
        "second_factor": user.totp_secret.is_some(),
    })
}

/// `POST /api/v1/logout`: ends the session of the token or cookie.
pub async fn logout(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Response, AppError> {
    state
        .store
        .close_session(principal.session_id, &principal.user)
        .await?;
    let cookie = auth::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// `GET /api/v1/me`.
pub async fn me(principal: Principal) -> Json<Value> {
    let mut body = user_json(&principal.user);
    body["organisation"] = json!({
        "id": principal.organisation.id,
        "slug": principal.organisation.organisation.slug,
        "name": principal.organisation.organisation.name,
    });
    Json(body)
}

/// `GET /api/v1/cases`: the cases in the user's scope, newest first. Audited as a list.
pub async fn list_cases(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Value>, AppError> {
    let cases = cases::case_summaries_in_scope(&state, &principal, Action::ListCases).await?;
    Ok(Json(json!(cases)))
}

/// The body of `POST /api/v1/cases`.
#[derive(Debug, Deserialize)]
pub struct NewCaseRequest {
    person: Person,
    #[serde(default)]
    status: Option<CaseStatus>,
    #[serde(default)]
    victim: VictimContext,
    #[serde(default)]
    events: Vec<TraffickingEvent>,
}

/// `POST /api/v1/cases`: 201 `{"id"}`.
pub async fn create_case(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<NewCaseRequest>,
) -> Result<Response, AppError> {
    let mut case = Case::new(request.person);
    case.status = request.status.unwrap_or(CaseStatus::Active);
    case.victim = request.victim;
    case.events = request.events;
    let person = case.person.clone();
    let id = cases::create_case(&state, &principal, case).await?;
    let likely_duplicates =
        crate::routes::duplicates::likely_duplicates(&state, &principal, &person, Some(id)).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cases/{id}"))],
        Json(json!({ "id": id, "likely_duplicates": likely_duplicates })),
    )
        .into_response())
}

/// `GET /api/v1/cases/{id}`: 200; 404 when not visible; 403 for a role that never reads cases.
/// Audited as a view of identifying data.
pub async fn get_case(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    let stored = cases::read_case(&state, &principal, Action::ViewCase, case_id).await?;
    Ok(Json(json!(stored)))
}

/// The body of `PUT /api/v1/cases/{id}`: the whole case and the version it was read at.
#[derive(Debug, Deserialize)]
pub struct UpdateCaseRequest {
    version: i64,
    #[serde(flatten)]
    case: Case,
}

/// The fields of a case update that would touch consents. Consents are given and withdrawn only
/// through their own actions; a case update carrying any of these is refused and changes nothing.
fn consent_fields(body: &Value) -> Vec<String> {
    body.as_object()
        .map(|object| {
            object
                .keys()
                .filter(|key| key.starts_with("consent"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// `PUT /api/v1/cases/{id}`: 200 `{"id", "version"}`; 409 when someone saved since `version`;
/// 422 naming the fields when the body carries consents (they have their own endpoints).
pub async fn update_case(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, AppError> {
    let refused = consent_fields(&body);
    if !refused.is_empty() {
        return Err(AppError::FieldsRefused {
            id: "error-case_consent_fields",
            fields: refused,
        });
    }
    let request: UpdateCaseRequest =
        serde_json::from_value(body).map_err(|error| AppError::Invalid(error.to_string()))?;
    let replacement = request.case;
    // The replacement is checked before the stored case is read, so a refused save reads (and
    // audits) nothing. Consents are recorded by their recorder, whatever the request says, so
    // their `recorded_by` is not the request's to get wrong.
    let mut checked = replacement.clone();
    for consent in &mut checked.consents {
        consent.recorded_by = principal.user.email.clone();
    }
    cases::validate_case(&checked)?;
    let person = replacement.person.clone();
    let version = cases::change_case(
        &state,
        &principal,
        Action::EditCase,
        case_id,
        request.version,
        |case| {
            // The stored consents stay as recorded: the store never writes them from a case.
            let consents = std::mem::take(&mut case.consents);
            *case = replacement;
            case.consents = consents;
            Ok(())
        },
    )
    .await?;
    let likely_duplicates =
        crate::routes::duplicates::likely_duplicates(&state, &principal, &person, Some(case_id))
            .await?;
    Ok(Json(
        json!({ "id": case_id, "version": version, "likely_duplicates": likely_duplicates }),
    ))
}

/// `GET /api/v1/cases/{id}/notes`.
pub async fn list_notes(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    cases::audit_case_read(
        &state,
        &principal,
        &access,
        puente_store::AuditAction::ViewNotes,
    )
    .await?;
    let notes = state.store.notes(access.organisation_id, case_id).await?;
    Ok(Json(json!(notes)))
}

#[derive(Debug, Deserialize)]
pub struct NoteRequest {
    text: String,
}

/// `POST /api/v1/cases/{id}/notes`: 201 `{"id"}`.
pub async fn add_note(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<NoteRequest>,
) -> Result<Response, AppError> {
    cases::validate_note(&request.text)?;
    let access = cases::authorize_case(&state, &principal, Action::AddNote, case_id).await?;
    let id = state
        .store
        .add_note(
            &principal.actor(),
            access.organisation_id,
            case_id,
            request.text.trim(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// `GET /api/v1/cases/{id}/screenings`: the case's stored screenings, oldest first.
pub async fn list_screenings(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    cases::audit_case_read(
        &state,
        &principal,
        &access,
        puente_store::AuditAction::ViewScreenings,
    )
    .await?;
    let mut screenings = state.store.screenings_for_case(case_id).await?;
    for screening in &mut screenings {
        cases::explain_stored_screening(&state, &screening.input, &mut screening.result, lang)
            .await?;
    }
    Ok(Json(json!(screenings)))
}

/// `POST /api/v1/cases/{id}/screenings` with screening.md's input: 201 with the result JSON of
/// screening.md (plus `rule_set_version`), in the request's language (`Accept-Language`).
pub async fn create_screening(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    // Check access first, so that a caller who may not screen this case learns nothing from the
    // validation of the body.
    cases::authorize_case(&state, &principal, Action::ScreenCase, case_id).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::BadRequest("the body is not UTF-8".into()))?;
    let input = ScreeningInput::from_json(text).map_err(|error| {
        if error.is_syntax() {
            AppError::BadRequest(error.to_string())
        } else {
            AppError::Invalid(error.to_string())
        }
    })?;
    let (stored, result) =
        cases::screen_case(&state, &principal, case_id, "api", input, lang).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/cases/{case_id}/screenings/{}", stored.id),
        )],
        Json(json!(result)),
    )
        .into_response())
}

/// `GET /api/v1/cases/{id}/screenings/{screening_id}`: one stored screening of the case (where
/// the `Location` of a new screening points).
pub async fn get_screening(
    State(state): State<AppState>,
    principal: Principal,
    Path((case_id, screening_id)): Path<(i64, i64)>,
) -> Result<Json<Value>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    let screening = state
        .store
        .screening(screening_id)
        .await?
        .filter(|screening| screening.case_id == case_id)
        .ok_or(AppError::NotFound)?;
    cases::audit_case_read(
        &state,
        &principal,
        &access,
        puente_store::AuditAction::ViewScreening,
    )
    .await?;
    Ok(Json(json!(screening)))
}

#[derive(Debug, Deserialize)]
pub struct AssignRequest {
    owner_user_id: Option<i64>,
}

/// `PUT /api/v1/cases/{id}/owner` (supervisors): gives the case to a user of the organisation, or,
/// with `null`, to no one.
pub async fn assign_case(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<Value>, AppError> {
    cases::assign_case(&state, &principal, case_id, request.owner_user_id).await?;
    Ok(Json(
        json!({ "id": case_id, "owner_user_id": request.owner_user_id }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct AuditParameters {
    case_id: Option<i64>,
    limit: Option<u32>,
}

/// `GET /api/v1/audit?case_id={id}` (supervisor, admin): the entries about a case; without
/// `case_id`, the organisation's latest entries (`limit`, 1000 by default), oldest first.
pub async fn audit(
    State(state): State<AppState>,
    principal: Principal,
    Query(parameters): Query<AuditParameters>,
) -> Result<Json<Value>, AppError> {
    let entries = match parameters.case_id {
        Some(case_id) => {
            let access =
                cases::authorize_case(&state, &principal, Action::ViewCaseAudit, case_id).await?;
            case_audit_entries(&state, access.organisation_id, case_id).await?
        }
        None => {
            policy::require(&principal.subject(), Action::ViewOrganisationAudit, None)?;
            // The latest entries, listed oldest first like the entries of a case.
            let mut latest = state
                .store
                .audit_entries(&AuditQuery {
                    organisation_id: Some(principal.user.organisation_id),
                    limit: Some(parameters.limit.unwrap_or(1000).min(10_000)),
                    newest_first: true,
                    ..AuditQuery::default()
                })
                .await?;
            latest.reverse();
            latest
        }
    };
    Ok(Json(json!(entries)))
}

/// `GET /api/v1/users` (org admin).
pub async fn list_users(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Value>, AppError> {
    policy::require(&principal.subject(), Action::ManageUsers, None)?;
    let users = state
        .store
        .users_in_organisation(principal.user.organisation_id)
        .await?;
    Ok(Json(Value::Array(users.iter().map(user_json).collect())))
}

#[derive(Debug, Deserialize)]
pub struct NewUserRequest {
    email: String,
    display_name: String,
    role: String,
    password: String,
}

/// `POST /api/v1/users` (org admin): 201 `{"id"}`.
pub async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<NewUserRequest>,
) -> Result<Response, AppError> {
    let user = create_user_in_organisation(
        &state,
        &principal,
        &request.email,
        &request.display_name,
        &request.role,
        &request.password,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": user.id }))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct UpdateUserRequest {
    role: String,
}

/// `PUT /api/v1/users/{id}` (org admin): a new role for a user of the organisation.
pub async fn update_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(user_id): Path<i64>,
    ApiJson(request): ApiJson<UpdateUserRequest>,
) -> Result<Json<Value>, AppError> {
    change_user_role(&state, &principal, user_id, &request.role).await?;
    Ok(Json(json!({ "id": user_id, "role": request.role })))
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}
