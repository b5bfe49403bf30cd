//! The SQL of `crate::ctdc`, written once for both backends.

use async_trait::async_trait;
use puente_core::case_stats::largest_first;
use puente_core::ctdc::{Cell, ColumnKind, CtdcRecord, COLUMNS, COLUMN_COUNT};
use sqlx::{QueryBuilder, Row};

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, CtdcStore, ExportSink, StoreError, StoreResult};

use super::{json_rows_aggregate, Backend, Db, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::ctdc::*;

/// Rows per INSERT statement: 64 bound values each, under SQLite's limit of 32,766 variables.
const ROWS_PER_INSERT: usize = 500;

fn quoted(column: &str) -> String {
    format!("\"{column}\"")
}

/// Binds a cell; an empty one as a null of its column's type (PostgreSQL refuses a null of
/// another type).
fn push_cell(
    builder: &mut sqlx::query_builder::Separated<'_, '_, Db, &'static str>,
    cell: &Option<Cell>,
    kind: ColumnKind,
) {
    match cell {
        None => match kind {
            ColumnKind::Year => builder.push_bind(Option::<i64>::None),
            ColumnKind::Flag => builder.push_bind(Option::<bool>::None),
            _ => builder.push_bind(Option::<String>::None),
        },
        Some(Cell::Year(year)) => builder.push_bind(i64::from(*year)),
        Some(Cell::Flag(flag)) => builder.push_bind(*flag),
        Some(Cell::Text(text)) => builder.push_bind(text.to_string()),
    };
}

/// Records per page when exporting.
const EXPORT_PAGE: usize = 10_000;

/// A cell as the database's JSON array writes it: null, an integer or a string (and a flag as a
/// boolean in PostgreSQL).
enum JsonCell {
    Null,
    Flag(bool),
    Integer(i64),
    Text(Box<str>),
}

impl<'de> serde::Deserialize<'de> for JsonCell {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = JsonCell;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("null, an integer or a string")
            }
            fn visit_unit<E>(self) -> Result<JsonCell, E> {
                Ok(JsonCell::Null)
            }
            fn visit_bool<E>(self, value: bool) -> Result<JsonCell, E> {
                Ok(JsonCell::Flag(value))
            }
            fn visit_i64<E>(self, value: i64) -> Result<JsonCell, E> {
                Ok(JsonCell::Integer(value))
            }
            fn visit_u64<E>(self, value: u64) -> Result<JsonCell, E> {
                Ok(JsonCell::Integer(value as i64))
            }
            fn visit_str<E>(self, value: &str) -> Result<JsonCell, E> {
                Ok(JsonCell::Text(value.into()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

fn cell_from_json(value: JsonCell, kind: ColumnKind) -> Option<Cell> {
    match (value, kind) {
        (JsonCell::Null, _) => None,
        (JsonCell::Flag(flag), _) => Some(Cell::Flag(flag)),
        (JsonCell::Integer(year), ColumnKind::Year) => Some(Cell::Year(year as u16)),
        (JsonCell::Integer(flag), ColumnKind::Flag) => Some(Cell::Flag(flag != 0)),
        (JsonCell::Integer(number), _) => Some(Cell::Text(number.to_string().into())),
        (JsonCell::Text(text), _) => Some(Cell::Text(text)),
    }
}

fn cell_from_row(row: &DbRow, position: usize, kind: ColumnKind) -> StoreResult<Option<Cell>> {
    Ok(match kind {
        ColumnKind::Year => row
            .try_get::<Option<i64>, _>(position)?
            .map(|year| Cell::Year(year as u16)),
        ColumnKind::Flag => row.try_get::<Option<bool>, _>(position)?.map(Cell::Flag),
        _ => row
            .try_get::<Option<String>, _>(position)?
            .map(|text| Cell::Text(text.into())),
    })
}

/// Records one imported file in `ctdc_imports` and returns its id.
pub(crate) async fn record_import(
    transaction: &mut sqlx::Transaction<'_, Db>,
    actor: &Actor,
    source: &str,
    content_sha256: &str,
    records: usize,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO ctdc_imports (source, content_sha256, imported_at, imported_by, records) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(source)
    .bind(content_sha256)
    .bind(audit::now())
    .bind(&actor.name)
    .bind(records as i64)
    .fetch_one(&mut **transaction)
    .await?)
}

/// The import of a file with this content whose records are still stored (in a Global Dataset or
/// a synthetic one): its id and when it was made.
pub(crate) async fn stored_import_of(
    transaction: &mut sqlx::Transaction<'_, Db>,
    content_sha256: &str,
) -> StoreResult<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, imported_at FROM ctdc_imports WHERE content_sha256 = $1
           AND (EXISTS (SELECT 1 FROM ctdc_records WHERE ctdc_records.import_id = ctdc_imports.id)
             OR EXISTS (SELECT 1 FROM ctdc_datasets WHERE ctdc_datasets.import_id = ctdc_imports.id))
         ORDER BY id DESC LIMIT 1",
    )
    .bind(content_sha256)
    .fetch_optional(&mut **transaction)
    .await?)
}

