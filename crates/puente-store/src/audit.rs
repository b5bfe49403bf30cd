//! The audit log: who did what to which record, when. Append-only (the database refuses updates and
//! deletes) and chained: each entry's hash is an HMAC-SHA256, under a key kept outside the
//! database, of its fields and the previous entry's hash. Signed checkpoints (entry count, last id,
//! head hash, time), appended to a file outside the database, pin the chain's length and head, so
//! that a deleted tail, an emptied log, an inserted entry or a chain recomputed without the key is
//! found by [`verify_log`] (`puente audit verify`).
//!
//! Entries written before the key existed keep their plain SHA-256 chain (`key_id` empty); the
//! first checkpoint, signed when the key is created, pins them.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit_files::{AuditKey, AuditKeys};

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
        PersonMergeUndo = "person_merge_undo",
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
        PrivilegedRoleGranted = "privileged_role_granted",
        LinkageProjectCreate = "linkage_project_create",
        LinkageUpload = "linkage_upload",
        LinkageUploadRefused = "linkage_upload_refused",
        LinkageRun = "linkage_run",
        LinkageResultRead = "linkage_result_read",
        LinkageDecision = "linkage_decision",
        MatchingStart = "matching_start",
        MatchingResult = "matching_result",
        CoordinationDecision = "coordination_decision",
        VoidScreening = "void_screening",
        ViewAttachment = "view_attachment",
        ChangePassword = "change_password",
        PasswordResetIssued = "password_reset_issued",
        PasswordReset = "password_reset",
        DeactivateUser = "deactivate_user",
        ReactivateUser = "reactivate_user",
        RecoveryCodesIssued = "recovery_codes_issued",
        RecoveryCodeUsed = "recovery_code_used",
        EmailNotifications = "email_notifications",
    }
}

audit_codes! {
    /// The kind of record an entry is about.
    RecordType {
        Case = "case",
        CaseNote = "case_note",
        CaseAttachment = "case_attachment",
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
        Task = "task",
        ReferralMessage = "referral_message",
        LinkageProject = "linkage_project",
        MatchingRun = "matching_run",
        CoordinationRequest = "coordination_request",
        Perpetrator = "perpetrator",
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
    /// The case the entry is about when the record is part of one (a note); for a record of type
    /// `case` it is the record itself and may be left out.
    pub case_id: Option<i64>,
    /// A short, non-identifying description (never a name or free text of a case).
    pub detail: String,
}

impl NewAuditEntry {
    /// The case the entry is about: the one named, else the record when it is a case.
    pub fn about_case(&self) -> Option<i64> {
        self.case_id.or_else(|| {
            (self.record_type == RecordType::Case)
                .then(|| self.record_id.as_deref().and_then(|id| id.parse().ok()))
                .flatten()
        })
    }

    /// An entry about one of an organisation's cases (the record is the case), by an actor.
    pub fn of_case(
        actor: &crate::Actor,
        organisation_id: i64,
        action: AuditAction,
        case_id: i64,
        detail: String,
    ) -> NewAuditEntry {
        NewAuditEntry::about(
            actor,
            organisation_id,
            action,
            RecordType::Case,
            case_id,
            detail,
        )
    }

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
            case_id: None,
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
    /// The case the entry is about, when it is about a case or a part of one.
    pub case_id: Option<i64>,
    pub detail: String,
    pub previous_hash: String,
    pub hash: String,
    /// The audit key the hash was made with; `None` for an entry from before the key existed
    /// (a plain SHA-256 chain).
    pub key_id: Option<i64>,
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
    /// Entries about this case: the case itself and its parts (notes, screenings, consents).
    pub case_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub actor: Option<String>,
    pub limit: Option<u32>,
    /// Newest first (with `limit`: the latest entries) instead of oldest first.
    pub newest_first: bool,
}

/// What verifying the log found wrong. Each names where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditFinding {
    /// The entry's content no longer matches the hash it was written with.
    EditedEntry { id: i64 },
    /// From this entry on, hashes are plain SHA-256 where keyed ones belong: the chain was
    /// recomputed by someone without the key.
    RecomputedWithoutKey { from_id: i64 },
    /// An entry after the last checkpoint that the key did not sign: added behind Puente's back.
    InsertedEntry { id: i64 },
    /// The entry does not link to the one before it.
    BrokenLink { id: i64 },
    /// Entries are missing between two ids.
    MissingEntries { after_id: i64, before_id: i64 },
    /// The log holds fewer entries than a checkpoint recorded.
    DeletedTail {
        checkpoint_entries: u64,
        entries: u64,
        checkpoint_at: String,
    },
    /// The log is empty though a checkpoint recorded entries.
    EmptiedLog {
        checkpoint_entries: u64,
        checkpoint_at: String,
    },
    /// The entry a checkpoint recorded as the head is not in the log as it was.
    CheckpointMismatch {
        line: usize,
        entries: u64,
        checkpoint_at: String,
    },
    /// A checkpoint line (0: the last) is not signed by the key it names (or cannot be read).
    CheckpointForged { line: usize },
    /// A checkpoint records fewer entries than the one before it.
    CheckpointsGoBack { line: usize },
    /// The key file holds audit keys but there is no checkpoint.
    CheckpointsMissing,
    /// An entry names an audit key the key file does not hold.
    UnknownKey { id: i64, key_id: i64 },
}

