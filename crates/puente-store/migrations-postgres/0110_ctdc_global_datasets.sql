-- Each imported Global Dataset file is its own named dataset: a 2017 file (58 columns) and a 2021
-- file (63 columns) never share one table of counts. Records imported before this migration
-- belong to the dataset `global-dataset`.
ALTER TABLE ctdc_records ADD COLUMN dataset TEXT NOT NULL DEFAULT 'global-dataset';
CREATE INDEX ctdc_records_dataset ON ctdc_records (dataset, id);

-- The release of each Global Dataset kept in ctdc_records (the 63-column or the 58-column
-- edition) and the import it came from. A dataset without a row here is a 63-column one imported
-- before this migration.
CREATE TABLE ctdc_global_datasets (
    name TEXT PRIMARY KEY,
    release TEXT NOT NULL,
    import_id BIGINT NOT NULL REFERENCES ctdc_imports (id)
);
