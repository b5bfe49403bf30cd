-- The audit log keyed and pinned. Each new entry's hash is an HMAC-SHA256 under a key kept outside
-- the database (`key_id` names it). `case_id` names the case an entry is about (the case itself,
-- or the case of a note), so a case's trail is found without reading descriptions.
-- PostgreSQL form of the SQLite migration of the same name.
ALTER TABLE audit_log ADD COLUMN key_id BIGINT;
ALTER TABLE audit_log ADD COLUMN case_id BIGINT;
CREATE INDEX audit_log_case ON audit_log (case_id);

-- Two appends that read the same head cannot both commit: the chain never forks, whatever the
-- number of writers. (With many writers the append also takes a lock first, so that the second
-- one waits for the new head instead of failing on this index.)
CREATE UNIQUE INDEX audit_log_one_successor ON audit_log (previous_hash);
