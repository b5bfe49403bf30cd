-- The perpetrators recorded on a case, with what the organisation knows of them (names, alias,
-- sex, nationality, a phone, an approximate year of birth) and their HTCDS roles (`per_RoleInProcess`
-- codes, comma-separated), so that the linkage engine can find the same person across the
-- organisation's cases. Identifying: read by supervisors only, every read of the linked list
-- audited. Every row carries its organisation, and every read names it.

CREATE TABLE case_perpetrators (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    given_name TEXT,
    surname TEXT,
    alias TEXT,
    sex TEXT,
    nationality TEXT,
    phone TEXT,
    birth_year INTEGER,
    roles TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_perpetrators_case ON case_perpetrators (organisation_id, case_id);
