//! What a case worker reads of a screening: labels not codes, the reader's language at read
//! time, the directory's hotlines, and a questionnaire that counts right and asks only what the
//! case does not know.

use puente_core::Vocabulary;
use puente_screening::questionnaire::{Answers, Questionnaire};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// Screens a Guatemalan man in Guatemala through the API, in Spanish; returns the case id.
async fn screened_case(app: &TestApp, token: &str) -> i64 {
    let id = app.create_case(token, "Mario").await;
    let response = plain_client()
        .post(app.url(&format!("/api/v1/cases/{id}/screenings")))
        .bearer_auth(token)
        .header("accept-language", "es")
        .json(&json!({ "person": { "age": 30, "sex": "M", "nationality": "GT", "current_country": "GT" },
                       "facts": ["act_recruited", "means_debt_bondage", "activity_labour"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    id
}

async fn stored_screenings(app: &TestApp, token: &str, id: i64, language: &str) -> Value {
    plain_client()
        .get(app.url(&format!("/api/v1/cases/{id}/screenings")))
        .bearer_auth(token)
        .header("accept-language", language)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stored_screening_is_read_in_the_readers_language_with_labels_and_the_directorys_hotline()
{
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let id = screened_case(&app, &token).await;

    let english = stored_screenings(&app, &token, id, "en").await;
    let result = &english[0]["result"];
    let explanation = result["explanation"].to_string();
    let next_steps = result["next_steps"].to_string();
    assert!(explanation.contains("“Debt bondage”"), "{explanation}");
    assert!(next_steps.contains("Refer to legal advice"), "{next_steps}");
    assert!(!next_steps.contains("Derivar"), "{next_steps}");
    // The Guatemalan hotline of the service directory, not "no hotline is recorded".
    assert!(next_steps.contains("+502 2200 0000"), "{next_steps}");
    assert!(!next_steps.contains("No hotline"), "{next_steps}");
    // Codes stay in the JSON fields, never in the words.
    assert_eq!(
        result["frameworks"]["palermo"]["means"],
        json!(["means_debt_bondage"])
    );
    for fact in puente_screening::Fact::all() {
        assert!(!explanation.contains(fact.code()), "{explanation}");
    }

    let spanish = stored_screenings(&app, &token, id, "es").await;
    let explanation = spanish[0]["result"]["explanation"].to_string();
    assert!(
        explanation.contains("«Reclutado, contratado"),
        "{explanation}"
    );
    assert!(spanish[0]["result"]["next_steps"]
        .to_string()
        .contains("Derivar a asesoría legal"));

    // The page, read in English, shows the English words.
    let client = app.logged_in(ADVOCATE).await;
    let screening_id = english[0]["id"].as_i64().unwrap();
    let response = client
        .get(app.url(&format!("/cases/{id}/screenings/{screening_id}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("Refer to legal advice"), "{html}");
    // The case lists the screening by its questionnaire's name, not its code.
    let response = client
        .get(app.url(&format!("/cases/{id}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let case_page = response.text().await.unwrap();
    assert!(case_page.contains("(through the API, "), "{case_page}");
    assert!(!html.contains("act_recruited") && !html.contains("FFC means"));
}

#[tokio::test]
async fn the_questionnaire_counts_answered_of_the_total_and_does_not_ask_a_known_age() {
    let (app, _, id) = spawn_app_with_case(ADVOCATE, "Ana").await; // born 2010-04: the age is known
    let client = app.logged_in(ADVOCATE).await;
    let page = app
        .page(
            &client,
            &format!("/cases/{id}/screenings/new?kind=child"),
            StatusCode::OK,
        )
        .await;
    assert!(!page.contains("name=\"answer\""), "the age is asked again");
    assert_eq!(
        hidden_field(&page, "question").as_deref(),
        Some("unaccompanied")
    );
    let counter = page
        .split("preguntas")
        .next()
        .and_then(|before| before.rsplit('·').next())
        .unwrap()
        .trim()
        .to_string();
    let numbers: Vec<usize> = counter
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    // "1 de unas N": the known age counts as answered, of every question the run has now.
    let questionnaire = Questionnaire::child();
    let mut answers = Answers::default();
    answers.know_age(Some(16));
    let progress = questionnaire.progress(&answers);
    assert_eq!(numbers, [1, progress.total()], "{counter}");
    assert!(progress.total() > progress.left);
}

#[tokio::test]
async fn the_receiving_organisation_reads_a_shared_screening_in_its_own_language() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let id = screened_case(&app, &token).await;
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/referrals"),
            &json!({ "to_org": "shelter-demo", "services": ["shelter-demo-casa-ninas"],
                     "share": ["screening"], "consent": true }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let referral: Value = response.json().await.unwrap();
    let referral_id = referral["id"].as_i64().unwrap();
    let worker = app.token(CASE_WORKER).await;
    let accepted = app
        .post(
            &worker,
            &format!("/api/v1/referrals/{referral_id}/accept"),
            &json!({}),
        )
        .await;
    assert!(accepted.status().is_success());
    for (language, expected, not_expected) in [
        ("en", "Refer to legal advice", "Derivar"),
        ("es", "Derivar a asesoría legal", "Refer to"),
    ] {
        let shared: Value = plain_client()
            .get(app.url(&format!("/api/v1/referrals/{referral_id}/case")))
            .bearer_auth(&worker)
            .header("accept-language", language)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(shared["screenings"][0].get("input").is_none(), "{shared}");
        let steps = shared["screenings"][0]["result"]["next_steps"].to_string();
        assert!(steps.contains(expected), "{language}: {steps}");
        assert!(!steps.contains(not_expected), "{language}: {steps}");
    }
}
