//! The end-to-end browser test: headless Chromium, driven through ChromeDriver (WebDriver) by
//! fantoccini, against the server on loopback. The advocate logs in, opens a case, runs the quick
//! screen and sees the result, in Spanish, on a phone-sized window; a screenshot is saved.
//!
//! It needs Debian's `chromium` and `chromium-driver` (`apt-get install -y chromium
//! chromium-driver`). Without them it FAILS, unless `PUENTE_SKIP_BROWSER_TESTS=1` is set.

mod browser_support;
#[allow(dead_code)]
#[path = "http/helpers.rs"]
mod helpers;

use std::path::PathBuf;
use std::time::Duration;

use browser_support::{
    browser_session, check_page_fits, click_and_wait_for_new_page, save_screenshot, Step,
};
use fantoccini::Locator;
use helpers::{spawn_app, ADVOCATE, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advocate_logs_in_opens_a_case_and_runs_the_quick_screen_in_spanish() {
    let app = spawn_app().await;
    let Some((client, driver, _profile)) = browser_session().await else {
        return;
    };

    let outcome = drive(&client, &app.address).await;
    let screenshot = client.screenshot().await;
    let _ = client.close().await;
    drop(driver);
    outcome.expect("the browser flow");

    let png = screenshot.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    let directory = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = directory.join("puente-browser-quick-screen-es.png");
    std::fs::write(&path, &png).expect("the screenshot is saved");
    eprintln!("screenshot: {}", path.display());
}

async fn drive(client: &fantoccini::Client, base: &str) -> Step<()> {
    // Log in, in Spanish.
    client.goto(&format!("{base}/login")).await?;
    let html = client.source().await?;
    assert!(
        html.contains("<html lang=\"es\">") && html.contains("Iniciar sesión"),
        "the login page is in Spanish"
    );
    check_page_fits(client, "login-es").await?;
    browser_support::log_in(client, base, ADVOCATE, PASSWORD).await?;
    // An advocate lands on "my work": today's tasks, referrals and quiet cases.
    assert_eq!(client.current_url().await?.path(), "/my-work");

    // Open a case from the menu.
    click_and_wait_for_new_page(client, Locator::LinkText("Nuevo caso")).await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("input[name=given_name]"))
        .await?;
    client
        .find(Locator::Css("input[name=given_name]"))
        .await?
        .send_keys("Yesenia")
        .await?;
    client
        .find(Locator::Css("input[name=surname]"))
        .await?
        .send_keys("Ramírez")
        .await?;
    client
        .find(Locator::Css("select[name=sex]"))
        .await?
        .select_by_value("Female")
        .await?;
    client
        .find(Locator::Css("input[name=date_of_birth]"))
        .await?
        .send_keys("2010-05")
        .await?;
    client
        .find(Locator::Css("select[name=nationality]"))
        .await?
        .select_by_value("GT")
        .await?;
    click_and_wait_for_new_page(
        client,
        Locator::Css("form[action='/cases'] button[type=submit]"),
    )
    .await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText("Evaluación rápida"))
        .await?;
    let html = client.source().await?;
    assert!(
        html.contains("Yesenia Ramírez"),
        "the case page shows the person"
    );
    save_screenshot(client, "puente-browser-case-es.png").await?;
    check_page_fits(client, "case-es").await?;

    // The quick screen, one question at a time: yes to the situation, no to the urgent questions.
    click_and_wait_for_new_page(client, Locator::LinkText("Evaluación rápida")).await?;
    let mut finished = false;
    for step in 0..40 {
        let url = client.current_url().await?;
        if url.path().contains("/screenings/")
            && !url.path().ends_with("/new")
            && !url.path().ends_with("/step")
        {
            finished = true;
            break;
        }
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#question-text"))
            .await?;
        if step == 1 {
            save_screenshot(client, "puente-browser-question-es.png").await?;
            check_page_fits(client, "question-es").await?;
        }
        // Each answer leaves the question's page for the next question's (or the result).
        if let Ok(age) = client.find(Locator::Css("input[name=answer]")).await {
            age.send_keys("15").await?;
            click_and_wait_for_new_page(client, Locator::Css("button[value=number]")).await?;
        } else {
            let question = client
                .find(Locator::Css("input[name=question]"))
                .await?
                .prop("value")
                .await?
                .unwrap_or_default();
            let answer = if question.starts_with("urgent_") {
                "#answer-no"
            } else {
                "#answer-yes"
            };
            click_and_wait_for_new_page(client, Locator::Css(answer)).await?;
        }
    }
    assert!(finished, "the quick screen ends within 40 questions");

    // The result, with its explanation and next steps, in Spanish.
    let level = client
        .find(Locator::Css("#screening-level"))
        .await?
        .text()
        .await?;
    assert!(
        level.contains("indicios") || level.contains("Indicios"),
        "the level in Spanish: {level}"
    );
    let html = client.source().await?;
    assert!(
        html.contains("Próximos pasos") && html.contains("Por qué"),
        "next steps and explanation"
    );
    assert!(html.contains("<html lang=\"es\">"));
    check_page_fits(client, "screening-result-es").await?;
    Ok(())
}
