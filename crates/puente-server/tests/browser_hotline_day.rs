//! A hotline day in a real browser, on a 360 px phone, in Spanish: the advocate finds a returning
//! caller by a misspelt name, adds a follow-up task, attaches the employer's letter, and refers
//! the case to the demo shelter with its urgency, the reason in words and whom to call, and a
//! message; the shelter's case worker (logging in after her) opens the referral, accepts it,
//! opens the shelter's own case from it and replies; the advocate reads the reply and downloads
//! the case file as PDF. Every page is checked to fit the phone; screenshots are saved under
//! `target/tmp` (`puente-day-*.png`).
//!
//! Like `browser.rs`, it needs Debian's `chromium` and `chromium-driver`, and FAILS without them
//! unless `PUENTE_SKIP_BROWSER_TESTS=1` is set.

mod browser_support;
#[allow(dead_code)]
#[path = "http/helpers.rs"]
mod helpers;

use std::time::Duration;

use browser_support::{browser_session, check_page_fits, save_screenshot, Step};
use fantoccini::{Client, Locator};
use helpers::{spawn_app, TestApp, ADVOCATE, CASE_WORKER, PASSWORD};
use serde_json::{json, Value};

const TASK: &str = "Llamar otra vez el jueves";
const REASON: &str = "No tiene dónde dormir esta noche";
const MESSAGE: &str = "Llega a las 9 con su hija";
const REPLY: &str = "La esperamos; pregunte por Carmen";

/// Waits, at most ten seconds, until the address holds `part` (the page being left may still be
/// there when the wait starts).
async fn wait_for_address(client: &Client, part: &str) -> Step<()> {
    for _ in 0..200 {
        if client.current_url().await?.as_str().contains(part) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("the address never held {part:?}").into())
}

