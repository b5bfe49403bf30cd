//! Accounts: the organisations' users, their roles, sessions and second factors, and the failed
//! logins that throttling counts. Every login (failed ones too), logout and account change is
//! audited in the same transaction as the change.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use puente_core::Lang;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, SqliteStore, StoreError, StoreResult};

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

/// The account a notice of a privileged role is about, as the notice stores it.
struct PrivilegedAccount<'a> {
    id: i64,
    email: &'a str,
    role: Role,
}

impl SqliteStore {
    /// Flags a privileged role in the audit log and notifies the organisation's supervisors, in
    /// the caller's transaction.
    async fn notice_privileged_role(
        &self,
        transaction: &mut sqlx::SqliteConnection,
        actor: &Actor,
        organisation_id: i64,
        account: PrivilegedAccount<'_>,
        kind: &str,
    ) -> StoreResult<()> {
        let PrivilegedAccount {
            id: user_id,
            email: user_email,
            role,
        } = account;
        sqlx::query(
            "INSERT INTO account_notices (organisation_id, kind, user_id, user_email, role, actor, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(organisation_id)
        .bind(kind)
        .bind(user_id)
        .bind(user_email)
        .bind(role.code())
        .bind(&actor.name)
        .bind(audit::now())
        .execute(&mut *transaction)
        .await?;
        audit::append(
            transaction,
            &self.audit_key(),
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::PrivilegedRoleGranted,
                record_type: RecordType::User,
                record_id: Some(user_id.to_string()),
                case_id: None,
                detail: format!(
                    "{kind}: user {user_email} with role {role}; the organisation's supervisors were notified"
                ),
            },
        )
        .await?;
        Ok(())
    }
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

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    let language: Option<String> = row.try_get("language")?;
    let active: i64 = row.try_get("active")?;
    Ok(User {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        role: role.parse()?,
        password_hash: row.try_get("password_hash")?,
        language: language.as_deref().and_then(Lang::from_tag),
        totp_secret: row.try_get("totp_secret")?,
        active: active != 0,
        created_at: row.try_get("created_at")?,
    })
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_user(&self, actor: &Actor, user: &NewUser) -> StoreResult<User> {
        let email = user.email.trim().to_lowercase();
        if email.is_empty() || !email.contains('@') {
            return Err(StoreError::Invalid(format!(
                "`{email}` is not an email address"
            )));
        }
        let mut transaction = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO users (organisation_id, email, display_name, role, password_hash, language, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(user.organisation_id)
        .bind(&email)
        .bind(user.display_name.trim())
        .bind(user.role.code())
        .bind(&user.password_hash)
        .bind(user.language.map(Lang::tag))
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(error) if is_unique_violation(&error) => {
                return Err(StoreError::Conflict(format!(
                    "a user with email {email} exists"
                )))
            }
            Err(error) => return Err(error.into()),
        };
        let created = user_from_row(&row)?;
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(created.organisation_id),
                action: AuditAction::Create,
                record_type: RecordType::User,
                record_id: Some(created.id.to_string()),
                case_id: None,
                detail: format!("user {} with role {}", created.email, created.role),
            },
        )
        .await?;
        if created.role.is_privileged() {
            self.notice_privileged_role(
                &mut transaction,
                actor,
                created.organisation_id,
                PrivilegedAccount {
                    id: created.id,
                    email: &created.email,
                    role: created.role,
                },
                "privileged_account_created",
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(created)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = ?")
            .bind(email.trim())
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn users_in_organisation(&self, organisation_id: i64) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users WHERE organisation_id = ? ORDER BY email")
            .bind(organisation_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn account_notices(
        &self,
        organisation_id: i64,
        limit: u32,
    ) -> StoreResult<Vec<AccountNotice>> {
        let rows = sqlx::query(
            "SELECT * FROM account_notices WHERE organisation_id = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(organisation_id)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                Ok(AccountNotice {
                    id: row.try_get("id")?,
                    organisation_id: row.try_get("organisation_id")?,
                    kind: row.try_get("kind")?,
                    user_id: row.try_get("user_id")?,
                    user_email: row.try_get("user_email")?,
                    role: role.parse()?,
                    actor: row.try_get("actor")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn set_user_language(&self, user_id: i64, language: Option<Lang>) -> StoreResult<()> {
        sqlx::query("UPDATE users SET language = ? WHERE id = ?")
            .bind(language.map(Lang::tag))
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn set_user_role(
        &self,
        actor: &Actor,
        organisation_id: i64,
        user_id: i64,
        role: Role,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let before: Option<(String, String)> =
            sqlx::query_as("SELECT role, email FROM users WHERE id = ? AND organisation_id = ?")
                .bind(user_id)
                .bind(organisation_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let Some((role_before, email)) = before else {
            return Err(StoreError::not_found("user", user_id));
        };
        sqlx::query("UPDATE users SET role = ? WHERE id = ? AND organisation_id = ?")
            .bind(role.code())
            .bind(user_id)
            .bind(organisation_id)
            .execute(&mut *transaction)
            .await?;
        // A promotion to a privileged role (or from one privileged role to another) is noticed.
        if role.is_privileged() && role_before != role.code() {
            self.notice_privileged_role(
                &mut transaction,
                actor,
                organisation_id,
                PrivilegedAccount {
                    id: user_id,
                    email: &email,
                    role,
                },
                "privileged_role_granted",
            )
            .await?;
        }
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::ChangeRole,
                record_type: RecordType::User,
                record_id: Some(user_id.to_string()),
                case_id: None,
                detail: format!("role {role}"),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn set_user_totp_secret(
        &self,
        actor: &Actor,
        user_id: i64,
        secret: Option<&str>,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let organisation_id: Option<i64> = sqlx::query_scalar(
            // The codes of a new secret have never been used: the replay guard starts again.
            "UPDATE users SET totp_secret = ?, totp_last_step = NULL WHERE id = ?
             RETURNING organisation_id",
        )
        .bind(secret)
        .bind(user_id)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(organisation_id) = organisation_id else {
            return Err(StoreError::not_found("user", user_id));
        };
        let action = if secret.is_some() {
            AuditAction::EnableTotp
        } else {
            AuditAction::DisableTotp
        };
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action,
                record_type: RecordType::User,
                record_id: Some(user_id.to_string()),
                case_id: None,
                detail: String::new(),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn seal_plain_totp_secrets(
        &self,
        is_sealed: &(dyn for<'text> Fn(&'text str) -> bool + Send + Sync),
        seal: &(dyn for<'text> Fn(i64, &'text str) -> String + Send + Sync),
    ) -> StoreResult<u32> {
        let mut transaction = self.begin_write().await?;
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")
                .fetch_all(&mut *transaction)
                .await?;
        let mut sealed = 0_u32;
        for (user_id, secret) in &rows {
            if is_sealed(secret.as_str()) {
                continue;
            }
            let sealed_secret = seal(*user_id, secret.as_str());
            sqlx::query("UPDATE users SET totp_secret = ? WHERE id = ?")
                .bind(sealed_secret)
                .bind(user_id)
                .execute(&mut *transaction)
                .await?;
            sealed += 1;
        }
        if sealed > 0 {
            audit::append(
                &mut transaction,
                &self.audit_key(),
                &NewAuditEntry {
                    actor: "puente".into(),
                    organisation_id: None,
                    action: AuditAction::SealTotpSecrets,
                    record_type: RecordType::User,
                    record_id: None,
                    case_id: None,
                    detail: format!("{sealed} second-factor secrets sealed"),
                },
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(sealed)
    }

    async fn use_totp_step(&self, user_id: i64, step: i64) -> StoreResult<bool> {
        let changed = sqlx::query(
            "UPDATE users SET totp_last_step = ?
             WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(user_id)
        .bind(step)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    async fn open_session(
        &self,
        user: &User,
        session: &NewSession,
        address: &str,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_id, kind, csrf_token, created_at, expires_at_unix)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&session.token_sha256)
        .bind(user.id)
        .bind(session.kind.code())
        .bind(&session.csrf_token)
        .bind(audit::now())
        .bind(session.expires_at_unix)
        .execute(&mut *transaction)
        .await?;
        sqlx::query("DELETE FROM login_failures WHERE email = ?")
            .bind(&user.email)
            .execute(&mut *transaction)
            .await?;
        // Expired sessions are of no use to anyone: they go as new ones come.
        sqlx::query("DELETE FROM sessions WHERE expires_at_unix <= ?")
            .bind(time::OffsetDateTime::now_utc().unix_timestamp())
            .execute(&mut *transaction)
            .await?;
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &NewAuditEntry {
                actor: user.email.clone(),
                organisation_id: Some(user.organisation_id),
                action: AuditAction::Login,
                record_type: RecordType::User,
                record_id: Some(user.id.to_string()),
                case_id: None,
                detail: format!("{} session from {address}", session.kind.code()),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn record_login_failure(
        &self,
        email: &str,
        organisation_id: Option<i64>,
        address: &str,
        at_unix: i64,
        reason: &str,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        sqlx::query("INSERT INTO login_failures (email, address, at_unix) VALUES (?, ?, ?)")
            .bind(email.trim())
            .bind(address)
            .bind(at_unix)
            .execute(&mut *transaction)
            .await?;
        // Failures older than a day no longer count for throttling (the audit log keeps them).
        sqlx::query("DELETE FROM login_failures WHERE at_unix < ?")
            .bind(at_unix - 24 * 60 * 60)
            .execute(&mut *transaction)
            .await?;
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &NewAuditEntry {
                actor: email.trim().to_string(),
                organisation_id,
                action: AuditAction::LoginFailed,
                record_type: RecordType::User,
                record_id: None,
                case_id: None,
                detail: format!("{reason} from {address}"),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn recent_login_failures(
        &self,
        email: &str,
        address: &str,
        since_unix: i64,
    ) -> StoreResult<RecentLoginFailures> {
        let row = sqlx::query(
            "SELECT
                 COALESCE(SUM(email = ?1), 0) AS for_account,
                 MAX(CASE WHEN email = ?1 THEN at_unix END) AS latest_for_account,
                 COALESCE(SUM(address = ?2), 0) AS from_address,
                 MAX(CASE WHEN address = ?2 THEN at_unix END) AS latest_from_address,
                 COALESCE(SUM(email = ?1 AND address = ?2), 0) AS for_account_from_address,
                 MAX(CASE WHEN email = ?1 AND address = ?2 THEN at_unix END)
                     AS latest_for_account_from_address
             FROM login_failures
             WHERE at_unix >= ?3 AND (email = ?1 OR address = ?2)",
        )
        .bind(email.trim())
        .bind(address)
        .bind(since_unix)
        .fetch_one(&self.reader)
        .await?;
        let count = |column: &str| -> StoreResult<u32> {
            let value: i64 = row.try_get(column)?;
            Ok(u32::try_from(value).unwrap_or(u32::MAX))
        };
        Ok(RecentLoginFailures {
            for_account: count("for_account")?,
            from_address: count("from_address")?,
            for_account_from_address: count("for_account_from_address")?,
            latest_for_account: row.try_get("latest_for_account")?,
            latest_from_address: row.try_get("latest_from_address")?,
            latest_for_account_from_address: row.try_get("latest_for_account_from_address")?,
        })
    }

    async fn session_by_token(
        &self,
        token_sha256: &str,
        now_unix: i64,
    ) -> StoreResult<Option<SessionWithUser>> {
        let row = sqlx::query(
            "SELECT sessions.id AS session_id, sessions.kind AS session_kind, sessions.csrf_token,
                    sessions.expires_at_unix, users.*
             FROM sessions JOIN users ON users.id = sessions.user_id
             WHERE sessions.token_sha256 = ? AND sessions.expires_at_unix > ? AND users.active = 1",
        )
        .bind(token_sha256)
        .bind(now_unix)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let kind: String = row.try_get("session_kind")?;
        Ok(Some(SessionWithUser {
            session_id: row.try_get("session_id")?,
            kind: if kind == "bearer" {
                SessionKind::Bearer
            } else {
                SessionKind::Cookie
            },
            csrf_token: row.try_get("csrf_token")?,
            expires_at_unix: row.try_get("expires_at_unix")?,
            user: user_from_row(&row)?,
        }))
    }

    async fn close_session(&self, session_id: i64, user: &User) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE id = ?")
            .bind(session_id)
            .execute(&mut *transaction)
            .await?;
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &NewAuditEntry {
                actor: user.email.clone(),
                organisation_id: Some(user.organisation_id),
                action: AuditAction::Logout,
                record_type: RecordType::User,
                record_id: Some(user.id.to_string()),
                case_id: None,
                detail: String::new(),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }
}
