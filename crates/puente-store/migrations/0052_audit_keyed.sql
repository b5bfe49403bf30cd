-- The audit log keyed and pinned. Each new entry's hash is an HMAC-SHA256 under a key kept outside
-- the database (`key_id` names it; entries from before the key have none and keep their plain
-- SHA-256 chain, pinned by the first signed checkpoint). `case_id` names the case an entry is
-- about (the case itself, or the case of a note), so a case's trail is found without reading
-- descriptions.
ALTER TABLE audit_log ADD COLUMN key_id INTEGER;
ALTER TABLE audit_log ADD COLUMN case_id INTEGER;
CREATE INDEX audit_log_case ON audit_log (case_id);

-- Two appends that read the same head cannot both commit: the chain never forks, whatever the
-- number of writers.
CREATE UNIQUE INDEX audit_log_one_successor ON audit_log (previous_hash);
