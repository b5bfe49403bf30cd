//! The JSON API under `/api/v1`. Errors are `{"error": {"code", "message"}}` with the right status.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use puente_core::domain::{Case, Person, TraffickingEvent, VictimContext};
use puente_core::htcds::CaseStatus;
use puente_screening::ScreeningInput;
use puente_store::accounts::SessionKind;
use puente_store::AuditQuery;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::api_types::{answers, AuditEntryAnswer, CaseAnswer, IdAnswer, ScreeningAnswer};
use crate::auth::{self, ClientAddress, Principal, RequestLang, SESSION_COOKIE};
use crate::case_search::{self, CaseListParameters, CasePageAnswer};
use crate::cases;
use crate::error::{AppError, ErrorAnswer};
pub use crate::extract::ApiJson;
use crate::openapi::{
    AuditEntrySchema, CaseEventSchema, CaseSchema, PersonSchema, ScreeningInputSchema,
    ScreeningResultSchema, StoredCaseSchema, StoredScreeningSchema,
};
use crate::policy::{self, Action};
use crate::services::audit::case_audit_entries;
use crate::services::duplicates::{likely_duplicates, LikelyDuplicate};
use crate::services::users::{change_user_role, create_user_in_organisation};
use crate::AppState;

/// The body of `POST /api/v1/login`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    email: String,
    password: String,
    /// The current code of the user's authenticator app, when they use one.
    #[serde(default)]
    totp: Option<String>,
}

/// The answer of `POST /api/v1/login`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginAnswer {
    /// The bearer token to send as `Authorization: Bearer <token>`.
    token: String,
    /// For a client that uses the cookie instead: the `X-CSRF-Token` of every POST and PUT.
    csrf_token: String,
    /// Seconds until the session ends.
    expires_in: i64,
    user: UserView,
}

/// A user as the API shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    id: i64,
    email: String,
    display_name: String,
    #[schema(schema_with = crate::api_types::role_schema)]
    role: &'static str,
    organisation_id: i64,
    /// The user's language (`es` or `en`), when they chose one.
    language: Option<&'static str>,
    /// Whether the user logs in with a second factor.
    second_factor: bool,
}

/// The organisation of the logged-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationSummary {
    id: i64,
    slug: String,
    name: String,
}

/// The answer of `GET /api/v1/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeAnswer {
    #[serde(flatten)]
    user: UserView,
    organisation: OrganisationSummary,
}

/// `POST /api/v1/login`: a bearer token, and the same session as a cookie.
#[utoipa::path(post, path = "/api/v1/login", request_body = LoginRequest, responses(
    (status = 200, description = "A bearer token; the same session is set as an HttpOnly cookie", body = LoginAnswer),
    (status = 401, description = "Wrong email, password or second-factor code", body = ErrorAnswer),
    (status = 429, description = "Too many failed logins for the account or from the address", body = ErrorAnswer),
))]
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
    let body = LoginAnswer {
        token: issued.token,
        csrf_token: issued.csrf_token,
        expires_in: auth::SESSION_LIFETIME_SECONDS,
        user: user_view(&issued.user),
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

fn user_view(user: &puente_store::accounts::User) -> UserView {
    UserView {
        id: user.id,
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role.code(),
        organisation_id: user.organisation_id,
        language: user.language.map(|lang| lang.tag()),
        second_factor: user.totp_secret.is_some(),
    }
}

/// `POST /api/v1/logout`: ends the session of the token or cookie.
#[utoipa::path(post, path = "/api/v1/logout", responses(
    (status = 204, description = "The session is ended"),
))]
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
#[utoipa::path(get, path = "/api/v1/me", responses(
    (status = 200, description = "The user and their organisation", body = MeAnswer),
))]
pub async fn me(principal: Principal) -> Json<MeAnswer> {
    Json(MeAnswer {
        user: user_view(&principal.user),
        organisation: OrganisationSummary {
            id: principal.organisation.id,
            slug: principal.organisation.organisation.slug.clone(),
            name: principal.organisation.organisation.name.clone(),
        },
    })
}

