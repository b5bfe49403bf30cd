-- Documents attached to a case. The content is kept outside the database, encrypted under a key
-- kept outside it too; the row says what the document is, where its sealed content lies
-- (`storage_name`, a random name in the attachment directory) and who attached it when.
CREATE TABLE case_attachments (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL,
    storage_name TEXT NOT NULL UNIQUE,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id, id);

-- An attachment is a record of what was handed in: never edited.
CREATE TRIGGER case_attachments_no_update BEFORE UPDATE ON case_attachments
BEGIN
    SELECT RAISE(ABORT, 'case_attachments_append_only');
END;

-- A screening can be voided with a reason: it is kept, shown as void, and never shared or counted.
ALTER TABLE screenings ADD COLUMN voided_at TEXT;
ALTER TABLE screenings ADD COLUMN voided_by TEXT;
ALTER TABLE screenings ADD COLUMN void_reason TEXT;

-- A void screening stays void, with its reason, and nothing else of a screening ever changes.
CREATE TRIGGER screenings_void_only BEFORE UPDATE ON screenings
WHEN OLD.voided_at IS NOT NULL
    OR NEW.voided_at IS NULL
    OR NEW.void_reason IS NULL
    OR NEW.input IS NOT OLD.input
    OR NEW.result IS NOT OLD.result
    OR NEW.level IS NOT OLD.level
    OR NEW.case_id IS NOT OLD.case_id
BEGIN
    SELECT RAISE(ABORT, 'screenings_void_only');
END;
