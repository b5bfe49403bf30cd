-- Notices to an organisation's supervisors that an account was given a privileged role
-- (supervisor or organisation admin), at its creation or by a change of role: whoever holds such
-- a role reads every case, so the people who oversee the cases hear of it. Written in the same
-- transaction as the change and its audit entries.
CREATE TABLE account_notices (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('privileged_account_created', 'privileged_role_granted')),
    user_id INTEGER NOT NULL REFERENCES users (id),
    user_email TEXT NOT NULL,
    role TEXT NOT NULL,
    -- Who created or promoted the account (their email).
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX account_notices_organisation ON account_notices (organisation_id, id);
