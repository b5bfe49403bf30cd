//! A user's own account and an admin's care of others': changing one's password, one-time links
//! to set a new one, deactivating and reactivating, the second factor and its recovery codes,
//! and notification e-mails. The same rules for the pages and the API.

use puente_store::account_security::RECOVERY_CODES_PER_USER;
use puente_store::accounts::User;
use puente_store::NewPasswordReset;

use crate::auth::{self, Principal};
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::AppState;

/// How long a one-time link to set a new password works.
pub const PASSWORD_RESET_LIFETIME_SECONDS: i64 = 24 * 60 * 60;

/// The address of a one-time link, from its token.
pub fn password_reset_path(token: &str) -> String {
    format!("/reset-password/{token}")
}

/// Checks the user's current password; a wrong one is refused naming the field.
async fn require_current_password(user: &User, password: &str) -> Result<(), AppError> {
    let matches =
        auth::verify_password_blocking(password.to_string(), user.password_hash.clone()).await?;
    if matches {
        Ok(())
    } else {
        Err(AppError::localized("account-password-wrong-current", ""))
    }
}

/// Changes the user's own password: the current one is asked, the new one must meet the policy
/// (as for new users). The user's other sessions end; this one stays.
pub async fn change_own_password(
    state: &AppState,
    principal: &Principal,
    current_password: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let user = &principal.user;
    require_current_password(user, current_password).await?;
    auth::check_password_policy(new_password, &[&user.email, &user.display_name])?;
    let hash = auth::hash_password_blocking(new_password.to_string()).await?;
    state
        .store
        .change_password(
            &principal.actor(),
            user.id,
            &hash,
            Some(principal.session_id),
        )
        .await?;
    Ok(())
}

/// A user of the admin's organisation other than the admin: not found otherwise.
async fn other_user_in_organisation(
    state: &AppState,
    principal: &Principal,
    user_id: i64,
) -> Result<User, AppError> {
    policy::require(&principal.subject(), Action::ManageUsers, None)?;
    let target = state.store.user_by_id(user_id).await?;
    let target = target
        .filter(|target| target.organisation_id == principal.user.organisation_id)
        .ok_or(AppError::NotFound)?;
    if target.id == principal.user.id {
        return Err(AppError::localized("admin-not-for-yourself", ""));
    }
    Ok(target)
}

/// A one-time link just issued: its token (shown to the admin once, never stored) and when it
/// stops working.
#[derive(Clone, Debug)]
pub struct IssuedPasswordReset {
    pub user: User,
    pub token: String,
    pub expires_at_unix: i64,
}

/// Issues a one-time link for a user of the admin's organisation to set a new password. Only
/// its hash is kept; it works once, for a day; an earlier link of the user stops working.
pub async fn issue_password_reset(
    state: &AppState,
    principal: &Principal,
    user_id: i64,
) -> Result<IssuedPasswordReset, AppError> {
    let user = other_user_in_organisation(state, principal, user_id).await?;
    if !user.active {
        return Err(AppError::localized("admin-reset-inactive", ""));
    }
    let token = auth::random_token(32);
    let expires_at_unix = auth::now_unix() + PASSWORD_RESET_LIFETIME_SECONDS;
    state
        .store
        .create_password_reset(
            &principal.actor(),
            &NewPasswordReset {
                organisation_id: principal.user.organisation_id,
                user_id,
                token_sha256: auth::token_sha256(&token),
                expires_at_unix,
            },
        )
        .await?;
    Ok(IssuedPasswordReset {
        user,
        token,
        expires_at_unix,
    })
}

/// The user a one-time link is for, while it works.
pub async fn password_reset_user(state: &AppState, token: &str) -> Result<User, AppError> {
    state
        .store
        .password_reset_user(&auth::token_sha256(token), auth::now_unix())
        .await?
        .ok_or_else(|| AppError::localized("reset-link-invalid", ""))
}

/// Sets a new password through a one-time link (which is then spent; every session of the
/// user ends).
pub async fn reset_password_with_link(
    state: &AppState,
    token: &str,
    new_password: &str,
) -> Result<User, AppError> {
    let user = password_reset_user(state, token).await?;
    auth::check_password_policy(new_password, &[&user.email, &user.display_name])?;
    let hash = auth::hash_password_blocking(new_password.to_string()).await?;
    state
        .store
        .use_password_reset(&auth::token_sha256(token), auth::now_unix(), &hash)
        .await?
        .ok_or_else(|| AppError::localized("reset-link-invalid", ""))
}

