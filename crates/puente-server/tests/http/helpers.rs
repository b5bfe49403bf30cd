//! The test harness: a real server on a random loopback port over a fresh database per test,
//! filled with the demo organisations, users and cases.

use std::net::SocketAddr;

use puente_server::{AppState, ServerConfig};
use puente_store::testing::TestStore;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

/// The demo users' password in tests.
pub const PASSWORD: &str = "test-password-2026";

pub const ADMIN: &str = "admin@hotline.demo";
pub const ADVOCATE: &str = "advocate@hotline.demo";
pub const SUPERVISOR: &str = "supervisor@hotline.demo";
pub const ANALYST: &str = "analyst@hotline.demo";
pub const CASE_WORKER: &str = "caseworker@shelter.demo";

pub struct TestApp {
    pub address: String,
    /// The store the server runs on: SQLite in a temporary directory, or a fresh PostgreSQL
    /// database when `PUENTE_TEST_DATABASE_URL` is set.
    pub store: TestStore,
    /// The key the server seals second-factor secrets with.
    pub secrets_key: puente_server::secrets::SecretsKey,
}

/// Starts the application on 127.0.0.1, port 0, with a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(ServerConfig::default()).await
}

/// [`spawn_app`] with a configuration of its own.
pub async fn spawn_app_with(config: ServerConfig) -> TestApp {
    let store = TestStore::open().await;
    puente_server::demo::ensure_demo(&*store, PASSWORD)
        .await
        .expect("the demo data");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address: SocketAddr = listener.local_addr().unwrap();
    let secrets_key = config.secrets_key.clone();
    let state = AppState::new(store.shared(), config);
    tokio::spawn(puente_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    TestApp {
        address: format!("http://{address}"),
        store,
        secrets_key,
    }
}

/// A fresh application, a bearer token of `email` and a case (of the given name) it created.
pub async fn spawn_app_with_case(email: &str, given_name: &str) -> (TestApp, String, i64) {
    let app = spawn_app().await;
    let token = app.token(email).await;
    let case_id = app.create_case(&token, given_name).await;
    (app, token, case_id)
}

/// A client that keeps cookies and does not follow redirects (so tests see the 303s).
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A client without cookies.
pub fn plain_client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// The value of the first hidden `csrf_token` field of a page.
pub fn csrf_token_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// The value of a hidden field of a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next().unwrap().to_string())
}

/// The second-factor secret the account page offers (as shown to the user) and the sealed offer
/// its form carries back.
pub fn totp_enrolment_of(html: &str) -> (String, String) {
    let marker = "<code class=\"secret\">";
    let start = html.find(marker).expect("the page shows a secret") + marker.len();
    let secret = html[start..].split('<').next().unwrap().to_string();
    let offer = unescape(&hidden_field(html, "enrolment").expect("the form carries the offer"));
    (secret, offer)
}

/// Undoes the HTML escaping minijinja applies to attribute values.
pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// `POST /api/v1/login`.
    pub async fn api_login(&self, email: &str, password: &str) -> Response {
        plain_client()
            .post(self.url("/api/v1/login"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// A bearer token for a demo user.
    pub async fn token(&self, email: &str) -> String {
        let response = self.api_login(email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {email}");
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        plain_client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Response {
        plain_client()
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, token: &str, path: &str, body: &Value) -> Response {
        plain_client()
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a case through the API and returns its id.
    pub async fn create_case(&self, token: &str, given_name: &str) -> i64 {
        let response = self
            .post(
                token,
                "/api/v1/cases",
                &serde_json::json!({
                    "person": { "given_name": given_name, "surname": "Pérez", "sex": "F",
                                "date_of_birth": "2010-04", "nationality": "GT" }
                }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        body["id"].as_i64().unwrap()
    }

    /// Logs a browser in through the login form; returns the response to the form.
    pub async fn web_login(&self, client: &Client, email: &str, password: &str) -> Response {
        let page = client
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_token_of(&page);
        client
            .post(self.url("/login"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("email", email),
                ("password", password),
                ("code", ""),
            ])
            .send()
            .await
            .unwrap()
    }

    /// A browser logged in as a demo user through the login form.
    pub async fn logged_in(&self, email: &str) -> Client {
        let client = browser();
        self.web_login(&client, email, PASSWORD).await;
        client
    }

    /// Posts a form from a browser (its CSRF token among the fields when the form needs one).
    pub async fn post_form<Form: serde::Serialize + ?Sized>(
        &self,
        client: &Client,
        path: &str,
        form: &Form,
    ) -> Response {
        client.post(self.url(path)).form(form).send().await.unwrap()
    }

    /// A page's HTML, asserting its status.
    pub async fn page(&self, client: &Client, path: &str, expected: StatusCode) -> String {
        let response = client.get(self.url(path)).send().await.unwrap();
        assert_eq!(response.status(), expected, "GET {path}");
        response.text().await.unwrap()
    }
}

/// The `{"error": {"code", "message"}}` of a response, checking its shape.
pub async fn error_code(response: Response) -> String {
    let body: Value = response.json().await.expect("an error body in JSON");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body["error"]["code"]
        .as_str()
        .expect("an error code")
        .to_string()
}
