//! The linkage unit: `puente serve --linkage-unit`, a Puente that holds no cases, with an API in
//! the manner of the anonlink entity service.
//!
//! - `POST /api/v1/projects` (the operator's token): a project with its schema, threshold and
//!   parties (organisation names); answers each party's upload token, shown once.
//! - `GET /api/v1/projects/{project}` (a party's token): the project's state.
//! - `POST /api/v1/projects/{project}/clks` (a party's token): the party's encodings
//!   (`{"clks": ["<base64>", ...]}`), once. When every party has uploaded, the unit runs
//!   `puente-pprl`'s matcher (anonlink's greedy solver: groups with at most one record of each
//!   party), stores the groups and deletes every encoding of the project in one transaction.
//! - `GET /api/v1/projects/{project}/result` (a party's token): the groups holding one of the
//!   party's own rows: its row, the group's opaque reference, the partners' organisation names,
//!   the similarity and the partners' decisions; never another party's rows or encodings.
//! - `POST /api/v1/projects/{project}/matches/{match}/decision` (a party's token): what the party
//!   decided with the survivor (`refer` or `decline`), shown to the partners.
//!
//! The unit never receives the parties' secret: encodings are keyed by the parties, and the unit
//! only compares bits. Every action is in the unit's audit log. Errors are
//! `{"error": {"code", "message", "mensaje"}}` (English and Spanish) with a 4xx status, and a
//! refused request stores nothing.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use puente_store::{
    Actor, LinkageGroup, LinkageProject, NewAuditEntry, NewLinkageProject, Store, StoreError,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The schema names a project may use, with the length of their encodings in bytes.
pub fn schema_encoding_bytes(schema: &str) -> Option<usize> {
    match schema {
        // The profile's encoder is keyed, but its length does not depend on the key.
        "latam" => Some(
            puente_pprl::latam::LatamProfile::new(b"length only", None)
                .encoder()
                .encoding_bytes(),
        ),
        _ => None,
    }
}

/// What the unit's handlers share.
#[derive(Clone)]
pub struct UnitState {
    pub store: Arc<dyn Store>,
    /// The SHA-256 (hexadecimal) of the operator's token, who creates projects.
    operator_token_hash: String,
}

impl std::fmt::Debug for UnitState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("UnitState").finish_non_exhaustive()
    }
}

impl UnitState {
    pub fn new(store: Arc<dyn Store>, operator_token: &str) -> UnitState {
        UnitState {
            store,
            operator_token_hash: token_hash(operator_token),
        }
    }
}

/// The SHA-256 of a token, in hexadecimal: tokens are stored only as this.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A refusal of the unit: a status, a stable code and the message in English and Spanish.
#[derive(Debug)]
pub struct UnitError {
    status: StatusCode,
    code: &'static str,
    message: String,
    mensaje: String,
}

impl UnitError {
    fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        mensaje: impl Into<String>,
    ) -> UnitError {
        UnitError {
            status,
            code,
            message: message.into(),
            mensaje: mensaje.into(),
        }
    }

    fn unauthorised() -> UnitError {
        UnitError::new(
            StatusCode::FORBIDDEN,
            "wrong-token",
            "the token is not valid for this project",
            "el token no es válido para este proyecto",
        )
    }

    fn not_found() -> UnitError {
        UnitError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "no such project",
            "no existe ese proyecto",
        )
    }
}

impl From<StoreError> for UnitError {
    fn from(error: StoreError) -> UnitError {
        match error {
            StoreError::Conflict(message) => {
                UnitError::new(StatusCode::CONFLICT, "conflict", message.clone(), message)
            }
            StoreError::Invalid(message) => UnitError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                message.clone(),
                message,
            ),
            StoreError::NotFound { .. } => UnitError::not_found(),
            other => {
                tracing::error!(error = %other, "linkage unit store error");
                UnitError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error",
                    "error interno",
                )
            }
        }
    }
}

