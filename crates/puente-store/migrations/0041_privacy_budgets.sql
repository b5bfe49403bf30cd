-- Each organisation's privacy budget for differentially private counts (puente-disclosure's
-- PrivacyBudget, as JSON) and its secret noise key; and the answers charged in each period, so that
-- the same question on the same data, which gets the same answer, is charged once.
CREATE TABLE privacy_budgets (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations (id),
    budget TEXT NOT NULL,
    noise_key BLOB NOT NULL
);

CREATE TABLE privacy_charges (
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    period_start TEXT NOT NULL,
    answer TEXT NOT NULL,
    rho REAL NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (organisation_id, period_start, answer)
) WITHOUT ROWID;
