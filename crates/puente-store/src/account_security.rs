//! Keeping accounts safe over time: changing one's password, one-time links an admin gives a user
//! to set a new one, deactivating and reactivating a user, the recovery codes of a second factor,
//! and whether a user gets an e-mail when something new arrives (with the e-mails still owed).
//! Every change is audited in the same transaction as the change; secrets arrive hashed.

use async_trait::async_trait;
use puente_core::Lang;

use crate::{Actor, StoreResult};

/// How many recovery codes a user holds at a time.
pub const RECOVERY_CODES_PER_USER: usize = 10;

/// A one-time link to set a new password, as the store keeps it (the token itself never is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPasswordReset {
    pub organisation_id: i64,
    pub user_id: i64,
    /// The SHA-256 (hex) of the link's token.
    pub token_sha256: String,
    pub expires_at_unix: i64,
}

/// An e-mail owed to a user for a notification of their organisation that they have not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingNotificationEmail {
    pub notification_id: i64,
    pub user_id: i64,
    pub email: String,
    pub language: Option<Lang>,
    /// The user's role now (the server mails only roles that may open notifications).
    pub role: crate::Role,
}

/// Passwords, one-time reset links, activation, recovery codes and e-mail notifications.
#[async_trait]
pub trait AccountSecurityStore: Send + Sync {
    /// Replaces the user's password hash and ends every other session of theirs (all of them when
    /// `keep_session` is `None`). Audited.
    async fn change_password(
        &self,
        actor: &Actor,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<i64>,
    ) -> StoreResult<()>;

    /// Keeps a new one-time link for a user of the organisation; the user's earlier links that
    /// were not used stop working. Audited (never with the token).
    async fn create_password_reset(
        &self,
        actor: &Actor,
        reset: &NewPasswordReset,
    ) -> StoreResult<()>;

    /// The active user a link that is unused and unexpired at `now_unix` is for.
    async fn password_reset_user(
        &self,
        token_sha256: &str,
        now_unix: i64,
    ) -> StoreResult<Option<crate::accounts::User>>;

    /// Uses a link once: sets the new password hash and ends every session of the user, in one
    /// transaction, audited. `None` (and nothing changed) when the link is unknown, used, expired
    /// or for a user who is no longer active.
    async fn use_password_reset(
        &self,
        token_sha256: &str,
        now_unix: i64,
        password_hash: &str,
    ) -> StoreResult<Option<crate::accounts::User>>;

    /// Deactivates (their sessions end at once) or reactivates a user of the organisation.
    /// Audited. A user who is not in the organisation is not found.
    async fn set_user_active(
        &self,
        actor: &Actor,
        organisation_id: i64,
        user_id: i64,
        active: bool,
    ) -> StoreResult<()>;

    /// Replaces the user's recovery codes with these keyed hashes. Audited (never with a code).
    async fn replace_recovery_codes(
        &self,
        actor: &Actor,
        user_id: i64,
        code_hashes: &[String],
    ) -> StoreResult<()>;

    /// Spends the recovery code with this hash: `true` the first time, `false` when it is unknown
    /// or was used already. A spent code is audited.
    async fn use_recovery_code(&self, user_id: i64, code_hash: &str) -> StoreResult<bool>;

    /// How many of the user's recovery codes are still unused.
    async fn unused_recovery_codes(&self, user_id: i64) -> StoreResult<u32>;

    /// Turns e-mails about new notifications on (from now) or off. Audited.
    async fn set_email_notifications(
        &self,
        actor: &Actor,
        user_id: i64,
        on: bool,
    ) -> StoreResult<()>;

    /// The e-mails owed, oldest first (at most `limit`): for each active user with e-mails on,
    /// the notifications of their organisation created since they turned them on that they have
    /// neither read nor been mailed about.
    async fn pending_notification_emails(
        &self,
        limit: u32,
    ) -> StoreResult<Vec<PendingNotificationEmail>>;

    /// Records that the e-mail for a notification was dealt with for a user: sent, or not owed to
    /// their role (once; again is no change).
    async fn record_notification_email(
        &self,
        notification_id: i64,
        user_id: i64,
    ) -> StoreResult<()>;
}
