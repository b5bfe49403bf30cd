//! The SQL of `crate::audit`, written once for both backends.

use sqlx::Row;

use async_trait::async_trait;
use sqlx::QueryBuilder;

use crate::audit_files::{self, AuditFiles, AuditKey, AuditKeys, CheckpointLine};
use crate::{Actor, AuditStore, StoreResult};

use super::{Backend, Db, DbConnection, DbRow, LOCK_AUDIT_HEAD};
#[allow(unused_imports)]
pub(crate) use crate::audit::*;

/// Appends an entry inside the caller's transaction, so that the entry and the change it records
/// commit or roll back together. The head is read and the entry inserted in that one transaction,
/// and `previous_hash` is unique in the table: two appends that read the same head cannot both
/// commit, so the chain never forks, whatever the number of writers.
pub async fn append(
    connection: &mut DbConnection,
    key: &AuditKey,
    entry: &NewAuditEntry,
) -> StoreResult<AuditEntry> {
    if let Some(lock) = LOCK_AUDIT_HEAD {
        sqlx::query(lock).execute(&mut *connection).await?;
    }
    let previous_hash: String =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *connection)
            .await?
            .unwrap_or_else(|| GENESIS_HASH.to_string());
    let at = now();
    let case_id = entry.about_case();
    let hash = keyed_entry_hash(key, &previous_hash, &at, entry.fields(), case_id);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor, organisation_id, action, record_type, record_id, case_id, detail, previous_hash, hash, key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(&at)
    .bind(&entry.actor)
    .bind(entry.organisation_id)
    .bind(entry.action.as_str())
    .bind(entry.record_type.as_str())
    .bind(&entry.record_id)
    .bind(case_id)
    .bind(&entry.detail)
    .bind(&previous_hash)
    .bind(&hash)
    .bind(key.id())
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
        case_id,
        detail: entry.detail.clone(),
        previous_hash,
        hash,
        key_id: Some(key.id()),
    })
}

pub(crate) fn entry_from_row(row: &DbRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        organisation_id: row.try_get("organisation_id")?,
        action: row.try_get("action")?,
        record_type: row.try_get("record_type")?,
        record_id: row.try_get("record_id")?,
        case_id: row.try_get("case_id")?,
        detail: row.try_get("detail")?,
        previous_hash: row.try_get("previous_hash")?,
        hash: row.try_get("hash")?,
        key_id: row.try_get("key_id")?,
    })
}

/// Entries read from rows.
pub(crate) fn entries_from_rows(rows: &[DbRow]) -> StoreResult<Vec<AuditEntry>> {
    rows.iter().map(entry_from_row).collect()
}

/// The log's length, last id and head hash.
async fn log_head(pool: &sqlx::Pool<Db>) -> StoreResult<(u64, i64, String)> {
    let (count, last_id): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(id) FROM audit_log")
            .fetch_one(pool)
            .await?;
    let Some(last_id) = last_id else {
        return Ok((0, 0, GENESIS_HASH.to_string()));
    };
    let head: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE id = $1")
        .bind(last_id)
        .fetch_one(pool)
        .await?;
    Ok((count as u64, last_id, head))
}

impl Backend {
    /// Appends `entry` inside the caller's transaction, under the store's audit key: the one way
    /// every area writes the audit entry of its change (see [`append`]).
    pub(crate) async fn append_audit(
        &self,
        connection: &mut DbConnection,
        entry: &NewAuditEntry,
    ) -> StoreResult<AuditEntry> {
        append(connection, &self.audit_key(), entry).await
    }

    /// The end of a write: appends `entry` to the transaction and commits the change with it.
    pub(crate) async fn commit_with_audit(
        &self,
        mut transaction: sqlx::Transaction<'static, Db>,
        entry: &NewAuditEntry,
    ) -> StoreResult<AuditEntry> {
        let stored = self.append_audit(&mut transaction, entry).await?;
        transaction.commit().await?;
        Ok(stored)
    }
    /// The audit key in use.
    pub(crate) fn audit_key(&self) -> AuditKey {
        self.audit
            .keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .current()
            .clone()
    }

    fn audit_keys(&self) -> AuditKeys {
        self.audit
            .keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Where the audit key and the checkpoints are kept.
    pub fn audit_files(&self) -> &AuditFiles {
        &self.audit.files
    }

    /// Every line of the checkpoint file.
    pub fn audit_checkpoints(&self) -> StoreResult<Vec<CheckpointLine>> {
        audit_files::read_checkpoints(&self.audit.files.checkpoint_file)
    }

    /// Signs and appends a checkpoint of the log as it is now, whatever was written before.
    pub(crate) async fn checkpoint_now(&self, note: Option<&str>) -> StoreResult<Checkpoint> {
        let (entries, last_id, head) = log_head(&self.writer).await?;
        let checkpoint = Checkpoint::sign(&self.audit_key(), entries, last_id, &head, note);
        audit_files::append_checkpoint(&self.audit.files.checkpoint_file, &checkpoint)?;
        *self
            .audit
            .last_checkpointed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((entries, last_id, head));
        Ok(checkpoint)
    }
}

#[async_trait]
impl AuditStore for Backend {
    async fn record_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry> {
        let transaction = self.begin_write().await?;
        self.commit_with_audit(transaction, &entry).await
    }

