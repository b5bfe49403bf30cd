//! The legal track's JSON API: a case's reports to authorities, criminal proceedings and their
//! stages, the survivor's participation and its support, certifications and their decisions,
//! relief applications and their steps, the perpetrators recorded on the case, and the
//! perpetrators of every case of the organisation linked into persons.
//!
//! Access goes through `policy.rs`: reading a case's legal track is `ViewCase`, writing it
//! `EditCase` (advocates and case workers on their own cases, supervisors on the organisation's;
//! an analyst or an organisation admin never: 403; a case out of reach: 404). The linked
//! perpetrators are `ViewPerpetratorLinks` (supervisors only), and their read is audited. Partners
//! never see any of it: a referral shares only the parts of `puente_core::sharing`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use puente_core::legal::{
    ApplicationStatus, AuthorityKind, CertificationKind, CertificationStatus, ParticipationKind,
    ParticipationSupport, ProceedingStage, VerdictOutcome,
};
use puente_core::relief_facts::ReliefOptionKind;
use puente_core::{Lang, Vocabulary};
use puente_screening::relief::format_date;
use puente_store::{LegalTrack, StoredPerpetrator};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api_types::{code_schema, optional, vocabulary_codes, IdAnswer};
use crate::auth::{Principal, RequestLang};
use crate::cases::{self, FormFields};
use crate::error::{AppError, ErrorAnswer};
use crate::extract::ApiJson;
use crate::policy::Action;
use crate::services::legal::{self as legal_service, LegalForm};
use crate::services::perpetrators::{linked_perpetrators, written_name, PerpetratorGroup};
use crate::AppState;

fn authority_codes() -> utoipa::openapi::Object {
    vocabulary_codes::<AuthorityKind>()
}
fn stage_codes() -> utoipa::openapi::Object {
    vocabulary_codes::<ProceedingStage>()
}
fn outcome_codes() -> utoipa::openapi::Object {
    optional(vocabulary_codes::<VerdictOutcome>())
}
fn participation_codes() -> utoipa::openapi::Object {
    vocabulary_codes::<ParticipationKind>()
}
fn support_codes() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new()
        .items(vocabulary_codes::<ParticipationSupport>())
        .build()
}
fn certification_codes() -> utoipa::openapi::Object {
    vocabulary_codes::<CertificationKind>()
}
fn decision_codes() -> utoipa::openapi::Object {
    code_schema([
        CertificationStatus::Signed.code(),
        CertificationStatus::Refused.code(),
    ])
}
fn relief_codes() -> utoipa::openapi::Object {
    vocabulary_codes::<ReliefOptionKind>()
}
fn step_status_codes() -> utoipa::openapi::Object {
    code_schema(
        ApplicationStatus::all()
            .iter()
            .filter(|status| **status != ApplicationStatus::Preparing)
            .map(|status| status.code()),
    )
}
fn optional_application_status_codes() -> utoipa::openapi::Object {
    optional(vocabulary_codes::<ApplicationStatus>())
}
fn optional_sex_codes() -> utoipa::openapi::Object {
    optional(vocabulary_codes::<puente_core::htcds::Gender>())
}
fn optional_country_codes() -> utoipa::openapi::Object {
    optional(crate::openapi::country_code())
}
/// A perpetrator's year of birth, from 1900 to this year, or null.
fn birth_year_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::Type::Integer,
            utoipa::openapi::Type::Null,
        ]))
        .minimum(Some(1900))
        .maximum(Some(time::OffsetDateTime::now_utc().year()))
        .build()
}
fn role_codes() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new()
        .items(vocabulary_codes::<puente_core::htcds::PerpetratorRole>())
        .min_items(Some(1))
        .build()
}

/// The body of `POST /api/v1/cases/{id}/legal/reports`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    #[schema(schema_with = authority_codes)]
    authority: String,
    /// The agency or office ("Houston Police Department").
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    agency: String,
    /// YYYY-MM-DD, not in the future.
    #[schema(schema_with = crate::openapi::past_day_schema)]
    reported_on: String,
    #[serde(default)]
    #[schema(max_length = 120)]
    reference: Option<String>,
}

