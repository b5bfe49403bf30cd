//! Perpetrators linked across the organisation's cases: every perpetrator recorded on a case goes
//! through the linkage engine (`puente_linkage::dedupe`, with its Latin American name
//! normalisation and Fellegi-Sunter model), and the records it finds to be one person are shown
//! once, with the cases they appear in. A supervisor's view; the store audits the read.

use std::collections::BTreeSet;

use puente_core::htcds::{Gender, PerpetratorRole};
use puente_linkage::{
    dedupe, BlockingKey, BlockingRule, ClusterMethod, Column, FieldKind, KeyTransform, NoProgress,
    Settings, Table,
};
use puente_store::StoredPerpetrator;

use crate::auth::Principal;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::AppState;

/// Records linked at or above this match probability are one person.
pub const PERPETRATOR_LINK_THRESHOLD: f64 = 0.8;

/// One person behind one or more perpetrator records.
#[derive(Clone, Debug, PartialEq)]
pub struct PerpetratorGroup {
    /// The records, by case then id.
    pub records: Vec<StoredPerpetrator>,
    /// The strongest link that joined a record to the others (none for a record alone).
    pub probability: Option<f64>,
}

impl PerpetratorGroup {
    /// The cases the person appears in, each once, in order.
    pub fn case_ids(&self) -> Vec<i64> {
        let cases: BTreeSet<i64> = self.records.iter().map(|r| r.case_id).collect();
        cases.into_iter().collect()
    }

    /// Every role recorded for the person, each once, in the vocabulary's order.
    pub fn roles(&self) -> Vec<PerpetratorRole> {
        let mut roles: Vec<PerpetratorRole> = Vec::new();
        for role in self.records.iter().flat_map(|r| &r.perpetrator.roles) {
            if !roles.contains(role) {
                roles.push(*role);
            }
        }
        roles
    }
}

