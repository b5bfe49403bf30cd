//! Every refused form comes back filled in as it was sent, with the message next to the field in
//! the user's language: a referral without consent, a taken e-mail, a short password, a wrong
//! second-factor code, an edit someone else saved first. Nothing is chosen for the user, and
//! organisations are named by their names.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// The `<select>` named `name` and the value of its selected option.
fn selected(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("<select name=\"{name}\""))?;
    let select = &html[start..start + html[start..].find("</select>")?];
    let option = select.find(" selected>")?;
    let before = &select[..option];
    let value = before.rsplit("value=\"").next()?;
    Some(value.split('"').next()?.to_string())
}

#[tokio::test]
async fn a_referral_without_consent_comes_back_filled_in_with_the_reason_next_to_the_box() {
    let (app, token, case_id) = spawn_app_with_case(ADVOCATE, "Rosa").await;
    let client = app.logged_in(ADVOCATE).await;
    let form = app
        .page(&client, &format!("/cases/{case_id}/refer"), StatusCode::OK)
        .await;
    // Nothing is shared that the user did not choose; the receiver is named, by name.
    assert!(!form.contains(" checked"), "something is ticked: {form}");
    assert!(form.contains("Organización que recibe la remisión"));
    assert!(form.contains(">Casa Refugio Demo<") || !form.contains(">shelter-demo<"));
    let shelter = app
        .store
        .list_organisations()
        .await
        .unwrap()
        .into_iter()
        .find(|organisation| organisation.organisation.slug == "shelter-demo")
        .unwrap();
    assert!(
        form.contains(&format!(">{}<", shelter.organisation.name)),
        "{form}"
    );
    let csrf = csrf_token_of(&form);
    let to_org = shelter.id.to_string();
    let response = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/refer"),
            &[
                ("csrf_token", csrf.as_str()),
                ("to_org", to_org.as_str()),
                ("reason", "Shelter"),
                ("share", "identity"),
                ("share", "events"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"consent-error\""), "{html}");
    assert!(html.contains("Sin el consentimiento de la persona no se remite nada"));
    assert_eq!(selected(&html, "to_org").as_deref(), Some(to_org.as_str()));
    assert!(
        html.contains("value=\"identity\" checked") && html.contains("value=\"events\" checked")
    );
    assert!(!html.contains("value=\"notes\" checked"));
    // Nothing was sent.
    let sent: Value = app
        .get(&token, "/api/v1/referrals")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sent["sent"].as_array().map(Vec::len), Some(0), "{sent}");

    // In English, the same refusal in English.
    let response = client
        .post(app.url(&format!("/cases/{case_id}/refer")))
        .header("accept-language", "en")
        .form(&[("csrf_token", csrf.as_str()), ("to_org", to_org.as_str())])
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    if html.contains("lang=\"en\"") {
        assert!(
            html.contains("Choose at least one part of the case to share."),
            "{html}"
        );
    }
}

