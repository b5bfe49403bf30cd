//! Who is asking: passwords (argon2id), sessions (an HttpOnly cookie for browsers, a bearer token
//! for API clients), the TOTP second factor, login throttling, and the protection of every form
//! against cross-site request forgery.
//!
//! The [`session_layer`] middleware runs before every handler: it finds the session, decides the
//! language, and refuses any state-changing request that does not carry the session's CSRF token.
//! Handlers then take a [`Principal`] (API: 401 without one) or a [`PageUser`] (pages: a redirect
//! to the login page).

use std::net::SocketAddr;
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use puente_core::Lang;
use puente_store::accounts::{NewSession, OrganisationSettings, SessionKind, User};
use puente_store::StoredOrganisation;
use puente_store::{Actor, NewAuditEntry, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{AppError, PageError};
use crate::policy::Subject;
use crate::AppState;

/// The cookie that carries a browser's session token.
pub const SESSION_COOKIE: &str = "puente_session";
/// The cookie that carries the anti-forgery token of the login form (before any session exists).
pub const LOGIN_CSRF_COOKIE: &str = "puente_csrf";
/// The cookie set by the language switch.
pub const LANGUAGE_COOKIE: &str = "puente_lang";
/// The form field every form carries.
pub const CSRF_FIELD: &str = "csrf_token";
/// The header a cookie-authenticated API client sends the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long a session lives.
pub const SESSION_LIFETIME_SECONDS: i64 = 12 * 60 * 60;

/// Login throttling slows guessing down rather than locking anyone out. Failures are counted over
/// a window; past a number of free failures, each further attempt waits a delay that doubles with
/// every failure (up to a ceiling), counted from the latest failure.
///
/// - For one account from one address (someone guessing a password): past the free failures, the
///   attempt is refused until the delay has passed.
/// - For one account from every address together, or from one address for every account (a
///   guesser spread over many addresses, or many accounts tried from one): the attempt is refused
///   until the delay has passed unless it carries the right password and the right code of the
///   account's second factor, so a guesser cannot keep a named person out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub window_seconds: i64,
    pub free_failures_per_account_and_address: u32,
    pub free_failures_per_account: u32,
    pub free_failures_per_address: u32,
    /// The delay after the first failure past the free ones; it doubles with each further one.
    pub first_delay_seconds: i64,
    pub longest_delay_seconds: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> ThrottlePolicy {
        ThrottlePolicy {
            window_seconds: 15 * 60,
            free_failures_per_account_and_address: 3,
            free_failures_per_account: 10,
            free_failures_per_address: 30,
            first_delay_seconds: 2,
            longest_delay_seconds: 5 * 60,
        }
    }
}

impl ThrottlePolicy {
    /// The delay owed after `failures` failures of which `free` cost nothing.
    pub fn delay_seconds(&self, failures: u32, free: u32) -> i64 {
        if failures < free.max(1) {
            return 0;
        }
        let doublings = (failures - free.max(1)).min(30);
        self.first_delay_seconds
            .saturating_mul(1_i64 << doublings)
            .min(self.longest_delay_seconds)
    }

    /// How many seconds are left to wait at `now_unix`, after `failures` failures (the latest at
    /// `latest_unix`) of which `free` cost nothing; `None` when the attempt may go ahead.
    fn wait_left(
        &self,
        failures: u32,
        free: u32,
        latest_unix: Option<i64>,
        now_unix: i64,
    ) -> Option<i64> {
        let delay = self.delay_seconds(failures, free);
        let left = latest_unix? + delay - now_unix;
        (delay > 0 && left > 0).then_some(left)
    }
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A random secret, hex-encoded (`bytes` random bytes).
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    hex::encode(buffer)
}

/// The SHA-256 of a token, as stored.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, two passes).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::internal(anyhow::anyhow!("cannot hash a password: {error}")))
}

