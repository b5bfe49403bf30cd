-- Case management on HTCDS 2.0: organisations, persons, cases, their history and notes.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    country TEXT,
    city TEXT,
    phone TEXT,
    -- Organisation settings as JSON (for example whether admins must use a second factor).
    settings TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);

-- Identifying data. Every read of a row is audited by the application.
CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    given_name TEXT NOT NULL,
    middle_name TEXT,
    surname TEXT NOT NULL,
    second_surname TEXT,
    alias TEXT,
    sex TEXT,
    date_of_birth TEXT,
    estimated_age INTEGER,
    nationality TEXT,
    languages TEXT NOT NULL DEFAULT '[]',
    phone TEXT,
    current_country TEXT,
    current_place TEXT,
    -- Set when a supervisor merges this record into another one; the row is kept for history.
    merged_into INTEGER REFERENCES persons (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_organisation ON persons (organisation_id);

-- A case. `document` holds the HTCDS victim context, perpetrators, route events, support plan and
-- consents as JSON; the columns beside it are the non-identifying facts that lists and statistics
-- filter on. `version` grows by one on every change: a save that names an older version is refused.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    person_id INTEGER NOT NULL REFERENCES persons (id),
    owner_user_id INTEGER,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    document TEXT NOT NULL,
    sex TEXT,
    age_at_intake INTEGER,
    nationality TEXT,
    opened_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_organisation ON cases (organisation_id, status);
CREATE INDEX cases_owner ON cases (owner_user_id);

-- Every saved version of a case (person and document), so that edits keep history.
CREATE TABLE case_history (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    version INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    UNIQUE (case_id, version)
);

CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id);
