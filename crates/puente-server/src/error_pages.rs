//! The response layer of the pages: every error of a page comes out here as an error page in the
//! request's language.
//!
//! Two kinds of answers are rendered on the way out:
//! - a [`PageError`](crate::error::PageError) of a handler, an extractor or the session layer: an
//!   answer with the error's status, an empty body and the error in its extensions
//!   ([`ErrorToRender`]);
//! - the framework's plain-text rejections of page routes (an id that is not a number in the path,
//!   a query or a form that cannot be read, a method the page does not take, a body too large).
//!   A path that names no page answers 404, like any page that does not exist.
//!
//! The language is the one the session layer decided: it marks every answer, its own refusals too,
//! with [`RequestLang`]. The layer wraps the session layer, so that those refusals (a form that
//! has expired, a form that cannot be read) are pages like any other. The API's answers are not
//! rewritten here: their errors are JSON (see [`crate::error::api_errors_as_json`]).

use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use puente_core::Lang;

use crate::auth::RequestLang;
use crate::error::ErrorToRender;

/// Renders the error pages of every answer that passes through it (see the module's text).
pub async fn error_pages(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let header_language = crate::auth::language_of_headers(request.headers());
    let is_api = request.uri().path().starts_with("/api/");
    let is_form = request.method() != Method::GET;
    let response = next.run(request).await;
    let lang = response
        .extensions()
        .get::<RequestLang>()
        .map(|lang| lang.0)
        .unwrap_or(header_language);
    if let Some(ErrorToRender(error)) = response.extensions().get::<ErrorToRender>().cloned() {
        let status = response.status();
        return error_page(lang, status, &error.message(lang));
    }
    if is_api {
        return response;
    }
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
    error_page(lang, status, &crate::i18n::t(lang, message_id))
}

/// The error page with its status, marked with its language like every page answer.
fn error_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    let page = crate::templates::render_error_page(lang, status, message);
    let mut response = (status, page).into_response();
    response.extensions_mut().insert(RequestLang(lang));
    response
}

#[cfg(test)]
mod tests {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;

    use crate::error::{AppError, ErrorToRender, PageError};

    /// A page error carries no page: its status, an empty body and the error for this layer;
    /// the two errors that lead somewhere are redirects.
    #[tokio::test]
    async fn a_page_error_answers_its_status_and_leaves_the_page_to_the_layer() {
        let response =
            PageError(AppError::internal(anyhow::anyhow!("disk on fire"))).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let error = response
            .extensions()
            .get::<ErrorToRender>()
            .cloned()
            .unwrap();
        assert_eq!(error.0.code(), "internal");
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert!(body.is_empty());
        // What the layer shows of it never names the cause.
        let page = super::error_page(
            puente_core::Lang::En,
            StatusCode::INTERNAL_SERVER_ERROR,
            &error.0.message(puente_core::Lang::En),
        );
        let body = axum::body::to_bytes(page.into_body(), 64 * 1024)
            .await
            .unwrap();
        let html = String::from_utf8_lossy(&body);
        assert!(
            html.contains("500") && !html.contains("disk on fire"),
            "{html}"
        );
        for (error, location) in [
            (AppError::Unauthenticated, "/login"),
            (AppError::SecondFactorEnrolmentRequired, "/account"),
        ] {
            let response = PageError(error).into_response();
            assert!(response.status().is_redirection());
            assert_eq!(response.headers()[header::LOCATION], location);
            assert!(response.extensions().get::<ErrorToRender>().is_none());
        }
    }

    /// The error module answers errors; rendering pages is this layer's work.
    #[test]
    fn the_error_module_renders_no_template() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/error.rs");
        let text = std::fs::read_to_string(path).unwrap();
        assert!(!text.contains("crate::templates"));
        assert!(!text.contains("render_error_page"));
        assert!(!text.contains(concat!("in_", "language")));
    }

    /// Page handlers use `?` with no language: the trait that took one is gone.
    #[test]
    fn no_handler_names_a_language_for_its_errors() {
        let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut named = Vec::new();
        let mut stack = vec![directory];
        while let Some(directory) = stack.pop() {
            for entry in std::fs::read_dir(directory).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|extension| extension == "rs")
                    && std::fs::read_to_string(&path)
                        .unwrap()
                        .contains(concat!(".in_", "language("))
                {
                    named.push(path);
                }
            }
        }
        assert!(named.is_empty(), "{named:?}");
    }
}