/// Checks a password against its stored hash.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// How many password hashes or checks run at once: half the cores (at least one). Each takes tens
/// of milliseconds of CPU; a burst of logins then waits for its turn instead of taking every core
/// from the requests of the users already logged in.
static PASSWORD_WORK: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        tokio::sync::Semaphore::new((cores / 2).max(1))
    });

/// Runs argon2 work off the async threads, at most [`PASSWORD_WORK`] at once.
async fn password_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _turn = PASSWORD_WORK.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}

/// Runs password hashing off the async threads (it takes tens of milliseconds of CPU).
pub async fn hash_password_blocking(password: String) -> Result<String, AppError> {
    password_work(move || hash_password(&password)).await?
}

/// Checks a password against its stored hash off the async threads.
pub async fn verify_password_blocking(
    password: String,
    stored_hash: String,
) -> Result<bool, AppError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(false);
    }
    password_work(move || verify_password(&password, &stored_hash)).await
}

/// The letters and digits of recovery codes: none that is easily misread (no i, l, o, 0, 1).
const RECOVERY_CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// The characters of a recovery code (about 50 bits), shown as two groups of five.
const RECOVERY_CODE_CHARS: usize = 10;

/// New recovery codes, as shown to the user (`xxxxx-xxxxx`).
pub fn new_recovery_codes(count: usize) -> Vec<String> {
    use rand::Rng;
    let mut random = rand::rngs::OsRng;
    (0..count)
        .map(|_| {
            let characters: String = (0..RECOVERY_CODE_CHARS)
                .map(|_| {
                    RECOVERY_CODE_ALPHABET[random.gen_range(0..RECOVERY_CODE_ALPHABET.len())]
                        as char
                })
                .collect();
            format!("{}-{}", &characters[..5], &characters[5..])
        })
        .collect()
}

/// A recovery code as typed (any case, with or without its dash and spaces), as it is hashed;
/// `None` when the text cannot be a recovery code.
pub fn normalize_recovery_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    let well_formed = code.len() == RECOVERY_CODE_CHARS
        && code
            .bytes()
            .all(|byte| RECOVERY_CODE_ALPHABET.contains(&byte));
    well_formed.then_some(code)
}

/// A hash to check against when the account does not exist, so that a wrong email takes as long
/// as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("decoy password never used").unwrap_or_default());
    &DECOY
}

/// A new TOTP secret (160 random bits), base32-encoded.
pub fn new_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    match totp_rs::Secret::Raw(bytes.to_vec()).to_encoded() {
        totp_rs::Secret::Encoded(text) => text,
        totp_rs::Secret::Raw(_) => String::new(),
    }
}

fn totp_for(secret: &str) -> Option<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .ok()?;
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).ok()
}

/// Whether `code` is the current code of `secret` (one step of clock drift either way allowed).
pub fn totp_code_is_valid(secret: &str, code: &str) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp_for(secret)
        .and_then(|totp| totp.check_current(&code).ok())
        .unwrap_or(false)
}

/// The time step (30-second window since the epoch) whose code `code` is, within one step of
/// `now_unix` either way; `None` when the code is not right.
pub fn totp_matching_step(secret: &str, code: &str, now_unix: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let totp = totp_for(secret)?;
    let current = now_unix.div_euclid(30);
    (current - 1..=current + 1)
        .find(|step| u64::try_from(step * 30).is_ok_and(|time| totp.generate(time) == code))
}

/// The current code of a secret (for tests and for showing a new secret works).
pub fn totp_code_now(secret: &str) -> Option<String> {
    totp_for(secret).and_then(|totp| totp.generate_current().ok())
}

/// How long an enrolment offer of the account page stays good.
pub const TOTP_ENROLMENT_OFFER_SECONDS: i64 = 30 * 60;

fn enrolment_purpose(user_id: i64) -> String {
    format!("totp-enrolment:user:{user_id}")
}

/// An offer of a new second-factor secret for one user: the secret, generated by the server, and
/// the sealed form the enrolment form carries back (the client never chooses the secret).
#[derive(Clone, Debug)]
pub struct TotpEnrolmentOffer {
    pub secret: String,
    pub sealed: String,
}