impl AuditFinding {
    /// The first entry id concerned, if any.
    pub fn entry_id(&self) -> Option<i64> {
        match self {
            AuditFinding::EditedEntry { id }
            | AuditFinding::InsertedEntry { id }
            | AuditFinding::BrokenLink { id }
            | AuditFinding::UnknownKey { id, .. } => Some(*id),
            AuditFinding::RecomputedWithoutKey { from_id } => Some(*from_id),
            AuditFinding::MissingEntries { before_id, .. } => Some(*before_id),
            _ => None,
        }
    }
}

impl std::fmt::Display for AuditFinding {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditFinding::EditedEntry { id } => write!(
                formatter,
                "entry {id} was edited after it was written: its content no longer matches its hash"
            ),
            AuditFinding::RecomputedWithoutKey { from_id } => write!(
                formatter,
                "the chain was recomputed without the audit key from entry {from_id} on: plain SHA-256 hashes stand where keyed ones belong"
            ),
            AuditFinding::InsertedEntry { id } => write!(
                formatter,
                "entry {id} was inserted behind Puente's back: the audit key did not sign it"
            ),
            AuditFinding::BrokenLink { id } => write!(
                formatter,
                "entry {id} does not link to the entry before it: entries were removed or reordered"
            ),
            AuditFinding::MissingEntries {
                after_id,
                before_id,
            } => write!(
                formatter,
                "entries between {after_id} and {before_id} were deleted"
            ),
            AuditFinding::DeletedTail {
                checkpoint_entries,
                entries,
                checkpoint_at,
            } => write!(
                formatter,
                "the last {} entries were deleted: the checkpoint of {checkpoint_at} records {checkpoint_entries} entries, the log holds {entries}",
                checkpoint_entries - entries
            ),
            AuditFinding::EmptiedLog {
                checkpoint_entries,
                checkpoint_at,
            } => write!(
                formatter,
                "the log was emptied: the checkpoint of {checkpoint_at} records {checkpoint_entries} entries, the log holds none"
            ),
            AuditFinding::CheckpointMismatch {
                line,
                entries,
                checkpoint_at,
            } => write!(
                formatter,
                "the log no longer holds the {entries} entries the checkpoint of {checkpoint_at} ({} of the checkpoint file) recorded: entries were deleted, replaced or rewritten",
                checkpoint_line(*line)
            ),
            AuditFinding::CheckpointForged { line } => write!(
                formatter,
                "{} of the checkpoint file is not a checkpoint signed by the audit key",
                checkpoint_line(*line)
            ),
            AuditFinding::CheckpointsGoBack { line } => write!(
                formatter,
                "line {line} of the checkpoint file records fewer entries than the line before it"
            ),
            AuditFinding::CheckpointsMissing => write!(
                formatter,
                "there is no checkpoint: a deleted tail or an emptied log cannot be told apart from a short log"
            ),
            AuditFinding::UnknownKey { id, key_id } => write!(
                formatter,
                "entry {id} names audit key {key_id}, which the key file does not hold"
            ),
        }
    }
}

