//! A case's records: attached documents (upload, list, download, and the receiver's download
//! through a referral), voided screenings, the history with what changed, and the exports (the
//! case file as PDF, the case list as XLSX and CSV).

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use puente_core::{Lang, Vocabulary};
use puente_store::{NewAttachment, StoredAttachment};
use serde::Deserialize;
use serde_json::Value;

use crate::attachments;
use crate::auth::{see_other, PageUser, Principal, RequestLang};
use crate::case_search::{self, CaseExportParameters, CaseListParameters};
use crate::cases;
use crate::error::{AppError, PageError};
use crate::exports::{self, FileLine, Table};
use crate::extract::ApiJson;
use crate::i18n::t;
use crate::policy::{self, Action};
use crate::services::case_rows::{labels, level_label, person_rows, victim_rows};
use crate::AppState;

/// Reads the `file` part of a multipart body, refusing it (before anything is stored) when it
/// is larger than the limit (413) or not of an accepted kind (415), and refusing a body with
/// any other part, or a second `file` (422, naming the part).
async fn received_file(
    state: &AppState,
    mut multipart: Multipart,
) -> Result<(String, Vec<u8>, attachments::DocumentKind), AppError> {
    let max_bytes = state.config.attachments.max_bytes;
    let too_large = AppError::AttachmentTooLarge { max_bytes };
    let read_error = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::AttachmentTooLarge { max_bytes }
        } else {
            AppError::BadRequest(error.body_text())
        }
    };
    let mut received = None;
    while let Some(mut field) = multipart.next_field().await.map_err(read_error)? {
        let name = field.name().unwrap_or_default();
        if name != "file" || received.is_some() {
            return Err(AppError::InvalidField {
                field: name.to_string(),
                detail: "the body has one part, `file`, the document".into(),
            });
        }
        let file_name = attachments::clean_file_name(field.file_name().unwrap_or_default());
        let mut content = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(read_error)? {
            if (content.len() + chunk.len()) as u64 > max_bytes {
                return Err(too_large);
            }
            content.extend_from_slice(&chunk);
        }
        received = Some((file_name, content));
    }
    let Some((file_name, content)) = received else {
        return Err(AppError::InvalidField {
            field: "file".into(),
            detail: "a multipart body with the document in the field `file`".into(),
        });
    };
    let kind = attachments::detect_kind(&content).ok_or(AppError::AttachmentKindRefused)?;
    Ok((file_name, content, kind))
}

/// Checks the user may attach to the case, reads and checks the file, seals it outside the
/// database and records it with its audit entry; the sealed file is removed when recording fails.
async fn attach(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
    multipart: Multipart,
) -> Result<StoredAttachment, AppError> {
    let access = cases::authorize_case(state, principal, Action::AttachDocument, case_id).await?;
    let (file_name, content, kind) = received_file(state, multipart).await?;
    let size_bytes = content.len() as i64;
    let directory = state.attachment_directory();
    let key = state.config.secrets_key.clone();
    let sealed = {
        let directory = directory.clone();
        tokio::task::spawn_blocking(move || attachments::write_sealed(&directory, &key, &content))
            .await
            .map_err(|error| AppError::Internal(anyhow::Error::new(error)))??
    };
    let recorded = state
        .store
        .record_attachment(
            &principal.actor(),
            access.organisation_id,
            case_id,
            &NewAttachment {
                file_name,
                content_type: kind.media_type().to_string(),
                size_bytes,
                sha256: sealed.sha256.clone(),
                storage_name: sealed.storage_name.clone(),
            },
        )
        .await;
    match recorded {
        Ok(stored) => Ok(stored),
        Err(error) => {
            attachments::remove_sealed(&directory, &sealed.storage_name);
            Err(error.into())
        }
    }
}

/// The multipart body of `POST /api/v1/cases/{id}/attachments`, as the document describes it
/// (the handler reads the parts itself, in [`received_file`]): another part is refused.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// The document: PDF, JPEG, PNG, DOCX or plain text (UTF-8), recognised by its bytes, with
    /// its file name.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// `POST /api/v1/cases/{id}/attachments` (multipart, the document in `file`): 201 `{"id"}`; 413
