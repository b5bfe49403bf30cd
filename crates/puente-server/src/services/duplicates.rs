//! Likely duplicates of a person: the organisation's own records the user may open, scored
//! with the linkage engine. Used by the case API, the duplicate check and the case pages.

use puente_core::domain::Person;
use puente_core::{Country, Vocabulary};
use puente_linkage::{find_duplicates, Column, FieldKind, Model, Table};
use puente_store::PersonToCompare;
use serde::Serialize;

use crate::auth::Principal;
use crate::error::AppError;
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
    let records = state
        .store
        .persons_to_compare(&principal.actor(), organisation_id)
        .await?;
    let own_person = editing_case.and_then(|case_id| {
        records
            .iter()
            .find(|record| record.cases.iter().any(|case| case.case_id == case_id))
            .map(|record| record.person_id)
    });
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
    // Scoring is CPU work (every record of the organisation): off the async workers.
    let found = tokio::task::spawn_blocking(move || {
        find_duplicates(&model, &table, &values, DUPLICATE_THRESHOLD, country)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
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
