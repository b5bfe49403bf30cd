-- Consents as their own append-only record. A consent is given once and can only be withdrawn: no
-- edit of a case can create, change, backdate or re-attribute one. Until now consents lived in the
-- case document (`cases.document`, key `consents`), where a case update rewrote them; they move here,
-- keeping who recorded them and when they were given and withdrawn.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    -- The organisation (slug) the consent allows sharing with; NULL for consent to the recording
    -- organisation itself.
    with_organisation TEXT,
    -- JSON list of consent scope codes (identity, contact, screening, events, notes, ...).
    scopes TEXT NOT NULL,
    given_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    withdrawn_on TEXT,
    withdrawn_by TEXT,
    withdrawn_at TEXT
);
CREATE INDEX consents_case ON consents (case_id, id);

-- A consent is never deleted.
CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents
BEGIN
    SELECT RAISE(ABORT, 'consents cannot be deleted: withdraw them');
END;

-- The only change a consent takes is its withdrawal, once: every other column stays as recorded.
CREATE TRIGGER consents_only_withdrawn BEFORE UPDATE ON consents
WHEN OLD.withdrawn_on IS NOT NULL
    OR NEW.withdrawn_on IS NULL
    OR NEW.id IS NOT OLD.id
    OR NEW.case_id IS NOT OLD.case_id
    OR NEW.with_organisation IS NOT OLD.with_organisation
    OR NEW.scopes IS NOT OLD.scopes
    OR NEW.given_on IS NOT OLD.given_on
    OR NEW.recorded_by IS NOT OLD.recorded_by
    OR NEW.recorded_at IS NOT OLD.recorded_at
BEGIN
    SELECT RAISE(ABORT, 'a consent can only be withdrawn, once');
END;

-- The consents recorded so far move out of the case documents, in their order.
INSERT INTO consents (case_id, with_organisation, scopes, given_on, recorded_by, recorded_at,
                      withdrawn_on, withdrawn_by, withdrawn_at)
SELECT c.id,
       json_extract(consent.value, '$.with_organisation'),
       json(COALESCE(json_extract(consent.value, '$.scopes'), '[]')),
       json_extract(consent.value, '$.given_on'),
       COALESCE(json_extract(consent.value, '$.recorded_by'), 'unknown'),
       c.updated_at,
       json_extract(consent.value, '$.withdrawn_on'),
       CASE WHEN json_extract(consent.value, '$.withdrawn_on') IS NULL THEN NULL ELSE 'unknown' END,
       CASE WHEN json_extract(consent.value, '$.withdrawn_on') IS NULL THEN NULL ELSE c.updated_at END
FROM cases c, json_each(c.document, '$.consents') AS consent
ORDER BY c.id, consent.key;

UPDATE cases SET document = json_remove(document, '$.consents')
WHERE json_type(document, '$.consents') IS NOT NULL;
