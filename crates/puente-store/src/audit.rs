//! The audit log: who did what to which record, when. Append-only (the database refuses updates and
//! deletes) and hash-chained: each entry's hash covers its fields and the previous entry's hash.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use crate::StoreResult;

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub actor: String,
    pub organisation_id: Option<i64>,
    /// What was done: `view`, `create`, `update`, `export`, `import`, `login`, `login_failed`, ...
    pub action: String,
    /// The kind of record: `case`, `person`, `ctdc`, `user`, ...
    pub record_type: String,
    pub record_id: Option<String>,
    /// A short, non-identifying description (never a name or free text of a case).
    pub detail: String,
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
    pub fn content(&self) -> NewAuditEntry {
        NewAuditEntry {
            actor: self.actor.clone(),
            organisation_id: self.organisation_id,
            action: self.action.clone(),
            record_type: self.record_type.clone(),
            record_id: self.record_id.clone(),
            detail: self.detail.clone(),
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
pub fn entry_hash(previous_hash: &str, at: &str, entry: &NewAuditEntry) -> String {
    let organisation = entry
        .organisation_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    let fields = [
        previous_hash,
        at,
        &entry.actor,
        &organisation,
        &entry.action,
        &entry.record_type,
        entry.record_id.as_deref().unwrap_or("\u{0}"),
        &entry.detail,
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
    let hash = entry_hash(&previous_hash, &at, entry);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor, organisation_id, action, record_type, record_id, detail, previous_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&at)
    .bind(&entry.actor)
    .bind(entry.organisation_id)
    .bind(&entry.action)
    .bind(&entry.record_type)
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
        action: entry.action.clone(),
        record_type: entry.record_type.clone(),
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
        let expected = entry_hash(&previous, &entry.at, &entry.content());
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