/// The body of `POST /api/v1/cases/{id}/legal/proceedings`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProceedingRequest {
    /// ISO 3166-1 alpha-2 of the country whose justice system runs it.
    #[serde(default)]
    #[schema(schema_with = optional_country_codes)]
    country: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    court_or_office: String,
    #[serde(default)]
    #[schema(max_length = 120)]
    reference: Option<String>,
}

/// The body of `POST /api/v1/cases/{id}/legal/proceedings/{proceeding_id}/stages`. A date to come
/// (a trial set for a day) becomes a task on the case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageRequest {
    #[schema(schema_with = stage_codes)]
    stage: String,
    #[schema(schema_with = crate::openapi::any_day_schema)]
    stage_on: String,
    /// Required for a verdict, refused for any other stage.
    #[serde(default)]
    #[schema(schema_with = outcome_codes)]
    outcome: Option<String>,
}

/// The body of `POST /api/v1/cases/{id}/legal/participations`. A date to come (a testimony set for
/// a day) becomes a task on the case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipationRequest {
    /// A proceeding of the case, when the participation is in one.
    #[serde(default)]
    proceeding_id: Option<i64>,
    #[schema(schema_with = participation_codes)]
    kind: String,
    #[schema(schema_with = crate::openapi::any_day_schema)]
    participated_on: String,
    /// The support given for it.
    #[serde(default)]
    #[schema(schema_with = support_codes)]
    supports: Vec<String>,
}

/// The body of `POST /api/v1/cases/{id}/legal/certifications`: a certification asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationRequest {
    #[schema(schema_with = certification_codes)]
    kind: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    agency: String,
    #[schema(schema_with = crate::openapi::past_day_schema)]
    asked_on: String,
}

/// The body of `POST /api/v1/cases/{id}/legal/certifications/{certification_id}/decision`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationDecisionRequest {
    #[schema(schema_with = decision_codes)]
    status: String,
    #[schema(schema_with = crate::openapi::past_day_schema)]
    decided_on: String,
}

/// The body of `POST /api/v1/cases/{id}/legal/applications`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRequest {
    /// The relief option applied for.
    #[schema(schema_with = relief_codes)]
    relief: String,
    /// `preparing` when absent.
    #[serde(default)]
    #[schema(schema_with = optional_application_status_codes)]
    status: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::openapi::optional_past_day_schema)]
    filed_on: Option<String>,
}

/// The body of `POST /api/v1/cases/{id}/legal/applications/{application_id}/steps`: filed,
/// receipt (with its number), granted, denied or withdrawn, on a day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationStepRequest {
    /// Any status but `preparing`: an application never goes back to being prepared.
    #[schema(schema_with = step_status_codes)]
    status: String,
    #[schema(schema_with = crate::openapi::past_day_schema)]
    on: String,
    #[serde(default)]
    #[schema(max_length = 120)]
    receipt_number: Option<String>,
}

/// The body of `POST /api/v1/cases/{id}/perpetrators`: a name, a surname or an alias, and at
/// least one HTCDS role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PerpetratorRequest {
    #[serde(default)]
    #[schema(max_length = 120)]
    given_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 120)]
    surname: Option<String>,
    #[serde(default)]
    #[schema(max_length = 120)]
    alias: Option<String>,
    #[serde(default)]
    #[schema(schema_with = optional_sex_codes)]
    sex: Option<String>,
    #[serde(default)]
    #[schema(schema_with = optional_country_codes)]
    nationality: Option<String>,
    #[serde(default)]
    #[schema(max_length = 120)]
    phone: Option<String>,
    #[serde(default)]
    #[schema(schema_with = birth_year_schema)]
    birth_year: Option<i64>,
    #[schema(schema_with = role_codes)]
    roles: Vec<String>,
}

/// Builds the fields the legal forms are read from.
#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn text(mut self, name: &str, value: impl Into<String>) -> Fields {
        self.0.push((name.to_string(), value.into()));
        self
    }
    fn optional(self, name: &str, value: Option<impl Into<String>>) -> Fields {
        match value {
            Some(value) => self.text(name, value),
            None => self,
        }
    }
    fn list(self, name: &str, values: Vec<String>) -> Fields {
        values
            .into_iter()
            .fold(self, |fields, value| fields.text(name, value))
    }
    fn done(self) -> FormFields {
        FormFields(self.0)
    }
}

