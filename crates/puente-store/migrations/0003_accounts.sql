-- Accounts of the people who use Puente: users, their sessions, and the failed logins that
-- throttling counts. Survivors are never users; nothing here is a survivor's data.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('advocate', 'case_worker', 'supervisor', 'org_admin', 'analyst')),
    -- An argon2id hash in PHC string format; the password itself is never stored.
    password_hash TEXT NOT NULL,
    -- The user's language setting ('es' or 'en'); NULL follows the browser.
    language TEXT CHECK (language IN ('es', 'en')),
    -- The base32 secret of the user's TOTP second factor, when they use one.
    totp_secret TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

-- A login: a browser session (cookie) or an API token (bearer). Only the SHA-256 of the token is
-- stored, so a copy of the database does not let anyone log in.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('cookie', 'bearer')),
    -- The token every form of this session must carry (cross-site request forgery protection).
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- Seconds since the Unix epoch, for cheap comparisons.
    expires_at_unix INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, counted per account and per address to throttle password guessing.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    at_unix INTEGER NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at_unix);
CREATE INDEX login_failures_address ON login_failures (address, at_unix);