/// The unit's error answer: `{"error": {"code", "message", "mensaje"}}`, in English and Spanish.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitErrorAnswer {
    error: UnitErrorFields,
}

/// What went wrong, by its code and in both languages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitErrorFields {
    code: &'static str,
    message: String,
    mensaje: String,
}

/// A party's upload token, as the project's creation gives it (once).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyToken {
    party: usize,
    organisation: String,
    token: String,
}

/// The answer of `POST /api/v1/projects`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedProject {
    /// The project's reference.
    project_id: String,
    schema: String,
    threshold: f64,
    encoding_bytes: usize,
    number_parties: usize,
    /// Each party's upload token, in party order.
    update_tokens: Vec<PartyToken>,
}

/// A project as one party sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectStatus {
    /// The project's reference.
    project_id: String,
    schema: String,
    threshold: f64,
    encoding_bytes: usize,
    number_parties: usize,
    /// How many parties have uploaded.
    parties_contributed: usize,
    /// The party whose token the request carries.
    party: usize,
    /// That party's organisation.
    organisation: String,
    /// `waiting` until every party uploaded, then `done`.
    #[schema(schema_with = project_status_codes)]
    status: String,
}

fn project_status_codes() -> utoipa::openapi::Object {
    crate::api_types::code_schema(["waiting", "done"])
}

impl ProjectStatus {
    fn of(project: &LinkageProject, party: usize) -> Self {
        Self {
            project_id: project.reference.clone(),
            schema: project.schema_name.clone(),
            threshold: project.threshold,
            encoding_bytes: project.encoding_bytes,
            number_parties: project.parties.len(),
            parties_contributed: project.parties_contributed(),
            party,
            organisation: project.parties[party].organisation_name.clone(),
            status: project.status.clone(),
        }
    }
}

/// The answer of `POST /api/v1/projects/{project}/clks`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadAnswer {
    party: usize,
    /// How many records it uploaded.
    records: usize,
    /// The project's status after the upload.
    #[schema(schema_with = project_status_codes)]
    status: &'static str,
}

/// A partner in a match group, as one party sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartnerAnswer {
    /// The partner's organisation.
    organisation: String,
    /// The similarity of the two records, to three decimals.
    similarity: f64,
    /// What the partner decided with the survivor, once it did: `refer` or `decline`.
    decision: Option<String>,
}

/// A match group of the party's own row.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchGroupAnswer {
    /// The party's row in its upload.
    row: usize,
    /// The match's opaque reference.
    #[serde(rename = "match")]
    match_reference: String,
    partners: Vec<PartnerAnswer>,
}

/// The answer of `GET /api/v1/projects/{project}/result` once every party uploaded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectResult {
    #[serde(flatten)]
    status: ProjectStatus,
    groups: Vec<MatchGroupAnswer>,
}

/// The answer of `POST /api/v1/projects/{project}/matches/{match}/decision`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionAnswer {
    #[serde(rename = "match")]
    match_reference: String,
    decision: String,
}

impl IntoResponse for UnitError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(UnitErrorAnswer {
                error: UnitErrorFields {
                    code: self.code,
                    message: self.message,
                    mensaje: self.mensaje,
                },
            }),
        )
            .into_response()
    }
}

/// The unit's routes, from one table as the instance's API: each handler carries
/// `#[utoipa::path]` with its method and path, so the router and the document cannot disagree.
pub fn unit_routes() -> OpenApiRouter<UnitState> {
    // A million 2048-bit encodings in base64 are about 350 MB: only the upload takes that much.
    let upload = OpenApiRouter::new()
        .routes(routes!(upload_clks))
        .layer(DefaultBodyLimit::max(512 * 1024 * 1024));
    OpenApiRouter::new()
        .routes(routes!(create_project))
        .routes(routes!(project_status))
        .routes(routes!(project_result))
        .routes(routes!(record_decision))
        .merge(upload)
}

