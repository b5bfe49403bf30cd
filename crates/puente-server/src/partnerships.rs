//! The partnerships an instance takes part in for "match with partners": each names the linkage
//! unit's address and the secret the partner organisations share to key their encodings. The
//! secret stays on the instance: it keys the encodings here and is never sent to the unit (which
//! only compares bits) nor shown on a page, in an answer or in `Debug`.
//!
//! The file (`puente serve --partnerships FILE`, readable by its owner only):
//!
//! ```json
//! {"partnerships": [
//!   {"name": "red-mesoamericana", "unit_url": "https://unit.example.org", "secret": "..."}
//! ]}
//! ```

use serde::Deserialize;

/// One partnership.
#[derive(Clone, PartialEq, Eq)]
pub struct Partnership {
    pub name: String,
    /// The linkage unit's address, without a trailing slash.
    pub unit_url: String,
    secret: Vec<u8>,
}

impl Partnership {
    /// A partnership; the unit's address loses its trailing slashes.
    pub fn new(name: &str, unit_url: &str, secret: &[u8]) -> Partnership {
        Partnership {
            name: name.trim().to_string(),
            unit_url: unit_url.trim().trim_end_matches('/').to_string(),
            secret: secret.to_vec(),
        }
    }

    /// The shared secret that keys the encodings (used only to encode, on this instance).
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

impl std::fmt::Debug for Partnership {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Partnership")
            .field("name", &self.name)
            .field("unit_url", &self.unit_url)
            .field("secret", &"..")
            .finish()
    }
}

/// Every partnership of the instance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Partnerships(pub Vec<Partnership>);

impl Partnerships {
    pub fn find(&self, name: &str) -> Option<&Partnership> {
        self.0.iter().find(|partnership| partnership.name == name)
    }

    /// Reads the partnerships file's text; `source` names the file in errors.
    pub fn from_json(source: &str, text: &str) -> Result<Partnerships, PartnershipsError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            partnerships: Vec<Entry>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Entry {
            name: String,
            unit_url: String,
            secret: String,
        }
        let file: File = serde_json::from_str(text).map_err(|error| PartnershipsError {
            file: source.to_string(),
            line: error.line(),
            message: error.to_string(),
        })?;
        let mut partnerships = Vec::new();
        for (index, entry) in file.partnerships.iter().enumerate() {
            let problem = if entry.name.trim().is_empty() {
                Some("a partnership needs a name".to_string())
            } else if !(entry.unit_url.starts_with("http://")
                || entry.unit_url.starts_with("https://"))
            {
                Some(format!(
                    "partnership `{}`: unit_url `{}` is not an http:// or https:// address",
                    entry.name, entry.unit_url
                ))
            } else if entry.secret.chars().count() < 16 {
                Some(format!(
                    "partnership `{}`: the secret is shorter than 16 characters",
                    entry.name
                ))
            } else if partnerships
                .iter()
                .any(|known: &Partnership| known.name == entry.name.trim())
            {
                Some(format!("partnership `{}` is named twice", entry.name))
            } else {
                None
            };
            if let Some(message) = problem {
                return Err(PartnershipsError {
                    file: source.to_string(),
                    line: line_of_entry(text, index),
                    message,
                });
            }
            partnerships.push(Partnership::new(
                &entry.name,
                &entry.unit_url,
                entry.secret.as_bytes(),
            ));
        }
        Ok(Partnerships(partnerships))
    }
}

/// The line (as an editor counts it) where the `index`-th `"name"` key of the file is.
fn line_of_entry(text: &str, index: usize) -> usize {
    text.match_indices("\"name\"")
        .nth(index)
        .map(|(offset, _)| text[..offset].matches('\n').count() + 1)
        .unwrap_or(1)
}

/// A partnerships file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct PartnershipsError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_partnerships_and_hides_the_secret() {
        let text = r#"{"partnerships": [
  {"name": "red", "unit_url": "http://127.0.0.1:9000/", "secret": "a secret of the partners"}
]}"#;
        let partnerships = Partnerships::from_json("p.json", text).unwrap();
        let red = partnerships.find("red").unwrap();
        assert_eq!(red.unit_url, "http://127.0.0.1:9000");
        assert_eq!(red.secret(), b"a secret of the partners");
        assert!(!format!("{partnerships:?}").contains("partners"));
    }

    #[test]
    fn a_bad_entry_names_its_line() {
        let text = "{\"partnerships\": [\n {\"name\": \"a\", \"unit_url\": \"http://x\", \"secret\": \"0123456789abcdef\"},\n {\"name\": \"b\", \"unit_url\": \"ftp://x\", \"secret\": \"0123456789abcdef\"}\n]}";
        let error = Partnerships::from_json("p.json", text).unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.to_string().contains("ftp://x"), "{error}");
        let error = Partnerships::from_json("p.json", "{\"partnerships\": [{\"name\": \"a\"}]}")
            .unwrap_err();
        assert!(error.to_string().starts_with("p.json, line 1"), "{error}");
    }
}