/// Deactivates (their sessions end at once) or reactivates a user of the admin's organisation;
/// never the admin themself.
pub async fn set_user_active(
    state: &AppState,
    principal: &Principal,
    user_id: i64,
    active: bool,
) -> Result<(), AppError> {
    other_user_in_organisation(state, principal, user_id).await?;
    state
        .store
        .set_user_active(
            &principal.actor(),
            principal.user.organisation_id,
            user_id,
            active,
        )
        .await?;
    Ok(())
}

/// Makes new recovery codes for the user and keeps only their keyed hashes; the codes are
/// returned to be shown once.
async fn issue_recovery_codes(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<String>, AppError> {
    let user_id = principal.user.id;
    let codes = auth::new_recovery_codes(RECOVERY_CODES_PER_USER);
    let key = &state.config.secrets_key;
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|code| auth::normalize_recovery_code(code))
        .map(|code| key.recovery_code_hash(user_id, &code))
        .collect();
    state
        .store
        .replace_recovery_codes(&principal.actor(), user_id, &hashes)
        .await?;
    Ok(codes)
}

/// What turning the second factor on needs: the sealed offer of the account page or API, the
/// password, the code of the new secret and, to replace a factor, a code of the one in use.
#[derive(Clone, Copy, Debug)]
pub struct TotpEnrolment<'a> {
    pub enrolment: &'a str,
    pub password: &'a str,
    pub code: &'a str,
    pub current_code: Option<&'a str>,
}

/// Turns the second factor on, or replaces it, once the user proves who they are and that their
/// app shows the right code of the offered secret. A first factor comes with new recovery codes
/// (returned to be shown once); a replaced one keeps the codes the user has.
pub async fn enrol_totp(
    state: &AppState,
    principal: &Principal,
    enrolment: TotpEnrolment<'_>,
) -> Result<Option<Vec<String>>, AppError> {
    let account = &principal.user;
    let key = &state.config.secrets_key;
    let now = auth::now_unix();
    let secret = auth::TotpEnrolmentOffer::open(key, account.id, enrolment.enrolment, now)
        .ok_or_else(|| AppError::localized("account-totp-offer-expired", ""))?;
    let password_matches = auth::verify_password_blocking(
        enrolment.password.to_string(),
        account.password_hash.clone(),
    )
    .await?;
    if !password_matches {
        return Err(AppError::localized("account-totp-wrong-password", ""));
    }
    if let Some(stored) = &account.totp_secret {
        let current = key
            .open_totp_secret(account.id, stored)
            .ok_or_else(|| AppError::localized("account-totp-wrong-current-code", ""))?;
        let step = enrolment
            .current_code
            .and_then(|code| auth::totp_matching_step(&current, code, now));
        let spent = match step {
            Some(step) => state.store.use_totp_step(account.id, step).await?,
            None => false,
        };
        if !spent {
            return Err(AppError::localized("account-totp-wrong-current-code", ""));
        }
    }
    if !auth::totp_code_is_valid(&secret, enrolment.code) {
        return Err(AppError::localized("account-totp-wrong-code", ""));
    }
    let sealed = key.seal_totp_secret(account.id, &secret);
    state
        .store
        .set_user_totp_secret(&principal.actor(), account.id, Some(&sealed))
        .await?;
    if account.totp_secret.is_some() {
        return Ok(None);
    }
    issue_recovery_codes(state, principal).await.map(Some)
}

/// New recovery codes (the earlier ones stop working), for a user with a second factor who
/// confirms their password.
pub async fn regenerate_recovery_codes(
    state: &AppState,
    principal: &Principal,
    password: &str,
) -> Result<Vec<String>, AppError> {
    if principal.user.totp_secret.is_none() {
        return Err(AppError::localized("account-recovery-needs-totp", ""));
    }
    require_current_password(&principal.user, password).await?;
    issue_recovery_codes(state, principal).await
}

/// Turns notification e-mails on or off for the user; only for roles that open notifications.
pub async fn set_email_notifications(
    state: &AppState,
    principal: &Principal,
    on: bool,
) -> Result<(), AppError> {
    policy::require(&principal.subject(), Action::ViewReferrals, None)?;
    state
        .store
        .set_email_notifications(&principal.actor(), principal.user.id, on)
        .await?;
    Ok(())
}