/// The unit's OpenAPI document, generated from [`unit_routes`].
pub fn unit_document() -> utoipa::openapi::OpenApi {
    let (_router, document) = unit_routes().split_for_parts();
    document
}

/// The unit's application.
pub fn router(state: UnitState) -> Router {
    let (router, _document) = unit_routes().split_for_parts();
    router
        .fallback(|| async {
            UnitError::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "no such address",
                "no existe esa dirección",
            )
        })
        .with_state(state)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn actor(name: String) -> Actor {
    Actor {
        name,
        organisation_id: None,
    }
}

fn read_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, UnitError> {
    serde_json::from_slice(body).map_err(|error| {
        UnitError::new(
            StatusCode::BAD_REQUEST,
            "invalid-json",
            format!("line {}, column {}: {error}", error.line(), error.column()),
            format!(
                "línea {}, columna {}: el cuerpo no es el JSON esperado ({error})",
                error.line(),
                error.column()
            ),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateProject {
    schema: String,
    threshold: f64,
    /// The parties' organisation names, in party order.
    parties: Vec<String>,
}

/// `POST /api/v1/projects`: 201 with the project's reference and each party's upload token.
#[utoipa::path(post, path = "/api/v1/projects", responses(
    (status = 201, description = "The project's reference and each party's upload token", body = CreatedProject),
    (status = 400, description = "The body is not the JSON expected"),
    (status = 403, description = "Not the unit's administrator token"),
))]
async fn create_project(
    State(state): State<UnitState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, UnitError> {
    match bearer(&headers) {
        Some(token) if token_hash(token) == state.operator_token_hash => {}
        _ => {
            return Err(UnitError::new(
                StatusCode::FORBIDDEN,
                "wrong-token",
                "creating a project takes the unit operator's token",
                "crear un proyecto requiere el token del operador de la unidad",
            ))
        }
    }
    let request: CreateProject = read_json(&body)?;
    let Some(encoding_bytes) = schema_encoding_bytes(&request.schema) else {
        return Err(UnitError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-schema",
            format!(
                "schema `{}` is not known to the unit (known: latam)",
                request.schema
            ),
            format!(
                "el esquema `{}` no es conocido por la unidad (conocidos: latam)",
                request.schema
            ),
        ));
    };
    if puente_pprl::matching::Threshold::new(request.threshold).is_err() {
        return Err(UnitError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-threshold",
            format!("threshold {} is not between 0 and 1", request.threshold),
            format!("el umbral {} no está entre 0 y 1", request.threshold),
        ));
    }
    let names: Vec<String> = request
        .parties
        .iter()
        .map(|name| name.trim().to_string())
        .collect();
    if names.len() < 2 || names.iter().any(String::is_empty) {
        return Err(UnitError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parties",
            "a project needs two or more parties, each with its organisation's name",
            "un proyecto necesita dos o más partes, cada una con el nombre de su organización",
        ));
    }
    let tokens: Vec<String> = names
        .iter()
        .map(|_| crate::auth::random_token(32))
        .collect();
    let project = state
        .store
        .create_linkage_project(
            &actor("unit:operator".into()),
            &NewLinkageProject {
                reference: crate::auth::random_token(16),
                schema_name: request.schema,
                encoding_bytes,
                threshold: request.threshold,
                parties: names
                    .iter()
                    .cloned()
                    .zip(tokens.iter().map(|token| token_hash(token)))
                    .collect(),
            },
        )
        .await?;
    let update_tokens = names
        .iter()
        .zip(tokens)
        .enumerate()
        .map(|(party, (name, token))| PartyToken {
            party,
            organisation: name.clone(),
            token,
        })
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(CreatedProject {
            project_id: project.reference,
            schema: project.schema_name,
            threshold: project.threshold,
            encoding_bytes: project.encoding_bytes,
            number_parties: project.parties.len(),
            update_tokens,
        }),
    )
        .into_response())
}

