//! Puente's storage: the [`Store`] trait, its two backends (embedded SQLite, the default, and
//! PostgreSQL), the migrations and the append-only audit log.
//!
//! Every write runs in one transaction, and the audit entry that records it is written in that same
//! transaction: a change without its audit entry cannot exist. Each area is a contract
//! (`src/<area>.rs`: its trait, types and pure helpers) and its SQL (`src/sql/<area>.rs`), written
//! once in the dialect both backends accept and compiled once per backend (`sqlite.rs` and
//! `postgres.rs` include `sql/` with `#[path]`). Queries are bound at run time (no compile-time
//! checked macros).

/// Passwords changed and reset, users deactivated, recovery codes, e-mail notifications.
pub mod account_security;
/// Users, roles, sessions, login throttling and organisation settings.
pub mod accounts;
/// The raw counts of the annual report (published only through `puente-disclosure`).
pub mod annual;
/// Documents attached to cases: what they are, where their sealed content lies, who may read them.
pub mod attachments;
/// The audit log: keyed hash chain, signed checkpoints, verification.
pub mod audit;
/// The audit key file and the checkpoint file, outside the database.
pub mod audit_files;
/// A case's organisation and owner (for authorisation) and de-identified case counts.
pub mod case_access;
/// An organisation's cases, de-identified, as the facts of a CTDC release.
pub mod case_release;
/// Finding cases: search keys, filtered and paged case lists, the duplicate check's candidates.
pub mod case_search;
/// De-identified counts of an organisation's cases for the dashboard (raw; published through
/// `puente-disclosure`).
pub mod case_stats;
/// Organisations, persons and cases.
pub mod cases;
/// Consents: given and withdrawn, never edited; a withdrawal ends the referrals it covered.
pub mod consents;
/// The imported CTDC Global Dataset.
pub mod ctdc;
/// The CTDC synthetic releases kept as named datasets.
pub mod ctdc_datasets;
/// The service directory: services, search and suggestions, national hotlines.
pub mod directory;
/// Each user's notifications, messages on a referral and the case a receiver opens from it.
pub mod followup;
/// The legal track of a case: reports, proceedings, participation, certifications, relief
/// applications and relief results.
pub mod legal;
/// The linkage unit's projects, uploads and match groups (`puente serve --linkage-unit`).
pub mod linkage_unit;
/// Which backend, from the database's location; what callers need of any store.
pub mod location;
/// "Match with partners": runs at a linkage unit and the coordination requests they open.
pub mod matching;
/// The perpetrators recorded on a case, for the linkage across the organisation's cases.
pub mod perpetrators;
/// Likely duplicate persons in an organisation: records to compare, distinct pairs, merges.
pub mod person_links;
/// The PostgreSQL backend.
pub mod postgres;
/// Each organisation's privacy budget and noise key for differentially private counts.
pub mod privacy_budgets;
/// Referrals between organisations, gated by consent, and their notifications.
pub mod referrals;
/// Voiding a screening: kept, shown as void, never shared or counted.
pub mod screening_voids;
/// Screenings run inside a case, with their rule-set version.
pub mod screenings;
/// The SQLite backend.
pub mod sqlite;
/// Tasks on a case: added by users, or made from statutory and legal deadlines.
pub mod tasks;
/// A fresh store on either backend, for tests.
#[cfg(feature = "testing")]
pub mod testing;

pub use account_security::{AccountSecurityStore, NewPasswordReset, PendingNotificationEmail};
pub use accounts::{AccountStore, Role};
pub use annual::{
    publish_annual_report, AnnualCounts, AnnualReportStore, GroupedCounts, PublishedAnnualReport,
    PublishedLine, PublishedSection,
};
pub use attachments::{AttachmentStore, NewAttachment, StoredAttachment};
pub use audit::{
    AuditAction, AuditEntry, AuditFinding, AuditQuery, ChainReport, Checkpoint, NewAuditEntry,
    RecordType,
};
pub use audit_files::{AuditFiles, AuditKey, AuditKeys};
pub use case_access::CaseAccessStore;
pub use case_release::CaseReleaseStore;
pub use case_search::{CaseCursor, CaseFilter, CasePage, CaseSearchStore, CaseSort};
pub use case_stats::{CaseStats, CaseStatsStore, StatsDimension, StatsRow};
pub use cases::{
    CaseStore, CaseSummary, CaseVersion, NewCase, StoredCase, StoredNote, StoredOrganisation,
};
pub use consents::{ConsentStore, ConsentWithdrawal, NewConsent, StoredConsent};
pub use ctdc::{CtdcImportSummary, CtdcStatsRow};
pub use ctdc_datasets::{CtdcDataset, CtdcDatasetStore, GLOBAL_DATASET_NAME};
pub use directory::{
    DirectoryLoadSummary, DirectoryStore, StoredNeedSuggestions, StoredService, StoredServiceMatch,
};
pub use followup::{FollowupStore, ReferralMessage, UserNotification};
pub use legal::{
    LegalTrack, LegalTrackStore, NewAuthorityReport, NewCertification, NewParticipation,
    NewProceeding, NewProceedingStage, NewReliefApplication, NewReliefAssessment,
    ReliefApplicationUpdate, StoredAuthorityReport, StoredCertification, StoredParticipation,
    StoredProceeding, StoredProceedingStage, StoredReliefApplication, StoredReliefAssessment,
};
pub use linkage_unit::{
    LinkageGroup, LinkageParty, LinkageProject, LinkageUnitStore, MatchPartner, NewLinkageProject,
    PartyMatch, UploadOutcome,
};
pub use location::{open_store, StoreControl, StoreLocation};
pub use matching::{
    CoordinationRequest, MatchingStore, NewMatchingRun, PersonsForMatching, ReceivedMatch,
    StoredMatchingRun,
};
pub use perpetrators::{NewPerpetrator, PerpetratorStore, StoredPerpetrator};
pub use person_links::{
    MergeCandidate, MergeOutcome, PersonCase, PersonLinkStore, PersonToCompare, StoredPersonMerge,
    UndoneMerge,
};
pub use postgres::PostgresStore;
pub use privacy_budgets::{PrivacyAccount, PrivacyBudgetStore};
pub use referrals::{
    NewReferral, Notification, NotificationKind, ReferralContact, ReferralStatus, ReferralStore,
    ReferralUrgency, SharedCase, StoredReferral,
};
pub use screening_voids::ScreeningVoidStore;
pub use screenings::ScreeningStore;
pub use sqlite::SqliteStore;
pub use tasks::{NewTask, StoredTask, TaskDue, TaskDueFilter, TaskQuery, TaskSource, TaskStore};

