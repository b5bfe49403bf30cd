-- Each merge of two person records, kept so that it can be shown and undone: the values of both
-- records before it (JSON of puente_core::domain::Person), the record each field was taken from,
-- and the cases that moved. An undone merge keeps its row, with who undid it and when.
CREATE TABLE person_merges (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    kept_person_id INTEGER NOT NULL REFERENCES persons (id),
    merged_person_id INTEGER NOT NULL REFERENCES persons (id),
    kept_before TEXT NOT NULL,
    merged_before TEXT NOT NULL,
    choices TEXT NOT NULL,
    moved_cases TEXT NOT NULL,
    -- The kept record's `updated_at` the merge wrote: an undo is refused once it changed again.
    kept_updated_at TEXT NOT NULL,
    merged_by TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    undone_by TEXT,
    undone_at TEXT
);
CREATE INDEX person_merges_organisation ON person_merges (organisation_id);
