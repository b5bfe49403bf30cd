//! HTTP integration tests: every test starts the server on a random loopback port over a fresh
//! database with the demo data, and talks to it as a browser or an API client would.

mod helpers;
// The API agrees with its OpenAPI document.
mod api_document;
// Passwords, one-time links, deactivation, recovery codes, notification e-mails.
mod accounts;
// The service directory, referrals and the dashboard.
mod dashboard;
mod directory;
mod duplicates;
mod error_pages;
// Finding cases: search keys, filters, pages, the role matrix.
mod case_search;
mod labels;
// The legal protection section of a case.
mod legal;
// The legal track through the API and the pages, perpetrators across cases.
mod legal_track;
// Matching between instances through a linkage unit.
mod matching;
mod private_stats;
mod referrals;
// Documents, voided screenings, the history of changes and the exports.
mod records;
// Attacks from outside and from each role: redirects, throttling, second factors, API errors.
mod refused_forms;
// The route table: the router and the OpenAPI document agree.
mod route_table;
mod screening_words;
mod security;
// Tasks on a case and the "my work" page.
mod tasks;
// Handing over: a case opened from a referral, messages, notifications per user.
mod handover;
// The team's cases setting, referrals' urgency and contact, merges without loss, tasks in the file.
mod casework;

use helpers::*;
use puente_store::AuditQuery;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn login_answers_a_token_and_a_strict_http_only_cookie() {
    let app = spawn_app().await;
    let response = app.api_login(ADVOCATE, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("puente_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let body: Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    let me: Value = app.get(token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["email"], ADVOCATE);
    assert_eq!(me["role"], "advocate");
    assert_eq!(me["organisation"]["slug"], "hotline-demo");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_account_is_401_and_audited() {
    let app = spawn_app().await;
    let response = app.api_login(ADVOCATE, "not the password").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(response).await, "invalid_credentials");
    let response = app.api_login("nobody@nowhere.example", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(response).await, "invalid_credentials");
    let failures = app
        .store
        .audit_entries(&AuditQuery {
            actor: Some(ADVOCATE.into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(
        failures.iter().any(|entry| entry.action == "login_failed"),
        "{failures:?}"
    );
}

#[tokio::test]
async fn repeated_failures_for_an_account_from_one_address_slow_it_down_with_429_even_for_the_right_password(
) {
    let app = spawn_app().await;
    for attempt in 0..3 {
        let response = app.api_login(ADVOCATE, "wrong").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let response = app.api_login(ADVOCATE, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(error_code(response).await, "too_many_attempts");
    // Another account is not slowed by the first one's failures.
    assert_eq!(
        app.api_login(SUPERVISOR, PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_case_is_created_and_read_back_by_its_owner() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let response = app
        .post(
            &token,
            "/api/v1/cases",
            &json!({
                "person": { "given_name": "María", "surname": "Hernández", "second_surname": "López",
                            "sex": "F", "date_of_birth": "2009", "nationality": "GT",
                            "languages": ["es", "mam"], "phone": "+502 5555 1234" },
                "victim": { "types_of_exploitation": ["ForcedLabour"] },
                "events": [{ "kind": "Recruitment", "country": "GT", "place": "Huehuetenango", "date": "2024-05" },
                           { "kind": "Exploitation", "country": "MX", "place": "Tapachula", "date": "2024-07" }]
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = app.get(&token, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let case: Value = response.json().await.unwrap();
    assert_eq!(case["person"]["given_name"], "María");
    assert_eq!(case["person"]["phone"], "+50255551234");
    assert_eq!(case["events"][1]["place"], "Tapachula");
    assert_eq!(case["version"], 1);
    // The read was audited as a view, with the user's email.
    let views = app
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("case".into()),
            record_id: Some(id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(views
        .iter()
        .any(|entry| entry.action == "view" && entry.actor == ADVOCATE));
}

#[tokio::test]
async fn a_bad_case_is_refused_with_422_naming_the_problem() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let response = app
        .post(
            &token,
            "/api/v1/cases",
            &json!({ "person": { "given_name": "Ana", "date_of_birth": "2009-13" } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2009-13"),
        "{body}"
    );
    let response = app
        .post(
            &token,
            "/api/v1/cases",
            &json!({ "person": { "given_name": " " } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn reading_a_case_is_401_without_credentials_404_when_not_visible_and_403_for_an_analyst() {
    let (app, advocate, id) = spawn_app_with_case(ADVOCATE, "Lucía").await;
    let path = format!("/api/v1/cases/{id}");

    let anonymous = plain_client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(anonymous).await, "unauthenticated");

    let missing = app.get(&advocate, "/api/v1/cases/999999").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(missing).await, "not_found");

    let other_organisation = app.token(CASE_WORKER).await;
    assert_eq!(
        app.get(&other_organisation, &path).await.status(),
        StatusCode::NOT_FOUND
    );

    let analyst = app.token(ANALYST).await;
    let response = app.get(&analyst, &path).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(response).await, "forbidden");

    let garbage = plain_client()
        .get(app.url(&path))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
}

/// The role matrix over HTTP: each demo user against an advocate's case, a supervisor's case of
/// the same organisation, lists, audit, users and statistics.
#[tokio::test]
async fn the_role_matrix_holds_over_http() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let supervisor = app.token(SUPERVISOR).await;
    let advocates_case = app.create_case(&advocate, "Rosa").await;
    let supervisors_case = app.create_case(&supervisor, "Marta").await;
    let tokens = [
        (ADVOCATE, advocate.clone()),
        (SUPERVISOR, supervisor.clone()),
        (ADMIN, app.token(ADMIN).await),
        (ANALYST, app.token(ANALYST).await),
        (CASE_WORKER, app.token(CASE_WORKER).await),
    ];
    // (user, advocate's case, supervisor's case, case list, case audit, users, stats)
    let expected: [(&str, [u16; 6]); 5] = [
        (ADVOCATE, [200, 404, 200, 403, 403, 403]),
        (SUPERVISOR, [200, 200, 200, 200, 403, 200]),
        (ADMIN, [403, 403, 403, 200, 200, 200]),
        (ANALYST, [403, 403, 403, 403, 403, 200]),
        (CASE_WORKER, [404, 404, 200, 403, 403, 403]),
    ];
    for ((email, token), (expected_email, statuses)) in tokens.iter().zip(expected) {
        assert_eq!(*email, expected_email);
        let paths = [
            format!("/api/v1/cases/{advocates_case}"),
            format!("/api/v1/cases/{supervisors_case}"),
            "/api/v1/cases".to_string(),
            format!("/api/v1/audit?case_id={advocates_case}"),
            "/api/v1/users".to_string(),
            "/api/v1/stats?by=sex".to_string(),
        ];
        for (path, status) in paths.iter().zip(statuses) {
            let response = app.get(token, path).await;
            assert_eq!(response.status().as_u16(), status, "{email} GET {path}");
        }
    }
    // Writing follows reading: an advocate cannot add a note to a colleague's case, an analyst
    // cannot create a case.
    let note = app
        .post(
            &advocate,
            &format!("/api/v1/cases/{supervisors_case}/notes"),
            &json!({"text": "x"}),
        )
        .await;
    assert_eq!(note.status(), StatusCode::NOT_FOUND);
    let analyst = &tokens[3].1;
    let create = app
        .post(
            analyst,
            "/api/v1/cases",
            &json!({ "person": { "given_name": "X" } }),
        )
        .await;
    assert_eq!(create.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_case_list_shows_an_advocate_only_their_cases_and_a_supervisor_the_organisation() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let supervisor = app.token(SUPERVISOR).await;
    let mine = app.create_case(&advocate, "Sofía").await;
    let theirs = app.create_case(&supervisor, "Julia").await;
    let ids = |list: Value| -> Vec<i64> {
        list["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let advocates = ids(app
        .get(&advocate, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap());
    assert!(advocates.contains(&mine) && !advocates.contains(&theirs));
    let supervisors = ids(app
        .get(&supervisor, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap());
    assert!(supervisors.contains(&mine) && supervisors.contains(&theirs));
}

#[tokio::test]
async fn a_screening_in_a_case_answers_201_with_the_screening_result() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Ana").await;
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/screenings"),
            &json!({ "person": { "age": 16, "sex": "F", "nationality": "GT", "current_country": "US" },
                     "facts": ["act_recruited", "means_deception", "activity_labour"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .contains(&format!("/cases/{id}/screenings/")));
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["level"], "strong_indicators");
    assert_eq!(result["minor"], true);
    assert_eq!(result["frameworks"]["palermo"]["met"], true);
    assert!(result["rule_set_version"]
        .as_str()
        .is_some_and(|v| !v.is_empty()));
    assert!(!result["explanation"].as_array().unwrap().is_empty());
    assert!(!result["next_steps"].as_array().unwrap().is_empty());
    // Stored with the rule-set version; the case shows its screenings over time.
    let stored: Value = app
        .get(&token, &format!("/api/v1/cases/{id}/screenings"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored.as_array().unwrap().len(), 1);
    assert_eq!(stored[0]["rule_set_version"], result["rule_set_version"]);
    assert_eq!(stored[0]["result"], result);
}

#[tokio::test]
async fn a_screening_takes_what_the_request_omits_from_the_case_and_speaks_spanish_on_request() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Ana").await; // born 2010-04: a minor
    let response = plain_client()
        .post(app.url(&format!("/api/v1/cases/{id}/screenings")))
        .bearer_auth(&token)
        .header("accept-language", "es")
        .json(&json!({ "facts": ["act_recruited", "activity_commercial_sex"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["minor"], true);
    assert_eq!(result["frameworks"]["tvpa_sex"]["met"], true);
    let explanation = result["explanation"].to_string();
    assert!(
        explanation.contains("Protocolo") || explanation.contains("trata"),
        "{explanation}"
    );
}

#[tokio::test]
async fn an_unknown_fact_is_refused_with_422_naming_it() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Ana").await;
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/screenings"),
            &json!({ "facts": ["act_recruited", "means_magic"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("means_magic"),
        "{body}"
    );
}

#[tokio::test]
async fn a_supervisor_reads_the_audit_trail_of_a_case() {
    let (app, advocate, id) = spawn_app_with_case(ADVOCATE, "Carmen").await;
    app.get(&advocate, &format!("/api/v1/cases/{id}")).await;
    app.post(
        &advocate,
        &format!("/api/v1/cases/{id}/notes"),
        &json!({ "text": "Llamó desde Tapachula." }),
    )
    .await;
    let supervisor = app.token(SUPERVISOR).await;
    let response = app
        .get(&supervisor, &format!("/api/v1/audit?case_id={id}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let entries: Value = response.json().await.unwrap();
    let entries = entries.as_array().unwrap();
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    assert!(actions.contains(&(ADVOCATE, "create")), "{actions:?}");
    assert!(actions.contains(&(ADVOCATE, "view")), "{actions:?}");
    assert!(entries
        .iter()
        .all(|e| e["at"].as_str().is_some_and(|at| at.contains('T'))));
    assert!(
        entries.iter().any(|e| e["record_type"] == "case_note"),
        "{actions:?}"
    );
    // The note's text never appears in the audit log.
    assert!(!serde_json::to_string(entries)
        .unwrap()
        .contains("Tapachula"));
    // An advocate may not read it.
    assert_eq!(
        app.get(&advocate, &format!("/api/v1/audit?case_id={id}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_second_of_two_concurrent_edits_is_refused_with_409_and_nothing_is_overwritten() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let supervisor = app.token(SUPERVISOR).await;
    let id = app.create_case(&advocate, "Elena").await;
    let path = format!("/api/v1/cases/{id}");
    let loaded_by_advocate: Value = app.get(&advocate, &path).await.json().await.unwrap();
    let loaded_by_supervisor: Value = app.get(&supervisor, &path).await.json().await.unwrap();

    // Consents are not part of a case update: they have their own endpoints.
    let mut first = loaded_by_advocate.clone();
    first.as_object_mut().unwrap().remove("consents");
    first["status"] = json!("FollowUp");
    let response = app.put(&advocate, &path, &first).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["version"], 2);

    let mut second = loaded_by_supervisor.clone();
    second.as_object_mut().unwrap().remove("consents");
    second["person"]["given_name"] = json!("Elena Sofía");
    let response = app.put(&supervisor, &path, &second).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "stale_version");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Someone else"),
        "{body}"
    );

    let now: Value = app.get(&advocate, &path).await.json().await.unwrap();
    assert_eq!(now["status"], "FollowUp");
    assert_eq!(now["person"]["given_name"], "Elena");
    assert_eq!(now["version"], 2);
    let history: Value = app
        .get(&advocate, &format!("{path}/history"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_login_page_speaks_the_browsers_language() {
    let app = spawn_app().await;
    let spanish = plain_client()
        .get(app.url("/login"))
        .header("accept-language", "es-GT,es;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(spanish.status(), StatusCode::OK);
    let html = spanish.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"es\">")
            && html.contains("Iniciar sesión")
            && html.contains("Contraseña")
    );
    let english = plain_client()
        .get(app.url("/login"))
        .header("accept-language", "en-US")
        .send()
        .await
        .unwrap();
    let html = english.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Log in") && html.contains("Password")
    );
    // With no preference, Spanish.
    let html = plain_client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Iniciar sesión"));
}

#[tokio::test]
async fn the_language_switch_and_the_users_setting_win_over_the_browser() {
    let app = spawn_app().await;
    let client = browser();
    assert_eq!(
        app.web_login(&client, ADVOCATE, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let html = app.page(&client, "/cases", StatusCode::OK).await;
    assert!(html.contains("Casos"));
    let switch = client
        .get(app.url("/lang/en?next=/cases"))
        .send()
        .await
        .unwrap();
    assert_eq!(switch.status(), StatusCode::SEE_OTHER);
    assert_eq!(switch.headers()["location"], "/cases");
    let html = client
        .get(app.url("/cases"))
        .header("accept-language", "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("New case"),
        "the user's setting wins"
    );
    // The switch never sends the browser to another site.
    let switch = client
        .get(app.url("/lang/es?next=//evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(switch.headers()["location"], "/");
}

#[tokio::test]
async fn every_form_post_without_the_sessions_csrf_token_is_refused() {
    let app = spawn_app().await;
    let client = browser();
    assert_eq!(
        app.web_login(&client, ADVOCATE, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let form = app.page(&client, "/cases/new", StatusCode::OK).await;
    let token = csrf_token_of(&form);
    let fields = [("given_name", "Inés"), ("surname", "Ruiz")];

    let missing = app.post_form(&client, "/cases", &fields).await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert!(missing.text().await.unwrap().contains("formulario"));
    let wrong = app
        .post_form(
            &client,
            "/cases",
            &[
                ("csrf_token", "0".repeat(64).as_str()),
                ("given_name", "Inés"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let right = app
        .post_form(
            &client,
            "/cases",
            &[
                ("csrf_token", token.as_str()),
                ("given_name", "Inés"),
                ("surname", "Ruiz"),
            ],
        )
        .await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);

    // The login form carries its own token, tied to a cookie.
    let stranger = browser();
    let login = app
        .post_form(
            &stranger,
            "/login",
            &[
                ("csrf_token", "f".repeat(64).as_str()),
                ("email", ADVOCATE),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status(), StatusCode::FORBIDDEN);

    // A cookie-authenticated API call must repeat the token in a header.
    let api = browser();
    let login = api
        .post(app.url("/api/v1/login"))
        .json(&json!({ "email": ADVOCATE, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let csrf = login.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({ "person": { "given_name": "Paula" } });
    let without = api
        .post(app.url("/api/v1/cases"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(without).await, "csrf_rejected");
    let with = api
        .post(app.url("/api/v1/cases"))
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::CREATED);
}

/// A whole case worked through the pages: log in, open a case, add a step of the route, a consent
/// and a note, run the quick screen to the end, see the result; a stale edit is refused.
#[tokio::test]
async fn a_case_is_worked_end_to_end_through_the_pages() {
    let app = spawn_app().await;
    let client = browser();
    let login = app.web_login(&client, ADVOCATE, PASSWORD).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let form = app.page(&client, "/cases/new", StatusCode::OK).await;
    let csrf = csrf_token_of(&form);
    let created = app
        .post_form(
            &client,
            "/cases",
            &[
                ("csrf_token", csrf.as_str()),
                ("given_name", "Valeria"),
                ("surname", "Gómez"),
                ("sex", "Female"),
                ("date_of_birth", "2009-02"),
                ("nationality", "HN"),
                ("phone", "9999-0000"),
                ("types_of_exploitation", "SexualExploitation"),
                ("methods_of_control", "DebtBondage"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let case_id: i64 = location.trim_start_matches("/cases/").parse().unwrap();
    let html = app.page(&client, &location, StatusCode::OK).await;
    assert!(
        html.contains("Valeria Gómez")
            && html.contains("+50499990000")
            && html.contains("Servidumbre por deudas")
    );
    let version = hidden_field(&html, "version").unwrap();

    let event = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/events"),
            &[
                ("csrf_token", csrf.as_str()),
                ("version", version.as_str()),
                ("kind", "Recruitment"),
                ("country", "HN"),
                ("place", "San Pedro Sula"),
                ("date", "2024-03"),
            ],
        )
        .await;
    assert_eq!(event.status(), StatusCode::SEE_OTHER);
    // The same version again: someone (here, this very form) saved since; refused with 409.
    let stale = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/status"),
            &[
                ("csrf_token", csrf.as_str()),
                ("version", version.as_str()),
                ("status", "Closed"),
            ],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(stale
        .text()
        .await
        .unwrap()
        .contains("Otra persona cambió este caso"));

    let html = app
        .page(&client, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    let version = hidden_field(&html, "version").unwrap();
    assert_eq!(version, "2");
    let consent = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/consents"),
            &[
                ("csrf_token", csrf.as_str()),
                ("version", "2"),
                ("scopes", "identity"),
                ("scopes", "screening"),
                ("with_organisation", "shelter-demo"),
                ("given_on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(consent.status(), StatusCode::SEE_OTHER);
    let note = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/notes"),
            &[("csrf_token", csrf.as_str()), ("text", "Primera llamada.")],
        )
        .await;
    assert_eq!(note.status(), StatusCode::SEE_OTHER);
    let html = app
        .page(&client, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(
        html.contains("San Pedro Sula")
            && html.contains("shelter-demo")
            && html.contains("Primera llamada.")
    );

    // The quick screen, one question per page, answering yes to everything but the age.
    let mut page = app
        .page(
            &client,
            &format!("/cases/{case_id}/screenings/new?kind=quick"),
            StatusCode::OK,
        )
        .await;
    let mut result_location = None;
    for _ in 0..60 {
        let question = hidden_field(&page, "question").expect("a question");
        let answers = unescape(&hidden_field(&page, "answers").unwrap());
        let is_age = page.contains("name=\"answer\"");
        let mut fields = vec![
            ("csrf_token".to_string(), csrf.clone()),
            ("kind".to_string(), "quick".to_string()),
            ("answers".to_string(), answers),
            ("question".to_string(), question),
        ];
        if is_age {
            fields.push(("choice".into(), "number".into()));
            fields.push(("answer".into(), "17".into()));
        } else {
            fields.push(("choice".into(), "yes".into()));
        }
        let response = app
            .post_form(
                &client,
                &format!("/cases/{case_id}/screenings/step"),
                &fields,
            )
            .await;
        if response.status() == StatusCode::SEE_OTHER {
            result_location = Some(response.headers()["location"].to_str().unwrap().to_string());
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
        page = response.text().await.unwrap();
    }
    let result_location = result_location.expect("the questionnaire ends");
    let result = app.page(&client, &result_location, StatusCode::OK).await;
    assert!(result.contains("id=\"screening-level\""));
    assert!(result.contains("Próximos pasos") && result.contains("Por qué"));
    let html = app
        .page(&client, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(html.contains(&result_location));

    // The advocate does not see the audit trail link or page; the supervisor does.
    assert!(!html.contains("/audit\""));
    assert_eq!(
        client
            .get(app.url(&format!("/cases/{case_id}/audit")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let supervisor = app.logged_in(SUPERVISOR).await;
    let trail = app
        .page(
            &supervisor,
            &format!("/cases/{case_id}/audit"),
            StatusCode::OK,
        )
        .await;
    assert!(
        trail.contains(ADVOCATE)
            && trail.contains("Evaluación de indicios")
            && trail.contains("intacta")
    );
}

#[tokio::test]
async fn every_role_reaches_its_pages_and_only_those() {
    let app = spawn_app().await;
    let expectations = [
        (ADVOCATE, "/my-work", [200, 403, 403]),
        (SUPERVISOR, "/cases", [200, 200, 403]),
        (ADMIN, "/admin", [403, 200, 200]),
        (ANALYST, "/dashboard", [403, 200, 403]),
    ];
    for (email, home, [cases, dashboard, admin]) in expectations {
        let client = browser();
        let login = app.web_login(&client, email, PASSWORD).await;
        assert_eq!(login.status(), StatusCode::SEE_OTHER, "{email}");
        let first = client.get(app.url("/")).send().await.unwrap();
        assert_eq!(first.headers()["location"], home, "{email}");
        for (path, status) in [
            ("/cases", cases),
            ("/dashboard", dashboard),
            ("/admin", admin),
        ] {
            let response = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status().as_u16(), status, "{email} {path}");
        }
        app.page(&client, "/account", StatusCode::OK).await;
    }
    // Without a session, pages send the browser to the login page.
    let response = plain_client().get(app.url("/cases")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login");
}

#[tokio::test]
async fn the_analysts_statistics_suppress_counts_under_three_and_name_no_one() {
    let app = spawn_app().await;
    let analyst = app.token(ANALYST).await;
    let response = app.get(&analyst, "/api/v1/stats?by=nationality").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["by"], json!(["nationality"]));
    let rows = body["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        match row["count"].as_u64() {
            Some(count) => assert!(count >= 3, "{row}"),
            None => assert_eq!(row["suppressed"], true, "{row}"),
        }
    }
    // The counts are differentially private: a lone hidden row is the total minus the others, but
    // both are noisy, so it gives back no exact count.
    assert_eq!(body["privacy"]["mechanism"], "discrete_gaussian", "{body}");
    let client = app.logged_in(ANALYST).await;
    // The old overview's address leads to the dashboard.
    let response = client.get(app.url("/overview")).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/dashboard");
    let overview = app.page(&client, "/dashboard", StatusCode::OK).await;
    let cases: Value = app
        .get(&app.token(SUPERVISOR).await, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    for case in cases["cases"].as_array().unwrap() {
        assert!(
            !overview.contains(case["person_name"].as_str().unwrap()),
            "a name on the analyst's page"
        );
    }
    assert_eq!(
        app.get(&analyst, "/api/v1/stats?by=surname").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn an_org_admin_creates_users_who_can_log_in() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN).await;
    let body = json!({ "email": "new.advocate@hotline.demo", "display_name": "Nueva", "role": "advocate",
                       "password": "a long enough password" });
    let response = app.post(&admin, "/api/v1/users", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        app.post(&admin, "/api/v1/users", &body).await.status(),
        StatusCode::CONFLICT
    );
    let short = json!({ "email": "x@hotline.demo", "display_name": "X", "role": "advocate", "password": "short" });
    assert_eq!(
        app.post(&admin, "/api/v1/users", &short).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.api_login("new.advocate@hotline.demo", "a long enough password")
            .await
            .status(),
        StatusCode::OK
    );
    let supervisor = app.token(SUPERVISOR).await;
    assert_eq!(
        app.post(&supervisor, "/api/v1/users", &body).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_second_factor_is_required_once_enabled_and_admins_must_enrol_when_the_organisation_says_so(
) {
    let app = spawn_app().await;
    // The admin turns on the organisation's rule, and a second admin exists without a factor.
    let admin_token = app.token(ADMIN).await;
    let second_admin = json!({ "email": "admin2@hotline.demo", "display_name": "Admin 2", "role": "org_admin",
                               "password": "another long password" });
    assert_eq!(
        app.post(&admin_token, "/api/v1/users", &second_admin)
            .await
            .status(),
        StatusCode::CREATED
    );
    let client = app.logged_in(ADMIN).await;
    let admin_page = app.page(&client, "/admin", StatusCode::OK).await;
    let csrf = csrf_token_of(&admin_page);
    let saved = app
        .post_form(
            &client,
            "/admin/settings",
            &[
                ("csrf_token", csrf.as_str()),
                ("require_totp_for_admins", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    // The second admin can log in but can do nothing until they enrol.
    let response = app
        .api_login("admin2@hotline.demo", "another long password")
        .await;
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let blocked = app.get(&token, "/api/v1/users").await;
    assert_eq!(blocked.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        error_code(blocked).await,
        "second_factor_enrolment_required"
    );
    let second = browser();
    app.web_login(&second, "admin2@hotline.demo", "another long password")
        .await;
    let redirected = second.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(redirected.headers()["location"], "/account");

    // Enrolment: the account page shows a secret; the code from it turns the factor on.
    let account = app.page(&second, "/account", StatusCode::OK).await;
    let (secret, offer) = totp_enrolment_of(&account);
    let csrf = csrf_token_of(&account);
    let wrong = app
        .post_form(
            &second,
            "/account/totp",
            &[
                ("csrf_token", csrf.as_str()),
                ("enrolment", offer.as_str()),
                ("password", "another long password"),
                ("code", "000000"),
            ],
        )
        .await;
    // A wrong code is refused (unless it happens to be the right one, one time in a million).
    let code = puente_server::auth::totp_code_now(&secret).unwrap();
    if code != "000000" {
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let enabled = app
        .post_form(
            &second,
            "/account/totp",
            &[
                ("csrf_token", csrf.as_str()),
                ("enrolment", offer.as_str()),
                ("password", "another long password"),
                ("code", code.as_str()),
            ],
        )
        .await;
    assert_eq!(enabled.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&token, "/api/v1/users").await.status(),
        StatusCode::OK
    );

    // From now on the password alone is not enough.
    let without_code = app
        .api_login("admin2@hotline.demo", "another long password")
        .await;
    assert_eq!(without_code.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(without_code).await, "second_factor_required");
    let code = puente_server::auth::totp_code_now(&secret).unwrap();
    let login_with = |code: String| {
        plain_client()
            .post(app.url("/api/v1/login"))
            .json(&json!({ "email": "admin2@hotline.demo", "password": "another long password", "totp": code }))
            .send()
    };
    assert_eq!(
        login_with(code.clone()).await.unwrap().status(),
        StatusCode::OK
    );
    // The same code again is spent, whatever the clock says now.
    let again = login_with(code).await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::UNAUTHORIZED,
        "a TOTP code is good once"
    );
    assert_eq!(error_code(again).await, "second_factor_required");

    // The phone is lost: the first admin removes the second admin's factor from the admin page,
    // once they have a second factor themselves (the organisation's rule holds for them too).
    assert_eq!(
        client
            .get(app.url("/admin"))
            .send()
            .await
            .unwrap()
            .headers()["location"],
        "/account"
    );
    let account = app.page(&client, "/account", StatusCode::OK).await;
    let (own_secret, own_offer) = totp_enrolment_of(&account);
    let own_code = puente_server::auth::totp_code_now(&own_secret).unwrap();
    let enrolled = app
        .post_form(
            &client,
            "/account/totp",
            &[
                ("csrf_token", csrf_token_of(&account).as_str()),
                ("enrolment", own_offer.as_str()),
                ("password", PASSWORD),
                ("code", own_code.as_str()),
            ],
        )
        .await;
    assert_eq!(enrolled.status(), StatusCode::SEE_OTHER);
    let admin_page = app.page(&client, "/admin", StatusCode::OK).await;
    let users: Value = app
        .get(&admin_token, "/api/v1/users")
        .await
        .json()
        .await
        .unwrap();
    let second_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "admin2@hotline.demo")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert!(admin_page.contains(&format!("/admin/users/{second_id}/reset-second-factor")));
    let csrf = csrf_token_of(&admin_page);
    let reset = app
        .post_form(
            &client,
            &format!("/admin/users/{second_id}/reset-second-factor"),
            &[("csrf_token", csrf.as_str())],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    let response = app
        .api_login("admin2@hotline.demo", "another long password")
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the password alone opens a session again"
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let response = plain_client()
        .post(app.url("/api/v1/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let client = app.logged_in(ADVOCATE).await;
    let html = app.page(&client, "/cases", StatusCode::OK).await;
    let csrf = csrf_token_of(&html);
    let out = app
        .post_form(&client, "/logout", &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        client
            .get(app.url("/cases"))
            .send()
            .await
            .unwrap()
            .headers()["location"],
        "/login"
    );
}

#[tokio::test]
async fn errors_are_json_with_a_code_and_a_message() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let unknown = app.get(&token, "/api/v1/no-such-thing").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(unknown).await, "not_found");
    let not_json = plain_client()
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(not_json).await, "bad_request");
}

#[tokio::test]
async fn the_openapi_document_is_served_and_lists_the_contract() {
    let app = spawn_app().await;
    let document = route_table::served_document(&app).await;
    assert_eq!(document["openapi"], "3.1.0");
    for path in [
        "/api/v1/login",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/screenings",
        "/api/v1/audit",
    ] {
        assert!(document["paths"][path].is_object(), "{path}");
    }
}

/// The audit log cannot be changed through the application, and a change made directly in the
/// database (after dropping the trigger that forbids it) is found by the chain verification.
#[tokio::test]
async fn tampering_with_the_audit_log_in_the_database_is_detected() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Patricia").await;
    app.get(&token, &format!("/api/v1/cases/{id}")).await;
    assert!(app.store.verify_audit_chain().await.unwrap().is_intact());

    let refused = app
        .store
        .execute_behind_the_store("UPDATE audit_log SET actor = 'someone-else' WHERE id = 3")
        .await;
    assert!(refused.is_err(), "the trigger refuses updates");
    let refused = app
        .store
        .execute_behind_the_store("DELETE FROM audit_log WHERE id = 3")
        .await;
    assert!(refused.is_err(), "the trigger refuses deletes");
    app.store.drop_audit_guards().await;
    let changed = app
        .store
        .execute_behind_the_store("UPDATE audit_log SET actor = 'someone-else' WHERE id = 3")
        .await
        .unwrap();
    assert_eq!(changed, 1);

    let report = app.store.verify_audit_chain().await.unwrap();
    assert_eq!(report.first_broken, Some(3));
    // The supervisor's audit page says so.
    let client = app.logged_in(SUPERVISOR).await;
    let trail = app
        .page(&client, &format!("/cases/{id}/audit"), StatusCode::OK)
        .await;
    assert!(
        trail.contains("fue alterado") && trail.contains("entrada 3"),
        "{trail}"
    );
}

#[tokio::test]
async fn an_org_admin_changes_roles_in_their_organisation_only() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN).await;
    let users: Value = app.get(&admin, "/api/v1/users").await.json().await.unwrap();
    let id_of = |email: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == email)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let advocate_id = id_of(ADVOCATE);
    let admin_id = id_of(ADMIN);
    let response = app
        .put(
            &admin,
            &format!("/api/v1/users/{advocate_id}"),
            &json!({ "role": "supervisor" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let me: Value = app
        .get(&app.token(ADVOCATE).await, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "supervisor");
    let own = app
        .put(
            &admin,
            &format!("/api/v1/users/{admin_id}"),
            &json!({ "role": "analyst" }),
        )
        .await;
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = app
        .put(
            &admin,
            &format!("/api/v1/users/{advocate_id}"),
            &json!({ "role": "king" }),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A user of another organisation is not found; a supervisor may not change roles.
    let shelter_worker: Value = app
        .get(&app.token(CASE_WORKER).await, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    let other = shelter_worker["id"].as_i64().unwrap();
    let response = app
        .put(
            &admin,
            &format!("/api/v1/users/{other}"),
            &json!({ "role": "analyst" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let supervisor = app.token(SUPERVISOR).await;
    let response = app
        .put(
            &supervisor,
            &format!("/api/v1/users/{advocate_id}"),
            &json!({ "role": "analyst" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let audit: Value = app.get(&admin, "/api/v1/audit").await.json().await.unwrap();
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "change_role" && e["actor"] == ADMIN));
}

#[tokio::test]
async fn reading_notes_history_or_screenings_is_audited() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Noemí").await;
    for part in ["notes", "history", "screenings"] {
        assert_eq!(
            app.get(&token, &format!("/api/v1/cases/{id}/{part}"))
                .await
                .status(),
            StatusCode::OK
        );
    }
    let entries = app
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("case".into()),
            record_id: Some(id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    for action in ["view_notes", "view_history", "view_screenings"] {
        assert!(
            entries
                .iter()
                .any(|e| e.action == action && e.actor == ADVOCATE),
            "{action}"
        );
    }
}

#[tokio::test]
async fn a_consent_is_recorded_then_withdrawn_and_kept_in_the_record() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let token = app.token(ADVOCATE).await;
    let id = app.create_case(&token, "Olga").await;
    let html = app
        .page(&client, &format!("/cases/{id}"), StatusCode::OK)
        .await;
    let csrf = csrf_token_of(&html);
    let added = app
        .post_form(
            &client,
            &format!("/cases/{id}/consents"),
            &[
                ("csrf_token", csrf.as_str()),
                ("scopes", "contact"),
                ("given_on", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let case: Value = app
        .get(&token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let consent_id = case["consents"][0]["id"].as_i64().unwrap();
    let withdraw_path = format!("/cases/{id}/consents/{consent_id}/withdraw");
    let html = app
        .page(&client, &format!("/cases/{id}"), StatusCode::OK)
        .await;
    assert!(
        html.contains(&withdraw_path),
        "the case page links to the confirmation"
    );
    // The withdrawal asks for confirmation first; a post without it withdraws nothing.
    let confirmation = app.page(&client, &withdraw_path, StatusCode::OK).await;
    assert!(
        confirmation.contains("no se puede deshacer"),
        "{confirmation}"
    );
    let unconfirmed = app
        .post_form(&client, &withdraw_path, &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(unconfirmed.status(), StatusCode::SEE_OTHER);
    let still: Value = app
        .get(&token, &format!("/api/v1/cases/{id}/consents"))
        .await
        .json()
        .await
        .unwrap();
    assert!(still[0]["withdrawn_on"].is_null(), "{still}");
    let withdrawn = app
        .post_form(
            &client,
            &withdraw_path,
            &[("csrf_token", csrf.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    let case: Value = app
        .get(&token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["consents"][0]["scopes"], json!(["contact"]));
    assert_eq!(case["consents"][0]["recorded_by"], ADVOCATE);
    assert!(case["consents"][0]["withdrawn_on"].is_string());
    let html = app
        .page(&client, &format!("/cases/{id}"), StatusCode::OK)
        .await;
    assert!(html.contains("retirado el"));
}

#[tokio::test]
async fn pages_are_not_cached_framed_or_sniffed_and_are_compressed_for_slow_connections() {
    let app = spawn_app().await;
    let response = plain_client()
        .get(app.url("/login"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let headers = response.headers();
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
    assert_eq!(headers["content-encoding"], "gzip");
    let stylesheet = plain_client()
        .get(app.url("/static/style.css"))
        .send()
        .await
        .unwrap();
    assert!(stylesheet.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    assert!(stylesheet.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
}

#[tokio::test]
async fn the_edit_form_saves_the_person_and_victim_context_and_refuses_a_stale_version() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let token = app.token(ADVOCATE).await;
    let id = app.create_case(&token, "Irma").await;
    let form = app
        .page(&client, &format!("/cases/{id}/edit"), StatusCode::OK)
        .await;
    assert!(form.contains("value=\"Irma\""));
    let csrf = csrf_token_of(&form);
    let version = hidden_field(&form, "version").unwrap();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("version", version.as_str()),
        ("given_name", "Irma Luz"),
        ("surname", "Pérez"),
        ("sex", "Female"),
        ("status", "FollowUp"),
        ("status_decided_by", "NGO"),
        ("vulnerabilities", "Poverty"),
        ("vulnerabilities", "Migration"),
        ("types_of_labour", "DomesticWork"),
    ];
    let saved = app
        .post_form(&client, &format!("/cases/{id}/edit"), &fields)
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let case: Value = app
        .get(&token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["person"]["given_name"], "Irma Luz");
    assert_eq!(case["status"], "FollowUp");
    assert_eq!(
        case["victim"]["vulnerabilities"],
        json!(["Poverty", "Migration"])
    );
    assert_eq!(case["victim"]["status_decided_by"], "NGO");
    let html = app
        .page(&client, &format!("/cases/{id}"), StatusCode::OK)
        .await;
    assert!(html.contains("Pobreza") && html.contains("Trabajo doméstico"));
    // The same form again, with the version it was loaded at: refused, nothing overwritten.
    let stale = app
        .post_form(&client, &format!("/cases/{id}/edit"), &fields)
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    // A bad date comes back as the form, with the message and what was typed.
    let bad = app
        .post_form(
            &client,
            &format!("/cases/{id}/edit"),
            &[
                ("csrf_token", csrf.as_str()),
                ("version", "2"),
                ("given_name", "Irma"),
                ("date_of_birth", "1999-02-30"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("1999-02-30") && html.contains("role=\"alert\""));
    assert!(
        html.contains("no es una fecha"),
        "the message is in the user's language"
    );
}

#[tokio::test]
async fn a_case_update_carrying_consents_is_refused_and_changes_nothing() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Zoila").await;
    let mut case: Value = app
        .get(&token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    case["consents"] = json!([{ "scopes": ["identity"], "given_on": "2026-11-01", "recorded_by": "someone@else.org" }]);
    case["status"] = json!("FollowUp");
    let response = app.put(&token, &format!("/api/v1/cases/{id}"), &case).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "fields_refused");
    assert_eq!(body["error"]["field"], "consents");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot give, change or withdraw consents"),
        "{body}"
    );
    let stored: Value = app
        .get(&token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["status"], "Active");
    assert_eq!(stored["consents"], json!([]));

    // A consent is given through its own endpoint, recorded by the caller.
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/consents"),
            &json!({ "with_organisation": "shelter-demo", "scopes": ["identity"], "given_on": "2026-11-01" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let consent_id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let listed: Value = app
        .get(&token, &format!("/api/v1/cases/{id}/consents"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["id"], consent_id);
    assert_eq!(listed[0]["recorded_by"], ADVOCATE);
    let stored: Value = app
        .get(&token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["consents"][0]["id"], consent_id);
    for (body, expected) in [
        (json!({ "scopes": [], "given_on": "2026-11-01" }), "invalid"),
        (
            json!({ "scopes": ["identidad"], "given_on": "2026-11-01" }),
            "invalid",
        ),
        (
            json!({ "scopes": ["identity"], "given_on": "ayer" }),
            "invalid",
        ),
        (
            json!({ "scopes": ["identity"], "given_on": "2026-11-01", "recorded_by": "x" }),
            "invalid",
        ),
    ] {
        let response = app
            .post(&token, &format!("/api/v1/cases/{id}/consents"), &body)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        assert_eq!(error_code(response).await, expected, "{body}");
    }
}

#[tokio::test]
async fn a_supervisor_gives_a_case_to_an_advocate_who_then_sees_it() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let advocate = app.token(ADVOCATE).await;
    let id = app.create_case(&supervisor, "Tomasa").await;
    let path = format!("/api/v1/cases/{id}");
    assert_eq!(
        app.get(&advocate, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    let me: Value = app.get(&advocate, "/api/v1/me").await.json().await.unwrap();
    let advocate_id = me["id"].as_i64().unwrap();
    let owner = format!("{path}/owner");
    // An advocate cannot assign; the analyst cannot own cases; another organisation's user neither.
    let refused = app
        .put(&advocate, &owner, &json!({ "owner_user_id": advocate_id }))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let analyst: Value = app
        .get(&app.token(ANALYST).await, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .put(
            &supervisor,
            &owner,
            &json!({ "owner_user_id": analyst["id"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let shelter: Value = app
        .get(&app.token(CASE_WORKER).await, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .put(
            &supervisor,
            &owner,
            &json!({ "owner_user_id": shelter["id"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = app
        .put(
            &supervisor,
            &owner,
            &json!({ "owner_user_id": advocate_id }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.get(&advocate, &path).await.status(), StatusCode::OK);
    // Through the page too: back to no one.
    let client = app.logged_in(SUPERVISOR).await;
    let html = app
        .page(&client, &format!("/cases/{id}"), StatusCode::OK)
        .await;
    assert!(html.contains("Beatriz Defensora"));
    let csrf = csrf_token_of(&html);
    let response = app
        .post_form(
            &client,
            &format!("/cases/{id}/owner"),
            &[("csrf_token", csrf.as_str()), ("owner_user_id", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&advocate, &path).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_api_login_from_a_browser_that_already_has_a_session_works() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let response = client
        .post(app.url("/api/v1/login"))
        .json(&json!({ "email": SUPERVISOR, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// Behind a trusted reverse proxy, throttling counts the address the proxy reports, so that one
/// guesser does not slow down everyone behind the same proxy. (The addresses are only header
/// values: every request goes to the loopback server.)
#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled_not_the_proxy() {
    async fn login(app: &TestApp, email: &str, password: &str, forwarded: &str) -> StatusCode {
        plain_client()
            .post(app.url("/api/v1/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
            .status()
    }
    let config = puente_server::ServerConfig {
        trust_forwarded_for: true,
        ..Default::default()
    };
    let app = spawn_app_with(config).await;
    for _ in 0..3 {
        assert_eq!(
            login(&app, SUPERVISOR, "wrong", "203.0.113.9").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login(&app, SUPERVISOR, PASSWORD, "203.0.113.9").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let colleague = login(&app, SUPERVISOR, PASSWORD, "198.51.100.4, 203.0.113.7").await;
    assert_eq!(
        colleague,
        StatusCode::OK,
        "the last forwarded address counts"
    );
}

#[tokio::test]
async fn supervisors_and_admins_read_the_organisations_audit_log_filtered_by_actor() {
    let app = spawn_app().await;
    for (email, status) in [
        (ADVOCATE, 403),
        (SUPERVISOR, 200),
        (ADMIN, 200),
        (ANALYST, 403),
    ] {
        let client = app.logged_in(email).await;
        let response = client.get(app.url("/audit")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{email}");
    }
    let client = app.logged_in(SUPERVISOR).await;
    let html = app
        .page(&client, &format!("/audit?actor={ADVOCATE}"), StatusCode::OK)
        .await;
    assert!(html.contains("intacta"));
    assert!(html.contains(&format!("value=\"{ADVOCATE}\"")));
    // The advocate logged in once, above: that login is listed, and no one else's entry is.
    assert!(html.contains(">Inicio de sesión</td>"), "{html}");
    assert!(!html.contains(&format!(">{SUPERVISOR}</td>")));
}
