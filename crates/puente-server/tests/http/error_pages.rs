//! Every refused page request answers a styled page in the user's language, never the framework's
//! plain text.

use reqwest::StatusCode;

use crate::helpers::*;

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
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                content_type.starts_with("text/html"),
                "{path}: {content_type}"
            );
            let html = response.text().await.unwrap();
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
