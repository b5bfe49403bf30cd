//! The audit log: who did what to which record, when. Append-only (the database refuses updates and
//! deletes) and hash-chained: each entry's hash covers its fields and the previous entry's hash.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use crate::StoreResult;

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Declares a closed list of codes, each with its stored text.
macro_rules! audit_codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The code as stored in the audit log.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|value| value.as_str() == code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    };
}

audit_codes! {
    /// What was done.
    AuditAction {
        View = "view",
        List = "list",
        Create = "create",
        Update = "update",
        Delete = "delete",
        Assign = "assign",
        Export = "export",
        Import = "import",
        Login = "login",
        LoginFailed = "login_failed",
        LoginThrottled = "login_throttled",
        Logout = "logout",
        ChangeRole = "change_role",
        EnableTotp = "enable_totp",
        DisableTotp = "disable_totp",
        Read = "read",
        Screen = "screen",
        DuplicateCheck = "duplicate_check",
        PersonMarkDistinct = "person_mark_distinct",
        PersonMerge = "person_merge",
        ConsentGive = "consent_give",
        ConsentWithdraw = "consent_withdraw",
        ReferralCreate = "referral_create",
        ReferralView = "referral_view",
        ReferralAccepted = "referral_accepted",
        ReferralRejected = "referral_rejected",
        ReferralCompleted = "referral_completed",
        ReferralRevoked = "referral_revoked",
        ReferralConsentWithdrawn = "referral_consent_withdrawn",
        ViewNotes = "view_notes",
        ViewScreening = "view_screening",
        ViewScreenings = "view_screenings",
        ViewHistory = "view_history",
        ViewConsents = "view_consents",
        KeyRotation = "key_rotation",
        SealTotpSecrets = "seal_totp_secrets",
    }
}

audit_codes! {
    /// The kind of record an entry is about.
    RecordType {
        Case = "case",
        CaseNote = "case_note",
        Person = "person",
        Organisation = "organisation",
        User = "user",
        Ctdc = "ctdc",
        CtdcDataset = "ctdc_dataset",
        AnnualReport = "annual_report",
        Referral = "referral",
        Notification = "notification",
        Service = "service",
        Directory = "directory",
        AuditLog = "audit_log",
    }
}

/// An entry to append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub actor: String,
    pub organisation_id: Option<i64>,
    /// What was done.
    pub action: AuditAction,
    /// The kind of record.
    pub record_type: RecordType,
    pub record_id: Option<String>,
    /// A short, non-identifying description (never a name or free text of a case).
    pub detail: String,
}

impl NewAuditEntry {
    /// An entry about one record of an organisation, by an actor.
    pub fn about(
        actor: &crate::Actor,
        organisation_id: i64,
        action: AuditAction,
        record_type: RecordType,
        record_id: i64,
        detail: String,
    ) -> NewAuditEntry {
        NewAuditEntry {
            actor: actor.name.clone(),
            organisation_id: Some(organisation_id),
            action,
            record_type,
            record_id: Some(record_id.to_string()),
            detail,
        }
    }
}

/// An entry as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub organisation_id: Option<i64>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    pub detail: String,
    pub previous_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The fields the entry was made from.
    pub fn content(&self) -> EntryFields<'_> {
        EntryFields {
            actor: &self.actor,
            organisation_id: self.organisation_id,
            action: &self.action,
            record_type: &self.record_type,
            record_id: self.record_id.as_deref(),
            detail: &self.detail,
        }
    }
}

/// The fields an entry's hash covers, as text.
#[derive(Clone, Copy, Debug)]
pub struct EntryFields<'a> {
    pub actor: &'a str,
    pub organisation_id: Option<i64>,
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: Option<&'a str>,
    pub detail: &'a str,
}

impl NewAuditEntry {
    pub fn fields(&self) -> EntryFields<'_> {
        EntryFields {
            actor: &self.actor,
            organisation_id: self.organisation_id,
            action: self.action.as_str(),
            record_type: self.record_type.as_str(),
            record_id: self.record_id.as_deref(),
            detail: &self.detail,
        }
    }
}

/// Which entries to list.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub organisation_id: Option<i64>,
    pub actor: Option<String>,
    pub limit: Option<u32>,
    /// Newest first (with `limit`: the latest entries) instead of oldest first.
    pub newest_first: bool,
}

/// The result of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub entries: u64,
    /// The first entry whose stored hash or link does not match, if any.
    pub first_broken: Option<i64>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// The hash of an entry: SHA-256 over the previous hash and every field, each length-prefixed so that
/// no two different entries can be written the same way.
pub fn entry_hash(previous_hash: &str, at: &str, entry: EntryFields<'_>) -> String {
    let organisation = entry
        .organisation_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    let fields = [
        previous_hash,
        at,
        entry.actor,
        &organisation,
        entry.action,
        entry.record_type,
        entry.record_id.unwrap_or("\u{0}"),
        entry.detail,
    ];
    for field in fields {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The current time, UTC, RFC 3339 with microseconds.
pub fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.to_string())
}

/// Appends an entry inside the caller's transaction (the connection must be in one, holding the
/// write lock), so that the entry and the change it records commit or roll back together.
pub async fn append(
    connection: &mut SqliteConnection,
    entry: &NewAuditEntry,
) -> StoreResult<AuditEntry> {
    let previous_hash: String =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *connection)
            .await?
            .unwrap_or_else(|| GENESIS_HASH.to_string());
    let at = now();
    let hash = entry_hash(&previous_hash, &at, entry.fields());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor, organisation_id, action, record_type, record_id, detail, previous_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&at)
    .bind(&entry.actor)
    .bind(entry.organisation_id)
    .bind(entry.action.as_str())
    .bind(entry.record_type.as_str())
    .bind(&entry.record_id)
    .bind(&entry.detail)
    .bind(&previous_hash)
    .bind(&hash)
    .fetch_one(&mut *connection)
    .await?;
    Ok(AuditEntry {
        id,
        at,
        actor: entry.actor.clone(),
        organisation_id: entry.organisation_id,
        action: entry.action.as_str().to_string(),
        record_type: entry.record_type.as_str().to_string(),
        record_id: entry.record_id.clone(),
        detail: entry.detail.clone(),
        previous_hash,
        hash,
    })
}

pub(crate) fn entry_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        organisation_id: row.try_get("organisation_id")?,
        action: row.try_get("action")?,
        record_type: row.try_get("record_type")?,
        record_id: row.try_get("record_id")?,
        detail: row.try_get("detail")?,
        previous_hash: row.try_get("previous_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Checks entries in order: each must link to the hash before it and carry its own true hash.
pub fn verify_chain(entries: &[AuditEntry]) -> ChainReport {
    let mut previous = GENESIS_HASH.to_string();
    for entry in entries {
        let expected = entry_hash(&previous, &entry.at, entry.content());
        if entry.previous_hash != previous || entry.hash != expected {
            return ChainReport {
                entries: entries.len() as u64,
                first_broken: Some(entry.id),
            };
        }
        previous = entry.hash.clone();
    }
    ChainReport {
        entries: entries.len() as u64,
        first_broken: None,
    }
}
