//! The imported CTDC Global Datasets, each file its own named dataset: import (all or nothing),
//! export in import order, grouped counts.

use puente_core::ctdc::Cell;
use serde::Serialize;

use crate::StoreError;

/// What an import did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CtdcImportSummary {
    pub import_id: i64,
    pub records: u64,
    /// Records removed first (with `replace`).
    pub replaced: u64,
}

/// One row of grouped counts: the values of the grouping columns (None for missing) and the count.
/// `CtdcStore::ctdc_stats` lists them largest first, then by their values
/// (`puente_core::case_stats::largest_first`: missing first), alike on both backends.
#[derive(Clone, Debug, PartialEq)]
pub struct CtdcStatsRow {
    pub values: Vec<Option<Cell>>,
    pub count: u64,
}

/// The refusal of a dataset name already in use.
pub(crate) fn name_taken_error(name: &str) -> StoreError {
    StoreError::Conflict(format!(
        "a dataset named `{name}` is already stored; use --replace to replace it or --dataset to give another name"
    ))
}
