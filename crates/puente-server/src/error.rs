//! One error type for every handler. The JSON API answers `{"error": {"code", "message"}}` with the
//! right status; web pages answer the same status with a page in the user's language. A 500 never
//! shows its cause: the cause chain is logged (without identifying data) and the client gets a
//! generic message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use puente_core::Lang;
use puente_store::StoreError;

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
        matches!(self, AppError::Invalid(_) | AppError::Localized { .. })
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
            AppError::StaleVersion { .. } | AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) | AppError::Localized { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
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
            AppError::Invalid(_) | AppError::Localized { .. } => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::Internal(_) => "internal",
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
            AppError::StaleVersion { yours, current } => translations.text_with(
                lang,
                "error-stale_version",
                &[("yours", (*yours).into()), ("current", (*current).into())],
            ),
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
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.message(lang) }
        });
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

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::Invalid(message) => AppError::Invalid(message),
            other => AppError::Internal(other.into()),
        }
    }
}

/// API handlers answer errors as JSON, in English (the API's language for machine clients).
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.into_json_response(Lang::En)
    }
}

/// An error of a web page: the same error, shown as a page in the user's language.
#[derive(Debug)]
pub struct PageError {
    pub error: AppError,
    pub lang: Lang,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.log_if_internal();
        let status = self.error.status();
        if matches!(self.error, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        if matches!(self.error, AppError::SecondFactorEnrolmentRequired) {
            return axum::response::Redirect::to("/account").into_response();
        }
        let page =
            crate::templates::render_error_page(self.lang, status, &self.error.message(self.lang));
        (status, page).into_response()
    }
}

/// Gives any `Result<_, AppError>` a way to become a page error in a language.
pub trait InLanguage<T> {
    fn in_language(self, lang: Lang) -> Result<T, PageError>;
}

impl<T, E: Into<AppError>> InLanguage<T> for Result<T, E> {
    fn in_language(self, lang: Lang) -> Result<T, PageError> {
        self.map_err(|error| PageError {
            error: error.into(),
            lang,
        })
    }
}

/// Turns the plain-text rejections of the page routes (an id that is not a number in the path,
/// a query or a form that cannot be read, a method the page does not take, a body too large) into
/// an error page in the user's language. A path that names no page answers 404, like any page
/// that does not exist. The API's routes are not behind this layer: they answer JSON errors.
pub async fn page_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let lang = request
        .extensions()
        .get::<crate::auth::RequestLang>()
        .map(|lang| lang.0)
        .unwrap_or_default();
    let is_form = request.method() != axum::http::Method::GET;
    let response = next.run(request).await;
    let status = response.status();
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|value| value.starts_with("text/plain"));
    if !status.is_client_error() || !plain_text {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let path_rejection = body.starts_with(b"Invalid URL");
    let (status, message_id) = match status {
        StatusCode::NOT_FOUND => (status, "error-not_found"),
        _ if path_rejection => (StatusCode::NOT_FOUND, "error-not_found"),
        StatusCode::METHOD_NOT_ALLOWED => (status, "error-page-method"),
        StatusCode::PAYLOAD_TOO_LARGE => (status, "error-page-too-large"),
        _ if is_form => (status, "error-page-form"),
        _ => (status, "error-page-address"),
    };
    let message = crate::i18n::t(lang, message_id);
    let page = crate::templates::render_error_page(lang, status, &message);
    (status, page).into_response()
}
