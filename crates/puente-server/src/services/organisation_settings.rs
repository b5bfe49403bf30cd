//! The organisation's settings as the admin page's form sends them.

use puente_store::accounts::OrganisationSettings;

use crate::cases::FormFields;

/// The settings the admin page's form sends: its checkboxes, ticked or not.
pub fn settings_from_form(fields: &FormFields) -> OrganisationSettings {
    OrganisationSettings {
        require_totp_for_admins: fields.get("require_totp_for_admins").is_some(),
        advocates_see_team_cases: fields.get("advocates_see_team_cases").is_some(),
    }
}
