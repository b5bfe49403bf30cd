-- Since when a user gets an e-mail when something new arrives for them (NULL: never).
ALTER TABLE users ADD COLUMN email_notifications_since TEXT;

-- One-time links an organisation admin gives a user to set a new password. Only the SHA-256 of
-- the link's token is kept; a link works once, before it expires.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at_unix INTEGER NOT NULL,
    used_at TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- The recovery codes of a user's second factor, each kept as a keyed hash (the key lives outside
-- the database) and good once.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT,
    UNIQUE (user_id, code_hash)
);

-- The notifications an e-mail was sent for, per user: each is mailed once.
CREATE TABLE notification_emails (
    notification_id INTEGER NOT NULL REFERENCES notifications (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    sent_at TEXT NOT NULL,
    PRIMARY KEY (notification_id, user_id)
);
