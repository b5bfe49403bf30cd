//! The glue between requests and the store for cases, shared by the pages and the API: the
//! authorisation check before any read, form parsing into the domain types, saves with optimistic
//! concurrency, and screenings inside a case.

use puente_core::domain::{Case, PartialDate, Person, PhoneNumber, VictimContext};
use puente_core::htcds::{
    Gender, MethodOfControl, MethodOfRecruitment, RelationshipToTrafficker, TraffickingStatus,
    TraffickingStatusDecidedBy, TypeOfExploitation, TypeOfLabour, TypeOfSexExploitation,
    Vulnerability,
};
use puente_core::{Country, Lang, Vocabulary};
use puente_screening::hotlines::Hotline;
use puente_screening::{PersonContext, ScreeningInput, ScreeningOptions, ScreeningResult, Sex};
use puente_store::case_access::CaseAccess;
use puente_store::cases::today_iso;
use puente_store::screenings::{NewScreening, StoredScreening};
use puente_store::{NewCase, StoredCase};

use crate::auth::Principal;
use crate::error::AppError;
use crate::forms::{refused, FieldRefusal};
use crate::policy::{self, Action, CaseScope};
use crate::AppState;

/// Checks that the user may do `action` to the case, reading only its organisation and owner.
/// A case that does not exist and a case out of scope answer alike (404); a role that never may
/// answers 403.
pub async fn authorize_case(
    state: &AppState,
    principal: &Principal,
    action: Action,
    case_id: i64,
) -> Result<CaseAccess, AppError> {
    let access = state.store.case_access(case_id).await?;
    let scope = access.map(|access| CaseScope {
        organisation_id: access.organisation_id,
        owner_user_id: access.owner_user_id,
    });
    policy::require(&principal.subject(), action, scope)?;
    access.ok_or(AppError::NotFound)
}

