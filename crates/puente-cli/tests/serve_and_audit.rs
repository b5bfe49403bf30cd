//! `puente serve` and `puente audit verify`, run as the real binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::puente;
use predicates::prelude::*;

/// `puente audit verify` passes on an untouched log, and fails, naming the entry, once an entry
/// has been changed directly in the database.
#[test]
fn audit_verify_finds_an_entry_changed_behind_the_applications_back() {
    let directory = tempfile::tempdir().unwrap();
    let db = directory.path().join("puente.db");
    puente()
        .arg("--db")
        .arg(&db)
        .args(["demo-data", "--cases", "3"])
        .assert()
        .success();
    puente()
        .arg("--db")
        .arg(&db)
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("intact"));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", db.display());
        let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&mut connection)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET detail = 'nothing happened' WHERE id = 2")
            .execute(&mut connection)
            .await
            .unwrap();
        connection.close().await.unwrap();
    });

    puente()
        .arg("--db")
        .arg(&db)
        .args(["audit", "verify"])
        .assert()
        .failure()
        .stdout(predicate::str::contains("BROKEN at entry 2"));
}

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
}
