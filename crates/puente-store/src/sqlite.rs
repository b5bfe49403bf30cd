//! The embedded SQLite backend: one file, WAL journal, migrations run at open.
//!
//! SQLite allows one writer at a time. Writes go through a pool of one connection, so transactions
//! queue instead of failing with "database is locked"; reads use a separate pool and see the last
//! committed state (WAL lets them run while a write is under way).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::QueryBuilder;

use crate::audit::{
    self, AuditAction, AuditEntry, AuditFinding, AuditQuery, ChainReport, Checkpoint,
    NewAuditEntry, RecordType,
};
use crate::audit_files::{self, AuditFiles, AuditKey, AuditKeys, CheckpointLine};
use crate::{Actor, AuditStore, StoreError, StoreResult};

/// The migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Puente's store in one SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    path: PathBuf,
    audit: Arc<AuditState>,
}

/// The audit log's files and keys, shared by the clones of a store.
#[derive(Debug)]
struct AuditState {
    files: AuditFiles,
    keys: RwLock<AuditKeys>,
    /// The head the last checkpoint recorded (entries, last id, head hash): an unchanged log needs
    /// no new checkpoint.
    last_checkpointed: Mutex<Option<(u64, i64, String)>>,
}

/// The log's length, last id and head hash.
async fn log_head(pool: &SqlitePool) -> StoreResult<(u64, i64, String)> {
    let (count, last_id): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(id) FROM audit_log")
            .fetch_one(pool)
            .await?;
    let Some(last_id) = last_id else {
        return Ok((0, 0, audit::GENESIS_HASH.to_string()));
    };
    let head: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE id = ?")
        .bind(last_id)
        .fetch_one(pool)
        .await?;
    Ok((count as u64, last_id, head))
}

impl SqliteStore {
    /// Opens (creating if absent) the database at `path` and brings its schema up to date. The
    /// audit key and checkpoints are where `PUENTE_AUDIT_KEY_FILE` and
    /// `PUENTE_AUDIT_CHECKPOINT_FILE` say, else beside the database.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        SqliteStore::open_with_audit_files(path, AuditFiles::from_environment(path)).await
    }

    /// Opens the database with its audit key and checkpoints in the given files. The key file is
    /// created (mode 0600) with a new key when absent, and a first checkpoint, signed with it, pins
    /// the entries written before.
    pub async fn open_with_audit_files(path: &Path, files: AuditFiles) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-65536")
            // Rows cross from SQLite's worker thread in batches: large exports and statistics stay fast.
            .row_buffer_size(4096);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&writer).await?;
        crate::case_search::backfill(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        let (keys, created) = AuditKeys::load_or_create(&files.key_file)?;
        let last = audit_files::last_checkpoint(&files.checkpoint_file)?
            .map(|checkpoint| (checkpoint.entries, checkpoint.last_id, checkpoint.head));
        let store = SqliteStore {
            writer,
            reader,
            path: path.to_path_buf(),
            audit: Arc::new(AuditState {
                files,
                keys: RwLock::new(keys),
                last_checkpointed: Mutex::new(last),
            }),
        };
        if created {
            store.checkpoint_now(Some("key_created")).await?;
        }
        Ok(store)
    }

    /// Begins a write transaction holding SQLite's write lock from its first statement
    /// (`BEGIN IMMEDIATE`): with several processes writing one file, a transaction that read the
    /// audit head or a version waits its turn instead of failing when it comes to write.
    pub(crate) async fn begin_write(
        &self,
    ) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
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
    async fn checkpoint_now(&self, note: Option<&str>) -> StoreResult<Checkpoint> {
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

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pool that writes. Transactions begun on it hold SQLite's write lock in turn.
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// The pool that reads.
    pub fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Writes a last audit checkpoint when the log changed, then closes both pools, checkpointing
    /// the WAL. A checkpoint that cannot be written is logged (the data is safe; the next start or
    /// command writes one).
    pub async fn close(&self) {
        if let Err(error) = self.write_audit_checkpoint().await {
            tracing::warn!(error = %error, "cannot write the audit checkpoint at close");
        }
        self.reader.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn record_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry> {
        let mut transaction = self.begin_write().await?;
        let stored = audit::append(&mut transaction, &self.audit_key(), &entry).await?;
        transaction.commit().await?;
        Ok(stored)
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
        audit::entries_from_rows(&rows)
    }

    async fn verify_audit_chain(&self) -> StoreResult<ChainReport> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id")
            .fetch_all(&self.reader)
            .await?;
        let entries = audit::entries_from_rows(&rows)?;
        let checkpoints = self.audit_checkpoints()?;
        Ok(audit::verify_log(
            &entries,
            &checkpoints,
            &self.audit_keys(),
        ))
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
            return Ok(audit::incremental_report(0, findings, None, 1));
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.reader)
            .await?;
        findings.extend(audit::shorter_than_checkpoint(count as u64, &checkpoint));
        let rows = sqlx::query("SELECT * FROM audit_log WHERE id >= ? ORDER BY id")
            .bind(checkpoint.last_id)
            .fetch_all(&self.reader)
            .await?;
        let entries = audit::entries_from_rows(&rows)?;
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
        findings.extend(audit::verify_stretch(
            after,
            head,
            checkpoint.entries,
            &[(0, Ok(checkpoint))],
            &keys,
        ));
        Ok(audit::incremental_report(
            checked,
            findings,
            checked_from,
            1,
        ))
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
        audit::append(
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

impl From<std::io::Error> for StoreError {
    fn from(error: std::io::Error) -> StoreError {
        StoreError::AuditFile {
            path: String::new(),
            reason: error.to_string(),
        }
    }
}
