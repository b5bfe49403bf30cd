//! Matching between Puente instances through a linkage unit: a hotline in Guatemala, a shelter in
//! Mexico and an NGO in the United States (each its own database and port) and a linkage unit on
//! loopback. The same synthetic survivors appear in two or three of them, some without the
//! `matching` consent. The test checks who learns what.

use puente_server::linkage_unit::{router, UnitState};
use puente_server::partnerships::{Partnership, Partnerships};
use puente_server::ServerConfig;
use puente_store::testing::TestStore;
use puente_store::AuditQuery;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// The secret the three partners share; the unit must never see it.
const SHARED_SECRET: &str = "secreto compartido de la red regional 2026";
const OPERATOR_TOKEN: &str = "operator-token-of-the-test-unit";
const PARTNERSHIP: &str = "red-regional";

const HOTLINE: &str = "Línea de Ayuda Demo (GT)";
const SHELTER: &str = "Albergue Demo";
const NGO: &str = "Red de Apoyo Demo (US)";

struct Unit {
    address: String,
    /// The unit's own database (on the backend the tests run on).
    store: TestStore,
}

async fn spawn_unit() -> Unit {
    let store = TestStore::open().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let state = UnitState::new(store.shared(), OPERATOR_TOKEN);
    tokio::spawn(puente_server::serve_router(
        listener,
        router(state),
        puente_server::ConnectionLimits::default(),
        std::future::pending(),
    ));
    Unit { address, store }
}

async fn spawn_instance(unit: &Unit) -> TestApp {
    spawn_app_with(ServerConfig {
        partnerships: Partnerships(vec![Partnership::new(
            PARTNERSHIP,
            &unit.address,
            SHARED_SECRET.as_bytes(),
        )]),
        ..ServerConfig::default()
    })
    .await
}

/// A synthetic person as the case API takes it.
fn person(given: &str, middle: &str, surname: &str, second: &str, sex: &str, born: &str) -> Value {
    json!({ "person": {
        "given_name": given, "middle_name": middle, "surname": surname,
        "second_surname": second, "sex": sex, "date_of_birth": born, "nationality": "GT"
    }})
}

