-- Each organisation's privacy budget for differentially private counts (puente-disclosure's
-- PrivacyBudget, as JSON) and its secret noise key; and the answers charged in each period, so that
-- the same question on the same data, which gets the same answer, is charged once.
-- PostgreSQL form of the SQLite migration of the same name: the key is BYTEA (SQLite's BLOB), the
-- privacy cost DOUBLE PRECISION (SQLite's REAL).
CREATE TABLE privacy_budgets (
    organisation_id BIGINT PRIMARY KEY REFERENCES organisations (id),
    budget TEXT NOT NULL,
    noise_key BYTEA NOT NULL
);

CREATE TABLE privacy_charges (
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    period_start TEXT NOT NULL,
    answer TEXT NOT NULL,
    rho DOUBLE PRECISION NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (organisation_id, period_start, answer)
);
