-- Referrals of a case from one organisation to another, with the survivor's consent, and the
-- notifications they raise.

-- A referral shares the parts of a case named in `share` (JSON list of consent scopes: identity,
-- contact, screening, events, notes) while it is pending, accepted or completed; a rejection or a
-- revocation by the sender ends the receiver's access. The HTCDS referral fields are columns:
-- cas_OutgoingReferralDate, cas_ReasonForOutgoingReferral, cas_ReferredOrganisation (the receiver)
-- on the sender's side, cas_IncomingReferralDate (set on acceptance) on the receiver's.
CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    from_organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    to_organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    -- JSON list of directory service ids of the receiving organisation.
    services TEXT NOT NULL DEFAULT '[]',
    share TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'completed', 'revoked')),
    -- Whether the consent to share was recorded on the case together with this referral.
    consent_recorded_here INTEGER NOT NULL DEFAULT 0 CHECK (consent_recorded_here IN (0, 1)),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    outgoing_referral_date TEXT NOT NULL,
    incoming_referral_date TEXT,
    answered_by TEXT,
    answered_at TEXT,
    -- A short reason for an answer (no capacity, outside the ages served); never a survivor's data.
    answer_note TEXT,
    completed_by TEXT,
    completed_at TEXT,
    revoked_by TEXT,
    revoked_at TEXT,
    updated_at TEXT NOT NULL,
    CHECK (from_organisation_id <> to_organisation_id)
);
CREATE INDEX referrals_case ON referrals (case_id);
CREATE INDEX referrals_from ON referrals (from_organisation_id, status);
CREATE INDEX referrals_to ON referrals (to_organisation_id, status);

-- What an organisation's users are told: a referral received, answered, completed or revoked.
-- Read state is per organisation (whoever reads it first marks it read, recorded in read_by).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    created_at TEXT NOT NULL,
    read_at TEXT,
    read_by TEXT
);
CREATE INDEX notifications_unread ON notifications (organisation_id, read_at);
