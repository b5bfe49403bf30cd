//! The case's legal protection section: the relief options from the latest screening, the relief
//! questions one per page (each answer stored with the rule-set version), a report to the police,
//! and the role matrix (advocate and supervisor in, analyst 403, another organisation 404).

use puente_store::StoreError;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

/// A 16-year-old Honduran boy alone in Houston, held by a debt on a job: the case, its screening
/// through the API, and the advocate's browser.
async fn hotline(app: &TestApp) -> i64 {
    app.store
        .organisation_by_slug("hotline-demo")
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn screened_case(app: &TestApp) -> (i64, reqwest::Client) {
    let token = app.token(ADVOCATE).await;
    let case_id = app.create_case(&token, "Luis").await;
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{case_id}/screenings"),
            &json!({ "person": { "age": 16, "sex": "M", "nationality": "HN", "current_country": "US",
                                 "unaccompanied": true },
                     "facts": ["act_recruited", "means_debt_bondage", "activity_labour"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let client = app.logged_in(ADVOCATE).await;
    (case_id, client)
}

#[tokio::test]
async fn the_advocate_sees_sijs_the_t_visa_and_the_tvpra_steps_answers_and_records_the_report() {
    let app = spawn_app().await;
    let (case_id, client) = screened_case(&app).await;
    let case_page = app
        .page(&client, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(case_page.contains(&format!("href=\"/cases/{case_id}/legal\"")));

    let html = app
        .page(&client, &format!("/cases/{case_id}/legal"), StatusCode::OK)
        .await;
    let html = unescape(&html);
    assert!(html.contains("<h1>Protección legal</h1>"), "{html}");
    assert!(html.contains("id=\"option-us_t_visa\""));
    assert!(html.contains("id=\"option-us_sijs\""));
    assert!(html.contains("Oficina de Reasentamiento de Refugiados (ORR) dentro de las 72 horas"));
    assert!(html.contains("Reglas de protección legal, versión 2026.12.1"));
    assert!(html.contains("id=\"relief-questions\""));

    // The questions, one per page: yes to each, until none is left.
    let mut answered = 0;
    let mut asked: Vec<String> = Vec::new();
    let mut location = format!("/cases/{case_id}/legal/questions");
    loop {
        let response = client.get(app.url(&location)).send().await.unwrap();
        if response.status() == StatusCode::SEE_OTHER {
            let next = response.headers()["location"].to_str().unwrap().to_string();
            assert!(next.ends_with("/legal?done=answered"), "{next}");
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        assert_eq!(
            page.matches("id=\"question-text\"").count(),
            1,
            "one question a page"
        );
        let question = hidden_field(&page, "question").unwrap();
        asked.push(question.clone());
        // Not married; yes to every relief fact.
        let choice = if question == "married" { "no" } else { "yes" };
        let response = app
            .post_form(
                &client,
                &format!("/cases/{case_id}/legal/questions"),
                &[
                    ("csrf_token", csrf_token_of(&page)),
                    ("question", question),
                    (
                        "answered",
                        hidden_field(&page, "answered").unwrap_or_default(),
                    ),
                    ("choice", choice.to_string()),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        location = response.headers()["location"].to_str().unwrap().to_string();
        answered += 1;
        assert!(answered < 30, "the questions end");
    }
    assert!(answered >= 5, "only {answered} questions");
    assert!(asked.iter().any(|q| q == "married"), "{asked:?}");
    assert!(
        asked
            .iter()
            .any(|q| q == "rel_juvenile_court_findings"
                || q == "rel_parent_abuse_neglect_abandonment")
            || asked.contains(&"rel_present_on_account".to_string()),
        "{asked:?}"
    );
    let assessments = app
        .store
        .relief_assessments(hotline(&app).await, case_id)
        .await
        .unwrap();
    assert_eq!(assessments.len(), answered);
    assert!(assessments
        .iter()
        .all(|a| a.assessment.rule_set_version == "2026.12.1"));
    let last: puente_screening::relief::ReliefResult =
        serde_json::from_value(assessments.last().unwrap().assessment.result.clone()).unwrap();
    assert_eq!(
        last.option(puente_core::relief_facts::ReliefOptionKind::UsTVisa)
            .status,
        puente_screening::relief::ReliefStatus::Likely
    );
    // Abandoned by a parent, with the court's findings, not married: SIJS is likely.
    let sijs = last.option(puente_core::relief_facts::ReliefOptionKind::UsSijs);
    assert_eq!(
        sijs.status,
        puente_screening::relief::ReliefStatus::Likely,
        "{sijs:?}"
    );

    // The report to the police.
    let html = app
        .page(&client, &format!("/cases/{case_id}/legal"), StatusCode::OK)
        .await;
    let response = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/legal/reports"),
            &[
                ("csrf_token", csrf_token_of(&html).as_str()),
                ("authority", "police"),
                ("agency", "Houston Police Department"),
                ("reported_on", "2026-03-04"),
                ("reference", "HPD-26-123"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = app
        .page(&client, &format!("/cases/{case_id}/legal"), StatusCode::OK)
        .await;
    assert!(html.contains("2026-03-04: Policía, Houston Police Department (HPD-26-123)"));

    // A bad date is refused, naming the field, and nothing is written.
    let response = client
        .post(app.url(&format!("/cases/{case_id}/legal/reports")))
        .form(&[
            ("csrf_token", csrf_token_of(&html).as_str()),
            ("authority", "police"),
            ("agency", "HPD"),
            ("reported_on", "04/03/2026"),
        ])
        .send()
        .await
        .unwrap();
    // The form comes back filled in, the message next to the date.
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = unescape(&response.text().await.unwrap());
    assert!(refused.contains("value=\"04/03/2026\""), "{refused}");
    assert!(refused.contains("id=\"report-form-reported_on-error\">«04/03/2026» no es una fecha"));
    assert_eq!(
        app.store
            .legal_track(hotline(&app).await, case_id)
            .await
            .unwrap()
            .reports
            .len(),
        1
    );
}

#[tokio::test]
async fn the_role_matrix_of_the_legal_section() {
    let app = spawn_app().await;
    let (case_id, advocate) = screened_case(&app).await;
    let legal = format!("/cases/{case_id}/legal");
    let questions = format!("/cases/{case_id}/legal/questions");
    app.page(&advocate, &legal, StatusCode::OK).await;

    let supervisor = app.logged_in(SUPERVISOR).await;
    let html = app.page(&supervisor, &legal, StatusCode::OK).await;
    assert!(html.contains("id=\"report-form\""));

    // An analyst never sees a case: 403, for reading and for writing.
    let analyst = app.logged_in(ANALYST).await;
    app.page(&analyst, &legal, StatusCode::FORBIDDEN).await;
    app.page(&analyst, &questions, StatusCode::FORBIDDEN).await;
    let overview = app.page(&analyst, "/dashboard", StatusCode::OK).await;
    let response = app
        .post_form(
            &analyst,
            &format!("/cases/{case_id}/legal/reports"),
            &[
                ("csrf_token", csrf_token_of(&overview).as_str()),
                ("authority", "police"),
                ("agency", "HPD"),
                ("reported_on", "2026-03-04"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Another organisation's case worker: the case does not exist for them.
    let caseworker = app.logged_in(CASE_WORKER).await;
    app.page(&caseworker, &legal, StatusCode::NOT_FOUND).await;
    app.page(&caseworker, &questions, StatusCode::NOT_FOUND)
        .await;
    let shelter = app
        .store
        .organisation_by_slug("shelter-demo")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(matches!(
        app.store.legal_track(shelter, case_id).await,
        Err(StoreError::NotFound { .. })
    ));

    // Without a session: to the login page.
    let response = plain_client().get(app.url(&legal)).send().await.unwrap();
    assert!(
        response.status() == StatusCode::SEE_OTHER || response.status() == StatusCode::UNAUTHORIZED,
        "{}",
        response.status()
    );
    assert!(app
        .store
        .legal_track(hotline(&app).await, case_id)
        .await
        .unwrap()
        .reports
        .is_empty());
}

#[tokio::test]
async fn the_annual_report_page_publishes_only_through_the_disclosure_rules() {
    let app = spawn_app().await;
    let analyst = app.logged_in(ANALYST).await;
    let dashboard = app.page(&analyst, "/dashboard", StatusCode::OK).await;
    assert!(dashboard.contains("href=\"/dashboard/annual\""));
    let year = time::OffsetDateTime::now_utc().year();
    let html = app
        .page(&analyst, "/dashboard/annual", StatusCode::OK)
        .await;
    let raw = html.clone();
    let html = unescape(&html);
    assert!(
        html.contains(&format!("<h1>Informe anual {year}</h1>")),
        "{html}"
    );
    for id in [
        "identified_by_sex",
        "figures",
        "relief_sought_by_type",
        "reports_by_authority",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    // Every count shown is 3 or more; the others read <3.
    let mut cells = 0;
    for cell in raw.split("<td class=\"count\">").skip(1) {
        let value = cell.split('<').next().unwrap();
        cells += 1;
        assert!(
            value == "&lt;3" || value.parse::<u64>().is_ok_and(|n| n >= 3),
            "{value}"
        );
    }
    assert!(cells > 10, "{cells} cells");
    app.page(
        &analyst,
        "/dashboard/annual?year=20x6",
        StatusCode::BAD_REQUEST,
    )
    .await;
    // An advocate sees no aggregates.
    let advocate = app.logged_in(ADVOCATE).await;
    app.page(&advocate, "/dashboard/annual", StatusCode::FORBIDDEN)
        .await;
}
