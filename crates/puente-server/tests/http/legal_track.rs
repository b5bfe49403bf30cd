//! The legal track through the API and the case's legal page: reports to authorities, the
//! criminal proceeding and its stages, the survivor's participation and its support,
//! certifications and their decisions, relief applications and their steps, perpetrators on a
//! case and linked across cases; each with its role matrix, its audit entries, the tasks its dates
//! become and its refused forms coming back filled in.

use puente_store::AuditQuery;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn days_from_today(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

async fn created_id(response: reqwest::Response) -> i64 {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// The field and the message of a refused request.
async fn refused(response: reqwest::Response) -> (String, String) {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    (
        body["error"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[tokio::test]
async fn the_api_records_the_whole_legal_track_audits_it_and_turns_dates_to_come_into_tasks() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let case_id = app.create_case(&token, "Luis").await;
    let legal = format!("/api/v1/cases/{case_id}/legal");

    let report = app
        .post(
            &token,
            &format!("{legal}/reports"),
            &json!({ "authority": "police", "agency": "Houston Police Department",
                     "reported_on": days_from_today(-30), "reference": "HPD-26-123" }),
        )
        .await;
    created_id(report).await;
    // A report dated tomorrow, or with an unknown authority, is refused naming the field.
    let (field, message) = refused(
        app.post(
            &token,
            &format!("{legal}/reports"),
            &json!({ "authority": "police", "agency": "HPD", "reported_on": days_from_today(1) }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "reported_on");
    assert!(message.contains("todavía no ha llegado"), "{message}");
    let (field, _) = refused(
        app.post(
            &token,
            &format!("{legal}/reports"),
            &json!({ "authority": "sheriff", "agency": "HPD", "reported_on": days_from_today(-1) }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "authority");

    let proceeding = created_id(
        app.post(
            &token,
            &format!("{legal}/proceedings"),
            &json!({ "country": "US", "court_or_office": "Harris County District Court" }),
        )
        .await,
    )
    .await;
    let stages = format!("{legal}/proceedings/{proceeding}/stages");
    created_id(
        app.post(
            &token,
            &stages,
            &json!({ "stage": "investigation", "stage_on": days_from_today(-20) }),
        )
        .await,
    )
    .await;
    let trial_on = days_from_today(45);
    created_id(
        app.post(
            &token,
            &stages,
            &json!({ "stage": "trial", "stage_on": trial_on }),
        )
        .await,
    )
    .await;
    let (field, _) = refused(
        app.post(
            &token,
            &stages,
            &json!({ "stage": "verdict", "stage_on": days_from_today(-1) }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "outcome");
    let (field, _) = refused(
        app.post(
            &token,
            &stages,
            &json!({ "stage": "charges", "stage_on": days_from_today(-1), "outcome": "conviction" }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "outcome");

    let testimony_on = days_from_today(46);
    created_id(
        app.post(
            &token,
            &format!("{legal}/participations"),
            &json!({ "proceeding_id": proceeding, "kind": "testimony",
                     "participated_on": testimony_on,
                     "supports": ["interpreter", "accompaniment"] }),
        )
        .await,
    )
    .await;
    let (field, _) = refused(
        app.post(
            &token,
            &format!("{legal}/participations"),
            &json!({ "proceeding_id": proceeding + 1000, "kind": "statement",
                     "participated_on": days_from_today(-1) }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "proceeding_id");

    let certification = created_id(
        app.post(
            &token,
            &format!("{legal}/certifications"),
            &json!({ "kind": "us_t_visa_declaration", "agency": "FBI Houston",
                     "asked_on": days_from_today(-10) }),
        )
        .await,
    )
    .await;
    let decision = format!("{legal}/certifications/{certification}/decision");
    let (field, _) = refused(
        app.post(
            &token,
            &decision,
            &json!({ "status": "asked", "decided_on": days_from_today(-1) }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "status");
    let response = app
        .post(
            &token,
            &decision,
            &json!({ "status": "signed", "decided_on": days_from_today(-2) }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let application = created_id(
        app.post(
            &token,
            &format!("{legal}/applications"),
            &json!({ "relief": "us_t_visa", "status": "filed", "filed_on": days_from_today(-5) }),
        )
        .await,
    )
    .await;
    let response = app
        .post(
            &token,
            &format!("{legal}/applications/{application}/steps"),
            &json!({ "status": "receipt", "on": days_from_today(-1),
                     "receipt_number": "EAC-26-000-00001" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // A step of another case's application is not found.
    let other_case = app.create_case(&token, "Marta").await;
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{other_case}/legal/applications/{application}/steps"),
            &json!({ "status": "granted", "on": days_from_today(-1) }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let response = app.get(&token, &legal).await;
    assert_eq!(response.status(), StatusCode::OK);
    let track: Value = response.json().await.unwrap();
    assert_eq!(track["reports"][0]["authority_label"], "Policía");
    assert_eq!(track["reports"][0]["reference"], "HPD-26-123");
    let stage_codes: Vec<&str> = track["proceedings"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stage_codes, ["investigation", "trial"]);
    assert_eq!(
        track["participations"][0]["supports"],
        json!(["interpreter", "accompaniment"])
    );
    assert_eq!(track["certifications"][0]["status"], "signed");
    assert_eq!(track["applications"][0]["status"], "receipt");
    assert_eq!(
        track["applications"][0]["receipt_number"],
        "EAC-26-000-00001"
    );
    let reports: Value = app
        .get(&token, &format!("{legal}/reports"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reports.as_array().unwrap().len(), 1);

    // The trial and the testimony to come are tasks on the case, in the reader's language.
    let tasks: Value = plain_client()
        .get(app.url(&format!("/api/v1/cases/{case_id}/tasks")))
        .bearer_auth(&token)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tasks = tasks.as_array().unwrap();
    let trial = tasks
        .iter()
        .find(|task| task["title"] == "Trial — Harris County District Court")
        .unwrap_or_else(|| panic!("{tasks:?}"));
    assert_eq!(trial["due_on"], trial_on.as_str());
    assert_eq!(trial["source"], "legal");
    assert!(tasks.iter().any(|task| task["title"]
        == "Testimony at trial — Harris County District Court"
        && task["due_on"] == testimony_on.as_str()));
    // The investigation's past date made none.
    assert!(!tasks
        .iter()
        .any(|task| task["title"].as_str().unwrap().starts_with("Investigation")));

    // Every write is in the case's audit trail; refused ones wrote nothing.
    let entries = app
        .store
        .audit_entries(&AuditQuery {
            case_id: Some(case_id),
            actor: Some(ADVOCATE.into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let details: Vec<&str> = entries.iter().map(|e| e.detail.as_str()).collect();
    for kind in [
        "authority report",
        "proceeding",
        "certification",
        "relief application",
    ] {
        assert!(
            details.iter().any(|detail| detail.contains(kind)),
            "{kind}: {details:?}"
        );
    }
    assert_eq!(
        details
            .iter()
            .filter(|detail| detail.contains("authority report"))
            .count(),
        1,
        "{details:?}"
    );
    assert!(!details.iter().any(|detail| detail.contains("HPD")));
}

#[tokio::test]
async fn the_role_matrix_of_the_legal_track_api() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let case_id = app.create_case(&advocate, "Rosa").await;
    let reports = format!("/api/v1/cases/{case_id}/legal/reports");
    let body = json!({ "authority": "prosecutor", "agency": "Fiscalía de demostración",
                       "reported_on": days_from_today(-3) });

    // The supervisor of the organisation reads and writes every case of it.
    let supervisor = app.token(SUPERVISOR).await;
    created_id(app.post(&supervisor, &reports, &body).await).await;
    assert_eq!(
        app.get(&supervisor, &format!("/api/v1/cases/{case_id}/legal"))
            .await
            .status(),
        StatusCode::OK
    );
    // An analyst and an organisation admin never see a case's legal track: 403.
    for email in [ANALYST, ADMIN] {
        let token = app.token(email).await;
        assert_eq!(
            app.get(&token, &reports).await.status(),
            StatusCode::FORBIDDEN,
            "{email}"
        );
        assert_eq!(
            app.post(&token, &reports, &body).await.status(),
            StatusCode::FORBIDDEN,
            "{email}"
        );
        assert_eq!(
            app.get(&token, "/api/v1/perpetrators").await.status(),
            StatusCode::FORBIDDEN,
            "{email}"
        );
    }
    // Another organisation's case worker: the case does not exist for them.
    let caseworker = app.token(CASE_WORKER).await;
    assert_eq!(
        app.get(&caseworker, &reports).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&caseworker, &reports, &body).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &caseworker,
            &format!("/api/v1/cases/{case_id}/perpetrators"),
            &json!({ "alias": "El Flaco", "roles": ["Exploiter"] })
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    // The advocate and the case worker do not see perpetrators across cases.
    for token in [&advocate, &caseworker] {
        assert_eq!(
            app.get(token, "/api/v1/perpetrators").await.status(),
            StatusCode::FORBIDDEN
        );
    }
    // Without a token: 401.
    let response = plain_client().get(app.url(&reports)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let listed: Value = app.get(&advocate, &reports).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_demo_recruiter_spelt_three_ways_shows_once_with_his_three_cases_and_the_read_is_audited(
) {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let response = app.get(&supervisor, "/api/v1/perpetrators").await;
    assert_eq!(response.status(), StatusCode::OK);
    let people: Value = response.json().await.unwrap();
    let people = people.as_array().unwrap();
    let first = &people[0];
    assert_eq!(first["case_ids"].as_array().unwrap().len(), 3, "{first}");
    let names: Vec<&str> = first["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "José Luis Hernández Pérez",
            "Jose Luis Hernandez",
            "J. Luis Hernández P."
        ]
    );
    assert_eq!(first["aliases"], json!(["El Chino"]));
    assert!(first["roles"]
        .as_array()
        .unwrap()
        .contains(&json!("RecruiterOrIntermediary")));
    // Nobody else is in three cases.
    assert!(people[1..]
        .iter()
        .all(|person| person["case_ids"].as_array().unwrap().len() < 3));

    // The hotline's supervisor sees the hotline's cases only.
    let hotline = app
        .store
        .organisation_by_slug("hotline-demo")
        .await
        .unwrap()
        .unwrap()
        .id;
    for person in people {
        for case_id in person["case_ids"].as_array().unwrap() {
            let access = app
                .store
                .case_access(case_id.as_i64().unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(access.organisation_id, hotline);
        }
    }

    // A fourth case worker writes him a fourth way: he is still one person, now in four cases.
    let advocate = app.token(ADVOCATE).await;
    let case_id = app.create_case(&advocate, "Edgar").await;
    let perpetrators = format!("/api/v1/cases/{case_id}/perpetrators");
    created_id(
        app.post(
            &advocate,
            &perpetrators,
            &json!({ "given_name": "José Luís", "surname": "Hernández", "alias": "El Chino",
                     "nationality": "GT", "roles": ["RecruiterOrIntermediary"] }),
        )
        .await,
    )
    .await;
    let (field, _) = refused(
        app.post(&advocate, &perpetrators, &json!({ "roles": ["Exploiter"] }))
            .await,
    )
    .await;
    assert_eq!(field, "given_name");
    let (field, _) = refused(
        app.post(
            &advocate,
            &perpetrators,
            &json!({ "alias": "La Tía", "roles": [] }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "roles");
    let on_case: Value = app
        .get(&advocate, &perpetrators)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(on_case.as_array().unwrap().len(), 1);
    assert_eq!(
        on_case[0]["role_labels"],
        json!(["Reclutador o intermediario"])
    );

    let people: Value = app
        .get(&supervisor, "/api/v1/perpetrators")
        .await
        .json()
        .await
        .unwrap();
    let first = &people[0];
    assert_eq!(first["case_ids"].as_array().unwrap().len(), 4, "{first}");
    assert!(first["case_ids"]
        .as_array()
        .unwrap()
        .contains(&json!(case_id)));

    let entries = app
        .store
        .audit_entries(&AuditQuery {
            actor: Some(SUPERVISOR.into()),
            record_type: Some("perpetrator".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(entries.iter().all(|entry| entry.action == "list"));
    assert!(!entries.iter().any(|entry| entry.detail.contains("Hern")));
}

#[tokio::test]
async fn the_legal_page_records_each_part_and_a_refused_form_comes_back_filled_in() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let case_id = app.create_case(&token, "Luis").await;
    let client = browser();
    app.web_login(&client, ADVOCATE, PASSWORD).await;
    let legal = format!("/cases/{case_id}/legal");
    let html = app.page(&client, &legal, StatusCode::OK).await;
    for form in [
        "report-form",
        "proceeding-form",
        "participation-form",
        "certification-form",
        "application-form",
        "perpetrator-form",
    ] {
        assert!(html.contains(&format!("id=\"{form}\"")), "{form}");
    }
    // The advocate is no supervisor: no link to the perpetrators across cases.
    assert!(!html.contains("id=\"perpetrators-link\""));
    let csrf = csrf_token_of(&html);

    // A proceeding, then its trial set for a day to come.
    let response = client
        .post(app.url(&format!("{legal}/proceeding")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("court_or_office", "Juzgado de demostración"),
            ("country", "hn"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = app.page(&client, &legal, StatusCode::OK).await;
    assert!(
        html.contains("Juzgado de demostración · Honduras"),
        "{html}"
    );
    let proceeding_id = html
        .split("id=\"stage-form-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();

    // A verdict without its outcome: the page again, 422, the form filled in and open, the
    // message next to the outcome, in Spanish; nothing written.
    let trial_on = days_from_today(30);
    let response = client
        .post(app.url(&format!("{legal}/stage/{proceeding_id}")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("stage", "verdict"),
            ("stage_on", trial_on.as_str()),
            ("outcome", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&response.text().await.unwrap());
    assert!(
        html.contains("<option value=\"verdict\" selected>"),
        "{html}"
    );
    assert!(html.contains(&format!("value=\"{trial_on}\"")));
    assert!(html.contains(&format!(
        "id=\"stage-form-{proceeding_id}-outcome-error\">Indique el resultado de la sentencia.</p>"
    )));
    assert!(html.contains("aria-invalid=\"true\""));
    let response = client
        .post(app.url(&format!("{legal}/stage/{proceeding_id}")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("stage", "trial"),
            ("stage_on", trial_on.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = app.page(&client, &legal, StatusCode::OK).await;
    assert!(html.contains(&format!("{trial_on} Juicio")));
    let case_page = app
        .page(&client, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(
        unescape(&case_page).contains("Juicio — Juzgado de demostración"),
        "the trial is a task on the case"
    );

    // A perpetrator without a role comes back with the names as typed.
    let response = client
        .post(app.url(&format!("{legal}/perpetrator")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("given_name", "Marvin"),
            ("surname", "Orellana"),
            ("alias", "El Flaco"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&response.text().await.unwrap());
    assert!(html.contains("value=\"Orellana\""));
    assert!(html.contains("value=\"El Flaco\""));
    assert!(html.contains("Elija al menos un papel."));
    let response = client
        .post(app.url(&format!("{legal}/perpetrator")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("given_name", "Marvin"),
            ("surname", "Orellana"),
            ("roles", "Exploiter"),
            ("roles", "ControlledIndividual"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // A participation with the support given, a certification and its decision, an application.
    for (form, fields) in [
        (
            "participation",
            vec![
                ("kind", "statement"),
                ("participated_on", "2026-01-10"),
                ("supports", "interpreter"),
                ("supports", "psychological_support"),
            ],
        ),
        (
            "certification",
            vec![
                ("kind", "us_u_visa_certification"),
                ("agency", "Fiscalía de demostración"),
                ("asked_on", "2026-01-11"),
            ],
        ),
        (
            "application",
            vec![("relief", "us_sijs"), ("status", "preparing")],
        ),
    ] {
        let mut body = vec![("csrf_token", csrf.as_str())];
        body.extend(fields);
        let response = client
            .post(app.url(&format!("{legal}/{form}")))
            .form(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{form}");
    }
    let html = unescape(&app.page(&client, &legal, StatusCode::OK).await);
    assert!(html.contains("Marvin Orellana: Explotador, Controló a la persona"));
    assert!(html.contains("2026-01-10: Declaración. Apoyo brindado: Intérprete, Apoyo psicológico"));
    assert!(html.contains("Estatus Especial de Inmigrante Juvenil") || html.contains("SIJS"));
    let certification_id = html
        .split("id=\"decision-form-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let response = client
        .post(app.url(&format!("{legal}/decision/{certification_id}")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("status", "refused"),
            ("decided_on", "2026-02-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = unescape(&app.page(&client, &legal, StatusCode::OK).await);
    assert!(
        html.contains("<span class=\"status\">Denegada</span> 2026-02-01"),
        "{html}"
    );
    assert!(!html.contains("id=\"decision-form-"));

    // An unknown form is not found; an analyst is refused.
    let response = client
        .post(app.url(&format!("{legal}/verdicts")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_perpetrators_page_is_a_supervisors_and_lists_the_recruiter_once() {
    let app = spawn_app().await;
    let supervisor = browser();
    app.web_login(&supervisor, SUPERVISOR, PASSWORD).await;
    let html = unescape(&app.page(&supervisor, "/perpetrators", StatusCode::OK).await);
    assert!(html.contains("<h1>Personas agresoras en todos los casos</h1>"));
    let first = html.split("id=\"person-1\"").nth(1).unwrap();
    let first = first.split("</article>").next().unwrap();
    assert!(
        first.contains("José Luis Hernández Pérez · Jose Luis Hernandez · J. Luis Hernández P."),
        "{first}"
    );
    assert!(first.contains("«El Chino»"));
    assert!(first.contains("3 casos"));
    assert_eq!(first.matches("/legal\">#").count(), 3);
    for email in [ADVOCATE, ANALYST] {
        let client = browser();
        app.web_login(&client, email, PASSWORD).await;
        app.page(&client, "/perpetrators", StatusCode::FORBIDDEN)
            .await;
    }
}

#[tokio::test]
async fn an_application_whose_status_and_filing_date_disagree_is_refused_in_spanish_naming_the_field(
) {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let case_id = app.create_case(&token, "Rosa").await;
    let applications = format!("/api/v1/cases/{case_id}/legal/applications");
    let (field, message) = refused(
        app.post(
            &token,
            &applications,
            &json!({ "relief": "us_t_visa", "status": "preparing", "filed_on": days_from_today(-5) }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "filed_on");
    assert!(
        message.contains("no tiene fecha de presentación"),
        "{message}"
    );
    let (field, message) = refused(
        app.post(
            &token,
            &applications,
            &json!({ "relief": "us_t_visa", "status": "filed" }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "filed_on");
    assert!(message.contains("fecha en que se presentó"), "{message}");
    let application = created_id(
        app.post(
            &token,
            &applications,
            &json!({ "relief": "us_t_visa", "status": "preparing" }),
        )
        .await,
    )
    .await;
    let (field, message) = refused(
        app.post(
            &token,
            &format!("{applications}/{application}/steps"),
            &json!({ "status": "preparing", "on": days_from_today(-1) }),
        )
        .await,
    )
    .await;
    assert_eq!(field, "status");
    assert!(message.contains("no puede volver"), "{message}");
    // Nothing was recorded but the one application being prepared.
    let track: Value = app
        .get(&token, &format!("/api/v1/cases/{case_id}/legal"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(track["applications"].as_array().unwrap().len(), 1);
    assert_eq!(track["applications"][0]["status"], "preparing");
}
