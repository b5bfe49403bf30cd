//! The service directory through HTTP: search, organisations, the directory page and the services
//! suggested for a case.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn search(app: &TestApp, token: &str, query: &str, lang: &str) -> reqwest::Response {
    plain_client()
        .get(app.url(&format!("/api/v1/services?{query}")))
        .bearer_auth(token)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_shelter_is_found_for_a_15_year_old_guatemalan_girl_best_first_with_reasons() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let response = search(
        &app,
        &token,
        "country=GT&need=shelter&age=15&sex=F&language=es",
        "es",
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let found: Value = response.json().await.unwrap();
    let found = found.as_array().unwrap();
    assert!(!found.is_empty(), "the demo directory has shelters in GT");
    let scores: Vec<i64> = found.iter().map(|m| m["score"].as_i64().unwrap()).collect();
    assert!(
        scores.windows(2).all(|pair| pair[0] >= pair[1]),
        "{scores:?}"
    );
    for found in found {
        assert_eq!(found["service"]["need"], "Accommodation", "{found}");
        let countries = found["service"]["countries"].as_array().unwrap();
        assert!(countries.contains(&json!("GT")), "{found}");
        let why = found["why"].as_array().unwrap();
        assert!(!why.is_empty(), "{found}");
        // The reasons come in the user's language, with stable codes beside them.
        assert!(
            why.iter()
                .any(|reason| reason.as_str().unwrap().contains("Guatemala")),
            "{why:?}"
        );
        assert!(found["reasons"][0]["code"].is_string(), "{found}");
        assert!(found["organisation"].is_string(), "{found}");
    }
    // The demo shelter's house for girls is among them.
    assert!(
        found
            .iter()
            .any(|m| m["service"]["slug"] == "shelter-demo-casa-ninas"
                && m["organisation"] == "shelter-demo"),
        "{found:?}"
    );
    // In English, the same matches with English reasons.
    let english: Value = search(&app, &token, "country=GT&need=shelter&age=15&sex=F", "en")
        .await
        .json()
        .await
        .unwrap();
    assert!(english[0]["why"]
        .as_array()
        .unwrap()
        .iter()
        .any(|reason| reason.as_str().unwrap().starts_with("Serves")
            || reason.as_str().unwrap().starts_with("Meets")));
}

#[tokio::test]
async fn a_bad_or_unknown_search_parameter_is_422_naming_it_and_no_login_is_401() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let response = search(&app, &token, "country=GT&age=old", "en").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
    assert!(body["error"]["message"].as_str().unwrap().contains("age"));
    // A typo never widens a search.
    let response = search(&app, &token, "contry=GT", "en").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = plain_client()
        .get(app.url("/api/v1/services?country=GT"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn organisations_are_listed_with_id_slug_and_kind() {
    let app = spawn_app().await;
    let token = app.token(ANALYST).await;
    let response = app.get(&token, "/api/v1/orgs").await;
    assert_eq!(response.status(), StatusCode::OK);
    let organisations: Value = response.json().await.unwrap();
    let organisations = organisations.as_array().unwrap();
    let slugs: Vec<&str> = organisations
        .iter()
        .map(|o| o["slug"].as_str().unwrap())
        .collect();
    assert!(
        slugs.contains(&"hotline-demo") && slugs.contains(&"shelter-demo"),
        "{slugs:?}"
    );
    // The directory's organisations are there too.
    assert!(organisations.len() > 5, "{slugs:?}");
    let shelter = organisations
        .iter()
        .find(|o| o["slug"] == "shelter-demo")
        .unwrap();
    assert_eq!(shelter["kind"], "Shelter");
    assert!(shelter["id"].is_i64());
}

#[tokio::test]
async fn the_directory_page_searches_in_spanish_and_shows_why_each_service_matches() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let page = app
        .page(
            &client,
            "/directory?need=Accommodation&country=GT&age=15&sex=F",
            StatusCode::OK,
        )
        .await;
    assert!(page.contains("Directorio de servicios"), "{page}");
    assert!(
        page.contains("Casa de acogida para niñas y adolescentes"),
        "{page}"
    );
    assert!(page.contains("Atiende en Guatemala"), "{page}");
    let page = app
        .page(&client, "/directory?age=old", StatusCode::OK)
        .await;
    assert!(page.contains("class=\"error\""), "{page}");
}

#[tokio::test]
async fn a_case_page_suggests_services_from_its_latest_screening_with_reasons() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Lucía").await;
    let client = app.logged_in(ADVOCATE).await;
    // Without a screening there is nothing to suggest yet.
    let page = app
        .page(&client, &format!("/cases/{id}/services"), StatusCode::OK)
        .await;
    assert!(page.contains("aún no tiene evaluación"), "{page}");
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/screenings"),
            &json!({ "person": { "age": 15, "sex": "F", "nationality": "GT", "current_country": "GT" },
                     "facts": ["act_recruited", "means_deception", "means_restricts_movement",
                               "activity_commercial_sex", "means_sexual_violence"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let page = app
        .page(&client, &format!("/cases/{id}/services"), StatusCode::OK)
        .await;
    assert!(page.contains("Servicios sugeridos"), "{page}");
    assert!(page.contains("class=\"ok\""), "reasons are listed: {page}");
    assert!(
        page.contains(&format!("/cases/{id}/refer?service=")),
        "{page}"
    );
    // Another organisation's user cannot see the suggestions of this case.
    let shelter = app.logged_in(CASE_WORKER).await;
    app.page(
        &shelter,
        &format!("/cases/{id}/services"),
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_shelter_serving_the_town_serves_a_place_named_with_its_farm_and_state() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let response = app
        .post(
            &token,
            "/api/v1/cases",
            &json!({ "person": { "given_name": "Rosa", "surname": "Xicará", "sex": "F",
                                 "date_of_birth": "2011-03", "nationality": "GT",
                                 "current_country": "MX",
                                 "current_place": "Finca cafetalera, Tapachula, Chiapas" } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/screenings"),
            &json!({ "facts": ["act_recruited", "means_restricts_movement", "activity_labour"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let client = app.logged_in(ADVOCATE).await;
    let html = app
        .page(&client, &format!("/cases/{id}/services"), StatusCode::OK)
        .await;
    // Every service that lists Tapachula serves her; only a service elsewhere warns of travel.
    let served = html.matches("Atiende en Tapachula").count();
    let warned = html
        .matches("No atiende en Finca cafetalera, Tapachula, Chiapas")
        .count();
    assert!(served >= 3, "{served} services serve Tapachula: {html}");
    assert!(warned < served, "{warned} warnings: {html}");
}
