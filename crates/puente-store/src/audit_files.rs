//! The two files of the audit log that live outside the database: the key file (the secret keys
//! the entries' hashes and the checkpoints are made with) and the checkpoint file (signed records
//! of the log's length and head, one JSON object a line, appended).
//!
//! By default both sit beside the database: `<database>.audit-key` and
//! `<database>.audit-checkpoints`; `PUENTE_AUDIT_KEY_FILE` and `PUENTE_AUDIT_CHECKPOINT_FILE` put
//! them elsewhere (the key belongs on another disk or in a secrets store mounted as a file). The
//! key file is created with mode 0600 at first start and refused when others may read it. Each
//! line is `puente-audit-key <id> <64 hex digits>`; a rotation appends a line, and the last line is
//! the key in use (older keys stay: they verify the older entries).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use rand::RngCore;

use crate::audit::Checkpoint;
use crate::{StoreError, StoreResult};

/// One secret key of the audit log.
#[derive(Clone)]
pub struct AuditKey {
    id: i64,
    secret: [u8; 32],
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never reaches a log.
        write!(formatter, "AuditKey {{ id: {} }}", self.id)
    }
}

impl AuditKey {
    /// A key from its id and secret (for tests and tools; a store reads its keys from the file).
    pub fn new(id: i64, secret: [u8; 32]) -> AuditKey {
        AuditKey { id, secret }
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

/// Where the key and the checkpoints of a database are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditFiles {
    pub key_file: PathBuf,
    pub checkpoint_file: PathBuf,
}

impl AuditFiles {
    /// The files beside the database at `database`.
    pub fn beside(database: &Path) -> AuditFiles {
        let with_suffix = |suffix: &str| {
            let mut name = database.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        AuditFiles {
            key_file: with_suffix(".audit-key"),
            checkpoint_file: with_suffix(".audit-checkpoints"),
        }
    }

    /// The files named by `PUENTE_AUDIT_KEY_FILE` and `PUENTE_AUDIT_CHECKPOINT_FILE`, each else
    /// beside the database.
    pub fn from_environment(database: &Path) -> AuditFiles {
        let beside = AuditFiles::beside(database);
        let named = |variable: &str| {
            std::env::var_os(variable)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        };
        AuditFiles {
            key_file: named("PUENTE_AUDIT_KEY_FILE").unwrap_or(beside.key_file),
            checkpoint_file: named("PUENTE_AUDIT_CHECKPOINT_FILE")
                .unwrap_or(beside.checkpoint_file),
        }
    }
}

/// The keys of the audit log, oldest first; the last is the one in use.
#[derive(Clone, Debug)]
pub struct AuditKeys {
    keys: Vec<AuditKey>,
}

fn file_error(path: &Path, reason: impl ToString) -> StoreError {
    StoreError::AuditFile {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

fn key_line(key: &AuditKey) -> String {
    format!("puente-audit-key {} {}\n", key.id, hex::encode(key.secret))
}

fn new_secret() -> [u8; 32] {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

impl AuditKeys {
    /// Keys held in memory only (for tests of the verification).
    pub fn from_keys(keys: Vec<AuditKey>) -> AuditKeys {
        AuditKeys { keys }
    }

    /// The key in use.
    pub fn current(&self) -> &AuditKey {
        self.keys
            .last()
            .expect("a key file always holds at least one key")
    }

    pub fn key(&self, id: i64) -> Option<&AuditKey> {
        self.keys.iter().find(|key| key.id == id)
    }

    pub fn has_keys(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Reads the key file, or creates it (mode 0600) with a new key; `true` when it was created.
    pub fn load_or_create(path: &Path) -> StoreResult<(AuditKeys, bool)> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                refuse_readable_by_others(path)?;
                Ok((AuditKeys::parse(path, &text)?, false))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = AuditKey::new(1, new_secret());
                let mut file = create_private(path)?;
                file.write_all(key_line(&key).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|error| file_error(path, error))?;
                Ok((AuditKeys { keys: vec![key] }, true))
            }
            Err(error) => Err(file_error(path, error)),
        }
    }

    fn parse(path: &Path, text: &str) -> StoreResult<AuditKeys> {
        let mut keys = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_number = index + 1;
            if line.trim().is_empty() {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let malformed = || {
                file_error(
                    path,
                    format!("line {line_number} is not `puente-audit-key <id> <64 hex digits>`"),
                )
            };
            let [tag, id, secret] = parts.as_slice() else {
                return Err(malformed());
            };
            if *tag != "puente-audit-key" {
                return Err(malformed());
            }
            let id: i64 = id.parse().map_err(|_| malformed())?;
            let bytes = hex::decode(secret).map_err(|_| malformed())?;
            let secret: [u8; 32] = bytes.try_into().map_err(|_| malformed())?;
            if keys.iter().any(|key: &AuditKey| key.id == id) {
                return Err(file_error(
                    path,
                    format!("line {line_number} repeats key {id}"),
                ));
            }
            keys.push(AuditKey::new(id, secret));
        }
        if keys.is_empty() {
            return Err(file_error(path, "the key file holds no key"));
        }
        Ok(AuditKeys { keys })
    }

    /// Appends a new key to the key file and makes it the one in use.
    pub fn rotate(&mut self, path: &Path) -> StoreResult<&AuditKey> {
        let id = self.keys.iter().map(|key| key.id).max().unwrap_or(0) + 1;
        let key = AuditKey::new(id, new_secret());
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|error| file_error(path, error))?;
        file.write_all(key_line(&key).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|error| file_error(path, error))?;
        self.keys.push(key);
        Ok(self.current())
    }
}

#[cfg(unix)]
fn create_private(path: &Path) -> StoreResult<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|error| file_error(path, error))
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> StoreResult<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| file_error(path, error))
}

