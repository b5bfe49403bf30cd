//! Accounts: the organisations' users, their roles, sessions and second factors, and the failed
//! logins that throttling counts. Every login (failed ones too), logout and account change is
//! audited in the same transaction as the change.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use puente_core::Lang;
use serde::{Deserialize, Serialize};

use crate::{Actor, StoreError, StoreResult};

/// What a user may do is decided by their role (and, for cases, by ownership).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes calls and messages, records and screens; works the cases they own.
    Advocate,
    /// Follows survivors over months; works the cases they own.
    CaseWorker,
    /// Oversees all of the organisation's cases and reads the audit trail.
    Supervisor,
    /// Manages the organisation's users and settings, and reads the audit trail.
    OrgAdmin,
    /// Sees aggregates only: never a name, a contact detail or free text.
    Analyst,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Advocate,
        Role::CaseWorker,
        Role::Supervisor,
        Role::OrgAdmin,
        Role::Analyst,
    ];

    /// The stable code stored in the database and used by the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Advocate => "advocate",
            Role::CaseWorker => "case_worker",
            Role::Supervisor => "supervisor",
            Role::OrgAdmin => "org_admin",
            Role::Analyst => "analyst",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = StoreError;
    fn from_str(text: &str) -> Result<Role, StoreError> {
        Role::ALL
            .into_iter()
            .find(|role| role.code() == text.trim())
            .ok_or_else(|| StoreError::Invalid(format!("`{text}` is not a role")))
    }
}

impl Role {
    /// Whether the role reads every case of the organisation or manages its accounts (supervisor,
    /// organisation admin): giving it notifies the organisation's supervisors.
    pub fn is_privileged(self) -> bool {
        matches!(self, Role::Supervisor | Role::OrgAdmin)
    }
}

/// A notice to an organisation's supervisors that an account was given a privileged role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountNotice {
    pub id: i64,
    pub organisation_id: i64,
    /// `privileged_account_created` or `privileged_role_granted`.
    pub kind: String,
    pub user_id: i64,
    pub user_email: String,
    pub role: Role,
    pub actor: String,
    pub created_at: String,
}

/// A user as stored. Its `Debug` never shows the password hash or the TOTP secret.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub organisation_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The argon2id hash (PHC string).
    pub password_hash: String,
    pub language: Option<Lang>,
    /// The user's TOTP secret as stored (sealed by the server under a key kept outside the
    /// database), when the user has a second factor.
    pub totp_secret: Option<String>,
    pub active: bool,
    /// Whether the user gets an e-mail (naming nobody) when something new arrives for them.
    pub email_notifications: bool,
    pub created_at: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("organisation_id", &self.organisation_id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("language", &self.language)
            .field("second_factor", &self.totp_secret.is_some())
            .field("active", &self.active)
            .field("email_notifications", &self.email_notifications)
            .finish_non_exhaustive()
    }
}

/// A user to create. The caller hashes the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub organisation_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub language: Option<Lang>,
}

/// How a session's token travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser's HttpOnly cookie.
    Cookie,
    /// An API client's `Authorization: Bearer` header.
    Bearer,
}

impl SessionKind {
    pub fn code(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::Bearer => "bearer",
        }
    }
}

/// A session to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    /// The SHA-256 (hex) of the secret token; the token itself is never stored.
    pub token_sha256: String,
    pub kind: SessionKind,
    pub csrf_token: String,
    pub expires_at_unix: i64,
}

/// An open session and its user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionWithUser {
    pub session_id: i64,
    pub kind: SessionKind,
    pub csrf_token: String,
    pub expires_at_unix: i64,
    pub user: User,
}

/// The settings an organisation admin controls, stored as JSON in `organisations.settings`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganisationSettings {
    /// Organisation admins must log in with a TOTP second factor.
    pub require_totp_for_admins: bool,
    /// Advocates and case workers see every case of the organisation (their team's), not only
    /// the cases they own or are assigned. Off unless an admin turns it on.
    pub advocates_see_team_cases: bool,
}

impl OrganisationSettings {
    /// Reads the settings from `organisations.settings`; unknown fields are kept out, missing ones
    /// take their defaults.
    pub fn from_json(value: &serde_json::Value) -> OrganisationSettings {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({}))
    }
}

/// How many logins failed recently, for throttling, and when the latest of each kind failed
/// (seconds since the Unix epoch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecentLoginFailures {
    /// Failures for the account, from any address.
    pub for_account: u32,
    /// Failures from the address, for any account.
    pub from_address: u32,
    /// Failures for the account from this address.
    pub for_account_from_address: u32,
    pub latest_for_account: Option<i64>,
    pub latest_from_address: Option<i64>,
    pub latest_for_account_from_address: Option<i64>,
}

/// Users, sessions, login throttling and organisation settings.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates a user. A taken email is a conflict. Audited.
    async fn create_user(&self, actor: &Actor, user: &NewUser) -> StoreResult<User>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>>;
    /// The organisation's users, by email.
    async fn users_in_organisation(&self, organisation_id: i64) -> StoreResult<Vec<User>>;
    /// The organisation's notices of privileged roles given, newest first (at most `limit`).
    async fn account_notices(
        &self,
        organisation_id: i64,
        limit: u32,
    ) -> StoreResult<Vec<AccountNotice>>;
    /// Sets (or clears, with `None`) the user's language setting.
    async fn set_user_language(&self, user_id: i64, language: Option<Lang>) -> StoreResult<()>;
    /// Gives a user of the organisation another role. Audited.
    async fn set_user_role(
        &self,
        actor: &Actor,
        organisation_id: i64,
        user_id: i64,
        role: Role,
    ) -> StoreResult<()>;
    /// Sets or clears the user's TOTP secret. Audited.
    async fn set_user_totp_secret(
        &self,
        actor: &Actor,
        user_id: i64,
        secret: Option<&str>,
    ) -> StoreResult<()>;

    /// Replaces every TOTP secret stored before secrets were sealed (those that `is_sealed`
    /// says are not) with `seal(user_id, secret)`, in one transaction, audited once with the
    /// count. Returns how many were sealed.
    async fn seal_plain_totp_secrets(
        &self,
        is_sealed: &(dyn for<'text> Fn(&'text str) -> bool + Send + Sync),
        seal: &(dyn for<'text> Fn(i64, &'text str) -> String + Send + Sync),
    ) -> StoreResult<u32>;

    /// Records that a login used the TOTP code of time step `step`. Refused (`false`) when that
    /// step or a later one was used already: each code opens one session.
    async fn use_totp_step(&self, user_id: i64, step: i64) -> StoreResult<bool>;
    /// Opens a session after a successful login and audits the login, in one transaction. The
    /// account's failed-login count starts again from zero.
    async fn open_session(
        &self,
        user: &User,
        session: &NewSession,
        address: &str,
    ) -> StoreResult<()>;
    /// Records a failed login and audits it, in one transaction.
    async fn record_login_failure(
        &self,
        email: &str,
        organisation_id: Option<i64>,
        address: &str,
        at_unix: i64,
        reason: &str,
    ) -> StoreResult<()>;
    /// Failed logins since `since_unix`, for the account and for the address.
    async fn recent_login_failures(
        &self,
        email: &str,
        address: &str,
        since_unix: i64,
    ) -> StoreResult<RecentLoginFailures>;
    /// The live session with this token hash, with its active user.
    async fn session_by_token(
        &self,
        token_sha256: &str,
        now_unix: i64,
    ) -> StoreResult<Option<SessionWithUser>>;
    /// Ends a session. Audited as a logout.
    async fn close_session(&self, session_id: i64, user: &User) -> StoreResult<()>;
}
