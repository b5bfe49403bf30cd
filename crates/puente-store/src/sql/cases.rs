//! The SQL of `crate::cases`, written once for both backends.

use async_trait::async_trait;
use puente_core::domain::{Case, Organisation, PartialDate, Person, PhoneNumber};
use puente_core::htcds::{Gender, OrganisationType};
use puente_core::{Country, Vocabulary};
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use super::consents;
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, Db, DbArguments, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::cases::*;

fn organisation_from_row(row: &DbRow) -> StoreResult<StoredOrganisation> {
    let kind: String = row.try_get("kind")?;
    let country: Option<String> = row.try_get("country")?;
    let phone: Option<String> = row.try_get("phone")?;
    let settings: String = row.try_get("settings")?;
    Ok(StoredOrganisation {
        id: row.try_get("id")?,
        organisation: Organisation {
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
            kind: OrganisationType::from_code(&kind).unwrap_or(OrganisationType::Ngo),
            country: country.as_deref().and_then(Country::from_code),
            city: row.try_get("city")?,
            phone: phone.and_then(|p| PhoneNumber::parse(&p, None).ok()),
        },
        settings: serde_json::from_str(&settings).unwrap_or_else(|_| serde_json::json!({})),
    })
}

pub(crate) fn person_from_row(row: &DbRow) -> StoreResult<Person> {
    let sex: Option<String> = row.try_get("sex")?;
    let date_of_birth: Option<String> = row.try_get("date_of_birth")?;
    let nationality: Option<String> = row.try_get("nationality")?;
    let languages: String = row.try_get("languages")?;
    let phone: Option<String> = row.try_get("phone")?;
    let current_country: Option<String> = row.try_get("current_country")?;
    let estimated_age: Option<i64> = row.try_get("estimated_age")?;
    Ok(Person {
        given_name: row.try_get("given_name")?,
        middle_name: row.try_get("middle_name")?,
        surname: row.try_get("surname")?,
        second_surname: row.try_get("second_surname")?,
        alias: row.try_get("alias")?,
        sex: sex.as_deref().and_then(Gender::from_code),
        date_of_birth: date_of_birth.and_then(|d| d.parse::<PartialDate>().ok()),
        estimated_age: estimated_age.map(|age| age as u32),
        nationality: nationality.as_deref().and_then(Country::from_code),
        languages: serde_json::from_str(&languages).unwrap_or_default(),
        phone: phone.and_then(|p| PhoneNumber::parse(&p, None).ok()),
        current_country: current_country.as_deref().and_then(Country::from_code),
        current_place: row.try_get("current_place")?,
    })
}

/// A query with bound values: a plain query or a scalar query.
trait BindValues<'q>: Sized {
    fn bind_value<T: 'q + sqlx::Encode<'q, Db> + sqlx::Type<Db>>(self, value: T) -> Self;
}

impl<'q> BindValues<'q> for sqlx::query::Query<'q, Db, DbArguments<'q>> {
    fn bind_value<T: 'q + sqlx::Encode<'q, Db> + sqlx::Type<Db>>(self, value: T) -> Self {
        self.bind(value)
    }
}

impl<'q, O> BindValues<'q> for sqlx::query::QueryScalar<'q, Db, O, DbArguments<'q>> {
    fn bind_value<T: 'q + sqlx::Encode<'q, Db> + sqlx::Type<Db>>(self, value: T) -> Self {
        self.bind(value)
    }
}

/// Binds a person's thirteen columns, in the order `persons` lists them from `given_name` to
/// `current_place`.
fn bind_person<'q, Q: BindValues<'q>>(query: Q, person: &'q Person) -> Q {
    query
        .bind_value(&person.given_name)
        .bind_value(&person.middle_name)
        .bind_value(&person.surname)
        .bind_value(&person.second_surname)
        .bind_value(&person.alias)
        .bind_value(person.sex.map(|s| s.code()))
        .bind_value(person.date_of_birth.map(|d| d.to_string()))
        .bind_value(person.estimated_age.map(i64::from))
        .bind_value(person.nationality.map(|c| c.alpha_2()))
        .bind_value(serde_json::to_string(&person.languages).unwrap_or_else(|_| "[]".into()))
        .bind_value(person.phone.as_ref().map(|p| p.as_str().to_string()))
        .bind_value(person.current_country.map(|c| c.alpha_2()))
        .bind_value(&person.current_place)
}

/// Inserts an organisation and returns its id.
pub(crate) async fn insert_organisation(
    connection: &mut DbConnection,
    organisation: &Organisation,
    now: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO organisations (slug, name, kind, country, city, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&organisation.slug)
    .bind(&organisation.name)
    .bind(organisation.kind.code())
    .bind(organisation.country.map(|c| c.alpha_2()))
    .bind(&organisation.city)
    .bind(organisation.phone.as_ref().map(|p| p.as_str().to_string()))
    .bind(now)
    .fetch_one(&mut *connection)
    .await
}

