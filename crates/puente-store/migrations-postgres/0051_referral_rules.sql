-- Referrals get three rules the database itself keeps:
-- - a status of their own for a referral ended because the person withdrew the consent it shared
--   under (`consent_withdrawn`);
-- - the case version it was made at (`case_version`): the receiver sees the case as it stood when
--   the referral was made, never what was added after;
-- - at most one open (pending or accepted) referral of a case to the same organisation, even with
--   many writers (a partial unique index).
-- PostgreSQL form of the SQLite migration of the same name. SQLite rebuilds the table to change its
-- CHECK constraint and fills `case_version` of older referrals from their case; PostgreSQL changes
-- the constraint in place, and a PostgreSQL database has no referrals from before this column (the
-- backend starts at this schema), so the column is added without a value to fill in.
ALTER TABLE referrals DROP CONSTRAINT referrals_status_check;
ALTER TABLE referrals ADD CONSTRAINT referrals_status_check
    CHECK (status IN ('pending', 'accepted', 'rejected', 'completed', 'revoked', 'consent_withdrawn'));

ALTER TABLE referrals ADD COLUMN case_version BIGINT NOT NULL;
-- The consent whose withdrawal ended the referral, and when.
ALTER TABLE referrals ADD COLUMN withdrawn_consent_id BIGINT REFERENCES consents (id);
ALTER TABLE referrals ADD COLUMN consent_withdrawn_at TEXT;

CREATE UNIQUE INDEX referrals_one_open_per_receiver ON referrals (case_id, to_organisation_id)
    WHERE status IN ('pending', 'accepted');
