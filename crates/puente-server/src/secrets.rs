//! Secrets kept encrypted at rest: the TOTP secrets of second factors (and the enrolment offers
//! the account page hands out) are sealed with XChaCha20-Poly1305 under a key that lives outside
//! the database, in a key file of its own, so a copy of the database alone gives no one a second
//! factor. Each sealed value is bound to what it is for (its associated data, e.g. the user's id),
//! so a sealed secret moved to another user's row does not open.

use std::fmt;
use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

/// What every sealed value starts with (base32 TOTP secrets never contain a colon, so a value
/// stored before sealing existed is told apart).
pub const SEALED_PREFIX: &str = "sealed1:";

/// The key file's environment variable (`puente serve`).
pub const KEY_FILE_VARIABLE: &str = "PUENTE_SECRETS_KEY_FILE";

/// Why the key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretsKeyError {
    #[error("cannot read or create the secrets key file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the secrets key file {path} does not hold a key (64 hexadecimal digits)")]
    Malformed { path: String },
}

/// The 256-bit key that seals secrets. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretsKey([u8; 32]);

impl fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

impl Default for SecretsKey {
    /// A fresh random key (for tests and servers that keep nothing sealed across restarts).
    fn default() -> SecretsKey {
        SecretsKey::random()
    }
}

impl SecretsKey {
    pub fn random() -> SecretsKey {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SecretsKey(key)
    }

    /// Reads the key file, or creates it with a new random key, readable by its owner only
    /// (mode 0600), when it does not exist.
    pub fn load_or_create(path: &Path) -> Result<SecretsKey, SecretsKeyError> {
        let shown = path.display().to_string();
        let io_error = |source| SecretsKeyError::Io {
            path: shown.clone(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).map_err(|_| SecretsKeyError::Malformed {
                    path: shown.clone(),
                })?;
                let key: [u8; 32] = bytes.try_into().map_err(|_| SecretsKeyError::Malformed {
                    path: shown.clone(),
                })?;
                Ok(SecretsKey(key))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretsKey::random();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options.open(path).map_err(io_error)?;
                file.write_all(format!("{}\n", hex::encode(key.0)).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(io_error)?;
                Ok(key)
            }
            Err(error) => Err(io_error(error)),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    /// Seals `plaintext` for `purpose` (the associated data): `sealed1:` and the base64 of a
    /// random 192-bit nonce followed by the ciphertext and its tag.
    pub fn seal(&self, plaintext: &str, purpose: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: purpose.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("{SEALED_PREFIX}{}", STANDARD_NO_PAD.encode(sealed))
    }

    /// Opens what [`SecretsKey::seal`] sealed for the same purpose; `None` when it was sealed
    /// under another key or for another purpose, or was changed.
    pub fn open(&self, sealed: &str, purpose: &str) -> Option<String> {
        let bytes = STANDARD_NO_PAD
            .decode(sealed.strip_prefix(SEALED_PREFIX)?)
            .ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let plaintext = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plaintext).ok()
    }

    /// Seals bytes (an attached document) for `purpose`: a random 192-bit nonce followed by the
    /// ciphertext and its tag.
    pub fn seal_bytes(&self, plaintext: &[u8], purpose: &str) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: purpose.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Opens what [`SecretsKey::seal_bytes`] sealed for the same purpose; `None` when it was
    /// sealed under another key or for another purpose, or was changed.
    pub fn open_bytes(&self, sealed: &[u8], purpose: &str) -> Option<Vec<u8>> {
        if sealed.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(24);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            )
            .ok()
    }

    /// Seals a user's TOTP secret for their row.
    pub fn seal_totp_secret(&self, user_id: i64, secret: &str) -> String {
        self.seal(secret, &totp_purpose(user_id))
    }

    /// Opens a user's stored TOTP secret.
    pub fn open_totp_secret(&self, user_id: i64, stored: &str) -> Option<String> {
        self.open(stored, &totp_purpose(user_id))
    }
}

