-- The last TOTP time step a login used, so that a code is good once (no replay within its
-- window). A migration of its own, as in SQLite, so that both backends have the same list.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
