//! The SQL of `crate::account_security`, written once for both backends.

use async_trait::async_trait;
use puente_core::Lang;
use sqlx::Row;

use super::accounts::user_from_row;
use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use super::{Backend, DbConnection};
#[allow(unused_imports)]
pub(crate) use crate::account_security::*;
use crate::accounts::User;
use crate::{Actor, StoreError, StoreResult};

/// An audit entry about a user's account.
fn about_user(
    actor: &str,
    organisation_id: i64,
    action: AuditAction,
    user_id: i64,
    detail: String,
) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.to_string(),
        organisation_id: Some(organisation_id),
        action,
        record_type: RecordType::User,
        record_id: Some(user_id.to_string()),
        case_id: None,
        detail,
    }
}

/// The organisation of a user, read in the caller's transaction; not found when there is none.
async fn organisation_of_user(transaction: &mut DbConnection, user_id: i64) -> StoreResult<i64> {
    let organisation_id: Option<i64> =
        sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *transaction)
            .await?;
    organisation_id.ok_or_else(|| StoreError::not_found("user", user_id))
}

#[async_trait]
impl AccountSecurityStore for Backend {
    async fn change_password(
        &self,
        actor: &Actor,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<i64>,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let organisation_id = organisation_of_user(&mut transaction, user_id).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(-1))
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        self.append_audit(
            &mut transaction,
            &about_user(
                &actor.name,
                organisation_id,
                AuditAction::ChangePassword,
                user_id,
                format!("{ended} other sessions ended"),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn create_password_reset(
        &self,
        actor: &Actor,
        reset: &NewPasswordReset,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let in_organisation: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND organisation_id = $2")
                .bind(reset.user_id)
                .bind(reset.organisation_id)
                .fetch_optional(&mut *transaction)
                .await?;
        if in_organisation.is_none() {
            return Err(StoreError::not_found("user", reset.user_id));
        }
        // Only the newest link works: the earlier ones that were not used are dropped.
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
            .bind(reset.user_id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (user_id, token_sha256, created_by, created_at, expires_at_unix)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(reset.user_id)
        .bind(&reset.token_sha256)
        .bind(&actor.name)
        .bind(audit::now())
        .bind(reset.expires_at_unix)
        .execute(&mut *transaction)
        .await?;
        self.append_audit(
            &mut transaction,
            &about_user(
                &actor.name,
                reset.organisation_id,
                AuditAction::PasswordResetIssued,
                reset.user_id,
                format!("one-time link expiring at {}", reset.expires_at_unix),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn password_reset_user(
        &self,
        token_sha256: &str,
        now_unix: i64,
    ) -> StoreResult<Option<User>> {
        let row = sqlx::query(
            "SELECT users.* FROM password_resets JOIN users ON users.id = password_resets.user_id
             WHERE password_resets.token_sha256 = $1 AND password_resets.used_at IS NULL
               AND password_resets.expires_at_unix > $2 AND users.active = TRUE",
        )
        .bind(token_sha256)
        .bind(now_unix)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn use_password_reset(
        &self,
        token_sha256: &str,
        now_unix: i64,
        password_hash: &str,
    ) -> StoreResult<Option<User>> {
        let mut transaction = self.begin_write().await?;
        // The link is spent in the same statement that finds it: two uses cannot both succeed.
        let user_id: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1
             WHERE token_sha256 = $2 AND used_at IS NULL AND expires_at_unix > $3
               AND user_id IN (SELECT id FROM users WHERE active = TRUE)
             RETURNING user_id",
        )
        .bind(audit::now())
        .bind(token_sha256)
        .bind(now_unix)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        let row = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 RETURNING *")
            .bind(password_hash)
            .bind(user_id)
            .fetch_one(&mut *transaction)
            .await?;
        let user = user_from_row(&row)?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(&user.email)
            .execute(&mut *transaction)
            .await?;
        self.append_audit(
            &mut transaction,
            &about_user(
                &user.email,
                user.organisation_id,
                AuditAction::PasswordReset,
                user_id,
                "new password set through a one-time link; every session ended".into(),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(Some(user))
    }

    async fn set_user_active(
        &self,
        actor: &Actor,
        organisation_id: i64,
        user_id: i64,
        active: bool,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let changed =
            sqlx::query("UPDATE users SET active = $1 WHERE id = $2 AND organisation_id = $3")
                .bind(active)
                .bind(user_id)
                .bind(organisation_id)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found("user", user_id));
        }
        let (action, detail) = if active {
            (AuditAction::ReactivateUser, String::new())
        } else {
            let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id)
                .execute(&mut *transaction)
                .await?;
            (
                AuditAction::DeactivateUser,
                format!("{ended} sessions ended"),
            )
        };
        self.append_audit(
            &mut transaction,
            &about_user(&actor.name, organisation_id, action, user_id, detail),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn replace_recovery_codes(
        &self,
        actor: &Actor,
        user_id: i64,
        code_hashes: &[String],
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let organisation_id = organisation_of_user(&mut transaction, user_id).await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        let created_at = audit::now();
        for code_hash in code_hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
            )
            .bind(user_id)
            .bind(code_hash)
            .bind(&created_at)
            .execute(&mut *transaction)
            .await?;
        }
        self.append_audit(
            &mut transaction,
            &about_user(
                &actor.name,
                organisation_id,
                AuditAction::RecoveryCodesIssued,
                user_id,
                format!(
                    "{} recovery codes; the earlier ones no longer work",
                    code_hashes.len()
                ),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn use_recovery_code(&self, user_id: i64, code_hash: &str) -> StoreResult<bool> {
        let mut transaction = self.begin_write().await?;
        let spent: Option<i64> = sqlx::query_scalar(
            "UPDATE recovery_codes SET used_at = $1
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL RETURNING id",
        )
        .bind(audit::now())
        .bind(user_id)
        .bind(code_hash)
        .fetch_optional(&mut *transaction)
        .await?;
        if spent.is_none() {
            return Ok(false);
        }
        let row = sqlx::query(
            "SELECT users.email, users.organisation_id,
                    (SELECT COUNT(*) FROM recovery_codes
                     WHERE recovery_codes.user_id = users.id AND recovery_codes.used_at IS NULL) AS left_over
             FROM users WHERE users.id = $1",
        )
        .bind(user_id)
        .fetch_one(&mut *transaction)
        .await?;
        let email: String = row.try_get("email")?;
        let organisation_id: i64 = row.try_get("organisation_id")?;
        let left_over: i64 = row.try_get("left_over")?;
        self.append_audit(
            &mut transaction,
            &about_user(
                &email,
                organisation_id,
                AuditAction::RecoveryCodeUsed,
                user_id,
                format!(
                    "a recovery code was used instead of a second-factor code; {left_over} left"
                ),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(true)
    }

    async fn unused_recovery_codes(&self, user_id: i64) -> StoreResult<u32> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.reader)
        .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn set_email_notifications(
        &self,
        actor: &Actor,
        user_id: i64,
        on: bool,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let organisation_id = organisation_of_user(&mut transaction, user_id).await?;
        // Turning it on again keeps the first time it was turned on: nothing older is mailed.
        sqlx::query(
            "UPDATE users SET email_notifications_since =
                 CASE WHEN $1 THEN COALESCE(email_notifications_since, $2) ELSE NULL END
             WHERE id = $3",
        )
        .bind(on)
        .bind(audit::now())
        .bind(user_id)
        .execute(&mut *transaction)
        .await?;
        self.append_audit(
            &mut transaction,
            &about_user(
                &actor.name,
                organisation_id,
                AuditAction::EmailNotifications,
                user_id,
                if on { "on".into() } else { "off".into() },
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn pending_notification_emails(
        &self,
        limit: u32,
    ) -> StoreResult<Vec<PendingNotificationEmail>> {
        let rows = sqlx::query(
            "SELECT notifications.id AS notification_id, users.id AS user_id, users.email,
                    users.language, users.role
             FROM notifications
             JOIN users ON users.organisation_id = notifications.organisation_id
             WHERE users.active = TRUE
               AND users.email_notifications_since IS NOT NULL
               AND notifications.created_at >= users.email_notifications_since
               AND NOT EXISTS (SELECT 1 FROM notification_emails
                               WHERE notification_emails.notification_id = notifications.id
                                 AND notification_emails.user_id = users.id)
               AND NOT EXISTS (SELECT 1 FROM notification_reads
                               WHERE notification_reads.notification_id = notifications.id
                                 AND notification_reads.user_id = users.id)
             ORDER BY notifications.id, users.id
             LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let language: Option<String> = row.try_get("language")?;
                let role: String = row.try_get("role")?;
                Ok(PendingNotificationEmail {
                    role: role.parse()?,
                    notification_id: row.try_get("notification_id")?,
                    user_id: row.try_get("user_id")?,
                    email: row.try_get("email")?,
                    language: language.as_deref().and_then(Lang::from_tag),
                })
            })
            .collect()
    }

    async fn record_notification_email(
        &self,
        notification_id: i64,
        user_id: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO notification_emails (notification_id, user_id, sent_at) VALUES ($1, $2, $3)
             ON CONFLICT (notification_id, user_id) DO NOTHING",
        )
        .bind(notification_id)
        .bind(user_id)
        .bind(audit::now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
