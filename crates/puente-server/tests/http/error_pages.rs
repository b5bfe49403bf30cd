//! Every refused page request answers a styled page in the user's language, never the framework's
//! plain text.

use reqwest::StatusCode;

use crate::helpers::*;

/// The HTML of an answer, checking that it is a page (`context` names it in a failure).
async fn html_of(response: reqwest::Response, context: &str) -> String {
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("text/html"),
        "{context}: {content_type}"
    );
    response.text().await.unwrap()
}

#[tokio::test]
async fn addresses_that_name_no_page_answer_a_styled_page_in_the_users_language() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    for (path, status) in [
        ("/cases/abc", StatusCode::NOT_FOUND),
        ("/cases/search", StatusCode::NOT_FOUND),
        ("/cases/1/screenings/xyz", StatusCode::NOT_FOUND),
        ("/cases/99999999999999999999999", StatusCode::NOT_FOUND),
        ("/no/such/page", StatusCode::NOT_FOUND),
    ] {
        for (language, words) in [("es", "No encontrado"), ("en", "Not found")] {
            let response = client
                .get(app.url(path))
                .header("accept-language", language)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), status, "GET {path}");
            let html = html_of(response, path).await;
            assert!(html.contains("/static/style.css"), "{path}: {html}");
            assert!(html.contains(words), "{path} ({language}): {html}");
            assert!(
                !html.contains("Invalid URL") && !html.contains("Cannot parse"),
                "{html}"
            );
        }
    }
    // A form that cannot be read, and a method the page does not take.
    let response = client
        .post(app.url("/cases/abc/notes"))
        .header("accept-language", "en")
        .form(&[("text", "x")])
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    assert!(
        html.contains("/static/style.css") && !html.contains("Invalid URL"),
        "{html}"
    );
    let response = client
        .get(app.url("/cases/1/notes"))
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let html = response.text().await.unwrap();
    assert!(html.contains("Esta página no acepta esa acción"), "{html}");
}

/// The errors of page handlers (a case that does not exist, a page the role may not open) and the
/// session layer's refusals (a form without its anti-forgery token) come back as pages in the
/// session's language, whatever the browser's headers ask for, with the error's status.
#[tokio::test]
async fn page_errors_come_back_in_the_sessions_language() {
    let app = spawn_app().await;
    let advocate = app.logged_in(ADVOCATE).await;
    let analyst = app.logged_in(ANALYST).await;
    for (language, other_language, not_found, forbidden, expired, unreadable) in [
        (
            "es",
            "en",
            "No encontrado.",
            "Su rol no permite esta acción.",
            "El formulario caducó",
            "No se pudo leer el formulario",
        ),
        (
            "en",
            "es",
            "Not found.",
            "Your role does not allow this.",
            "The form has expired",
            "The form cannot be read",
        ),
    ] {
        for client in [&advocate, &analyst] {
            let response = client
                .get(app.url(&format!("/lang/{language}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
        }
        for (client, path, method, status, words) in [
            (
                &advocate,
                "/cases/987654",
                "GET",
                StatusCode::NOT_FOUND,
                not_found,
            ),
            (&analyst, "/cases", "GET", StatusCode::FORBIDDEN, forbidden),
            (
                &advocate,
                "/cases/1/notes",
                "POST",
                StatusCode::FORBIDDEN,
                expired,
            ),
        ] {
            let request = match method {
                "GET" => client.get(app.url(path)),
                _ => client.post(app.url(path)).form(&[("text", "a note")]),
            };
            let response = request
                .header("accept-language", other_language)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), status, "{method} {path} ({language})");
            let html = html_of(response, path).await;
            assert!(
                html.contains(&format!("<html lang=\"{language}\">")),
                "{path}: {html}"
            );
            assert!(html.contains(words), "{path} ({language}): {html}");
        }
        // A form that is not text, refused by the session layer before any handler.
        let csrf = csrf_token_of(&app.page(&advocate, "/cases/new", StatusCode::OK).await);
        let response = advocate
            .post(app.url("/cases"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept-language", other_language)
            .body(format!("csrf_token={csrf}&given_name=Ana%FF"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("<html lang=\"{language}\">")),
            "{html}"
        );
        assert!(html.contains(unreadable), "{language}: {html}");
    }
}