/// Records a form and answers its id (201 for a new record, 200 for a change to one), or the
/// refused field as 422.
async fn created(
    state: &AppState,
    principal: &Principal,
    lang: Lang,
    case_id: i64,
    form: LegalForm,
    fields: FormFields,
) -> Result<Response, AppError> {
    let status = match form {
        LegalForm::CertificationDecision { .. } | LegalForm::ApplicationUpdate { .. } => {
            StatusCode::OK
        }
        _ => StatusCode::CREATED,
    };
    let recorded = legal_service::record(state, principal, case_id, form, &fields, lang)
        .await
        .map_err(|error| error.into_app_error(lang))?;
    Ok((status, Json(IdAnswer { id: recorded.id })).into_response())
}

/// A report to an authority.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAnswer {
    pub id: i64,
    pub authority: String,
    pub authority_label: String,
    pub agency: String,
    pub reported_on: String,
    pub reference: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

/// A stage a proceeding reached (or is set to reach) on a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageAnswer {
    pub id: i64,
    pub stage: String,
    pub stage_label: String,
    pub stage_on: String,
    pub outcome: Option<String>,
    pub outcome_label: Option<String>,
}

/// A criminal proceeding and its stages in date order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProceedingAnswer {
    pub id: i64,
    pub country: Option<String>,
    pub court_or_office: String,
    pub reference: Option<String>,
    pub stages: Vec<StageAnswer>,
    pub created_at: String,
}

/// The survivor's part in a proceeding and the support given for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipationAnswer {
    pub id: i64,
    pub proceeding_id: Option<i64>,
    pub kind: String,
    pub kind_label: String,
    pub participated_on: String,
    pub supports: Vec<String>,
    pub support_labels: Vec<String>,
}

/// A certification asked for, and its decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificationAnswer {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub agency: String,
    pub status: String,
    pub status_label: String,
    pub asked_on: String,
    pub decided_on: Option<String>,
}

/// A relief application and the dates of its steps.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationAnswer {
    pub id: i64,
    pub relief: String,
    pub relief_label: String,
    pub status: String,
    pub status_label: String,
    pub filed_on: Option<String>,
    pub receipt_on: Option<String>,
    pub receipt_number: Option<String>,
    pub decided_on: Option<String>,
}

/// A case's legal track, labels in the request's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct LegalTrackAnswer {
    pub reports: Vec<ReportAnswer>,
    pub proceedings: Vec<ProceedingAnswer>,
    pub participations: Vec<ParticipationAnswer>,
    pub certifications: Vec<CertificationAnswer>,
    pub applications: Vec<ApplicationAnswer>,
}

fn labels<V: Vocabulary>(values: &[V], lang: Lang) -> (Vec<String>, Vec<String>) {
    values
        .iter()
        .map(|value| (value.code().to_string(), value.label_in(lang).to_string()))
        .unzip()
}

fn reports_answer(track: &LegalTrack, lang: Lang) -> Vec<ReportAnswer> {
    track
        .reports
        .iter()
        .map(|report| ReportAnswer {
            id: report.id,
            authority: report.report.authority.code().to_string(),
            authority_label: report.report.authority.label_in(lang).to_string(),
            agency: report.report.agency.clone(),
            reported_on: format_date(report.report.reported_on),
            reference: report.report.reference.clone(),
            created_by: report.created_by.clone(),
            created_at: report.created_at.clone(),
        })
        .collect()
}

