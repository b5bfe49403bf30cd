-- Costs that stay flat at 100,000 cases: every list, search and count below reads one index alone,
-- never the case rows (which hold the case document and are wide).

-- A search leads from the matched persons to their cases; this index holds what the list's
-- filters and orders need, so the cases themselves are read for one page only.
CREATE INDEX cases_person_listed ON cases (person_id, organisation_id, status, owner_user_id, nationality, opened_on, updated_at, id);

-- A list of one status, newest or oldest first, counted and paged in the index.
CREATE INDEX cases_organisation_status_opened ON cases (organisation_id, status, opened_on, id);

-- The dashboard's counts of one dimension each read a narrow index in the order of its values
-- (nationality has one already); a table of two dimensions reads the wide one.
CREATE INDEX cases_counted_sex ON cases (organisation_id, sex);
CREATE INDEX cases_counted_age ON cases (organisation_id, age_at_intake);
CREATE INDEX cases_counted_month ON cases (organisation_id, (SUBSTR(opened_on, 1, 7)));
CREATE INDEX cases_counted_exploitation_types ON cases (organisation_id, exploitation_types);
CREATE INDEX cases_counted_exploitation_countries ON cases (organisation_id, exploitation_countries);
CREATE INDEX cases_counted_route ON cases (organisation_id, route);
CREATE INDEX cases_counted_recruitment_methods ON cases (organisation_id, recruitment_methods);
CREATE INDEX cases_counted_methods_of_control ON cases (organisation_id, methods_of_control);
CREATE INDEX cases_counted ON cases (organisation_id, sex, age_at_intake, nationality, opened_on, exploitation_types, exploitation_countries, route, recruitment_methods, methods_of_control, id);
