-- Screenings run inside a case. The input and the result are stored as the engine gave them,
-- with the rule-set version, so a later change of rules never rewrites an old result.
CREATE TABLE screenings (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    -- 'quick', 'full', 'child' for a questionnaire in the browser; 'api' for facts sent directly.
    questionnaire TEXT NOT NULL,
    input TEXT NOT NULL,
    result TEXT NOT NULL,
    level TEXT NOT NULL,
    rule_set_version TEXT NOT NULL,
    lang TEXT NOT NULL,
    performed_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX screenings_case ON screenings (case_id, id);