async fn insert_person(
    connection: &mut DbConnection,
    organisation_id: i64,
    person: &Person,
    now: &str,
) -> StoreResult<i64> {
    let insert = sqlx::query_scalar(
        "INSERT INTO persons (organisation_id, given_name, middle_name, surname, second_surname, alias, sex,
             date_of_birth, estimated_age, nationality, languages, phone, current_country, current_place, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(organisation_id);
    let id = bind_person(insert, person)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *connection)
        .await?;
    Ok(id)
}

pub(crate) async fn update_person(
    connection: &mut DbConnection,
    person_id: i64,
    person: &Person,
    now: &str,
) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE persons SET given_name = $1, middle_name = $2, surname = $3, second_surname = $4, alias = $5, sex = $6,
             date_of_birth = $7, estimated_age = $8, nationality = $9, languages = $10, phone = $11, current_country = $12,
             current_place = $13, updated_at = $14 WHERE id = $15",
    );
    bind_person(update, person)
        .bind(now)
        .bind(person_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Refuses, as not found, a case that is not of the organisation.
pub(crate) async fn require_case_in_organisation(
    connection: &mut DbConnection,
    organisation_id: i64,
    case_id: i64,
) -> StoreResult<()> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE id = $1 AND organisation_id = $2")
            .bind(case_id)
            .bind(organisation_id)
            .fetch_optional(&mut *connection)
            .await?;
    match exists {
        Some(_) => Ok(()),
        None => Err(StoreError::not_found("case", case_id)),
    }
}

pub(crate) async fn insert_history(
    connection: &mut DbConnection,
    case_id: i64,
    version: i64,
    case: &Case,
    actor: &Actor,
    now: &str,
) -> StoreResult<()> {
    let snapshot = serde_json::to_string(case).map_err(|e| StoreError::Invalid(e.to_string()))?;
    sqlx::query("INSERT INTO case_history (case_id, version, snapshot, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(case_id)
        .bind(version)
        .bind(snapshot)
        .bind(&actor.name)
        .bind(now)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

pub(crate) const CASE_COLUMNS: &str = "c.id AS case_id, c.organisation_id, c.person_id, c.owner_user_id, c.status, c.version, c.document,
    c.opened_on, c.created_at AS case_created_at, c.updated_at AS case_updated_at, p.*";

pub(crate) fn stored_case_from_row(row: &DbRow) -> StoreResult<StoredCase> {
    let person = person_from_row(row)?;
    let document: String = row.try_get("document")?;
    Ok(StoredCase {
        id: row.try_get("case_id")?,
        organisation_id: row.try_get("organisation_id")?,
        person_id: row.try_get("person_id")?,
        owner_user_id: row.try_get("owner_user_id")?,
        version: row.try_get("version")?,
        opened_on: row.try_get("opened_on")?,
        created_at: row.try_get("case_created_at")?,
        updated_at: row.try_get("case_updated_at")?,
        case: case_from_parts(person, &document)?,
    })
}

/// Reads a case with its consents (from their own table); `organisation_id` scopes the read when
/// given.
pub(crate) async fn load_case(
    connection: &mut DbConnection,
    organisation_id: Option<i64>,
    case_id: i64,
) -> StoreResult<Option<StoredCase>> {
    let row = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c JOIN persons p ON p.id = c.person_id WHERE c.id = $1 AND ($2 IS NULL OR c.organisation_id = $3)"
    ))
    .bind(case_id)
    .bind(organisation_id)
    .bind(organisation_id)
    .fetch_optional(&mut *connection)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut stored = stored_case_from_row(&row)?;
    stored.case.consents = consents::case_consents(connection, case_id).await?;
    Ok(Some(stored))
}

