//! Handing over through HTTP: the receiver opens its own case from a referral, the two
//! organisations write to each other on it, and notifications are read per user.

use crate::helpers::*;
use puente_store::AuditQuery;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A hotline case referred to the shelter, sharing identity and events (not contact or notes),
/// with the person's consent. Returns the case and the referral.
async fn referred_case(app: &TestApp, advocate: &str) -> (i64, i64) {
    let case_id = crate::referrals::hotline_case(app, advocate).await;
    let response = app
        .post(
            advocate,
            &format!("/api/v1/cases/{case_id}/referrals"),
            &json!({ "to_org": "shelter-demo", "services": ["shelter-demo-casa-ninas"],
                     "share": ["identity", "events"], "consent": true }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let referral_id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    (case_id, referral_id)
}

#[tokio::test]
async fn the_shelter_accepts_and_opens_its_own_case_from_the_shared_parts_only() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let worker = app.token(CASE_WORKER).await;
    let (hotline_case, referral_id) = referred_case(&app, &advocate).await;
    let accept = format!("/api/v1/referrals/{referral_id}/accept");
    // A value that is not true or false is refused, and the referral stays pending.
    let response = app
        .post(&worker, &accept, &json!({ "open_case": "sí" }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let referral: Value = app
        .get(&worker, &format!("/api/v1/referrals/{referral_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(referral["status"], "pending");

    let response = app
        .post(&worker, &accept, &json!({ "open_case": true }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["status"], "accepted");
    let case_id = answer["case_id"].as_i64().unwrap();
    assert_ne!(case_id, hotline_case);

    let case: Value = app
        .get(&worker, &format!("/api/v1/cases/{case_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["person"]["given_name"], "Rosa");
    assert_eq!(case["person"]["surname"], "Xicará");
    assert_eq!(case["events"][0]["place"], "Tapachula");
    assert!(
        case["person"]["phone"].is_null(),
        "contact was not shared: {case}"
    );
    assert!(case["person"]["current_country"].is_null());
    let notes: Value = app
        .get(&worker, &format!("/api/v1/cases/{case_id}/notes"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(notes, json!([]), "notes were not shared");
    // The case is the shelter's: the hotline does not see it.
    assert_eq!(
        app.get(&advocate, &format!("/api/v1/cases/{case_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Its opening is audited, naming the referral.
    let entries = app
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("case".into()),
            record_id: Some(case_id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(
        entries
            .iter()
            .any(|entry| entry.detail == format!("opened from referral {referral_id}")),
        "{entries:?}"
    );
    // The referral page links to it and offers no second case.
    let client = app.logged_in(CASE_WORKER).await;
    let html = app
        .page(
            &client,
            &format!("/referrals/{referral_id}"),
            StatusCode::OK,
        )
        .await;
    assert!(html.contains(&format!("/cases/{case_id}")));
    assert!(!html.contains("id=\"open-case\""));
    let csrf = csrf_token_of(&html);
    let again = app
        .post_form(
            &client,
            &format!("/referrals/{referral_id}/open-case"),
            &[("csrf_token", csrf.as_str())],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // The sender cannot open a case from its own referral.
    let hotline = app.logged_in(ADVOCATE).await;
    let html = app
        .page(
            &hotline,
            &format!("/referrals/{referral_id}"),
            StatusCode::OK,
        )
        .await;
    let refused = app
        .post_form(
            &hotline,
            &format!("/referrals/{referral_id}/open-case"),
            &[("csrf_token", csrf_token_of(&html).as_str())],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_two_organisations_write_on_a_referral_notified_and_audited_and_no_one_else() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let worker = app.token(CASE_WORKER).await;
    let analyst = app.token(ANALYST).await;
    let (case_id, referral_id) = referred_case(&app, &advocate).await;
    let path = format!("/api/v1/referrals/{referral_id}/messages");
    let response = app
        .post(
            &advocate,
            &path,
            &json!({ "text": "Llega mañana a las 9 con su tía." }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = app
        .post(
            &worker,
            &path,
            &json!({ "text": "La esperamos; hay cama." }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    for token in [&advocate, &worker] {
        let messages: Value = app.get(token, &path).await.json().await.unwrap();
        let texts: Vec<&str> = messages
            .as_array()
            .unwrap()
            .iter()
            .map(|message| message["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            texts,
            [
                "Llega mañana a las 9 con su tía.",
                "La esperamos; hay cama."
            ]
        );
    }
    // Bad input and outsiders: refused, nothing stored.
    assert_eq!(
        app.post(&advocate, &path, &json!({ "text": "  " }))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.post(&analyst, &path, &json!({ "text": "hola" }))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&analyst, &path).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &advocate,
            "/api/v1/referrals/999999/messages",
            &json!({ "text": "hola" })
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    let messages: Value = app.get(&worker, &path).await.json().await.unwrap();
    assert_eq!(messages.as_array().unwrap().len(), 2);
    // Each message notified the other side.
    let notifications: Value = app
        .get(&advocate, "/api/v1/notifications?unread=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        notifications
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "referral_message"),
        "{notifications}"
    );
    // Audited on the sender's side as an entry of the case, without the text.
    let entries = app
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("case".into()),
            record_id: Some(case_id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let written: Vec<_> = entries
        .iter()
        .filter(|entry| entry.detail.contains("message") && entry.detail.contains("written"))
        .collect();
    assert_eq!(written.len(), 2, "{entries:?}");
    assert!(entries.iter().all(|entry| !entry.detail.contains("tía")));
    // The referral page lists them and takes a reply from the form.
    let client = app.logged_in(CASE_WORKER).await;
    let html = app
        .page(
            &client,
            &format!("/referrals/{referral_id}"),
            StatusCode::OK,
        )
        .await;
    assert!(html.contains("Llega mañana a las 9 con su tía.") && html.contains("Mensajes"));
    let sent = app
        .post_form(
            &client,
            &format!("/referrals/{referral_id}/messages"),
            &[
                ("csrf_token", csrf_token_of(&html).as_str()),
                ("text", "Ya llegó."),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let messages: Value = app.get(&advocate, &path).await.json().await.unwrap();
    assert_eq!(messages[2]["text"], "Ya llegó.");
}

#[tokio::test]
async fn a_notification_read_by_one_user_stays_unread_for_a_colleague_and_mark_all_is_per_user() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let supervisor = app.token(SUPERVISOR).await;
    let worker = app.token(CASE_WORKER).await;
    let (_case_id, referral_id) = referred_case(&app, &advocate).await;
    app.post(
        &worker,
        &format!("/api/v1/referrals/{referral_id}/accept"),
        &json!({}),
    )
    .await;
    let unread = |token: String| {
        let app = &app;
        async move {
            let list: Value = app
                .get(&token, "/api/v1/notifications?unread=true")
                .await
                .json()
                .await
                .unwrap();
            list.as_array().unwrap().clone()
        }
    };
    let advocates = unread(advocate.clone()).await;
    assert_eq!(advocates.len(), 1, "the acceptance: {advocates:?}");
    assert_eq!(unread(supervisor.clone()).await.len(), 1);
    let id = advocates[0]["id"].as_i64().unwrap();
    let response = app
        .post(
            &advocate,
            &format!("/api/v1/notifications/{id}/read"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(unread(advocate.clone()).await.len(), 0);
    assert_eq!(
        unread(supervisor.clone()).await.len(),
        1,
        "the colleague has not read it"
    );
    // Another organisation's notification is not found.
    assert_eq!(
        app.post(
            &worker,
            &format!("/api/v1/notifications/{id}/read"),
            &json!({})
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    // Opening it from the page marks it read for that user and goes to the referral.
    let client = app.logged_in(SUPERVISOR).await;
    let opened = client
        .get(app.url(&format!("/notifications/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        opened.headers()["location"],
        format!("/referrals/{referral_id}").as_str()
    );
    assert_eq!(unread(supervisor.clone()).await.len(), 0);
    // Mark all read is the user's own: the worker's notification stays for no one else.
    assert!(!unread(worker.clone()).await.is_empty());
    let marked: Value = app
        .post(&worker, "/api/v1/notifications/read", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(marked["marked"].as_u64().unwrap() >= 1);
    assert_eq!(unread(worker).await.len(), 0);
}

#[tokio::test]
async fn a_supervisor_assigns_a_case_to_a_colleague_and_a_wrong_assignee_is_refused_naming_the_field(
) {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let advocate = app.token(ADVOCATE).await;
    let case_id = app.create_case(&supervisor, "Tomasa").await;
    let me: Value = app.get(&advocate, "/api/v1/me").await.json().await.unwrap();
    let advocate_id = me["id"].as_i64().unwrap();
    let worker: Value = app
        .get(&app.token(CASE_WORKER).await, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/cases/{case_id}/assign");
    assert_eq!(
        app.post(&advocate, &path, &json!({ "assignee": advocate_id }))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let response = app
        .post(&supervisor, &path, &json!({ "assignee": worker["id"] }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["field"], "assignee");
    assert_eq!(
        app.get(&advocate, &format!("/api/v1/cases/{case_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "nothing changed"
    );
    let response = app
        .post(&supervisor, &path, &json!({ "assignee": advocate_id }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.get(&advocate, &format!("/api/v1/cases/{case_id}"))
            .await
            .status(),
        StatusCode::OK
    );
}