/// Waits, at most ten seconds, until the page's text holds `text`.
async fn wait_for_text(client: &Client, text: &str) -> Step<()> {
    for _ in 0..200 {
        if let Ok(main) = client.find(Locator::Css("main")).await {
            if main.text().await.is_ok_and(|shown| shown.contains(text)) {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("the page never showed {text:?}").into())
}

/// Writes a message on the referral page and waits until it is listed.
async fn send_message(client: &Client, text: &str) -> Step<()> {
    client
        .find(Locator::Css("#messages textarea[name=text]"))
        .await?
        .send_keys(text)
        .await?;
    client
        .find(Locator::Css("#send-message"))
        .await?
        .click()
        .await?;
    wait_for_text(client, text).await
}

/// Checks that the page fits the phone, and saves its screenshot.
async fn look(client: &Client, name: &str) -> Step<()> {
    save_screenshot(client, &format!("puente-day-{name}.png")).await?;
    check_page_fits(client, name).await
}

async fn advocates_morning(
    client: &Client,
    base: &str,
    case_id: i64,
    letter: &str,
) -> Step<String> {
    browser_support::log_in(client, base, ADVOCATE, PASSWORD).await?;
    // A returning caller: found by a misspelt name.
    client.goto(&format!("{base}/cases")).await?;
    client
        .find(Locator::Css("input#q"))
        .await?
        .send_keys("jose ernandes")
        .await?;
    client
        .find(Locator::Css("form.case-search button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_address(client, "q=jose").await?;
    let card = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "table.cards a[href='/cases/{case_id}']"
        )))
        .await?;
    look(client, "search").await?;
    card.click().await?;
    wait_for_address(client, &format!("/cases/{case_id}")).await?;

    // A follow-up task.
    let task_form = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "form[action='/cases/{case_id}/tasks']"
        )))
        .await?;
    task_form
        .find(Locator::Css("input[name=title]"))
        .await?
        .send_keys(TASK)
        .await?;
    task_form
        .find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_text(client, TASK).await?;

    // The employer's letter.
    client
        .find(Locator::Css("#documents input[type=file]"))
        .await?
        .send_keys(letter)
        .await?;
    client
        .find(Locator::Css("#documents button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_text(client, "carta-del-empleador.txt").await?;
    look(client, "case-with-task-and-document").await?;

    // The referral: the shelter by its name, the urgency, the reason, whom to call.
    client
        .goto(&format!("{base}/cases/{case_id}/refer"))
        .await?;
    let organisation = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("select[name=to_org]"))
        .await?;
    organisation.select_by_label("Albergue Demo").await?;
    client
        .find(Locator::Css("select[name=urgency]"))
        .await?
        .select_by_label("Inmediata (hoy mismo)")
        .await?;
    client
        .find(Locator::Css("textarea[name=reason_note]"))
        .await?
        .send_keys(REASON)
        .await?;
    client
        .find(Locator::Css("input[name=contact_details]"))
        .await?
        .send_keys("+504 2222 0101")
        .await?;
    for part in ["identity", "documents"] {
        client
            .find(Locator::Css(&format!("input[name=share][value={part}]")))
            .await?
            .click()
            .await?;
    }
    client.find(Locator::Css("#consent")).await?.click().await?;
    look(client, "referral-form").await?;
    client
        .find(Locator::Css("form[action$='/refer'] button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for_address(client, "/referrals/").await?;
    let referral_path = client.current_url().await?.path().to_string();
    wait_for_text(client, "Pendiente").await?;
    // And a message on it.
    send_message(client, MESSAGE).await?;
    look(client, "referral-sent").await?;
    Ok(referral_path)
}

async fn shelters_answer(client: &Client, base: &str, referral_path: &str) -> Step<i64> {
    browser_support::log_in(client, base, CASE_WORKER, PASSWORD).await?;
    client.goto(&format!("{base}/referrals")).await?;
    wait_for_text(client, "Inmediata (hoy mismo)").await?;
    look(client, "shelter-inbox").await?;
    client
        .find(Locator::Css(&format!("a[href='{referral_path}']")))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#accept"))
        .await?;
    let shown = client.find(Locator::Css("main")).await?.text().await?;
    for expected in ["Inmediata (hoy mismo)", REASON, "+504 2222 0101", MESSAGE] {
        assert!(
            shown.contains(expected),
            "{expected} on the referral: {shown}"
        );
    }
    look(client, "shelter-referral").await?;
    client.find(Locator::Css("#accept")).await?.click().await?;
    let open = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#open-case"))
        .await?;
    let shared = client.find(Locator::Css("main")).await?.text().await?;
    assert!(shared.contains("José Hernández Díaz"), "{shared}");
    assert!(shared.contains("carta-del-empleador.txt"), "{shared}");
    open.click().await?;
    // The shelter's own case, opened from the shared parts.
    wait_for_address(client, "/cases/").await?;
    let case_path = client.current_url().await?.path().to_string();
    let shelter_case: i64 = case_path
        .trim_start_matches("/cases/")
        .parse()
        .map_err(|_| format!("not a case page: {case_path}"))?;
    wait_for_text(client, "José").await?;
    look(client, "shelter-case").await?;
    // It replies on the referral.
    client.goto(&format!("{base}{referral_path}")).await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#opened-case"))
        .await?;
    send_message(client, REPLY).await?;
    look(client, "shelter-reply").await?;
    Ok(shelter_case)
}

async fn advocates_afternoon(
    client: &Client,
    base: &str,
    case_id: i64,
    referral_path: &str,
) -> Step<()> {
    browser_support::log_in(client, base, ADVOCATE, PASSWORD).await?;
    client.goto(&format!("{base}{referral_path}")).await?;
    wait_for_text(client, REPLY).await?;
    wait_for_text(client, "Aceptada").await?;
    look(client, "advocate-reads-reply").await?;
    client.goto(&format!("{base}/cases/{case_id}")).await?;
    let link = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#case-export-pdf"))
        .await?
        .attr("href")
        .await?
        .ok_or("the PDF link")?;
    // The case file downloads (fetched with the page's own session, as the link does).
    let answer = client
        .execute_async(
            "const [href, done] = arguments;
             fetch(href).then(async response => {
                 const bytes = new Uint8Array(await response.arrayBuffer());
                 done([response.status, response.headers.get('content-type'),
                       String.fromCharCode(...bytes.slice(0, 5)), bytes.length]);
             }).catch(error => done([0, String(error), '', 0]));",
            vec![json!(link)],
        )
        .await?;
    assert_eq!(answer[0], 200, "{answer}");
    assert_eq!(answer[1], "application/pdf", "{answer}");
    assert_eq!(answer[2], "%PDF-", "{answer}");
    Ok(())
}

/// The returning caller's case, recorded on an earlier call.
async fn returning_callers_case(app: &TestApp) -> i64 {
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
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hotline_day_on_a_phone_from_the_returning_caller_to_the_shelters_reply_and_the_pdf() {
    let app = spawn_app().await;
    let case_id = returning_callers_case(&app).await;
    let Some((client, driver, profile)) = browser_session().await else {
        return;
    };
    let letter = profile.path().join("carta-del-empleador.txt");
    std::fs::write(
        &letter,
        "Constancia: el señor trabajó en la finca de junio a noviembre.\n",
    )
    .unwrap();
    let base = app.address.clone();
    let outcome = async {
        let referral_path =
            advocates_morning(&client, &base, case_id, &letter.display().to_string()).await?;
        let shelter_case = shelters_answer(&client, &base, &referral_path).await?;
        assert_ne!(shelter_case, case_id, "the shelter's case is its own");
        advocates_afternoon(&client, &base, case_id, &referral_path).await
    }
    .await;
    if outcome.is_err() {
        let _ = save_screenshot(&client, "puente-day-failure.png").await;
    }
    let _ = client.close().await;
    drop(driver);
    outcome.expect("the hotline day in the browser");
}
