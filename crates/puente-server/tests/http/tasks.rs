//! Tasks through HTTP: adding, listing, completing and reopening, the role matrix, bad input
//! that stores nothing, the statutory clocks of a child screen, and the "my work" page.

use crate::helpers::*;
use puente_store::AuditQuery;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn user_id(app: &TestApp, token: &str) -> i64 {
    let me: Value = app.get(token, "/api/v1/me").await.json().await.unwrap();
    me["id"].as_i64().unwrap()
}

async fn tasks_of(app: &TestApp, token: &str, case_id: i64) -> Value {
    let response = app
        .get(token, &format!("/api/v1/cases/{case_id}/tasks"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn day(offset_days: i64) -> String {
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(offset_days);
    puente_store::tasks::iso_day(day)
}

#[tokio::test]
async fn an_advocate_adds_a_task_lists_it_completes_and_reopens_it_and_each_step_is_audited() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let advocate_id = user_id(&app, &advocate).await;
    let case_id = app.create_case(&advocate, "Rosa").await;
    let response = app
        .post(
            &advocate,
            &format!("/api/v1/cases/{case_id}/tasks"),
            &json!({ "title": "Llamar a la familia", "due_on": day(0) }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let task_id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let listed = tasks_of(&app, &advocate, case_id).await;
    assert_eq!(listed[0]["id"], task_id);
    assert_eq!(listed[0]["title"], "Llamar a la familia");
    assert_eq!(
        listed[0]["assignee_user_id"], advocate_id,
        "the creator by default"
    );
    assert_eq!(listed[0]["open"], true);
    assert_eq!(listed[0]["overdue"], false);

    let mine: Value = app
        .get(&advocate, "/api/v1/tasks?mine=true&due=today")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    let overdue: Value = app
        .get(&advocate, "/api/v1/tasks?mine=true&due=overdue")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(overdue, json!([]));

    let complete = format!("/api/v1/tasks/{task_id}/complete");
    let response = app.post(&advocate, &complete, &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let done: Value = response.json().await.unwrap();
    assert_eq!(done["open"], false);
    assert_eq!(done["completed_by"], ADVOCATE);
    assert_eq!(
        app.post(&advocate, &complete, &json!({})).await.status(),
        StatusCode::CONFLICT
    );
    let today: Value = app
        .get(&advocate, "/api/v1/tasks?mine=true&due=today")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(today, json!([]), "a done task is not due any more");
    let response = app
        .post(
            &advocate,
            &format!("/api/v1/tasks/{task_id}/reopen"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(tasks_of(&app, &advocate, case_id).await[0]["open"], true);

    let entries = app
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("task".into()),
            record_id: Some(task_id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|entry| entry.action.as_str()).collect();
    assert_eq!(actions, ["create", "update", "update"], "{entries:?}");
    assert!(entries.iter().all(|entry| entry.case_id == Some(case_id)));
    assert!(
        entries
            .iter()
            .all(|entry| !entry.detail.contains("familia")),
        "the title is free text and stays out of the audit log"
    );
}

#[tokio::test]
async fn a_task_with_a_bad_date_title_or_assignee_is_refused_naming_the_field_and_nothing_is_stored(
) {
    let (app, advocate, case_id) = spawn_app_with_case(ADVOCATE, "Rosa").await;
    let shelter_worker = user_id(&app, &app.token(CASE_WORKER).await).await;
    let analyst = user_id(&app, &app.token(ANALYST).await).await;
    let path = format!("/api/v1/cases/{case_id}/tasks");
    for (body, field) in [
        (json!({ "title": "Llamar", "due_on": "mañana" }), "due_on"),
        (
            json!({ "title": "Llamar", "due_on": "2026-02-30" }),
            "due_on",
        ),
        (json!({ "title": " ", "due_on": day(1) }), "title"),
        (
            json!({ "title": "Llamar", "due_on": day(1), "assignee": shelter_worker }),
            "assignee",
        ),
        (
            json!({ "title": "Llamar", "due_on": day(1), "assignee": analyst }),
            "assignee",
        ),
        (
            json!({ "title": "Llamar", "due_on": day(1), "assignee": 999_999 }),
            "assignee",
        ),
    ] {
        let response = app.post(&advocate, &path, &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "{body}: {error}");
    }
    assert_eq!(tasks_of(&app, &advocate, case_id).await, json!([]));
    let response = app.get(&advocate, "/api/v1/tasks?due=someday").await;
    assert!(response.status().is_client_error());
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["field"], "due", "{error}");
}

#[tokio::test]
async fn the_task_role_matrix_holds_over_http() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let supervisor = app.token(SUPERVISOR).await;
    let admin = app.token(ADMIN).await;
    let analyst = app.token(ANALYST).await;
    let shelter = app.token(CASE_WORKER).await;
    let case_id = app.create_case(&advocate, "Rosa").await;
    let path = format!("/api/v1/cases/{case_id}/tasks");
    let body = json!({ "title": "Visitar", "due_on": day(2) });
    // (user, add, list the case's, list all)
    for (token, add, list, all) in [
        (&supervisor, 201, 200, 200),
        (&admin, 403, 403, 403),
        (&analyst, 403, 403, 403),
        (&shelter, 404, 404, 200),
    ] {
        assert_eq!(app.post(token, &path, &body).await.status().as_u16(), add);
        assert_eq!(app.get(token, &path).await.status().as_u16(), list);
        assert_eq!(app.get(token, "/api/v1/tasks").await.status().as_u16(), all);
    }
    // The supervisor's task on the advocate's case: the advocate completes it; the other
    // organisation cannot see or touch it.
    let task_id = tasks_of(&app, &advocate, case_id).await[0]["id"]
        .as_i64()
        .unwrap();
    let complete = format!("/api/v1/tasks/{task_id}/complete");
    assert_eq!(
        app.post(&shelter, &complete, &json!({})).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&analyst, &complete, &json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    let shelter_tasks: Value = app
        .get(&shelter, "/api/v1/tasks")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shelter_tasks, json!([]));
    // A supervisor's list is the organisation's; an advocate's is their own.
    let supervisors: Value = app
        .get(&supervisor, "/api/v1/tasks")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(supervisors.as_array().unwrap().len(), 1);
    let advocates: Value = app
        .get(&advocate, "/api/v1/tasks")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(advocates, json!([]), "the task is the supervisor's");
    assert_eq!(
        app.post(&advocate, &complete, &json!({})).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_overdue_task_is_listed_as_overdue_and_a_timed_one_by_its_moment() {
    let (app, advocate, case_id) = spawn_app_with_case(ADVOCATE, "Rosa").await;
    let path = format!("/api/v1/cases/{case_id}/tasks");
    for (title, due) in [
        ("Ayer", day(-1)),
        ("En cinco días", day(5)),
        ("Hace una hora", {
            let moment = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
            moment
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        }),
    ] {
        let response = app
            .post(&advocate, &path, &json!({ "title": title, "due_on": due }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{title}");
    }
    let titles = |list: Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|task| task["title"].as_str().unwrap().to_string())
            .collect()
    };
    let overdue: Value = app
        .get(&advocate, "/api/v1/tasks?mine=true&due=overdue")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(titles(overdue), ["Ayer", "Hace una hora"]);
    let week: Value = app
        .get(&advocate, "/api/v1/tasks?mine=true&due=week")
        .await
        .json()
        .await
        .unwrap();
    assert!(titles(week).contains(&"En cinco días".to_string()));
}

#[tokio::test]
async fn a_child_screen_that_raises_the_72_hour_clock_makes_one_task_even_when_saved_again() {
    let (app, advocate, case_id) = spawn_app_with_case(ADVOCATE, "Luis").await;
    let screening = json!({
        "person": { "age": 16, "sex": "M", "nationality": "HN", "current_country": "US", "unaccompanied": true },
        "facts": ["act_recruited", "means_debt_bondage", "activity_labour"]
    });
    let before = time::OffsetDateTime::now_utc();
    for _ in 0..2 {
        let response = app
            .post(
                &advocate,
                &format!("/api/v1/cases/{case_id}/screenings"),
                &screening,
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let tasks = tasks_of(&app, &advocate, case_id).await;
    assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");
    assert_eq!(tasks[0]["source"], "statutory");
    assert_eq!(tasks[0]["source_key"], "tvpra_transfer_72_hours");
    assert!(tasks[0]["title"].as_str().unwrap().contains("72 horas"));
    let due = time::OffsetDateTime::parse(
        tasks[0]["due_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let hours = (due - before).whole_minutes() as f64 / 60.0;
    assert!((71.9..=72.1).contains(&hours), "{hours}");

    // A Mexican child gets the 48-hour screening instead; an adult gets no clock.
    let mexican = app.create_case(&advocate, "Ana").await;
    let mut screening_of_mexican = screening.clone();
    screening_of_mexican["person"]["nationality"] = json!("MX");
    app.post(
        &advocate,
        &format!("/api/v1/cases/{mexican}/screenings"),
        &screening_of_mexican,
    )
    .await;
    assert_eq!(
        tasks_of(&app, &advocate, mexican).await[0]["source_key"],
        "tvpra_screening_48_hours"
    );
    let adult = app.create_case(&advocate, "Eva").await;
    let mut screening_of_adult = screening;
    screening_of_adult["person"]["age"] = json!(30);
    app.post(
        &advocate,
        &format!("/api/v1/cases/{adult}/screenings"),
        &screening_of_adult,
    )
    .await;
    assert_eq!(tasks_of(&app, &advocate, adult).await, json!([]));
}

#[tokio::test]
async fn the_case_page_adds_completes_and_reopens_tasks_and_my_work_lists_them_in_spanish() {
    let app = spawn_app().await;
    let client = browser();
    let login = app.web_login(&client, ADVOCATE, PASSWORD).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let token = app.token(ADVOCATE).await;
    let case_id = app.create_case(&token, "Rosa").await;
    let html = app
        .page(&client, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(html.contains("Tareas") && html.contains("Agregar tarea"));
    let csrf = csrf_token_of(&html);
    let added = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/tasks"),
            &[
                ("csrf_token", csrf.as_str()),
                ("title", "Acompañar a la fiscalía"),
                ("due_on", day(-1).as_str()),
                ("assignee", ""),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let html = app
        .page(&client, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(html.contains("Acompañar a la fiscalía") && html.contains("Vencida"));
    let work = app.page(&client, "/my-work", StatusCode::OK).await;
    assert!(work.contains("Mi trabajo") && work.contains("Tareas vencidas"));
    assert!(work.contains("Acompañar a la fiscalía"));
    let task_id = tasks_of(&app, &token, case_id).await[0]["id"]
        .as_i64()
        .unwrap();
    let done = app
        .post_form(
            &client,
            &format!("/tasks/{task_id}/complete"),
            &[("csrf_token", csrf.as_str()), ("back", "my-work")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], "/my-work");
    let work = app.page(&client, "/my-work", StatusCode::OK).await;
    assert!(!work.contains("Acompañar a la fiscalía"));
    let reopened = app
        .post_form(
            &client,
            &format!("/tasks/{task_id}/reopen"),
            &[("csrf_token", csrf.as_str())],
        )
        .await;
    assert_eq!(reopened.status(), StatusCode::SEE_OTHER);
    assert_eq!(tasks_of(&app, &token, case_id).await[0]["open"], true);
    // A bad date from the form is refused with the message, and nothing is stored.
    let refused = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/tasks"),
            &[
                ("csrf_token", csrf.as_str()),
                ("title", "Otra"),
                ("due_on", "pronto"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("pronto"));
    assert_eq!(
        tasks_of(&app, &token, case_id)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