/// The project and the party whose token the request carries.
async fn project_and_party(
    state: &UnitState,
    headers: &HeaderMap,
    reference: &str,
) -> Result<(LinkageProject, usize), UnitError> {
    let project = state
        .store
        .linkage_project(reference)
        .await?
        .ok_or_else(UnitError::not_found)?;
    let hash = bearer(headers).map(token_hash);
    let party = project
        .parties
        .iter()
        .find(|party| Some(&party.token_hash) == hash.as_ref())
        .map(|party| party.party);
    match party {
        Some(party) => Ok((project, party)),
        None => Err(UnitError::unauthorised()),
    }
}

/// Records a refused upload in the unit's audit log (nothing else is stored).
async fn audit_refusal(state: &UnitState, reference: &str, who: &str, why: &str) {
    let entry = NewAuditEntry {
        actor: who.to_string(),
        organisation_id: None,
        action: puente_store::AuditAction::LinkageUploadRefused,
        record_type: puente_store::RecordType::LinkageProject,
        record_id: Some(reference.to_string()),
        case_id: None,
        detail: why.to_string(),
    };
    if let Err(error) = state.store.record_audit(entry).await {
        tracing::error!(error = %error, "cannot audit a refused upload");
    }
}

/// `GET /api/v1/projects/{project}`.
#[utoipa::path(get, path = "/api/v1/projects/{project}", params(("project" = String, Path, description = "The project's reference")), responses(
    (status = 200, description = "The project's status and which parties have uploaded", body = ProjectStatus),
    (status = 403, description = "Not a party's upload token"),
    (status = 404, description = "No such project"),
))]
async fn project_status(
    State(state): State<UnitState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Result<Json<ProjectStatus>, UnitError> {
    let (project, party) = project_and_party(&state, &headers, &reference).await?;
    Ok(Json(ProjectStatus::of(&project, party)))
}

/// `POST /api/v1/projects/{project}/clks`: 201 `{"party", "records", "status"}`.
#[utoipa::path(post, path = "/api/v1/projects/{project}/clks", params(("project" = String, Path, description = "The project's reference")), responses(
    (status = 201, description = "The party, how many records it uploaded and the project's status", body = UploadAnswer),
    (status = 403, description = "Not a party's upload token"),
    (status = 404, description = "No such project"),
    (status = 409, description = "The party has uploaded already"),
))]
async fn upload_clks(
    State(state): State<UnitState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    body: Bytes,
) -> Result<Response, UnitError> {
    let (project, party) = match project_and_party(&state, &headers, &reference).await {
        Ok(found) => found,
        Err(error) => {
            if error.code == "wrong-token" {
                audit_refusal(&state, &reference, "unit:unknown", "wrong token").await;
            }
            return Err(error);
        }
    };
    let who = format!(
        "party {party}: {}",
        project.parties[party].organisation_name
    );
    if project.parties[party].uploaded_at.is_some() || project.status != "waiting" {
        audit_refusal(&state, &reference, &who, "second upload").await;
        return Err(UnitError::new(
            StatusCode::CONFLICT,
            "already-uploaded",
            "this party has uploaded its encodings already; a party uploads once",
            "esta parte ya envió sus codificaciones; cada parte las envía una sola vez",
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        UnitError::new(
            StatusCode::BAD_REQUEST,
            "invalid-json",
            "the body is not UTF-8",
            "el cuerpo no está en UTF-8",
        )
    })?;
    let encodings = match puente_pprl::clk_file::from_json(text) {
        Ok(encodings) => encodings,
        Err(error) => {
            audit_refusal(&state, &reference, &who, "unreadable encodings").await;
            return Err(UnitError::new(
                StatusCode::BAD_REQUEST,
                "invalid-clks",
                error.to_string(),
                format!("las codificaciones no se pueden leer: {error}"),
            ));
        }
    };
    if let Some((index, wrong)) = encodings
        .iter()
        .enumerate()
        .find(|(_, encoding)| encoding.len() != project.encoding_bytes)
    {
        audit_refusal(&state, &reference, &who, "encodings of the wrong length").await;
        return Err(UnitError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong-length",
            format!(
                "encoding {index} has {} bytes; the schema {} makes {} bytes",
                wrong.len(),
                project.schema_name,
                project.encoding_bytes
            ),
            format!(
                "la codificación {index} tiene {} bytes; el esquema {} produce {} bytes",
                wrong.len(),
                project.schema_name,
                project.encoding_bytes
            ),
        ));
    }
    let outcome = state
        .store
        .upload_linkage_encodings(&actor(who.clone()), project.id, party, &encodings)
        .await
        .map_err(|error| match error {
            StoreError::Conflict(_) => UnitError::new(
                StatusCode::CONFLICT,
                "already-uploaded",
                "this party has uploaded its encodings already; a party uploads once",
                "esta parte ya envió sus codificaciones; cada parte las envía una sola vez",
            ),
            other => other.into(),
        })?;
    let status = if outcome.all_uploaded {
        run_project(&state, &project).await?;
        "done"
    } else {
        "waiting"
    };
    Ok((
        StatusCode::CREATED,
        Json(UploadAnswer {
            party,
            records: outcome.records,
            status,
        }),
    )
        .into_response())
}

