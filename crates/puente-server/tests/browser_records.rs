//! A case's documents in a real browser: on a 360 px phone, in Spanish, the hotline's advocate
//! attaches an employer's letter to a case from the case page's file input, sees it listed, and
//! downloads the case file as PDF. Screenshots are saved under `target/tmp`.
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
use helpers::{spawn_app, ADVOCATE, PASSWORD};

async fn drive(client: &fantoccini::Client, base: &str, case_id: i64, letter: &str) -> Step<()> {
    browser_support::log_in(client, base, ADVOCATE, PASSWORD).await?;
    client.goto(&format!("{base}/cases/{case_id}")).await?;
    let input = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#documents input[type=file]"))
        .await?;
    input.send_keys(letter).await?;
    click_and_wait_for_new_page(client, Locator::Css("#documents button[type=submit]")).await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#documents ul.documents li a"))
        .await?;
    let html = client.source().await?;
    assert!(
        html.contains("Documento adjuntado."),
        "the notice in Spanish"
    );
    assert!(
        html.contains("carta-del-empleador.txt"),
        "the document is listed"
    );
    check_page_fits(client, "case-documents-es").await?;
    save_screenshot(client, "puente-browser-case-documents-es.png").await?;

    // The case file downloads as a PDF (fetched with the page's own session, as the link does).
    let link = client
        .find(Locator::Css("#case-export-pdf"))
        .await?
        .attr("href")
        .await?
        .expect("the PDF link");
    let answer = client
        .execute_async(
            "const [href, done] = arguments;
             fetch(href).then(async response => {
                 const bytes = new Uint8Array(await response.arrayBuffer());
                 done([response.status, response.headers.get('content-type'),
                       String.fromCharCode(...bytes.slice(0, 5)), bytes.length]);
             }).catch(error => done([0, String(error), '', 0]));",
            vec![serde_json::json!(link)],
        )
        .await?;
    assert_eq!(answer[0], 200, "{answer}");
    assert_eq!(answer[1], "application/pdf", "{answer}");
    assert_eq!(answer[2], "%PDF-", "{answer}");
    assert!(answer[3].as_u64().unwrap_or_default() > 1000, "{answer}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_advocate_attaches_a_document_on_a_phone_and_downloads_the_case_pdf() {
    let app = spawn_app().await;
    let token = app.token(ADVOCATE).await;
    let case_id = app.create_case(&token, "Begoña").await;
    let Some((client, _driver, profile)) = browser_session().await else {
        return;
    };
    let letter = profile.path().join("carta-del-empleador.txt");
    std::fs::write(
        &letter,
        "Constancia: la señora trabajó en la finca de junio a noviembre.\n",
    )
    .unwrap();
    let result = drive(
        &client,
        &app.address,
        case_id,
        &letter.display().to_string(),
    )
    .await;
    if result.is_err() {
        let _ = save_screenshot(&client, "puente-browser-records-failure.png").await;
    }
    client.close().await.expect("the browser session closes");
    result.expect("the document story in the browser");
}
