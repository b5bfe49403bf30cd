//! The imported CTDC Global Dataset: import (all or nothing), export in import order, grouped counts.

use puente_core::ctdc::Cell;
use serde::Serialize;

/// What an import did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CtdcImportSummary {
    pub import_id: i64,
    pub records: u64,
    /// Records removed first (with `replace`).
    pub replaced: u64,
}

/// One row of grouped counts: the values of the grouping columns (None for missing) and the count.
#[derive(Clone, Debug, PartialEq)]
pub struct CtdcStatsRow {
    pub values: Vec<Option<Cell>>,
    pub count: u64,
}
