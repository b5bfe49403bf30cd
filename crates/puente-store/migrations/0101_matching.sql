-- "Match with partners" on an organisation's instance: each run (a project of a linkage unit this
-- organisation took part in), the case behind each row it uploaded (the rows never leave the
-- instance with a name: the unit receives keyed encodings only), and the coordination requests
-- its results opened, one per match with a partner organisation, each decided with the survivor.
CREATE TABLE matching_runs (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    partnership TEXT NOT NULL,
    unit_url TEXT NOT NULL,
    project_reference TEXT NOT NULL,
    -- The party's token at the unit: it uploads once and reads this party's result only.
    upload_token TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('uploaded', 'done')),
    record_count INTEGER NOT NULL,
    without_consent INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    completed_at TEXT,
    UNIQUE (organisation_id, project_reference)
);

CREATE TABLE matching_run_rows (
    run_id INTEGER NOT NULL REFERENCES matching_runs (id),
    row_number INTEGER NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    PRIMARY KEY (run_id, row_number)
);

CREATE TABLE coordination_requests (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    run_id INTEGER NOT NULL REFERENCES matching_runs (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    -- The match at the unit: the project and the group's opaque reference, through which the
    -- partner finds its own row; never a name.
    project_reference TEXT NOT NULL,
    match_reference TEXT NOT NULL,
    partner_organisation TEXT NOT NULL,
    similarity REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'refer', 'decline')),
    partner_decision TEXT CHECK (partner_decision IS NULL OR partner_decision IN ('refer', 'decline')),
    opened_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    UNIQUE (run_id, match_reference, partner_organisation)
);
CREATE INDEX coordination_requests_case ON coordination_requests (organisation_id, case_id);
