//! A hotline advocate on a 360 px phone, in Spanish, opens the case of a 16-year-old Honduran boy
//! alone in Houston, runs the child screen, opens "Protección legal" and sees SIJS, the T visa and
//! the TVPRA's steps (the transfer to ORR within 72 hours), answers the relief questions still
//! missing one per page, and records the report to the police, which the page then lists. Every
//! page is checked to fit the phone with labels and no codes; screenshots are saved under
//! `target/tmp` (`puente-legal-*.png`).
//!
//! Like `browser.rs`, it needs Debian's `chromium` and `chromium-driver`, and FAILS without them
//! unless `PUENTE_SKIP_BROWSER_TESTS=1` is set.

mod browser_support;
#[allow(dead_code)]
#[path = "http/helpers.rs"]
mod helpers;

use std::time::Duration;

use browser_support::{browser_session, check_page_fits, save_screenshot, Step};
use fantoccini::Locator;
use helpers::{spawn_app, ADVOCATE, PASSWORD};

const WAIT: Duration = Duration::from_secs(10);

/// The value of the hidden `question` field of the page, or `None`.
async fn question_key(client: &fantoccini::Client) -> Option<String> {
    let input = client
        .find(Locator::Css("input[name=question]"))
        .await
        .ok()?;
    input.prop("value").await.ok().flatten()
}

/// Waits until the page after an answer is there: another question (another key, or the same key
/// counted further), or a page that is not a question.
async fn wait_for_next_page(
    client: &fantoccini::Client,
    before: &Option<String>,
    before_url: &str,
) -> Step<()> {
    for _ in 0..100 {
        let url = client.current_url().await?.to_string();
        let now = question_key(client).await;
        if (now.is_some() && now != *before) || (now.is_none() && url != before_url) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("the page stayed on the question {before:?}").into())
}

/// Waits until the page is at `path` with `selector` on it.
async fn wait_for(client: &fantoccini::Client, path_part: &str, selector: &str) -> Step<()> {
    for _ in 0..100 {
        if client.current_url().await?.path().contains(path_part)
            && client.find(Locator::Css(selector)).await.is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("no page at {path_part} with {selector}").into())
}

