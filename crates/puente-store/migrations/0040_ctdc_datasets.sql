-- CTDC releases other than the Global Dataset, each kept as its own named dataset: the Global
-- Synthetic Dataset (27 variables) and the Victim-Perpetrator Synthetic Dataset (16 variables).
-- The Global Dataset itself (63 or 58 columns) stays in ctdc_records.
CREATE TABLE ctdc_datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    release TEXT NOT NULL,
    -- The column names, in the release's order, as a JSON array.
    columns TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES ctdc_imports (id),
    records INTEGER NOT NULL
);

-- One row per record: a JSON array with a string per column, null for a missing value.
CREATE TABLE ctdc_dataset_rows (
    dataset_id INTEGER NOT NULL REFERENCES ctdc_datasets (id),
    row_number INTEGER NOT NULL,
    cells TEXT NOT NULL,
    PRIMARY KEY (dataset_id, row_number)
) WITHOUT ROWID;