/// over the limit, 415 for a kind not accepted; nothing is stored on a refusal.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", params(("id" = i64, Path, description = "The case")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data", description = "The document in the part `file`"),
    responses(
        (status = 201, description = "Attached", body = crate::api_types::IdAnswer),
        (status = 404, description = "No such case visible to the user", body = crate::error::ErrorAnswer),
        (status = 413, description = "Larger than the limit", body = crate::error::ErrorAnswer),
        (status = 415, description = "A kind of document not accepted", body = crate::error::ErrorAnswer),
    ))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let stored = attach(&state, &principal, case_id, multipart).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/cases/{case_id}/attachments/{}", stored.id),
        )],
        Json(crate::api_types::IdAnswer { id: stored.id }),
    )
        .into_response())
}

/// `POST /cases/{id}/attachments` from the case page: back to the case.
pub async fn upload_attachment_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    attach(&state, &user.principal, case_id, multipart).await?;
    Ok(see_other(&format!(
        "/cases/{case_id}?done=attached#documents"
    )))
}

/// A document attached to a case, as the API describes it (never where it is kept).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AttachmentAnswer {
    id: i64,
    case_id: i64,
    organisation_id: i64,
    /// The file name it was attached with.
    file_name: String,
    /// Its media type, recognised by its bytes.
    content_type: String,
    #[schema(minimum = 0)]
    size_bytes: i64,
    /// The SHA-256 of its content, in hexadecimal.
    sha256: String,
    /// Who attached it.
    uploaded_by: String,
    /// When (ISO 8601, UTC).
    created_at: String,
}

impl AttachmentAnswer {
    fn of(stored: &StoredAttachment) -> Self {
        Self {
            id: stored.id,
            case_id: stored.case_id,
            organisation_id: stored.organisation_id,
            file_name: stored.file_name.clone(),
            content_type: stored.content_type.clone(),
            size_bytes: stored.size_bytes,
            sha256: stored.sha256.clone(),
            uploaded_by: stored.uploaded_by.clone(),
            created_at: stored.created_at.clone(),
        }
    }
}

/// The answer of `GET /api/v1/cases/{id}/attachments`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AttachmentList {
    /// Oldest first.
    attachments: Vec<AttachmentAnswer>,
}

/// `GET /api/v1/cases/{id}/attachments`: what each document is, who attached it and when.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "What each document is, who attached it and when, oldest first", body = AttachmentList),
    (status = 404, description = "No such case visible to the user", body = crate::error::ErrorAnswer),
))]
pub async fn list_attachments(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
) -> Result<Json<AttachmentList>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::AttachDocument, case_id).await?;
    let documents = state
        .store
        .attachments(access.organisation_id, case_id)
        .await?;
    Ok(Json(AttachmentList {
        attachments: documents.iter().map(AttachmentAnswer::of).collect(),
    }))
}

/// The document's content as a download.
fn download(stored: &StoredAttachment, content: Vec<u8>) -> Response {
    let ascii_name: String = stored
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = stored
        .file_name
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b".-_".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, stored.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        content,
    )
        .into_response()
}

async fn open_document(state: &AppState, stored: &StoredAttachment) -> Result<Vec<u8>, AppError> {
    let directory = state.attachment_directory();
    let key = state.config.secrets_key.clone();
    let storage_name = stored.storage_name.clone();
    let sha256 = stored.sha256.clone();
    tokio::task::spawn_blocking(move || {
        attachments::read_sealed(&directory, &key, &storage_name, &sha256)
    })
    .await
    .map_err(|error| AppError::Internal(anyhow::Error::new(error)))?
}

/// `GET /api/v1/cases/{id}/attachments/{attachment_id}`: the document, audited as a read of
/// identifying data.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{attachment_id}",
    params(("id" = i64, Path, description = "The case"), ("attachment_id" = i64, Path, description = "The document")),
    responses(
        (status = 200, description = "The document's content, as attached (audited)", content(
            (Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "text/plain"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 404, description = "No such document of a case visible to the user", body = crate::error::ErrorAnswer),
    ))]
