//! The referral story in a real browser: on a phone-sized window, in Spanish, the
//! hotline's advocate opens the services suggested for a 15-year-old Guatemalan girl's case, refers
//! it to the demo shelter with her consent, and the shelter's case worker accepts it from the
//! inbox and sees only what was shared. A second test enters a person who is probably already
//! recorded and sees the duplicate warning. Screenshots are saved under `target/tmp`.
//!
//! Like `browser.rs`, it needs Debian's `chromium` and `chromium-driver`, and FAILS without them
//! unless `PUENTE_SKIP_BROWSER_TESTS=1` is set.

mod browser_support;
#[allow(dead_code)]
#[path = "http/helpers.rs"]
mod helpers;

use std::time::Duration;

use browser_support::{
    browser_session, check_page_fits, click_and_wait_for_new_page,
    click_element_and_wait_for_new_page, save_screenshot, Step,
};
use fantoccini::Locator;
use helpers::{spawn_app, TestApp, ADVOCATE, CASE_WORKER, PASSWORD, SUPERVISOR};
use serde_json::{json, Value};

/// The hotline's case of a 15-year-old Guatemalan girl, screened, with a phone and a note that
/// she does not agree to share.
async fn the_girls_case(app: &TestApp) -> i64 {
    let token = app.token(ADVOCATE).await;
    let response = app
        .post(
            &token,
            "/api/v1/cases",
            &json!({ "person": { "given_name": "Yesenia", "surname": "Ramírez", "sex": "F",
                                 "date_of_birth": "2011-05", "nationality": "GT",
                                 "phone": "+50255559876", "current_country": "GT" } }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/screenings"),
            &json!({ "person": { "age": 15, "sex": "F", "nationality": "GT", "current_country": "GT" },
                     "facts": ["act_recruited", "means_deception", "means_restricts_movement",
                               "activity_commercial_sex", "means_sexual_violence"] }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{id}/notes"),
            &json!({ "text": "Detalle que no se comparte" }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    id
}

/// Waits, at most ten seconds, until the referral page shows `expected` as the status. The page
/// being left may still be there when the wait starts, so its element can go stale: look again.
async fn wait_for_status(client: &fantoccini::Client, expected: &str) -> Step<()> {
    let mut seen = String::new();
    for _ in 0..100 {
        if let Ok(element) = client.find(Locator::Css("#referral-status")).await {
            if let Ok(text) = element.text().await {
                if text == expected {
                    return Ok(());
                }
                seen = text;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("the referral status stayed {seen:?}, not {expected:?}").into())
}

async fn log_in(client: &fantoccini::Client, base: &str, email: &str) -> Step<()> {
    browser_support::log_in(client, base, email, PASSWORD).await
}

async fn drive(client: &fantoccini::Client, base: &str, case_id: i64, service_id: i64) -> Step<()> {
    // The advocate opens the case and its suggested services.
    log_in(client, base, ADVOCATE).await?;
    client.goto(&format!("{base}/cases/{case_id}")).await?;
    click_and_wait_for_new_page(
        client,
        Locator::LinkText("Servicios sugeridos y remisiones"),
    )
    .await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("ol.services"))
        .await?;
    let html = client.source().await?;
    assert!(html.contains("Atiende en Guatemala"), "reasons in Spanish");
    save_screenshot(client, "puente-browser-suggested-services-es.png").await?;
    check_page_fits(client, "suggested-services-es").await?;

    // She refers the case to the shelter's house for girls, sharing identity and screening, with
    // the girl's consent.
    click_and_wait_for_new_page(
        client,
        Locator::Css(&format!(
            "a[href='/cases/{case_id}/refer?service={service_id}']"
        )),
    )
    .await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#consent"))
        .await?;
    // Nothing is ticked for her: she chooses each part to share.
    assert!(
        !client
            .find(Locator::Css("input[name=share][value=identity]"))
            .await?
            .is_selected()
            .await?,
        "identity is not pre-ticked"
    );
    for part in ["identity", "screening"] {
        client
            .find(Locator::Css(&format!("input[name=share][value={part}]")))
            .await?
            .click()
            .await?;
    }
    client.find(Locator::Css("#consent")).await?.click().await?;
    check_page_fits(client, "referral-form-es").await?;
    save_screenshot(client, "puente-browser-referral-form-es.png").await?;
    click_and_wait_for_new_page(
        client,
        Locator::Css("form[action$='/refer'] button[type=submit]"),
    )
    .await?;
    wait_for_status(client, "Pendiente").await?;
    let referral_path = client.current_url().await?.path().to_string();

    // The shelter's case worker sees it in her inbox and opens it.
    log_in(client, base, CASE_WORKER).await?;
    client.goto(&format!("{base}/referrals")).await?;
    let inbox = client.source().await?;
    assert!(
        inbox.contains("Nueva remisión"),
        "the new referral is announced"
    );
    click_and_wait_for_new_page(client, Locator::Css(&format!("a[href='{referral_path}']")))
        .await?;
    // The referral page comes back to itself once accepted: it shows the pending status until
    // its new copy is there.
    let accept = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#accept"))
        .await?;
    click_element_and_wait_for_new_page(client, accept).await?;
    wait_for_status(client, "Aceptada").await?;
    check_page_fits(client, "shared-case-es").await?;
    let html = client.source().await?;
    assert!(html.contains("Yesenia Ramírez"), "the shared identity");
    assert!(
        html.contains("id=\"shared-screening\""),
        "the shared screening"
    );
    assert!(!html.contains("55559876"), "the phone was not shared");
    assert!(
        !html.contains("Detalle que no se comparte"),
        "the notes were not shared"
    );
    save_screenshot(client, "puente-browser-referral-accepted-es.png").await?;

    // The hotline's supervisor sees the referral and the trends on the dashboard, small counts
    // suppressed.
    log_in(client, base, SUPERVISOR).await?;
    client.goto(&format!("{base}/dashboard")).await?;
    let html = client.source().await?;
    assert!(
        html.contains("id=\"by-referral_outcome\""),
        "the referral outcomes"
    );
    assert!(html.contains("&lt;3"), "small counts suppressed");
    save_screenshot(client, "puente-browser-dashboard-es.png").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hotline_refers_a_case_to_the_shelter_which_accepts_it_and_sees_only_what_was_shared() {
    let app = spawn_app().await;
    let case_id = the_girls_case(&app).await;
    let service_id = app
        .store
        .services()
        .await
        .unwrap()
        .into_iter()
        .find(|service| service.service.slug == "shelter-demo-casa-ninas")
        .expect("the demo shelter's house for girls")
        .id;
    let Some((client, driver, _profile)) = browser_session().await else {
        return;
    };
    let outcome = drive(&client, &app.address, case_id, service_id).await;
    if outcome.is_err() {
        let _ = save_screenshot(&client, "puente-browser-referral-failure.png").await;
    }
    let _ = client.close().await;
    drop(driver);
    outcome.expect("the referral flow in the browser");
}

async fn enter_a_likely_duplicate(client: &fantoccini::Client, base: &str) -> Step<()> {
    log_in(client, base, ADVOCATE).await?;
    client.goto(&format!("{base}/cases/new")).await?;
    for (name, value) in [
        ("given_name", "Maria"),
        ("surname", "Hernandez"),
        ("date_of_birth", "1990-05-12"),
    ] {
        client
            .find(Locator::Css(&format!("input[name={name}]")))
            .await?
            .send_keys(value)
            .await?;
    }
    client
        .find(Locator::Css("select[name=sex]"))
        .await?
        .select_by_value("Female")
        .await?;
    click_and_wait_for_new_page(
        client,
        Locator::Css("form[action='/cases'] button[type=submit]"),
    )
    .await?;
    let warning = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#duplicate-warning"))
        .await?
        .text()
        .await?;
    assert!(warning.contains("Maria Hernandez"), "{warning}");
    let html = client.source().await?;
    assert!(
        html.contains("un apellido en común"),
        "the explanation per field"
    );
    save_screenshot(client, "puente-browser-duplicate-warning-es.png").await?;
    // It is another person: the case is saved after all.
    click_and_wait_for_new_page(
        client,
        Locator::Css("form input[name=not_a_duplicate] ~ button[type=submit]"),
    )
    .await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText("Evaluación rápida"))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entering_a_person_already_recorded_shows_the_duplicate_warning_with_its_reasons() {
    let app = spawn_app().await;
    // The advocate's own earlier case: likely duplicates are looked for only among the records
    // the user may read.
    let advocate = app.token(ADVOCATE).await;
    let response = app
        .post(
            &advocate,
            "/api/v1/cases",
            &json!({ "person": { "given_name": "María", "middle_name": "José",
                                 "surname": "Hernández", "second_surname": "López", "sex": "F",
                                 "date_of_birth": "1990-05-12", "nationality": "GT" } }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let Some((client, driver, _profile)) = browser_session().await else {
        return;
    };
    let outcome = enter_a_likely_duplicate(&client, &app.address).await;
    if outcome.is_err() {
        let _ = save_screenshot(&client, "puente-browser-duplicate-failure.png").await;
    }
    let _ = client.close().await;
    drop(driver);
    outcome.expect("the duplicate warning in the browser");
}
