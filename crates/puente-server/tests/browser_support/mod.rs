//! What the browser tests share: finding Debian's Chromium and ChromeDriver, starting ChromeDriver
//! on a loopback port, a WebDriver session on a 360 px phone in Spanish or English, the checks
//! every page must pass (nothing scrolls sideways, no raw code where a label belongs, targets of
//! at least 24x24 px), and screenshots. The tests FAIL without the browser unless
//! `PUENTE_SKIP_BROWSER_TESTS=1` is set.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::ClientBuilder;
use serde_json::{json, Value};

const CHROMIUM_CANDIDATES: [&str; 3] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];
const CHROMEDRIVER_CANDIDATES: [&str; 2] =
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];
const INSTALL_HINT: &str = "install them with `apt-get install -y chromium chromium-driver`, or set PUENTE_SKIP_BROWSER_TESTS=1 to skip this test";

pub fn first_existing(candidates: &[&str]) -> Option<PathBuf> {
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

/// ChromeDriver, ended when the test ends (even when it fails).
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_chromedriver(path: &Path) -> Driver {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.local_addr().unwrap().port()
    };
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ChromeDriver starts");
    let driver = Driver { child, port };
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

pub type Step<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Saves a screenshot of the current page under the test's temporary directory in `target/`.
pub async fn save_screenshot(client: &fantoccini::Client, name: &str) -> Step<PathBuf> {
    let png = client.screenshot().await?;
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, png)?;
    eprintln!("screenshot: {}", path.display());
    Ok(path)
}

/// The width of the phone every browser test runs on, in CSS pixels.
pub const PHONE_WIDTH: u32 = 360;

/// A WebDriver session in headless Chromium on a 360 px phone, in Spanish; `None` when the
/// browser tests are skipped.
pub async fn browser_session() -> Option<(fantoccini::Client, Driver, tempfile::TempDir)> {
    browser_session_in("es").await
}

/// A WebDriver session in headless Chromium on a 360 px phone whose browser asks for `language`
/// (`es` or `en`); `None` when the browser tests are skipped.
pub async fn browser_session_in(
    language: &str,
) -> Option<(fantoccini::Client, Driver, tempfile::TempDir)> {
    if std::env::var("PUENTE_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("PUENTE_SKIP_BROWSER_TESTS=1: the browser test is skipped");
        return None;
    }
    let chromium = first_existing(&CHROMIUM_CANDIDATES)
        .unwrap_or_else(|| panic!("Chromium is not installed: {INSTALL_HINT}"));
    let chromedriver = first_existing(&CHROMEDRIVER_CANDIDATES)
        .unwrap_or_else(|| panic!("ChromeDriver is not installed: {INSTALL_HINT}"));
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
                "--disable-sync", "--disable-quic", format!("--lang={language}"),
                format!("--user-data-dir={}", profile.path().display()),
                "--hide-scrollbars",
                format!("--window-size={PHONE_WIDTH},1400")
            ],
            "mobileEmulation": {
                "deviceMetrics": { "width": PHONE_WIDTH, "height": 780, "pixelRatio": 2.0 }
            },
            "prefs": { "intl.accept_languages": if language == "es" { "es-GT,es" } else { "en-US,en" } }
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session in Chromium");
    Some((client, driver, profile))
}

