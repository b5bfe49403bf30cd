//! What the browser tests share: finding Debian's Chromium and ChromeDriver, starting ChromeDriver
//! on a loopback port, a WebDriver session on a phone-sized window in Spanish, and screenshots.
//! The tests FAIL without the browser unless `PUENTE_SKIP_BROWSER_TESTS=1` is set.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::ClientBuilder;
use serde_json::json;

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

/// A WebDriver session in headless Chromium on a phone-sized window, in Spanish; `None` when the
/// browser tests are skipped.
pub async fn browser_session() -> Option<(fantoccini::Client, Driver, tempfile::TempDir)> {
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
    Some((client, driver, profile))
}
