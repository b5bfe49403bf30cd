//! Labels, not codes, where people read: the audit pages and the dashboard's CSV downloads.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_audit_page_shows_actions_and_details_by_their_labels_in_the_users_language() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Ana").await;
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/screenings"),
            &serde_json::json!({ "facts": ["act_recruited", "activity_commercial_sex"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    app.get(&token, "/api/v1/cases").await;
    let supervisor = app.logged_in(SUPERVISOR).await;
    let spanish = app.page(&supervisor, "/audit", StatusCode::OK).await;
    assert!(spanish.contains("Inicio de sesión"), "{spanish}");
    assert!(
        spanish.contains("sesión en el navegador desde 127.0.0.1"),
        "{spanish}"
    );
    assert!(spanish.contains("Consulta de la lista"), "{spanish}");
    assert!(spanish.contains("indicios sólidos de trata"), "{spanish}");
    for code in [
        "cookie session from",
        ">list<",
        ">login<",
        ">screen<",
        "strong_indicators",
        ">case ",
    ] {
        assert!(!spanish.contains(code), "the audit page shows `{code}`");
    }
    let case_audit = app
        .page(&supervisor, &format!("/cases/{id}/audit"), StatusCode::OK)
        .await;
    assert!(
        case_audit.contains("Evaluación de indicios"),
        "{case_audit}"
    );
    assert!(!case_audit.contains(">screen<") && !case_audit.contains("strong_indicators"));
}

#[tokio::test]
async fn the_dashboards_csv_carries_labels_in_the_users_language_and_the_api_keeps_codes() {
    let app = spawn_app().await;
    let token = app.token(SUPERVISOR).await;
    for (by, code, spanish) in [
        ("sex", "Female", "Mujer"),
        ("referral_outcome", "not_referred", "Sin remitir"),
    ] {
        let labelled = app
            .get(&token, &format!("/api/v1/stats.csv?by={by}&labels=es"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!labelled.contains(code), "{by}: {labelled}");
        assert!(
            labelled.to_lowercase().contains(&spanish.to_lowercase()),
            "{by}: {labelled}"
        );
        assert!(
            labelled.contains(",Casos\n") || labelled.contains("Casos"),
            "{labelled}"
        );
        let codes = app
            .get(&token, &format!("/api/v1/stats.csv?by={by}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(codes.starts_with(&format!("{by},count\n")), "{codes}");
    }
    let supervisor = app.logged_in(SUPERVISOR).await;
    let dashboard = app.page(&supervisor, "/dashboard", StatusCode::OK).await;
    assert!(
        dashboard.contains("labels=es"),
        "the download links ask for labels"
    );
}

#[tokio::test]
async fn the_person_form_takes_an_alias_alone_as_the_server_does_and_explains_unknown() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let form = app.page(&client, "/cases/new", StatusCode::OK).await;
    assert!(!form.contains("name=\"given_name\" required"), "{form}");
    assert!(form.contains("basta con uno de los dos"), "{form}");
    assert!(form.contains("«Desconocido» quiere decir que se preguntó y no se sabe"));
    let csrf = csrf_token_of(&form);
    let saved = app
        .post_form(
            &client,
            "/cases",
            &[("csrf_token", csrf.as_str()), ("alias", "La Güera")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let location = saved.headers()["location"].to_str().unwrap().to_string();
    let page = app.page(&client, &location, StatusCode::OK).await;
    assert!(page.contains("La Güera"), "{page}");
    // Neither a name nor an alias: refused with the reason, in Spanish.
    let refused = app
        .post_form(
            &client,
            "/cases",
            &[("csrf_token", csrf.as_str()), ("surname", "Pérez")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("nombre o un alias"));
}
