//! Referrals through HTTP: the consent gate, partial sharing (through the API and the pages),
//! accept, reject, complete and revoke, notifications, and the audit on both sides.

use crate::helpers::*;
use puente_store::AuditQuery;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A hotline case with a phone, a note and an event, owned by the advocate.
pub(crate) async fn hotline_case(app: &TestApp, token: &str) -> i64 {
    let response = app
        .post(
            token,
            "/api/v1/cases",
            &json!({
                "person": { "given_name": "Rosa", "surname": "Xicará", "sex": "F",
                            "date_of_birth": "2011-03", "nationality": "GT",
                            "phone": "+50255551234", "current_country": "GT" },
                "events": [{ "kind": "Exploitation", "country": "MX", "place": "Tapachula" }]
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = app
        .post(
            token,
            &format!("/api/v1/cases/{id}/notes"),
            &json!({ "text": "Nota confidencial del caso" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    id
}

async fn refer(app: &TestApp, token: &str, case_id: i64, body: Value) -> reqwest::Response {
    app.post(token, &format!("/api/v1/cases/{case_id}/referrals"), &body)
        .await
}

async fn referral_id(response: reqwest::Response) -> i64 {
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_referral_without_consent_is_refused_with_the_reason_and_nothing_is_shared() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let case_id = hotline_case(&app, &advocate).await;
    let response = refer(
        &app,
        &advocate,
        case_id,
        json!({ "to_org": "shelter-demo", "services": ["shelter-demo-casa-ninas"], "share": ["identity"], "consent": false }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "consent_missing");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("consent"),
        "{body}"
    );
    let worker = app.token(CASE_WORKER).await;
    let received: Value = app
        .get(&worker, "/api/v1/referrals")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(received["received"], json!([]));
    // A part that cannot be shared, and a referral to one's own organisation, are 422.
    let response = refer(
        &app,
        &advocate,
        case_id,
        json!({ "to_org": "shelter-demo", "share": ["DeidentifiedStatistics"], "consent": true }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = refer(
        &app,
        &advocate,
        case_id,
        json!({ "to_org": "hotline-demo", "share": ["identity"], "consent": true }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The shelter cannot refer the hotline's case: it does not see it.
    let response = refer(
        &app,
        &worker,
        case_id,
        json!({ "to_org": "hotline-demo", "share": ["identity"], "consent": true }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_receiver_reads_exactly_the_shared_parts_and_never_the_case_itself() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let case_id = hotline_case(&app, &advocate).await;
    let id = referral_id(
        refer(
            &app,
            &advocate,
            case_id,
            json!({ "to_org": "shelter-demo", "services": ["shelter-demo-casa-ninas"], "share": ["identity", "events"], "consent": true }),
        )
        .await,
    )
    .await;
    let worker = app.token(CASE_WORKER).await;
    let response = app
        .get(&worker, &format!("/api/v1/referrals/{id}/case"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let shared: Value = response.json().await.unwrap();
    assert_eq!(shared["identity"]["given_name"], "Rosa");
    assert_eq!(shared["events"][0]["place"], "Tapachula");
    for absent in ["contact", "notes", "screenings"] {
        assert!(shared.get(absent).is_none(), "{absent} leaked: {shared}");
    }
    let text = shared.to_string();
    assert!(!text.contains("55551234"), "{text}");
    assert!(!text.contains("Nota confidencial"), "{text}");
    // The case routes stay closed to the receiver, in the API and in the pages.
    let response = app.get(&worker, &format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .get(&worker, &format!("/api/v1/cases/{case_id}/notes"))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let client = app.logged_in(CASE_WORKER).await;
    app.page(&client, &format!("/cases/{case_id}"), StatusCode::NOT_FOUND)
        .await;
    let page = app
        .page(&client, &format!("/referrals/{id}"), StatusCode::OK)
        .await;
    assert!(
        page.contains("Rosa") && page.contains("Tapachula"),
        "{page}"
    );
    assert!(!page.contains("55551234"), "{page}");
    assert!(!page.contains("Nota confidencial"), "{page}");
    assert!(!page.contains("id=\"shared-contact\""), "{page}");
    assert!(!page.contains("id=\"shared-notes\""), "{page}");
    // An organisation that is not party to the referral does not see it at all.
    let supervisor = app.token(SUPERVISOR).await;
    let response = app
        .get(&supervisor, &format!("/api/v1/referrals/{id}/case"))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // An analyst never reads referred cases.
    let analyst = app.token(ANALYST).await;
    let response = app
        .get(&analyst, &format!("/api/v1/referrals/{id}/case"))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn accept_complete_reject_and_revoke_follow_the_sides_and_notify_the_other_side() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let worker = app.token(CASE_WORKER).await;
    let case_id = hotline_case(&app, &advocate).await;
    let first = referral_id(
        refer(
            &app,
            &advocate,
            case_id,
            json!({ "to_org": "shelter-demo", "share": ["identity"], "consent": true }),
        )
        .await,
    )
    .await;
    // The shelter is told of the new referral.
    let unread: Value = app
        .get(&worker, "/api/v1/notifications?unread=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        unread
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "referral_received" && n["referral_id"] == first),
        "{unread}"
    );
    // The sender cannot accept its own referral; the receiver cannot revoke it.
    let response = app
        .post(
            &advocate,
            &format!("/api/v1/referrals/{first}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = app
        .post(
            &worker,
            &format!("/api/v1/referrals/{first}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = app
        .post(
            &worker,
            &format!("/api/v1/referrals/{first}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["htcds"]["cas_IncomingReferral"], true);
    assert!(accepted["htcds"]["cas_IncomingReferralDate"].is_string());
    let response = app
        .post(
            &worker,
            &format!("/api/v1/referrals/{first}/complete"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // The hotline is told of the answer and the completion.
    let hotline: Value = app
        .get(&advocate, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = hotline
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"referral_accepted"), "{kinds:?}");
    assert!(kinds.contains(&"referral_completed"), "{kinds:?}");
    assert!(hotline[0]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    // Read notifications leave the unread list.
    let marked: Value = app
        .post(&advocate, "/api/v1/notifications/read", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(marked["marked"].as_u64().unwrap() >= 2, "{marked}");
    let unread: Value = app
        .get(&advocate, "/api/v1/notifications?unread=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unread, json!([]));

    // A second referral, rejected with a note.
    let second = referral_id(
        refer(
            &app,
            &advocate,
            case_id,
            json!({ "to_org": "shelter-demo", "share": ["identity"], "consent": true }),
        )
        .await,
    )
    .await;
    let response = app
        .post(
            &worker,
            &format!("/api/v1/referrals/{second}/reject"),
            &json!({ "note": "sin cupo" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let rejected: Value = response.json().await.unwrap();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["answer_note"], "sin cupo");
    let response = app
        .get(&worker, &format!("/api/v1/referrals/{second}/case"))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    // A third, revoked by the sender: the receiver's access ends at once.
    let third = referral_id(
        refer(
            &app,
            &advocate,
            case_id,
            json!({ "to_org": "shelter-demo", "share": ["identity", "contact"], "consent": true }),
        )
        .await,
    )
    .await;
    assert_eq!(
        app.get(&worker, &format!("/api/v1/referrals/{third}/case"))
            .await
            .status(),
        StatusCode::OK
    );
    let response = app
        .post(
            &advocate,
            &format!("/api/v1/referrals/{third}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.get(&worker, &format!("/api/v1/referrals/{third}/case"))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let shelter: Value = app
        .get(&worker, "/api/v1/notifications?unread=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        shelter
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "referral_revoked" && n["referral_id"] == third),
        "{shelter}"
    );
    // The sender sees every referral of the case with its status.
    let of_case: Value = app
        .get(&advocate, &format!("/api/v1/cases/{case_id}/referrals"))
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = of_case
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["completed", "rejected", "revoked"]);
}

#[tokio::test]
async fn every_read_and_change_of_a_referral_is_audited_on_both_sides() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let worker = app.token(CASE_WORKER).await;
    let case_id = hotline_case(&app, &advocate).await;
    let id = referral_id(
        refer(
            &app,
            &advocate,
            case_id,
            json!({ "to_org": "shelter-demo", "share": ["identity"], "consent": true }),
        )
        .await,
    )
    .await;
    app.get(&worker, &format!("/api/v1/referrals/{id}/case"))
        .await;
    app.post(
        &worker,
        &format!("/api/v1/referrals/{id}/accept"),
        &json!({}),
    )
    .await;
    let hotline = app
        .store
        .organisation_by_slug("hotline-demo")
        .await
        .unwrap()
        .unwrap();
    let shelter = app
        .store
        .organisation_by_slug("shelter-demo")
        .await
        .unwrap()
        .unwrap();
    let on_the_case = app
        .store
        .audit_entries(&AuditQuery {
            organisation_id: Some(hotline.id),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let on_the_referral = app
        .store
        .audit_entries(&AuditQuery {
            organisation_id: Some(shelter.id),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let about_case: Vec<&str> = on_the_case
        .iter()
        .filter(|entry| entry.record_id.as_deref() == Some(&case_id.to_string()))
        .map(|entry| entry.action.as_str())
        .collect();
    let about_referral: Vec<&str> = on_the_referral
        .iter()
        .filter(|entry| entry.record_id.as_deref() == Some(&id.to_string()))
        .map(|entry| entry.action.as_str())
        .collect();
    for side in [&about_case, &about_referral] {
        assert!(
            side.iter().any(|action| action.contains("accept")),
            "{side:?}"
        );
        assert!(
            side.iter()
                .any(|action| action.contains("view") || action.contains("read")),
            "{side:?}"
        );
    }
    // The sender's supervisor sees the receiver's reads in the case's audit trail.
    let supervisor = app.token(SUPERVISOR).await;
    let trail: Value = app
        .get(&supervisor, &format!("/api/v1/audit?case_id={case_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        trail
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["actor"] == CASE_WORKER),
        "{trail}"
    );
}

#[tokio::test]
async fn the_pages_refer_with_consent_and_the_shelter_accepts_from_its_inbox() {
    let app = spawn_app().await;
    let advocate_token = app.token(ADVOCATE).await;
    let case_id = hotline_case(&app, &advocate_token).await;
    let shelter_id = app
        .store
        .organisation_by_slug("shelter-demo")
        .await
        .unwrap()
        .unwrap()
        .id;
    let advocate = app.logged_in(ADVOCATE).await;
    let form = app
        .page(
            &advocate,
            &format!("/cases/{case_id}/refer"),
            StatusCode::OK,
        )
        .await;
    assert!(form.contains("name=\"consent\""), "{form}");
    let csrf = csrf_token_of(&form);
    let shelter_value = shelter_id.to_string();
    // Without the consent box ticked, nothing is sent and the page says why.
    let response = app
        .post_form(
            &advocate,
            &format!("/cases/{case_id}/refer"),
            &[
                ("csrf_token", csrf.as_str()),
                ("to_org", shelter_value.as_str()),
                ("share", "identity"),
                ("reason", "AdditionalServicesRequired"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // Without the anti-forgery token, refused.
    let response = app
        .post_form(
            &advocate,
            &format!("/cases/{case_id}/refer"),
            &[
                ("to_org", shelter_value.as_str()),
                ("share", "identity"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app
        .post_form(
            &advocate,
            &format!("/cases/{case_id}/refer"),
            &[
                ("csrf_token", csrf.as_str()),
                ("to_org", shelter_value.as_str()),
                ("share", "identity"),
                ("share", "screening"),
                ("consent", "yes"),
                ("reason", "AdditionalServicesRequired"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/referrals/"), "{location}");
    // The consent is recorded on the case.
    let case: Value = app
        .get(&advocate_token, &format!("/api/v1/cases/{case_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(!case["consents"].as_array().unwrap().is_empty(), "{case}");

    let shelter = app.logged_in(CASE_WORKER).await;
    let badge = shelter
        .get(app.url("/notifications/badge.svg"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(badge.contains(">1<"), "{badge}");
    let inbox = app.page(&shelter, "/referrals", StatusCode::OK).await;
    assert!(inbox.contains(&format!("href=\"{location}\"")), "{inbox}");
    assert!(inbox.contains("Nueva remisión"), "{inbox}");
    let page = app.page(&shelter, &location, StatusCode::OK).await;
    assert!(page.contains("Rosa"), "{page}");
    assert!(page.contains("id=\"shared-screening\""), "{page}");
    assert!(!page.contains("Nota confidencial"), "{page}");
    let csrf = csrf_token_of(&page);
    let response = app
        .post_form(
            &shelter,
            &format!("{location}/accept"),
            &[("csrf_token", csrf.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page(&shelter, &location, StatusCode::OK).await;
    assert!(page.contains("Aceptada"), "{page}");
    // The hotline's inbox shows the answer, and its badge counts it.
    let sent = app.page(&advocate, "/referrals", StatusCode::OK).await;
    assert!(sent.contains("Aceptada"), "{sent}");
    let notifications = app.page(&advocate, "/notifications", StatusCode::OK).await;
    assert!(
        notifications.contains("aceptó la remisión"),
        "{notifications}"
    );
}

#[tokio::test]
async fn the_role_matrix_of_the_directory_referrals_and_duplicates_holds_over_http() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let case_id = hotline_case(&app, &advocate).await;
    let tokens = [
        (ADVOCATE, advocate.clone()),
        (SUPERVISOR, app.token(SUPERVISOR).await),
        (ADMIN, app.token(ADMIN).await),
        (ANALYST, app.token(ANALYST).await),
        (CASE_WORKER, app.token(CASE_WORKER).await),
    ];
    // (services, orgs, referrals, notifications, the case's referrals, duplicate check)
    let expected: [[u16; 6]; 5] = [
        [200, 200, 200, 200, 200, 200],
        [200, 200, 200, 200, 200, 200],
        [200, 200, 403, 403, 403, 403],
        [200, 200, 403, 403, 403, 403],
        [200, 200, 200, 200, 404, 200],
    ];
    for ((email, token), statuses) in tokens.iter().zip(expected) {
        let reads = [
            "/api/v1/services?country=GT".to_string(),
            "/api/v1/orgs".to_string(),
            "/api/v1/referrals".to_string(),
            "/api/v1/notifications".to_string(),
            format!("/api/v1/cases/{case_id}/referrals"),
        ];
        for (path, status) in reads.iter().zip(statuses) {
            let response = app.get(token, path).await;
            assert_eq!(response.status().as_u16(), status, "{email} GET {path}");
        }
        let response = app
            .post(
                token,
                "/api/v1/persons/duplicates",
                &json!({ "person": { "given_name": "Rosa", "surname": "Xicará" } }),
            )
            .await;
        assert_eq!(
            response.status().as_u16(),
            statuses[5],
            "{email} POST /api/v1/persons/duplicates"
        );
    }
}

/// The attack of an edit that restores a withdrawn consent: an advocate withdraws the consent a
/// referral shared under, then sends the case back with the consent "never withdrawn" and given
/// earlier. The update is refused; the shelter never reads the survivor's name again, is told of
/// the withdrawal, and sees it on the referral.
#[tokio::test]
async fn a_withdrawn_consent_ends_access_and_no_case_update_restores_it() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let worker = app.token(CASE_WORKER).await;
    let case_id = hotline_case(&app, &advocate).await;
    let referral = referral_id(
        refer(
            &app,
            &advocate,
            case_id,
            json!({ "to_org": "shelter-demo", "share": ["identity", "notes"], "consent": true }),
        )
        .await,
    )
    .await;
    let accepted = app
        .post(
            &worker,
            &format!("/api/v1/referrals/{referral}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let shared: Value = app
        .get(&worker, &format!("/api/v1/referrals/{referral}/case"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shared["identity"]["given_name"], "Rosa");

    let case: Value = app
        .get(&advocate, &format!("/api/v1/cases/{case_id}"))
        .await
        .json()
        .await
        .unwrap();
    let consent_id = case["consents"][0]["id"].as_i64().unwrap();
    let response = app
        .post(
            &advocate,
            &format!("/api/v1/cases/{case_id}/consents/{consent_id}/withdraw"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let withdrawal: Value = response.json().await.unwrap();
    assert_eq!(withdrawal["ended_referrals"], json!([referral]));

    let response = app
        .get(&worker, &format!("/api/v1/referrals/{referral}/case"))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(response).await, "access_ended");

    // The edit that would bring the consent back, backdated and re-attributed.
    let mut edit: Value = app
        .get(&advocate, &format!("/api/v1/cases/{case_id}"))
        .await
        .json()
        .await
        .unwrap();
    edit["consents"][0]["withdrawn_on"] = Value::Null;
    edit["consents"][0]["given_on"] = json!("2026-01-01");
    edit["consents"][0]["recorded_by"] = json!("someone@else.org");
    let response = app
        .put(&advocate, &format!("/api/v1/cases/{case_id}"), &edit)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(response).await, "fields_refused");
    let response = app
        .get(&worker, &format!("/api/v1/referrals/{referral}/case"))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let consents: Value = app
        .get(&advocate, &format!("/api/v1/cases/{case_id}/consents"))
        .await
        .json()
        .await
        .unwrap();
    assert!(consents[0]["withdrawn_on"].is_string(), "{consents}");
    assert_eq!(consents[0]["recorded_by"], ADVOCATE);
    let again = app
        .post(
            &advocate,
            &format!("/api/v1/cases/{case_id}/consents/{consent_id}/withdraw"),
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(again).await, "consent_already_withdrawn");

    // The shelter is told, and the referral says so on both sides: not "accepted".
    let told: Value = app
        .get(&worker, "/api/v1/notifications?unread=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(told[0]["kind"], "consent_withdrawn", "{told}");
    let seen: Value = app
        .get(&worker, &format!("/api/v1/referrals/{referral}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["status"], "consent_withdrawn");
    let shelter = app.logged_in(CASE_WORKER).await;
    let html = app
        .page(&shelter, &format!("/referrals/{referral}"), StatusCode::OK)
        .await;
    assert!(html.contains("Consentimiento retirado"), "{html}");
    assert!(!html.contains(">Aceptada<"), "{html}");
    assert!(html.contains("consent-withdrawn-notice"), "{html}");
    assert!(
        !html.contains("Rosa"),
        "the name is not on the page: {html}"
    );
    assert!(!html.contains("shared-identity"), "{html}");

    // Audited naming the consent and its scopes.
    let supervisor = app.token(SUPERVISOR).await;
    let trail: Value = app
        .get(&supervisor, &format!("/api/v1/audit?case_id={case_id}"))
        .await
        .json()
        .await
        .unwrap();
    let detail = format!("consent {consent_id} withdrawn: identity, notes with shelter-demo");
    assert!(
        trail.as_array().unwrap().iter().any(
            |entry| entry["action"] == "consent_withdraw" && entry["detail"] == detail.as_str()
        ),
        "{trail}"
    );
}
