//! The SQL of `crate::accounts`, written once for both backends.

use async_trait::async_trait;
use puente_core::Lang;
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::accounts::*;

/// The account a notice of a privileged role is about, as the notice stores it.
struct PrivilegedAccount<'a> {
    id: i64,
    email: &'a str,
    role: Role,
}

impl Backend {
    /// Flags a privileged role in the audit log and notifies the organisation's supervisors, in
    /// the caller's transaction.
    async fn notice_privileged_role(
        &self,
        transaction: &mut DbConnection,
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
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
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
        self.append_audit(
            transaction,
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

pub(crate) fn user_from_row(row: &DbRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    let language: Option<String> = row.try_get("language")?;
    let active: bool = row.try_get("active")?;
    let email_notifications_since: Option<String> = row.try_get("email_notifications_since")?;
    Ok(User {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        role: role.parse()?,
        password_hash: row.try_get("password_hash")?,
        language: language.as_deref().and_then(Lang::from_tag),
        totp_secret: row.try_get("totp_secret")?,
        active,
        email_notifications: email_notifications_since.is_some(),
        created_at: row.try_get("created_at")?,
    })
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[async_trait]
impl AccountStore for Backend {
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
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
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
        self.append_audit(
            &mut transaction,
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
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(email.trim())
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn users_in_organisation(&self, organisation_id: i64) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users WHERE organisation_id = $1 ORDER BY email")
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
            "SELECT * FROM account_notices WHERE organisation_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(organisation_id)
        .bind(i64::from(limit))
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
        sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
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
            sqlx::query_as("SELECT role, email FROM users WHERE id = $1 AND organisation_id = $2")
                .bind(user_id)
                .bind(organisation_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let Some((role_before, email)) = before else {
            return Err(StoreError::not_found("user", user_id));
        };
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2 AND organisation_id = $3")
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
        self.append_audit(
            &mut transaction,
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
            "UPDATE users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2
             RETURNING organisation_id",
        )
        .bind(secret)
        .bind(user_id)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(organisation_id) = organisation_id else {
            return Err(StoreError::not_found("user", user_id));
        };
        if secret.is_none() {
            // Without a second factor its recovery codes have nothing to stand in for.
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *transaction)
                .await?;
        }
        let action = if secret.is_some() {
            AuditAction::EnableTotp
        } else {
            AuditAction::DisableTotp
        };
        self.append_audit(
            &mut transaction,
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
            sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
                .bind(sealed_secret)
                .bind(user_id)
                .execute(&mut *transaction)
                .await?;
            sealed += 1;
        }
        if sealed > 0 {
            self.append_audit(
                &mut transaction,
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
            "UPDATE users SET totp_last_step = $1
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $3)",
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
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_sha256)
        .bind(user.id)
        .bind(session.kind.code())
        .bind(&session.csrf_token)
        .bind(audit::now())
        .bind(session.expires_at_unix)
        .execute(&mut *transaction)
        .await?;
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(&user.email)
            .execute(&mut *transaction)
            .await?;
        // Expired sessions are of no use to anyone: they go as new ones come.
        sqlx::query("DELETE FROM sessions WHERE expires_at_unix <= $1")
            .bind(time::OffsetDateTime::now_utc().unix_timestamp())
            .execute(&mut *transaction)
            .await?;
        self.append_audit(
            &mut transaction,
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
        sqlx::query("INSERT INTO login_failures (email, address, at_unix) VALUES ($1, $2, $3)")
            .bind(email.trim())
            .bind(address)
            .bind(at_unix)
            .execute(&mut *transaction)
            .await?;
        // Failures older than a day no longer count for throttling (the audit log keeps them).
        sqlx::query("DELETE FROM login_failures WHERE at_unix < $1")
            .bind(at_unix - 24 * 60 * 60)
            .execute(&mut *transaction)
            .await?;
        self.append_audit(
            &mut transaction,
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
                 COALESCE(CAST(SUM(CASE WHEN email = $1 THEN 1 ELSE 0 END) AS BIGINT), 0) AS for_account,
                 MAX(CASE WHEN email = $1 THEN at_unix END) AS latest_for_account,
                 COALESCE(CAST(SUM(CASE WHEN address = $2 THEN 1 ELSE 0 END) AS BIGINT), 0) AS from_address,
                 MAX(CASE WHEN address = $2 THEN at_unix END) AS latest_from_address,
                 COALESCE(CAST(SUM(CASE WHEN email = $1 AND address = $2 THEN 1 ELSE 0 END) AS BIGINT), 0) AS for_account_from_address,
                 MAX(CASE WHEN email = $1 AND address = $2 THEN at_unix END)
                     AS latest_for_account_from_address
             FROM login_failures
             WHERE at_unix >= $3 AND (email = $1 OR address = $2)",
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
             WHERE sessions.token_sha256 = $1 AND sessions.expires_at_unix > $2 AND users.active = TRUE",
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
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(session_id)
            .execute(&mut *transaction)
            .await?;
        self.append_audit(
            &mut transaction,
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
