//! The SQL of `crate::person_links`, written once for both backends.

use async_trait::async_trait;
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use super::cases::{insert_history, stored_case_from_row, CASE_COLUMNS};
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::person_links::*;

/// Persons to compare from rows of persons joined with their cases, ordered by person.
pub(crate) fn persons_from_rows(rows: &[DbRow]) -> StoreResult<Vec<PersonToCompare>> {
    let mut persons: Vec<PersonToCompare> = Vec::new();
    for row in rows {
        let person_id: i64 = row.try_get("id")?;
        if persons.last().map(|p| p.person_id) != Some(person_id) {
            persons.push(PersonToCompare {
                person_id,
                given_name: row.try_get("given_name")?,
                middle_name: row.try_get("middle_name")?,
                surname: row.try_get("surname")?,
                second_surname: row.try_get("second_surname")?,
                sex: row.try_get("sex")?,
                date_of_birth: row.try_get("date_of_birth")?,
                nationality: row.try_get("nationality")?,
                phone: row.try_get("phone")?,
                cases: Vec::new(),
            });
        }
        let case_id: Option<i64> = row.try_get("case_id")?;
        if let (Some(case_id), Some(person)) = (case_id, persons.last_mut()) {
            person.cases.push(PersonCase {
                case_id,
                owner_user_id: row.try_get("owner_user_id")?,
            });
        }
    }
    Ok(persons)
}

/// Checks that a person is the organisation's and not merged; `NotFound` otherwise.
async fn live_person_of(
    connection: &mut DbConnection,
    organisation_id: i64,
    person_id: i64,
) -> StoreResult<()> {
    let merged: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT merged_into FROM persons WHERE id = $1 AND organisation_id = $2",
    )
    .bind(person_id)
    .bind(organisation_id)
    .fetch_optional(&mut *connection)
    .await?;
    match merged {
        None => Err(StoreError::not_found("person", person_id)),
        Some(Some(into)) => Err(StoreError::Conflict(format!(
            "person {person_id} was already merged into person {into}"
        ))),
        Some(None) => Ok(()),
    }
}

#[async_trait]
impl PersonLinkStore for Backend {
    async fn persons_to_compare(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> StoreResult<Vec<PersonToCompare>> {
        let rows = sqlx::query(
            "SELECT p.id, p.given_name, p.middle_name, p.surname, p.second_surname, p.sex,
                    p.date_of_birth, p.nationality, p.phone, c.id AS case_id, c.owner_user_id
             FROM persons p LEFT JOIN cases c ON c.person_id = p.id AND c.organisation_id = p.organisation_id
             WHERE p.organisation_id = $1 AND p.merged_into IS NULL
             ORDER BY p.id, c.id",
        )
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        let persons = persons_from_rows(&rows)?;
        let mut transaction = self.begin_write().await?;
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::DuplicateCheck,
                record_type: RecordType::Person,
                record_id: None,
                case_id: None,
                detail: format!("{} person records compared", persons.len()),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(persons)
    }

    async fn distinct_pairs(&self, organisation_id: i64) -> StoreResult<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT person_low, person_high FROM person_distinct_pairs WHERE organisation_id = $1
             ORDER BY person_low, person_high",
        )
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("person_low")?, row.try_get("person_high")?)))
            .collect()
    }

    async fn mark_persons_distinct(
        &self,
        actor: &Actor,
        organisation_id: i64,
        person_a: i64,
        person_b: i64,
    ) -> StoreResult<()> {
        if person_a == person_b {
            return Err(StoreError::Invalid(
                "a person record cannot be distinct from itself".into(),
            ));
        }
        let (low, high) = (person_a.min(person_b), person_a.max(person_b));
        let now = audit::now();
        let mut transaction = self.begin_write().await?;
        live_person_of(&mut transaction, organisation_id, low).await?;
        live_person_of(&mut transaction, organisation_id, high).await?;
        sqlx::query(
            "INSERT INTO person_distinct_pairs (organisation_id, person_low, person_high, marked_by, marked_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_low, person_high) DO NOTHING",
        )
        .bind(organisation_id)
        .bind(low)
        .bind(high)
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *transaction)
        .await?;
        for (person, other) in [(low, high), (high, low)] {
            self.append_audit(
                &mut transaction,
                &NewAuditEntry {
                    actor: actor.name.clone(),
                    organisation_id: Some(organisation_id),
                    action: AuditAction::PersonMarkDistinct,
                    record_type: RecordType::Person,
                    record_id: Some(person.to_string()),
                    case_id: None,
                    detail: format!("not the same person as person {other}"),
                },
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn merge_persons(
        &self,
        actor: &Actor,
        organisation_id: i64,
        merged_person_id: i64,
        kept_person_id: i64,
    ) -> StoreResult<MergeOutcome> {
        if merged_person_id == kept_person_id {
            return Err(StoreError::Invalid(
                "a person record cannot be merged into itself".into(),
            ));
        }
        let now = audit::now();
        let mut transaction = self.begin_write().await?;
        live_person_of(&mut transaction, organisation_id, merged_person_id).await?;
        live_person_of(&mut transaction, organisation_id, kept_person_id).await?;
        sqlx::query("UPDATE persons SET merged_into = $1, updated_at = $2 WHERE id = $3")
            .bind(kept_person_id)
            .bind(&now)
            .bind(merged_person_id)
            .execute(&mut *transaction)
            .await?;
        let moved: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM cases WHERE person_id = $1 AND organisation_id = $2 ORDER BY id",
        )
        .bind(merged_person_id)
        .bind(organisation_id)
        .fetch_all(&mut *transaction)
        .await?;
        for case_id in &moved {
            sqlx::query(
                "UPDATE cases SET person_id = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(kept_person_id)
            .bind(&now)
            .bind(case_id)
            .execute(&mut *transaction)
            .await?;
            let row = sqlx::query(&format!(
                "SELECT {CASE_COLUMNS} FROM cases c JOIN persons p ON p.id = c.person_id WHERE c.id = $1"
            ))
            .bind(case_id)
            .fetch_one(&mut *transaction)
            .await?;
            let stored = stored_case_from_row(&row)?;
            insert_history(
                &mut transaction,
                stored.id,
                stored.version,
                &stored.case,
                actor,
                &now,
            )
            .await?;
            self.append_audit(
                &mut transaction,
                &NewAuditEntry {
                    actor: actor.name.clone(),
                    organisation_id: Some(organisation_id),
                    action: AuditAction::PersonMerge,
                    record_type: RecordType::Case,
                    record_id: Some(case_id.to_string()),
                    case_id: None,
                    detail: format!(
                        "person {merged_person_id} merged into person {kept_person_id}"
                    ),
                },
            )
            .await?;
        }
        super::case_search::write_search_keys(&mut transaction, kept_person_id).await?;
        super::case_search::remove_search_keys(&mut transaction, merged_person_id).await?;
        for person in [merged_person_id, kept_person_id] {
            self.append_audit(
                &mut transaction,
                &NewAuditEntry {
                    actor: actor.name.clone(),
                    organisation_id: Some(organisation_id),
                    action: AuditAction::PersonMerge,
                    record_type: RecordType::Person,
                    record_id: Some(person.to_string()),
                    case_id: None,
                    detail: format!(
                        "person {merged_person_id} merged into person {kept_person_id}; {} cases moved",
                        moved.len()
                    ),
                },
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(MergeOutcome {
            kept_person_id,
            merged_person_id,
            moved_cases: moved,
        })
    }
}
