//! The SQL of `crate::person_links`, written once for both backends.

use async_trait::async_trait;
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use puente_core::domain::Person;
use puente_core::person_merge::{self, DatedPerson, FieldChoice, MergeSide};

use super::cases::{
    insert_history, person_from_row, stored_case_from_row, update_person, CASE_COLUMNS,
};
use crate::audit_files::AuditKey;
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

/// A person record's values and when it last changed.
async fn load_person(
    connection: &mut DbConnection,
    person_id: i64,
) -> StoreResult<(Person, String)> {
    let row = sqlx::query("SELECT * FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_one(&mut *connection)
        .await?;
    Ok((person_from_row(&row)?, row.try_get("updated_at")?))
}

/// The ids of a person's cases in the organisation, oldest first.
async fn cases_of_person(
    connection: &mut DbConnection,
    organisation_id: i64,
    person_id: i64,
) -> StoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM cases WHERE person_id = $1 AND organisation_id = $2 ORDER BY id",
    )
    .bind(person_id)
    .bind(organisation_id)
    .fetch_all(&mut *connection)
    .await?)
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|error| StoreError::Invalid(error.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::Invalid(format!("stored {what}: {error}")))
}

/// Gives a case to `person_id` with a new version, its snapshot in the history, and its audit
/// entry.
#[allow(clippy::too_many_arguments)]
async fn new_case_version(
    connection: &mut DbConnection,
    key: &AuditKey,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    person_id: i64,
    action: AuditAction,
    detail: &str,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE cases SET person_id = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND organisation_id = $4",
    )
    .bind(person_id)
    .bind(now)
    .bind(case_id)
    .bind(organisation_id)
    .execute(&mut *connection)
    .await?;
    let row = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c JOIN persons p ON p.id = c.person_id WHERE c.id = $1"
    ))
    .bind(case_id)
    .fetch_one(&mut *connection)
    .await?;
    let stored = stored_case_from_row(&row)?;
    insert_history(
        connection,
        stored.id,
        stored.version,
        &stored.case,
        actor,
        now,
    )
    .await?;
    audit::append(
        connection,
        key,
        &NewAuditEntry {
            actor: actor.name.clone(),
            organisation_id: Some(organisation_id),
            action,
            record_type: RecordType::Case,
            record_id: Some(case_id.to_string()),
            case_id: None,
            detail: detail.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// A merge of the organisation, as kept.
async fn load_merge(
    connection: &mut DbConnection,
    organisation_id: i64,
    merge_id: i64,
) -> StoreResult<Option<StoredPersonMerge>> {
    let row = sqlx::query("SELECT * FROM person_merges WHERE id = $1 AND organisation_id = $2")
        .bind(merge_id)
        .bind(organisation_id)
        .fetch_optional(&mut *connection)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let kept_before: String = row.try_get("kept_before")?;
    let merged_before: String = row.try_get("merged_before")?;
    let choices: String = row.try_get("choices")?;
    let moved_cases: String = row.try_get("moved_cases")?;
    Ok(Some(StoredPersonMerge {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        kept_person_id: row.try_get("kept_person_id")?,
        merged_person_id: row.try_get("merged_person_id")?,
        kept_before: from_json(&kept_before, "merge's kept record")?,
        merged_before: from_json(&merged_before, "merge's merged record")?,
        choices: from_json(&choices, "merge's choices")?,
        moved_cases: from_json(&moved_cases, "merge's moved cases")?,
        merged_by: row.try_get("merged_by")?,
        merged_at: row.try_get("merged_at")?,
        undone_by: row.try_get("undone_by")?,
        undone_at: row.try_get("undone_at")?,
    }))
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

    async fn merge_candidate(
        &self,
        actor: &Actor,
        organisation_id: i64,
        person_id: i64,
    ) -> StoreResult<MergeCandidate> {
        let mut transaction = self.begin_write().await?;
        live_person_of(&mut transaction, organisation_id, person_id).await?;
        let (person, updated_at) = load_person(&mut transaction, person_id).await?;
        let cases = sqlx::query(
            "SELECT id, owner_user_id FROM cases WHERE person_id = $1 AND organisation_id = $2 ORDER BY id",
        )
        .bind(person_id)
        .bind(organisation_id)
        .fetch_all(&mut *transaction)
        .await?
        .iter()
        .map(|row| {
            Ok(PersonCase {
                case_id: row.try_get("id")?,
                owner_user_id: row.try_get("owner_user_id")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::View,
                record_type: RecordType::Person,
                record_id: Some(person_id.to_string()),
                case_id: None,
                detail: "read to decide a merge".into(),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(MergeCandidate {
            person_id,
            person,
            updated_at,
            cases,
        })
    }

    async fn merge_persons(
        &self,
        actor: &Actor,
        organisation_id: i64,
        merged_person_id: i64,
        kept_person_id: i64,
        picks: &[FieldChoice],
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
        let (kept_before, kept_updated_at) = load_person(&mut transaction, kept_person_id).await?;
        let (merged_before, merged_updated_at) =
            load_person(&mut transaction, merged_person_id).await?;
        let defaults = person_merge::default_choices(
            DatedPerson {
                person: &kept_before,
                updated_at: &kept_updated_at,
            },
            DatedPerson {
                person: &merged_before,
                updated_at: &merged_updated_at,
            },
        );
        let choices = person_merge::choices_with_picks(&defaults, picks);
        let person = person_merge::merged_person(&kept_before, &merged_before, &choices);
        update_person(&mut transaction, kept_person_id, &person, &now).await?;
        sqlx::query("UPDATE persons SET merged_into = $1, updated_at = $2 WHERE id = $3")
            .bind(kept_person_id)
            .bind(&now)
            .bind(merged_person_id)
            .execute(&mut *transaction)
            .await?;
        let kept_cases = cases_of_person(&mut transaction, organisation_id, kept_person_id).await?;
        let moved = cases_of_person(&mut transaction, organisation_id, merged_person_id).await?;
        let merge_id: i64 = sqlx::query_scalar(
            "INSERT INTO person_merges (organisation_id, kept_person_id, merged_person_id, kept_before, merged_before,
                 choices, moved_cases, kept_updated_at, merged_by, merged_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(organisation_id)
        .bind(kept_person_id)
        .bind(merged_person_id)
        .bind(to_json(&kept_before)?)
        .bind(to_json(&merged_before)?)
        .bind(to_json(&choices)?)
        .bind(to_json(&moved)?)
        .bind(&now)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *transaction)
        .await?;
        let detail = format!(
            "person {merged_person_id} merged into person {kept_person_id} (merge {merge_id})"
        );
        for case_id in kept_cases.iter().chain(&moved) {
            new_case_version(
                &mut transaction,
                &self.audit_key(),
                actor,
                organisation_id,
                *case_id,
                kept_person_id,
                AuditAction::PersonMerge,
                &detail,
                &now,
            )
            .await?;
        }
        super::case_search::write_search_keys(&mut transaction, kept_person_id).await?;
        super::case_search::remove_search_keys(&mut transaction, merged_person_id).await?;
        let from_merged: Vec<&str> = choices
            .iter()
            .filter(|choice| choice.side == MergeSide::Merged)
            .map(|choice| choice.field.code())
            .collect();
        for person_id in [merged_person_id, kept_person_id] {
            self.append_audit(
                &mut transaction,
                &NewAuditEntry {
                    actor: actor.name.clone(),
                    organisation_id: Some(organisation_id),
                    action: AuditAction::PersonMerge,
                    record_type: RecordType::Person,
                    record_id: Some(person_id.to_string()),
                    case_id: None,
                    detail: format!(
                        "{detail}; {} cases moved; fields from the merged record: {}",
                        moved.len(),
                        if from_merged.is_empty() {
                            "none".to_string()
                        } else {
                            from_merged.join(", ")
                        }
                    ),
                },
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(MergeOutcome {
            merge_id,
            kept_person_id,
            merged_person_id,
            moved_cases: moved,
            person,
        })
    }

    async fn person_merge(
        &self,
        organisation_id: i64,
        merge_id: i64,
    ) -> StoreResult<Option<StoredPersonMerge>> {
        let mut connection = self.reader.acquire().await?;
        load_merge(&mut connection, organisation_id, merge_id).await
    }

    async fn undo_person_merge(
        &self,
        actor: &Actor,
        organisation_id: i64,
        merge_id: i64,
    ) -> StoreResult<UndoneMerge> {
        let now = audit::now();
        let mut transaction = self.begin_write().await?;
        let Some(merge) = load_merge(&mut transaction, organisation_id, merge_id).await? else {
            return Err(StoreError::not_found("merge", merge_id));
        };
        if merge.undone_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "merge {merge_id} was undone already"
            )));
        }
        let kept_updated_at: String =
            sqlx::query_scalar("SELECT kept_updated_at FROM person_merges WHERE id = $1")
                .bind(merge_id)
                .fetch_one(&mut *transaction)
                .await?;
        let kept_now: Option<(String, Option<i64>)> =
            sqlx::query_as("SELECT updated_at, merged_into FROM persons WHERE id = $1")
                .bind(merge.kept_person_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let merged_into: Option<Option<i64>> =
            sqlx::query_scalar("SELECT merged_into FROM persons WHERE id = $1")
                .bind(merge.merged_person_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let unchanged = kept_now == Some((kept_updated_at, None))
            && merged_into == Some(Some(merge.kept_person_id));
        if !unchanged {
            return Err(StoreError::Conflict(format!(
                "the record kept by merge {merge_id} changed since the merge; undo those changes first, or edit the records by hand"
            )));
        }
        update_person(
            &mut transaction,
            merge.kept_person_id,
            &merge.kept_before,
            &now,
        )
        .await?;
        update_person(
            &mut transaction,
            merge.merged_person_id,
            &merge.merged_before,
            &now,
        )
        .await?;
        sqlx::query("UPDATE persons SET merged_into = NULL WHERE id = $1")
            .bind(merge.merged_person_id)
            .execute(&mut *transaction)
            .await?;
        let changed = sqlx::query(
            "UPDATE person_merges SET undone_by = $1, undone_at = $2 WHERE id = $3 AND undone_at IS NULL",
        )
        .bind(&actor.name)
        .bind(&now)
        .bind(merge_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict(format!(
                "merge {merge_id} was undone already"
            )));
        }
        let detail = format!(
            "merge {merge_id} undone: person {} apart from person {} again",
            merge.merged_person_id, merge.kept_person_id
        );
        let kept_cases =
            cases_of_person(&mut transaction, organisation_id, merge.kept_person_id).await?;
        let mut moved_back = Vec::new();
        for case_id in kept_cases {
            let person_id = if merge.moved_cases.contains(&case_id) {
                moved_back.push(case_id);
                merge.merged_person_id
            } else {
                merge.kept_person_id
            };
            new_case_version(
                &mut transaction,
                &self.audit_key(),
                actor,
                organisation_id,
                case_id,
                person_id,
                AuditAction::PersonMergeUndo,
                &detail,
                &now,
            )
            .await?;
        }
        for person_id in [merge.kept_person_id, merge.merged_person_id] {
            super::case_search::write_search_keys(&mut transaction, person_id).await?;
            self.append_audit(
                &mut transaction,
                &NewAuditEntry {
                    actor: actor.name.clone(),
                    organisation_id: Some(organisation_id),
                    action: AuditAction::PersonMergeUndo,
                    record_type: RecordType::Person,
                    record_id: Some(person_id.to_string()),
                    case_id: None,
                    detail: format!("{detail}; {} cases moved back", moved_back.len()),
                },
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(UndoneMerge {
            merge_id,
            moved_back,
        })
    }
}
