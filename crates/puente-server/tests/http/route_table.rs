//! The router and the OpenAPI document come from one table: every documented operation is
//! answered by a handler (not the fallback), every other method on a documented path is 405, and
//! no API route is added to the router past the table.

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A documented path with every parameter filled in (`{id}` becomes 1).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The OpenAPI document the server serves, to anyone.
pub async fn served_document(app: &TestApp) -> Value {
    plain_client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_documented_operation_is_routed_with_its_method_and_no_other() {
    let app = spawn_app().await;
    let document = served_document(&app).await;
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() > 30, "{} paths", paths.len());
    for (path, operations) in paths {
        let operations = operations.as_object().unwrap();
        let url = app.url(&concrete(path));
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let documented = operations.contains_key(&method.as_str().to_lowercase());
            // No credentials: a routed operation that needs a session answers 401 before it reads
            // anything; logging in answers about its body. Neither is the 404 of no route.
            let status = plain_client()
                .request(method.clone(), &url)
                .send()
                .await
                .unwrap()
                .status();
            if documented {
                assert!(
                    status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is documented but answered {status}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is not documented but answered {status}"
                );
            }
        }
    }
    // A path the document does not list is no route at all.
    let unlisted = plain_client()
        .get(app.url("/api/v1/not-a-route"))
        .send()
        .await
        .unwrap();
    assert_eq!(unlisted.status(), StatusCode::NOT_FOUND);
}

/// Every API route goes through the table (`routes!` in `routes::api_routes`): a `.route(` with an
/// `/api/` path anywhere in the server's sources would be served without documentation.
#[test]
fn no_api_route_is_added_past_the_route_table() {
    let mut offending = Vec::new();
    for (path, text) in server_sources() {
        let compact: String = text.split_whitespace().collect();
        if compact.contains(".route(\"/api/") || compact.contains(".nest(\"/api") {
            offending.push(path);
        }
    }
    assert!(
        offending.is_empty(),
        "API routes outside the table in {offending:?}"
    );
}

/// Every Rust source of the server (its path and text).
pub fn server_sources() -> Vec<(String, String)> {
    let mut pending = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut sources = Vec::new();
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                sources.push((path.display().to_string(), text));
            }
        }
    }
    sources
}