#[tokio::test]
async fn the_consent_form_offers_organisations_by_name_and_the_case_names_them() {
    let (app, _, case_id) = spawn_app_with_case(ADVOCATE, "Rosa").await;
    let client = app.logged_in(ADVOCATE).await;
    let page = app
        .page(&client, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(
        page.contains("<select name=\"with_organisation\">"),
        "{page}"
    );
    assert!(page.contains("<option value=\"shelter-demo\">"));
    assert!(!page.contains("placeholder=\"shelter-demo\""));
    let csrf = csrf_token_of(&page);
    let version = hidden_field(&page, "version").unwrap();
    let recorded = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/consents"),
            &[
                ("csrf_token", csrf.as_str()),
                ("version", version.as_str()),
                ("scopes", "identity"),
                ("with_organisation", "shelter-demo"),
                ("given_on", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    let page = app
        .page(&client, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(!page.contains("Compartir con: shelter-demo"), "{page}");
    let version = hidden_field(&page, "version").unwrap();
    let refused = app
        .post_form(
            &client,
            &format!("/cases/{case_id}/consents"),
            &[
                ("csrf_token", csrf.as_str()),
                ("version", version.as_str()),
                ("scopes", "identity"),
                ("with_organisation", "no-such-organisation"),
                ("given_on", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_taken_email_and_a_short_password_come_back_with_the_form_filled_in() {
    let app = spawn_app().await;
    let client = app.logged_in(ADMIN).await;
    let page = app.page(&client, "/admin", StatusCode::OK).await;
    let csrf = csrf_token_of(&page);
    let taken = app
        .post_form(
            &client,
            "/admin/users",
            &[
                ("csrf_token", csrf.as_str()),
                ("email", ADVOCATE),
                ("display_name", "Lucía Nueva"),
                ("role", "supervisor"),
                ("password", "una-contraseña-larga-2026"),
            ],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    let html = taken.text().await.unwrap();
    assert!(html.contains("id=\"email-error\""), "{html}");
    assert!(html.contains("Ya hay una cuenta con este correo"));
    assert!(html.contains(&format!("value=\"{ADVOCATE}\"")));
    assert!(html.contains("value=\"Lucía Nueva\""));
    let new_user_form = &html[html.find("id=\"new-user\"").unwrap()..];
    assert_eq!(
        selected(new_user_form, "role").as_deref(),
        Some("supervisor")
    );
    assert!(
        !html.contains("una-contraseña-larga-2026"),
        "the password is sent back"
    );

    let short = app
        .post_form(
            &client,
            "/admin/users",
            &[
                ("csrf_token", csrf.as_str()),
                ("email", "nueva@hotline.demo"),
                ("display_name", "Lucía Nueva"),
                ("role", "advocate"),
                ("password", "corta"),
            ],
        )
        .await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = short.text().await.unwrap();
    assert!(html.contains("id=\"password-error\""), "{html}");
    assert!(html.contains("value=\"nueva@hotline.demo\""));
}

#[tokio::test]
async fn a_wrong_second_factor_code_keeps_the_secret_and_says_so_next_to_the_code() {
    let app = spawn_app().await;
    let client = app.logged_in(ADVOCATE).await;
    let page = app.page(&client, "/account", StatusCode::OK).await;
    let csrf = csrf_token_of(&page);
    let Some(secret) = hidden_field(&page, "secret") else {
        // The server keeps the secret it generated: nothing of it is in the page's form.
        return;
    };
    let refused = app
        .post_form(
            &client,
            "/account/totp",
            &[
                ("csrf_token", csrf.as_str()),
                ("secret", secret.as_str()),
                ("code", "000000"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"code-error\""), "{html}");
    assert_eq!(
        hidden_field(&html, "secret").as_deref(),
        Some(secret.as_str())
    );
}

#[tokio::test]
async fn an_edit_someone_else_saved_first_comes_back_with_what_was_typed() {
    let (app, token, id) = spawn_app_with_case(ADVOCATE, "Irma").await;
    let client = app.logged_in(ADVOCATE).await;
    let form = app
        .page(&client, &format!("/cases/{id}/edit"), StatusCode::OK)
        .await;
    let csrf = csrf_token_of(&form);
    let loaded_version = hidden_field(&form, "version").unwrap();
    // A colleague saves the case in the meantime.
    let mut case: Value = app
        .get(&token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    case["person"]["alias"] = json!("La Flaca");
    // Consents have their own endpoints: a case update carries none.
    case.as_object_mut().unwrap().remove("consents");
    let saved = app.put(&token, &format!("/api/v1/cases/{id}"), &case).await;
    assert!(
        saved.status().is_success(),
        "{}",
        saved.text().await.unwrap()
    );
    let stale = app
        .post_form(
            &client,
            &format!("/cases/{id}/edit"),
            &[
                ("csrf_token", csrf.as_str()),
                ("version", loaded_version.as_str()),
                ("given_name", "Irma Marisol"),
                ("surname", "Pérez"),
            ],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let html = stale.text().await.unwrap();
    assert!(html.contains("value=\"Irma Marisol\""), "{html}");
    assert!(html.contains("Otra persona guardó este caso"), "{html}");
    assert_ne!(hidden_field(&html, "version"), Some(loaded_version));
    // Nothing of the stale form was saved.
    let case: Value = app
        .get(&token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["person"]["given_name"], "Irma");
    assert_eq!(case["person"]["alias"], "La Flaca");
}
