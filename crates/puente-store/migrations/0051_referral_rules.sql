-- Referrals get three rules the database itself keeps:
-- - a status of their own for a referral ended because the person withdrew the consent it shared
--   under (`consent_withdrawn`);
-- - the case version it was made at (`case_version`): the receiver sees the case as it stood when
--   the referral was made, never what was added after (referrals made before this column existed
--   show the version current at this migration);
-- - at most one open (pending or accepted) referral of a case to the same organisation, even with
--   many writers (a partial unique index).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt. The migration runs in a
-- transaction, where foreign keys cannot be switched off; they are deferred instead: dropping the
-- old table leaves the notifications without their referral until the rows are back, in the new
-- table under the old name, before the transaction commits.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE referrals_rebuilt (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    from_organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    to_organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    -- JSON list of directory service ids of the receiving organisation.
    services TEXT NOT NULL DEFAULT '[]',
    share TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'completed', 'revoked', 'consent_withdrawn')),
    -- Whether the consent to share was recorded together with this referral.
    consent_recorded_here INTEGER NOT NULL DEFAULT 0 CHECK (consent_recorded_here IN (0, 1)),
    case_version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    outgoing_referral_date TEXT NOT NULL,
    incoming_referral_date TEXT,
    answered_by TEXT,
    answered_at TEXT,
    -- A short reason for an answer (no capacity, outside the ages served); never a survivor's data.
    answer_note TEXT,
    completed_by TEXT,
    completed_at TEXT,
    revoked_by TEXT,
    revoked_at TEXT,
    -- The consent whose withdrawal ended the referral, and when.
    withdrawn_consent_id INTEGER REFERENCES consents (id),
    consent_withdrawn_at TEXT,
    updated_at TEXT NOT NULL,
    CHECK (from_organisation_id <> to_organisation_id)
);

CREATE TEMP TABLE referrals_moving AS
SELECT r.*, COALESCE((SELECT version FROM cases WHERE cases.id = r.case_id), 1) AS version_then
FROM referrals r;

DROP TABLE referrals;
ALTER TABLE referrals_rebuilt RENAME TO referrals;

INSERT INTO referrals (id, case_id, from_organisation_id, to_organisation_id, services, share, reason,
    status, consent_recorded_here, case_version, created_by, created_at, outgoing_referral_date,
    incoming_referral_date, answered_by, answered_at, answer_note, completed_by, completed_at, revoked_by,
    revoked_at, updated_at)
SELECT id, case_id, from_organisation_id, to_organisation_id, services, share, reason,
    status, consent_recorded_here, version_then, created_by, created_at, outgoing_referral_date,
    incoming_referral_date, answered_by, answered_at, answer_note, completed_by, completed_at, revoked_by,
    revoked_at, updated_at
FROM temp.referrals_moving ORDER BY id;
DROP TABLE temp.referrals_moving;
CREATE INDEX referrals_case ON referrals (case_id);
CREATE INDEX referrals_from ON referrals (from_organisation_id, status);
CREATE INDEX referrals_to ON referrals (to_organisation_id, status);
CREATE UNIQUE INDEX referrals_one_open_per_receiver ON referrals (case_id, to_organisation_id)
    WHERE status IN ('pending', 'accepted');
