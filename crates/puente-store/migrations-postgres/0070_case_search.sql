-- Finding cases, and costs that stay flat as an organisation grows.

-- The keys a person is found by (folded names, phonetic keys, nicknames, the phone's national
-- number, case numbers) and the duplicate check's blocking keys, computed by `puente-linkage`
-- (`search_keys`) and written in the transaction of every insert and update of the person. Each
-- key carries its kind as a prefix (`sound:ernandes`), so one index serves every kind.
CREATE TABLE person_search_keys (
    person_id BIGINT NOT NULL REFERENCES persons (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (person_id, key)
);
CREATE INDEX person_search_keys_lookup ON person_search_keys (organisation_id, key, person_id);

-- The version of the key rules a person's keys were computed with: persons written before this
-- migration (0) get theirs when the store opens.
ALTER TABLE persons ADD COLUMN search_keys_version BIGINT NOT NULL DEFAULT 0;

-- The multi-valued facts the statistics count, filled at write time from the case document
-- (codes joined by commas, empty for none), so that counting reads columns and never decodes a
-- document. NULL: not filled yet (filled when the store opens).
ALTER TABLE cases ADD COLUMN exploitation_types TEXT;
ALTER TABLE cases ADD COLUMN exploitation_countries TEXT;
ALTER TABLE cases ADD COLUMN route TEXT;
ALTER TABLE cases ADD COLUMN recruitment_methods TEXT;
ALTER TABLE cases ADD COLUMN methods_of_control TEXT;

-- What the case list filters and sorts on, and the join from persons to their cases.
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_organisation_opened ON cases (organisation_id, opened_on, id);
CREATE INDEX cases_organisation_updated ON cases (organisation_id, updated_at, id);
CREATE INDEX cases_organisation_owner ON cases (organisation_id, owner_user_id, opened_on, id);
CREATE INDEX cases_organisation_nationality ON cases (organisation_id, nationality);
CREATE INDEX referrals_from_case ON referrals (from_organisation_id, case_id);