/// The legal track as the API answers it.
pub fn track_answer(track: &LegalTrack, lang: Lang) -> LegalTrackAnswer {
    LegalTrackAnswer {
        reports: reports_answer(track, lang),
        proceedings: track
            .proceedings
            .iter()
            .map(|proceeding| ProceedingAnswer {
                id: proceeding.id,
                country: proceeding
                    .proceeding
                    .country
                    .map(|c| c.alpha_2().to_string()),
                court_or_office: proceeding.proceeding.court_or_office.clone(),
                reference: proceeding.proceeding.reference.clone(),
                stages: proceeding
                    .stages
                    .iter()
                    .map(|stage| StageAnswer {
                        id: stage.id,
                        stage: stage.stage.stage.code().to_string(),
                        stage_label: stage.stage.stage.label_in(lang).to_string(),
                        stage_on: format_date(stage.stage.stage_on),
                        outcome: stage.stage.outcome.map(|o| o.code().to_string()),
                        outcome_label: stage.stage.outcome.map(|o| o.label_in(lang).to_string()),
                    })
                    .collect(),
                created_at: proceeding.created_at.clone(),
            })
            .collect(),
        participations: track
            .participations
            .iter()
            .map(|participation| {
                let (supports, support_labels) =
                    labels(&participation.participation.supports, lang);
                ParticipationAnswer {
                    id: participation.id,
                    proceeding_id: participation.participation.proceeding_id,
                    kind: participation.participation.kind.code().to_string(),
                    kind_label: participation.participation.kind.label_in(lang).to_string(),
                    participated_on: format_date(participation.participation.participated_on),
                    supports,
                    support_labels,
                }
            })
            .collect(),
        certifications: track
            .certifications
            .iter()
            .map(|certification| CertificationAnswer {
                id: certification.id,
                kind: certification.kind.code().to_string(),
                kind_label: certification.kind.label_in(lang).to_string(),
                agency: certification.agency.clone(),
                status: certification.status.code().to_string(),
                status_label: certification.status.label_in(lang).to_string(),
                asked_on: format_date(certification.asked_on),
                decided_on: certification.decided_on.map(format_date),
            })
            .collect(),
        applications: track
            .applications
            .iter()
            .map(|application| ApplicationAnswer {
                id: application.id,
                relief: application.relief.code().to_string(),
                relief_label: application.relief.label_in(lang).to_string(),
                status: application.status.code().to_string(),
                status_label: application.status.label_in(lang).to_string(),
                filed_on: application.filed_on.map(format_date),
                receipt_on: application.receipt_on.map(format_date),
                receipt_number: application.receipt_number.clone(),
                decided_on: application.decided_on.map(format_date),
            })
            .collect(),
    }
}

/// The legal track of a case the user may read (`ViewCase`).
async fn readable_track(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
) -> Result<LegalTrack, AppError> {
    let access = cases::authorize_case(state, principal, Action::ViewCase, case_id).await?;
    Ok(state
        .store
        .legal_track(access.organisation_id, case_id)
        .await?)
}

/// `GET /api/v1/cases/{id}/legal`: the case's whole legal track.
#[utoipa::path(get, path = "/api/v1/cases/{id}/legal", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "Reports, proceedings with their stages, participation, certifications and relief applications", body = LegalTrackAnswer),
    (status = 403, description = "The role never reads cases (analyst, organisation admin)", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
))]
pub async fn get_legal_track(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Json<LegalTrackAnswer>, AppError> {
    let track = readable_track(&state, &principal, case_id).await?;
    Ok(Json(track_answer(&track, lang)))
}

/// `GET /api/v1/cases/{id}/legal/reports`: the case's reports to authorities, by date.
#[utoipa::path(get, path = "/api/v1/cases/{id}/legal/reports", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "The case's reports to authorities, by date", body = Vec<ReportAnswer>),
    (status = 403, description = "The role never reads cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
))]
pub async fn list_reports(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<ReportAnswer>>, AppError> {
    let track = readable_track(&state, &principal, case_id).await?;
    Ok(Json(reports_answer(&track, lang)))
}

/// `POST /api/v1/cases/{id}/legal/reports`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal/reports", params(("id" = i64, Path, description = "The case")), request_body = ReportRequest, responses(
    (status = 201, description = "The report's id", body = IdAnswer),
    (status = 403, description = "The role never changes cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
    (status = 422, description = "An unknown authority, a blank agency, a date that is not YYYY-MM-DD or is in the future, named in `field`", body = ErrorAnswer),
))]
pub async fn create_report(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<ReportRequest>,
) -> Result<Response, AppError> {
    let fields = Fields::default()
        .text("authority", request.authority)
        .text("agency", request.agency)
        .text("reported_on", request.reported_on)
        .optional("reference", request.reference)
        .done();
    created(&state, &principal, lang, case_id, LegalForm::Report, fields).await
}