/// A line of the checkpoint file as a message names it; 0 stands for the last line (what an
/// incremental check reads).
pub(crate) fn checkpoint_line(line: usize) -> String {
    if line == 0 {
        "the last line".to_string()
    } else {
        format!("line {line}")
    }
}

/// The result of checking the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// How many entries the log holds (for an incremental check: how many were checked).
    pub entries: u64,
    /// The first entry whose stored hash or link does not match, if any.
    pub first_broken: Option<i64>,
    /// Everything found wrong, in the order found.
    pub findings: Vec<AuditFinding>,
    /// The id of the entry the check started from (after the last checkpoint, for an incremental
    /// check); `None` for the whole log.
    pub checked_from: Option<i64>,
    /// How many checkpoints were read.
    pub checkpoints: usize,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.findings.is_empty()
    }

    fn from_findings(
        entries: u64,
        findings: Vec<AuditFinding>,
        checked_from: Option<i64>,
        checkpoints: usize,
    ) -> ChainReport {
        ChainReport {
            entries,
            first_broken: findings.iter().find_map(AuditFinding::entry_id),
            findings,
            checked_from,
            checkpoints,
        }
    }
}

/// A signed record of the log's length and head, kept outside the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// How many entries the log held.
    pub entries: u64,
    /// The id of the last of them (0 for an empty log).
    pub last_id: i64,
    /// Its hash (the genesis hash for an empty log).
    pub head: String,
    pub at: String,
    /// The key that signed the checkpoint.
    pub key_id: i64,
    /// Why it was written when not on schedule: `key_created`, `segment_end`, `segment_start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// HMAC-SHA256 of the fields above under the key.
    pub signature: String,
}

pub(crate) type HmacSha256 = Hmac<Sha256>;