use async_trait::async_trait;
use puente_core::ctdc::CtdcRecord;

/// What went wrong in the store. Each refusal a caller may answer differently has its own variant;
/// messages name the record and never carry a survivor's data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("cannot update the database schema: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The request's content is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The record does not exist, or not in the organisation asking.
    #[error("{record} {id} not found")]
    NotFound { record: &'static str, id: String },
    /// A conflict with stored data that has no variant of its own.
    #[error("{0}")]
    Conflict(String),
    /// The record was saved by someone else since the caller read it at version `yours`.
    #[error("{record} {id} was changed by someone else since you opened it (your version {yours}, now {current}); reload it and apply your changes again")]
    StaleVersion {
        record: &'static str,
        id: i64,
        yours: i64,
        current: i64,
    },
    /// No active consent covers these parts for the organisation.
    #[error("no consent is recorded to share {} with {organisation}: record the person's consent to share it, or share less", consents::scope_list(scopes))]
    ConsentMissing {
        scopes: Vec<puente_core::htcds::ConsentScope>,
        organisation: String,
    },
    /// The consent was withdrawn before.
    #[error("consent {consent_id} was withdrawn already, on {withdrawn_on}")]
    ConsentAlreadyWithdrawn {
        consent_id: i64,
        withdrawn_on: String,
    },
    /// The case already has an open referral to that organisation.
    #[error("case {case_id} already has an open referral{} to {organisation}", referral_id.map(|id| format!(" ({id})")).unwrap_or_default())]
    ReferralAlreadyOpen {
        case_id: i64,
        referral_id: Option<i64>,
        organisation: String,
    },
    /// The referral cannot move as asked.
    #[error("referral {referral_id}: {error}")]
    ReferralTransition {
        referral_id: i64,
        error: puente_core::sharing::TransitionError,
    },
    /// The receiver's access to a referred case has ended.
    #[error("referral {referral_id} is {}: access to the case has ended", status.code())]
    AccessEnded {
        referral_id: i64,
        status: ReferralStatus,
    },
    /// A rule the database keeps refused the change.
    #[error("the database refused the change ({name})")]
    Constraint { name: String },
    /// The database cannot be reached (down, unreachable, or the connection was lost): the request
    /// can be retried.
    #[error("the database is unavailable: {reason}")]
    Unavailable { reason: String },
    /// The audit key or checkpoint file cannot be used.
    #[error("audit file {path}: {reason}")]
    AuditFile { path: String, reason: String },
}

impl From<sqlx::Error> for StoreError {
    /// A rule the database keeps (a unique, check or foreign key constraint) becomes
    /// [`StoreError::Constraint`] naming it; anything else stays a database error.
    fn from(error: sqlx::Error) -> StoreError {
        if matches!(
            error,
            sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed
        ) {
            return StoreError::Unavailable {
                reason: error.to_string(),
            };
        }
        if let sqlx::Error::Database(database) = &error {
            // PostgreSQL's connection exceptions (class 08) and a server shutting down (57P).
            if let Some(code) = database.code() {
                if code.starts_with("08") || code.starts_with("57P") {
                    return StoreError::Unavailable {
                        reason: database.message().to_string(),
                    };
                }
            }
            use sqlx::error::ErrorKind;
            if matches!(
                database.kind(),
                ErrorKind::UniqueViolation
                    | ErrorKind::ForeignKeyViolation
                    | ErrorKind::CheckViolation
                    | ErrorKind::NotNullViolation
            ) {
                return StoreError::Constraint {
                    name: database
                        .constraint()
                        .map(str::to_string)
                        .unwrap_or_else(|| database.message().to_string()),
                };
            }
        }
        StoreError::Database(error)
    }
}