impl TotpEnrolmentOffer {
    pub fn new(
        key: &crate::secrets::SecretsKey,
        user_id: i64,
        now_unix: i64,
    ) -> TotpEnrolmentOffer {
        let secret = new_totp_secret();
        let expires = now_unix + TOTP_ENROLMENT_OFFER_SECONDS;
        let sealed = key.seal(&format!("{expires}:{secret}"), &enrolment_purpose(user_id));
        TotpEnrolmentOffer { secret, sealed }
    }

    /// The secret of an offer made to this user that has not expired.
    pub fn open(
        key: &crate::secrets::SecretsKey,
        user_id: i64,
        sealed: &str,
        now_unix: i64,
    ) -> Option<String> {
        let text = key.open(sealed, &enrolment_purpose(user_id))?;
        let (expires, secret) = text.split_once(':')?;
        let expires: i64 = expires.parse().ok()?;
        (now_unix <= expires).then(|| secret.to_string())
    }
}

/// The `otpauth://` address as a QR code an authenticator app scans, in SVG.
pub fn totp_qr_code_svg(provisioning_uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(provisioning_uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

/// The `otpauth://` address an authenticator app reads.
pub fn totp_provisioning_uri(secret: &str, email: &str) -> String {
    let account: String = email
        .bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("otpauth://totp/Puente:{account}?secret={secret}&issuer=Puente&algorithm=SHA1&digits=6&period=30")
}

/// The longest email address (RFC 5321) and password accepted at login.
const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The shortest password accepted for an account, in characters.
pub const MINIMUM_PASSWORD_CHARS: usize = 12;

/// How much of a password is scored for guessability (the estimate's cost grows with length, and
/// a password this long is strong for its length alone).
const SCORED_PASSWORD_CHARS: usize = 128;

/// Checks a new password against the policy: at least 12 characters and at most 1,024 bytes (the
/// most a login accepts, so that every password set can be used), not whitespace alone, not one
/// character repeated, and hard to guess: a `zxcvbn` score of at least 3 of 4, which refuses
/// common and breached passwords, keyboard walks, dates and words from `related` (the account's
/// email and name). The error is a message id of the user's language.
pub fn check_password_policy(password: &str, related: &[&str]) -> Result<(), AppError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::localized(
            "invalid-password-too-long",
            MAX_PASSWORD_BYTES,
        ));
    }
    if password.chars().count() < MINIMUM_PASSWORD_CHARS {
        return Err(AppError::localized(
            "invalid-password-length",
            MINIMUM_PASSWORD_CHARS,
        ));
    }
    let mut characters = password.chars();
    let first = characters.next();
    let one_character_repeated = characters.all(|c| Some(c) == first);
    if password.trim().is_empty() || one_character_repeated {
        return Err(AppError::localized("invalid-password-weak", ""));
    }
    let scored: String = password.chars().take(SCORED_PASSWORD_CHARS).collect();
    let mut inputs: Vec<&str> = related.to_vec();
    inputs.extend(
        related
            .iter()
            .flat_map(|text| text.split(['@', '.', ' ', '-', '_'])),
    );
    inputs.extend(["puente", "hotline", "shelter", "trata", "refugio"]);
    let inputs: Vec<&str> = inputs.into_iter().filter(|text| text.len() > 2).collect();
    if zxcvbn::zxcvbn(&scored, &inputs).score() < zxcvbn::Score::Three {
        return Err(AppError::localized("invalid-password-weak", ""));
    }
    Ok(())
}

