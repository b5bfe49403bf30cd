-- Notifications belong to a user: each user reads them for themselves. A row here means the
-- user has read the notification, and when.
CREATE TABLE notification_reads (
    notification_id INTEGER NOT NULL REFERENCES notifications (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    read_at TEXT NOT NULL,
    PRIMARY KEY (notification_id, user_id)
);

-- Messages on a referral, written by a user of one of its two organisations to the other.
CREATE TABLE referral_messages (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX referral_messages_referral ON referral_messages (referral_id);

-- The case the receiving organisation opened from a referral it accepted (at most one).
CREATE TABLE referral_cases (
    referral_id INTEGER PRIMARY KEY REFERENCES referrals (id),
    case_id INTEGER NOT NULL UNIQUE REFERENCES cases (id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
