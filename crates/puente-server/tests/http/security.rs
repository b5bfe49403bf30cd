//! What an outsider and each role try: leaving the site through a redirect, keeping a colleague
//! out by failing their logins, choosing a second-factor secret, weak passwords, fields out of
//! bounds, errors that are not the API's JSON, connections that never finish their headers.

use std::time::Duration;

use puente_server::auth::ThrottlePolicy;
use puente_server::ServerConfig;
use puente_store::Actor;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// A login through a trusted proxy that says the request came from `address`.
async fn login_from(
    app: &TestApp,
    email: &str,
    password: &str,
    totp: Option<&str>,
    address: &str,
) -> reqwest::Response {
    plain_client()
        .post(app.url("/api/v1/login"))
        .header("x-forwarded-for", address)
        .json(&json!({ "email": email, "password": password, "totp": totp }))
        .send()
        .await
        .unwrap()
}

fn behind_a_proxy(throttle: ThrottlePolicy) -> ServerConfig {
    ServerConfig {
        trust_forwarded_for: true,
        throttle,
        ..Default::default()
    }
}

#[tokio::test]
async fn the_language_switch_never_leads_to_another_site() {
    let app = spawn_app().await;
    for next in [
        "/%09/evil.example",
        "/%0A/evil.example",
        "%09//evil.example",
        "//evil.example",
        "/\\evil.example",
        "/%5Cevil.example",
        "/%2F/evil.example",
        "/%252F/evil.example",
        "https://evil.example/",
        "evil.example",
        "",
    ] {
        let response = plain_client()
            .get(format!("{}/lang/en?next={next}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(response.headers()["location"], "/", "next={next}");
    }
    let response = plain_client()
        .get(app.url("/lang/en?next=/cases%3Fstatus%3Dactive"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/cases?status=active");
}

#[tokio::test]
async fn only_a_posted_language_switch_changes_the_stored_setting() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let advocate = app.store.user_by_email(ADVOCATE).await.unwrap().unwrap();
    let switched = client
        .get(app.url("/lang/en?next=/cases"))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let html = app.page(&client, "/cases", StatusCode::OK).await;
    assert!(
        html.contains("<html lang=\"en\">"),
        "the link switches the pages"
    );
    let stored = app.store.user_by_id(advocate.id).await.unwrap().unwrap();
    assert_eq!(stored.language, None, "a GET changes no stored setting");

    // The switch as a form, with the session's token, is the user's setting.
    let csrf = csrf_token_of(&html);
    let posted = app
        .post_form(
            &client,
            "/lang/es",
            &[("csrf_token", csrf.as_str()), ("next", "/cases")],
        )
        .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    assert_eq!(posted.headers()["location"], "/cases");
    let stored = app.store.user_by_id(advocate.id).await.unwrap().unwrap();
    assert_eq!(stored.language, Some(puente_core::Lang::Es));
    // Without the token, nothing changes.
    let forged = app
        .post_form(&client, "/lang/en", &[("next", "/cases")])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let stored = app.store.user_by_id(advocate.id).await.unwrap().unwrap();
    assert_eq!(stored.language, Some(puente_core::Lang::Es));
}

#[tokio::test]
async fn failures_from_many_addresses_slow_an_account_down_but_never_lock_it() {
    let throttle = ThrottlePolicy {
        free_failures_per_account: 5,
        first_delay_seconds: 2,
        ..ThrottlePolicy::default()
    };
    let app = spawn_app_with(behind_a_proxy(throttle)).await;
    for attempt in 0..5 {
        let address = format!("203.0.113.{attempt}");
        let response = login_from(&app, ADVOCATE, "wrong", None, &address).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{address}");
    }
    // Right after, even the right password from a new address waits a little...
    let response = login_from(&app, ADVOCATE, PASSWORD, None, "198.51.100.1").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after <= 2, "a short wait, not a lock: {retry_after}");
    // ...and gets in once the wait has passed.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let response = login_from(&app, ADVOCATE, PASSWORD, None, "198.51.100.1").await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_right_password_and_code_from_a_new_address_pass_while_an_account_is_slowed_down() {
    let throttle = ThrottlePolicy {
        free_failures_per_account: 5,
        first_delay_seconds: 60,
        ..ThrottlePolicy::default()
    };
    let app = spawn_app_with(behind_a_proxy(throttle)).await;
    let secret = app.enable_second_factor(SUPERVISOR).await;
    for attempt in 0..8 {
        let address = format!("203.0.113.{attempt}");
        login_from(&app, SUPERVISOR, "wrong", None, &address).await;
    }
    let response = login_from(&app, SUPERVISOR, PASSWORD, None, "198.51.100.7").await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the password alone waits"
    );
    let code = puente_server::auth::totp_code_now(&secret).unwrap();
    let response = login_from(&app, SUPERVISOR, PASSWORD, Some(&code), "198.51.100.7").await;
    assert_eq!(response.status(), StatusCode::OK, "password and code pass");
}

#[tokio::test]
async fn one_address_guessing_many_accounts_does_not_keep_out_its_neighbours() {
    let app = spawn_app_with(behind_a_proxy(ThrottlePolicy::default())).await;
    for attempt in 0..20 {
        let email = format!("guess{attempt}@hotline.demo");
        let response = login_from(&app, &email, "wrong", None, "203.0.113.9").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = login_from(&app, SUPERVISOR, PASSWORD, None, "203.0.113.9").await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a colleague behind the same NAT"
    );
}

#[tokio::test]
async fn a_wait_for_one_account_and_address_ends_and_then_the_right_password_passes() {
    let throttle = ThrottlePolicy {
        first_delay_seconds: 2,
        ..ThrottlePolicy::default()
    };
    let app = spawn_app_with(behind_a_proxy(throttle)).await;
    for _ in 0..3 {
        login_from(&app, ADVOCATE, "wrong", None, "203.0.113.5").await;
    }
    let response = login_from(&app, ADVOCATE, PASSWORD, None, "203.0.113.5").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(["1", "2"].contains(&retry_after.as_str()), "{retry_after}");
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let response = login_from(&app, ADVOCATE, PASSWORD, None, "203.0.113.5").await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn failed_logins_against_staff_are_in_their_organisations_audit_log() {
    let app = spawn_app().await;
    for _ in 0..4 {
        app.api_login(ADVOCATE, "not the password").await;
    }
    let admin = app.token(SUPERVISOR).await;
    let entries: Value = app.get(&admin, "/api/v1/audit").await.json().await.unwrap();
    let about_advocate: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["actor"] == ADVOCATE)
        .collect();
    let failed = about_advocate
        .iter()
        .filter(|entry| entry["action"] == "login_failed")
        .count();
    let throttled = about_advocate
        .iter()
        .filter(|entry| entry["action"] == "login_throttled")
        .count();
    assert_eq!((failed, throttled), (3, 1), "{about_advocate:?}");
}

impl TestApp {
    /// Gives a demo user a second factor (sealed as the server stores it) and returns its secret.
    pub async fn enable_second_factor(&self, email: &str) -> String {
        let user = self.store.user_by_email(email).await.unwrap().unwrap();
        let secret = puente_server::auth::new_totp_secret();
        let sealed = self.secrets_key.seal_totp_secret(user.id, &secret);
        self.store
            .set_user_totp_secret(&test_actor(), user.id, Some(&sealed))
            .await
            .unwrap();
        secret
    }
}

fn test_actor() -> Actor {
    Actor {
        name: "test".into(),
        organisation_id: None,
    }
}

/// Posts the account page's second-factor form with the given fields (and the page's token).
async fn post_enrolment(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let account = app.page(client, "/account", StatusCode::OK).await;
    let csrf = csrf_token_of(&account);
    let mut form = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    app.post_form(client, "/account/totp", &form).await
}

#[tokio::test]
async fn a_second_factor_secret_chosen_by_the_client_is_never_enrolled() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let all_zeros = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let code = puente_server::auth::totp_code_now(all_zeros).unwrap();
    // The old form's field, and an offer that is not the server's.
    for fields in [
        vec![
            ("secret", all_zeros),
            ("code", code.as_str()),
            ("password", PASSWORD),
        ],
        vec![
            ("enrolment", all_zeros),
            ("code", code.as_str()),
            ("password", PASSWORD),
        ],
    ] {
        let response = post_enrolment(&app, &client, &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // An offer the server made for another user does not open for this one.
    let other = app.logged_in(SUPERVISOR).await;
    let (secret, offer) = totp_enrolment_of(&app.page(&other, "/account", StatusCode::OK).await);
    let code = puente_server::auth::totp_code_now(&secret).unwrap();
    let fields = [
        ("enrolment", offer.as_str()),
        ("code", code.as_str()),
        ("password", PASSWORD),
    ];
    let response = post_enrolment(&app, &client, &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let advocate = app.store.user_by_email(ADVOCATE).await.unwrap().unwrap();
    assert_eq!(advocate.totp_secret, None);
}

#[tokio::test]
async fn enrolment_asks_for_the_password_and_replacing_a_factor_asks_for_a_current_code() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let account = app.page(&client, "/account", StatusCode::OK).await;
    assert!(account.contains("<svg"), "the page shows a QR code");
    let (secret, offer) = totp_enrolment_of(&account);
    let code = puente_server::auth::totp_code_now(&secret).unwrap();
    let without_password = [("enrolment", offer.as_str()), ("code", code.as_str())];
    let response = post_enrolment(&app, &client, &without_password).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let enrol = [
        ("enrolment", offer.as_str()),
        ("code", code.as_str()),
        ("password", PASSWORD),
    ];
    let response = post_enrolment(&app, &client, &enrol).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // Stored sealed: the database holds no base32 secret.
    let advocate = app.store.user_by_email(ADVOCATE).await.unwrap().unwrap();
    let stored = advocate.totp_secret.clone().unwrap();
    assert!(
        stored.starts_with("sealed1:") && !stored.contains(&secret),
        "{stored}"
    );

    // Someone at an open session cannot replace the factor with theirs.
    let account = app.page(&client, "/account", StatusCode::OK).await;
    let (new_secret, new_offer) = totp_enrolment_of(&account);
    assert_ne!(new_secret, secret);
    let new_code = puente_server::auth::totp_code_now(&new_secret).unwrap();
    let no_current = [
        ("enrolment", new_offer.as_str()),
        ("code", new_code.as_str()),
        ("password", PASSWORD),
    ];
    let response = post_enrolment(&app, &client, &no_current).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let current = puente_server::auth::totp_code_now(&secret).unwrap();
    let wrong_password = [
        ("enrolment", new_offer.as_str()),
        ("code", new_code.as_str()),
        ("current_code", current.as_str()),
        ("password", "not the password at all"),
    ];
    let response = post_enrolment(&app, &client, &wrong_password).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unchanged = app.store.user_by_email(ADVOCATE).await.unwrap().unwrap();
    assert_eq!(unchanged.totp_secret, Some(stored));

    // The owner, with password and a current code, moves to a new phone.
    let replace = [
        ("enrolment", new_offer.as_str()),
        ("code", new_code.as_str()),
        ("current_code", current.as_str()),
        ("password", PASSWORD),
    ];
    let response = post_enrolment(&app, &client, &replace).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let code = puente_server::auth::totp_code_now(&new_secret).unwrap();
    let response = login_from(&app, ADVOCATE, PASSWORD, Some(&code), "127.0.0.1").await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the new factor opens a session"
    );
}

#[tokio::test]
async fn second_factor_secrets_stored_in_plain_text_are_sealed_when_the_server_starts() {
    let store = puente_store::testing::TestStore::open().await;
    puente_server::demo::ensure_demo(&*store, PASSWORD)
        .await
        .unwrap();
    let advocate = store.user_by_email(ADVOCATE).await.unwrap().unwrap();
    let secret = puente_server::auth::new_totp_secret();
    store
        .set_user_totp_secret(&test_actor(), advocate.id, Some(&secret))
        .await
        .unwrap();
    let config = ServerConfig::default();
    let key = config.secrets_key.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let state = puente_server::AppState::new(store.shared(), config);
    tokio::spawn(puente_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    let code = puente_server::auth::totp_code_now(&secret).unwrap();
    let response = plain_client()
        .post(format!("http://{address}/api/v1/login"))
        .json(&json!({ "email": ADVOCATE, "password": PASSWORD, "totp": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let stored = store
        .user_by_email(ADVOCATE)
        .await
        .unwrap()
        .unwrap()
        .totp_secret
        .unwrap();
    assert!(stored.starts_with("sealed1:"), "{stored}");
    assert_eq!(key.open_totp_secret(advocate.id, &stored), Some(secret));
}

fn with_short_timeouts(max_connections: usize) -> ServerConfig {
    ServerConfig {
        limits: puente_server::ConnectionLimits {
            header_read_timeout: Duration::from_secs(1),
            max_connections,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Opens a connection and sends only part of a request's headers.
async fn half_a_header(app: &TestApp) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::AsyncReadExt;
    let app = spawn_app_with(with_short_timeouts(16)).await;
    let started = std::time::Instant::now();
    let mut stream = half_a_header(&app).await;
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the connection is still open after 5 s");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(4),
        "closed after {elapsed:?}"
    );
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_place() {
    let app = spawn_app_with(with_short_timeouts(1)).await;
    let _slow = half_a_header(&app).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let response = plain_client().get(app.url("/login")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "the second connection was served while the first held the only place"
    );
}

#[tokio::test]
async fn weak_passwords_are_refused_and_the_longest_accepted_one_logs_in() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN).await;
    let new_user = |email: &str, password: &str| {
        json!({ "email": email, "display_name": "Nueva Persona", "role": "advocate",
                "password": password })
    };
    for weak in [
        "aaaaaaaaaaaa",
        "password1234",
        "            ",
        "nueva@hotline.demo",
    ] {
        let response = app
            .post(
                &admin,
                "/api/v1/users",
                &new_user("nueva@hotline.demo", weak),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{weak:?}"
        );
        assert_eq!(error_code(response).await, "invalid");
    }
    let too_long = "Tapachula-lluvia-7-mangos ".repeat(40);
    assert!(too_long.len() > 1024);
    let response = app
        .post(
            &admin,
            "/api/v1/users",
            &new_user("nueva@hotline.demo", &too_long),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The longest password that can be set is one that can be used to log in.
    let longest = &too_long[..1024];
    let response = app
        .post(
            &admin,
            "/api/v1/users",
            &new_user("nueva@hotline.demo", longest),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = app.api_login("nueva@hotline.demo", longest).await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// The JSON error of an answer: its status, code and field, checking that it has a message.
async fn json_error(response: reqwest::Response) -> (StatusCode, String, Value, String) {
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{status}: {content_type}"
    );
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap().to_string();
    assert!(!message.is_empty(), "{body}");
    let code = body["error"]["code"].as_str().unwrap().to_string();
    (status, code, body["error"]["field"].clone(), message)
}

#[tokio::test]
async fn every_api_error_is_the_json_error_in_the_requests_language() {
    let app = spawn_app().await;
    let token = app.token(SUPERVISOR).await;
    let client = plain_client();
    let case_id = app.create_case(&token, "Rosa").await;

    let response = app.get(&token, "/api/v1/cases/abc").await;
    let (status, code, field, _) = json_error(response).await;
    assert_eq!(
        (status, code.as_str(), field),
        (StatusCode::BAD_REQUEST, "invalid_parameter", json!("id"))
    );
    let response = app
        .get(&token, "/api/v1/cases/99999999999999999999999")
        .await;
    assert_eq!(json_error(response).await.0, StatusCode::BAD_REQUEST);

    let response = client
        .get(app.url("/api/v1/audit?limit=many"))
        .bearer_auth(&token)
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    let (status, code, field, message) = json_error(response).await;
    assert_eq!(
        (status, code.as_str(), field),
        (StatusCode::BAD_REQUEST, "invalid_parameter", json!("limit"))
    );
    assert!(
        message.contains("parámetro") && message.contains("many"),
        "{message}"
    );

    let response = client
        .delete(app.url("/api/v1/cases"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("allow"));
    let (status, code, _, _) = json_error(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );

    let huge = "x".repeat(3 * 1024 * 1024);
    for path in [
        format!("/api/v1/cases/{case_id}/screenings"),
        "/api/v1/referrals/1/reject".to_string(),
        "/api/v1/cases".to_string(),
    ] {
        let response = client
            .post(app.url(&path))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        let (status, code, _, _) = json_error(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            "{path}"
        );
    }

    let response = client
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, code, _, _) = json_error(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );

    let response = app
        .post(
            &token,
            "/api/v1/cases",
            &json!({ "person": { "given_name": "Ana", "estimated_age": "old" } }),
        )
        .await;
    let (status, code, field, _) = json_error(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
    );
    assert_eq!(field, json!("person.estimated_age"));
}

#[tokio::test]
async fn the_form_and_the_api_refuse_the_same_fields_out_of_bounds() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let client = app.logged_in(ADVOCATE).await;
    let long_name = "Ana".repeat(500_000);
    // (form field, form value, API person field, API value, the field named in the error)
    let cases: [(&str, &str, &str, Value, &str); 5] = [
        (
            "date_of_birth",
            "2200-01-01",
            "date_of_birth",
            json!("2200-01-01"),
            "person.date_of_birth",
        ),
        (
            "date_of_birth",
            "1850",
            "date_of_birth",
            json!("1850"),
            "person.date_of_birth",
        ),
        (
            "estimated_age",
            "121",
            "estimated_age",
            json!(121),
            "person.estimated_age",
        ),
        (
            "estimated_age",
            "4294967295",
            "estimated_age",
            json!(4_294_967_295_u64),
            "person.estimated_age",
        ),
        (
            "surname",
            &long_name[..603],
            "surname",
            json!(long_name),
            "person.surname",
        ),
    ];
    for (form_field, form_value, api_field, api_value, named) in cases {
        let mut person = json!({ "given_name": "Ana" });
        person[api_field] = api_value;
        let response = app
            .post(&token, "/api/v1/cases", &json!({ "person": person }))
            .await;
        let (status, code, field, _) = json_error(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            "{named}"
        );
        assert_eq!(field, json!(named));

        let form = app.page(&client, "/cases/new", StatusCode::OK).await;
        let csrf = csrf_token_of(&form);
        let response = app
            .post_form(
                &client,
                "/cases",
                &[
                    ("csrf_token", csrf.as_str()),
                    ("given_name", "Ana"),
                    (form_field, form_value),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "form {form_field}={form_value:.20}"
        );
    }
    let case_id = app.create_case(&token, "Rosa").await;
    let note = json!({ "text": "n".repeat(20_001) });
    let response = app
        .post(&token, &format!("/api/v1/cases/{case_id}/notes"), &note)
        .await;
    assert_eq!(json_error(response).await.2, json!("text"));
}

#[tokio::test]
async fn the_duplicates_check_says_nothing_about_a_colleagues_client() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let advocate = app.token(ADVOCATE).await;
    let person = json!({ "given_name": "Luisa", "surname": "Xicará", "sex": "F",
                         "date_of_birth": "1994-03-02", "nationality": "GT", "phone": "+50255512345" });
    let response = app
        .post(&supervisor, "/api/v1/cases", &json!({ "person": person }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let guess = json!({ "person": { "given_name": "Luisa", "surname": "Xicara",
                                    "date_of_birth": "1994-03-02", "phone": "+50255512346" } });
    let answer: Value = app
        .post(&advocate, "/api/v1/persons/duplicates", &guess)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["duplicates"], json!([]), "{answer}");
    // Her own client is found.
    let response = app
        .post(&advocate, "/api/v1/cases", &json!({ "person": person }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let answer: Value = app
        .post(&advocate, "/api/v1/persons/duplicates", &guess)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["duplicates"].as_array().unwrap().len(),
        1,
        "{answer}"
    );
}

#[tokio::test]
async fn the_location_of_a_new_screening_answers() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Ana").await;
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/screenings"),
            &json!({ "person": { "age": 16 }, "facts": ["act_recruited", "means_deception"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let stored = app.get(&token, &location).await;
    assert_eq!(stored.status(), StatusCode::OK, "{location}");
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(stored["case_id"], id);
    // Another case's screening is not found under this case.
    let other = app.create_case(&token, "Berta").await;
    let screening_id = stored["id"].as_i64().unwrap();
    let response = app
        .get(
            &token,
            &format!("/api/v1/cases/{other}/screenings/{screening_id}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_login_form_token_planted_in_the_browser_is_never_taken_over() {
    let app = spawn_app().await;
    let planted = "ab".repeat(32);
    let response = plain_client()
        .get(app.url("/login"))
        .header("cookie", format!("puente_csrf={planted}"))
        .send()
        .await
        .unwrap();
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!set_cookie.contains(&planted), "{set_cookie}");
    let html = response.text().await.unwrap();
    assert_ne!(csrf_token_of(&html), planted);
    // A forged login with the planted pair (cookie and field) is refused.
    let response = plain_client()
        .post(app.url("/login"))
        .header("cookie", format!("puente_csrf={planted}"))
        .form(&[
            ("csrf_token", planted.as_str()),
            ("email", ADVOCATE),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Every showing of the form has a new token.
    let client = browser();
    let first = csrf_token_of(&app.page(&client, "/login", StatusCode::OK).await);
    let second = csrf_token_of(&app.page(&client, "/login", StatusCode::OK).await);
    assert_ne!(first, second);
    assert_eq!(
        app.web_login(&client, ADVOCATE, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_form_that_is_not_utf8_is_a_bad_request_not_an_expired_form() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let csrf = csrf_token_of(&app.page(&client, "/cases/new", StatusCode::OK).await);
    for body in [
        [
            b"csrf_token=".as_slice(),
            csrf.as_bytes(),
            b"&given_name=Ana\xff",
        ]
        .concat(),
        [
            b"csrf_token=".as_slice(),
            csrf.as_bytes(),
            b"&given_name=Ana%FF",
        ]
        .concat(),
    ] {
        let response = client
            .post(app.url("/cases"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let html = response.text().await.unwrap();
        assert!(html.contains("UTF-8"), "{html}");
    }
}

#[tokio::test]
async fn a_put_refused_by_validation_reads_and_audits_nothing() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Ana").await;
    let views = || async {
        app.store
            .audit_entries(&puente_store::AuditQuery {
                record_type: Some("case".into()),
                record_id: Some(id.to_string()),
                ..Default::default()
            })
            .await
            .unwrap()
            .iter()
            .filter(|entry| entry.action == "view")
            .count()
    };
    let before = views().await;
    let response = app
        .put(
            &token,
            &format!("/api/v1/cases/{id}"),
            &json!({ "version": 1, "status": "Active",
                     "person": { "given_name": "Ana", "estimated_age": 500 } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(views().await, before, "a refused save is no view");
}

#[tokio::test]
async fn a_privileged_account_is_flagged_and_the_supervisors_are_told() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN).await;
    let supervisor = app.token(SUPERVISOR).await;
    let before = app
        .get(&supervisor, "/api/v1/account-notices")
        .await
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    let new_user = |email: &str, role: &str| {
        json!({ "email": email, "display_name": "Nueva", "role": role,
                "password": "Tapachula-lluvia-7-mangos" })
    };
    let response = app
        .post(
            &admin,
            "/api/v1/users",
            &new_user("jefa@hotline.demo", "supervisor"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = app
        .post(
            &admin,
            "/api/v1/users",
            &new_user("nuevo@hotline.demo", "advocate"),
        )
        .await;
    let advocate_id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = app
        .put(
            &admin,
            &format!("/api/v1/users/{advocate_id}"),
            &json!({ "role": "org_admin" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let notices: Value = app
        .get(&supervisor, "/api/v1/account-notices")
        .await
        .json()
        .await
        .unwrap();
    let notices = notices.as_array().unwrap();
    assert_eq!(notices.len(), before + 2, "{notices:?}");
    assert_eq!(notices[0]["user_email"], "nuevo@hotline.demo");
    assert_eq!(notices[0]["kind"], "privileged_role_granted");
    assert_eq!(notices[1]["user_email"], "jefa@hotline.demo");
    assert_eq!(notices[1]["kind"], "privileged_account_created");
    let flagged = app
        .store
        .audit_entries(&puente_store::AuditQuery {
            actor: Some(ADMIN.into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|entry| entry.action == "privileged_role_granted")
        .count();
    assert_eq!(flagged, 2);
    // The supervisors read it on their notifications page.
    let client = app.logged_in(SUPERVISOR).await;
    let html = app.page(&client, "/notifications", StatusCode::OK).await;
    assert!(
        html.contains("creó la cuenta jefa@hotline.demo con el rol Supervisión"),
        "{html}"
    );
    // An advocate is not told.
    let advocate = app.token(ADVOCATE).await;
    assert_eq!(
        app.get(&advocate, "/api/v1/account-notices").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408_in_json() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = ServerConfig {
        limits: puente_server::ConnectionLimits {
            body_read_timeout: Duration::from_secs(1),
            ..Default::default()
        },
        ..Default::default()
    };
    let app = spawn_app_with(config).await;
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(
            b"POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("an answer within 5 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).to_string();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(4));
}