/// Whether a dataset of this name is stored, among the Global Datasets or the synthetic ones.
pub(crate) async fn dataset_name_taken(
    transaction: &mut sqlx::Transaction<'_, Db>,
    name: &str,
) -> StoreResult<(bool, bool)> {
    let global: Option<i64> =
        sqlx::query_scalar("SELECT id FROM ctdc_records WHERE dataset = $1 LIMIT 1")
            .bind(name)
            .fetch_optional(&mut **transaction)
            .await?;
    let synthetic: Option<i64> = sqlx::query_scalar("SELECT id FROM ctdc_datasets WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **transaction)
        .await?;
    Ok((global.is_some(), synthetic.is_some()))
}

#[async_trait]
impl CtdcStore for Backend {
    async fn import_ctdc(
        &self,
        actor: &Actor,
        dataset: &str,
        release: &str,
        source: &str,
        content_sha256: &str,
        records: &[CtdcRecord],
        replace: bool,
    ) -> StoreResult<CtdcImportSummary> {
        if dataset.trim().is_empty() {
            return Err(StoreError::Invalid("a dataset needs a name".into()));
        }
        let mut transaction = self.begin_write().await?;
        let (global_taken, synthetic_taken) = dataset_name_taken(&mut transaction, dataset).await?;
        if synthetic_taken {
            return Err(StoreError::Conflict(format!(
                "`{dataset}` names a synthetic CTDC dataset already; give the Global Dataset another name with --dataset"
            )));
        }
        if !replace {
            if let Some((id, at)) = stored_import_of(&mut transaction, content_sha256).await? {
                return Err(StoreError::Conflict(format!(
                    "this file was already imported (import {id}, {at}); use --replace to replace the stored CTDC records"
                )));
            }
            if global_taken {
                return Err(name_taken_error(dataset));
            }
        }
        let mut replaced = 0;
        if replace {
            replaced = sqlx::query("DELETE FROM ctdc_records WHERE dataset = $1")
                .bind(dataset)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM ctdc_global_datasets WHERE name = $1")
                .bind(dataset)
                .execute(&mut *transaction)
                .await?;
        }
        let import_id = record_import(
            &mut transaction,
            actor,
            source,
            content_sha256,
            records.len(),
        )
        .await?;
        sqlx::query(
            "INSERT INTO ctdc_global_datasets (name, release, import_id) VALUES ($1, $2, $3)",
        )
        .bind(dataset)
        .bind(release)
        .bind(import_id)
        .execute(&mut *transaction)
        .await?;

        let column_list = COLUMNS
            .iter()
            .map(|(name, _)| quoted(name))
            .collect::<Vec<_>>()
            .join(", ");
        for chunk in records.chunks(ROWS_PER_INSERT) {
            let mut builder: QueryBuilder<Db> = QueryBuilder::new(format!(
                "INSERT INTO ctdc_records (dataset, import_id, {column_list}) "
            ));
            builder.push_values(chunk, |mut row, record| {
                row.push_bind(dataset.to_string());
                row.push_bind(import_id);
                for (cell, (_, kind)) in record.cells.iter().zip(COLUMNS.iter()) {
                    push_cell(&mut row, cell, *kind);
                }
            });
            builder
                .build()
                .persistent(true)
                .execute(&mut *transaction)
                .await?;
        }
        let detail = format!(
            "{} records of {release} from {source} as dataset {dataset}{}",
            records.len(),
            if replace { ", replacing" } else { "" }
        );
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: actor.organisation_id,
                action: AuditAction::Import,
                record_type: RecordType::Ctdc,
                record_id: Some(import_id.to_string()),
                case_id: None,
                detail,
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(CtdcImportSummary {
            import_id,
            records: records.len() as u64,
            replaced,
        })
    }

    async fn export_ctdc(
        &self,
        actor: &Actor,
        dataset: &str,
        on_page: &mut ExportSink<'_>,
    ) -> StoreResult<u64> {
        // Rows are read in pages of EXPORT_PAGE records, each page one row of JSON built by SQLite:
        // one hand-over from SQLite's worker thread per page instead of one per record.
        let json_columns = COLUMNS
            .iter()
            .map(|(name, _)| quoted(name))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT MAX(id), {} FROM
               (SELECT * FROM ctdc_records WHERE dataset = $1 AND id > $2 ORDER BY id LIMIT {EXPORT_PAGE}) page",
            json_rows_aggregate(&json_columns)
        );
        // The read and its audit entry share one transaction on the writer, so an export is never
        // left unrecorded.
        let mut transaction = self.begin_write().await?;
        let mut exported = 0_u64;
        let mut last_id = 0_i64;
        loop {
            let (page_last_id, page): (Option<i64>, String) = sqlx::query_as(&sql)
                .bind(dataset)
                .bind(last_id)
                .fetch_one(&mut *transaction)
                .await?;
            let Some(page_last_id) = page_last_id else {
                break;
            };
            last_id = page_last_id;
            let rows: Vec<Vec<JsonCell>> = serde_json::from_str(&page)
                .map_err(|error| StoreError::Invalid(format!("stored CTDC page: {error}")))?;
            let records: Vec<CtdcRecord> = rows
                .into_iter()
                .map(|row| {
                    let cells = row
                        .into_iter()
                        .zip(COLUMNS.iter())
                        .map(|(value, (_, kind))| cell_from_json(value, *kind))
                        .collect();
                    CtdcRecord { cells }
                })
                .collect();
            exported += records.len() as u64;
            on_page(&records)?;
        }
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: actor.organisation_id,
                action: AuditAction::Export,
                record_type: RecordType::Ctdc,
                record_id: Some(dataset.to_string()),
                case_id: None,
                detail: format!("{exported} records of dataset {dataset}"),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(exported)
    }

    async fn ctdc_stats(&self, dataset: &str, by: &[usize]) -> StoreResult<Vec<CtdcStatsRow>> {
        if by.is_empty() || by.iter().any(|index| *index >= COLUMN_COUNT) {
            return Err(StoreError::Invalid(
                "group by at least one CTDC column".into(),
            ));
        }
        let columns = by
            .iter()
            .map(|index| quoted(COLUMNS[*index].0))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, COUNT(*) AS count FROM ctdc_records WHERE dataset = $1 GROUP BY {columns}"
        );
        let rows = sqlx::query(&sql)
            .bind(dataset)
            .fetch_all(&self.reader)
            .await?;
        let mut counted = rows
            .iter()
            .map(|row| {
                let values = by
                    .iter()
                    .enumerate()
                    .map(|(position, index)| cell_from_row(row, position, COLUMNS[*index].1))
                    .collect::<StoreResult<Vec<_>>>()?;
                let count: i64 = row.try_get("count")?;
                Ok(CtdcStatsRow {
                    values,
                    count: count as u64,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        // Ordered here, not by the SQL: the two databases order missing values and text apart.
        counted.sort_by(|a, b| largest_first((&a.values, a.count), (&b.values, b.count)));
        Ok(counted)
    }

    async fn ctdc_count(&self) -> StoreResult<u64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ctdc_records")
            .fetch_one(&self.reader)
            .await?;
        Ok(count as u64)
    }
}
