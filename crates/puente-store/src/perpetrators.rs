//! The perpetrators recorded on a case: what the organisation knows of each (names, alias, sex,
//! nationality, a phone, an approximate year of birth) and their HTCDS roles (`per_RoleInProcess`),
//! so that the linkage engine can find the same person across the organisation's cases.
//!
//! Identifying data: every write is one transaction with its audit entry, and reading the
//! organisation's whole list (the input of the linkage across cases) is itself audited. A case of
//! another organisation is "not found". Audit details name record ids and role codes, never a name.

use async_trait::async_trait;
use puente_core::htcds::{Gender, PerpetratorRole};
use puente_core::Country;
use serde::Serialize;

use crate::{Actor, StoreError, StoreResult};

/// The longest name, alias or phone of a perpetrator, in characters.
pub const PERPETRATOR_TEXT_MAX_CHARS: usize = 120;

/// A perpetrator to record on a case. At least one of the names or the alias is required.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NewPerpetrator {
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// What the person is called by ("El Chino").
    pub alias: Option<String>,
    pub sex: Option<Gender>,
    pub nationality: Option<Country>,
    /// As the survivor gave it; the linkage engine normalises it to E.164.
    pub phone: Option<String>,
    /// An approximate year of birth, when an age was estimated.
    pub birth_year: Option<i32>,
    /// At least one.
    pub roles: Vec<PerpetratorRole>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredPerpetrator {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub perpetrator: NewPerpetrator,
    pub created_by: String,
    pub created_at: String,
}

/// The perpetrators in the store. `organisation_id` is always the caller's organisation.
#[async_trait]
pub trait PerpetratorStore: Send + Sync {
    /// Records a perpetrator on a case; refuses one without a name or alias, without a role, or
    /// with a text over [`PERPETRATOR_TEXT_MAX_CHARS`], naming the field.
    async fn record_perpetrator(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        perpetrator: &NewPerpetrator,
    ) -> StoreResult<StoredPerpetrator>;
    /// A case's perpetrators, in the order they were recorded.
    async fn perpetrators_of_case(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredPerpetrator>>;
    /// Every perpetrator of the organisation's cases, by case then id; the read is audited.
    async fn organisation_perpetrators(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> StoreResult<Vec<StoredPerpetrator>>;
}

/// A trimmed text, `None` when blank; refused over the limit, naming the field.
fn checked_text(text: &Option<String>, field: &str) -> StoreResult<Option<String>> {
    let trimmed = text
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty());
    if let Some(text) = trimmed {
        if text.chars().count() > PERPETRATOR_TEXT_MAX_CHARS {
            return Err(StoreError::Invalid(format!(
                "`{field}` is longer than {PERPETRATOR_TEXT_MAX_CHARS} characters"
            )));
        }
    }
    Ok(trimmed.map(str::to_string))
}

/// The perpetrator as it is stored: texts trimmed and checked, a name or alias present, a role
/// present, a plausible year of birth.
pub(crate) fn checked(perpetrator: &NewPerpetrator) -> StoreResult<NewPerpetrator> {
    let checked = NewPerpetrator {
        given_name: checked_text(&perpetrator.given_name, "given_name")?,
        surname: checked_text(&perpetrator.surname, "surname")?,
        alias: checked_text(&perpetrator.alias, "alias")?,
        phone: checked_text(&perpetrator.phone, "phone")?,
        ..perpetrator.clone()
    };
    if checked.given_name.is_none() && checked.surname.is_none() && checked.alias.is_none() {
        return Err(StoreError::Invalid(
            "`given_name`: a name, a surname or an alias is required".into(),
        ));
    }
    if checked.roles.is_empty() {
        return Err(StoreError::Invalid("`roles`: at least one role".into()));
    }
    if let Some(year) = checked.birth_year {
        if !(1900..=2100).contains(&year) {
            return Err(StoreError::Invalid(format!(
                "`birth_year`: {year} is not a year of birth"
            )));
        }
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perpetrator_needs_a_name_or_alias_and_a_role() {
        let mut perpetrator = NewPerpetrator {
            roles: vec![PerpetratorRole::RecruiterOrIntermediary],
            ..NewPerpetrator::default()
        };
        assert!(
            matches!(checked(&perpetrator), Err(StoreError::Invalid(m)) if m.contains("given_name"))
        );
        perpetrator.alias = Some("  El Chino ".into());
        assert_eq!(
            checked(&perpetrator).unwrap().alias.as_deref(),
            Some("El Chino")
        );
        perpetrator.roles.clear();
        assert!(
            matches!(checked(&perpetrator), Err(StoreError::Invalid(m)) if m.contains("roles"))
        );
        perpetrator.roles.push(PerpetratorRole::Exploiter);
        perpetrator.birth_year = Some(1800);
        assert!(
            matches!(checked(&perpetrator), Err(StoreError::Invalid(m)) if m.contains("birth_year"))
        );
    }
}
