//! The SQL of `src/sql/` is written once for both backends: no string literal there may use a form
//! only SQLite accepts (its functions and catalogue, `?` placeholders, `INSERT OR ...`) or one
//! only PostgreSQL accepts (`::` casts, `ILIKE`). The literals are read out of the Rust source, so
//! Rust names such as `json_rows_aggregate` are not taken for SQL.

use std::path::Path;

/// Each form one backend does not accept, with what to write instead. Matched without regard to
/// case in every SQL string literal.
const ONE_BACKEND_ONLY: &[(&str, &str)] = &[
    (
        "substr(",
        "compare the ISO-8601 text with LIKE or a range, or cut it in Rust",
    ),
    (
        "substring(",
        "compare the ISO-8601 text with LIKE or a range, or cut it in Rust",
    ),
    (
        "sqlite_master",
        "ask the store's own tables, or decide in Rust",
    ),
    (
        "sqlite_schema",
        "ask the store's own tables, or decide in Rust",
    ),
    ("pragma", "set connection options in sqlite.rs"),
    ("strftime(", "make dates and times in Rust as ISO-8601 text"),
    ("julianday(", "count days in Rust"),
    ("datetime(", "make dates and times in Rust as ISO-8601 text"),
    ("date('now", "make dates and times in Rust as ISO-8601 text"),
    ("instr(", "use LIKE, or Rust"),
    ("ifnull(", "COALESCE"),
    ("group_concat(", "read the rows and join them in Rust"),
    (
        "json_",
        "the backend's JSON aggregation constant, or serde in Rust",
    ),
    (
        "jsonb_",
        "the backend's JSON aggregation constant, or serde in Rust",
    ),
    (
        "insert or ",
        "INSERT ... ON CONFLICT (...) DO NOTHING or DO UPDATE",
    ),
    ("replace into", "INSERT ... ON CONFLICT (...) DO UPDATE"),
    ("::", "CAST(x AS type)"),
    (" ilike ", "LOWER(a) LIKE LOWER($1)"),
    ("?", "$1, $2, ... placeholders"),
];

/// The words a string literal holding SQL has (in capitals, as the store writes SQL).
const SQL_WORDS: &[&str] = &[
    "SELECT ",
    "INSERT ",
    " INTO ",
    "UPDATE ",
    "DELETE FROM",
    " WHERE ",
    " FROM ",
    " SET ",
    " AND ",
    "ON CONFLICT",
];

/// The string literals of a Rust source, each with the line (as an editor counts it) it starts
/// on: plain `"..."` (escapes kept as written) and raw `r"..."`, `r#"..."#`. Comments and
/// character literals are skipped.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let bytes = source.as_bytes();
    let mut literals = Vec::new();
    let mut line = 1;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\n' => {
                line += 1;
                at += 1;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at += 2;
                while at < bytes.len() && !(bytes[at] == b'*' && bytes.get(at + 1) == Some(&b'/')) {
                    if bytes[at] == b'\n' {
                        line += 1;
                    }
                    at += 1;
                }
                at += 2;
            }
            b'\'' => {
                // A character literal ('x', '\n', '\'') or a lifetime ('a): skip what a character
                // literal can hold, so that '"' opens no string.
                if bytes.get(at + 1) == Some(&b'\\') {
                    at += 2;
                    while at < bytes.len() && bytes[at] != b'\'' {
                        at += 1;
                    }
                    at += 1;
                } else if bytes.get(at + 2) == Some(&b'\'') {
                    at += 3;
                } else {
                    at += 1;
                }
            }
            b'r' if matches!(bytes.get(at + 1), Some(b'"') | Some(b'#'))
                && (at == 0
                    || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_')) =>
            {
                let mut hashes = 0;
                let mut cursor = at + 1;
                while bytes.get(cursor) == Some(&b'#') {
                    hashes += 1;
                    cursor += 1;
                }
                if bytes.get(cursor) != Some(&b'"') {
                    at += 1;
                    continue;
                }
                let start_line = line;
                let start = cursor + 1;
                let closing = format!("\"{}", "#".repeat(hashes));
                let end = source[start..]
                    .find(&closing)
                    .map(|offset| start + offset)
                    .unwrap_or(bytes.len());
                let text = &source[start..end];
                line += text.matches('\n').count();
                literals.push((start_line, text.to_string()));
                at = end + closing.len();
            }
            b'"' => {
                let start_line = line;
                let mut text = String::new();
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    if bytes[at] == b'\\' && at + 1 < bytes.len() {
                        text.push('\\');
                        text.push(bytes[at + 1] as char);
                        if bytes[at + 1] == b'\n' {
                            line += 1;
                        }
                        at += 2;
                        continue;
                    }
                    if bytes[at] == b'\n' {
                        line += 1;
                    }
                    let character = source[at..].chars().next().unwrap();
                    text.push(character);
                    at += character.len_utf8();
                }
                at += 1;
                literals.push((start_line, text));
            }
            _ => at += 1,
        }
    }
    literals
}

/// What is wrong with one Rust source's SQL: `file:line: form (write ... instead)` per finding.
fn one_backend_forms(file: &str, source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (line, literal) in string_literals(source) {
        if !SQL_WORDS.iter().any(|word| literal.contains(word)) {
            continue;
        }
        let lowered = literal.to_lowercase();
        for (form, instead) in ONE_BACKEND_ONLY {
            if lowered.contains(form) {
                found.push(format!(
                    "{file}:{line}: `{form}` is not SQL both backends accept (write {instead} instead): {}",
                    literal.trim()
                ));
            }
        }
    }
    found
}

#[test]
fn the_sql_of_both_backends_uses_no_form_only_one_accepts() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sql");
    let mut files: Vec<_> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("reading {}: {error}", directory.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "rs"))
        .collect();
    files.sort();
    assert!(files.len() > 10, "the SQL files are found: {files:?}");
    let mut found = Vec::new();
    let mut literals = 0;
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        literals += string_literals(&source)
            .iter()
            .filter(|(_, literal)| SQL_WORDS.iter().any(|word| literal.contains(word)))
            .count();
        let name = format!("src/sql/{}", path.file_name().unwrap().to_string_lossy());
        found.extend(one_backend_forms(&name, &source));
    }
    assert!(literals > 100, "the SQL literals are read ({literals})");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn each_form_only_one_backend_accepts_is_found_and_placed() {
    let source = r#####"
// A comment that says substr( is no SQL.
fn rows() {
    let name = json_rows_aggregate("x");
    let quote = '"';
    sqlx::query("SELECT id FROM cases WHERE substr(opened_on, 1, 4) = $1");
    sqlx::query(
        "SELECT id FROM cases
         WHERE organisation_id = ? AND IFNULL(owner_user_id, 0) = 0",
    );
    sqlx::query(r#"SELECT id FROM cases WHERE opened_on::date > $1"#);
    sqlx::query("INSERT OR IGNORE INTO tasks (case_id) VALUES ($1)");
    let message = "is this a question? yes";
    sqlx::query("SELECT COALESCE(owner_user_id, 0) FROM cases WHERE id = $1");
}
"#####;
    let found = one_backend_forms("src/sql/example.rs", source);
    let places: Vec<&str> = found
        .iter()
        .map(|finding| finding.split(" is not").next().unwrap())
        .collect();
    assert_eq!(
        places,
        [
            "src/sql/example.rs:6: `substr(`",
            "src/sql/example.rs:8: `ifnull(`",
            "src/sql/example.rs:8: `?`",
            "src/sql/example.rs:11: `::`",
            "src/sql/example.rs:12: `insert or `",
        ],
        "{found:#?}"
    );
}
