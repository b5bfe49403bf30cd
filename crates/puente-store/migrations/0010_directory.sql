-- The service directory: the services organisations offer and the national hotlines. Not survivor
-- data: reading it is not audited, changing it is.

-- One row per service. `document` is the service as puente_core::directory::Service (JSON);
-- the columns beside it are what lists filter on. Matching runs in Rust on the documents.
CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    slug TEXT NOT NULL UNIQUE,
    need TEXT NOT NULL,
    trafficking_specific INTEGER NOT NULL CHECK (trafficking_specific IN (0, 1)),
    document TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX services_organisation ON services (organisation_id);
CREATE INDEX services_need ON services (need);

-- National hotlines, by country, for next steps and the directory page.
CREATE TABLE hotlines (
    id INTEGER PRIMARY KEY,
    country TEXT NOT NULL,
    name_es TEXT NOT NULL,
    name_en TEXT NOT NULL,
    phone TEXT NOT NULL,
    text_number TEXT,
    UNIQUE (country, phone)
);