#[cfg(unix)]
fn refuse_readable_by_others(path: &Path) -> StoreResult<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|error| file_error(path, error))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(file_error(
            path,
            format!(
                "others may read or change the audit key (mode {:o}); allow only its owner: chmod 600",
                mode & 0o777
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_readable_by_others(_path: &Path) -> StoreResult<()> {
    Ok(())
}

/// Appends a checkpoint as one line to the checkpoint file (created if absent), and syncs it.
pub fn append_checkpoint(path: &Path, checkpoint: &Checkpoint) -> StoreResult<()> {
    let mut line = serde_json::to_string(checkpoint).map_err(|error| file_error(path, error))?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|error| file_error(path, error))?;
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(|error| file_error(path, error))
}

/// A line of the checkpoint file: its number (as an editor counts) and the checkpoint, or why it
/// cannot be read.
pub type CheckpointLine = (usize, Result<Checkpoint, String>);

/// Every checkpoint in the file, with its line; none when the file does not exist.
pub fn read_checkpoints(path: &Path) -> StoreResult<Vec<CheckpointLine>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(file_error(path, error)),
    };
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            (
                index + 1,
                serde_json::from_str(line).map_err(|error| error.to_string()),
            )
        })
        .collect())
}

/// The last checkpoint of the file, read from its end only (the file grows for ever); `None` when
/// there is none or the last line cannot be read.
pub fn last_checkpoint(path: &Path) -> StoreResult<Option<Checkpoint>> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(file_error(path, error)),
    };
    let length = file
        .metadata()
        .map_err(|error| file_error(path, error))?
        .len();
    let start = length.saturating_sub(8192);
    file.seek(SeekFrom::Start(start))
        .map_err(|error| file_error(path, error))?;
    let mut tail = String::new();
    file.read_to_string(&mut tail)
        .map_err(|error| file_error(path, error))?;
    Ok(tail
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .and_then(|line| serde_json::from_str(line).ok()))
}

/// The audit log's files and keys, shared by the clones of a store.
#[derive(Debug)]
pub(crate) struct AuditState {
    pub(crate) files: AuditFiles,
    pub(crate) keys: RwLock<AuditKeys>,
    /// The head the last checkpoint recorded (entries, last id, head hash): an unchanged log needs
    /// no new checkpoint.
    pub(crate) last_checkpointed: Mutex<Option<(u64, i64, String)>>,
}

impl AuditState {
    /// Loads the keys (creating the key file when absent) and the last checkpoint; says whether
    /// the key was created now (then the caller pins the log with a first checkpoint).
    pub(crate) fn load(files: AuditFiles) -> StoreResult<(AuditState, bool)> {
        let (keys, created) = AuditKeys::load_or_create(&files.key_file)?;
        let last = last_checkpoint(&files.checkpoint_file)?
            .map(|checkpoint| (checkpoint.entries, checkpoint.last_id, checkpoint.head));
        Ok((
            AuditState {
                files,
                keys: RwLock::new(keys),
                last_checkpointed: Mutex::new(last),
            },
            created,
        ))
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