#[async_trait]
impl CaseStore for Backend {
    async fn create_organisation(
        &self,
        actor: &Actor,
        organisation: &Organisation,
    ) -> StoreResult<i64> {
        let mut transaction = self.begin_write().await?;
        let now = audit::now();
        let result = insert_organisation(&mut transaction, organisation, &now).await;
        let id: i64 = match result {
            Ok(id) => id,
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(StoreError::Conflict(format!(
                    "an organisation with slug `{}` exists already",
                    organisation.slug
                )))
            }
            Err(error) => return Err(error.into()),
        };
        self.append_audit(
            &mut transaction,
            &NewAuditEntry::about(
                actor,
                id,
                AuditAction::Create,
                RecordType::Organisation,
                id,
                organisation.slug.clone(),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(id)
    }

    async fn organisation_by_slug(&self, slug: &str) -> StoreResult<Option<StoredOrganisation>> {
        let row = sqlx::query("SELECT * FROM organisations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(organisation_from_row).transpose()
    }

    async fn organisation(&self, id: i64) -> StoreResult<StoredOrganisation> {
        let row = sqlx::query("SELECT * FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref()
            .map(organisation_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("organisation", id))
    }

    async fn list_organisations(&self) -> StoreResult<Vec<StoredOrganisation>> {
        let rows = sqlx::query("SELECT * FROM organisations ORDER BY id")
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(organisation_from_row).collect()
    }

    async fn update_organisation_settings(
        &self,
        actor: &Actor,
        id: i64,
        settings: &serde_json::Value,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let changed = sqlx::query("UPDATE organisations SET settings = $1 WHERE id = $2")
            .bind(settings.to_string())
            .bind(id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found("organisation", id));
        }
        self.append_audit(
            &mut transaction,
            &NewAuditEntry::about(
                actor,
                id,
                AuditAction::Update,
                RecordType::Organisation,
                id,
                "settings".into(),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn create_cases(
        &self,
        actor: &Actor,
        organisation_id: i64,
        cases: &[NewCase],
    ) -> StoreResult<Vec<i64>> {
        let mut transaction = self.begin_write().await?;
        let now = audit::now();
        let mut ids = Vec::with_capacity(cases.len());
        for new_case in cases {
            let person_id = insert_person(
                &mut transaction,
                organisation_id,
                &new_case.case.person,
                &now,
            )
            .await?;
            let person = &new_case.case.person;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO cases (organisation_id, person_id, owner_user_id, status, version, document, sex, age_at_intake,
                     nationality, opened_on, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(organisation_id)
            .bind(person_id)
            .bind(new_case.owner_user_id)
            .bind(new_case.case.status.code())
            .bind(document_of(&new_case.case)?)
            .bind(person.sex.map(|s| s.code()))
            .bind(age_at_intake(person, &new_case.opened_on).map(i64::from))
            .bind(person.nationality.map(|c| c.alpha_2()))
            .bind(&new_case.opened_on)
            .bind(&now)
            .bind(&now)
            .fetch_one(&mut *transaction)
            .await?;
            super::case_stats::write_counted_facts(
                &mut transaction,
                id,
                &new_case.case.victim,
                &new_case.case.events,
            )
            .await?;
            super::case_search::write_search_keys(&mut transaction, person_id).await?;
            let mut recorded = new_case.case.clone();
            recorded.consents.clear();
            for consent in &new_case.case.consents {
                let stored =
                    consents::insert_consent_row(&mut transaction, id, consent, actor, &now)
                        .await?;
                recorded.consents.push(stored.consent);
            }
            insert_history(&mut transaction, id, 1, &recorded, actor, &now).await?;
            let detail = match recorded.consents.len() {
                0 => String::new(),
                count => format!("with consents {}", consent_ids(&recorded.consents, count)),
            };
            self.append_audit(
                &mut transaction,
                &NewAuditEntry::about(
                    actor,
                    organisation_id,
                    AuditAction::Create,
                    RecordType::Case,
                    id,
                    detail,
                ),
            )
            .await?;
            ids.push(id);
        }
        transaction.commit().await?;
        Ok(ids)
    }

    async fn case(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Option<StoredCase>> {
        let mut transaction = self.begin_write().await?;
        let Some(stored) = load_case(&mut transaction, Some(organisation_id), case_id).await?
        else {
            return Ok(None);
        };
        self.append_audit(
            &mut transaction,
            &NewAuditEntry::about(
                actor,
                organisation_id,
                AuditAction::View,
                RecordType::Case,
                case_id,
                String::new(),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(Some(stored))
    }

    async fn update_case(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        expected_version: i64,
        case: &Case,
    ) -> StoreResult<i64> {
        let mut transaction = self.begin_write().await?;
        let current: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT version, person_id, opened_on FROM cases WHERE id = $1 AND organisation_id = $2",
        )
        .bind(case_id)
        .bind(organisation_id)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some((version, person_id, opened_on)) = current else {
            return Err(StoreError::not_found("case", case_id));
        };
        if version != expected_version {
            return Err(StoreError::StaleVersion {
                record: "case",
                id: case_id,
                yours: expected_version,
                current: version,
            });
        }
        let now = audit::now();
        let new_version = version + 1;
        // The version check is in the UPDATE itself: with many writers, a save that raced another
        // changes no row and is refused, never merged.
        let changed = sqlx::query(
            "UPDATE cases SET status = $1, version = $2, document = $3, sex = $4, age_at_intake = $5, nationality = $6, updated_at = $7
             WHERE id = $8 AND version = $9",
        )
        .bind(case.status.code())
        .bind(new_version)
        .bind(document_of(case)?)
        .bind(case.person.sex.map(|s| s.code()))
        .bind(age_at_intake(&case.person, &opened_on).map(i64::from))
        .bind(case.person.nationality.map(|c| c.alpha_2()))
        .bind(&now)
        .bind(case_id)
        .bind(expected_version)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            let current: i64 = sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_one(&mut *transaction)
                .await?;
            return Err(StoreError::StaleVersion {
                record: "case",
                id: case_id,
                yours: expected_version,
                current,
            });
        }
        update_person(&mut transaction, person_id, &case.person, &now).await?;
        super::case_search::write_search_keys(&mut transaction, person_id).await?;
        super::case_stats::write_counted_facts(
            &mut transaction,
            case_id,
            &case.victim,
            &case.events,
        )
        .await?;
        // The saved version keeps the consents as recorded, whatever the caller's copy says.
        let mut case = case.clone();
        case.consents = consents::case_consents(&mut transaction, case_id).await?;
        let case = &case;
        insert_history(&mut transaction, case_id, new_version, case, actor, &now).await?;
        self.append_audit(
            &mut transaction,
            &NewAuditEntry::about(
                actor,
                organisation_id,
                AuditAction::Update,
                RecordType::Case,
                case_id,
                format!("version {new_version}"),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(new_version)
    }

    async fn list_cases(
        &self,
        actor: &Actor,
        organisation_id: i64,
        owner_user_id: Option<i64>,
    ) -> StoreResult<Vec<CaseSummary>> {
        let mut transaction = self.begin_write().await?;
        let rows = sqlx::query(
            "SELECT c.id, c.organisation_id, c.owner_user_id, c.status, c.version, c.sex, c.age_at_intake, c.nationality,
                    c.opened_on, c.updated_at, p.given_name, p.middle_name, p.surname, p.second_surname
             FROM cases c JOIN persons p ON p.id = c.person_id
             WHERE c.organisation_id = $1 AND ($2 IS NULL OR c.owner_user_id = $3)
             ORDER BY c.id DESC",
        )
        .bind(organisation_id)
        .bind(owner_user_id)
        .bind(owner_user_id)
        .fetch_all(&mut *transaction)
        .await?;
        let summaries = rows
            .iter()
            .map(super::case_search::summary_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::List,
                record_type: RecordType::Case,
                record_id: None,
                case_id: None,
                detail: format!("{} cases", summaries.len()),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(summaries)
    }

    async fn case_history(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<CaseVersion>> {
        let rows = sqlx::query(
            "SELECT h.version, h.changed_by, h.changed_at, h.snapshot FROM case_history h JOIN cases c ON c.id = h.case_id
             WHERE h.case_id = $1 AND c.organisation_id = $2 ORDER BY h.version",
        )
        .bind(case_id)
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let snapshot: String = row.try_get("snapshot")?;
                Ok(CaseVersion {
                    version: row.try_get("version")?,
                    changed_by: row.try_get("changed_by")?,
                    changed_at: row.try_get("changed_at")?,
                    snapshot: serde_json::from_str(&snapshot).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect()
    }

    async fn add_note(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        text: &str,
    ) -> StoreResult<i64> {
        let mut transaction = self.begin_write().await?;
        require_case_in_organisation(&mut transaction, organisation_id, case_id).await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO case_notes (case_id, author, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(case_id)
            .bind(&actor.name)
            .bind(text)
            .bind(audit::now())
            .fetch_one(&mut *transaction)
            .await?;
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                case_id: Some(case_id),
                ..NewAuditEntry::about(
                    actor,
                    organisation_id,
                    AuditAction::Create,
                    RecordType::CaseNote,
                    id,
                    format!("case {case_id}"),
                )
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(id)
    }

    async fn notes(&self, organisation_id: i64, case_id: i64) -> StoreResult<Vec<StoredNote>> {
        let rows = sqlx::query(
            "SELECT n.* FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE n.case_id = $1 AND c.organisation_id = $2 ORDER BY n.id",
        )
        .bind(case_id)
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredNote {
                    id: row.try_get("id")?,
                    case_id: row.try_get("case_id")?,
                    author: row.try_get("author")?,
                    text: row.try_get("text")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn count_cases(&self, organisation_id: i64) -> StoreResult<u64> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE organisation_id = $1")
                .bind(organisation_id)
                .fetch_one(&self.reader)
                .await?;
        Ok(count as u64)
    }
}
