//! The CTDC releases kept as named datasets beside the Global Dataset: the synthetic releases,
//! stored row by row as JSON arrays of text cells. Import is all or nothing and audited.

use async_trait::async_trait;
use serde::Serialize;

use crate::{Actor, CtdcImportSummary, StoreResult};

/// The name under which the Global Dataset (the `ctdc_records` table) is listed.
pub const GLOBAL_DATASET_NAME: &str = "global-dataset";

/// A stored dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CtdcDataset {
    pub name: String,
    /// The release's code (`puente_core::ctdc::CtdcRelease::code`).
    pub release: String,
    pub columns: Vec<String>,
    pub records: u64,
}

#[async_trait]
pub trait CtdcDatasetStore: Send + Sync {
    /// Stores a dataset of a synthetic release under `name`, all or nothing. A name already used, or
    /// a file already imported, is refused unless `replace` is set (then the dataset of that name
    /// is replaced in the same transaction).
    #[allow(clippy::too_many_arguments)]
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
    ) -> StoreResult<CtdcImportSummary>;
    /// Every dataset: the Global Dataset (when it has records) first, then the others by name.
    async fn ctdc_datasets(&self) -> StoreResult<Vec<CtdcDataset>>;
    /// A stored synthetic dataset's rows, in file order.
    async fn ctdc_dataset_rows(&self, name: &str) -> StoreResult<Vec<Vec<Option<String>>>>;
}