async fn drive(client: &fantoccini::Client, base: &str) -> Step<()> {
    browser_support::log_in(client, base, ADVOCATE, PASSWORD).await?;

    // The boy's case: 16 years old, Honduran, now in the United States.
    client.goto(&format!("{base}/cases/new")).await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("input[name=given_name]"))
        .await?;
    let fill = [
        ("input[name=given_name]", "Kevin"),
        ("input[name=surname]", "Mejía"),
        ("input[name=date_of_birth]", "2010-02"),
    ];
    for (selector, text) in fill {
        client
            .find(Locator::Css(selector))
            .await?
            .send_keys(text)
            .await?;
    }
    for (selector, value) in [
        ("select[name=sex]", "Male"),
        ("select[name=nationality]", "HN"),
        ("select[name=current_country]", "US"),
    ] {
        client
            .find(Locator::Css(selector))
            .await?
            .select_by_value(value)
            .await?;
    }
    client
        .find(Locator::Css("form[action='/cases'] button[type=submit]"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("a[href$='/screenings/new?kind=child']"))
        .await?;
    let case_path = client.current_url().await?.path().to_string();

    // The child screen: yes to the situation and to being alone, no to the urgent questions.
    client
        .find(Locator::Css("a[href$='/screenings/new?kind=child']"))
        .await?
        .click()
        .await?;
    let mut finished = false;
    for _ in 0..60 {
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
            .at_most(WAIT)
            .for_element(Locator::Css("#question-text"))
            .await?;
        let before = question_key(client).await;
        let before_url = url.to_string();
        if let Ok(age) = client.find(Locator::Css("input[name=answer]")).await {
            age.send_keys("16").await?;
            client
                .find(Locator::Css("button[value=number]"))
                .await?
                .click()
                .await?;
        } else {
            let question = before.clone().unwrap_or_default();
            let answer = if question.starts_with("urgent_") {
                "#answer-no"
            } else {
                "#answer-yes"
            };
            client.find(Locator::Css(answer)).await?.click().await?;
        }
        wait_for_next_page(client, &before, &before_url).await?;
    }
    assert!(finished, "the child screen ends within 60 questions");

    // Protección legal: SIJS, the T visa and the TVPRA's steps.
    client.goto(&format!("{base}{case_path}/legal")).await?;
    wait_for(client, "/legal", "#option-us_sijs").await?;
    let html = client.source().await?;
    assert!(html.contains("<h1>Protección legal</h1>"), "{html}");
    for option in ["us_sijs", "us_t_visa", "us_tvpra_child"] {
        assert!(
            html.contains(&format!("id=\"option-{option}\"")),
            "{option}"
        );
    }
    let tvpra = client
        .find(Locator::Css("#option-us_tvpra_child"))
        .await?
        .text()
        .await?;
    assert!(
        tvpra.contains("72 horas") && tvpra.contains("Oficina de Reasentamiento de Refugiados"),
        "{tvpra}"
    );
    let sijs = client
        .find(Locator::Css("#option-us_sijs"))
        .await?
        .text()
        .await?;
    assert!(sijs.contains("21"), "the SIJS deadline: {sijs}");
    save_screenshot(client, "puente-legal-options-es.png").await?;
    check_page_fits(client, "legal-options-es").await?;

    // The missing relief questions, one per page: not married, yes to every fact.
    client
        .find(Locator::Css("#relief-questions"))
        .await?
        .click()
        .await?;
    let mut answered = 0;
    loop {
        for _ in 0..100 {
            let url = client.current_url().await?;
            if url.path().ends_with("/legal/questions") && question_key(client).await.is_some()
                || url.query().is_some_and(|q| q.contains("done=answered"))
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = client.current_url().await?;
        if url.query().is_some_and(|q| q.contains("done=answered")) {
            break;
        }
        let before = question_key(client).await;
        if answered == 0 {
            save_screenshot(client, "puente-legal-question-es.png").await?;
            check_page_fits(client, "legal-question-es").await?;
        }
        let answer = if before.as_deref() == Some("married") {
            "#answer-no"
        } else {
            "#answer-yes"
        };
        client.find(Locator::Css(answer)).await?.click().await?;
        wait_for_next_page(client, &before, url.as_ref()).await?;
        answered += 1;
        assert!(answered < 30, "the relief questions end");
    }
    assert!(answered >= 3, "only {answered} relief questions");
    wait_for(client, "/legal", "#option-us_t_visa").await?;
    let t_visa = client
        .find(Locator::Css("#option-us_t_visa .status"))
        .await?
        .text()
        .await?;
    assert_eq!(
        t_visa, "probable",
        "the T visa once every question is answered"
    );

    // The report to the police.
    client
        .find(Locator::Css("#reports ~ details summary"))
        .await?
        .click()
        .await?;
    let form = client.find(Locator::Css("#report-form")).await?;
    form.find(Locator::Css("select[name=authority]"))
        .await?
        .select_by_value("police")
        .await?;
    form.find(Locator::Css("input[name=agency]"))
        .await?
        .send_keys("Houston Police Department")
        .await?;
    form.find(Locator::Css("input[name=reference]"))
        .await?
        .send_keys("HPD-26-0417")
        .await?;
    save_screenshot(client, "puente-legal-report-form-es.png").await?;
    form.find(Locator::Css("#report-submit"))
        .await?
        .click()
        .await?;
    wait_for(client, "/legal", "#report-list").await?;
    let reports = client
        .find(Locator::Css("#report-list"))
        .await?
        .text()
        .await?;
    assert!(
        reports.contains("Policía, Houston Police Department (HPD-26-0417)"),
        "{reports}"
    );
    save_screenshot(client, "puente-legal-reported-es.png").await?;
    check_page_fits(client, "legal-reported-es").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advocate_screens_a_honduran_boy_in_houston_sees_his_protections_and_reports_to_the_police(
) {
    let app = spawn_app().await;
    let Some((client, driver, _profile)) = browser_session().await else {
        return;
    };
    let outcome = drive(&client, &app.address).await;
    if outcome.is_err() {
        let _ = save_screenshot(&client, "puente-legal-failure-es.png").await;
    }
    let _ = client.close().await;
    drop(driver);
    outcome.expect("the legal protection flow in the browser");
}
