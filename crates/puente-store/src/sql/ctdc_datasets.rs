//! The SQL of `crate::ctdc_datasets`, written once for both backends.

use async_trait::async_trait;
use sqlx::QueryBuilder;

use super::audit::{AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, CtdcImportSummary, StoreError, StoreResult};

use super::{Backend, Db};
#[allow(unused_imports)]
pub(crate) use crate::ctdc_datasets::*;

/// Rows per INSERT statement.
const ROWS_PER_INSERT: usize = 2_000;

#[async_trait]
impl CtdcDatasetStore for Backend {
    async fn import_ctdc_dataset(
        &self,
        actor: &Actor,
        name: &str,
        release: &str,
        source: &str,
        content_sha256: &str,
        columns: &[String],
        rows: &[Vec<Option<String>>],
        replace: bool,
    ) -> StoreResult<CtdcImportSummary> {
        if name.trim().is_empty() {
            return Err(StoreError::Invalid("a dataset needs a name".into()));
        }
        let mut transaction = self.begin_write().await?;
        let (global_taken, _) = super::ctdc::dataset_name_taken(&mut transaction, name).await?;
        if global_taken {
            return Err(StoreError::Conflict(format!(
                "`{name}` names a Global Dataset already; give the synthetic dataset another name with --dataset"
            )));
        }
        let existing: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, records FROM ctdc_datasets WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *transaction)
                .await?;
        if !replace {
            if let Some((id, at)) =
                super::ctdc::stored_import_of(&mut transaction, content_sha256).await?
            {
                return Err(StoreError::Conflict(format!(
                    "this file was already imported (import {id}, {at}); use --replace to replace it"
                )));
            }
            if existing.is_some() {
                return Err(crate::ctdc::name_taken_error(name));
            }
        }
        let mut replaced = 0;
        if let Some((id, records)) = existing {
            sqlx::query("DELETE FROM ctdc_dataset_rows WHERE dataset_id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            sqlx::query("DELETE FROM ctdc_datasets WHERE id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            replaced = records as u64;
        }
        let import_id =
            super::ctdc::record_import(&mut transaction, actor, source, content_sha256, rows.len())
                .await?;
        let columns_json = serde_json::to_string(columns)
            .map_err(|error| StoreError::Invalid(error.to_string()))?;
        let dataset_id: i64 = sqlx::query_scalar(
            "INSERT INTO ctdc_datasets (name, release, columns, import_id, records) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(release)
        .bind(columns_json)
        .bind(import_id)
        .bind(rows.len() as i64)
        .fetch_one(&mut *transaction)
        .await?;
        for (chunk_index, chunk) in rows.chunks(ROWS_PER_INSERT).enumerate() {
            let mut builder: QueryBuilder<Db> =
                QueryBuilder::new("INSERT INTO ctdc_dataset_rows (dataset_id, row_number, cells) ");
            let first = chunk_index * ROWS_PER_INSERT;
            let encoded: Vec<String> = chunk
                .iter()
                .map(|row| serde_json::to_string(row).unwrap_or_else(|_| "[]".into()))
                .collect();
            builder.push_values(encoded.iter().enumerate(), |mut values, (offset, cells)| {
                values.push_bind(dataset_id);
                values.push_bind((first + offset) as i64);
                values.push_bind(cells.clone());
            });
            builder.build().execute(&mut *transaction).await?;
        }
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: actor.organisation_id,
                action: AuditAction::Import,
                record_type: RecordType::CtdcDataset,
                record_id: Some(name.to_string()),
                case_id: None,
                detail: format!(
                    "{} records of {release} from {source}{}",
                    rows.len(),
                    if replaced > 0 { ", replacing" } else { "" }
                ),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(CtdcImportSummary {
            import_id,
            records: rows.len() as u64,
            replaced,
        })
    }

    async fn ctdc_datasets(&self) -> StoreResult<Vec<CtdcDataset>> {
        let mut datasets = Vec::new();
        let global: Vec<(String, Option<String>, i64)> = sqlx::query_as(
            "SELECT ctdc_records.dataset, ctdc_global_datasets.release, COUNT(*)
               FROM ctdc_records
               LEFT JOIN ctdc_global_datasets ON ctdc_global_datasets.name = ctdc_records.dataset
              GROUP BY ctdc_records.dataset, ctdc_global_datasets.release
              ORDER BY ctdc_records.dataset",
        )
        .fetch_all(&self.reader)
        .await?;
        for (name, release, records) in global {
            let release = release
                .as_deref()
                .and_then(puente_core::ctdc::CtdcRelease::from_code)
                .unwrap_or(puente_core::ctdc::CtdcRelease::GlobalDataset);
            datasets.push(CtdcDataset {
                name,
                release: release.code().to_string(),
                columns: release.columns().iter().map(|c| c.to_string()).collect(),
                records: records as u64,
            });
        }
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT name, release, columns, records FROM ctdc_datasets ORDER BY name",
        )
        .fetch_all(&self.reader)
        .await?;
        for (name, release, columns, records) in rows {
            let columns: Vec<String> = serde_json::from_str(&columns)
                .map_err(|error| StoreError::Invalid(format!("stored columns: {error}")))?;
            datasets.push(CtdcDataset {
                name,
                release,
                columns,
                records: records as u64,
            });
        }
        Ok(datasets)
    }

    async fn ctdc_dataset_rows(&self, name: &str) -> StoreResult<Vec<Vec<Option<String>>>> {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM ctdc_datasets WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.reader)
            .await?;
        let Some(id) = found else {
            return Err(StoreError::not_found("CTDC dataset", format!("`{name}`")));
        };
        let cells: Vec<String> = sqlx::query_scalar(
            "SELECT cells FROM ctdc_dataset_rows WHERE dataset_id = $1 ORDER BY row_number",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await?;
        cells
            .iter()
            .map(|cells| {
                serde_json::from_str(cells)
                    .map_err(|error| StoreError::Invalid(format!("stored row: {error}")))
            })
            .collect()
    }
}