/// What a page must be on a phone, in the page's language: nothing wider than the screen (no
/// sideways scroll), no raw vocabulary code in the visible text (a `snake_case` code or an
/// HTCDS `PascalCase` code), and every checkbox, radio button and navigation link at least 24x24
/// CSS pixels (WCAG 2.2, 2.5.8). Returns each problem found, naming the page.
pub async fn page_problems(client: &fantoccini::Client, page: &str) -> Step<Vec<String>> {
    let measured = client
        .execute(
            r#"
            const root = document.documentElement;
            const small = [];
            for (const element of document.querySelectorAll('input[type=checkbox], input[type=radio], nav a, header.top a, header.top button')) {
                const box = element.getBoundingClientRect();
                if (box.width > 0 && (box.width < 24 || box.height < 24)) {
                    small.push(`${element.tagName.toLowerCase()} ${element.getAttribute('name') || element.textContent.trim()} ${Math.round(box.width)}x${Math.round(box.height)}`);
                }
            }
            const scrolled = [];
            for (const element of document.body.querySelectorAll('*')) {
                const overflow = getComputedStyle(element).overflowX;
                if ((overflow === 'auto' || overflow === 'scroll') && element.scrollWidth > element.clientWidth + 1) {
                    scrolled.push(`${element.tagName.toLowerCase()}.${element.className} ${element.scrollWidth} in ${element.clientWidth}`);
                }
            }
            const wide = [];
            for (const element of document.body.querySelectorAll('*')) {
                const box = element.getBoundingClientRect();
                if (box.right > root.clientWidth + 1 && wide.length < 5) {
                    wide.push(`${element.tagName.toLowerCase()}.${element.className} right ${Math.round(box.right)}`);
                }
            }
            const leaves = [];
            for (const element of document.body.querySelectorAll('*')) {
                if (element.childElementCount === 0 && element.offsetParent !== null) {
                    const text = element.textContent.trim();
                    if (text.length > 0 && text.length < 60) {
                        leaves.push(text);
                    }
                }
            }
            return {
                leaves: leaves,
                scroll_width: root.scrollWidth,
                client_width: root.clientWidth,
                inner_width: window.innerWidth,
                lang: root.lang,
                text: document.body.innerText,
                small: small,
                wide: wide,
                scrolled: scrolled,
            };
            "#,
            vec![],
        )
        .await?;
    let mut problems = Vec::new();
    let scroll_width = measured["scroll_width"].as_u64().unwrap_or(0);
    let client_width = measured["client_width"].as_u64().unwrap_or(0);
    if measured["inner_width"].as_u64() != Some(u64::from(PHONE_WIDTH)) {
        problems.push(format!(
            "{page}: the window is {} px wide, not a {PHONE_WIDTH} px phone (zoomed out to fit a page too wide?)",
            measured["inner_width"]
        ));
    }
    if scroll_width > client_width {
        problems.push(format!(
            "{page}: scrolls sideways ({scroll_width} px wide on a {client_width} px screen; too wide: {})",
            measured["wide"]
        ));
    }
    for scrolled in measured["scrolled"].as_array().into_iter().flatten() {
        problems.push(format!(
            "{page}: a part scrolls sideways inside the page: {scrolled}"
        ));
    }
    let small: Vec<&str> = measured["small"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !small.is_empty() {
        problems.push(format!(
            "{page}: {} targets under 24x24 px: {}",
            small.len(),
            small.iter().take(4).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    let lang = measured["lang"].as_str().unwrap_or_default();
    let text = measured["text"].as_str().unwrap_or_default();
    let leaves: Vec<&str> = measured["leaves"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for code in raw_codes(text, lang)
        .into_iter()
        .chain(leaf_codes(&leaves, lang))
    {
        problems.push(format!("{page}: shows the raw code `{code}` ({lang})"));
    }
    Ok(problems)
}

/// Every code of the HTCDS vocabularies, with its Spanish and English labels.
fn vocabulary_codes() -> Vec<(&'static str, &'static str, &'static str)> {
    use puente_core::htcds::*;
    use puente_core::Vocabulary;
    fn codes_of<V: Vocabulary>(codes: &mut Vec<(&'static str, &'static str, &'static str)>) {
        for value in V::all() {
            let label = value.label();
            codes.push((value.code(), label.es, label.en));
        }
    }
    let mut codes = Vec::new();
    codes_of::<OrganisationType>(&mut codes);
    codes_of::<Gender>(&mut codes);
    codes_of::<TraffickingStatus>(&mut codes);
    codes_of::<TraffickingStatusDecidedBy>(&mut codes);
    codes_of::<MethodOfRecruitment>(&mut codes);
    codes_of::<MethodOfControl>(&mut codes);
    codes_of::<TypeOfExploitation>(&mut codes);
    codes_of::<TypeOfLabour>(&mut codes);
    codes_of::<LabourIndustry>(&mut codes);
    codes_of::<TypeOfSexExploitation>(&mut codes);
    codes_of::<RelationshipToTrafficker>(&mut codes);
    codes_of::<PerpetratorRole>(&mut codes);
    codes_of::<TraffickingEventType>(&mut codes);
    codes_of::<CaseStatus>(&mut codes);
    codes_of::<ReferralReason>(&mut codes);
    codes_of::<SupportType>(&mut codes);
    codes_of::<SupportStatus>(&mut codes);
    codes_of::<ConsentScope>(&mut codes);
    codes_of::<Vulnerability>(&mut codes);
    codes
}

/// The raw codes in a page's visible text: `snake_case` words (two lowercase words or more
/// joined by `_`) and `PascalCase` words of two humps or more that are codes of a vocabulary.
/// E-mail addresses and web addresses are not words of text.
pub fn raw_codes(text: &str, lang: &str) -> Vec<String> {
    let _ = lang;
    let codes = vocabulary_codes();
    let mut found = Vec::new();
    for word in text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';' | ':' | '(' | ')' | '«' | '»' | '“' | '”' | '"' | '·' | '|'
            )
    }) {
        let word = word.trim_matches(|c: char| matches!(c, '.' | '!' | '?' | '\'' | '[' | ']'));
        if word.is_empty() || word.contains('@') || word.contains('/') || word.contains("://") {
            continue;
        }
        let snake_case = word.contains('_')
            && word.split('_').filter(|part| !part.is_empty()).count() >= 2
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && word.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        let humps = word.chars().filter(|c| c.is_ascii_uppercase()).count();
        let pascal_code = humps >= 2
            && word.chars().all(|c| c.is_ascii_alphanumeric())
            && !word
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && codes.iter().any(|(code, _, _)| *code == word);
        if (snake_case || pascal_code) && !found.contains(&word.to_string()) {
            found.push(word.to_string());
        }
    }
    found
}

/// The codes shown alone where a label belongs: on a Spanish page, a text element (a cell, a
/// value) that is exactly a vocabulary code that is not its Spanish label (`Female`, `Pending`).
pub fn leaf_codes(leaves: &[&str], lang: &str) -> Vec<String> {
    if lang != "es" {
        return Vec::new();
    }
    let codes = vocabulary_codes();
    let mut found = Vec::new();
    for leaf in leaves {
        if codes.iter().any(|(code, es, _)| code == leaf && es != leaf)
            && !found.contains(&leaf.to_string())
        {
            found.push(leaf.to_string());
        }
    }
    found
}

/// Checks the current page (see [`page_problems`]) and saves its screenshot as
/// `puente-page-{name}.png`; collects the problems into `problems`.
pub async fn check_page(
    client: &fantoccini::Client,
    name: &str,
    problems: &mut Vec<String>,
) -> Step<()> {
    problems.extend(page_problems(client, name).await?);
    save_screenshot(client, &format!("puente-page-{name}.png")).await?;
    Ok(())
}

/// Fails the step when the current page does not fit the phone or shows a raw code (see
/// [`page_problems`]), listing what is wrong.
pub async fn check_page_fits(client: &fantoccini::Client, name: &str) -> Step<()> {
    let problems = page_problems(client, name).await?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// Logs `email` in through the login form (after forgetting any earlier session) and waits for
/// the menu.
pub async fn log_in(
    client: &fantoccini::Client,
    base: &str,
    email: &str,
    password: &str,
) -> Step<()> {
    use fantoccini::Locator;
    client.delete_all_cookies().await?;
    client.goto(&format!("{base}/login")).await?;
    client
        .find(Locator::Css("input[name=email]"))
        .await?
        .send_keys(email)
        .await?;
    client
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(password)
        .await?;
    click_and_wait_for_new_page(
        client,
        Locator::Css("form[action='/login'] button[type=submit]"),
    )
    .await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("nav"))
        .await?;
    Ok(())
}

/// Clicks what `locator` finds, on a link or a button that leaves the page, and waits (ten
/// seconds at most) until the page it leaves is gone. A click only starts the navigation: until
/// the browser replaces the document, a find answers from the page being left, and an element
/// that page also has would go stale in the test's hands. The old page is gone when its root
/// element is no longer attached, which holds when the new page has the same address too (a form
/// that comes back to its page).
pub async fn click_and_wait_for_new_page(
    client: &fantoccini::Client,
    locator: fantoccini::Locator<'_>,
) -> Step<()> {
    let element = client.find(locator).await?;
    click_element_and_wait_for_new_page(client, element).await
}

/// Whether ChromeDriver's answer about an element says its document is being replaced.
fn page_was_replaced(message: &str) -> bool {
    [
        "does not belong to the document",
        "Cannot find context with specified id",
        "target frame detached",
        "Execution context was destroyed",
    ]
    .iter()
    .any(|sign| message.contains(sign))
}

/// [`click_and_wait_for_new_page`] on an element found already.
pub async fn click_element_and_wait_for_new_page(
    client: &fantoccini::Client,
    element: fantoccini::elements::Element,
) -> Step<()> {
    let old_page = client.find(fantoccini::Locator::Css("html")).await?;
    element.click().await?;
    for _ in 0..200 {
        match old_page.tag_name().await {
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(error) if error.is_stale_element_reference() || error.is_no_such_element() => {
                return Ok(());
            }
            // While the old document is being replaced, ChromeDriver may answer that the node
            // "does not belong to the document" (or that the frame or context is gone) rather
            // than that it is stale: the page changed all the same.
            Err(error) if page_was_replaced(&error.to_string()) => return Ok(()),
            Err(error) => return Err(error.into()),
        }
    }
    Err(format!(
        "the page {} did not change within ten seconds of the click",
        client.current_url().await?
    )
    .into())
}