pub async fn download_attachment(
    State(state): State<AppState>,
    principal: Principal,
    Path((case_id, attachment_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::AttachDocument, case_id).await?;
    let stored = state
        .store
        .attachment_for_download(
            &principal.actor(),
            access.organisation_id,
            case_id,
            attachment_id,
        )
        .await?;
    let content = open_document(&state, &stored).await?;
    Ok(download(&stored, content))
}

/// `GET /api/v1/referrals/{id}/attachments/{attachment_id}`: a document of a referred case, for
/// the receiving organisation, when the referral shares `documents` under an active consent.
#[utoipa::path(get, path = "/api/v1/referrals/{id}/attachments/{attachment_id}",
    params(("id" = i64, Path, description = "The referral"), ("attachment_id" = i64, Path, description = "The document")),
    responses(
        (status = 200, description = "The document's content, when the referral shares documents under an active consent (audited on both sides)", content(
            (Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "text/plain"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 404, description = "No such document shown to the receiving organisation", body = crate::error::ErrorAnswer),
    ))]
pub async fn download_referred_attachment(
    State(state): State<AppState>,
    principal: Principal,
    Path((referral_id, attachment_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    policy::require(&principal.subject(), Action::ViewReferredCase, None)?;
    let stored = state
        .store
        .referred_attachment(
            &principal.actor(),
            principal.user.organisation_id,
            referral_id,
            attachment_id,
        )
        .await?;
    let content = open_document(&state, &stored).await?;
    Ok(download(&stored, content))
}

/// The body of `POST /api/v1/cases/{id}/screenings/{screening_id}/void`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VoidRequest {
    /// Why the screening is void (kept with it).
    #[schema(min_length = 1, max_length = 2000)]
    reason: String,
}

/// `POST /api/v1/cases/{id}/screenings/{screening_id}/void` `{"reason"}`: 200 with the screening,
/// now void; 409 when it was void already; 422 without a reason.
#[utoipa::path(post, path = "/api/v1/cases/{id}/screenings/{screening_id}/void",
    params(("id" = i64, Path, description = "The case"), ("screening_id" = i64, Path, description = "The screening")),
    request_body = VoidRequest,
    responses(
        (status = 200, description = "The screening, now void", body = crate::openapi::StoredScreeningSchema),
        (status = 404, description = "No such screening of a case visible to the user", body = crate::error::ErrorAnswer),
        (status = 409, description = "The screening was void already", body = crate::error::ErrorAnswer),
        (status = 422, description = "No reason given", body = crate::error::ErrorAnswer),
    ))]
pub async fn void_screening(
    State(state): State<AppState>,
    principal: Principal,
    Path((case_id, screening_id)): Path<(i64, i64)>,
    ApiJson(request): ApiJson<VoidRequest>,
) -> Result<Json<crate::api_types::ScreeningAnswer>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::VoidScreening, case_id).await?;
    if request.reason.trim().is_empty() {
        return Err(AppError::localized("error-void_reason_missing", ""));
    }
    let screening = state
        .store
        .void_screening(
            &principal.actor(),
            access.organisation_id,
            case_id,
            screening_id,
            &request.reason,
        )
        .await?;
    Ok(Json(screening.into()))
}