    async fn audit_entries(&self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>> {
        let mut builder = QueryBuilder::new("SELECT * FROM audit_log WHERE 1 = 1");
        if let Some(record_type) = &query.record_type {
            builder.push(" AND record_type = ").push_bind(record_type);
        }
        if let Some(record_id) = &query.record_id {
            builder.push(" AND record_id = ").push_bind(record_id);
        }
        if let Some(case_id) = query.case_id {
            // Entries about the case: those that name it, and from before `case_id` existed the
            // case's own entries and its notes' (described as `case <id>`).
            builder
                .push(" AND (case_id = ")
                .push_bind(case_id)
                .push(" OR (case_id IS NULL AND record_type = 'case' AND record_id = ")
                .push_bind(case_id.to_string())
                .push(") OR (case_id IS NULL AND record_type = 'case_note' AND detail = ")
                .push_bind(format!("case {case_id}"))
                .push("))");
        }
        if let Some(organisation_id) = query.organisation_id {
            builder
                .push(" AND organisation_id = ")
                .push_bind(organisation_id);
        }
        if let Some(actor) = &query.actor {
            builder.push(" AND actor = ").push_bind(actor);
        }
        builder.push(if query.newest_first {
            " ORDER BY id DESC"
        } else {
            " ORDER BY id"
        });
        if let Some(limit) = query.limit {
            builder.push(" LIMIT ").push_bind(i64::from(limit));
        }
        let rows = builder.build().fetch_all(&self.reader).await?;
        entries_from_rows(&rows)
    }

    async fn verify_audit_chain(&self) -> StoreResult<ChainReport> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id")
            .fetch_all(&self.reader)
            .await?;
        let entries = entries_from_rows(&rows)?;
        let checkpoints = self.audit_checkpoints()?;
        Ok(verify_log(&entries, &checkpoints, &self.audit_keys()))
    }

    async fn verify_audit_since_checkpoint(&self) -> StoreResult<ChainReport> {
        let keys = self.audit_keys();
        let Some(checkpoint) = audit_files::last_checkpoint(&self.audit.files.checkpoint_file)?
        else {
            return self.verify_audit_chain().await;
        };
        let mut findings = Vec::new();
        if !checkpoint.is_signed_by(&keys) {
            findings.push(AuditFinding::CheckpointForged { line: 0 });
            return Ok(incremental_report(0, findings, None, 1));
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.reader)
            .await?;
        findings.extend(shorter_than_checkpoint(count as u64, &checkpoint));
        let rows = sqlx::query("SELECT * FROM audit_log WHERE id >= $1 ORDER BY id")
            .bind(checkpoint.last_id)
            .fetch_all(&self.reader)
            .await?;
        let entries = entries_from_rows(&rows)?;
        let (head, after) = match entries.split_first() {
            Some((first, rest)) if checkpoint.entries > 0 && first.id == checkpoint.last_id => {
                (Some(first), rest)
            }
            _ if checkpoint.entries == 0 => (None, entries.as_slice()),
            _ => (None, &entries[..0]),
        };
        let head_is_the_checkpoints = match head {
            Some(head) => head.hash == checkpoint.head,
            None => checkpoint.entries == 0,
        };
        if !head_is_the_checkpoints && findings.is_empty() {
            findings.push(AuditFinding::CheckpointMismatch {
                line: 0,
                entries: checkpoint.entries,
                checkpoint_at: checkpoint.at.clone(),
            });
        }
        let checked = after.len() as u64;
        let checked_from = after.first().map(|entry| entry.id);
        findings.extend(verify_stretch(
            after,
            head,
            checkpoint.entries,
            &[(0, Ok(checkpoint))],
            &keys,
        ));
        Ok(incremental_report(checked, findings, checked_from, 1))
    }

    async fn write_audit_checkpoint(&self) -> StoreResult<Option<Checkpoint>> {
        let now = log_head(&self.writer).await?;
        let unchanged = self
            .audit
            .last_checkpointed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .as_ref()
            == Some(&now);
        if unchanged {
            return Ok(None);
        }
        // A checkpoint only ever extends a log that still holds what the last one recorded: a log
        // rewritten since is not pinned in its rewritten state.
        let since = self.verify_audit_since_checkpoint().await?;
        if !since.is_intact() {
            tracing::error!(
                findings = since.findings.len(),
                "the audit log changed behind Puente's back since the last checkpoint; no checkpoint written: run `puente audit verify`"
            );
            return Ok(None);
        }
        self.checkpoint_now(None).await.map(Some)
    }

    async fn rotate_audit_key(&self, actor: &Actor) -> StoreResult<i64> {
        // The old key signs the end of its segment; the new key signs the same head, then the
        // rotation itself is the first entry under the new key, pinned by a third checkpoint.
        self.checkpoint_now(Some("segment_end")).await?;
        let new_key = {
            let mut keys = self
                .audit
                .keys
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            keys.rotate(&self.audit.files.key_file)?.clone()
        };
        self.checkpoint_now(Some("segment_start")).await?;
        let mut transaction = self.begin_write().await?;
        append(
            &mut transaction,
            &new_key,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: actor.organisation_id,
                action: AuditAction::KeyRotation,
                record_type: RecordType::AuditLog,
                record_id: Some(new_key.id().to_string()),
                case_id: None,
                detail: format!("audit key {} in use from here on", new_key.id()),
            },
        )
        .await?;
        transaction.commit().await?;
        self.checkpoint_now(None).await?;
        Ok(new_key.id())
    }
}
