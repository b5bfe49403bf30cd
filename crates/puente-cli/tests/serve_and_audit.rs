//! `puente serve`, run as the real binary (`puente audit` is in `audit.rs`).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `puente serve --demo` creates the demo, prints its address and password, serves the login
/// page, and stops cleanly on SIGTERM.
#[cfg(unix)]
#[test]
fn serve_prints_its_address_serves_pages_and_stops_on_sigterm() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("puente.db");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("puente"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .env_remove("PUENTE_DB")
        .env_remove("PUENTE_DEMO_PASSWORD")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let mut address = None;
    let started = Instant::now();
    while address.is_none() && started.elapsed() < Duration::from_secs(60) {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("Puente is listening on ") {
            address = rest.split_whitespace().next().map(str::to_string);
        }
        printed.push(line);
    }
    let address = address.unwrap_or_else(|| panic!("no address printed: {printed:?}"));
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    let all = printed.join("\n");
    assert!(
        all.contains("password: ") && all.contains("advocate@hotline.demo"),
        "{all}"
    );

    let port: u16 = address
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    use std::io::{Read, Write};
    stream
        .write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\nAccept-Language: es\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("Iniciar sesión"));

    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "{exit:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|line| line.contains("Puente stopped.")),
        "{rest:?}"
    );
    // Stopping wrote a signed checkpoint of the log after the one made with the key at start, and
    // the log verifies.
    let checkpoints =
        std::fs::read_to_string(directory.path().join("puente.db.audit-checkpoints")).unwrap();
    assert!(checkpoints.lines().count() >= 2, "{checkpoints}");
    let verify = Command::new(assert_cmd::cargo::cargo_bin("puente"))
        .arg("--db")
        .arg(&db)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
