//! Likely duplicates of a person: the organisation's own records the user may open, scored
//! with the linkage engine. Used by the case API, the duplicate check and the case pages.

use puente_core::domain::Person;
use puente_core::{Country, Lang, Vocabulary};
use puente_linkage::search_keys::duplicate_lookup_keys;
use puente_linkage::{find_duplicates, Column, FieldKind, Model, Table};
use puente_store::PersonToCompare;
use serde::Serialize;

use crate::auth::Principal;
use crate::cases::{self, FormFields};
use crate::error::AppError;
use crate::i18n::t;
use crate::policy::{self, Action, CaseScope, Decision};
use crate::AppState;

/// A pair at or above this match probability is shown as a likely duplicate.
pub const DUPLICATE_THRESHOLD: f64 = 0.5;

/// The fields compared, in order, with their kinds.
const FIELDS: [(&str, FieldKind); 6] = [
    ("given_name", FieldKind::GivenName),
    ("surname", FieldKind::Surname),
    ("date_of_birth", FieldKind::Date),
    ("sex", FieldKind::Sex),
    ("nationality", FieldKind::Nationality),
    ("phone", FieldKind::Phone),
];

/// One field's part in a likely match.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FieldWeight {
    pub field: String,
    pub level: String,
    pub weight: f64,
}

/// A likely duplicate of the person being entered.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LikelyDuplicate {
    pub person_id: i64,
    /// The record's cases.
    pub case_ids: Vec<i64>,
    /// The record's name (every record compared is one the user may open).
    pub name: Option<String>,
    pub probability: f64,
    pub explanation: Vec<FieldWeight>,
}

fn values_of_person(person: &Person) -> Vec<Option<String>> {
    let given = match person
        .middle_name
        .as_deref()
        .filter(|m| !m.trim().is_empty())
    {
        Some(middle) => format!("{} {middle}", person.given_name),
        None => person.given_name.clone(),
    };
    let surname = match person
        .second_surname
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        Some(second) => format!("{} {second}", person.surname),
        None => person.surname.clone(),
    };
    vec![
        Some(given),
        Some(surname),
        person.date_of_birth.map(|date| date.to_string()),
        person.sex.map(|sex| sex.code().to_string()),
        person
            .nationality
            .map(|country| country.alpha_2().to_string()),
        person.phone.as_ref().map(|phone| phone.to_string()),
    ]
    .into_iter()
    .map(|value| value.filter(|value| !value.trim().is_empty()))
    .collect()
}

fn values_of_record(record: &PersonToCompare) -> Vec<Option<String>> {
    vec![
        Some(record.given_names()),
        Some(record.surnames()),
        record.date_of_birth.clone(),
        record.sex.clone(),
        record.nationality.clone(),
        record.phone.clone(),
    ]
    .into_iter()
    .map(|value| value.filter(|value| !value.trim().is_empty()))
    .collect()
}

/// The likely duplicates of `person` among the user's organisation's person records, most likely
/// first. `editing_case` names the case being edited: its own person is left out, and so are the
/// records a supervisor marked as different from it.
pub async fn likely_duplicates(
    state: &AppState,
    principal: &Principal,
    person: &Person,
    editing_case: Option<i64>,
) -> Result<Vec<LikelyDuplicate>, AppError> {
    policy::require(&principal.subject(), Action::CheckDuplicates, None)?;
    let organisation_id = principal.user.organisation_id;
    // Only the records that share a blocking key with the person are compared: never the whole
    // organisation.
    let records = state
        .store
        .duplicate_candidates(
            &principal.actor(),
            organisation_id,
            &duplicate_lookup_keys(person),
        )
        .await?;
    let own_person = match editing_case {
        Some(case_id) => state.store.case_person(organisation_id, case_id).await?,
        None => None,
    };
    let distinct = state.store.distinct_pairs(organisation_id).await?;
    let subject = principal.subject();
    let readable = |record: &PersonToCompare| {
        record.cases.iter().any(|case| {
            policy::authorize(
                &subject,
                Action::ViewCase,
                Some(CaseScope {
                    organisation_id,
                    owner_user_id: case.owner_user_id,
                }),
            ) == Decision::Allow
        })
    };
    let records: Vec<PersonToCompare> = records
        .into_iter()
        .filter(|record| readable(record))
        .filter(|record| Some(record.person_id) != own_person)
        .filter(|record| match own_person {
            Some(own) => {
                let pair = (own.min(record.person_id), own.max(record.person_id));
                !distinct.contains(&pair)
            }
            None => true,
        })
        .collect();
    // Scoring is CPU work: off the async workers.
    let person = person.clone();
    tokio::task::spawn_blocking(move || likely_duplicates_among(&records, &person))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

/// Scores `person` against `records` with the linkage engine: the likely duplicates, most likely
/// first, with the weight of each field. Pure; the records are the caller's to choose.
pub fn likely_duplicates_among(
    records: &[PersonToCompare],
    person: &Person,
) -> Result<Vec<LikelyDuplicate>, puente_linkage::LinkageError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Vec<Option<String>>> = records.iter().map(values_of_record).collect();
    let table = Table {
        ids: records.iter().map(|r| r.person_id.to_string()).collect(),
        columns: FIELDS
            .iter()
            .enumerate()
            .map(|(index, (name, kind))| Column {
                name: name.to_string(),
                kind: *kind,
                values: rows.iter().map(|row| row[index].clone()).collect(),
            })
            .collect(),
    };
    let model = Model::default_for(&table.schema());
    let country = person.nationality.or(Country::from_alpha_2("GT"));
    let values = values_of_person(person);
    let found = find_duplicates(&model, &table, &values, DUPLICATE_THRESHOLD, country)?;
    Ok(found
        .into_iter()
        .map(|duplicate| {
            let record = &records[duplicate.index];
            LikelyDuplicate {
                person_id: record.person_id,
                case_ids: record.cases.iter().map(|case| case.case_id).collect(),
                name: Some(format!("{} {}", record.given_names(), record.surnames())),
                probability: (duplicate.probability * 1000.0).round() / 1000.0,
                explanation: duplicate
                    .explanation
                    .into_iter()
                    .map(|field| FieldWeight {
                        field: field.field,
                        level: field.level,
                        weight: (field.weight * 10.0).round() / 10.0,
                    })
                    .collect(),
            }
        })
        .collect())
}

