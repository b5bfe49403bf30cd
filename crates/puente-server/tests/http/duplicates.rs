//! Likely duplicate persons through HTTP: the warning while entering a person, in the
//! API and the pages, never across organisations; merges and distinct pairs, supervisors only,
//! audited.

use crate::helpers::*;
use puente_store::AuditQuery;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn maria_jose() -> Value {
    json!({ "given_name": "María", "middle_name": "José", "surname": "Hernández",
            "second_surname": "López", "sex": "F", "date_of_birth": "1990-05-12",
            "nationality": "GT" })
}

fn maria() -> Value {
    json!({ "given_name": "Maria", "surname": "Hernandez", "sex": "F",
            "date_of_birth": "1990-05-12", "nationality": "GT" })
}

async fn create(app: &TestApp, token: &str, person: Value) -> Value {
    let response = app
        .post(token, "/api/v1/cases", &json!({ "person": person }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn check(app: &TestApp, token: &str, body: Value) -> Vec<Value> {
    let response = app.post(token, "/api/v1/persons/duplicates", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["duplicates"].as_array().unwrap().clone()
}

#[tokio::test]
async fn entering_maria_hernandez_warns_of_maria_jose_hernandez_lopez_with_the_reasons() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let existing = create(&app, &supervisor, maria_jose()).await["id"]
        .as_i64()
        .unwrap();
    let found = check(&app, &supervisor, json!({ "person": maria() })).await;
    let duplicate = found
        .iter()
        .find(|d| d["case_ids"].as_array().unwrap().contains(&json!(existing)))
        .unwrap_or_else(|| panic!("no warning: {found:?}"));
    assert!(duplicate["probability"].as_f64().unwrap() >= 0.5);
    let levels: Vec<(&str, &str)> = duplicate["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["level"].as_str().unwrap()))
        .collect();
    assert!(levels.contains(&("date_of_birth", "exact")), "{levels:?}");
    assert!(
        levels.contains(&("surname", "one_surname_in_common")),
        "{levels:?}"
    );
    assert_eq!(duplicate["name"], "María José Hernández López");
    // The advocate may not open the supervisor's case: she learns nothing about it, not even
    // that it exists.
    let advocate = app.token(ADVOCATE).await;
    let seen_by_advocate = check(&app, &advocate, json!({ "person": maria() })).await;
    assert!(
        !seen_by_advocate
            .iter()
            .any(|d| d["case_ids"].as_array().unwrap().contains(&json!(existing))),
        "{seen_by_advocate:?}"
    );
    // Creating the case through the API answers the same warning beside the id, without the new
    // case's own person.
    let created = create(&app, &supervisor, maria()).await;
    let new_id = created["id"].as_i64().unwrap();
    let warnings = created["likely_duplicates"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|d| d["case_ids"].as_array().unwrap().contains(&json!(existing))));
    assert!(!warnings
        .iter()
        .any(|d| d["case_ids"].as_array().unwrap().contains(&json!(new_id))));
    // Someone unrelated is not a likely duplicate.
    let unrelated = check(
        &app,
        &advocate,
        json!({ "person": { "given_name": "Pedro", "surname": "Xicará", "sex": "M",
                            "date_of_birth": "1962-01-30", "nationality": "HN" } }),
    )
    .await;
    assert!(
        !unrelated
            .iter()
            .any(|d| d["case_ids"].as_array().unwrap().contains(&json!(existing))),
        "{unrelated:?}"
    );
}

#[tokio::test]
async fn another_organisations_person_is_never_suggested() {
    let app = spawn_app().await;
    let worker = app.token(CASE_WORKER).await;
    let shelter_case = create(&app, &worker, maria_jose()).await["id"]
        .as_i64()
        .unwrap();
    let advocate = app.token(ADVOCATE).await;
    let found = check(&app, &advocate, json!({ "person": maria() })).await;
    assert!(
        !found.iter().any(|d| d["case_ids"]
            .as_array()
            .unwrap()
            .contains(&json!(shelter_case))),
        "{found:?}"
    );
    // The shelter itself is warned of its own record.
    let found = check(&app, &worker, json!({ "person": maria() })).await;
    assert!(found.iter().any(|d| d["case_ids"]
        .as_array()
        .unwrap()
        .contains(&json!(shelter_case))));
    // An analyst never checks persons.
    let analyst = app.token(ANALYST).await;
    let response = app
        .post(
            &analyst,
            "/api/v1/persons/duplicates",
            &json!({ "person": maria() }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_case_form_shows_the_warning_before_saving_and_saves_when_told_it_is_another_person() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    create(&app, &supervisor, maria_jose()).await;
    // The supervisor may read every case of the organisation, so she is warned.
    let client = app.logged_in(SUPERVISOR).await;
    let form = app.page(&client, "/cases/new", StatusCode::OK).await;
    let csrf = csrf_token_of(&form);
    let hotline = app
        .store
        .organisation_by_slug("hotline-demo")
        .await
        .unwrap()
        .unwrap()
        .id;
    let before = app.store.count_cases(hotline).await.unwrap();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("given_name", "Maria"),
        ("surname", "Hernandez"),
        ("sex", "F"),
        ("date_of_birth", "1990-05-12"),
        ("nationality", "GT"),
    ];
    let response = app.post_form(&client, "/cases", &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"duplicate-warning\""), "{page}");
    assert!(
        page.contains("Esta persona quizá ya esté registrada"),
        "{page}"
    );
    assert!(page.contains("Fecha de nacimiento"), "{page}");
    assert!(page.contains("un apellido en común"), "{page}");
    assert!(
        page.contains("name=\"not_a_duplicate\" value=\"yes\""),
        "{page}"
    );
    assert_eq!(app.store.count_cases(hotline).await.unwrap(), before);
    // Confirmed as another person, the case is saved.
    let csrf = csrf_token_of(&page);
    let mut confirmed = fields.to_vec();
    confirmed[0] = ("csrf_token", csrf.as_str());
    confirmed.push(("not_a_duplicate", "yes"));
    let response = app.post_form(&client, "/cases", &confirmed).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.count_cases(hotline).await.unwrap(), before + 1);
}

#[tokio::test]
async fn only_supervisors_merge_or_mark_distinct_and_both_are_audited() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let kept_case = create(&app, &supervisor, maria_jose()).await["id"]
        .as_i64()
        .unwrap();
    let other_case = create(&app, &supervisor, maria()).await["id"]
        .as_i64()
        .unwrap();
    let person_of = |case: Value| case["person_id"].as_i64().unwrap();
    let kept = person_of(
        app.get(&supervisor, &format!("/api/v1/cases/{kept_case}"))
            .await
            .json()
            .await
            .unwrap(),
    );
    let other = person_of(
        app.get(&supervisor, &format!("/api/v1/cases/{other_case}"))
            .await
            .json()
            .await
            .unwrap(),
    );
    let advocate = app.token(ADVOCATE).await;
    for (path, body) in [
        (
            "/api/v1/persons/merge",
            json!({ "merged_person_id": other, "kept_person_id": kept }),
        ),
        (
            "/api/v1/persons/distinct",
            json!({ "person_a": other, "person_b": kept }),
        ),
    ] {
        let response = app.post(&advocate, path, &body).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // Marked distinct, the pair is not suggested again for the edited case.
    let before = check(
        &app,
        &supervisor,
        json!({ "person": maria(), "case_id": other_case }),
    )
    .await;
    assert!(before.iter().any(|d| d["person_id"] == kept), "{before:?}");
    let response = app
        .post(
            &supervisor,
            "/api/v1/persons/distinct",
            &json!({ "person_a": other, "person_b": kept }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let after = check(
        &app,
        &supervisor,
        json!({ "person": maria(), "case_id": other_case }),
    )
    .await;
    assert!(!after.iter().any(|d| d["person_id"] == kept), "{after:?}");
    // A merge moves the case to the person kept; the merged record stays, out of the checks.
    let response = app
        .post(
            &supervisor,
            "/api/v1/persons/merge",
            &json!({ "merged_person_id": other, "kept_person_id": kept }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["moved_cases"], json!([other_case]));
    let moved: Value = app
        .get(&supervisor, &format!("/api/v1/cases/{other_case}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved["person_id"], kept);
    let history: Value = app
        .get(&supervisor, &format!("/api/v1/cases/{other_case}/history"))
        .await
        .json()
        .await
        .unwrap();
    assert!(history.as_array().unwrap().len() >= 2, "{history}");
    let response = app
        .post(
            &supervisor,
            "/api/v1/persons/merge",
            &json!({ "merged_person_id": other, "kept_person_id": kept }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let entries = app
        .store
        .audit_entries(&AuditQuery {
            actor: Some(SUPERVISOR.into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"person_mark_distinct"), "{actions:?}");
    assert!(actions.contains(&"person_merge"), "{actions:?}");
    assert!(actions.contains(&"duplicate_check"), "{actions:?}");
    // The supervisor's duplicates page offers merge and distinct; the advocate's does not.
    let client = app.logged_in(SUPERVISOR).await;
    let third = create(&app, &supervisor, maria()).await["id"]
        .as_i64()
        .unwrap();
    let page = app
        .page(
            &client,
            &format!("/cases/{third}/duplicates"),
            StatusCode::OK,
        )
        .await;
    assert!(page.contains("action=\"/persons/merge\""), "{page}");
    assert!(page.contains("María José Hernández López"), "{page}");
}

#[tokio::test]
async fn editing_a_person_into_a_likely_duplicate_warns_before_saving_without_naming_itself() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let existing = create(&app, &supervisor, maria_jose()).await["id"]
        .as_i64()
        .unwrap();
    let edited = create(
        &app,
        &supervisor,
        json!({ "given_name": "Pedro", "surname": "Xicará", "sex": "M",
                "date_of_birth": "1962-01-30", "nationality": "HN" }),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // Checked again and again (on the same server threads), the answer stays the same.
    for _ in 0..3 {
        let through_the_api = check(
            &app,
            &supervisor,
            json!({ "person": maria(), "case_id": edited }),
        )
        .await;
        assert!(
            through_the_api
                .iter()
                .any(|d| d["case_ids"] == json!([existing])),
            "{through_the_api:?}"
        );
    }
    let client = app.logged_in(SUPERVISOR).await;
    let form = app
        .page(&client, &format!("/cases/{edited}/edit"), StatusCode::OK)
        .await;
    let csrf = csrf_token_of(&form);
    let version = hidden_field(&form, "version").unwrap();
    let response = app
        .post_form(
            &client,
            &format!("/cases/{edited}/edit"),
            &[
                ("csrf_token", csrf.as_str()),
                ("version", version.as_str()),
                ("given_name", "Maria"),
                ("surname", "Hernandez"),
                ("sex", "F"),
                ("date_of_birth", "1990-05-12"),
                ("nationality", "GT"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"duplicate-warning\""), "{page}");
    let page = unescape(&page);
    assert!(
        page.contains(&format!("action=\"/cases/{edited}/edit\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/cases/{existing}\"")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("href=\"/cases/{edited}\"")),
        "{page}"
    );
    // Nothing was saved yet.
    let case: Value = app
        .get(&supervisor, &format!("/api/v1/cases/{edited}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["person"]["given_name"], "Pedro");
}

#[tokio::test]
async fn another_person_once_confirmed_is_not_warned_about_again_on_later_edits() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let existing = create(&app, &advocate, maria_jose()).await["id"]
        .as_i64()
        .unwrap();
    let client = app.logged_in(ADVOCATE).await;
    let form = app.page(&client, "/cases/new", StatusCode::OK).await;
    let csrf = csrf_token_of(&form);
    let person = [
        ("given_name", "Maria"),
        ("surname", "Hernandez"),
        ("sex", "Female"),
        ("date_of_birth", "1990-05-12"),
        ("nationality", "GT"),
    ];
    let mut fields: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
    fields.extend(person);
    let warned = app.post_form(&client, "/cases", &fields).await;
    assert_eq!(warned.status(), StatusCode::OK);
    assert!(warned
        .text()
        .await
        .unwrap()
        .contains("id=\"duplicate-warning\""));
    // "Es otra persona: guardar".
    let mut confirmed = fields.clone();
    confirmed.push(("not_a_duplicate", "yes"));
    let saved = app.post_form(&client, "/cases", &confirmed).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let location = saved.headers()["location"].to_str().unwrap().to_string();
    let case_id: i64 = location.trim_start_matches("/cases/").parse().unwrap();
    assert_ne!(case_id, existing);
    // Two later edits of the same person: saved at once, no warning again.
    for phone in ["+50255550001", "+50255550002"] {
        let form = app
            .page(&client, &format!("/cases/{case_id}/edit"), StatusCode::OK)
            .await;
        let version = hidden_field(&form, "version").unwrap();
        let mut edit: Vec<(&str, &str)> =
            vec![("csrf_token", csrf.as_str()), ("version", version.as_str())];
        edit.extend(person);
        edit.push(("phone", phone));
        let response = app
            .post_form(&client, &format!("/cases/{case_id}/edit"), &edit)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "warned again: {}",
            response.text().await.unwrap()
        );
    }
}

/// The duplicate check compares a record against the records that share a blocking key with it,
/// not the whole organisation: on the demo data it finds exactly what scoring every record of the
/// organisation finds, with the same probabilities and explanations.
#[tokio::test]
async fn comparing_against_the_blocks_finds_what_comparing_against_everyone_finds() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let me: Value = app
        .get(&supervisor, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    let organisation = me["organisation"]["id"].as_i64().unwrap();
    // Two more records of a demo person, written differently, so that the demo has duplicates.
    let list: Value = app
        .get(&supervisor, "/api/v1/cases?per_page=100")
        .await
        .json()
        .await
        .unwrap();
    let actor = puente_store::Actor {
        name: SUPERVISOR.into(),
        organisation_id: Some(organisation),
    };
    let first = list["cases"][0]["id"].as_i64().unwrap();
    let stored = app
        .store
        .case(&actor, organisation, first)
        .await
        .unwrap()
        .unwrap();
    let mut variant = serde_json::to_value(&stored.case.person).unwrap();
    variant["given_name"] = json!(stored.case.person.given_name.to_uppercase());
    for _ in 0..2 {
        let response = app
            .post(&supervisor, "/api/v1/cases", &json!({ "person": variant }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let everyone = app
        .store
        .persons_to_compare(&actor, organisation)
        .await
        .unwrap();
    let list: Value = app
        .get(&supervisor, "/api/v1/cases?per_page=100")
        .await
        .json()
        .await
        .unwrap();
    let mut compared = 0;
    let mut found_any = false;
    for case in list["cases"].as_array().unwrap() {
        let case_id = case["id"].as_i64().unwrap();
        let stored = app
            .store
            .case(&actor, organisation, case_id)
            .await
            .unwrap()
            .unwrap();
        let others: Vec<puente_store::PersonToCompare> = everyone
            .iter()
            .filter(|record| record.person_id != stored.person_id)
            .cloned()
            .collect();
        let expected = puente_server::services::duplicates::likely_duplicates_among(
            &others,
            &stored.case.person,
        )
        .unwrap();
        let response = app
            .post(
                &supervisor,
                "/api/v1/persons/duplicates",
                &json!({ "person": stored.case.person, "case_id": case_id }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["duplicates"],
            serde_json::to_value(&expected).unwrap(),
            "case {case_id}"
        );
        found_any |= !expected.is_empty();
        compared += 1;
    }
    assert!(compared > 20, "{compared} demo cases compared");
    assert!(found_any, "the demo has likely duplicates to compare");
}