/// `POST /api/v1/cases/{id}/legal/proceedings`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal/proceedings", params(("id" = i64, Path, description = "The case")), request_body = ProceedingRequest, responses(
    (status = 201, description = "The proceeding's id", body = IdAnswer),
    (status = 403, description = "The role never changes cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
    (status = 422, description = "An unknown country or a blank court or office, named in `field`", body = ErrorAnswer),
))]
pub async fn create_proceeding(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<ProceedingRequest>,
) -> Result<Response, AppError> {
    let fields = Fields::default()
        .optional("country", request.country)
        .text("court_or_office", request.court_or_office)
        .optional("reference", request.reference)
        .done();
    created(
        &state,
        &principal,
        lang,
        case_id,
        LegalForm::Proceeding,
        fields,
    )
    .await
}

/// `POST /api/v1/cases/{id}/legal/proceedings/{proceeding_id}/stages`: 201 `{"id"}` of the stage.
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal/proceedings/{proceeding_id}/stages", params(("id" = i64, Path, description = "The case"), ("proceeding_id" = i64, Path, description = "A proceeding of the case")), request_body = StageRequest, responses(
    (status = 201, description = "The stage's id; a date to come is a task on the case", body = IdAnswer),
    (status = 403, description = "The role never changes cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user, or no such proceeding in it", body = ErrorAnswer),
    (status = 422, description = "An unknown stage or outcome, a verdict without an outcome or another stage with one, a date that is not YYYY-MM-DD, named in `field`", body = ErrorAnswer),
))]
pub async fn create_stage(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path((case_id, proceeding_id)): Path<(i64, i64)>,
    ApiJson(request): ApiJson<StageRequest>,
) -> Result<Response, AppError> {
    let fields = Fields::default()
        .text("stage", request.stage)
        .text("stage_on", request.stage_on)
        .optional("outcome", request.outcome)
        .done();
    let form = LegalForm::Stage { proceeding_id };
    created(&state, &principal, lang, case_id, form, fields).await
}

/// `POST /api/v1/cases/{id}/legal/participations`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal/participations", params(("id" = i64, Path, description = "The case")), request_body = ParticipationRequest, responses(
    (status = 201, description = "The participation's id; a date to come is a task on the case", body = IdAnswer),
    (status = 403, description = "The role never changes cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
    (status = 422, description = "An unknown kind or support, a proceeding not of the case, a date that is not YYYY-MM-DD, named in `field`", body = ErrorAnswer),
))]
pub async fn create_participation(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<ParticipationRequest>,
) -> Result<Response, AppError> {
    let fields = Fields::default()
        .optional(
            "proceeding_id",
            request.proceeding_id.map(|id| id.to_string()),
        )
        .text("kind", request.kind)
        .text("participated_on", request.participated_on)
        .list("supports", request.supports)
        .done();
    created(
        &state,
        &principal,
        lang,
        case_id,
        LegalForm::Participation,
        fields,
    )
    .await
}

/// `POST /api/v1/cases/{id}/legal/certifications`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal/certifications", params(("id" = i64, Path, description = "The case")), request_body = CertificationRequest, responses(
    (status = 201, description = "The certification's id, asked for", body = IdAnswer),
    (status = 403, description = "The role never changes cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
    (status = 422, description = "An unknown kind, a blank agency, a date that is not YYYY-MM-DD or is in the future, named in `field`", body = ErrorAnswer),
))]
pub async fn create_certification(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<CertificationRequest>,
) -> Result<Response, AppError> {
    let fields = Fields::default()
        .text("kind", request.kind)
        .text("agency", request.agency)
        .text("asked_on", request.asked_on)
        .done();
    created(
        &state,
        &principal,
        lang,
        case_id,
        LegalForm::Certification,
        fields,
    )
    .await
}