/// Matches every party's encodings, stores the groups and deletes the encodings.
async fn run_project(state: &UnitState, project: &LinkageProject) -> Result<(), UnitError> {
    let datasets = state.store.linkage_encodings(project.id).await?;
    let threshold = project.threshold;
    let (groups, detail) = tokio::task::spawn_blocking(move || match_parties(&datasets, threshold))
        .await
        .map_err(|error| {
            tracing::error!(error = %error, "the linkage run stopped");
            UnitError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
                "error interno",
            )
        })??;
    state
        .store
        .complete_linkage_run(&actor("unit:matcher".into()), project.id, &groups, &detail)
        .await?;
    Ok(())
}

/// The groups of a run, each with a fresh opaque reference, and a line for the audit log.
fn match_parties(
    datasets: &[Vec<Vec<u8>>],
    threshold: f64,
) -> Result<(Vec<LinkageGroup>, String), UnitError> {
    use puente_pprl::matching::{match_datasets, Blocking, EncodingMatrix, Threshold};
    let invalid = |error: puente_pprl::MatchError| {
        UnitError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            error.to_string(),
            error.to_string(),
        )
    };
    let matrices: Vec<EncodingMatrix> = datasets
        .iter()
        .map(|encodings| EncodingMatrix::from_encodings(encodings))
        .collect();
    let threshold = Threshold::new(threshold).map_err(invalid)?;
    let records: u64 = matrices.iter().map(|matrix| matrix.len() as u64).sum();
    // Small runs compare every pair; large ones block with LSH as `puente pprl match` does.
    let blocking = if records <= 200_000 {
        Blocking::AllPairs
    } else {
        Blocking::lsh_for(&matrices, threshold)
    };
    let result = match_datasets(&matrices, threshold, blocking, &puente_linkage::NoProgress)
        .map_err(invalid)?;
    let mut group_of = std::collections::HashMap::new();
    let mut groups: Vec<LinkageGroup> = result
        .groups
        .iter()
        .enumerate()
        .map(|(index, members)| {
            for member in members {
                group_of.insert(*member, index);
            }
            LinkageGroup {
                reference: format!("m-{}", crate::auth::random_token(12)),
                members: members.clone(),
                similarities: Vec::new(),
            }
        })
        .collect();
    for pair in &result.pairs {
        if let Some(&index) = group_of.get(&(pair.dataset_l, pair.row_l)) {
            groups[index]
                .similarities
                .push((pair.dataset_l, pair.dataset_r, pair.similarity));
        }
    }
    let detail = format!(
        "{} records, {} comparisons, {} candidate pairs",
        records, result.diagnostics.comparisons, result.diagnostics.candidate_pairs
    );
    Ok((groups, detail))
}