/// A session just opened: the secret token (shown once) and its CSRF token.
#[derive(Clone, Debug)]
pub struct IssuedSession {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// Logs a user in: throttling, password, second factor; opens the session and audits it. Failed
/// attempts are audited and counted.
pub async fn log_in(
    state: &AppState,
    email: &str,
    password: &str,
    second_factor_code: Option<&str>,
    address: &str,
    kind: SessionKind,
) -> Result<IssuedSession, AppError> {
    let store = &state.store;
    // An email address has at most 254 characters; anything longer is cut before it is stored in
    // the audit log, and refused.
    let email: String = email
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_EMAIL_CHARS)
        .collect();
    let now = now_unix();
    let throttle = state.config.throttle;
    let failures = store
        .recent_login_failures(&email, address, now - throttle.window_seconds)
        .await?;
    let account = store.user_by_email(&email).await?;
    // Every audit entry about an attempt on a staff member's account belongs to their
    // organisation, so that its admins see every attempt.
    let targeted_organisation = account.as_ref().map(|user| user.organisation_id);
    let audit_actor = email.as_str();
    let throttled = |retry_after_seconds: i64, detail: String| async move {
        store
            .record_audit(NewAuditEntry {
                actor: audit_actor.to_string(),
                organisation_id: targeted_organisation,
                action: puente_store::AuditAction::LoginThrottled,
                record_type: puente_store::RecordType::User,
                record_id: None,
                case_id: None,
                detail,
            })
            .await?;
        Err::<IssuedSession, AppError>(AppError::Throttled {
            retry_after_seconds: u64::try_from(retry_after_seconds.max(1)).unwrap_or(1),
        })
    };
    if let Some(left) = throttle.wait_left(
        failures.for_account_from_address,
        throttle.free_failures_per_account_and_address,
        failures.latest_for_account_from_address,
        now,
    ) {
        return throttled(left, format!("from {address}")).await;
    }
    // A wait owed by the account as a whole or by the address as a whole: only a login with the
    // right password and the right second-factor code goes through before it has passed.
    let broad_wait = [
        throttle.wait_left(
            failures.for_account,
            throttle.free_failures_per_account,
            failures.latest_for_account,
            now,
        ),
        throttle.wait_left(
            failures.from_address,
            throttle.free_failures_per_address,
            failures.latest_from_address,
            now,
        ),
    ]
    .into_iter()
    .flatten()
    .max();

    let user = account.filter(|user| user.active);
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let password_owned = if password.len() > MAX_PASSWORD_BYTES {
        String::new()
    } else {
        password.to_string()
    };
    let password_matches = password_work(move || {
        let hash = stored_hash.as_deref().unwrap_or_else(|| decoy_hash());
        verify_password(&password_owned, hash)
    })
    .await?;
    let user = match user.filter(|_| password_matches) {
        Some(user) => user,
        None => {
            if let Some(left) = broad_wait {
                return throttled(left, format!("from {address}")).await;
            }
            store
                .record_login_failure(
                    &email,
                    targeted_organisation,
                    address,
                    now,
                    "wrong email or password",
                )
                .await?;
            return Err(AppError::InvalidCredentials);
        }
    };
    let second_factor_passed = match &user.totp_secret {
        Some(stored) => {
            let secret = state
                .config
                .secrets_key
                .open_totp_secret(user.id, stored)
                .ok_or_else(|| {
                    AppError::internal(anyhow::anyhow!(
                        "a second-factor secret does not open with the secrets key"
                    ))
                })?;
            let step = second_factor_code.and_then(|code| totp_matching_step(&secret, code, now));
            // A code is good once: a code seen by someone looking over a shoulder is spent. A
            // recovery code stands in for the app's code, once.
            let recovery_code = second_factor_code.and_then(normalize_recovery_code);
            let valid = match (step, recovery_code) {
                (Some(step), _) => store.use_totp_step(user.id, step).await?,
                (None, Some(code)) => {
                    let hash = state.config.secrets_key.recovery_code_hash(user.id, &code);
                    store.use_recovery_code(user.id, &hash).await?
                }
                (None, None) => false,
            };
            if !valid {
                if let Some(left) = broad_wait {
                    return throttled(left, format!("from {address}")).await;
                }
                store
                    .record_login_failure(
                        &email,
                        Some(user.organisation_id),
                        address,
                        now,
                        "second factor missing or wrong",
                    )
                    .await?;
                return Err(AppError::SecondFactorRequired);
            }
            true
        }
        None => false,
    };
    if let Some(left) = broad_wait.filter(|_| !second_factor_passed) {
        return throttled(left, format!("from {address}")).await;
    }
    let token = random_token(32);
    let csrf_token = random_token(32);
    store
        .open_session(
            &user,
            &NewSession {
                token_sha256: token_sha256(&token),
                kind,
                csrf_token: csrf_token.clone(),
                expires_at_unix: now + SESSION_LIFETIME_SECONDS,
            },
            address,
        )
        .await?;
    Ok(IssuedSession {
        token,
        csrf_token,
        user,
    })
}

