//! What ARCHITECTURE.md promises that a machine can check: the pure crates depend on exactly the
//! crates listed here (no database, no async runtime, no HTTP, no files), and no source, document or
//! test name refers to a tracker's issue number.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Each workspace crate and its normal (not dev, not build) dependencies, from `cargo metadata`.
fn normal_dependencies() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| {
            let mut dependencies: Vec<String> = package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dependency| dependency["kind"].is_null())
                .map(|dependency| dependency["name"].as_str().unwrap().to_string())
                .collect();
            dependencies.sort();
            (package["name"].as_str().unwrap().to_string(), dependencies)
        })
        .collect()
}

#[test]
fn the_pure_crates_depend_only_on_what_is_pinned_here() {
    // Why each engine needs what it has: csv, time and the serde family for the data they read;
    // phonenumber (a port of libphonenumber) for the one phone normaliser;
    // rayon for parallel scoring; the RustCrypto crates, base64 and regex for clkhash-compatible
    // encodings; pulp for the vectorised popcount without unsafe code; num-bigint and the ChaCha
    // generator for the exact samplers of differential privacy.
    let pinned: &[(&str, &[&str])] = &[
        (
            "puente-core",
            &[
                "csv",
                "phonenumber",
                "serde",
                "serde_json",
                "thiserror",
                "time",
            ],
        ),
        (
            "puente-directory",
            &["puente-core", "serde", "serde_json", "thiserror", "time"],
        ),
        (
            "puente-screening",
            &["puente-core", "serde", "serde_json", "thiserror", "time"],
        ),
        (
            "puente-linkage",
            &[
                "puente-core",
                "rayon",
                "serde",
                "thiserror",
                "unicode-normalization",
            ],
        ),
        (
            "puente-pprl",
            &[
                "base64",
                "blake2",
                "hkdf",
                "hmac",
                "md-5",
                "puente-core",
                "puente-linkage",
                "pulp",
                "rand",
                "rand_chacha",
                "rayon",
                "regex",
                "serde",
                "serde_json",
                "sha1",
                "sha2",
                "thiserror",
            ],
        ),
        (
            "puente-disclosure",
            &[
                "hmac",
                "num-bigint",
                "puente-core",
                "rand",
                "rand_chacha",
                "serde",
                "serde_json",
                "sha2",
                "thiserror",
                "time",
            ],
        ),
        (
            "puente-synthesis",
            &[
                "puente-disclosure",
                "rand",
                "rand_chacha",
                "rayon",
                "serde",
                "thiserror",
            ],
        ),
        (
            "puente-synth",
            &[
                "puente-core",
                "puente-directory",
                "rand",
                "rand_chacha",
                "serde",
                "time",
            ],
        ),
    ];
    let actual = normal_dependencies();
    for (name, expected) in pinned {
        let found = actual
            .get(*name)
            .unwrap_or_else(|| panic!("{name} is not in the workspace"));
        assert_eq!(
            found, expected,
            "{name} is a pure crate: a new dependency needs a reason in ARCHITECTURE.md and a line here"
        );
    }
    // Whatever is pinned, none of these ever reaches a pure crate.
    let never = [
        "tokio",
        "sqlx",
        "axum",
        "reqwest",
        "hyper",
        "async-trait",
        "puente-store",
        "puente-server",
    ];
    for (name, _) in pinned {
        for dependency in &actual[*name] {
            assert!(
                !never.contains(&dependency.as_str()),
                "{name} depends on {dependency}"
            );
        }
    }
}

/// Files to read: sources, documents, tests, scripts and migrations; not build output, not data.
/// (A migration whose comment is reworded after it shipped is listed in the store's
/// `REWORDED_MIGRATIONS`, so that databases that applied the earlier text still open.)
fn text_files(directory: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !matches!(name.as_str(), "target" | "snapshots" | "fixtures" | ".git") {
                text_files(&path, found);
            }
        } else if [
            ".rs", ".md", ".toml", ".sh", ".ftl", ".html", ".py", ".yml", ".txt", ".sql",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
            || name == "run"
        {
            found.push(path);
        }
    }
}

/// Where `text` names an issue by number: the word (or its plural), then spaces, underscores, dashes
/// or a hash, then a digit.
fn issue_references(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let bytes = lower.as_bytes();
    let mut found = Vec::new();
    let mut start = 0;
    while let Some(offset) = lower[start..].find("issue") {
        let at = start + offset;
        let mut cursor = at + "issue".len();
        if bytes.get(cursor) == Some(&b's') {
            cursor += 1;
        }
        while matches!(bytes.get(cursor), Some(b' ' | b'_' | b'-' | b'#')) {
            cursor += 1;
        }
        let word_starts = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        if word_starts && bytes.get(cursor).is_some_and(u8::is_ascii_digit) {
            let end = (cursor + 3).min(lower.len());
            found.push(lower[at..end].to_string());
        }
        start = at + 1;
    }
    found
}

#[test]
fn the_issue_reference_check_catches_the_usual_spellings() {
    // Built from pieces, so this file does not name an issue itself.
    let word = ["iss", "ue"].concat();
    for text in [
        format!("see {word} 12"),
        format!("({word} #3)"),
        format!("fn {word}_12_case()"),
        format!("{}s 5-6", word.to_uppercase()),
    ] {
        assert_eq!(issue_references(&text).len(), 1, "{text}");
    }
    for text in [format!("the {word} tracker"), format!("re{word}d 3 times")] {
        assert!(issue_references(&text).is_empty(), "{text}");
    }
}

#[test]
fn no_source_document_or_test_names_an_issue_number() {
    let root = workspace_root();
    let mut files = Vec::new();
    for part in ["crates", "bench", "tools", ".ci"] {
        if root.join(part).is_dir() {
            text_files(&root.join(part), &mut files);
        }
    }
    for document in ["README.md", "ARCHITECTURE.md", "Cargo.toml"] {
        files.push(root.join(document));
    }
    let mut offences = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (index, line) in text.lines().enumerate() {
            for reference in issue_references(line) {
                offences.push(format!(
                    "{}:{}: {reference}",
                    file.strip_prefix(&root).unwrap_or(&file).display(),
                    index + 1
                ));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "name what the code does, not the issue that asked for it:\n{}",
        offences.join("\n")
    );
}
