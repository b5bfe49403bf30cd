-- The last TOTP time step a login used, so that a code is good once (no replay within its
-- window). A migration of its own: 0003 had already shipped without it.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