/// The logged-in user of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: User,
    pub organisation: StoredOrganisation,
    pub settings: OrganisationSettings,
    pub session_id: i64,
    pub session_kind: SessionKind,
    pub csrf_token: String,
}

impl Principal {
    pub fn subject(&self) -> Subject {
        Subject {
            user_id: self.user.id,
            organisation_id: self.user.organisation_id,
            role: self.user.role,
            sees_team_cases: self.settings.advocates_see_team_cases,
        }
    }

    /// The user as the audit log names them: their email.
    pub fn actor(&self) -> Actor {
        Actor {
            name: self.user.email.clone(),
            organisation_id: Some(self.user.organisation_id),
        }
    }

    /// An organisation admin of an organisation that requires a second factor, without one yet:
    /// they may only set it up.
    pub fn must_enrol_second_factor(&self) -> bool {
        self.user.role == Role::OrgAdmin
            && self.settings.require_totp_for_admins
            && self.user.totp_secret.is_none()
    }
}

/// The language of the request, decided by the session layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLang(pub Lang);

/// The address the request came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub String);

/// The token of the login form's anti-forgery cookie, when the browser has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginCsrfCookie(pub Option<String>);

/// The value of one cookie in the request's `Cookie` headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// A `Set-Cookie` value: always `Path=/`, `HttpOnly` and `SameSite=Strict`; `Secure` when the
/// server is reached over TLS.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    let mut cookie =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}");
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

fn bearer_token(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_string())
}