/// Creates the case, with the `matching` consent when `consents`; returns its id.
async fn add_person(app: &TestApp, token: &str, body: &Value, consents: bool) -> i64 {
    let response = app.post(token, "/api/v1/cases", body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    if consents {
        let response = app
            .post(
                token,
                &format!("/api/v1/cases/{id}/consents"),
                &json!({"scopes": ["matching"], "given_on": "2026-11-02"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    id
}

async fn unit_post(unit: &Unit, path: &str, token: &str, body: String) -> reqwest::Response {
    plain_client()
        .post(format!("{}{path}", unit.address))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn matches_of(app: &TestApp, token: &str, case_id: i64) -> Vec<Value> {
    let response = plain_client()
        .get(app.url(&format!("/api/v1/cases/{case_id}/matches")))
        .bearer_auth(token)
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn partners_of(matches: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = matches
        .iter()
        .map(|m| m["partner_organisation"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn three_instances_learn_only_their_own_matches_through_the_linkage_unit() {
    let unit = spawn_unit().await;
    let hotline = spawn_instance(&unit).await;
    let shelter = spawn_instance(&unit).await;
    let ngo = spawn_instance(&unit).await;
    let (hotline_token, shelter_token, ngo_token) = (
        hotline.token(SUPERVISOR).await,
        shelter.token(SUPERVISOR).await,
        ngo.token(SUPERVISOR).await,
    );

    // The same survivors, written by three organisations.
    let maria_gt = add_person(
        &hotline,
        &hotline_token,
        &person("María", "José", "Ajú", "Xol", "F", "1998-03-14"),
        true,
    )
    .await;
    let rosa_gt = add_person(
        &hotline,
        &hotline_token,
        &person("Rosa", "Elena", "Pérez", "Hernández", "F", "2001-07-02"),
        true,
    )
    .await;
    let juan_gt = add_person(
        &hotline,
        &hotline_token,
        &person("Juan", "Carlos", "López", "Cac", "M", "1995-11-20"),
        true,
    )
    .await;
    let ana_gt = add_person(
        &hotline,
        &hotline_token,
        &person("Ana", "Lucía", "Morales", "Tzul", "F", "2003-01-09"),
        true,
    )
    .await;
    let maria_mx = add_person(
        &shelter,
        &shelter_token,
        &person("Maria", "Jose", "Xol", "Aju", "F", "1998-03-14"),
        true,
    )
    .await;
    let rosa_mx = add_person(
        &shelter,
        &shelter_token,
        &person("Rosa", "Elena", "Pérez", "Hernández", "F", "2001-07-02"),
        true,
    )
    .await;
    // Juan is at the shelter too, but he did not consent to matching there.
    let juan_mx = add_person(
        &shelter,
        &shelter_token,
        &person("Juan", "Carlos", "López", "Cac", "M", "1995-11-20"),
        false,
    )
    .await;
    let carmen_mx = add_person(
        &shelter,
        &shelter_token,
        &person("Carmen", "", "Domínguez", "Ruiz", "F", "1990-05-30"),
        true,
    )
    .await;
    let maria_us = add_person(
        &ngo,
        &ngo_token,
        &person("María", "José", "Ajú", "Xol", "F", "1998-03-14"),
        true,
    )
    .await;
    let juan_us = add_person(
        &ngo,
        &ngo_token,
        &person("Juan", "Carlos", "Lopez", "Cac", "M", "1995-11-20"),
        true,
    )
    .await;
    // Rosa is at the NGO too, without the consent.
    let rosa_us = add_person(
        &ngo,
        &ngo_token,
        &person("Rosa", "Elena", "Pérez", "Hernández", "F", "2001-07-02"),
        false,
    )
    .await;

    // The partnership's coordinator creates the project at the unit.
    let created = unit_post(
        &unit,
        "/api/v1/projects",
        OPERATOR_TOKEN,
        json!({"schema": "latam", "threshold": 0.8, "parties": [HOTLINE, SHELTER, NGO]})
            .to_string(),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let project = created["project_id"].as_str().unwrap().to_string();
    let token_of = |party: usize| {
        created["update_tokens"][party]["token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Without the operator's token no project is created.
    let refused = unit_post(
        &unit,
        "/api/v1/projects",
        "guess",
        json!({"schema": "latam", "threshold": 0.8, "parties": ["a", "b"]}).to_string(),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let clks_path = format!("/api/v1/projects/{project}/clks");
    let stored = unit.store.linkage_project(&project).await.unwrap().unwrap();
    // Bad uploads are 4xx JSON errors and store nothing: a wrong token, encodings of the wrong
    // length, a file that is not a CLK file.
    let wrong_token = unit_post(&unit, &clks_path, "not-a-token", r#"{"clks": []}"#.into()).await;
    assert_eq!(wrong_token.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        wrong_token.json::<Value>().await.unwrap()["error"]["code"],
        "wrong-token"
    );
    let short = unit_post(
        &unit,
        &clks_path,
        &token_of(0),
        r#"{"clks": ["AAAAAAAAAAA="]}"#.into(),
    )
    .await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let short: Value = short.json().await.unwrap();
    assert_eq!(short["error"]["code"], "wrong-length");
    assert!(short["error"]["mensaje"]
        .as_str()
        .unwrap()
        .contains("bytes"));
    let broken = unit_post(
        &unit,
        &clks_path,
        &token_of(0),
        r#"{"clks": ["%%"]}"#.into(),
    )
    .await;
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        unit.store.linkage_encoding_count(stored.id).await.unwrap(),
        0
    );

    // Each supervisor starts "match with partners" with the party's token.
    let start = |app: &TestApp, token: String, party: usize| {
        let body = json!({"partnership": PARTNERSHIP, "project": project, "upload_token": token_of(party)});
        let url = app.url("/api/v1/matching/runs");
        async move {
            plain_client()
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // An advocate may not start it.
    let advocate = hotline.token(ADVOCATE).await;
    assert_eq!(
        start(&hotline, advocate, 0).await.status(),
        StatusCode::FORBIDDEN
    );

    let hotline_run = start(&hotline, hotline_token.clone(), 0).await;
    assert_eq!(hotline_run.status(), StatusCode::CREATED);
    let hotline_run: Value = hotline_run.json().await.unwrap();
    // Only the consenting persons are encoded (the demo cases have no matching consent).
    assert_eq!(hotline_run["encoded"], 4);
    assert!(hotline_run["without_consent"].as_u64().unwrap() > 0);
    assert_eq!(
        unit.store.linkage_encoding_count(stored.id).await.unwrap(),
        4
    );
    // A second upload by the same party is refused and stores nothing.
    let again = start(&hotline, hotline_token.clone(), 0).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unit.store.linkage_encoding_count(stored.id).await.unwrap(),
        4
    );
    let again_direct = unit_post(&unit, &clks_path, &token_of(0), r#"{"clks": []}"#.into()).await;
    assert_eq!(again_direct.status(), StatusCode::CONFLICT);
    assert_eq!(
        again_direct.json::<Value>().await.unwrap()["error"]["code"],
        "already-uploaded"
    );

    let hotline_run_id = hotline_run["run"]["id"].as_i64().unwrap();
    // Before every party has uploaded, there is no result yet.
    let waiting: Value = hotline
        .post(
            &hotline_token,
            &format!("/api/v1/matching/runs/{hotline_run_id}/refresh"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting["status"], "waiting");

    let shelter_run: Value = start(&shelter, shelter_token.clone(), 1)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shelter_run["encoded"], 3, "{shelter_run}");
    let ngo_run = start(&ngo, ngo_token.clone(), 2).await;
    assert_eq!(ngo_run.status(), StatusCode::CREATED);
    let ngo_run: Value = ngo_run.json().await.unwrap();
    assert_eq!(ngo_run["encoded"], 2);
    // The run ended with the last upload: the unit holds no encoding any more.
    assert_eq!(
        unit.store.linkage_encoding_count(stored.id).await.unwrap(),
        0
    );

    // What the unit gives each party: its own rows only, the partners' names and similarities.
    let result = plain_client()
        .get(format!("{}/api/v1/projects/{project}/result", unit.address))
        .bearer_auth(token_of(0))
        .send()
        .await
        .unwrap();
    assert_eq!(result.status(), StatusCode::OK);
    let result: Value = result.json().await.unwrap();
    for group in result["groups"].as_array().unwrap() {
        assert!(group["row"].as_u64().unwrap() < 4);
        for partner in group["partners"].as_array().unwrap() {
            let keys: Vec<&String> = partner.as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                ["organisation", "similarity", "decision"],
                "{partner}"
            );
        }
    }
    assert!(!result.to_string().contains("clks"));

    for (app, token, run) in [
        (&hotline, &hotline_token, hotline_run_id),
        (
            &shelter,
            &shelter_token,
            shelter_run["run"]["id"].as_i64().unwrap(),
        ),
        (&ngo, &ngo_token, ngo_run["run"]["id"].as_i64().unwrap()),
    ] {
        let refreshed: Value = app
            .post(
                token,
                &format!("/api/v1/matching/runs/{run}/refresh"),
                &json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(refreshed["status"], "done", "{refreshed}");
    }

    // Each learns who else may know its survivors, and nothing about the others.
    let maria = matches_of(&hotline, &hotline_token, maria_gt).await;
    assert_eq!(partners_of(&maria), [SHELTER, NGO]);
    let to_shelter = maria
        .iter()
        .find(|m| m["partner_organisation"] == SHELTER)
        .unwrap();
    let label = to_shelter["label"].as_str().unwrap();
    // The similarity is written with a decimal comma in Spanish ("similitud 0,87").
    let similarity = label
        .strip_prefix("Puede ser conocida también por: Albergue Demo (similitud ")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{label}"));
    assert!(
        similarity.len() == 4 && similarity.as_bytes()[1] == b',',
        "{label}"
    );
    assert_eq!(to_shelter["status"], "open");
    assert_eq!(to_shelter["project_reference"], project);
    // Each case's partners; the persons without the consent were never encoded, so nobody
    // learns of them (Juan at the shelter, Rosa at the NGO).
    let expected: [(&TestApp, &str, i64, &[&str]); 10] = [
        (&hotline, &hotline_token, rosa_gt, &[SHELTER]),
        (&hotline, &hotline_token, juan_gt, &[NGO]),
        (&hotline, &hotline_token, ana_gt, &[]),
        (&shelter, &shelter_token, maria_mx, &[HOTLINE, NGO]),
        (&shelter, &shelter_token, rosa_mx, &[HOTLINE]),
        (&shelter, &shelter_token, carmen_mx, &[]),
        (&shelter, &shelter_token, juan_mx, &[]),
        (&ngo, &ngo_token, maria_us, &[SHELTER, HOTLINE]),
        (&ngo, &ngo_token, juan_us, &[HOTLINE]),
        (&ngo, &ngo_token, rosa_us, &[]),
    ];
    for (app, token, case_id, partners) in expected {
        assert_eq!(
            partners_of(&matches_of(app, token, case_id).await),
            partners,
            "case {case_id}"
        );
    }

    // Both sides decide with the survivor: referring without her consent is refused.
    let request_id = to_shelter["id"].as_i64().unwrap();
    let decision_path = format!("/api/v1/coordination-requests/{request_id}/decision");
    let without = hotline
        .post(
            &hotline_token,
            &decision_path,
            &json!({"decision": "refer"}),
        )
        .await;
    assert_eq!(without.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let decided = hotline
        .post(
            &hotline_token,
            &decision_path,
            &json!({"decision": "refer", "survivor_consents": true}),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    assert_eq!(decided.json::<Value>().await.unwrap()["status"], "refer");
    // The shelter sees the hotline's decision on the same match after fetching again.
    let shelter_run_id = shelter_run["run"]["id"].as_i64().unwrap();
    shelter
        .post(
            &shelter_token,
            &format!("/api/v1/matching/runs/{shelter_run_id}/refresh"),
            &json!({}),
        )
        .await;
    let seen = matches_of(&shelter, &shelter_token, maria_mx).await;
    let from_hotline = seen
        .iter()
        .find(|m| m["partner_organisation"] == HOTLINE)
        .unwrap();
    assert_eq!(
        from_hotline["match_reference"],
        to_shelter["match_reference"]
    );
    assert_eq!(from_hotline["partner_decision"], "refer");
    assert_eq!(from_hotline["status"], "open");

    // The pages: the supervisor's runs, and the case's matches in Spanish.
    let browser = browser();
    hotline.web_login(&browser, SUPERVISOR, PASSWORD).await;
    let runs_page = browser
        .get(hotline.url("/matching"))
        .header("accept-language", "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(runs_page.contains(&project), "{runs_page}");
    assert!(!runs_page.contains(SHARED_SECRET));
    let case_page = browser
        .get(hotline.url(&format!("/cases/{maria_gt}/matches")))
        .header("accept-language", "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        case_page.contains("Puede ser conocida también por: Red de Apoyo Demo (US) (similitud "),
        "{case_page}"
    );

    // The unit never saw the secret nor a name: neither is anywhere in its database.
    unit.store.close().await;
    // The bytes of the database file (SQLite only: a PostgreSQL database is no file of its own).
    if let Some(sqlite) = unit.store.sqlite() {
        let database_path = sqlite.path();
        let mut unit_bytes = std::fs::read(database_path).unwrap();
        if let Ok(wal) = std::fs::read(database_path.with_extension("db-wal")) {
            unit_bytes.extend(wal);
        }
        let unit_text = String::from_utf8_lossy(&unit_bytes);
        for never in [SHARED_SECRET, "Ajú", "Hernández", "Domínguez"] {
            assert!(
                !unit_text.contains(never),
                "the unit's database holds {never}"
            );
        }
    }

    // Every step is audited on every side.
    let unit_store = unit.store.another_process().await;
    let unit_actions: Vec<String> = unit_store
        .audit_entries(&AuditQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    for action in [
        "linkage_project_create",
        "linkage_upload",
        "linkage_upload_refused",
        "linkage_run",
        "linkage_result_read",
        "linkage_decision",
    ] {
        assert!(
            unit_actions.iter().any(|a| a == action),
            "the unit did not audit {action}"
        );
    }
    assert_eq!(
        unit_actions
            .iter()
            .filter(|a| *a == "linkage_upload")
            .count(),
        3
    );
    for (app, case_id) in [(&hotline, maria_gt), (&shelter, maria_mx), (&ngo, maria_us)] {
        let entries = app
            .store
            .audit_entries(&AuditQuery::default())
            .await
            .unwrap();
        assert!(entries.iter().any(|e| e.action == "matching_start"));
        assert!(entries
            .iter()
            .any(|e| e.action == "matching_result" && e.case_id == Some(case_id)));
    }
    let hotline_entries = hotline
        .store
        .audit_entries(&AuditQuery {
            case_id: Some(maria_gt),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(hotline_entries
        .iter()
        .any(|e| e.action == "coordination_decision"));
}