/// `GET /api/v1/projects/{project}/result`: 202 while parties are missing, then 200 with the
/// party's own groups.
#[utoipa::path(get, path = "/api/v1/projects/{project}/result", params(("project" = String, Path, description = "The project's reference")), responses(
    (status = 200, description = "The party's own rows' match groups, with the partners' organisation names", body = ProjectResult),
    (status = 202, description = "Parties are still missing", body = ProjectStatus),
    (status = 403, description = "Not a party's upload token"),
    (status = 404, description = "No such project"),
))]
async fn project_result(
    State(state): State<UnitState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Result<Response, UnitError> {
    let (project, party) = project_and_party(&state, &headers, &reference).await?;
    if project.status != "done" {
        return Ok((
            StatusCode::ACCEPTED,
            Json(ProjectStatus::of(&project, party)),
        )
            .into_response());
    }
    let who = format!(
        "party {party}: {}",
        project.parties[party].organisation_name
    );
    let matches = state
        .store
        .linkage_result(&actor(who), project.id, party)
        .await?;
    let groups = matches
        .into_iter()
        .map(|found| MatchGroupAnswer {
            row: found.row,
            match_reference: found.match_reference,
            partners: found
                .partners
                .into_iter()
                .map(|partner| PartnerAnswer {
                    organisation: partner.organisation_name,
                    similarity: (partner.similarity * 1000.0).round() / 1000.0,
                    decision: partner.decision,
                })
                .collect(),
        })
        .collect();
    Ok(Json(ProjectResult {
        status: ProjectStatus::of(&project, party),
        groups,
    })
    .into_response())
}

/// The body of `POST /api/v1/projects/{project}/matches/{match}/decision`: `refer` or `decline`,
/// as decided with the survivor (the instance sends it, the unit reads it).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatchDecision {
    pub decision: String,
}

/// `POST /api/v1/projects/{project}/matches/{match}/decision` `{"decision": "refer"|"decline"}`.
#[utoipa::path(post, path = "/api/v1/projects/{project}/matches/{match}/decision", params(("project" = String, Path, description = "The project's reference"), ("match" = String, Path, description = "The match's reference")), responses(
    (status = 200, description = "The party's decision, recorded for the partners to see", body = DecisionAnswer),
    (status = 403, description = "Not a party's upload token"),
    (status = 404, description = "No such project or match"),
))]
async fn record_decision(
    State(state): State<UnitState>,
    headers: HeaderMap,
    Path((reference, match_reference)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<DecisionAnswer>, UnitError> {
    let (project, party) = project_and_party(&state, &headers, &reference).await?;
    let request: MatchDecision = read_json(&body)?;
    if !matches!(request.decision.as_str(), "refer" | "decline") {
        return Err(UnitError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-decision",
            format!(
                "`{}` is not a decision (refer or decline)",
                request.decision
            ),
            format!(
                "`{}` no es una decisión (refer o decline)",
                request.decision
            ),
        ));
    }
    let who = format!(
        "party {party}: {}",
        project.parties[party].organisation_name
    );
    state
        .store
        .record_linkage_decision(
            &actor(who),
            project.id,
            party,
            &match_reference,
            &request.decision,
        )
        .await?;
    Ok(Json(DecisionAnswer {
        match_reference,
        decision: request.decision,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_document_lists_each_route_with_its_method() {
        let document = serde_json::to_value(unit_document()).unwrap();
        let mut operations: Vec<String> = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .map(move |method| format!("{method} {path}"))
            })
            .collect();
        operations.sort();
        assert_eq!(
            operations,
            [
                "get /api/v1/projects/{project}",
                "get /api/v1/projects/{project}/result",
                "post /api/v1/projects",
                "post /api/v1/projects/{project}/clks",
                "post /api/v1/projects/{project}/matches/{match}/decision",
            ]
        );
    }
}
