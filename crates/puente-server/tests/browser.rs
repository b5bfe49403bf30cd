//! The end-to-end browser test: headless Chromium, driven through ChromeDriver (WebDriver) by
//! fantoccini, against the server on loopback. The advocate logs in, opens a case, runs the quick
//! screen and sees the result, in Spanish, on a phone-sized window; a screenshot is saved.
//!
//! It needs Debian's `chromium` and `chromium-driver` (`apt-get install -y chromium
//! chromium-driver`). Without them it FAILS, unless `PUENTE_SKIP_BROWSER_TESTS=1` is set.

#[allow(dead_code)]
#[path = "http/helpers.rs"]
mod helpers;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use helpers::{spawn_app, ADVOCATE, PASSWORD};
use serde_json::json;

const CHROMIUM_CANDIDATES: [&str; 3] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];
const CHROMEDRIVER_CANDIDATES: [&str; 2] =
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];
const INSTALL_HINT: &str = "install them with `apt-get install -y chromium chromium-driver`, or set PUENTE_SKIP_BROWSER_TESTS=1 to skip this test";

fn first_existing(candidates: &[&str]) -> Option<PathBuf> {
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

/// ChromeDriver, ended when the test ends (even when it fails).
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_loopback_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener.local_addr().unwrap().port()
}

async fn start_chromedriver(path: &Path) -> Driver {
    let port = free_loopback_port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ChromeDriver starts");
    let driver = Driver { child, port };
    // Wait, at most ten seconds, for it to accept connections.
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("ChromeDriver did not start listening on 127.0.0.1:{port}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advocate_logs_in_opens_a_case_and_runs_the_quick_screen_in_spanish() {
    if std::env::var("PUENTE_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("PUENTE_SKIP_BROWSER_TESTS=1: the browser test is skipped");
        return;
    }
    let chromium = first_existing(&CHROMIUM_CANDIDATES)
        .unwrap_or_else(|| panic!("Chromium is not installed: {INSTALL_HINT}"));
    let chromedriver = first_existing(&CHROMEDRIVER_CANDIDATES)
        .unwrap_or_else(|| panic!("ChromeDriver is not installed: {INSTALL_HINT}"));

    let app = spawn_app().await;
    let driver = start_chromedriver(&chromedriver).await;
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--lang=es",
                format!("--user-data-dir={}", profile.path().display()),
                "--window-size=412,1400"
            ],
            "prefs": { "intl.accept_languages": "es-GT,es" }
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session in Chromium");

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

type Step<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Saves a screenshot of the current page under the test's temporary directory in `target/`.
async fn save_screenshot(client: &fantoccini::Client, name: &str) -> Step<PathBuf> {
    let png = client.screenshot().await?;
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, png)?;
    Ok(path)
}

async fn drive(client: &fantoccini::Client, base: &str) -> Step<()> {
    // Log in, in Spanish.
    client.goto(&format!("{base}/login")).await?;
    let html = client.source().await?;
    assert!(
        html.contains("<html lang=\"es\">") && html.contains("Iniciar sesión"),
        "the login page is in Spanish"
    );
    client
        .find(Locator::Css("input[name=email]"))
        .await?
        .send_keys(ADVOCATE)
        .await?;
    client
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    client
        .find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("nav"))
        .await?;
    assert!(client.current_url().await?.path().starts_with("/cases"));

    // Open a case from the menu.
    client
        .find(Locator::LinkText("Nuevo caso"))
        .await?
        .click()
        .await?;
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
    client
        .find(Locator::Css("form[action='/cases'] button[type=submit]"))
        .await?
        .click()
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

    // The quick screen, one question at a time: yes to the situation, no to the urgent questions.
    client
        .find(Locator::LinkText("Evaluación rápida"))
        .await?
        .click()
        .await?;
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
        }
        if let Ok(age) = client.find(Locator::Css("input[name=answer]")).await {
            age.send_keys("15").await?;
            client
                .find(Locator::Css("button[value=number]"))
                .await?
                .click()
                .await?;
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
            client.find(Locator::Css(answer)).await?.click().await?;
        }
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("main h1"))
            .await?;
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
    Ok(())
}