/// Reads a case the user may see for `action`. The read is audited by the store as a view of
/// identifying data.
pub async fn read_case(
    state: &AppState,
    principal: &Principal,
    action: Action,
    case_id: i64,
) -> Result<StoredCase, AppError> {
    let access = authorize_case(state, principal, action, case_id).await?;
    state
        .store
        .case(&principal.actor(), access.organisation_id, case_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Audits a read of a part of a case that holds identifying data (notes, history, screenings),
/// before the data is returned: if the entry cannot be written, nothing is shown.
pub async fn audit_case_read(
    state: &AppState,
    principal: &Principal,
    access: &CaseAccess,
    action: puente_store::AuditAction,
) -> Result<(), AppError> {
    state
        .store
        .record_audit(puente_store::NewAuditEntry {
            actor: principal.user.email.clone(),
            organisation_id: Some(access.organisation_id),
            action,
            record_type: puente_store::RecordType::Case,
            record_id: Some(access.case_id.to_string()),
            case_id: Some(access.case_id),
            detail: String::new(),
        })
        .await?;
    Ok(())
}

/// A saved version of a case and what changed from the version before it.
#[derive(Debug)]
pub struct VersionChanges {
    pub version: puente_store::CaseVersion,
    pub changes: Vec<puente_core::case_changes::FieldChange>,
}

/// Every saved version of a case the user may see, oldest first, with the changed fields and their old and new
/// values. The read is audited before anything is returned, naming the identifying fields whose
/// values are shown (never the values).
pub async fn history_with_changes(
    state: &AppState,
    principal: &Principal,
    access: &CaseAccess,
) -> Result<Vec<VersionChanges>, AppError> {
    let history = state
        .store
        .case_history(access.organisation_id, access.case_id)
        .await?;
    let mut previous: Option<Case> = None;
    let mut versions = Vec::with_capacity(history.len());
    let mut identifying: Vec<&'static str> = Vec::new();
    for version in history {
        let case = serde_json::from_value::<Case>(version.snapshot.clone()).ok();
        let changes = match &case {
            Some(case) => puente_core::case_changes::case_changes(previous.as_ref(), case),
            None => Vec::new(),
        };
        for change in changes.iter().filter(|change| change.identifying) {
            if !identifying.contains(&change.field) {
                identifying.push(change.field);
            }
        }
        if case.is_some() {
            previous = case;
        }
        versions.push(VersionChanges { version, changes });
    }
    let detail = if identifying.is_empty() {
        String::new()
    } else {
        format!("identifying fields read: {}", identifying.join(", "))
    };
    state
        .store
        .record_audit(puente_store::NewAuditEntry {
            actor: principal.user.email.clone(),
            organisation_id: Some(access.organisation_id),
            action: puente_store::AuditAction::ViewHistory,
            record_type: puente_store::RecordType::Case,
            record_id: Some(access.case_id.to_string()),
            case_id: Some(access.case_id),
            detail,
        })
        .await?;
    Ok(versions)
}

/// Whether a user can own cases: advocates, case workers and supervisors.
pub fn can_own_cases(user: &puente_store::accounts::User) -> bool {
    use puente_store::Role;
    user.active
        && matches!(
            user.role,
            Role::Advocate | Role::CaseWorker | Role::Supervisor
        )
}

/// Gives a case to a user of the same organisation who can own cases, or to no one.
pub async fn assign_case(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
    owner_user_id: Option<i64>,
) -> Result<(), AppError> {
    let access = authorize_case(state, principal, Action::AssignCase, case_id).await?;
    if let Some(owner) = owner_user_id {
        let user = state.store.user_by_id(owner).await?;
        let acceptable = user.is_some_and(|user| {
            user.organisation_id == access.organisation_id && can_own_cases(&user)
        });
        if !acceptable {
            return Err(AppError::localized("invalid-owner", owner));
        }
    }
    state
        .store
        .assign_case(
            &principal.actor(),
            access.organisation_id,
            case_id,
            owner_user_id,
        )
        .await?;
    Ok(())
}

/// Opens a case owned by the user who creates it.
pub async fn create_case(
    state: &AppState,
    principal: &Principal,
    case: Case,
) -> Result<i64, AppError> {
    policy::require(&principal.subject(), Action::CreateCase, None)?;
    validate_case(&case)?;
    let ids = state
        .store
        .create_cases(
            &principal.actor(),
            principal.user.organisation_id,
            &[NewCase {
                case,
                owner_user_id: Some(principal.user.id),
                opened_on: today_iso(),
            }],
        )
        .await?;
    ids.first()
        .copied()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no case id returned")))
}

/// What every case must have, and the bounds of every field (`puente_core::bounds`, the same
/// for the form and the API).
pub fn validate_case(case: &Case) -> Result<(), AppError> {
    if case.person.given_name.trim().is_empty()
        && case.person.alias.as_deref().unwrap_or("").trim().is_empty()
    {
        return Err(AppError::localized("invalid-person-name", ""));
    }
    let today = time::OffsetDateTime::now_utc().date();
    match puente_core::bounds::case_out_of_bounds(case, today)
        .into_iter()
        .next()
    {
        Some(problem) => Err(AppError::OutOfBounds(problem)),
        None => Ok(()),
    }
}

/// The text of a new note, within its bounds (the same for the form and the API).
pub fn validate_note(text: &str) -> Result<(), AppError> {
    if text.trim().is_empty() {
        return Err(AppError::localized("note-empty", ""));
    }
    match puente_core::bounds::note_out_of_bounds(text) {
        Some(problem) => Err(AppError::OutOfBounds(problem)),
        None => Ok(()),
    }
}

/// Changes a case with optimistic concurrency: the change is applied to the stored case only if
/// `expected_version` is still the stored version; otherwise the save is refused (409) and nothing
/// is overwritten. Returns the new version.
pub async fn change_case(
    state: &AppState,
    principal: &Principal,
    action: Action,
    case_id: i64,
    expected_version: i64,
    change: impl FnOnce(&mut Case) -> Result<(), AppError>,
) -> Result<i64, AppError> {
    let access = authorize_case(state, principal, action, case_id).await?;
    if access.version != expected_version {
        return Err(AppError::StaleVersion {
            yours: expected_version,
            current: access.version,
        });
    }
    let stored = state
        .store
        .case(&principal.actor(), access.organisation_id, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut case = stored.case;
    change(&mut case)?;
    validate_case(&case)?;
    // The store checks the version again in its UPDATE: a save that raced this one between the
    // check above and here is refused there (`StoreError::StaleVersion`, a 409).
    match state
        .store
        .update_case(
            &principal.actor(),
            access.organisation_id,
            case_id,
            expected_version,
            &case,
        )
        .await
    {
        Ok(version) => Ok(version),
        Err(other) => Err(other.into()),
    }
}

/// What the screening engine may know of a case's person: never a name, only age, sex,
/// nationality and current country.
pub fn person_context(person: &Person) -> PersonContext {
    let today = time::OffsetDateTime::now_utc().date();
    PersonContext {
        age: person
            .date_of_birth
            .and_then(|birth| birth.age_on(today))
            .or(person.estimated_age),
        sex: person.sex.and_then(|sex| match sex {
            Gender::Female => Some(Sex::Female),
            Gender::Male => Some(Sex::Male),
            Gender::TransgenderNonConforming => Some(Sex::Other),
            Gender::Unknown => None,
        }),
        nationality: person.nationality,
        current_country: person.current_country,
        ..PersonContext::default()
    }
}

/// Fills what the screener did not say from the case (an age, sex or country given in the
/// questionnaire or the request wins).
pub fn complete_person_context(given: &mut PersonContext, from_case: PersonContext) {
    given.age = given.age.or(from_case.age);
    given.sex = given.sex.or(from_case.sex);
    given.nationality = given.nationality.or(from_case.nationality);
    given.current_country = given.current_country.or(from_case.current_country);
}

/// The screening options for a reader: the language, and the service directory's hotlines of
/// the person's current country (every hotline when it is unknown), added to the engine's own.
pub async fn screening_options(
    state: &AppState,
    current_country: Option<Country>,
    lang: Lang,
) -> Result<ScreeningOptions, AppError> {
    let hotlines = state
        .store
        .hotlines(current_country)
        .await?
        .into_iter()
        .map(|hotline| Hotline {
            country: hotline.country,
            name_es: hotline.name_es,
            name_en: hotline.name_en,
            phone: hotline.phone,
            text: hotline.text,
        })
        .collect();
    Ok(ScreeningOptions { lang, hotlines })
}

/// Writes the explanation and next steps of a stored screening into its result, in the reader's
/// language, from the stored input and the result's codes (the verdicts are never recomputed).
/// A stored screening whose input or result cannot be read is left as it was stored.
pub async fn explain_stored_screening(
    state: &AppState,
    input: &serde_json::Value,
    result: &mut serde_json::Value,
    lang: Lang,
) -> Result<(), AppError> {
    let (Ok(input), Ok(verdicts)) = (
        serde_json::from_value::<ScreeningInput>(input.clone()),
        serde_json::from_value::<ScreeningResult>(result.clone()),
    ) else {
        return Ok(());
    };
    let options = screening_options(state, input.person.current_country, lang).await?;
    let words = puente_screening::explain(&input, &verdicts, &options);
    result["explanation"] = serde_json::json!(words.explanation);
    result["next_steps"] = serde_json::json!(words.next_steps);
    Ok(())
}

/// Runs the screening engine on `input` for a case, with the directory's hotlines, and stores the
/// input and the result's codes with the rule-set version. The words (explanation and next
/// steps) are not stored: each reader reads them in their language
/// ([`explain_stored_screening`]). The result returned carries them in `lang`.
pub async fn screen_case(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
    questionnaire: &str,
    mut input: ScreeningInput,
    lang: Lang,
) -> Result<(StoredScreening, ScreeningResult), AppError> {
    let stored = read_case(state, principal, Action::ScreenCase, case_id).await?;
    complete_person_context(&mut input.person, person_context(&stored.case.person));
    let options = screening_options(state, input.person.current_country, lang).await?;
    let result = puente_screening::screen_with(&input, &options);
    let codes_only = ScreeningResult {
        explanation: Vec::new(),
        next_steps: Vec::new(),
        ..result.clone()
    };
    let screening = NewScreening {
        case_id,
        organisation_id: stored.organisation_id,
        questionnaire: questionnaire.to_string(),
        input: serde_json::to_value(&input).map_err(AppError::internal)?,
        result: serde_json::to_value(&codes_only).map_err(AppError::internal)?,
        level: result.level.code().to_string(),
        rule_set_version: result.rule_set_version.clone(),
        lang: lang.tag().to_string(),
    };
    let stored_screening = state
        .store
        .record_screening(&principal.actor(), &screening)
        .await?;
    // The statutory clocks the screening starts become tasks (once per case and clock).
    crate::tasks::add_clock_tasks(
        state,
        principal,
        stored.organisation_id,
        stored.owner_user_id,
        case_id,
        &input.person,
        lang,
    )
    .await?;
    Ok((stored_screening, result))
}

/// The raw form of a page (see [`crate::forms`]).
pub use crate::forms::FormFields;

fn optional_text(fields: &FormFields, name: &str) -> Option<String> {
    fields.get(name).map(str::to_string)
}

fn country_field(fields: &FormFields, name: &str) -> Result<Option<Country>, AppError> {
    fields
        .get(name)
        .map(|code| {
            Country::from_code(code).ok_or_else(|| AppError::localized("invalid-country", code))
        })
        .transpose()
}

fn codes<V: Vocabulary>(fields: &FormFields, name: &str) -> Result<Vec<V>, AppError> {
    fields
        .all(name)
        .into_iter()
        .map(|code| V::parse_code(code).map_err(|_| AppError::localized("invalid-code", code)))
        .collect()
}

/// One optional code of a vocabulary from a form field.
fn code_field<V: Vocabulary>(fields: &FormFields, name: &str) -> Result<Option<V>, AppError> {
    fields
        .get(name)
        .map(|code| V::parse_code(code).map_err(|_| AppError::localized("invalid-code", code)))
        .transpose()
}

/// One required code of a vocabulary from a form field.
pub fn required_code<V: Vocabulary>(fields: &FormFields, name: &str) -> Result<V, AppError> {
    code_field(fields, name)?.ok_or_else(|| AppError::localized("invalid-code", ""))
}

/// Reads the person part of the case form; a refusal names its field.
pub fn person_from_form(fields: &FormFields) -> Result<Person, FieldRefusal> {
    let nationality = country_field(fields, "nationality").map_err(refused("nationality"))?;
    let current_country =
        country_field(fields, "current_country").map_err(refused("current_country"))?;
    let date_of_birth = date_field(fields, "date_of_birth").map_err(refused("date_of_birth"))?;
    let estimated_age = fields
        .get("estimated_age")
        .map(|text| {
            text.parse::<u32>()
                .ok()
                .filter(|age| *age <= puente_core::bounds::MAX_AGE_YEARS)
                .ok_or_else(|| AppError::localized("invalid-age", text))
        })
        .transpose()
        .map_err(refused("estimated_age"))?;
    let phone = fields
        .get("phone")
        .map(|text| {
            PhoneNumber::parse(text, current_country.or(nationality))
                .map_err(|_| AppError::localized("invalid-phone", text))
        })
        .transpose()
        .map_err(refused("phone"))?;
    let sex = code_field::<Gender>(fields, "sex").map_err(refused("sex"))?;
    Ok(Person {
        given_name: fields.get("given_name").unwrap_or_default().to_string(),
        middle_name: optional_text(fields, "middle_name"),
        surname: fields.get("surname").unwrap_or_default().to_string(),
        second_surname: optional_text(fields, "second_surname"),
        alias: optional_text(fields, "alias"),
        sex,
        date_of_birth,
        estimated_age,
        nationality,
        languages: fields
            .get("languages")
            .map(|text| {
                text.split([',', ';'])
                    .map(|language| language.trim().to_string())
                    .filter(|language| !language.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        phone,
        current_country,
        current_place: optional_text(fields, "current_place"),
    })
}

/// The victim-context part of the case form: the fields the form shows (the others of a case's
/// context are kept when it is applied).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VictimFormPart {
    pub trafficking_status: Option<TraffickingStatus>,
    pub types_of_exploitation: Vec<TypeOfExploitation>,
    pub recruitment_methods: Vec<MethodOfRecruitment>,
    pub methods_of_control: Vec<MethodOfControl>,
    pub status_decided_by: Option<TraffickingStatusDecidedBy>,
    pub types_of_labour: Vec<TypeOfLabour>,
    pub types_of_sex_exploitation: Vec<TypeOfSexExploitation>,
    pub relationship_to_trafficker: Vec<RelationshipToTrafficker>,
    pub vulnerabilities: Vec<Vulnerability>,
}

impl VictimFormPart {
    /// Reads the victim-context part of the case form; a refusal names its field.
    pub fn read(fields: &FormFields) -> Result<VictimFormPart, FieldRefusal> {
        fn list<V: Vocabulary>(
            fields: &FormFields,
            name: &'static str,
        ) -> Result<Vec<V>, FieldRefusal> {
            codes::<V>(fields, name).map_err(refused(name))
        }
        fn one<V: Vocabulary>(
            fields: &FormFields,
            name: &'static str,
        ) -> Result<Option<V>, FieldRefusal> {
            code_field::<V>(fields, name).map_err(refused(name))
        }
        Ok(VictimFormPart {
            trafficking_status: one(fields, "trafficking_status")?,
            types_of_exploitation: list(fields, "types_of_exploitation")?,
            recruitment_methods: list(fields, "recruitment_methods")?,
            methods_of_control: list(fields, "methods_of_control")?,
            status_decided_by: one(fields, "status_decided_by")?,
            types_of_labour: list(fields, "types_of_labour")?,
            types_of_sex_exploitation: list(fields, "types_of_sex_exploitation")?,
            relationship_to_trafficker: list(fields, "relationship_to_trafficker")?,
            vulnerabilities: list(fields, "vulnerabilities")?,
        })
    }

    /// Puts the form's fields onto an existing context (fields the form does not show are kept).
    pub fn apply_to(self, victim: &mut VictimContext) {
        victim.trafficking_status = self.trafficking_status;
        victim.types_of_exploitation = self.types_of_exploitation;
        victim.recruitment_methods = self.recruitment_methods;
        victim.methods_of_control = self.methods_of_control;
        victim.status_decided_by = self.status_decided_by;
        victim.types_of_labour = self.types_of_labour;
        victim.types_of_sex_exploitation = self.types_of_sex_exploitation;
        victim.relationship_to_trafficker = self.relationship_to_trafficker;
        victim.vulnerabilities = self.vulnerabilities;
    }
}

/// A partial date from a form field, required or not.
pub fn date_field(fields: &FormFields, name: &str) -> Result<Option<PartialDate>, AppError> {
    fields
        .get(name)
        .map(|text| {
            text.parse::<PartialDate>()
                .map_err(|_| AppError::localized("invalid-date", text))
        })
        .transpose()
}

/// A country from a form field.
pub fn country_from_form(fields: &FormFields, name: &str) -> Result<Option<Country>, AppError> {
    country_field(fields, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> FormFields {
        FormFields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn the_person_form_parses_into_the_domain_types() {
        let form = fields(&[
            ("given_name", " María "),
            ("surname", "López"),
            ("sex", "F"),
            ("date_of_birth", "2009-03"),
            ("nationality", "GT"),
            ("languages", "es, mam"),
            ("phone", "5555-1234"),
            ("current_place", ""),
        ]);
        let person = person_from_form(&form).unwrap();
        assert_eq!(person.given_name, "María");
        assert_eq!(person.sex, Some(Gender::Female));
        assert_eq!(person.date_of_birth.unwrap().to_string(), "2009-03");
        assert_eq!(person.phone.unwrap().as_str(), "+50255551234");
        assert_eq!(person.languages, ["es", "mam"]);
        assert_eq!(person.current_place, None);
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        for (name, value) in [
            ("date_of_birth", "2009-13"),
            ("nationality", "XX"),
            ("sex", "Q"),
            ("estimated_age", "-3"),
        ] {
            let refusal =
                person_from_form(&fields(&[("given_name", "Ana"), (name, value)])).unwrap_err();
            assert_eq!(refusal.field, name);
            let error = refusal.error;
            assert!(error.is_validation(), "{name}: {error:?}");
            assert!(
                error.message(Lang::Es).contains(value),
                "{name}: {}",
                error.message(Lang::Es)
            );
        }
    }

    #[test]
    fn the_victim_form_reads_checkbox_lists() {
        let form = fields(&[
            ("types_of_exploitation", "ForcedLabour"),
            ("types_of_exploitation", "SexualExploitation"),
            ("methods_of_control", "RestrictMovement"),
        ]);
        let mut victim = VictimContext {
            agreement_to_manage_personal_data: true,
            ..VictimContext::default()
        };
        VictimFormPart::read(&form).unwrap().apply_to(&mut victim);
        // A field the form does not show is kept.
        assert!(victim.agreement_to_manage_personal_data);
        assert_eq!(victim.types_of_exploitation.len(), 2);
        assert_eq!(
            victim.methods_of_control,
            [MethodOfControl::RestrictsMovement]
        );
        let refusal = VictimFormPart::read(&fields(&[("vulnerabilities", "Tall")])).unwrap_err();
        assert_eq!(refusal.field, "vulnerabilities");
    }
}