#[derive(Debug, Deserialize)]
pub struct VoidForm {
    #[serde(default)]
    reason: String,
    /// The confirmation box: the form is refused without it.
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /cases/{id}/screenings/{screening_id}/void` from the screening page: the reason and the
/// ticked confirmation; back to the screening, now shown as void.
pub async fn void_screening_form(
    State(state): State<AppState>,
    user: PageUser,
    Path((case_id, screening_id)): Path<(i64, i64)>,
    Form(form): Form<VoidForm>,
) -> Result<Response, PageError> {
    let access =
        cases::authorize_case(&state, &user.principal, Action::VoidScreening, case_id).await?;
    if form.reason.trim().is_empty() {
        return Err(AppError::localized("error-void_reason_missing", "").into());
    }
    if form.confirm.as_deref() != Some("yes") {
        return Err(AppError::localized("error-void_not_confirmed", "").into());
    }
    state
        .store
        .void_screening(
            &user.principal.actor(),
            access.organisation_id,
            case_id,
            screening_id,
            &form.reason,
        )
        .await?;
    Ok(see_other(&format!(
        "/cases/{case_id}/screenings/{screening_id}"
    )))
}

/// A field changed in a saved version, in the request's language.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FieldChangeAnswer {
    /// The field's code (`person.given_name`, `victim.status`, ...).
    field: &'static str,
    /// The field's label.
    label: String,
    /// The value before, as shown (labels, not codes); null when it was empty.
    before: Option<String>,
    /// The value after, as shown; null when it is empty.
    after: Option<String>,
    /// Whether the values identify the person (reading them is audited).
    identifying: bool,
}

/// A saved version of a case, with what changed from the one before.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseVersionAnswer {
    version: i64,
    /// Who saved it.
    changed_by: String,
    /// When (ISO 8601, UTC).
    changed_at: String,
    /// The case as saved.
    #[schema(value_type = Object)]
    snapshot: Value,
    changes: Vec<FieldChangeAnswer>,
}

/// `GET /api/v1/cases/{id}/history`: every saved version with what changed (field, label, old and
/// new value in the request's language), who and when. Reading the values of identifying fields
/// is audited, naming the fields (never their values).
#[utoipa::path(get, path = "/api/v1/cases/{id}/history", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "Every saved version, oldest first, with what changed, in the request's language", body = Vec<CaseVersionAnswer>),
    (status = 404, description = "No such case visible to the user", body = crate::error::ErrorAnswer),
))]
pub async fn case_history(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<CaseVersionAnswer>>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    let versions = cases::history_with_changes(&state, &principal, &access).await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|version| CaseVersionAnswer {
                version: version.version.version,
                changed_by: version.version.changed_by,
                changed_at: version.version.changed_at,
                snapshot: version.version.snapshot,
                changes: version
                    .changes
                    .iter()
                    .map(|change| FieldChangeAnswer {
                        field: change.field,
                        label: change.label.get(lang).to_string(),
                        before: change
                            .before
                            .as_ref()
                            .map(|value| value.get(lang).to_string()),
                        after: change
                            .after
                            .as_ref()
                            .map(|value| value.get(lang).to_string()),
                        identifying: change.identifying,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// The lines of a case file, in the reader's language.
async fn case_file_lines(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
    lang: Lang,
) -> Result<Vec<FileLine>, AppError> {
    let stored = cases::read_case(state, principal, Action::ExportCase, case_id).await?;
    let organisation_id = stored.organisation_id;
    let case = &stored.case;
    let mut lines = vec![
        FileLine::Title(format!(
            "{}: {}",
            crate::i18n::translations().text_with(lang, "case-title", &[("id", case_id.into())]),
            case.person.full_name()
        )),
        FileLine::Text(format!(
            "{} · {}: {} · {} {}",
            principal.organisation.organisation.name,
            t(lang, "case-status"),
            case.status.label_in(lang),
            t(lang, "case-opened"),
            stored.opened_on
        )),
        FileLine::Heading(t(lang, "case-person")),
    ];
    for row in person_rows(&case.person, lang) {
        lines.push(FileLine::Field(row.label, row.value));
    }
    let victim = victim_rows(case, lang);
    if !victim.is_empty() {
        lines.push(FileLine::Heading(t(lang, "case-victim-context")));
        for row in victim {
            lines.push(FileLine::Field(row.label, row.value));
        }
    }
    lines.push(FileLine::Heading(t(lang, "case-route")));
    let mut events: Vec<&puente_core::domain::TraffickingEvent> = case.events.iter().collect();
    events.sort_by_key(|event| (event.date.is_none(), event.date));
    if events.is_empty() {
        lines.push(FileLine::Text(t(lang, "case-nothing-yet")));
    }
    for event in events {
        let mut parts = vec![
            event
                .date
                .map(|date| date.to_string())
                .unwrap_or_else(|| "?".into()),
            event.kind.label_in(lang).to_string(),
        ];
        parts.extend(event.country.map(|country| country.name(lang).to_string()));
        parts.extend(event.place.clone());
        parts.extend(event.description.clone());
        lines.push(FileLine::Item(parts.join(" · ")));
    }
    lines.push(FileLine::Heading(t(lang, "case-screenings")));
    let screenings = state.store.screenings_for_case(case_id).await?;
    if screenings.is_empty() {
        lines.push(FileLine::Text(t(lang, "case-nothing-yet")));
    }
    for screening in &screenings {
        let mut result = screening.result.clone();
        cases::explain_stored_screening(state, &screening.input, &mut result, lang).await?;
        let mut head = format!(
            "{} · {} · {}",
            screening
                .created_at
                .get(..10)
                .unwrap_or(&screening.created_at),
            level_label(&screening.level, lang),
            screening.performed_by
        );
        if screening.is_void() {
            head = format!(
                "{head} · {}: {}",
                t(lang, "screening-void"),
                screening.void_reason.clone().unwrap_or_default()
            );
        }
        lines.push(FileLine::Item(head));
        for line in result["explanation"].as_array().into_iter().flatten() {
            if let Some(line) = line.as_str() {
                lines.push(FileLine::Detail(line.to_string()));
            }
        }
    }
    lines.push(FileLine::Heading(t(lang, "case-consents")));
    if case.consents.is_empty() {
        lines.push(FileLine::Text(t(lang, "case-nothing-yet")));
    }
    let organisations = state.store.list_organisations().await?;
    let organisation_name = |slug: &str| {
        organisations
            .iter()
            .find(|organisation| organisation.organisation.slug == slug)
            .map(|organisation| organisation.organisation.name.clone())
            .unwrap_or_else(|| slug.to_string())
    };
    for consent in &case.consents {
        let mut line = format!(
            "{} · {}: {} · {}",
            labels(&consent.scopes, lang),
            t(lang, "consent-with"),
            consent
                .with_organisation
                .as_deref()
                .map(&organisation_name)
                .unwrap_or_else(|| principal.organisation.organisation.name.clone()),
            consent.given_on
        );
        if let Some(withdrawn) = consent.withdrawn_on {
            line = format!("{line} · {} {withdrawn}", t(lang, "consent-withdrawn"));
        }
        lines.push(FileLine::Item(line));
    }
    lines.push(FileLine::Heading(t(lang, "export-referrals")));
    let referrals = state
        .store
        .referrals_of_case(organisation_id, case_id)
        .await?;
    if referrals.is_empty() {
        lines.push(FileLine::Text(t(lang, "case-nothing-yet")));
    }
    for referral in &referrals {
        lines.push(FileLine::Item(format!(
            "{} · {} · {} · {} · {}: {}",
            referral
                .created_at
                .get(..10)
                .unwrap_or(&referral.created_at),
            organisation_name(&referral.to_organisation),
            referral.status.label().get(lang),
            labels(&referral.share, lang),
            t(lang, "referral-urgency"),
            referral.urgency.label_in(lang)
        )));
        let mut reason = referral.reason.label_in(lang).to_string();
        if let Some(note) = &referral.reason_note {
            reason = format!("{reason}: {note}");
        }
        lines.push(FileLine::Detail(format!(
            "{}: {reason}",
            t(lang, "referral-reason")
        )));
        let mut contact = referral.contact_person.name.clone();
        if let Some(details) = &referral.contact_person.details {
            contact = format!("{contact} · {details}");
        }
        lines.push(FileLine::Detail(format!(
            "{}: {contact}",
            t(lang, "referral-contact")
        )));
    }
    lines.push(FileLine::Heading(t(lang, "case-tasks")));
    let tasks = state.store.tasks_of_case(organisation_id, case_id).await?;
    if tasks.is_empty() {
        lines.push(FileLine::Text(t(lang, "case-nothing-yet")));
    }
    for task in &tasks {
        let state_word = match &task.completed_at {
            Some(completed_at) => format!(
                "{} {}",
                t(lang, "task-done"),
                completed_at.get(..10).unwrap_or(completed_at)
            ),
            None => format!("{} {}", t(lang, "task-due"), task.due_on),
        };
        lines.push(FileLine::Item(format!(
            "{} · {state_word} · {}: {}",
            task.title,
            t(lang, "task-assignee"),
            task.assignee_name
        )));
    }
    lines.push(FileLine::Heading(t(lang, "case-notes")));
    let notes = state.store.notes(organisation_id, case_id).await?;
    if notes.is_empty() {
        lines.push(FileLine::Text(t(lang, "case-nothing-yet")));
    }
    for note in &notes {
        lines.push(FileLine::Item(format!(
            "{} · {}",
            note.created_at
                .get(..16)
                .unwrap_or(&note.created_at)
                .replace('T', " "),
            note.author
        )));
        lines.push(FileLine::Detail(note.text.clone()));
    }
    lines.push(FileLine::Heading(t(lang, "attachments-title")));
    let documents = state.store.attachments(organisation_id, case_id).await?;
    if documents.is_empty() {
        lines.push(FileLine::Text(t(lang, "case-nothing-yet")));
    }
    for document in &documents {
        lines.push(FileLine::Item(format!(
            "{} · {} · {}",
            document.file_name,
            document
                .created_at
                .get(..10)
                .unwrap_or(&document.created_at),
            document.uploaded_by
        )));
    }
    Ok(lines)
}

/// Audits an export: what was exported and in which format (never what it holds).
async fn audit_export(
    state: &AppState,
    principal: &Principal,
    case_id: Option<i64>,
    detail: String,
) -> Result<(), AppError> {
    state
        .store
        .record_audit(puente_store::NewAuditEntry {
            actor: principal.user.email.clone(),
            organisation_id: Some(principal.user.organisation_id),
            action: puente_store::AuditAction::Export,
            record_type: puente_store::RecordType::Case,
            record_id: case_id.map(|id| id.to_string()),
            case_id,
            detail,
        })
        .await?;
    Ok(())
}

/// `GET /api/v1/cases/{id}/export.pdf`: the case file in the reader's language: person, route,
/// screenings with their explanation, consents, referrals (with their urgency, reason and
/// contact), tasks, notes, documents. Audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}/export.pdf", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "The case file as PDF, in the request's language (audited)", body = Vec<u8>, content_type = "application/pdf"),
    (status = 404, description = "No such case visible to the user", body = crate::error::ErrorAnswer),
))]
pub async fn export_case_pdf(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Response, AppError> {
    let lines = case_file_lines(&state, &principal, case_id, lang).await?;
    let footer = format!(
        "{} · {}",
        t(lang, "export-confidential"),
        puente_store::cases::today_iso()
    );
    let pdf = tokio::task::spawn_blocking(move || exports::case_file_pdf(&lines, &footer, lang))
        .await
        .map_err(|error| AppError::Internal(anyhow::Error::new(error)))??;
    audit_export(&state, &principal, Some(case_id), "case file pdf".into()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"caso-{case_id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// The cases the list shows for the same filters, in its order, as a table in the reader's
/// language (supervisors).
async fn case_list_table(
    state: &AppState,
    principal: &Principal,
    parameters: &CaseListParameters,
    lang: Lang,
) -> Result<Table, AppError> {
    let summaries =
        case_search::find_every_case(state, principal, parameters, Action::ExportCaseList).await?;
    let rows = summaries
        .into_iter()
        .map(|summary| {
            vec![
                summary.id.to_string(),
                summary.person_name.clone(),
                summary.status.label_in(lang).to_string(),
                summary
                    .sex
                    .map(|sex| sex.label_in(lang).to_string())
                    .unwrap_or_default(),
                summary
                    .age_at_intake
                    .map(|age| age.to_string())
                    .unwrap_or_default(),
                summary
                    .nationality
                    .map(|country| country.name(lang).to_string())
                    .unwrap_or_default(),
                summary.opened_on.clone(),
                summary
                    .updated_at
                    .get(..10)
                    .unwrap_or(&summary.updated_at)
                    .to_string(),
            ]
        })
        .collect();
    Ok(Table {
        header: exports::case_list_header(lang),
        rows,
    })
}

/// A format the case list is exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    Xlsx,
    Csv,
}

/// The case list with the list's filters, in `format`, audited (supervisors).
async fn export_case_list(
    state: &AppState,
    principal: &Principal,
    lang: Lang,
    parameters: &CaseListParameters,
    format: ListFormat,
) -> Result<Response, AppError> {
    let table = case_list_table(state, principal, parameters, lang).await?;
    let count = table.rows.len();
    let (bytes, content_type, extension) = match format {
        ListFormat::Xlsx => (
            exports::table_xlsx(&table, &t(lang, "export-sheet-cases"))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        ListFormat::Csv => (
            exports::table_csv(&table)?,
            "text/csv; charset=utf-8",
            "csv",
        ),
    };
    audit_export(
        state,
        principal,
        None,
        format!("case list {extension}: {count} cases"),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"casos.{extension}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/v1/cases/export.xlsx?q=&status=&...`: every case the list shows for the same
/// filters, in its order (supervisors). Audited.
#[utoipa::path(get, path = "/api/v1/cases/export.xlsx", params(CaseExportParameters), responses(
    (status = 200, description = "The case list as XLSX (supervisors; audited)", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (status = 400, description = "A filter cannot be read (named in `field`)", body = crate::error::ErrorAnswer),
    (status = 403, description = "Only a supervisor exports the case list", body = crate::error::ErrorAnswer),
))]
pub async fn export_cases_xlsx(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Query(parameters): Query<CaseListParameters>,
) -> Result<Response, AppError> {
    export_case_list(&state, &principal, lang, &parameters, ListFormat::Xlsx).await
}

/// `GET /api/v1/cases/export.csv?q=&status=&...`: every case the list shows for the same
/// filters, in its order (supervisors). Audited.
#[utoipa::path(get, path = "/api/v1/cases/export.csv", params(CaseExportParameters), responses(
    (status = 200, description = "The case list as CSV (supervisors; audited)", body = String, content_type = "text/csv"),
    (status = 400, description = "A filter cannot be read (named in `field`)", body = crate::error::ErrorAnswer),
    (status = 403, description = "Only a supervisor exports the case list", body = crate::error::ErrorAnswer),
))]
pub async fn export_cases_csv(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Query(parameters): Query<CaseListParameters>,
) -> Result<Response, AppError> {
    export_case_list(&state, &principal, lang, &parameters, ListFormat::Csv).await
}