/// The language of a request: this browser's choice (the switch on every page, set to the user's
/// setting at login and when they change it), else the user's setting, else the browser's
/// `Accept-Language`, else Spanish.
fn decide_language(user: Option<&User>, headers: &axum::http::HeaderMap) -> Lang {
    if let Some(language) =
        cookie_value(headers, LANGUAGE_COOKIE).and_then(|tag| Lang::from_tag(&tag))
    {
        return language;
    }
    if let Some(language) = user.and_then(|user| user.language) {
        return language;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_default()
}

/// The language a request's headers ask for (before any session is known): the language cookie,
/// else `Accept-Language`, else Spanish.
pub fn language_of_headers(headers: &axum::http::HeaderMap) -> Lang {
    decide_language(None, headers)
}

/// Whether the request's body is `multipart/form-data` (a form that carries a file).
fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"))
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The largest form body read for the CSRF check.
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The address a request came from: the peer's, or, behind a trusted reverse proxy, the last
/// address of `X-Forwarded-For` (the one the proxy itself appended).
fn client_address(request: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        let forwarded = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .rfind(|address| address.parse::<std::net::IpAddr>().is_ok());
        if let Some(address) = forwarded {
            return address.to_string();
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Runs before every handler: finds the session, decides the language, checks the CSRF token of
/// every state-changing request.
pub async fn session_layer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers().clone();
    let address = client_address(&request, state.config.trust_forwarded_for);
    let bearer = bearer_token(&headers);
    let cookie = cookie_value(&headers, SESSION_COOKIE);
    let token = bearer.clone().or(cookie);
    let mut principal = None;
    if let Some(token) = token {
        match state
            .store
            .session_by_token(&token_sha256(&token), now_unix())
            .await
        {
            Ok(Some(session)) => {
                match state.store.organisation(session.user.organisation_id).await {
                    Ok(organisation) => {
                        principal = Some(Arc::new(Principal {
                            user: session.user,
                            settings: OrganisationSettings::from_json(&organisation.settings),
                            organisation,
                            session_id: session.session_id,
                            session_kind: session.kind,
                            csrf_token: session.csrf_token,
                        }));
                    }
                    Err(error) => return AppError::from(error).into_response(),
                }
            }
            Ok(None) => {}
            Err(error) => return AppError::from(error).into_response(),
        }
    }
    let lang = decide_language(principal.as_ref().map(|p| &p.user), &headers);
    let login_csrf = cookie_value(&headers, LOGIN_CSRF_COOKIE);

    if is_state_changing(request.method()) {
        let is_api = request.uri().path().starts_with("/api/");
        // Logging in through the API opens a session and needs none; its JSON body cannot be sent
        // by another site's form.
        let is_api_login = request.uri().path() == "/api/v1/login";
        if is_api && !is_api_login {
            // A bearer token cannot be sent by another site's page; a cookie can, so a
            // cookie-authenticated API call must repeat the CSRF token in a header.
            if let Some(principal) = principal.as_ref().filter(|_| bearer.is_none()) {
                let sent = headers
                    .get(CSRF_HEADER)
                    .and_then(|value| value.to_str().ok());
                if !sent.is_some_and(|sent| constant_time_equal(sent, &principal.csrf_token)) {
                    return AppError::CsrfRejected.into_json_response(lang);
                }
            }
        } else if !is_api && is_multipart(&headers) {
            // A form that carries a document is not read whole here: its token comes in the
            // address the form posts to (`?csrf_token=`), and the body goes to the handler.
            let sent = request
                .uri()
                .query()
                .and_then(|query| form_field(query.as_bytes(), CSRF_FIELD));
            let accepted = match (&principal, &sent) {
                (Some(principal), Some(sent)) => constant_time_equal(sent, &principal.csrf_token),
                _ => false,
            };
            if !accepted {
                return refusal_page(AppError::CsrfRejected, lang);
            }
        } else if !is_api {
            let expected = match &principal {
                Some(principal) => Some(principal.csrf_token.clone()),
                // Before a session: the login form's cookie, only if this server made it.
                None => login_csrf
                    .clone()
                    .filter(|token| state.config.secrets_key.login_form_token_is_ours(token)),
            };
            let (parts, body) = request.into_parts();
            let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
                Ok(bytes) => bytes,
                Err(error) => {
                    let error = if crate::error::is_body_timeout(&error) {
                        AppError::RequestTimeout
                    } else {
                        AppError::PayloadTooLarge
                    };
                    return refusal_page(error, lang);
                }
            };
            let is_form = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
            // A form that cannot be read (not UTF-8, or escapes that decode to something that is
            // not) is a bad request, not an expired form.
            if is_form && serde_urlencoded_pairs(&bytes).is_none() {
                return refusal_page(AppError::UnreadableForm, lang);
            }
            let sent = form_field(&bytes, CSRF_FIELD);
            let accepted = match (&expected, &sent) {
                (Some(expected), Some(sent)) => constant_time_equal(sent, expected),
                _ => false,
            };
            if !accepted {
                return refusal_page(AppError::CsrfRejected, lang);
            }
            request = Request::from_parts(parts, Body::from(bytes));
        }
    }

    request.extensions_mut().insert(RequestLang(lang));
    request.extensions_mut().insert(ClientAddress(address));
    request.extensions_mut().insert(LoginCsrfCookie(login_csrf));
    if let Some(principal) = principal {
        request.extensions_mut().insert(principal);
    }
    let mut response = next.run(request).await;
    // The answer carries the language, so that an error rewritten on the way out speaks it.
    response.extensions_mut().insert(RequestLang(lang));
    response
}

/// A refusal of the session layer for a page: the page error, marked with the language decided
/// (the response layer around renders it in that language).
fn refusal_page(error: AppError, lang: Lang) -> Response {
    let mut response = PageError(error).into_response();
    response.extensions_mut().insert(RequestLang(lang));
    response
}

/// One field of a URL-encoded form body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(body)?;
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut pairs = Vec::new();
    for pair in text.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.push((percent_decode(key)?, percent_decode(value)?));
    }
    Some(pairs)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => decoded.push(b' '),
            b'%' => {
                let hex_digits = std::str::from_utf8(bytes.get(index + 1..index + 3)?).ok()?;
                decoded.push(u8::from_str_radix(hex_digits, 16).ok()?);
                index += 2;
            }
            other => decoded.push(other),
        }
        index += 1;
    }
    String::from_utf8(decoded).ok()
}

