-- Person records that a supervisor decided are different people: the pair is never suggested as
-- a likely duplicate again. The lower person id comes first, so a pair has one row. Merges use
-- `persons.merged_into` (0002): the merged row is kept, for history.
CREATE TABLE person_distinct_pairs (
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    person_low INTEGER NOT NULL REFERENCES persons (id),
    person_high INTEGER NOT NULL REFERENCES persons (id),
    marked_by TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (person_low, person_high),
    CHECK (person_low < person_high)
);
CREATE INDEX person_distinct_pairs_organisation ON person_distinct_pairs (organisation_id);
