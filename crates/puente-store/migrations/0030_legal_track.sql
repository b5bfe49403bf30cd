-- The legal track of a case: reports to authorities, criminal proceedings and their stages, the
-- survivor's participation and its support, law-enforcement certifications, relief applications,
-- and the relief screener's results with their rule-set version. Codes are Puente's own legal
-- vocabulary (puente-core `legal` and `relief_facts`); dates are ISO `YYYY-MM-DD`. Every row
-- carries its organisation, and every read names it.

CREATE TABLE authority_reports (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    authority TEXT NOT NULL,
    agency TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    reference TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX authority_reports_case ON authority_reports (organisation_id, case_id);

CREATE TABLE proceedings (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    -- ISO 3166-1 alpha-2 of the country whose justice system runs the proceeding.
    country TEXT,
    court_or_office TEXT NOT NULL,
    reference TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX proceedings_case ON proceedings (organisation_id, case_id);

CREATE TABLE proceeding_stages (
    id INTEGER PRIMARY KEY,
    proceeding_id INTEGER NOT NULL REFERENCES proceedings (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    stage TEXT NOT NULL,
    stage_on TEXT NOT NULL,
    -- For a verdict only: conviction, partial_conviction or acquittal.
    outcome TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((stage = 'verdict') = (outcome IS NOT NULL))
);
CREATE INDEX proceeding_stages_proceeding ON proceeding_stages (proceeding_id, stage_on);

CREATE TABLE participations (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    proceeding_id INTEGER REFERENCES proceedings (id),
    kind TEXT NOT NULL,
    participated_on TEXT NOT NULL,
    -- A JSON array of participation support codes.
    supports TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX participations_case ON participations (organisation_id, case_id);

CREATE TABLE certifications (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    agency TEXT NOT NULL,
    status TEXT NOT NULL,
    asked_on TEXT NOT NULL,
    decided_on TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX certifications_case ON certifications (organisation_id, case_id);

CREATE TABLE relief_applications (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    -- A relief option code (us_t_visa, us_sijs, ...).
    relief TEXT NOT NULL,
    status TEXT NOT NULL,
    filed_on TEXT,
    receipt_on TEXT,
    receipt_number TEXT,
    decided_on TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX relief_applications_case ON relief_applications (organisation_id, case_id);

-- Results of the relief screener, stored as the engine gave them with its rule-set version, so a
-- later change of rules never rewrites an old result.
CREATE TABLE relief_assessments (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    screening_id INTEGER REFERENCES screenings (id),
    input TEXT NOT NULL,
    result TEXT NOT NULL,
    rule_set_version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    lang TEXT NOT NULL,
    performed_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX relief_assessments_case ON relief_assessments (organisation_id, case_id, id);