/// `GET /api/v1/cases?q=&status=&assignee=&nationality=&opened_from=&opened_to=&sort=&page=&per_page=`:
/// `{"cases": [...], "total", "page", "per_page"}`, one page of the cases in the user's scope
/// that match (newest first unless `sort` says otherwise). A parameter that cannot be read is
/// refused (400) naming it. Audited as a list.
#[utoipa::path(get, path = "/api/v1/cases", params(CaseListParameters), responses(
    (status = 200, description = "One page of the matching cases and how many match", body = CasePageAnswer),
    (status = 400, description = "A parameter cannot be read (named in `field`)", body = ErrorAnswer),
    (status = 403, description = "The role never lists cases", body = ErrorAnswer),
))]
pub async fn list_cases(
    State(state): State<AppState>,
    principal: Principal,
    Query(parameters): Query<CaseListParameters>,
) -> Result<Json<CasePageAnswer>, AppError> {
    let page = case_search::find_cases(&state, &principal, &parameters).await?;
    Ok(Json(CasePageAnswer::from(page)))
}

/// The body of `POST /api/v1/cases`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCaseRequest {
    #[schema(value_type = PersonSchema)]
    person: Person,
    #[serde(default)]
    #[schema(schema_with = crate::api_types::optional_case_status_schema)]
    status: Option<CaseStatus>,
    /// The victim context (HTCDS vic_).
    #[serde(default)]
    #[schema(value_type = crate::openapi::VictimContextSchema)]
    victim: VictimContext,
    #[serde(default)]
    #[schema(value_type = Vec<CaseEventSchema>, max_items = 500)]
    events: Vec<TraffickingEvent>,
}

/// The answer of `POST /api/v1/cases`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCase {
    id: i64,
    /// The organisation's records that are probably the same person.
    likely_duplicates: Vec<LikelyDuplicate>,
}

/// `POST /api/v1/cases`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases", request_body = NewCaseRequest, responses(
    (status = 201, description = "The new case's id, and the organisation's likely duplicates of its person", body = CreatedCase),
    (status = 422, description = "A field is not valid (named in `field`)", body = ErrorAnswer),
))]
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
    let likely_duplicates = likely_duplicates(&state, &principal, &person, Some(id)).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cases/{id}"))],
        Json(CreatedCase {
            id,
            likely_duplicates,
        }),
    )
        .into_response())
}

/// `GET /api/v1/cases/{id}`: 200; 404 when not visible; 403 for a role that never reads cases.
/// Audited as a view of identifying data.
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "The case", body = StoredCaseSchema),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
))]
pub async fn get_case(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
) -> Result<Json<CaseAnswer>, AppError> {
    let stored = cases::read_case(&state, &principal, Action::ViewCase, case_id).await?;
    Ok(Json(stored.into()))
}

/// The body of `PUT /api/v1/cases/{id}`: the whole case and the version it was read at.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateCaseRequest {
    /// The version the case was read at.
    version: i64,
    #[serde(flatten)]
    #[schema(value_type = CaseSchema)]
    case: Case,
}

/// The answer of `PUT /api/v1/cases/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdatedCase {
    id: i64,
    /// The new version.
    version: i64,
    /// The organisation's records that are probably the same person.
    likely_duplicates: Vec<LikelyDuplicate>,
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
#[utoipa::path(put, path = "/api/v1/cases/{id}", params(("id" = i64, Path, description = "The case")), request_body = UpdateCaseRequest, responses(
    (status = 200, description = "The new version", body = UpdatedCase),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
    (status = 409, description = "Someone else saved the case since that version", body = ErrorAnswer),
    (status = 422, description = "A field is not valid, or the body carries consents (named in `field`): they have their own operations", body = ErrorAnswer),
))]
pub async fn update_case(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<UpdatedCase>, AppError> {
    let refused = consent_fields(&body);
    if !refused.is_empty() {
        return Err(AppError::FieldsRefused {
            id: "error-case_consent_fields",
            fields: refused,
        });
    }
    let mut body = body;
    crate::extract::whole_numbers(&mut body);
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
    let likely_duplicates = likely_duplicates(&state, &principal, &person, Some(case_id)).await?;
    Ok(Json(UpdatedCase {
        id: case_id,
        version,
        likely_duplicates,
    }))
}

/// A note on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteAnswer {
    id: i64,
    case_id: i64,
    /// Who wrote it.
    author: String,
    text: String,
    /// When (ISO 8601, UTC).
    created_at: String,
}

