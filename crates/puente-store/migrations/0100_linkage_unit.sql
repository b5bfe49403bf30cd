-- The linkage unit's state (`puente serve --linkage-unit`, a Puente that holds no cases): its
-- projects, each party's upload token (as a SHA-256 hash) and upload, the encodings while a run
-- waits for every party (deleted when the run ends), and the match groups each party may read
-- (its own rows only, with the partners' organisation names and the similarity).
CREATE TABLE linkage_projects (
    id INTEGER PRIMARY KEY,
    -- The project's public identifier (random), named in every URL.
    reference TEXT NOT NULL UNIQUE,
    schema_name TEXT NOT NULL,
    encoding_bytes INTEGER NOT NULL CHECK (encoding_bytes > 0),
    threshold REAL NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
    status TEXT NOT NULL CHECK (status IN ('waiting', 'done')),
    created_at TEXT NOT NULL,
    completed_at TEXT
);

CREATE TABLE linkage_parties (
    project_id INTEGER NOT NULL REFERENCES linkage_projects (id),
    party INTEGER NOT NULL,
    organisation_name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    uploaded_at TEXT,
    record_count INTEGER,
    PRIMARY KEY (project_id, party)
);

CREATE TABLE linkage_encodings (
    project_id INTEGER NOT NULL REFERENCES linkage_projects (id),
    party INTEGER NOT NULL,
    row_number INTEGER NOT NULL,
    encoding BLOB NOT NULL,
    PRIMARY KEY (project_id, party, row_number)
);

-- One row per record of a match group: the group's opaque reference, the party and its row.
CREATE TABLE linkage_match_members (
    project_id INTEGER NOT NULL REFERENCES linkage_projects (id),
    match_reference TEXT NOT NULL,
    party INTEGER NOT NULL,
    row_number INTEGER NOT NULL,
    -- What the party decided with the survivor about referring: 'refer' or 'decline'.
    decision TEXT CHECK (decision IS NULL OR decision IN ('refer', 'decline')),
    decided_at TEXT,
    PRIMARY KEY (project_id, match_reference, party)
);

-- The similarity of every pair of parties within a group (`party_l < party_r`).
CREATE TABLE linkage_match_pairs (
    project_id INTEGER NOT NULL REFERENCES linkage_projects (id),
    match_reference TEXT NOT NULL,
    party_l INTEGER NOT NULL,
    party_r INTEGER NOT NULL,
    similarity REAL NOT NULL,
    PRIMARY KEY (project_id, match_reference, party_l, party_r)
);