/// The name of a perpetrator record as it was written: given names and surnames.
pub fn written_name(record: &StoredPerpetrator) -> Option<String> {
    let parts: Vec<&str> = [&record.perpetrator.given_name, &record.perpetrator.surname]
        .into_iter()
        .filter_map(|part| part.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn column(
    name: &str,
    kind: FieldKind,
    records: &[StoredPerpetrator],
    value: fn(&StoredPerpetrator) -> Option<String>,
) -> Column {
    Column {
        name: name.to_string(),
        kind,
        values: records.iter().map(value).collect(),
    }
}

/// The records as a linkage table: names, alias, sex, year of birth, nationality, phone.
fn table(records: &[StoredPerpetrator]) -> Table {
    Table {
        ids: records.iter().map(|r| r.id.to_string()).collect(),
        columns: vec![
            column("given_name", FieldKind::GivenName, records, |r| {
                r.perpetrator.given_name.clone()
            }),
            column("surname", FieldKind::Surname, records, |r| {
                r.perpetrator.surname.clone()
            }),
            column("alias", FieldKind::Text, records, |r| {
                r.perpetrator.alias.clone()
            }),
            column("sex", FieldKind::Sex, records, |r| {
                match r.perpetrator.sex {
                    Some(Gender::Female) => Some("F".into()),
                    Some(Gender::Male) => Some("M".into()),
                    _ => None,
                }
            }),
            column("birth_year", FieldKind::Date, records, |r| {
                r.perpetrator.birth_year.map(|year| year.to_string())
            }),
            column("nationality", FieldKind::Nationality, records, |r| {
                r.perpetrator.nationality.map(|c| c.alpha_2().to_string())
            }),
            column("phone", FieldKind::Phone, records, |r| {
                r.perpetrator.phone.clone()
            }),
        ],
    }
}

/// Pairs are compared when they share the paternal surname's sound, the given name's sound, the
/// alias or the phone's national number: a recruiter's records rarely agree on all of them.
fn blocking_rules() -> Vec<BlockingRule> {
    [
        ("surname", KeyTransform::FirstPhonetic),
        ("given_name", KeyTransform::FirstPhonetic),
        ("alias", KeyTransform::Exact),
        ("phone", KeyTransform::National),
    ]
    .into_iter()
    .map(|(field, transform)| BlockingRule {
        keys: vec![BlockingKey {
            field: field.to_string(),
            transform,
        }],
        any_order: false,
        max_pairs: None,
    })
    .collect()
}

/// Links the organisation's perpetrator records into persons. The groups come most cases first,
/// then by their first record; a record the engine links to no other is a group of its own.
pub fn link_perpetrators(
    records: Vec<StoredPerpetrator>,
) -> Result<Vec<PerpetratorGroup>, puente_linkage::LinkageError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let settings = Settings {
        threshold: PERPETRATOR_LINK_THRESHOLD,
        blocking: Some(blocking_rules()),
        cluster: Some(ClusterMethod::Connected),
        ..Settings::default()
    };
    let linkage = dedupe(&table(&records), &settings, &NoProgress)?;
    let clusters = linkage
        .clusters
        .unwrap_or_else(|| (0..records.len() as u32).collect());
    let count = clusters
        .iter()
        .copied()
        .max()
        .map_or(0, |max| max as usize + 1);
    let mut groups: Vec<PerpetratorGroup> = (0..count)
        .map(|_| PerpetratorGroup {
            records: Vec::new(),
            probability: None,
        })
        .collect();
    for pair in &linkage.pairs {
        let cluster = clusters[pair.left as usize];
        if cluster == clusters[pair.right as usize] {
            let group = &mut groups[cluster as usize];
            group.probability = Some(group.probability.unwrap_or(0.0).max(pair.probability));
        }
    }
    for (record, cluster) in records.into_iter().zip(clusters) {
        groups[cluster as usize].records.push(record);
    }
    groups.retain(|group| !group.records.is_empty());
    groups.sort_by(|a, b| {
        b.case_ids()
            .len()
            .cmp(&a.case_ids().len())
            .then(a.records[0].case_id.cmp(&b.records[0].case_id))
            .then(a.records[0].id.cmp(&b.records[0].id))
    });
    Ok(groups)
}

/// The perpetrators of every case of the user's organisation, linked into persons by the linkage
/// engine: supervisors only, the read audited by the store.
pub async fn linked_perpetrators(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<PerpetratorGroup>, AppError> {
    policy::require(&principal.subject(), Action::ViewPerpetratorLinks, None)?;
    let records = state
        .store
        .organisation_perpetrators(&principal.actor(), principal.user.organisation_id)
        .await?;
    tokio::task::spawn_blocking(move || link_perpetrators(records))
        .await
        .map_err(|error| AppError::Internal(error.into()))?
        .map_err(|error| AppError::Internal(error.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use puente_core::Country;
    use puente_store::NewPerpetrator;

    fn record(
        id: i64,
        case_id: i64,
        names: (&str, &str),
        alias: Option<&str>,
        phone: Option<&str>,
    ) -> StoredPerpetrator {
        StoredPerpetrator {
            id,
            case_id,
            perpetrator: NewPerpetrator {
                given_name: Some(names.0.to_string()).filter(|n| !n.is_empty()),
                surname: Some(names.1.to_string()).filter(|n| !n.is_empty()),
                alias: alias.map(str::to_string),
                sex: Some(Gender::Male),
                nationality: Country::from_alpha_2("GT"),
                phone: phone.map(str::to_string),
                birth_year: None,
                roles: vec![PerpetratorRole::RecruiterOrIntermediary],
            },
            created_by: "test".into(),
            created_at: "2026-12-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_recruiter_spelt_three_ways_in_three_cases_is_one_person_and_others_stay_apart() {
        let records = vec![
            record(
                1,
                10,
                ("José Luis", "Hernández Pérez"),
                Some("El Chino"),
                Some("+502 5123 4567"),
            ),
            record(2, 11, ("Jose Luis", "Hernandez"), Some("El Chino"), None),
            record(3, 12, ("J. Luis", "Hernández P."), None, Some("5123-4567")),
            record(4, 12, ("Marvin", "Orellana"), None, Some("+502 4999 1111")),
            record(5, 13, ("Ana", "López"), Some("La Tía"), None),
        ];
        let groups = link_perpetrators(records).unwrap();
        assert_eq!(groups[0].case_ids(), vec![10, 11, 12], "{groups:#?}");
        assert!(groups[0].probability.unwrap() >= PERPETRATOR_LINK_THRESHOLD);
        assert_eq!(groups.len(), 3, "{groups:#?}");
        assert!(groups[1..].iter().all(|group| group.records.len() == 1));
    }

    #[test]
    fn no_records_no_groups() {
        assert!(link_perpetrators(Vec::new()).unwrap().is_empty());
    }
}
