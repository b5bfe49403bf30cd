//! One error type for every handler. The JSON API answers `{"error": {"code", "message"}}` with the
//! right status; a web page's error ([`PageError`]) answers the same status with the error kept in
//! the answer, and the response layer ([`crate::error_pages`]) shows it as a page in the user's
//! language. A 500 never shows its cause: the cause chain is logged once (without identifying
//! data) and the client gets a generic message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use puente_core::htcds::ConsentScope;
use puente_core::sharing::{ReferralSide, ReferralStatus, TransitionError};
use puente_core::{Lang, Vocabulary};
use puente_store::StoreError;

/// Every error answer of the JSON API: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorAnswer {
    pub error: ErrorDetail,
}

/// What went wrong, for a program (`code`) and for a person (`message`).
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `not_found`, `stale_version`, `too_many_attempts`, `invalid_parameter`, ...
    #[schema(examples("not_found", "stale_version", "invalid_parameter"))]
    pub code: String,
    /// In the request's language (`Accept-Language`, es or en).
    pub message: String,
    /// The parameter or body field the error is about (`person.estimated_age`), when there is one.
    pub field: Option<String>,
}

/// What went wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No session or token, or an expired one.
    #[error("you are not logged in")]
    Unauthenticated,
    /// The email, the password or the second factor is wrong.
    #[error("the email or the password is wrong")]
    InvalidCredentials,
    /// The account uses a second factor and the code was missing or wrong.
    #[error("this account needs the code from its authenticator app")]
    SecondFactorRequired,
    /// Too many failed logins for the account or from the address.
    #[error("too many failed logins; try again in {retry_after_seconds} seconds")]
    Throttled { retry_after_seconds: u64 },
    /// The user's role never allows this.
    #[error("your role does not allow this")]
    Forbidden,
    /// An organisation admin must set up a second factor first.
    #[error("set up a second factor (an authenticator app) before going on")]
    SecondFactorEnrolmentRequired,
    /// The form or request did not carry the session's anti-forgery token.
    #[error("the form has expired or did not come from Puente; reload the page and try again")]
    CsrfRejected,
    /// The record does not exist or is not visible to the user (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// Someone else saved the record since it was loaded.
    #[error("someone else changed this case since you opened it (your version {yours}, now {current}); reload it, then make your change again")]
    StaleVersion { yours: i64, current: i64 },
    /// A conflict with stored data (an email already taken).
    #[error("{0}")]
    Conflict(String),
    /// No active consent covers these parts for the receiving organisation.
    #[error("no consent covers sharing these parts with {organisation}")]
    ConsentMissing {
        scopes: Vec<ConsentScope>,
        organisation: String,
    },
    /// The consent was withdrawn before.
    #[error("the consent was withdrawn already")]
    ConsentAlreadyWithdrawn { withdrawn_on: String },
    /// The case has an open referral to that organisation already.
    #[error("an open referral to {organisation} exists")]
    ReferralAlreadyOpen { organisation: String },
    /// The referral cannot move as asked.
    #[error("{0}")]
    ReferralNotAllowed(TransitionError),
    /// The receiver's access to a referred case has ended.
    #[error("access to the case has ended")]
    AccessEnded { status: ReferralStatus },
    /// The request carries fields it may not (named), for example consents in a case update.
    #[error("fields that cannot be sent here: {}", fields.join(", "))]
    FieldsRefused {
        id: &'static str,
        fields: Vec<String>,
    },
    /// A rule the database keeps refused the change.
    #[error("the database refused the change ({name})")]
    Constraint { name: String },
    /// The request is well formed but its content is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The content is not valid, with a message in the user's language: a Fluent message id and
    /// the offending value (`$value` in the message).
    #[error("{id}: {value}")]
    Localized { id: &'static str, value: String },
    /// The request could not be read.
    #[error("{0}")]
    BadRequest(String),
    /// A parameter of the address (a path segment or a query parameter) is not valid.
    #[error("the parameter {field} is not valid: {value}")]
    InvalidParameter { field: String, value: String },
    /// A field of the body is not valid (its path in the JSON, as `person.estimated_age`).
    #[error("the field {field} is not valid: {detail}")]
    InvalidField { field: String, detail: String },
    /// A field of a case or a note is out of its bounds (the same for the form and the API).
    #[error("{0}")]
    OutOfBounds(puente_core::bounds::OutOfBounds),
    /// A form body that cannot be read: not UTF-8, or with escapes that decode to something that
    /// is not.
    #[error("the form cannot be read")]
    UnreadableForm,
    /// The address exists, but not with this method.
    #[error("this address does not answer this method")]
    MethodNotAllowed,
    /// The body is larger than this address accepts.
    #[error("the request is too large")]
    PayloadTooLarge,
    /// The body is not of a type this address reads.
    #[error("the body is not of a type this address reads")]
    UnsupportedMediaType,
    /// An attached document is larger than the limit.
    #[error("the document is larger than the limit of {max_bytes} bytes")]
    AttachmentTooLarge { max_bytes: u64 },
    /// An attached document is not of a kind accepted (PDF, JPEG, PNG, plain text, DOCX).
    #[error("the document is not a PDF, JPEG, PNG, plain text or Word (DOCX) file")]
    AttachmentKindRefused,
    /// The request (its body, or the whole answer) took too long.
    #[error("the request took too long")]
    RequestTimeout,
    /// The database cannot be reached for now (down, or the connection was lost): the request can
    /// be retried.
    #[error("the database is unavailable")]
    Unavailable,
    /// Anything else. Never shown to the client.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// A validation failure with a message in the user's language.
    pub fn localized(id: &'static str, value: impl ToString) -> AppError {
        AppError::Localized {
            id,
            value: value.to_string(),
        }
    }

    /// Whether the error is about what the user typed (the form is shown again with the message).
    pub fn is_validation(&self) -> bool {
        matches!(
            self,
            AppError::Invalid(_)
                | AppError::Localized { .. }
                | AppError::InvalidField { .. }
                | AppError::OutOfBounds(_)
        )
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> AppError {
        AppError::Internal(error.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated
            | AppError::InvalidCredentials
            | AppError::SecondFactorRequired => StatusCode::UNAUTHORIZED,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden
            | AppError::CsrfRejected
            | AppError::SecondFactorEnrolmentRequired => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::StaleVersion { .. }
            | AppError::Conflict(_)
            | AppError::ConsentMissing { .. }
            | AppError::ConsentAlreadyWithdrawn { .. }
            | AppError::ReferralAlreadyOpen { .. }
            | AppError::ReferralNotAllowed(_)
            | AppError::AccessEnded { .. }
            | AppError::Constraint { .. } => StatusCode::CONFLICT,
            AppError::Invalid(_)
            | AppError::Localized { .. }
            | AppError::FieldsRefused { .. }
            | AppError::InvalidField { .. }
            | AppError::OutOfBounds(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_)
            | AppError::InvalidParameter { .. }
            | AppError::UnreadableForm => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge | AppError::AttachmentTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            AppError::UnsupportedMediaType | AppError::AttachmentKindRefused => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::SecondFactorRequired => "second_factor_required",
            AppError::Throttled { .. } => "too_many_attempts",
            AppError::Forbidden => "forbidden",
            AppError::SecondFactorEnrolmentRequired => "second_factor_enrolment_required",
            AppError::CsrfRejected => "csrf_rejected",
            AppError::NotFound => "not_found",
            AppError::StaleVersion { .. } => "stale_version",
            AppError::Conflict(_) => "conflict",
            AppError::ConsentMissing { .. } => "consent_missing",
            AppError::ConsentAlreadyWithdrawn { .. } => "consent_already_withdrawn",
            AppError::ReferralAlreadyOpen { .. } => "referral_already_open",
            AppError::ReferralNotAllowed(_) => "referral_not_allowed",
            AppError::AccessEnded { .. } => "access_ended",
            AppError::FieldsRefused { .. } => "fields_refused",
            AppError::Constraint { .. } => "constraint",
            AppError::Invalid(_)
            | AppError::Localized { .. }
            | AppError::InvalidField { .. }
            | AppError::OutOfBounds(_) => "invalid",
            AppError::BadRequest(_) | AppError::UnreadableForm => "bad_request",
            AppError::InvalidParameter { .. } => "invalid_parameter",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::PayloadTooLarge | AppError::AttachmentTooLarge { .. } => "payload_too_large",
            AppError::UnsupportedMediaType | AppError::AttachmentKindRefused => {
                "unsupported_media_type"
            }
            AppError::RequestTimeout => "request_timeout",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The field or parameter the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::InvalidParameter { field, .. } | AppError::InvalidField { field, .. } => {
                Some(field)
            }
            AppError::OutOfBounds(problem) => Some(&problem.field),
            _ => None,
        }
    }

    /// The message for a person, in their language. Messages that carry details from the request
    /// (validation errors) keep them as written.
    pub fn message(&self, lang: Lang) -> String {
        let translations = crate::i18n::translations();
        match self {
            AppError::Conflict(detail)
            | AppError::Invalid(detail)
            | AppError::BadRequest(detail) => detail.clone(),
            AppError::Throttled {
                retry_after_seconds,
            } => translations.text_with(
                lang,
                "error-too_many_attempts",
                &[("seconds", (*retry_after_seconds).into())],
            ),
            AppError::Localized { id, value } => {
                translations.text_with(lang, id, &[("value", value.clone().into())])
            }
            AppError::InvalidParameter { field, value } => translations.text_with(
                lang,
                "error-invalid_parameter",
                &[
                    ("field", field.clone().into()),
                    ("value", value.clone().into()),
                ],
            ),
            AppError::OutOfBounds(problem) => {
                use puente_core::bounds::BoundKind;
                let field = ("field", problem.field.clone().into());
                let value = ("value", problem.value.clone().into());
                match problem.kind {
                    BoundKind::TooLong { max } => translations.text_with(
                        lang,
                        "bound-too-long",
                        &[field, ("max", max.into())],
                    ),
                    BoundKind::TooMany { max } => translations.text_with(
                        lang,
                        "bound-too-many",
                        &[field, ("max", max.into())],
                    ),
                    BoundKind::OutOfRange { min, max } => translations.text_with(
                        lang,
                        "bound-out-of-range",
                        &[field, value, ("min", min.into()), ("max", max.into())],
                    ),
                    BoundKind::InTheFuture => {
                        translations.text_with(lang, "bound-in-the-future", &[field, value])
                    }
                    BoundKind::TooEarly { earliest } => translations.text_with(
                        lang,
                        "bound-too-early",
                        &[field, value, ("earliest", earliest.into())],
                    ),
                }
            }
            AppError::InvalidField { field, detail } => translations.text_with(
                lang,
                "error-invalid_field",
                &[
                    ("field", field.clone().into()),
                    ("detail", detail.clone().into()),
                ],
            ),
            AppError::AttachmentTooLarge { max_bytes } => translations.text_with(
                lang,
                "error-attachment_too_large",
                &[(
                    "megabytes",
                    format!("{:.0}", *max_bytes as f64 / (1024.0 * 1024.0)).into(),
                )],
            ),
            AppError::StaleVersion { yours, current } => translations.text_with(
                lang,
                "error-stale_version",
                &[("yours", (*yours).into()), ("current", (*current).into())],
            ),
            AppError::ConsentMissing {
                scopes,
                organisation,
            } => translations.text_with(
                lang,
                "error-consent_missing",
                &[
                    ("scopes", labels(scopes, lang).into()),
                    ("organisation", organisation.clone().into()),
                ],
            ),
            AppError::ConsentAlreadyWithdrawn { withdrawn_on } => translations.text_with(
                lang,
                "error-consent_already_withdrawn",
                &[("date", withdrawn_on.clone().into())],
            ),
            AppError::ReferralAlreadyOpen { organisation } => translations.text_with(
                lang,
                "error-referral_already_open",
                &[("organisation", organisation.clone().into())],
            ),
            AppError::ReferralNotAllowed(TransitionError::WrongSide { needed, target }) => {
                translations.text_with(
                    lang,
                    "error-referral_wrong_side",
                    &[
                        (
                            "side",
                            match needed {
                                ReferralSide::Sender => "sender",
                                ReferralSide::Receiver => "receiver",
                            }
                            .into(),
                        ),
                        ("target", target.label().get(lang).into()),
                    ],
                )
            }
            AppError::ReferralNotAllowed(TransitionError::NotAllowed {
                current,
                target,
                allowed,
            }) => translations.text_with(
                lang,
                "error-referral_not_allowed",
                &[
                    ("current", current.label().get(lang).into()),
                    ("target", target.label().get(lang).into()),
                    (
                        "allowed",
                        allowed
                            .iter()
                            .map(|status| status.label().get(lang))
                            .collect::<Vec<_>>()
                            .join(" / ")
                            .into(),
                    ),
                ],
            ),
            AppError::AccessEnded {
                status: ReferralStatus::ConsentWithdrawn,
            } => translations.text(lang, "error-access_ended_consent"),
            AppError::AccessEnded { status } => translations.text_with(
                lang,
                "error-access_ended",
                &[("status", status.label().get(lang).into())],
            ),
            AppError::FieldsRefused { id, fields } => {
                translations.text_with(lang, id, &[("fields", fields.join(", ").into())])
            }
            AppError::Constraint { name } => {
                translations.text_with(lang, "error-constraint", &[("name", name.clone().into())])
            }
            AppError::UnreadableForm => translations.text(lang, "error-form_unreadable"),
            AppError::AttachmentKindRefused => {
                translations.text(lang, "error-attachment_kind_refused")
            }
            other => translations.text(lang, &format!("error-{}", other.code())),
        }
    }

    /// Logs what a server error hides from the client. Only the error chain is logged: errors in
    /// this crate and the store never put a survivor's data in their messages.
    pub fn log_if_internal(&self) {
        if let AppError::Internal(cause) = self {
            tracing::error!(
                error = format!("{cause:#}"),
                "internal error while answering a request"
            );
        }
    }

    /// The JSON body and status, in the given language.
    pub fn into_json_response(self, lang: Lang) -> Response {
        self.log_if_internal();
        let status = self.status();
        let field = match &self {
            AppError::FieldsRefused { fields, .. } => Some(fields.join(", ")),
            other => other.field().map(str::to_string),
        };
        let body = ErrorAnswer {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: self.message(lang),
                field,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let AppError::Throttled {
            retry_after_seconds,
        } = &self
        {
            if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// Whether an error, or one of its causes, is a request body that did not arrive in time (the
/// server's body read timeout).
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = error.source();
    }
    // The framework's rejections name it in words when the cause is not kept.
    error.to_string().contains("designated timeout")
}

impl AppError {
    /// The error behind a plain-text answer of the framework (a path or query parameter that does
    /// not parse, a method the address does not answer, a body too large or of the wrong type, a
    /// timeout). `query` is the request's query string, to name the value of a bad parameter.
    pub fn from_plain_answer(status: StatusCode, text: &str, query: Option<&str>) -> AppError {
        match status {
            StatusCode::METHOD_NOT_ALLOWED => return AppError::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => return AppError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => return AppError::UnsupportedMediaType,
            StatusCode::REQUEST_TIMEOUT => return AppError::RequestTimeout,
            StatusCode::NOT_FOUND => return AppError::NotFound,
            StatusCode::UNAUTHORIZED => return AppError::Unauthenticated,
            StatusCode::FORBIDDEN => return AppError::Forbidden,
            _ => {}
        }
        if status.is_server_error() {
            return AppError::Internal(anyhow::anyhow!("a plain-text server error: {status}"));
        }
        if text.contains("designated timeout") {
            return AppError::RequestTimeout;
        }
        // The framework's words for a path segment that does not parse: "Invalid URL: Cannot parse
        // `abc` to a `i64`". Every parameter of the API's paths is an `id`.
        if text.starts_with("Invalid URL") || text.contains("path argument") {
            let value = text.split('`').nth(1).unwrap_or_default().to_string();
            return AppError::InvalidParameter {
                field: "id".into(),
                value,
            };
        }
        // "Failed to deserialize query string: limit: invalid digit found in string".
        if let Some(rest) = text.strip_prefix("Failed to deserialize query string: ") {
            let (field, detail) = rest.split_once(": ").unwrap_or(("", rest));
            let field = field.trim().to_string();
            let is_name = !field.is_empty()
                && field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if is_name {
                let value = query
                    .and_then(|query| query_value(query, &field))
                    .unwrap_or_else(|| detail.to_string());
                return AppError::InvalidParameter { field, value };
            }
            return AppError::InvalidParameter {
                field: "query".into(),
                value: rest.to_string(),
            };
        }
        AppError::BadRequest(String::new())
    }
}

/// The first value of `name` in a query string, decoded.
fn query_value(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| crate::auth::percent_decode_lossy(&value.replace('+', " ")))
}

/// Every error answer under `/api/` is the JSON error, in the request's language: answers the
/// framework gives in plain text or with no body (a path or query parameter that does not parse,
/// 405, 408, 413, 415) are rewritten here. The language is the one the session layer decided (it
/// marks its answers with it), else the one the request's headers ask for.
pub async fn api_errors_as_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let header_language = crate::auth::language_of_headers(request.headers());
    let query = request.uri().query().map(str::to_string);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if is_json {
        return response;
    }
    let lang = response
        .extensions()
        .get::<crate::auth::RequestLang>()
        .map(|lang| lang.0)
        .unwrap_or(header_language);
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let error = AppError::from_plain_answer(status, &text, query.as_deref());
    let mut answer = error.into_json_response(lang);
    // What the framework said about the method or the retry stays.
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound { .. } => AppError::NotFound,
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::Invalid(message) => AppError::Invalid(message),
            StoreError::StaleVersion { yours, current, .. } => {
                AppError::StaleVersion { yours, current }
            }
            StoreError::ConsentMissing {
                scopes,
                organisation,
            } => AppError::ConsentMissing {
                scopes,
                organisation,
            },
            StoreError::ConsentAlreadyWithdrawn { withdrawn_on, .. } => {
                AppError::ConsentAlreadyWithdrawn { withdrawn_on }
            }
            StoreError::ReferralAlreadyOpen { organisation, .. } => {
                AppError::ReferralAlreadyOpen { organisation }
            }
            StoreError::ReferralTransition { error, .. } => AppError::ReferralNotAllowed(error),
            StoreError::AccessEnded { status, .. } => AppError::AccessEnded { status },
            StoreError::Constraint { name } => AppError::Constraint { name },
            StoreError::Unavailable { reason } => {
                tracing::error!(reason = %reason, "the database is unavailable");
                AppError::Unavailable
            }
            other => AppError::Internal(other.into()),
        }
    }
}

