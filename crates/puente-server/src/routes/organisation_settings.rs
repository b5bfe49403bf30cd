//! The organisation's settings in the API (organisation admins): whether its admins must log in
//! with a second factor, and whether advocates and case workers see the team's cases (off: the
//! cases they own or are assigned; on: every case of the organisation). The admin page sets the
//! same settings through
//! [`crate::services::organisation_settings::settings_from_form`].

use axum::extract::State;
use axum::Json;
use puente_store::accounts::OrganisationSettings;
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::error::{AppError, ErrorAnswer};
use crate::extract::ApiJson;
use crate::policy::{self, Action};
use crate::AppState;

/// The organisation's settings as the API shows them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganisationSettingsAnswer {
    /// Organisation admins must log in with a TOTP second factor.
    require_totp_for_admins: bool,
    /// Advocates and case workers see every case of the organisation, not only theirs.
    advocates_see_team_cases: bool,
}

impl From<&OrganisationSettings> for OrganisationSettingsAnswer {
    fn from(settings: &OrganisationSettings) -> OrganisationSettingsAnswer {
        OrganisationSettingsAnswer {
            require_totp_for_admins: settings.require_totp_for_admins,
            advocates_see_team_cases: settings.advocates_see_team_cases,
        }
    }
}

/// The body of `PUT /api/v1/organisation/settings`: a setting left out keeps its value.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationSettingsChange {
    #[serde(default)]
    require_totp_for_admins: Option<bool>,
    #[serde(default)]
    advocates_see_team_cases: Option<bool>,
}

/// `GET /api/v1/organisation/settings` (organisation admins).
#[utoipa::path(get, path = "/api/v1/organisation/settings", responses(
    (status = 200, description = "The organisation's settings", body = OrganisationSettingsAnswer),
    (status = 403, description = "Only an organisation admin manages the settings", body = ErrorAnswer),
))]
pub async fn get_settings(
    principal: Principal,
) -> Result<Json<OrganisationSettingsAnswer>, AppError> {
    policy::require(&principal.subject(), Action::ManageSettings, None)?;
    Ok(Json(OrganisationSettingsAnswer::from(&principal.settings)))
}

/// `PUT /api/v1/organisation/settings` (organisation admins): changes the settings given, keeps
/// the others; audited. Answers the settings as they are now.
#[utoipa::path(put, path = "/api/v1/organisation/settings", request_body = OrganisationSettingsChange, responses(
    (status = 200, description = "The organisation's settings after the change (audited)", body = OrganisationSettingsAnswer),
    (status = 403, description = "Only an organisation admin manages the settings", body = ErrorAnswer),
    (status = 422, description = "A setting that is not a boolean, or an unknown setting", body = ErrorAnswer),
))]
pub async fn put_settings(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(change): ApiJson<OrganisationSettingsChange>,
) -> Result<Json<OrganisationSettingsAnswer>, AppError> {
    policy::require(&principal.subject(), Action::ManageSettings, None)?;
    let current = &principal.settings;
    let settings = OrganisationSettings {
        require_totp_for_admins: change
            .require_totp_for_admins
            .unwrap_or(current.require_totp_for_admins),
        advocates_see_team_cases: change
            .advocates_see_team_cases
            .unwrap_or(current.advocates_see_team_cases),
    };
    state
        .store
        .update_organisation_settings(
            &principal.actor(),
            principal.user.organisation_id,
            &settings.to_json(),
        )
        .await?;
    Ok(Json(OrganisationSettingsAnswer::from(&settings)))
}
