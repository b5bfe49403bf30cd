//! Finding a case: `GET /api/v1/cases` with a query matched through the persons' search keys
//! (accents, misspellings, nicknames, phones, case numbers), filters, sorting and pages, each
//! refused parameter named; the cases page with its search box in Spanish; who sees what.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// Creates José Hernández Díaz of Panama, with a Panamanian mobile, as `token`'s case.
async fn create_jose(app: &TestApp, token: &str) -> i64 {
    let response = app
        .post(
            token,
            "/api/v1/cases",
            &json!({
                "person": { "given_name": "José", "surname": "Hernández", "second_surname": "Díaz",
                            "sex": "M", "nationality": "PA", "phone": "+507 6666-7777" }
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn found(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get(token, &format!("/api/v1/cases?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    page["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_returning_caller_is_found_however_the_name_or_number_was_written() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let jose = create_jose(&app, &supervisor).await;
    for query in [
        "q=jose%20ernandes",
        "q=JOS%C3%89%20HERN%C3%81NDEZ",
        "q=Chepe",
        "q=pepe%20diaz",
        "q=6666-7777",
        "q=%2B507%206666%207777",
        "q=50766667777",
        &format!("q=%23{jose}"),
    ] {
        let page = found(&app, &supervisor, query).await;
        assert!(ids(&page).contains(&jose), "{query}: {page}");
        assert_eq!(page["total"].as_u64().unwrap(), ids(&page).len() as u64);
    }
    let none = found(&app, &supervisor, "q=chepe%20zzyzx").await;
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn filters_sort_and_pages_answer_with_the_total() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let jose = create_jose(&app, &supervisor).await;
    let all = found(&app, &supervisor, "").await;
    let total = all["total"].as_u64().unwrap();
    assert!(total > 2, "{all}");
    assert_eq!(
        (all["page"].as_u64(), all["per_page"].as_u64()),
        (Some(1), Some(25))
    );
    let first = found(&app, &supervisor, "per_page=2&page=1").await;
    let second = found(&app, &supervisor, "per_page=2&page=2").await;
    assert_eq!(ids(&first).len(), 2);
    assert_eq!(first["total"].as_u64(), Some(total));
    assert!(ids(&first).iter().all(|id| !ids(&second).contains(id)));
    let panama = found(&app, &supervisor, "nationality=PA").await;
    assert!(ids(&panama).contains(&jose));
    assert!(panama["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|case| case["nationality"] == "PA"));
    let closed = found(&app, &supervisor, "status=Closed&q=chepe").await;
    assert!(!ids(&closed).contains(&jose));
    let future = found(&app, &supervisor, "opened_from=2100-01-01").await;
    assert_eq!(future["total"], 0);
    let oldest = found(&app, &supervisor, "sort=oldest&per_page=100").await;
    let opened: Vec<&str> = oldest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["opened_on"].as_str().unwrap())
        .collect();
    assert!(
        opened.windows(2).all(|pair| pair[0] <= pair[1]),
        "{opened:?}"
    );
    for (query, field) in [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=zero", "page"),
        ("status=Bogus", "status"),
        ("nationality=Atlantis", "nationality"),
        ("opened_from=2026-13-01", "opened_from"),
        ("sort=sideways", "sort"),
        ("assignee=me", "assignee"),
    ] {
        let response = app
            .get(&supervisor, &format!("/api/v1/cases?{query}"))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
}

#[tokio::test]
async fn each_role_finds_only_what_it_may_see() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let supervisor = app.token(SUPERVISOR).await;
    let supervisors_jose = create_jose(&app, &supervisor).await;
    let advocates_jose = create_jose(&app, &advocate).await;
    // An advocate finds their own case, not a colleague's.
    let advocates = found(&app, &advocate, "q=chepe").await;
    assert!(ids(&advocates).contains(&advocates_jose), "{advocates}");
    assert!(!ids(&advocates).contains(&supervisors_jose), "{advocates}");
    let me: Value = app.get(&advocate, "/api/v1/me").await.json().await.unwrap();
    assert!(advocates["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|case| case["owner_user_id"] == me["id"]));
    // A supervisor finds both.
    let supervisors = found(&app, &supervisor, "q=chepe").await;
    assert!(
        ids(&supervisors).contains(&supervisors_jose)
            && ids(&supervisors).contains(&advocates_jose)
    );
    // The shelter's case worker never finds the hotline's cases.
    let case_worker = app.token(CASE_WORKER).await;
    let shelter = found(&app, &case_worker, "q=chepe").await;
    let own: Value = app
        .get(&case_worker, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert!(!ids(&shelter).contains(&supervisors_jose) && !ids(&shelter).contains(&advocates_jose));
    assert!(shelter["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|case| case["organisation_id"] == own["organisation_id"]));
    // An analyst never lists cases.
    let analyst = app.token(ANALYST).await;
    let response = app.get(&analyst, "/api/v1/cases?q=chepe").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_cases_page_searches_in_spanish_and_shows_a_refused_filter_as_typed() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    create_jose(&app, &supervisor).await;
    let client = app.logged_in(SUPERVISOR).await;
    let html = app
        .page(&client, "/cases?q=jose+ernandes", StatusCode::OK)
        .await;
    assert!(html.contains("José Hernández Díaz"), "{html}");
    // The exports' links carry the list's filters, so that they hold the cases it shows.
    assert!(
        html.contains("/api/v1/cases/export.csv?q=jose+ernandes"),
        "{html}"
    );
    assert!(html.contains("Buscar por nombre, apodo, teléfono o número de caso"));
    assert!(
        html.contains("Abiertos más recientemente"),
        "the sort is labelled"
    );
    assert!(!html.contains(">Active<"), "labels, not codes");
    let paged = app.page(&client, "/cases?per_page=1", StatusCode::OK).await;
    assert!(paged.contains("rel=\"next\""), "{paged}");
    assert!(paged.contains("página 1 de"), "{paged}");
    let refused = app
        .page(
            &client,
            "/cases?q=chepe&opened_from=ayer",
            StatusCode::BAD_REQUEST,
        )
        .await;
    assert!(refused.contains("value=\"ayer\""), "{refused}");
    assert!(refused.contains("value=\"chepe\""), "{refused}");
    assert!(refused.contains("no es válido"), "{refused}");
}

#[tokio::test]
async fn the_next_cursor_leads_to_the_next_page_in_the_api_and_the_cases_page() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    for name in ["Rosa", "Rosa", "Rosa"] {
        app.create_case(&supervisor, name).await;
    }
    for (query, sort) in [("", "newest"), ("q=rosa+perez&", "updated")] {
        let mut seen = Vec::new();
        let mut page = found(&app, &supervisor, &format!("{query}sort={sort}&per_page=2")).await;
        let total = page["total"].as_u64().unwrap();
        assert!(total >= 3, "{page}");
        let mut number = 1;
        loop {
            seen.extend(ids(&page));
            let Some(cursor) = page["next_cursor"].as_str().map(str::to_string) else {
                break;
            };
            number += 1;
            let numbered = found(
                &app,
                &supervisor,
                &format!("{query}sort={sort}&per_page=2&page={number}"),
            )
            .await;
            page = found(
                &app,
                &supervisor,
                &format!("{query}sort={sort}&per_page=2&page={number}&cursor={cursor}"),
            )
            .await;
            assert_eq!(ids(&page), ids(&numbered), "{query} page {number}");
        }
        assert_eq!(seen.len() as u64, total, "{query}: every case once");
        assert!(page["next_cursor"].is_null());
    }
    // A cursor of another order, or one that is not a cursor, is refused naming the parameter.
    let first = found(&app, &supervisor, "per_page=1").await;
    let newest_cursor = first["next_cursor"].as_str().unwrap().to_string();
    for query in [
        format!("sort=oldest&cursor={newest_cursor}"),
        "cursor=newest.1".to_string(),
        "cursor=%27%3B--".to_string(),
    ] {
        let response = app
            .get(&supervisor, &format!("/api/v1/cases?{query}"))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["field"], "cursor", "{query}: {body}");
    }
    // The cases page's "next" link carries the cursor.
    let client = browser();
    app.web_login(&client, SUPERVISOR, PASSWORD).await;
    let html = app.page(&client, "/cases?per_page=1", StatusCode::OK).await;
    assert!(
        html.contains(&format!("cursor={}", newest_cursor.replace(':', "%3A"))),
        "{html}"
    );
}

/// The case numbers of a case list export in CSV, in its order.
async fn exported_ids(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let response = app
        .get(token, &format!("/api/v1/cases/export.csv?{query}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let text = response.text().await.unwrap();
    text.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|line| {
            let number = line.split(',').next().unwrap_or_default();
            number
                .parse()
                .unwrap_or_else(|_| panic!("{query}: a case number first: {line}"))
        })
        .collect()
}

#[tokio::test]
async fn the_case_list_exports_find_a_person_however_the_name_was_written() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let jose = create_jose(&app, &supervisor).await;
    let other = app.create_case(&supervisor, "Zoila").await;
    // The seeded cases hold other Josés; the export holds what the search finds, not Zoila.
    for query in ["q=chepe", "q=jose%20ernandes", "q=6666-7777"] {
        let exported = exported_ids(&app, &supervisor, query).await;
        assert!(exported.contains(&jose), "{query}: {exported:?}");
        assert!(!exported.contains(&other), "{query}: {exported:?}");
        let listed = found(&app, &supervisor, &format!("{query}&per_page=100")).await;
        assert_eq!(exported, ids(&listed), "{query}");
    }
    // The phone by its digits and the case by its number, as in the search.
    assert_eq!(
        exported_ids(&app, &supervisor, "q=%2B507%206666%207777").await,
        [jose]
    );
    assert_eq!(
        exported_ids(&app, &supervisor, &format!("q=%23{other}")).await,
        [other]
    );
    // The XLSX holds the same cases.
    let xlsx = app
        .get(&supervisor, "/api/v1/cases/export.xlsx?q=chepe")
        .await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX that opens");
    let sheet = workbook
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("a sheet that reads");
    let numbers: Vec<i64> = sheet
        .rows()
        .skip(1)
        .map(|row| row[0].to_string().parse().unwrap())
        .collect();
    assert_eq!(numbers, exported_ids(&app, &supervisor, "q=chepe").await);
    assert!(numbers.contains(&jose));
    assert!(exported_ids(&app, &supervisor, "q=chepe%20zzyzx")
        .await
        .is_empty());
}

#[tokio::test]
async fn a_case_list_export_holds_the_lists_cases_for_the_same_filters_in_its_order() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    let jose = create_jose(&app, &supervisor).await;
    // More cases than a page of the search holds, so that the export reads several pages.
    let mut total = found(&app, &supervisor, "").await["total"]
        .as_u64()
        .unwrap();
    while total <= 100 {
        app.create_case(&supervisor, "Zoila").await;
        total += 1;
    }
    let every = exported_ids(&app, &supervisor, "sort=oldest").await;
    assert_eq!(every.len() as u64, total);
    let first = found(&app, &supervisor, "sort=oldest&per_page=100").await;
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    let second = found(
        &app,
        &supervisor,
        &format!("sort=oldest&per_page=100&cursor={cursor}"),
    )
    .await;
    let listed: Vec<i64> = ids(&first).into_iter().chain(ids(&second)).collect();
    assert_eq!(every, listed);
    for query in [
        "nationality=PA&sort=newest",
        "status=Active&sort=updated",
        "q=chepe&opened_from=2000-01-01",
        "q=perez&sort=oldest",
        "",
    ] {
        let exported = exported_ids(&app, &supervisor, query).await;
        let listed = found(&app, &supervisor, &format!("{query}&per_page=100")).await;
        // The list's first page is the export's beginning, and the export holds every match.
        assert_eq!(
            exported.iter().take(100).copied().collect::<Vec<_>>(),
            ids(&listed),
            "{query}"
        );
        assert_eq!(
            exported.len() as u64,
            listed["total"].as_u64().unwrap(),
            "{query}"
        );
    }
    assert!(exported_ids(&app, &supervisor, "nationality=PA")
        .await
        .contains(&jose));
    // A filter the search refuses is refused by the export, naming it.
    let response = app
        .get(&supervisor, "/api/v1/cases/export.csv?sort=name")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["field"], "sort", "{body}");
}