/// After a person was saved with "Es otra persona" (`not_a_duplicate=yes`): the likely duplicates
/// the user was warned about are remembered as different people from the case's person, so the
/// warning does not come back on later edits. It is the user's answer to the duplicate check
/// (the same pairs a supervisor marks distinct), recorded and audited by the store.
pub async fn remember_different_person(
    state: &AppState,
    principal: &Principal,
    fields: &FormFields,
    case_id: i64,
) -> Result<(), AppError> {
    if fields.get("not_a_duplicate") != Some("yes") {
        return Ok(());
    }
    let Ok(person) = cases::person_from_form(fields) else {
        return Ok(());
    };
    let duplicates = likely_duplicates(state, principal, &person, Some(case_id)).await?;
    if duplicates.is_empty() {
        return Ok(());
    }
    let organisation_id = principal.user.organisation_id;
    let own_person = state
        .store
        .persons_to_compare(&principal.actor(), organisation_id)
        .await?
        .into_iter()
        .find(|record| record.cases.iter().any(|case| case.case_id == case_id))
        .map(|record| record.person_id);
    if let Some(own_person) = own_person {
        for duplicate in duplicates {
            state
                .store
                .mark_persons_distinct(
                    &principal.actor(),
                    organisation_id,
                    own_person,
                    duplicate.person_id,
                )
                .await?;
        }
    }
    Ok(())
}

/// A warning shown before a person is saved from the case form: the likely duplicates, the form's
/// fields to post again with `not_a_duplicate=yes`, and the name entered.
#[derive(Debug, Serialize)]
pub struct DuplicateWarning {
    pub fields: Vec<(String, String)>,
    pub duplicates: Vec<DuplicateView>,
    pub entered: String,
}

/// Before a person is saved from the case form: when the organisation has likely duplicates and
/// the user has not confirmed a different person, the warning to answer instead of saving (its
/// page posts the same form again with `not_a_duplicate=yes`). `None` to go on and save.
pub async fn warning_before_saving(
    state: &AppState,
    principal: &Principal,
    fields: &FormFields,
    editing_case: Option<i64>,
    lang: Lang,
) -> Result<Option<DuplicateWarning>, AppError> {
    if fields.get("not_a_duplicate") == Some("yes") {
        return Ok(None);
    }
    let Ok(person) = cases::person_from_form(fields) else {
        // The form's own validation answers a bad person.
        return Ok(None);
    };
    let duplicates = likely_duplicates(state, principal, &person, editing_case).await?;
    if duplicates.is_empty() {
        return Ok(None);
    }
    let resent: Vec<(String, String)> = fields
        .0
        .iter()
        .filter(|(name, _)| name != "csrf_token" && name != "not_a_duplicate")
        .cloned()
        .collect();
    Ok(Some(DuplicateWarning {
        fields: resent,
        duplicates: duplicate_views(&duplicates, lang),
        entered: format!("{} {}", person.given_name, person.surname),
    }))
}

/// A likely duplicate as the pages show it.
#[derive(Debug, Serialize)]
pub struct DuplicateView {
    pub person_id: i64,
    pub case_ids: Vec<i64>,
    pub name: Option<String>,
    pub percent: i64,
    /// Each compared field's label, its level of agreement and its weight.
    pub explanation: Vec<(String, String, String)>,
}

/// A compared field's name in `lang`.
fn field_label(field: &str, lang: Lang) -> String {
    t(lang, &format!("duplicates-field-{field}"))
}

/// A level of agreement in `lang` (its code, spaced, when it has no words).
fn level_label(level: &str, lang: Lang) -> String {
    let id = format!("duplicates-level-{}", level.replace('.', "_"));
    if crate::i18n::translations().has(lang, &id) {
        t(lang, &id)
    } else {
        level.replace('_', " ")
    }
}

/// The likely duplicates as the pages show them, in `lang`.
pub fn duplicate_views(duplicates: &[LikelyDuplicate], lang: Lang) -> Vec<DuplicateView> {
    duplicates
        .iter()
        .map(|duplicate| DuplicateView {
            person_id: duplicate.person_id,
            case_ids: duplicate.case_ids.clone(),
            name: duplicate.name.clone(),
            percent: (duplicate.probability * 100.0).round() as i64,
            explanation: duplicate
                .explanation
                .iter()
                .filter(|field| field.level != "null")
                .map(|field| {
                    (
                        field_label(&field.field, lang),
                        level_label(&field.level, lang),
                        format!("{:+.1}", field.weight),
                    )
                })
                .collect(),
        })
        .collect()
}