/// Percent-decodes what can be decoded and keeps the rest as it is.
pub fn percent_decode_lossy(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex_value = bytes
            .get(index + 1..index + 3)
            .filter(|_| bytes[index] == b'%')
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u8::from_str_radix(digits, 16).ok());
        match hex_value {
            Some(value) => {
                decoded.push(value);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Compares two secrets without stopping at the first difference.
fn constant_time_equal(left: &str, right: &str) -> bool {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    if left.len() != right.len() {
        return false;
    }
    left.iter()
        .zip(right)
        .fold(0u8, |difference, (a, b)| difference | (a ^ b))
        == 0
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let lang = parts
            .extensions
            .get::<RequestLang>()
            .map(|lang| lang.0)
            .unwrap_or_default();
        let Some(principal) = parts.extensions.get::<Arc<Principal>>() else {
            return Err(AppError::Unauthenticated.into_json_response(lang));
        };
        if principal.must_enrol_second_factor() {
            return Err(AppError::SecondFactorEnrolmentRequired.into_json_response(lang));
        }
        Ok(Principal::clone(principal))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestLang>()
            .copied()
            .unwrap_or(RequestLang(Lang::Es)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddress>()
            .cloned()
            .unwrap_or_else(|| ClientAddress("unknown".into())))
    }
}

/// The logged-in user of a web page; without one, the page redirects to the login page.
#[derive(Clone, Debug)]
pub struct PageUser {
    pub principal: Principal,
    pub lang: Lang,
}

impl PageUser {
    pub fn subject(&self) -> Subject {
        self.principal.subject()
    }
    pub fn actor(&self) -> Actor {
        self.principal.actor()
    }
}

/// Like [`PageUser`], but also for an admin who still has to set up a second factor (the account
/// page itself).
#[derive(Clone, Debug)]
pub struct PageUserEnrolling(pub PageUser);

fn page_user(parts: &Parts) -> Result<PageUser, PageError> {
    let lang = parts
        .extensions
        .get::<RequestLang>()
        .map(|lang| lang.0)
        .unwrap_or_default();
    match parts.extensions.get::<Arc<Principal>>() {
        Some(principal) => Ok(PageUser {
            principal: Principal::clone(principal),
            lang,
        }),
        None => Err(PageError(AppError::Unauthenticated)),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let user = page_user(parts)?;
        if user.principal.must_enrol_second_factor() {
            return Err(PageError(AppError::SecondFactorEnrolmentRequired));
        }
        Ok(user)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageUserEnrolling {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        page_user(parts).map(PageUserEnrolling)
    }
}

/// A redirect after a form post (303, so the browser follows with GET).
pub fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("Correct horse battery staple", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn totp_codes_verify_and_wrong_codes_do_not() {
        let secret = new_totp_secret();
        let code = totp_code_now(&secret).unwrap();
        assert_eq!(code.len(), 6);
        assert!(totp_code_is_valid(&secret, &code));
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(!totp_code_is_valid(&secret, &wrong));
        assert!(!totp_code_is_valid("not base32!", &code));
        assert!(totp_provisioning_uri(&secret, "a+b@x.org").contains("Puente:a%2Bb%40x.org"));
    }

    #[test]
    fn a_code_is_matched_to_its_time_step_within_one_step_of_drift() {
        let secret = new_totp_secret();
        let totp = totp_for(&secret).unwrap();
        let now = 1_790_000_015_i64;
        let step = now / 30;
        for drift in [-1, 0, 1] {
            let code = totp.generate(((step + drift) * 30) as u64);
            assert_eq!(totp_matching_step(&secret, &code, now), Some(step + drift));
        }
        let too_old = totp.generate(((step - 3) * 30) as u64);
        if ![-1, 0, 1]
            .iter()
            .any(|d| totp.generate(((step + d) * 30) as u64) == too_old)
        {
            assert_eq!(totp_matching_step(&secret, &too_old, now), None);
        }
    }

    #[test]
    fn weak_passwords_are_refused_and_strong_ones_pass() {
        for weak in [
            "aaaaaaaaaaaa",
            "password1234",
            "            ",
            "\t\t\t\t\t\t\t\t\t\t\t\t",
            "qwertyuiop123",
            "123456789012",
            "Password2026!",
            "maria.lopez@hotline.demo",
            "short",
        ] {
            assert!(
                check_password_policy(weak, &["maria.lopez@hotline.demo", "María López"]).is_err(),
                "{weak:?} was accepted"
            );
        }
        for strong in [
            "correct horse battery staple",
            "Tapachula-lluvia-7-mangos",
            "test-password-2026",
            "another long password",
        ] {
            assert!(
                check_password_policy(strong, &["new@hotline.demo", "New User"]).is_ok(),
                "{strong:?} was refused"
            );
        }
        let too_long = "x7#Kq".repeat(205);
        assert!(too_long.len() > MAX_PASSWORD_BYTES);
        let error = check_password_policy(&too_long, &[]).unwrap_err();
        assert!(matches!(
            error,
            AppError::Localized {
                id: "invalid-password-too-long",
                ..
            }
        ));
    }

    #[test]
    fn recovery_codes_are_distinct_readable_and_read_back_however_they_are_typed() {
        let codes = new_recovery_codes(10);
        assert_eq!(codes.len(), 10);
        let distinct: std::collections::BTreeSet<&String> = codes.iter().collect();
        assert_eq!(distinct.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&code[5..6], "-");
            let normalized = normalize_recovery_code(code).unwrap();
            assert_eq!(normalized, code.replace('-', ""));
            let shouted = format!(" {} ", code.to_uppercase().replace('-', " "));
            assert_eq!(normalize_recovery_code(&shouted), Some(normalized));
        }
        for not_a_code in ["123456", "abcde-fghi", "abcde-fghil", "", "abcde-fghjkm"] {
            assert_eq!(normalize_recovery_code(not_a_code), None, "{not_a_code:?}");
        }
    }

    #[test]
    fn form_fields_are_decoded() {
        let body = b"name=Mar%C3%ADa+Jos%C3%A9&csrf_token=abc123&empty=";
        assert_eq!(form_field(body, "csrf_token").as_deref(), Some("abc123"));
        assert_eq!(form_field(body, "name").as_deref(), Some("María José"));
        assert_eq!(form_field(body, "empty").as_deref(), Some(""));
        assert_eq!(form_field(body, "missing"), None);
        assert_eq!(form_field(b"bad=%zz", "bad"), None);
        assert_eq!(form_field(b"cut=%4", "cut"), None);
    }

    #[test]
    fn cookies_are_read_from_every_cookie_header() {
        let mut headers = axum::http::HeaderMap::new();
        headers.append(header::COOKIE, "a=1; puente_lang=en".parse().unwrap());
        headers.append(header::COOKIE, "puente_session=tok".parse().unwrap());
        assert_eq!(cookie_value(&headers, "puente_lang").as_deref(), Some("en"));
        assert_eq!(
            cookie_value(&headers, SESSION_COOKIE).as_deref(),
            Some("tok")
        );
        assert_eq!(cookie_value(&headers, "b"), None);
        assert!(set_cookie("x", "y", 10, true).ends_with("; Secure"));
        assert!(set_cookie("x", "y", 10, false).contains("HttpOnly; SameSite=Strict"));
    }
}