impl SecretsKey {
    /// The HMAC-SHA256 of `message` for `purpose`, under this key.
    fn mac(&self, purpose: &str, message: &str) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A new anti-forgery token of the login form: a random part and its HMAC under this key, so
    /// that a value planted in the browser by someone else is never accepted.
    pub fn new_login_form_token(&self) -> String {
        let mut nonce = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let nonce = hex::encode(nonce);
        let mac = hex::encode(self.mac("login-form", &nonce));
        format!("{nonce}{mac}")
    }

    /// The keyed hash a user's recovery code is stored as: the HMAC-SHA256 of the user's id and
    /// the code under this key, so a copy of the database alone gives no one a code to try.
    pub fn recovery_code_hash(&self, user_id: i64, code: &str) -> String {
        hex::encode(self.mac("recovery-code", &format!("{user_id}:{code}")))
    }

    /// Whether a login form's token is one this server made.
    pub fn login_form_token_is_ours(&self, token: &str) -> bool {
        if token.len() != 96 || !token.is_char_boundary(32) {
            return false;
        }
        let (nonce, mac) = token.split_at(32);
        let expected = hex::encode(self.mac("login-form", nonce));
        // Compared without stopping at the first difference.
        expected.len() == mac.len()
            && expected
                .bytes()
                .zip(mac.bytes())
                .fold(0u8, |difference, (a, b)| difference | (a ^ b))
                == 0
    }
}

fn totp_purpose(user_id: i64) -> String {
    format!("totp-secret:user:{user_id}")
}

/// Whether a stored value is sealed (rather than stored before sealing existed).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_purpose() {
        let key = SecretsKey::random();
        let sealed = key.seal("JBSWY3DPEHPK3PXP", "totp-secret:user:7");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            key.open(&sealed, "totp-secret:user:7").as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        assert_eq!(key.open(&sealed, "totp-secret:user:8"), None);
        assert_eq!(
            SecretsKey::random().open(&sealed, "totp-secret:user:7"),
            None
        );
        assert_eq!(key.open("JBSWY3DPEHPK3PXP", "totp-secret:user:7"), None);
        let mut tampered = sealed.clone();
        tampered.pop();
        assert_eq!(key.open(&tampered, "totp-secret:user:7"), None);
        assert_ne!(sealed, key.seal("JBSWY3DPEHPK3PXP", "totp-secret:user:7"));
        assert_eq!(format!("{key:?}"), "SecretsKey(..)");
    }

    #[test]
    fn only_login_form_tokens_made_under_the_key_are_ours() {
        let key = SecretsKey::random();
        let token = key.new_login_form_token();
        assert!(key.login_form_token_is_ours(&token));
        assert_ne!(token, key.new_login_form_token());
        assert!(!SecretsKey::random().login_form_token_is_ours(&token));
        assert!(!key.login_form_token_is_ours(&"a".repeat(96)));
        assert!(!key.login_form_token_is_ours(&"a".repeat(64)));
        assert!(!key.login_form_token_is_ours("ééé"));
    }

    #[test]
    fn the_key_file_is_created_for_its_owner_only_and_read_back() {
        let directory = tempfile_directory();
        let path = directory.join("secrets.key");
        let created = SecretsKey::load_or_create(&path).unwrap();
        let again = SecretsKey::load_or_create(&path).unwrap();
        assert_eq!(created, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        let error = SecretsKey::load_or_create(&path).unwrap_err();
        assert!(error.to_string().contains("secrets.key"), "{error}");
        std::fs::remove_dir_all(&directory).unwrap();
    }

    fn tempfile_directory() -> std::path::PathBuf {
        let directory = std::env::temp_dir().join(format!(
            "puente-secrets-test-{}-{}",
            std::process::id(),
            hex::encode(rand::random::<[u8; 8]>())
        ));
        std::fs::create_dir_all(&directory).unwrap();
        directory
    }
}
