//! The organisation's users, created and given roles by its admins: the same rules for the
//! admin page and the API.

use puente_store::accounts::NewUser;
use puente_store::Role;

use crate::auth::{self, Principal};
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::AppState;

/// Creates a user in the admin's organisation. Shared with the API.
pub async fn create_user_in_organisation(
    state: &AppState,
    principal: &Principal,
    email: &str,
    display_name: &str,
    role: &str,
    password: &str,
) -> Result<puente_store::accounts::User, AppError> {
    policy::require(&principal.subject(), Action::ManageUsers, None)?;
    let role: Role = role
        .parse()
        .map_err(|_| AppError::localized("invalid-role", role))?;
    if display_name.trim().is_empty() {
        return Err(AppError::localized("invalid-user-name", ""));
    }
    auth::check_password_policy(password, &[email, display_name])?;
    let password_hash = auth::hash_password_blocking(password.to_string()).await?;
    let user = state
        .store
        .create_user(
            &principal.actor(),
            &NewUser {
                organisation_id: principal.user.organisation_id,
                email: email.to_string(),
                display_name: display_name.to_string(),
                role,
                password_hash,
                language: None,
            },
        )
        .await?;
    Ok(user)
}

/// Gives a user of the admin's organisation another role. An admin cannot change their own role,
/// so that an organisation is never left without an admin by mistake. Shared with the API.
pub async fn change_user_role(
    state: &AppState,
    principal: &Principal,
    user_id: i64,
    role: &str,
) -> Result<(), AppError> {
    policy::require(&principal.subject(), Action::ManageUsers, None)?;
    let role: Role = role
        .parse()
        .map_err(|_| AppError::localized("invalid-role", role))?;
    if user_id == principal.user.id {
        return Err(AppError::localized("invalid-own-role", ""));
    }
    state
        .store
        .set_user_role(
            &principal.actor(),
            principal.user.organisation_id,
            user_id,
            role,
        )
        .await?;
    Ok(())
}