/// `POST /api/v1/cases/{id}/legal/certifications/{certification_id}/decision`: signed or refused.
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal/certifications/{certification_id}/decision", params(("id" = i64, Path, description = "The case"), ("certification_id" = i64, Path, description = "A certification of the case")), request_body = CertificationDecisionRequest, responses(
    (status = 200, description = "The certification's id, decided", body = IdAnswer),
    (status = 403, description = "The role never changes cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user, or no such certification in it", body = ErrorAnswer),
    (status = 409, description = "The certification was decided already", body = ErrorAnswer),
    (status = 422, description = "A status other than signed or refused, a date that is not YYYY-MM-DD or is in the future, named in `field`", body = ErrorAnswer),
))]
pub async fn decide_certification(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path((case_id, certification_id)): Path<(i64, i64)>,
    ApiJson(request): ApiJson<CertificationDecisionRequest>,
) -> Result<Response, AppError> {
    let fields = Fields::default()
        .text("status", request.status)
        .text("decided_on", request.decided_on)
        .done();
    let form = LegalForm::CertificationDecision { certification_id };
    created(&state, &principal, lang, case_id, form, fields).await
}

/// `POST /api/v1/cases/{id}/legal/applications`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal/applications", params(("id" = i64, Path, description = "The case")), request_body = ApplicationRequest, responses(
    (status = 201, description = "The application's id", body = IdAnswer),
    (status = 403, description = "The role never changes cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
    (status = 422, description = "An unknown relief or status, a date that is not YYYY-MM-DD or is in the future, named in `field`", body = ErrorAnswer),
))]
pub async fn create_application(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<ApplicationRequest>,
) -> Result<Response, AppError> {
    let fields = Fields::default()
        .text("relief", request.relief)
        .optional("status", request.status)
        .optional("filed_on", request.filed_on)
        .done();
    created(
        &state,
        &principal,
        lang,
        case_id,
        LegalForm::Application,
        fields,
    )
    .await
}

/// `POST /api/v1/cases/{id}/legal/applications/{application_id}/steps`: the application moves on.
#[utoipa::path(post, path = "/api/v1/cases/{id}/legal/applications/{application_id}/steps", params(("id" = i64, Path, description = "The case"), ("application_id" = i64, Path, description = "A relief application of the case")), request_body = ApplicationStepRequest, responses(
    (status = 200, description = "The application's id, moved on", body = IdAnswer),
    (status = 403, description = "The role never changes cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user, or no such application in it", body = ErrorAnswer),
    (status = 409, description = "The application cannot move to that status from where it is", body = ErrorAnswer),
    (status = 422, description = "An unknown status, a date that is not YYYY-MM-DD or is in the future, named in `field`", body = ErrorAnswer),
))]
pub async fn application_step(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path((case_id, application_id)): Path<(i64, i64)>,
    ApiJson(request): ApiJson<ApplicationStepRequest>,
) -> Result<Response, AppError> {
    let fields = Fields::default()
        .text("status", request.status)
        .text("on", request.on)
        .optional("receipt_number", request.receipt_number)
        .done();
    let form = LegalForm::ApplicationUpdate { application_id };
    created(&state, &principal, lang, case_id, form, fields).await
}

/// A perpetrator recorded on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerpetratorAnswer {
    pub id: i64,
    pub case_id: i64,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub alias: Option<String>,
    pub sex: Option<String>,
    pub nationality: Option<String>,
    pub phone: Option<String>,
    pub birth_year: Option<i32>,
    pub roles: Vec<String>,
    pub role_labels: Vec<String>,
}

fn perpetrator_answer(record: &StoredPerpetrator, lang: Lang) -> PerpetratorAnswer {
    let (roles, role_labels) = labels(&record.perpetrator.roles, lang);
    PerpetratorAnswer {
        id: record.id,
        case_id: record.case_id,
        given_name: record.perpetrator.given_name.clone(),
        surname: record.perpetrator.surname.clone(),
        alias: record.perpetrator.alias.clone(),
        sex: record.perpetrator.sex.map(|sex| sex.code().to_string()),
        nationality: record
            .perpetrator
            .nationality
            .map(|c| c.alpha_2().to_string()),
        phone: record.perpetrator.phone.clone(),
        birth_year: record.perpetrator.birth_year,
        roles,
        role_labels,
    }
}