impl StoreError {
    /// A record that does not exist (or not in the organisation asking).
    pub fn not_found(record: &'static str, id: impl std::fmt::Display) -> StoreError {
        StoreError::NotFound {
            record,
            id: id.to_string(),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Who does something: a user's email, or `cli:<name>` for the command line. Recorded in the audit
/// log; never a survivor's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub organisation_id: Option<i64>,
}

impl Actor {
    /// The person at the command line, named by the operating-system account.
    pub fn command_line() -> Actor {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Actor {
            name: format!("cli:{user}"),
            organisation_id: None,
        }
    }
}

/// Receives the pages of an export.
pub type ExportSink<'a> = dyn FnMut(&[CtdcRecord]) -> StoreResult<()> + Send + 'a;

/// The CTDC Global Datasets in the store: each imported file is its own named dataset (listed with
/// the synthetic ones by [`CtdcDatasetStore::ctdc_datasets`]).
#[async_trait]
pub trait CtdcStore: Send + Sync {
    /// Imports the records of one file as the Global Dataset `dataset` (of `release`, the 63- or
    /// the 58-column edition), all or nothing. A dataset of that name already stored, or a file
    /// already stored (same content), is refused unless `replace` is set; then the dataset of that
    /// name is replaced in the same transaction.
    #[allow(clippy::too_many_arguments)]
    async fn import_ctdc(
        &self,
        actor: &Actor,
        dataset: &str,
        release: &str,
        source: &str,
        content_sha256: &str,
        records: &[CtdcRecord],
        replace: bool,
    ) -> StoreResult<CtdcImportSummary>;
    /// Hands every record of the Global Dataset `dataset`, in import order, to `on_page`, a page at
    /// a time, and returns how many there were. Audited as an export; an error from `on_page` stops
    /// the export and leaves no audit entry, as nothing was exported.
    async fn export_ctdc(
        &self,
        actor: &Actor,
        dataset: &str,
        on_page: &mut ExportSink<'_>,
    ) -> StoreResult<u64>;
    /// Counts of the Global Dataset `dataset` grouped by CTDC columns (by index), largest first.
    async fn ctdc_stats(&self, dataset: &str, by: &[usize]) -> StoreResult<Vec<CtdcStatsRow>>;
    /// How many Global Dataset records are stored, in every dataset.
    async fn ctdc_count(&self) -> StoreResult<u64>;
}

/// The audit log in the store.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry on its own (for events that change nothing else, such as a failed login).
    async fn record_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry>;
    /// Entries matching a query, oldest first.
    async fn audit_entries(&self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>>;
    /// Checks the whole log against the audit keys and every checkpoint: each finding names what
    /// was edited, deleted, inserted or recomputed.
    async fn verify_audit_chain(&self) -> StoreResult<ChainReport>;
    /// Checks only what was written since the last checkpoint (and that the log still holds it):
    /// cheap enough for every page view.
    async fn verify_audit_since_checkpoint(&self) -> StoreResult<ChainReport>;
    /// Appends a signed checkpoint when the log changed since the last one; returns it.
    async fn write_audit_checkpoint(&self) -> StoreResult<Option<Checkpoint>>;
    /// Starts a new key: the old one signs the end of its segment, the new one its start. Returns
    /// the new key's id.
    async fn rotate_audit_key(&self, actor: &Actor) -> StoreResult<i64>;
}

/// Everything Puente stores. One trait made of one part per area, each in its own module.
pub trait Store:
    StoreControl
    + CtdcStore
    + CtdcDatasetStore
    + CaseReleaseStore
    + AuditStore
    + CaseStore
    + CaseSearchStore
    + ConsentStore
    + CaseAccessStore
    + AccountStore
    + ScreeningStore
    + DirectoryStore
    + ReferralStore
    + CaseStatsStore
    + PersonLinkStore
    + LegalTrackStore
    + AnnualReportStore
    + PrivacyBudgetStore
    + TaskStore
    + FollowupStore
    + LinkageUnitStore
    + MatchingStore
    + AttachmentStore
    + ScreeningVoidStore
    + AccountSecurityStore
    + PerpetratorStore
{
}

impl<T> Store for T where
    T: StoreControl
        + CtdcStore
        + CtdcDatasetStore
        + CaseReleaseStore
        + AuditStore
        + CaseStore
        + CaseSearchStore
        + ConsentStore
        + CaseAccessStore
        + AccountStore
        + ScreeningStore
        + DirectoryStore
        + ReferralStore
        + CaseStatsStore
        + PersonLinkStore
        + LegalTrackStore
        + AnnualReportStore
        + PrivacyBudgetStore
        + TaskStore
        + FollowupStore
        + LinkageUnitStore
        + MatchingStore
        + AttachmentStore
        + ScreeningVoidStore
        + AccountSecurityStore
        + PerpetratorStore
{
}