/// `GET /api/v1/cases/{id}/notes`.
#[utoipa::path(get, path = "/api/v1/cases/{id}/notes", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "Notes, oldest first", body = Vec<NoteAnswer>),
))]
pub async fn list_notes(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<NoteAnswer>>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    cases::audit_case_read(
        &state,
        &principal,
        &access,
        puente_store::AuditAction::ViewNotes,
    )
    .await?;
    let notes = state.store.notes(access.organisation_id, case_id).await?;
    Ok(Json(
        notes
            .into_iter()
            .map(|note| NoteAnswer {
                id: note.id,
                case_id: note.case_id,
                author: note.author,
                text: note.text,
                created_at: note.created_at,
            })
            .collect(),
    ))
}

/// The body of `POST /api/v1/cases/{id}/notes`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NoteRequest {
    /// The note: not blank.
    #[schema(pattern = "\\S", max_length = 20000)]
    text: String,
}

/// `POST /api/v1/cases/{id}/notes`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", params(("id" = i64, Path, description = "The case")), request_body = NoteRequest, responses(
    (status = 201, description = "The note's id", body = IdAnswer),
))]
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
    Ok((StatusCode::CREATED, Json(IdAnswer { id })).into_response())
}

/// `GET /api/v1/cases/{id}/screenings`: the case's stored screenings, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/screenings", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "Stored screenings with input, result and rule-set version, oldest first", body = Vec<StoredScreeningSchema>),
))]
pub async fn list_screenings(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<ScreeningAnswer>>, AppError> {
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
    Ok(Json(answers(screenings)))
}

/// `POST /api/v1/cases/{id}/screenings` with screening.md's input: 201 with the result JSON of
/// screening.md (plus `rule_set_version`), in the request's language (`Accept-Language`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/screenings", params(("id" = i64, Path, description = "The case")), request_body(content = ScreeningInputSchema, content_type = "application/json"), responses(
    (status = 201, description = "The result of shared/docs/screening.md, in the Accept-Language (es or en)", body = ScreeningResultSchema),
    (status = 422, description = "An unknown fact code or a bad person field, named in the message", body = ErrorAnswer),
))]
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
    let operation = crate::extract::Operation {
        path: "/api/v1/cases/{id}/screenings".into(),
        method: "post".into(),
    };
    let mut value = crate::extract::documented_json(&body, Some(&operation))?;
    let input = match ScreeningInput::from_json(text) {
        Ok(input) => input,
        Err(error) if error.is_syntax() => return Err(AppError::BadRequest(error.to_string())),
        // A whole number written with a decimal point (`15.0`) is the whole number it is.
        Err(error) => crate::extract::whole_numbers(&mut value)
            .then(|| ScreeningInput::from_json(&value.to_string()).ok())
            .flatten()
            .ok_or_else(|| AppError::Invalid(error.to_string()))?,
    };
    let (stored, result) =
        cases::screen_case(&state, &principal, case_id, "api", input, lang).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/cases/{case_id}/screenings/{}", stored.id),
        )],
        Json(result),
    )
        .into_response())
}

/// `GET /api/v1/cases/{id}/screenings/{screening_id}`: one stored screening of the case (where
/// the `Location` of a new screening points).
#[utoipa::path(get, path = "/api/v1/cases/{id}/screenings/{screening_id}", params(("id" = i64, Path, description = "The case"), ("screening_id" = i64, Path, description = "The screening")), responses(
    (status = 200, description = "The stored screening with input, result and rule-set version", body = StoredScreeningSchema),
))]
pub async fn get_screening(
    State(state): State<AppState>,
    principal: Principal,
    Path((case_id, screening_id)): Path<(i64, i64)>,
) -> Result<Json<ScreeningAnswer>, AppError> {
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
    Ok(Json(screening.into()))
}

/// The body of `PUT /api/v1/cases/{id}/owner`. A field of another name is refused: read as
/// absent, it would take the case from its owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerRequest {
    /// The new owner, a case worker or advocate of the organisation; null or absent: no one.
    #[serde(default)]
    owner_user_id: Option<i64>,
}

/// The answer of `PUT /api/v1/cases/{id}/owner`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerAnswer {
    id: i64,
    owner_user_id: Option<i64>,
}

