//! The SQL of `crate::case_search`, written once for both backends.

use async_trait::async_trait;
use puente_core::domain::Person;
use puente_core::htcds::{CaseStatus, Gender};
use puente_core::{Country, Vocabulary};
use puente_linkage::search_keys::{person_search_keys, SearchQuery};
use sqlx::Row;

use super::audit::{AuditAction, NewAuditEntry, RecordType};
use super::case_stats::write_counted_facts;
use super::cases::{person_from_row, CaseSummary};
use super::person_links::{persons_from_rows, PersonToCompare};
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, Db, DbArguments, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::case_search::*;

/// Writes the search keys of a person as it now stands (its row and its cases), replacing the
/// old ones: called in the transaction of every write of a person.
pub(crate) async fn write_search_keys(
    connection: &mut DbConnection,
    person_id: i64,
) -> StoreResult<()> {
    let row = sqlx::query("SELECT * FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_one(&mut *connection)
        .await?;
    let organisation_id: i64 = row.try_get("organisation_id")?;
    let person = person_from_row(&row)?;
    let case_ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE person_id = $1 ORDER BY id")
            .bind(person_id)
            .fetch_all(&mut *connection)
            .await?;
    replace_search_keys(connection, organisation_id, person_id, &person, &case_ids).await
}

/// Replaces a person's keys with those of `person` and `case_ids`.
async fn replace_search_keys(
    connection: &mut DbConnection,
    organisation_id: i64,
    person_id: i64,
    person: &Person,
    case_ids: &[i64],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM person_search_keys WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *connection)
        .await?;
    let keys = person_search_keys(person, case_ids);
    // One statement per chunk of keys; each key takes four values.
    for chunk in keys.chunks(200) {
        let values: Vec<String> = (0..chunk.len())
            .map(|index| {
                let first = index * 4 + 1;
                format!(
                    "(${}, ${}, ${}, ${})",
                    first,
                    first + 1,
                    first + 2,
                    first + 3
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO person_search_keys (person_id, organisation_id, kind, key) VALUES {}",
            values.join(", ")
        );
        let mut insert = sqlx::query(&sql);
        for key in chunk {
            insert = insert
                .bind(person_id)
                .bind(organisation_id)
                .bind(key.kind.code())
                .bind(&key.key);
        }
        insert.execute(&mut *connection).await?;
    }
    sqlx::query("UPDATE persons SET search_keys_version = $1 WHERE id = $2")
        .bind(SEARCH_KEYS_VERSION)
        .bind(person_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Removes a person's keys (a person merged into another is found through that one).
pub(crate) async fn remove_search_keys(
    connection: &mut DbConnection,
    person_id: i64,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM person_search_keys WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Persons and cases written before the search keys and the counted facts existed get them: run
/// once when the store opens, in transactions of a thousand records, and a no-op afterwards.
pub(crate) async fn backfill(store: &Backend) -> StoreResult<()> {
    const CHUNK: i64 = 1000;
    loop {
        let mut transaction = store.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM persons WHERE search_keys_version < $1 AND merged_into IS NULL ORDER BY id LIMIT $2",
        )
        .bind(SEARCH_KEYS_VERSION)
        .bind(CHUNK)
        .fetch_all(&mut *transaction)
        .await?;
        for id in &ids {
            write_search_keys(&mut transaction, *id).await?;
        }
        transaction.commit().await?;
        if (ids.len() as i64) < CHUNK {
            break;
        }
    }
    loop {
        let mut transaction = store.begin_write().await?;
        let rows = sqlx::query(
            "SELECT id, document FROM cases WHERE exploitation_types IS NULL ORDER BY id LIMIT $1",
        )
        .bind(CHUNK)
        .fetch_all(&mut *transaction)
        .await?;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let document: String = row.try_get("document")?;
            let counted: CountedParts = serde_json::from_str(&document).map_err(|error| {
                StoreError::Invalid(format!("stored case {id} document: {error}"))
            })?;
            write_counted_facts(&mut transaction, id, &counted.victim, &counted.events).await?;
        }
        transaction.commit().await?;
        if (rows.len() as i64) < CHUNK {
            break;
        }
    }
    Ok(())
}

/// A query's text and its values, numbered `$1, $2, ...` as they are pushed.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    values: Vec<Value>,
}

enum Value {
    Integer(i64),
    Text(String),
}

impl Conditions {
    /// The placeholder of a new value.
    fn push(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    fn bind<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, Db, DbArguments<'q>>,
    ) -> sqlx::query::Query<'q, Db, DbArguments<'q>> {
        for value in &self.values {
            query = match value {
                Value::Integer(number) => query.bind(*number),
                Value::Text(text) => query.bind(text.as_str()),
            };
        }
        query
    }
}

/// The WHERE clause of a case list over `cases c`, without the query's words (those lead to the
/// matched persons first: [`matched_persons_sql`]).
fn case_conditions(organisation_id: i64, filter: &CaseFilter) -> Conditions {
    let mut conditions = Conditions::default();
    let organisation = conditions.push(Value::Integer(organisation_id));
    conditions
        .sql
        .push(format!("c.organisation_id = {organisation}"));
    for owner in [filter.owner_user_id, filter.assignee]
        .into_iter()
        .flatten()
    {
        let owner = conditions.push(Value::Integer(owner));
        conditions.sql.push(format!("c.owner_user_id = {owner}"));
    }
    if let Some(status) = filter.status {
        let status = conditions.push(Value::Text(status.code().to_string()));
        conditions.sql.push(format!("c.status = {status}"));
    }
    if let Some(country) = filter.nationality {
        let country = conditions.push(Value::Text(country.alpha_2().to_string()));
        conditions.sql.push(format!("c.nationality = {country}"));
    }
    if let Some(from) = &filter.opened_from {
        let from = conditions.push(Value::Text(from.clone()));
        conditions.sql.push(format!("c.opened_on >= {from}"));
    }
    if let Some(to) = &filter.opened_to {
        let to = conditions.push(Value::Text(to.clone()));
        conditions.sql.push(format!("c.opened_on <= {to}"));
    }
    conditions
}

/// The persons whose keys match every word of the query (one key lookup per word, intersected, in
/// the index of the keys), with the placeholders of `conditions`; `None` for a query without
/// words.
fn matched_persons_sql(
    conditions: &mut Conditions,
    organisation_id: i64,
    query: &SearchQuery,
) -> Option<String> {
    let organisation = conditions.push(Value::Integer(organisation_id));
    let mut per_term = Vec::new();
    for term in &query.terms {
        let alternatives: Vec<String> = term
            .alternatives
            .iter()
            .map(|key| conditions.push(Value::Text(key.clone())))
            .collect();
        if alternatives.is_empty() {
            continue;
        }
        per_term.push(format!(
            "SELECT person_id FROM person_search_keys WHERE organisation_id = {organisation} AND key IN ({})",
            alternatives.join(", ")
        ));
    }
    (!per_term.is_empty()).then(|| per_term.join(" INTERSECT "))
}

/// What a search reads of each case of a matched person: what the filters and the order need.
struct MatchedCase {
    id: i64,
    owner_user_id: Option<i64>,
    status: String,
    nationality: Option<String>,
    opened_on: String,
    updated_at: String,
}

impl MatchedCase {
    fn sort_key(&self, sort: CaseSort) -> &str {
        match sort {
            CaseSort::Newest | CaseSort::Oldest => &self.opened_on,
            CaseSort::Updated => &self.updated_at,
        }
    }

    /// Whether the case passes the filters other than the query (the same as [`case_conditions`]).
    fn passes(&self, filter: &CaseFilter) -> bool {
        [filter.owner_user_id, filter.assignee]
            .into_iter()
            .flatten()
            .all(|owner| self.owner_user_id == Some(owner))
            && filter
                .status
                .is_none_or(|status| self.status == status.code())
            && filter
                .nationality
                .is_none_or(|country| self.nationality.as_deref() == Some(country.alpha_2()))
            && filter
                .opened_from
                .as_ref()
                .is_none_or(|from| self.opened_on.as_str() >= from.as_str())
            && filter
                .opened_to
                .as_ref()
                .is_none_or(|to| self.opened_on.as_str() <= to.as_str())
    }
}

/// One page's case ids, in order, with one more id when a page follows, and the total.
struct PageIds {
    ids: Vec<(i64, String)>,
    total: i64,
}

/// A case list's line from a row of `cases c JOIN persons p` (the columns of a case list).
pub(crate) fn summary_from_row(row: &DbRow) -> StoreResult<CaseSummary> {
    let status: String = row.try_get("status")?;
    let sex: Option<String> = row.try_get("sex")?;
    let nationality: Option<String> = row.try_get("nationality")?;
    let age: Option<i64> = row.try_get("age_at_intake")?;
    let name = Person {
        given_name: row.try_get("given_name")?,
        middle_name: row.try_get("middle_name")?,
        surname: row.try_get("surname")?,
        second_surname: row.try_get("second_surname")?,
        ..Person::default()
    }
    .full_name();
    Ok(CaseSummary {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        owner_user_id: row.try_get("owner_user_id")?,
        status: CaseStatus::from_code(&status).unwrap_or(CaseStatus::Active),
        version: row.try_get("version")?,
        person_name: name,
        sex: sex.as_deref().and_then(Gender::from_code),
        age_at_intake: age.map(|a| a as u32),
        nationality: nationality.as_deref().and_then(Country::from_code),
        opened_on: row.try_get("opened_on")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[async_trait]
impl CaseSearchStore for Backend {
    async fn case_person(&self, organisation_id: i64, case_id: i64) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar(
                "SELECT person_id FROM cases WHERE id = $1 AND organisation_id = $2",
            )
            .bind(case_id)
            .bind(organisation_id)
            .fetch_optional(&self.reader)
            .await?,
        )
    }

    async fn find_cases(
        &self,
        actor: &Actor,
        organisation_id: i64,
        filter: &CaseFilter,
    ) -> StoreResult<CasePage> {
        if filter.page == 0 || filter.per_page == 0 || filter.per_page > MAX_PER_PAGE {
            return Err(StoreError::Invalid(format!(
                "page from 1 and per_page from 1 to {MAX_PER_PAGE}"
            )));
        }
        if filter
            .after
            .as_ref()
            .is_some_and(|cursor| cursor.sort != filter.sort)
        {
            return Err(StoreError::Invalid(
                "the cursor belongs to a list in another order".into(),
            ));
        }
        // Reads in one snapshot of the readers; the audit entry is written afterwards, so that a
        // list never holds the writer while it reads.
        let mut read = self.reader.begin().await?;
        let found = match self
            .matched_page_ids(&mut read, organisation_id, filter)
            .await?
        {
            Some(found) => found,
            None => {
                self.listed_page_ids(&mut read, organisation_id, filter)
                    .await?
            }
        };
        let per_page = filter.per_page as usize;
        let next_cursor = (found.ids.len() > per_page).then(|| {
            let (id, key) = &found.ids[per_page - 1];
            CaseCursor {
                sort: filter.sort,
                id: *id,
                key: key.clone(),
            }
            .encode()
        });
        let ids: Vec<i64> = found.ids.iter().take(per_page).map(|(id, _)| *id).collect();
        let cases = page_summaries(&mut read, organisation_id, &ids).await?;
        read.commit().await?;
        let mut transaction = self.begin_write().await?;
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::List,
                record_type: RecordType::Case,
                record_id: None,
                case_id: None,
                detail: format!(
                    "{} of {} cases (page {})",
                    cases.len(),
                    found.total,
                    filter.page
                ),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(CasePage {
            cases,
            total: found.total as u64,
            page: filter.page,
            per_page: filter.per_page,
            next_cursor,
        })
    }

    async fn duplicate_candidates(
        &self,
        actor: &Actor,
        organisation_id: i64,
        keys: &[String],
    ) -> StoreResult<Vec<PersonToCompare>> {
        let mut persons = Vec::new();
        if !keys.is_empty() {
            let placeholders: Vec<String> =
                (0..keys.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT p.id, p.given_name, p.middle_name, p.surname, p.second_surname, p.sex,
                        p.date_of_birth, p.nationality, p.phone, c.id AS case_id, c.owner_user_id
                 FROM persons p LEFT JOIN cases c ON c.person_id = p.id AND c.organisation_id = p.organisation_id
                 WHERE p.organisation_id = $1 AND p.merged_into IS NULL
                   AND p.id IN (SELECT person_id FROM person_search_keys WHERE organisation_id = $1 AND key IN ({}))
                 ORDER BY p.id, c.id",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(organisation_id);
            for key in keys {
                query = query.bind(key.as_str());
            }
            let rows = query.fetch_all(&self.reader).await?;
            persons = persons_from_rows(&rows)?;
        }
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
}

impl Backend {
    /// A list without query words: the total from an index, then one page of ids from the index
    /// of the order (after the cursor, or skipping the pages before), never reading a case row.
    async fn listed_page_ids(
        &self,
        connection: &mut DbConnection,
        organisation_id: i64,
        filter: &CaseFilter,
    ) -> StoreResult<PageIds> {
        let conditions = case_conditions(organisation_id, filter);
        let count_sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM cases c WHERE {}",
            conditions.sql.join(" AND ")
        );
        let total: i64 = conditions
            .bind(sqlx::query(&count_sql))
            .fetch_one(&mut *connection)
            .await?
            .try_get(0)?;
        let mut page_conditions = case_conditions(organisation_id, filter);
        let column = filter.sort.key_column();
        if let Some(cursor) = &filter.after {
            let key = page_conditions.push(Value::Text(cursor.key.clone()));
            let id = page_conditions.push(Value::Integer(cursor.id));
            let comparison = if filter.sort.descending() { "<" } else { ">" };
            page_conditions
                .sql
                .push(format!("(c.{column}, c.id) {comparison} ({key}, {id})"));
        }
        let limit = page_conditions.push(Value::Integer(i64::from(filter.per_page) + 1));
        let offset = if filter.after.is_some() {
            0
        } else {
            i64::from(filter.page - 1) * i64::from(filter.per_page)
        };
        let offset = page_conditions.push(Value::Integer(offset));
        let ids_sql = format!(
            "SELECT c.id, c.{column} AS sort_key FROM cases c WHERE {} ORDER BY {} LIMIT {limit} OFFSET {offset}",
            page_conditions.sql.join(" AND "),
            filter.sort.order_by()
        );
        let rows = page_conditions
            .bind(sqlx::query(&ids_sql))
            .fetch_all(&mut *connection)
            .await?;
        let ids = rows
            .iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("sort_key")?)))
            .collect::<StoreResult<Vec<(i64, String)>>>()?;
        Ok(PageIds { ids, total })
    }

    /// A search: the persons matched by key first, then their cases (from the index that leads
    /// from a person to its cases and holds what the filters and the order need), filtered,
    /// counted and ordered here. `None` for a query without words.
    async fn matched_page_ids(
        &self,
        connection: &mut DbConnection,
        organisation_id: i64,
        filter: &CaseFilter,
    ) -> StoreResult<Option<PageIds>> {
        let mut conditions = Conditions::default();
        let Some(matched) = matched_persons_sql(&mut conditions, organisation_id, &filter.query)
        else {
            return Ok(None);
        };
        // The matched persons lead (a cross join keeps them the outer loop on SQLite); the cases'
        // own filters are applied below, so that no index of the organisation's cases is scanned.
        let sql = format!(
            "SELECT c.id, c.owner_user_id, c.status, c.nationality, c.opened_on, c.updated_at
             FROM ({matched}) m CROSS JOIN cases c
             WHERE c.person_id = m.person_id AND c.organisation_id = $1"
        );
        let rows = conditions
            .bind(sqlx::query(&sql))
            .fetch_all(&mut *connection)
            .await?;
        let mut cases = Vec::with_capacity(rows.len());
        for row in &rows {
            let case = MatchedCase {
                id: row.try_get("id")?,
                owner_user_id: row.try_get("owner_user_id")?,
                status: row.try_get("status")?,
                nationality: row.try_get("nationality")?,
                opened_on: row.try_get("opened_on")?,
                updated_at: row.try_get("updated_at")?,
            };
            if case.passes(filter) {
                cases.push(case);
            }
        }
        // A person matched by two alternatives of one word is listed once.
        cases.sort_by_key(|case| case.id);
        cases.dedup_by_key(|case| case.id);
        let sort = filter.sort;
        cases.sort_by(|a, b| {
            let order = (a.sort_key(sort), a.id).cmp(&(b.sort_key(sort), b.id));
            if sort.descending() {
                order.reverse()
            } else {
                order
            }
        });
        let total = cases.len() as i64;
        let skipped = match &filter.after {
            Some(cursor) => cases
                .iter()
                .take_while(|case| !sort.comes_after(case.sort_key(sort), case.id, cursor))
                .count(),
            None => (filter.page as usize - 1).saturating_mul(filter.per_page as usize),
        };
        let ids = cases
            .iter()
            .skip(skipped)
            .take(filter.per_page as usize + 1)
            .map(|case| (case.id, case.sort_key(sort).to_string()))
            .collect();
        Ok(Some(PageIds { ids, total }))
    }
}

/// The lines of the cases `ids` (one page), in that order.
async fn page_summaries(
    connection: &mut DbConnection,
    organisation_id: i64,
    ids: &[i64],
) -> StoreResult<Vec<CaseSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT c.id, c.organisation_id, c.owner_user_id, c.status, c.version, c.sex, c.age_at_intake, c.nationality,
                c.opened_on, c.updated_at, p.given_name, p.middle_name, p.surname, p.second_surname
         FROM cases c JOIN persons p ON p.id = c.person_id
         WHERE c.organisation_id = $1 AND c.id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(organisation_id);
    for id in ids {
        query = query.bind(*id);
    }
    let mut by_id: std::collections::HashMap<i64, CaseSummary> = query
        .fetch_all(&mut *connection)
        .await?
        .iter()
        .map(|row| summary_from_row(row).map(|summary| (summary.id, summary)))
        .collect::<StoreResult<_>>()?;
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}
