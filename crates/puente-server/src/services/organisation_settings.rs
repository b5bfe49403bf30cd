//! The organisation's settings as the admin page's form sends them.

use puente_store::accounts::OrganisationSettings;

use crate::forms::{FormFields, FormRefusal};

/// The settings the admin page's form sends: its checkboxes, ticked or not.
pub fn settings_from_form(fields: &FormFields) -> OrganisationSettings {
    OrganisationSettings {
        require_totp_for_admins: fields.get("require_totp_for_admins").is_some(),
        advocates_see_team_cases: fields.get("advocates_see_team_cases").is_some(),
    }
}

/// The admin page's settings form, typed: every setting, on or off.
#[derive(Debug)]
pub struct SettingsForm(pub OrganisationSettings);

impl TryFrom<FormFields> for SettingsForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(SettingsForm(settings_from_form(&fields)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn a_ticked_box_is_on_and_a_missing_one_off() {
        let SettingsForm(settings) =
            SettingsForm::try_from(fields_of(&[("require_totp_for_admins", "on")])).unwrap();
        assert!(settings.require_totp_for_admins);
        assert!(!settings.advocates_see_team_cases);
    }
}