pub(crate) fn length_prefixed_mac(key: &AuditKey, domain: &[u8], fields: &[&str]) -> String {
    // Any length of key is valid for HMAC.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key.secret()).expect("HMAC takes any key");
    mac.update(domain);
    for field in fields {
        mac.update(&(field.len() as u64).to_le_bytes());
        mac.update(field.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// The signature of a checkpoint's fields (all but the signature) under the key.
pub(crate) fn checkpoint_mac(key: &AuditKey, checkpoint: &Checkpoint) -> String {
    let fields = [
        checkpoint.entries.to_string(),
        checkpoint.last_id.to_string(),
        checkpoint.head.clone(),
        checkpoint.at.clone(),
        checkpoint.key_id.to_string(),
        checkpoint.note.clone().unwrap_or_default(),
    ];
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    length_prefixed_mac(key, b"puente-audit-checkpoint-v1\0", &fields)
}

impl Checkpoint {
    /// A checkpoint of a log of `entries` entries whose last is `last_id` with hash `head`,
    /// signed with `key` now.
    pub fn sign(
        key: &AuditKey,
        entries: u64,
        last_id: i64,
        head: &str,
        note: Option<&str>,
    ) -> Checkpoint {
        let mut checkpoint = Checkpoint {
            entries,
            last_id,
            head: head.to_string(),
            at: now(),
            key_id: key.id(),
            note: note.map(str::to_string),
            signature: String::new(),
        };
        checkpoint.signature = checkpoint_mac(key, &checkpoint);
        checkpoint
    }

    /// Whether the key the checkpoint names signed it.
    pub fn is_signed_by(&self, keys: &AuditKeys) -> bool {
        let Some(key) = keys.key(self.key_id) else {
            return false;
        };
        constant_time_equal(&checkpoint_mac(key, self), &self.signature)
    }
}

pub(crate) fn constant_time_equal(left: &str, right: &str) -> bool {
    left.len() == right.len()
        && left
            .bytes()
            .zip(right.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The plain hash of an entry from before the audit key existed: SHA-256 over the previous hash and
/// every field, each length-prefixed so that no two different entries can be written the same way.
/// Anyone can compute it; it only stands for entries a checkpoint pinned.
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

/// The keyed hash of an entry: HMAC-SHA256 under the audit key over the previous hash, the time,
/// every field, the case it is about and the key's id, each length-prefixed.
pub fn keyed_entry_hash(
    key: &AuditKey,
    previous_hash: &str,
    at: &str,
    entry: EntryFields<'_>,
    case_id: Option<i64>,
) -> String {
    let organisation = entry
        .organisation_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let case = case_id.map(|id| id.to_string()).unwrap_or_default();
    let key_id = key.id().to_string();
    length_prefixed_mac(
        key,
        b"puente-audit-entry-v2\0",
        &[
            previous_hash,
            at,
            entry.actor,
            &organisation,
            entry.action,
            entry.record_type,
            entry.record_id.unwrap_or("\u{0}"),
            entry.detail,
            &case,
            &key_id,
        ],
    )
}

/// The current time, UTC, RFC 3339 with microseconds.
pub fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.to_string())
}

/// How an entry's stored hash compares with what it should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntrySeal {
    /// The keyed hash (or, for a pinned entry from before the key, the plain hash).
    Sound,
    /// A plain SHA-256 hash where a keyed one belongs: written without the key.
    Unkeyed,
    /// Neither: the content changed after the hash was made, or the hash is made up.
    Wrong,
    /// The entry names a key the key file does not hold.
    UnknownKey(i64),
}

pub(crate) fn seal_of(entry: &AuditEntry, keys: &AuditKeys, may_be_unkeyed: bool) -> EntrySeal {
    let plain = entry_hash(&entry.previous_hash, &entry.at, entry.content());
    match entry.key_id {
        None if may_be_unkeyed && plain == entry.hash => EntrySeal::Sound,
        None if plain == entry.hash => EntrySeal::Unkeyed,
        None => EntrySeal::Wrong,
        Some(key_id) => {
            let Some(key) = keys.key(key_id) else {
                return EntrySeal::UnknownKey(key_id);
            };
            let keyed = keyed_entry_hash(
                key,
                &entry.previous_hash,
                &entry.at,
                entry.content(),
                entry.case_id,
            );
            if constant_time_equal(&keyed, &entry.hash) {
                EntrySeal::Sound
            } else if plain == entry.hash {
                EntrySeal::Unkeyed
            } else {
                EntrySeal::Wrong
            }
        }
    }
}

/// The checkpoints signed by the key they name, with their lines.
pub(crate) fn signed_checkpoints<'a>(
    checkpoints: &'a [(usize, Result<Checkpoint, String>)],
    keys: &AuditKeys,
) -> Vec<(usize, &'a Checkpoint)> {
    checkpoints
        .iter()
        .filter_map(|(line, checkpoint)| match checkpoint {
            Ok(checkpoint) if checkpoint.is_signed_by(keys) => Some((*line, checkpoint)),
            _ => None,
        })
        .collect()
}

/// What it means that the log holds `count` entries where the checkpoint recorded more: an
/// emptied log or a deleted tail; nothing when it holds at least as many.
pub fn shorter_than_checkpoint(count: u64, checkpoint: &Checkpoint) -> Option<AuditFinding> {
    if count >= checkpoint.entries {
        return None;
    }
    Some(if count == 0 {
        AuditFinding::EmptiedLog {
            checkpoint_entries: checkpoint.entries,
            checkpoint_at: checkpoint.at.clone(),
        }
    } else {
        AuditFinding::DeletedTail {
            checkpoint_entries: checkpoint.entries,
            entries: count,
            checkpoint_at: checkpoint.at.clone(),
        }
    })
}

/// Checks a stretch of the log, `entries` in id order, that follows an entry with hash
/// `previous_hash` at position `position_before` (0 and the genesis hash for the whole log), against
/// the checkpoints (each with its line in the file). Entries from before the key existed (no
/// `key_id`) are sound only inside what the first checkpoint pinned, before any keyed entry.
pub fn verify_stretch(
    entries: &[AuditEntry],
    previous: Option<&AuditEntry>,
    position_before: u64,
    checkpoints: &[(usize, Result<Checkpoint, String>)],
    keys: &AuditKeys,
) -> Vec<AuditFinding> {
    let mut findings = Vec::new();
    let valid = signed_checkpoints(checkpoints, keys);
    for (line, checkpoint) in checkpoints {
        if !matches!(checkpoint, Ok(checkpoint) if checkpoint.is_signed_by(keys)) {
            findings.push(AuditFinding::CheckpointForged { line: *line });
        }
    }
    for pair in valid.windows(2) {
        if pair[1].1.entries < pair[0].1.entries {
            findings.push(AuditFinding::CheckpointsGoBack { line: pair[1].0 });
        }
    }
    let pinned_unkeyed = valid.first().map(|(_, first)| first.entries).unwrap_or(0);
    let last_checkpointed = valid
        .iter()
        .map(|(_, checkpoint)| checkpoint.entries)
        .max()
        .unwrap_or(0);
    let mut previous_hash = previous
        .map(|entry| entry.hash.clone())
        .unwrap_or_else(|| GENESIS_HASH.to_string());
    let mut previous_id = previous.map(|entry| entry.id);
    let mut seen_keyed = previous.is_some_and(|entry| entry.key_id.is_some());
    let mut in_unkeyed_run = false;
    for (index, entry) in entries.iter().enumerate() {
        let position = position_before + index as u64 + 1;
        if let Some(before) = previous_id {
            if entry.id != before + 1 && entry.previous_hash != previous_hash {
                findings.push(AuditFinding::MissingEntries {
                    after_id: before,
                    before_id: entry.id,
                });
            } else if entry.previous_hash != previous_hash {
                findings.push(AuditFinding::BrokenLink { id: entry.id });
            }
        } else if entry.previous_hash != previous_hash {
            findings.push(AuditFinding::BrokenLink { id: entry.id });
        }
        let may_be_unkeyed = !seen_keyed && position <= pinned_unkeyed;
        let after_last_checkpoint = position > last_checkpointed;
        let next_links = entries
            .get(index + 1)
            .is_some_and(|next| next.previous_hash == entry.hash);
        match seal_of(entry, keys, may_be_unkeyed) {
            EntrySeal::Sound => in_unkeyed_run = false,
            EntrySeal::UnknownKey(key_id) => findings.push(AuditFinding::UnknownKey {
                id: entry.id,
                key_id,
            }),
            EntrySeal::Unkeyed if after_last_checkpoint => {
                findings.push(AuditFinding::InsertedEntry { id: entry.id })
            }
            EntrySeal::Unkeyed => {
                if !in_unkeyed_run {
                    findings.push(AuditFinding::RecomputedWithoutKey { from_id: entry.id });
                }
                in_unkeyed_run = true;
            }
            EntrySeal::Wrong if after_last_checkpoint && !next_links => {
                findings.push(AuditFinding::InsertedEntry { id: entry.id })
            }
            EntrySeal::Wrong => findings.push(AuditFinding::EditedEntry { id: entry.id }),
        }
        seen_keyed |= entry.key_id.is_some();
        previous_hash = entry.hash.clone();
        previous_id = Some(entry.id);
    }
    findings
}

/// Checks the whole log against the checkpoints and the keys: every link and every hash, and that
/// the log still holds what each checkpoint recorded.
pub fn verify_log(
    entries: &[AuditEntry],
    checkpoints: &[(usize, Result<Checkpoint, String>)],
    keys: &AuditKeys,
) -> ChainReport {
    let mut findings = verify_stretch(entries, None, 0, checkpoints, keys);
    let count = entries.len() as u64;
    let valid = signed_checkpoints(checkpoints, keys);
    if valid.is_empty() && keys.has_keys() && (count > 0 || !checkpoints.is_empty()) {
        findings.push(AuditFinding::CheckpointsMissing);
    }
    if let Some((_, longest)) = valid
        .iter()
        .max_by_key(|(_, checkpoint)| checkpoint.entries)
    {
        findings.extend(shorter_than_checkpoint(count, longest));
    }
    for (line, checkpoint) in &valid {
        if checkpoint.entries == 0 || checkpoint.entries > count {
            continue;
        }
        let recorded = &entries[(checkpoint.entries - 1) as usize];
        if recorded.id != checkpoint.last_id || recorded.hash != checkpoint.head {
            findings.push(AuditFinding::CheckpointMismatch {
                line: *line,
                entries: checkpoint.entries,
                checkpoint_at: checkpoint.at.clone(),
            });
            break;
        }
    }
    ChainReport::from_findings(count, findings, None, checkpoints.len())
}

/// The report of an incremental check: `checked` entries after the checkpoint were checked.
pub fn incremental_report(
    checked: u64,
    findings: Vec<AuditFinding>,
    checked_from: Option<i64>,
    checkpoints: usize,
) -> ChainReport {
    ChainReport::from_findings(checked, findings, checked_from, checkpoints)
}
