//! A hotline advocate on a 360 px phone, in Spanish, finds a returning caller by a misspelt name:
//! "jose ernandes" in the search box of the cases page finds José Hernández Díaz, shown as a card
//! that fits the screen, with labels and no codes. The screenshot is saved under `target/tmp`
//! (`puente-search-es.png`).
//!
//! Like `browser.rs`, it needs Debian's `chromium` and `chromium-driver`, and FAILS without them
//! unless `PUENTE_SKIP_BROWSER_TESTS=1` is set.

mod browser_support;
#[allow(dead_code)]
#[path = "http/helpers.rs"]
mod helpers;

use std::time::Duration;

use browser_support::{
    browser_session, check_page_fits, click_and_wait_for_new_page, save_screenshot, Step,
};
use fantoccini::Locator;
use helpers::{spawn_app, TestApp, ADVOCATE, PASSWORD};
use serde_json::{json, Value};

async fn find_the_caller(client: &fantoccini::Client, app: &TestApp, case_id: i64) -> Step<()> {
    browser_support::log_in(client, &app.address, ADVOCATE, PASSWORD).await?;
    client.goto(&format!("{}/cases", app.address)).await?;
    let search = client.find(Locator::Css("input#q")).await?;
    search.send_keys("jose ernandes").await?;
    // The cases page before the search lists the caller's card too, so wait for the search's
    // own page; a card found on the page being left would go stale under the test.
    click_and_wait_for_new_page(client, Locator::Css("form.case-search button[type=submit]"))
        .await?;
    assert!(client.current_url().await?.as_str().contains("q=jose"));
    let card = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "table.cards a[href='/cases/{case_id}']"
        )))
        .await?;
    assert!(card.text().await?.contains(&case_id.to_string()));
    let body = client.find(Locator::Css("main")).await?.text().await?;
    assert!(body.contains("José Hernández Díaz"), "{body}");
    assert!(
        body.contains("Activo"),
        "the status as a Spanish label: {body}"
    );
    // The query stays in the box.
    let typed = client
        .find(Locator::Css("input#q"))
        .await?
        .prop("value")
        .await?;
    assert_eq!(typed.as_deref(), Some("jose ernandes"));
    check_page_fits(client, "cases-search-es").await?;
    save_screenshot(client, "puente-search-es.png").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advocate_finds_a_returning_caller_by_a_misspelt_name_on_a_phone_in_spanish() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let response = app
        .post(
            &token,
            "/api/v1/cases",
            &json!({ "person": { "given_name": "José", "surname": "Hernández",
                                 "second_surname": "Díaz", "sex": "M", "nationality": "HN",
                                 "phone": "+504 9999-8888" } }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let case_id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let Some((client, driver, _profile)) = browser_session().await else {
        return;
    };
    let outcome = find_the_caller(&client, &app, case_id).await;
    let _ = client.close().await;
    drop(driver);
    outcome.expect("the advocate finds the caller");
}