/// The labels of consent scopes in a language, as a list.
fn labels(scopes: &[ConsentScope], lang: Lang) -> String {
    scopes
        .iter()
        .map(|scope| scope.label_in(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// API handlers answer errors as JSON, in English (the API's language for machine clients).
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.into_json_response(Lang::En)
    }
}

/// An error of a web page. It carries no language: its answer has the error's status and an empty
/// body, with the error in the answer's extensions ([`ErrorToRender`]); the response layer
/// ([`crate::error_pages`]) renders the page in the request's language on the way out. Page
/// handlers return `Result<_, PageError>` and use `?` on any error that becomes an [`AppError`].
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> PageError {
        PageError(error.into())
    }
}

/// An error a page answer still has to show: put in the answer's extensions by [`PageError`],
/// taken out and rendered by the response layer.
#[derive(Clone, Debug)]
pub struct ErrorToRender(pub std::sync::Arc<AppError>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(error) = self;
        error.log_if_internal();
        if matches!(error, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        if matches!(error, AppError::SecondFactorEnrolmentRequired) {
            return axum::response::Redirect::to("/account").into_response();
        }
        let mut response = error.status().into_response();
        response
            .extensions_mut()
            .insert(ErrorToRender(std::sync::Arc::new(error)));
        response
    }
}