/// `PUT /api/v1/cases/{id}/owner` (supervisors): gives the case to a user of the organisation, or,
/// with `null`, to no one.
#[utoipa::path(put, path = "/api/v1/cases/{id}/owner", params(("id" = i64, Path, description = "The case")), request_body = OwnerRequest, responses(
    (status = 200, description = "The case's id and owner", body = OwnerAnswer),
    (status = 422, description = "The user cannot own cases of this organisation", body = ErrorAnswer),
))]
pub async fn assign_case(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<OwnerRequest>,
) -> Result<Json<OwnerAnswer>, AppError> {
    cases::assign_case(&state, &principal, case_id, request.owner_user_id).await?;
    Ok(Json(OwnerAnswer {
        id: case_id,
        owner_user_id: request.owner_user_id,
    }))
}

/// The query of `GET /api/v1/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParameters {
    /// Only the entries about this case.
    case_id: Option<i64>,
    /// How many of the latest entries (1000 by default, at most 10,000 are given).
    #[param(minimum = 0, maximum = 4294967295_u64)]
    limit: Option<u32>,
}

/// `GET /api/v1/audit?case_id={id}` (supervisor, admin): the entries about a case; without
/// `case_id`, the organisation's latest entries (`limit`, 1000 by default), oldest first.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditParameters), responses(
    (status = 200, description = "Entries, oldest first", body = Vec<AuditEntrySchema>),
    (status = 404, description = "No such case visible to the user (`case_id`)", body = ErrorAnswer),
))]
pub async fn audit(
    State(state): State<AppState>,
    principal: Principal,
    Query(parameters): Query<AuditParameters>,
) -> Result<Json<Vec<AuditEntryAnswer>>, AppError> {
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
    Ok(Json(answers(entries)))
}

/// `GET /api/v1/users` (org admin).
#[utoipa::path(get, path = "/api/v1/users", responses(
    (status = 200, description = "The organisation's users", body = Vec<UserView>),
))]
pub async fn list_users(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<UserView>>, AppError> {
    policy::require(&principal.subject(), Action::ManageUsers, None)?;
    let users = state
        .store
        .users_in_organisation(principal.user.organisation_id)
        .await?;
    Ok(Json(users.iter().map(user_view).collect()))
}

/// The body of `POST /api/v1/users`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserRequest {
    email: String,
    /// The name shown to colleagues: not blank.
    #[schema(pattern = "\\S")]
    display_name: String,
    #[schema(schema_with = crate::api_types::role_schema)]
    role: String,
    /// At least 12 characters, and not easy to guess.
    #[schema(min_length = 12)]
    password: String,
}

/// `POST /api/v1/users` (org admin): 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserRequest, responses(
    (status = 201, description = "The user's id", body = IdAnswer),
    (status = 409, description = "The email is taken", body = ErrorAnswer),
    (status = 422, description = "A field is not valid (the password needs 12 characters and must not be easy to guess)", body = ErrorAnswer),
))]
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
    Ok((StatusCode::CREATED, Json(IdAnswer { id: user.id })).into_response())
}

/// The body of `PUT /api/v1/users/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    #[schema(schema_with = crate::api_types::role_schema)]
    role: String,
}

/// The answer of `PUT /api/v1/users/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleAnswer {
    id: i64,
    #[schema(schema_with = crate::api_types::role_schema)]
    role: String,
}

/// `PUT /api/v1/users/{id}` (org admin): a new role for a user of the organisation.
#[utoipa::path(put, path = "/api/v1/users/{id}", params(("id" = i64, Path, description = "The user")), request_body = UpdateUserRequest, responses(
    (status = 200, description = "The user's id and role", body = RoleAnswer),
    (status = 404, description = "No such user in the organisation", body = ErrorAnswer),
    (status = 422, description = "An unknown role, or one's own role", body = ErrorAnswer),
))]
pub async fn update_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(user_id): Path<i64>,
    ApiJson(request): ApiJson<UpdateUserRequest>,
) -> Result<Json<RoleAnswer>, AppError> {
    change_user_role(&state, &principal, user_id, &request.role).await?;
    Ok(Json(RoleAnswer {
        id: user_id,
        role: request.role,
    }))
}