/// `GET /api/v1/cases/{id}/perpetrators`: the perpetrators recorded on the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/perpetrators", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "The case's perpetrators, in the order they were recorded", body = Vec<PerpetratorAnswer>),
    (status = 403, description = "The role never reads cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
))]
pub async fn case_perpetrators(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<PerpetratorAnswer>>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    let records = state
        .store
        .perpetrators_of_case(access.organisation_id, case_id)
        .await?;
    Ok(Json(
        records
            .iter()
            .map(|record| perpetrator_answer(record, lang))
            .collect(),
    ))
}

/// `POST /api/v1/cases/{id}/perpetrators`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/perpetrators", params(("id" = i64, Path, description = "The case")), request_body = PerpetratorRequest, responses(
    (status = 201, description = "The perpetrator's id", body = IdAnswer),
    (status = 403, description = "The role never changes cases", body = ErrorAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
    (status = 422, description = "No name, surname or alias, no role or an unknown one, an unknown sex or nationality, a year of birth out of range, an overlong text, named in `field`", body = ErrorAnswer),
))]
pub async fn create_perpetrator(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<PerpetratorRequest>,
) -> Result<Response, AppError> {
    let fields = Fields::default()
        .optional("given_name", request.given_name)
        .optional("surname", request.surname)
        .optional("alias", request.alias)
        .optional("sex", request.sex)
        .optional("nationality", request.nationality)
        .optional("phone", request.phone)
        .optional(
            "birth_year",
            request.birth_year.map(|year| year.to_string()),
        )
        .list("roles", request.roles)
        .done();
    created(
        &state,
        &principal,
        lang,
        case_id,
        LegalForm::Perpetrator,
        fields,
    )
    .await
}

/// One person behind perpetrator records of the organisation's cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerpetratorPersonAnswer {
    /// The cases the person appears in, each once.
    pub case_ids: Vec<i64>,
    /// The names as they were written in each case, each once.
    pub names: Vec<String>,
    pub aliases: Vec<String>,
    pub roles: Vec<String>,
    pub role_labels: Vec<String>,
    /// The strongest link that joined the records (null for a record linked to no other).
    pub probability: Option<f64>,
    pub records: Vec<PerpetratorAnswer>,
}

/// A linked person as the API answers it.
pub fn person_answer(group: &PerpetratorGroup, lang: Lang) -> PerpetratorPersonAnswer {
    let mut names: Vec<String> = Vec::new();
    let mut aliases: Vec<String> = Vec::new();
    for record in &group.records {
        if let Some(name) = written_name(record).filter(|name| !names.contains(name)) {
            names.push(name);
        }
        if let Some(alias) = record
            .perpetrator
            .alias
            .clone()
            .filter(|alias| !aliases.contains(alias))
        {
            aliases.push(alias);
        }
    }
    let (roles, role_labels) = labels(&group.roles(), lang);
    PerpetratorPersonAnswer {
        case_ids: group.case_ids(),
        names,
        aliases,
        roles,
        role_labels,
        probability: group.probability,
        records: group
            .records
            .iter()
            .map(|record| perpetrator_answer(record, lang))
            .collect(),
    }
}

/// `GET /api/v1/perpetrators`: every perpetrator of the organisation's cases, each person once
/// with the cases they appear in (most cases first).
#[utoipa::path(get, path = "/api/v1/perpetrators", responses(
    (status = 200, description = "The persons behind the perpetrator records, most cases first", body = Vec<PerpetratorPersonAnswer>),
    (status = 403, description = "Only supervisors see perpetrators across cases", body = ErrorAnswer),
))]
pub async fn list_perpetrators(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
) -> Result<Json<Vec<PerpetratorPersonAnswer>>, AppError> {
    let groups = linked_perpetrators(&state, &principal).await?;
    Ok(Json(
        groups
            .iter()
            .map(|group| person_answer(group, lang))
            .collect(),
    ))
}
