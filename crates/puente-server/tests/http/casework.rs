//! Case work across the team and across organisations: the organisation's setting of whether
//! advocates see the team's cases, a referral's urgency, reason and contact person as the
//! receiver reads them, and the tasks in the case file.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A second advocate of the hotline, made by its admin; returns their token.
async fn second_advocate(app: &TestApp) -> String {
    let admin = app.token(ADMIN).await;
    let response = app
        .post(
            &admin,
            "/api/v1/users",
            &json!({ "email": "advocate2@hotline.demo", "display_name": "Marta Colega",
                     "role": "advocate", "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    app.token("advocate2@hotline.demo").await
}

/// What a colleague reaches of one case: (in the list, found by the search, the case read, the
/// case file).
async fn what_a_colleague_reaches(app: &TestApp, token: &str, case_id: i64) -> [bool; 4] {
    let listed: Value = app.get(token, "/api/v1/cases").await.json().await.unwrap();
    let in_list = listed["cases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|case| case["id"] == case_id);
    let found: Value = app
        .get(token, "/api/v1/cases?q=eulalia")
        .await
        .json()
        .await
        .unwrap();
    let in_search = found["cases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|case| case["id"] == case_id);
    let read = app.get(token, &format!("/api/v1/cases/{case_id}")).await;
    let export = app
        .get(token, &format!("/api/v1/cases/{case_id}/export.pdf"))
        .await;
    for status in [read.status(), export.status()] {
        assert!(
            status == StatusCode::OK || status == StatusCode::NOT_FOUND,
            "{status}"
        );
    }
    [
        in_list,
        in_search,
        read.status() == StatusCode::OK,
        export.status() == StatusCode::OK,
    ]
}

#[tokio::test]
async fn advocates_see_their_teams_cases_only_when_the_organisation_says_so() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let colleague = second_advocate(&app).await;
    let admin = app.token(ADMIN).await;
    let case_id = app.create_case(&advocate, "Eulalia").await;

    // Off, the default: the colleague reaches nothing of it; its owner reaches all of it.
    let settings: Value = app
        .get(&admin, "/api/v1/organisation/settings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings["advocates_see_team_cases"], false);
    assert_eq!(
        what_a_colleague_reaches(&app, &colleague, case_id).await,
        [false; 4]
    );
    assert_eq!(
        what_a_colleague_reaches(&app, &advocate, case_id).await,
        [true; 4]
    );

    // Only an admin changes the setting; a wrong value changes nothing.
    let path = "/api/v1/organisation/settings";
    let on = json!({ "advocates_see_team_cases": true });
    assert_eq!(
        app.put(&advocate, path, &on).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.put(&admin, path, &json!({ "advocates_see_team_cases": "sí" }))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        what_a_colleague_reaches(&app, &colleague, case_id).await,
        [false; 4]
    );

    // On: the colleague reaches the case in the list, the search, a read and the case file.
    let response = app.put(&admin, path, &on).await;
    assert_eq!(response.status(), StatusCode::OK);
    let settings: Value = response.json().await.unwrap();
    assert_eq!(settings["advocates_see_team_cases"], true);
    // A setting left out keeps its value.
    assert_eq!(settings["require_totp_for_admins"], false);
    assert_eq!(
        what_a_colleague_reaches(&app, &colleague, case_id).await,
        [true; 4]
    );
    // Another organisation's users still reach nothing.
    let worker = app.token(CASE_WORKER).await;
    assert_eq!(
        app.get(&worker, &format!("/api/v1/cases/{case_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // The admin page turns it off again (an unticked box), and the colleague loses the case.
    let browser = browser();
    app.web_login(&browser, ADMIN, PASSWORD).await;
    let page = app.page(&browser, "/admin", StatusCode::OK).await;
    assert!(
        page.contains("id=\"advocates-see-team-cases\" checked"),
        "{page}"
    );
    assert!(page.contains("ven los casos de todo el equipo"), "{page}");
    let response = browser
        .post(app.url("/admin/settings"))
        .form(&[("csrf_token", csrf_token_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        what_a_colleague_reaches(&app, &colleague, case_id).await,
        [false; 4]
    );
    let changes = app
        .store
        .audit_entries(&puente_store::AuditQuery::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.record_type == "organisation" && entry.detail == "settings")
        .count();
    assert_eq!(changes, 2, "each change of the settings is audited");
}

#[tokio::test]
async fn the_receiver_reads_the_urgency_the_reason_and_whom_to_call() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let worker = app.token(CASE_WORKER).await;
    let case_id = crate::referrals::hotline_case(&app, &advocate).await;
    let path = format!("/api/v1/cases/{case_id}/referrals");
    let body = |urgency: &str| {
        json!({ "to_org": "shelter-demo", "share": ["identity"], "consent": true,
                "urgency": urgency, "reason": "AdditionalServicesRequired",
                "reason_note": "Necesita un lugar seguro esta noche",
                "contact_person": { "name": "Lucía Pérez", "details": "+502 5555 0100" } })
    };
    // An urgency that is not one of the vocabulary's is refused, and nothing is sent.
    let response = app.post(&advocate, &path, &body("mañana")).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sent: Value = app
        .get(&advocate, "/api/v1/referrals")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sent["sent"], json!([]), "{sent}");

    let response = app.post(&advocate, &path, &body("immediate")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let referral_id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let received: Value = app
        .get(&worker, &format!("/api/v1/referrals/{referral_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(received["urgency"], "immediate");
    assert_eq!(received["reason"], "AdditionalServicesRequired");
    assert_eq!(
        received["reason_note"],
        "Necesita un lugar seguro esta noche"
    );
    assert_eq!(received["contact_person"]["name"], "Lucía Pérez");
    assert_eq!(received["contact_person"]["details"], "+502 5555 0100");

    // The shelter's pages show them as words, never codes.
    let browser = browser();
    app.web_login(&browser, CASE_WORKER, PASSWORD).await;
    let page = app
        .page(
            &browser,
            &format!("/referrals/{referral_id}"),
            StatusCode::OK,
        )
        .await;
    for expected in [
        "Inmediata (hoy mismo)",
        "Se requieren servicios adicionales",
        "Necesita un lugar seguro esta noche",
        "Lucía Pérez · +502 5555 0100",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    let list = app.page(&browser, "/referrals", StatusCode::OK).await;
    assert!(list.contains("Inmediata (hoy mismo)"), "{list}");
}

#[tokio::test]
async fn the_referral_form_offers_organisations_by_name_and_comes_back_with_what_was_typed() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let case_id = crate::referrals::hotline_case(&app, &advocate).await;
    let browser = browser();
    app.web_login(&browser, ADVOCATE, PASSWORD).await;
    let form = app
        .page(&browser, &format!("/cases/{case_id}/refer"), StatusCode::OK)
        .await;
    assert!(form.contains(">Albergue Demo</option>"), "{form}");
    assert!(
        !form.contains(">shelter-demo<"),
        "no slug is offered: {form}"
    );
    assert!(form.contains("Inmediata (hoy mismo)"), "{form}");
    let shelter: Value = app
        .get(&advocate, "/api/v1/orgs")
        .await
        .json()
        .await
        .unwrap();
    let shelter_id = shelter
        .as_array()
        .unwrap()
        .iter()
        .find(|organisation| organisation["slug"] == "shelter-demo")
        .map(|organisation| organisation["id"].as_i64().unwrap())
        .unwrap();
    // No contact name: refused next to the field, with the reason typed kept; nothing sent.
    let response = browser
        .post(app.url(&format!("/cases/{case_id}/refer")))
        .form(&[
            ("csrf_token", csrf_token_of(&form).as_str()),
            ("to_org", shelter_id.to_string().as_str()),
            ("urgency", "urgent"),
            ("reason", "AdditionalServicesRequired"),
            ("reason_note", "Pide asesoría legal"),
            ("contact_name", " "),
            ("contact_details", ""),
            ("share", "identity"),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let again = response.text().await.unwrap();
    assert!(again.contains("id=\"contact-error\""), "{again}");
    assert!(again.contains("Pide asesoría legal"), "{again}");
    let sent: Value = app
        .get(&advocate, "/api/v1/referrals")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sent["sent"], json!([]));
}

#[tokio::test]
async fn the_case_file_lists_the_cases_tasks() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let case_id = app.create_case(&advocate, "Begoña").await;
    let response = app
        .post(
            &advocate,
            &format!("/api/v1/cases/{case_id}/tasks"),
            &json!({ "title": "Llamar al consulado de Honduras", "due_on": "2026-12-04" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/cases/{case_id}/export.pdf")))
        .bearer_auth(&advocate)
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = crate::records::pdf_text(&response.bytes().await.unwrap());
    for expected in ["Tareas", "Llamar al consulado de Honduras", "2026-12-04"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}

/// Two records of one person, each with something the other lacks, as the API takes them.
fn jorge_full() -> Value {
    json!({ "given_name": "Jorge", "middle_name": "José", "surname": "Hernández",
            "second_surname": "Díaz", "alias": "Chepe", "sex": "Male", "date_of_birth": "1990-05-12",
            "nationality": "HN", "languages": ["Español"], "current_country": "HN",
            "current_place": "Choluteca" })
}

fn jorge_sparse() -> Value {
    json!({ "given_name": "Jorge", "surname": "Hernandez", "second_surname": "Diaz",
            "estimated_age": 36, "phone": "+504 9999 0101", "current_place": "San Pedro Sula" })
}

/// Creates a case for a person; returns the case and its person.
async fn case_for(app: &TestApp, token: &str, person: Value) -> (i64, i64) {
    let response = app
        .post(token, "/api/v1/cases", &json!({ "person": person }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let case_id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let case: Value = app
        .get(token, &format!("/api/v1/cases/{case_id}"))
        .await
        .json()
        .await
        .unwrap();
    (case_id, case["person_id"].as_i64().unwrap())
}

async fn person_of_case(app: &TestApp, token: &str, case_id: i64) -> (i64, Value) {
    let case: Value = app
        .get(token, &format!("/api/v1/cases/{case_id}"))
        .await
        .json()
        .await
        .unwrap();
    (case["person_id"].as_i64().unwrap(), case["person"].clone())
}

/// The fields of a person as the API answers them, without those left empty.
fn filled(person: &Value) -> serde_json::Map<String, Value> {
    person
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, value)| !value.is_null() && **value != json!([]))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

#[tokio::test]
async fn a_merge_keeps_every_field_and_its_undo_gives_every_field_back() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let (full_case, full) = case_for(&app, &supervisor, jorge_full()).await;
    let (sparse_case, sparse) = case_for(&app, &supervisor, jorge_sparse()).await;
    let (_, full_before) = person_of_case(&app, &supervisor, full_case).await;
    let (_, sparse_before) = person_of_case(&app, &supervisor, sparse_case).await;

    // Side by side, each field preset: the accents and every non-empty value are kept.
    let preview: Value = app
        .get(
            &supervisor,
            &format!("/api/v1/persons/merge?kept_person_id={sparse}&merged_person_id={full}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let preset = |field: &str| {
        preview["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["field"] == field)
            .unwrap()["preset"]
            .clone()
    };
    assert_eq!(preset("surname"), "merged", "{preview}");
    assert_eq!(preset("middle_name"), "merged");
    assert_eq!(preset("phone"), "kept");
    assert_eq!(preview["kept"]["cases"], json!([sparse_case]));

    // Only a supervisor merges; an unknown field is refused; nothing changes.
    let advocate = app.token(ADVOCATE).await;
    let body = json!({ "kept_person_id": sparse, "merged_person_id": full,
                       "choices": { "current_place": "merged" } });
    assert_eq!(
        app.post(&advocate, "/api/v1/persons/merge", &body)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let wrong = json!({ "kept_person_id": sparse, "merged_person_id": full,
                        "choices": { "apellido": "merged" } });
    assert_eq!(
        app.post(&supervisor, "/api/v1/persons/merge", &wrong)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(person_of_case(&app, &supervisor, full_case).await.0, full);

    let response = app.post(&supervisor, "/api/v1/persons/merge", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let merge: Value = response.json().await.unwrap();
    assert_eq!(merge["moved_cases"], json!([full_case]));
    assert_eq!(merge["choices"]["current_place"], "merged");
    let merge_id = merge["merge_id"].as_i64().unwrap();
    // Both cases read the merged person: the full record's every value, and the sparse one's
    // values the full one lacked.
    let mut expected = filled(&full_before);
    expected.insert("estimated_age".into(), json!(36));
    expected.insert("phone".into(), sparse_before["phone"].clone());
    for case_id in [full_case, sparse_case] {
        let (person_id, person) = person_of_case(&app, &supervisor, case_id).await;
        assert_eq!(person_id, sparse);
        assert_eq!(filled(&person), expected, "case {case_id}");
    }
    // The value replaced stays in the history.
    let history: Value = app
        .get(&supervisor, &format!("/api/v1/cases/{sparse_case}/history"))
        .await
        .json()
        .await
        .unwrap();
    assert!(history.to_string().contains("San Pedro Sula"), "{history}");

    // Undone: every field of both records is back, and each case has its own person again.
    let undo = format!("/api/v1/persons/merges/{merge_id}/undo");
    assert_eq!(
        app.post(&advocate, &undo, &json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    let response = app.post(&supervisor, &undo, &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap()["moved_back"],
        json!([full_case])
    );
    for (case_id, person_id, before) in [
        (full_case, full, &full_before),
        (sparse_case, sparse, &sparse_before),
    ] {
        let (now_id, now) = person_of_case(&app, &supervisor, case_id).await;
        assert_eq!(now_id, person_id);
        assert_eq!(filled(&now), filled(before), "case {case_id}");
    }
    assert_eq!(
        app.post(&supervisor, &undo, &json!({})).await.status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn the_merge_pages_compare_confirm_first_and_undo() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let (full_case, full) = case_for(&app, &supervisor, jorge_full()).await;
    let (sparse_case, sparse) = case_for(&app, &supervisor, jorge_sparse()).await;
    let browser = browser();
    app.web_login(&browser, SUPERVISOR, PASSWORD).await;
    let compare = app
        .page(
            &browser,
            &format!(
                "/persons/merge?kept_person_id={sparse}&merged_person_id={full}&case_id={sparse_case}"
            ),
            StatusCode::OK,
        )
        .await;
    assert!(compare.contains("Hernández") && compare.contains("Hernandez"));
    assert!(
        compare.contains("name=\"choice_surname\" value=\"merged\" checked"),
        "{compare}"
    );
    let csrf = csrf_token_of(&compare);
    let form = |confirmed: bool| {
        let mut fields = vec![
            ("csrf_token".to_string(), csrf.clone()),
            ("kept_person_id".to_string(), sparse.to_string()),
            ("merged_person_id".to_string(), full.to_string()),
            ("case_id".to_string(), sparse_case.to_string()),
            ("choice_current_place".to_string(), "merged".to_string()),
        ];
        if confirmed {
            fields.push(("confirmed".to_string(), "yes".to_string()));
        }
        fields
    };
    // The confirmation comes first: it shows the result and changes nothing.
    let response = browser
        .post(app.url("/persons/merge"))
        .form(&form(false))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let confirm = response.text().await.unwrap();
    assert!(
        confirm.contains("Todavía no se ha cambiado nada"),
        "{confirm}"
    );
    assert!(confirm.contains("Choluteca"), "{confirm}");
    assert_eq!(person_of_case(&app, &supervisor, full_case).await.0, full);

    let response = browser
        .post(app.url("/persons/merge"))
        .form(&form(true))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(person_of_case(&app, &supervisor, full_case).await.0, sparse);
    let done = app.page(&browser, &location, StatusCode::OK).await;
    assert!(done.contains("id=\"undo-merge\""), "{done}");
    let response = browser
        .post(app.url(&format!("{location}/undo")))
        .form(&[("csrf_token", csrf_token_of(&done).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let undone = app.page(&browser, &location, StatusCode::OK).await;
    assert!(undone.contains("id=\"merge-undone\""), "{undone}");
    assert_eq!(person_of_case(&app, &supervisor, full_case).await.0, full);
}
