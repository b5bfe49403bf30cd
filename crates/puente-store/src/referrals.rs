//! Referrals of a case from one organisation to another, gated by the survivor's consent, and the
//! notifications they raise.
//!
//! # The rules
//! The rules themselves are pure code in [`puente_core::sharing`]: which parts may be shared,
//! consent coverage, the status transitions and what the receiver sees. This module persists and
//! loads, and calls them:
//! - A referral is refused ([`StoreError::ConsentMissing`]) unless active consents of the case
//!   cover every shared part for the receiving organisation. When the request says the person
//!   consents (`consent: true`), that consent is recorded first, in the same transaction, as any
//!   consent is ([`crate::consents`]), with who recorded it and when.
//! - At most one open referral of a case to the same organisation (a partial unique index keeps
//!   it with many writers: [`StoreError::ReferralAlreadyOpen`]).
//! - [`ReferralStore::shared_case`] returns the case as it stood when the referral was made (its
//!   version then, the notes and screenings recorded until then), only the parts active consents
//!   still cover; unshared parts are absent (`None`, and left out of its JSON), never blank.
//! - A withdrawal of a consent the referral shared under ends it (`consent_withdrawn`) and
//!   notifies the receiver ([`crate::consents::ConsentStore::withdraw_consent`]).
//! - Every status change and every read by the receiver is audited on both sides, in the same
//!   transaction: on the sender's side as an entry of the case (`record_type` `case`, the case id,
//!   so it shows in the case's audit trail), on the receiver's as an entry of the referral
//!   (`record_type` `referral`, the referral id). Each side's entry carries its own
//!   `organisation_id`.
//! - A new referral notifies the receiver; an answer, a completion and a revocation notify the
//!   other side.
//!
//! # For the web app
//! - `POST /api/v1/cases/{id}/referrals` `{"to_org", "services", "share", "consent"}`: resolve
//!   `to_org` (an id, or a slug with `CaseStore::organisation_by_slug`), parse `share` with
//!   `ConsentScope::from_code` (`identity`, `contact`, ...), then
//!   [`ReferralStore::create_referral`] with the user's organisation → 201 `{"id"}`.
//!   `StoreError::ConsentMissing` or `StoreError::ReferralAlreadyOpen` → 409 with the message;
//!   `StoreError::Invalid` → 422; `StoreError::NotFound` → 404.
//! - `POST /api/v1/referrals/{id}/accept|reject|complete` (receiver) and `.../revoke` (sender):
//!   the `*_referral` methods; a wrong side or a wrong status is a `ReferralTransition` (409), a referral the
//!   organisation is not party to a `NotFound` (404).
//! - The receiver's view of the case: [`ReferralStore::shared_case`] only (a 404 or 409 from it
//!   ends the page); never `CaseStore::case`, which stays scoped to the owning organisation.
//!   Lists: [`ReferralStore::referrals_received`], [`ReferralStore::referrals_sent`],
//!   [`ReferralStore::referrals_of_case`].
//! - Notifications: [`ReferralStore::notifications`] with `unread_only` for the badge,
//!   [`Notification::message`] in the user's language, then
//!   [`ReferralStore::mark_notification_read`] or [`ReferralStore::mark_all_notifications_read`].
//! - Roles: an analyst reads none of this; `shared_case` is identifying data (case workers,
//!   advocates, supervisors of the receiving organisation).

use async_trait::async_trait;
use puente_core::domain::{Case, PartialDate, TraffickingEvent};
use puente_core::htcds::{ConsentScope, ReferralReason};
use puente_core::sharing::{self, ReferralEvent, ReferralSide, SharedParts};
use puente_core::{Lang, Vocabulary};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::audit_files::AuditKey;
use crate::cases::today_iso;
use crate::consents::{self, scope_list, NewConsent};
use crate::sqlite::SqliteStore;
use crate::{Actor, StoreError, StoreResult};

pub use puente_core::sharing::{
    ReferralStatus, SharedContact, SharedDocument, SharedIdentity, SharedNote, SharedScreening,
    SHAREABLE_SCOPES,
};

/// A referral to make, from the sender's organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct NewReferral {
    pub case_id: i64,
    pub to_organisation_id: i64,
    /// Directory services of the receiving organisation the person is referred to (may be empty).
    pub services: Vec<i64>,
    /// The parts of the case to share, a subset of [`SHAREABLE_SCOPES`].
    pub share: Vec<ConsentScope>,
    /// The person consents, now, to sharing `share` with the receiving organisation: record it.
    pub consent: bool,
    /// `cas_ReasonForOutgoingReferral`.
    pub reason: ReferralReason,
}

/// The HTCDS case fields a referral fills, named as the standard names them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HtcdsReferralFields {
    #[serde(rename = "cas_OutgoingReferral")]
    pub outgoing_referral: bool,
    #[serde(rename = "cas_ReferredOrganisation")]
    pub referred_organisation: String,
    #[serde(rename = "cas_OutgoingReferralDate")]
    pub outgoing_referral_date: String,
    #[serde(rename = "cas_ReasonForOutgoingReferral")]
    pub reason_for_outgoing_referral: ReferralReason,
    #[serde(rename = "cas_IncomingReferral")]
    pub incoming_referral: bool,
    #[serde(rename = "cas_ReferringOrganisation")]
    pub referring_organisation: String,
    #[serde(rename = "cas_IncomingReferralDate")]
    pub incoming_referral_date: Option<String>,
    #[serde(rename = "cas_ReasonForIncomingReferral")]
    pub reason_for_incoming_referral: ReferralReason,
}

/// A referral as stored. Holds no survivor data: both sides may see all of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredReferral {
    pub id: i64,
    /// The case's id in the sender's organisation.
    pub case_id: i64,
    pub from_organisation_id: i64,
    pub from_organisation: String,
    pub to_organisation_id: i64,
    pub to_organisation: String,
    pub services: Vec<i64>,
    pub share: Vec<ConsentScope>,
    pub reason: ReferralReason,
    pub status: ReferralStatus,
    pub consent_recorded_here: bool,
    /// The version of the case when the referral was made: the receiver sees the case as it
    /// stood then.
    pub case_version: i64,
    pub created_by: String,
    pub created_at: String,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    pub answer_note: Option<String>,
    pub completed_by: Option<String>,
    pub completed_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revoked_at: Option<String>,
    /// The consent whose withdrawal ended the referral, and when.
    pub withdrawn_consent_id: Option<i64>,
    pub consent_withdrawn_at: Option<String>,
    pub updated_at: String,
    pub htcds: HtcdsReferralFields,
}

/// What the receiving organisation sees of a referred case: the referral, and exactly the shared
/// parts that the person's consent still covers. An unshared part is absent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedCase {
    pub referral: StoredReferral,
    /// The parts shown: those shared and still covered by an active consent.
    pub shared: Vec<ConsentScope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<SharedIdentity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<SharedContact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screenings: Option<Vec<SharedScreening>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<TraffickingEvent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<SharedNote>>,
    /// The documents attached to the case until the referral was made, when `documents` is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<SharedDocument>>,
}

/// What a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    ReferralReceived,
    ReferralAccepted,
    ReferralRejected,
    ReferralCompleted,
    ReferralRevoked,
    /// The person withdrew the consent a referral shared under: the receiver's access ended.
    ConsentWithdrawn,
}

impl NotificationKind {
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::ReferralReceived => "referral_received",
            NotificationKind::ReferralAccepted => "referral_accepted",
            NotificationKind::ReferralRejected => "referral_rejected",
            NotificationKind::ReferralCompleted => "referral_completed",
            NotificationKind::ReferralRevoked => "referral_revoked",
            NotificationKind::ConsentWithdrawn => "consent_withdrawn",
        }
    }

    fn from_code(code: &str) -> Option<NotificationKind> {
        [
            NotificationKind::ReferralReceived,
            NotificationKind::ReferralAccepted,
            NotificationKind::ReferralRejected,
            NotificationKind::ReferralCompleted,
            NotificationKind::ReferralRevoked,
            NotificationKind::ConsentWithdrawn,
        ]
        .into_iter()
        .find(|kind| kind.code() == code)
    }
}

/// A notification for an organisation's users.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub organisation_id: i64,
    pub kind: NotificationKind,
    pub referral_id: i64,
    /// The organisation on the other side of the referral (its name).
    pub other_organisation: String,
    pub created_at: String,
    pub read_at: Option<String>,
    pub read_by: Option<String>,
}

impl Notification {
    /// The notification as a sentence.
    pub fn message(&self, lang: Lang) -> String {
        let other = &self.other_organisation;
        let id = self.referral_id;
        match (self.kind, lang) {
            (NotificationKind::ReferralReceived, Lang::Es) => {
                format!("Nueva remisión {id} de {other}")
            }
            (NotificationKind::ReferralReceived, Lang::En) => {
                format!("New referral {id} from {other}")
            }
            (NotificationKind::ReferralAccepted, Lang::Es) => {
                format!("{other} aceptó la remisión {id}")
            }
            (NotificationKind::ReferralAccepted, Lang::En) => {
                format!("{other} accepted referral {id}")
            }
            (NotificationKind::ReferralRejected, Lang::Es) => {
                format!("{other} rechazó la remisión {id}")
            }
            (NotificationKind::ReferralRejected, Lang::En) => {
                format!("{other} rejected referral {id}")
            }
            (NotificationKind::ReferralCompleted, Lang::Es) => {
                format!("{other} completó la remisión {id}")
            }
            (NotificationKind::ReferralCompleted, Lang::En) => {
                format!("{other} completed referral {id}")
            }
            (NotificationKind::ReferralRevoked, Lang::Es) => {
                format!("{other} revocó la remisión {id}: ya no tiene acceso al caso")
            }
            (NotificationKind::ReferralRevoked, Lang::En) => {
                format!("{other} revoked referral {id}: you no longer have access to the case")
            }
            (NotificationKind::ConsentWithdrawn, Lang::Es) => {
                format!("La persona retiró su consentimiento (remisión {id} de {other}): ya no tiene acceso al caso")
            }
            (NotificationKind::ConsentWithdrawn, Lang::En) => {
                format!("The person withdrew their consent (referral {id} from {other}): you no longer have access to the case")
            }
        }
    }
}

/// Referrals between organisations and their notifications.
#[async_trait]
pub trait ReferralStore: Send + Sync {
    /// Refers a case of `organisation_id` to another organisation. Refused with
    /// [`StoreError::Invalid`] for a part that cannot be shared, an unknown receiver or a service
    /// not of the receiver; with [`StoreError::Conflict`] when no active consent covers every shared
    /// part (and `consent` is false), or when an open referral of the case to the same organisation
    /// exists; [`StoreError::NotFound`] when the case is not the organisation's.
    async fn create_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral: &NewReferral,
    ) -> StoreResult<StoredReferral>;
    /// A referral seen from either side; `None` when `organisation_id` is neither.
    async fn referral(
        &self,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<Option<StoredReferral>>;
    /// The referrals an organisation sent, newest first.
    async fn referrals_sent(&self, organisation_id: i64) -> StoreResult<Vec<StoredReferral>>;
    /// The referrals an organisation received, newest first.
    async fn referrals_received(&self, organisation_id: i64) -> StoreResult<Vec<StoredReferral>>;
    /// The referrals of one of the organisation's cases, oldest first.
    async fn referrals_of_case(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredReferral>>;
    /// The receiver accepts a pending referral (`cas_IncomingReferralDate` is set to today).
    async fn accept_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<StoredReferral>;
    /// The receiver rejects a pending referral, with a short note (never a survivor's data).
    async fn reject_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
        note: Option<&str>,
    ) -> StoreResult<StoredReferral>;
    /// The receiver records that an accepted referral's services were delivered.
    async fn complete_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<StoredReferral>;
    /// The sender revokes a pending or accepted referral: the receiver's access ends.
    async fn revoke_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<StoredReferral>;
    /// The shared parts of a referred case, for the receiving organisation `organisation_id`.
    /// [`StoreError::NotFound`] when the referral is not to that organisation,
    /// [`StoreError::Conflict`] when its access has ended. Audited on both sides.
    async fn shared_case(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<SharedCase>;
    /// An organisation's notifications, newest first; only the unread ones with `unread_only`.
    async fn notifications(
        &self,
        organisation_id: i64,
        unread_only: bool,
    ) -> StoreResult<Vec<Notification>>;
    /// Marks one notification of the organisation read.
    async fn mark_notification_read(
        &self,
        actor: &Actor,
        organisation_id: i64,
        notification_id: i64,
    ) -> StoreResult<()>;
    /// Marks every notification of the organisation read; returns how many were unread.
    async fn mark_all_notifications_read(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> StoreResult<u64>;
}

const REFERRAL_SELECT: &str = "SELECT r.*, f.slug AS from_slug, f.name AS from_name, t.slug AS to_slug, t.name AS to_name
     FROM referrals r JOIN organisations f ON f.id = r.from_organisation_id JOIN organisations t ON t.id = r.to_organisation_id";

fn scopes_from_json(text: &str) -> StoreResult<Vec<ConsentScope>> {
    let codes: Vec<String> = serde_json::from_str(text)
        .map_err(|error| StoreError::Invalid(format!("stored referral scopes: {error}")))?;
    codes
        .iter()
        .map(|code| {
            ConsentScope::from_code(code)
                .ok_or_else(|| StoreError::Invalid(format!("stored referral scope `{code}`")))
        })
        .collect()
}

fn referral_from_row(row: &SqliteRow) -> StoreResult<StoredReferral> {
    let services: String = row.try_get("services")?;
    let share: String = row.try_get("share")?;
    let reason: String = row.try_get("reason")?;
    let status: String = row.try_get("status")?;
    let reason = ReferralReason::from_code(&reason).unwrap_or(ReferralReason::Other);
    let from_name: String = row.try_get("from_name")?;
    let to_name: String = row.try_get("to_name")?;
    let outgoing_referral_date: String = row.try_get("outgoing_referral_date")?;
    let incoming_referral_date: Option<String> = row.try_get("incoming_referral_date")?;
    let consent_recorded_here: i64 = row.try_get("consent_recorded_here")?;
    Ok(StoredReferral {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        from_organisation_id: row.try_get("from_organisation_id")?,
        from_organisation: row.try_get("from_slug")?,
        to_organisation_id: row.try_get("to_organisation_id")?,
        to_organisation: row.try_get("to_slug")?,
        services: serde_json::from_str(&services)
            .map_err(|error| StoreError::Invalid(format!("stored referral services: {error}")))?,
        share: scopes_from_json(&share)?,
        reason,
        status: ReferralStatus::from_code(&status)
            .ok_or_else(|| StoreError::Invalid(format!("stored referral status `{status}`")))?,
        consent_recorded_here: consent_recorded_here != 0,
        case_version: row.try_get("case_version")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        answered_by: row.try_get("answered_by")?,
        answered_at: row.try_get("answered_at")?,
        answer_note: row.try_get("answer_note")?,
        completed_by: row.try_get("completed_by")?,
        completed_at: row.try_get("completed_at")?,
        revoked_by: row.try_get("revoked_by")?,
        revoked_at: row.try_get("revoked_at")?,
        withdrawn_consent_id: row.try_get("withdrawn_consent_id")?,
        consent_withdrawn_at: row.try_get("consent_withdrawn_at")?,
        updated_at: row.try_get("updated_at")?,
        htcds: HtcdsReferralFields {
            outgoing_referral: true,
            referred_organisation: to_name,
            outgoing_referral_date,
            reason_for_outgoing_referral: reason,
            incoming_referral: true,
            referring_organisation: from_name,
            incoming_referral_date,
            reason_for_incoming_referral: reason,
        },
    })
}

async fn load_referral(
    connection: &mut SqliteConnection,
    referral_id: i64,
) -> StoreResult<Option<StoredReferral>> {
    let row = sqlx::query(&format!("{REFERRAL_SELECT} WHERE r.id = ?"))
        .bind(referral_id)
        .fetch_optional(&mut *connection)
        .await?;
    row.as_ref().map(referral_from_row).transpose()
}

/// The two audit entries of a referral event: the sender's (an entry of the case) and the
/// receiver's (an entry of the referral).
pub(crate) async fn audit_both_sides(
    connection: &mut SqliteConnection,
    key: &AuditKey,
    actor: &Actor,
    referral: &StoredReferral,
    action: AuditAction,
    detail: &str,
) -> StoreResult<()> {
    audit::append(
        connection,
        key,
        &NewAuditEntry {
            actor: actor.name.clone(),
            organisation_id: Some(referral.from_organisation_id),
            action,
            record_type: RecordType::Case,
            record_id: Some(referral.case_id.to_string()),
            case_id: None,
            detail: format!(
                "referral {} to {}: {detail}",
                referral.id, referral.to_organisation
            ),
        },
    )
    .await?;
    audit::append(
        connection,
        key,
        &NewAuditEntry {
            actor: actor.name.clone(),
            organisation_id: Some(referral.to_organisation_id),
            action,
            record_type: RecordType::Referral,
            record_id: Some(referral.id.to_string()),
            case_id: None,
            detail: format!("from {}: {detail}", referral.from_organisation),
        },
    )
    .await?;
    Ok(())
}

pub(crate) async fn notify(
    connection: &mut SqliteConnection,
    organisation_id: i64,
    kind: NotificationKind,
    referral_id: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO notifications (organisation_id, kind, referral_id, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(organisation_id)
    .bind(kind.code())
    .bind(referral_id)
    .bind(audit::now())
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// The referrals of a case to the organisation `receiver_slug`, oldest first.
pub(crate) async fn referrals_of_case_to(
    connection: &mut SqliteConnection,
    case_id: i64,
    receiver_slug: &str,
) -> StoreResult<Vec<StoredReferral>> {
    let rows = sqlx::query(&format!(
        "{REFERRAL_SELECT} WHERE r.case_id = ? AND t.slug = ? ORDER BY r.id"
    ))
    .bind(case_id)
    .bind(receiver_slug)
    .fetch_all(&mut *connection)
    .await?;
    rows.iter().map(referral_from_row).collect()
}

fn today_partial_date() -> StoreResult<PartialDate> {
    today_iso()
        .parse()
        .map_err(|_| StoreError::Invalid("today's date".into()))
}

/// The case as it stood at `version` (from its saved versions); the current case when that
/// version was never saved.
async fn case_at_version(
    connection: &mut SqliteConnection,
    organisation_id: i64,
    case_id: i64,
    version: i64,
) -> StoreResult<Option<Case>> {
    let snapshot: Option<String> = sqlx::query_scalar(
        "SELECT h.snapshot FROM case_history h JOIN cases c ON c.id = h.case_id
         WHERE h.case_id = ? AND h.version = ? AND c.organisation_id = ?",
    )
    .bind(case_id)
    .bind(version)
    .bind(organisation_id)
    .fetch_optional(&mut *connection)
    .await?;
    match snapshot {
        Some(snapshot) => serde_json::from_str(&snapshot)
            .map(Some)
            .map_err(|error| StoreError::Invalid(format!("saved case version: {error}"))),
        None => Ok(
            crate::cases::load_case(connection, Some(organisation_id), case_id)
                .await?
                .map(|stored| stored.case),
        ),
    }
}

/// A refusal of the database's rule of one open referral per case and receiver, as its error.
fn open_referral_refused(error: sqlx::Error, case_id: i64, receiver_name: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(database) if database.is_unique_violation() => {
            StoreError::ReferralAlreadyOpen {
                case_id,
                referral_id: None,
                organisation: receiver_name.to_string(),
            }
        }
        _ => error.into(),
    }
}

impl SqliteStore {
    /// Moves a referral by `event`, caused by `organisation_id`, as [`sharing::transition`]
    /// allows, and audits and notifies it.
    async fn change_status(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
        event: ReferralEvent,
        note: Option<&str>,
    ) -> StoreResult<StoredReferral> {
        let mut transaction = self.begin_write().await?;
        let Some(referral) = load_referral(&mut transaction, referral_id).await? else {
            return Err(StoreError::not_found("referral", referral_id));
        };
        let side = if referral.from_organisation_id == organisation_id {
            ReferralSide::Sender
        } else if referral.to_organisation_id == organisation_id {
            ReferralSide::Receiver
        } else {
            return Err(StoreError::not_found("referral", referral_id));
        };
        let to = sharing::transition(referral.status, event, side)
            .map_err(|error| StoreError::ReferralTransition { referral_id, error })?;
        let now = audit::now();
        let (column_by, column_at, notified, kind, action) = match event {
            ReferralEvent::Accept => (
                "answered_by",
                "answered_at",
                referral.from_organisation_id,
                NotificationKind::ReferralAccepted,
                AuditAction::ReferralAccepted,
            ),
            ReferralEvent::Reject => (
                "answered_by",
                "answered_at",
                referral.from_organisation_id,
                NotificationKind::ReferralRejected,
                AuditAction::ReferralRejected,
            ),
            ReferralEvent::Complete => (
                "completed_by",
                "completed_at",
                referral.from_organisation_id,
                NotificationKind::ReferralCompleted,
                AuditAction::ReferralCompleted,
            ),
            ReferralEvent::Revoke => (
                "revoked_by",
                "revoked_at",
                referral.to_organisation_id,
                NotificationKind::ReferralRevoked,
                AuditAction::ReferralRevoked,
            ),
            ReferralEvent::WithdrawConsent => {
                return Err(StoreError::Invalid(
                    "a referral ends by a withdrawal of consent only through the consent".into(),
                ))
            }
        };
        // The status read above is in the UPDATE's condition: with many writers, a change that
        // raced another changes no row and is refused.
        let changed = sqlx::query(&format!(
            "UPDATE referrals SET status = ?, {column_by} = ?, {column_at} = ?, updated_at = ?,
                 answer_note = COALESCE(?, answer_note),
                 incoming_referral_date = CASE WHEN ? = 'accepted' THEN ? ELSE incoming_referral_date END
             WHERE id = ? AND status = ?"
        ))
        .bind(to.code())
        .bind(&actor.name)
        .bind(&now)
        .bind(&now)
        .bind(note)
        .bind(to.code())
        .bind(today_iso())
        .bind(referral_id)
        .bind(referral.status.code())
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict(format!(
                "referral {referral_id} was changed by someone else meanwhile; reload it"
            )));
        }
        let updated = load_referral(&mut transaction, referral_id)
            .await?
            .ok_or_else(|| StoreError::not_found("referral", referral_id))?;
        audit_both_sides(
            &mut transaction,
            &self.audit_key(),
            actor,
            &updated,
            action,
            &format!("{} to {}", referral.status.code(), to.code()),
        )
        .await?;
        notify(&mut transaction, notified, kind, referral_id).await?;
        transaction.commit().await?;
        Ok(updated)
    }

    async fn list_referrals(
        &self,
        condition: &str,
        id: i64,
        order: &str,
    ) -> StoreResult<Vec<StoredReferral>> {
        let rows = sqlx::query(&format!(
            "{REFERRAL_SELECT} WHERE {condition} ORDER BY r.id {order}"
        ))
        .bind(id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(referral_from_row).collect()
    }
}

#[async_trait]
impl ReferralStore for SqliteStore {
    async fn create_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral: &NewReferral,
    ) -> StoreResult<StoredReferral> {
        let share = sharing::shareable_parts(&referral.share)
            .map_err(|error| StoreError::Invalid(error.to_string()))?;
        if referral.to_organisation_id == organisation_id {
            return Err(StoreError::Invalid(
                "a case is referred to another organisation, not to its own".into(),
            ));
        }
        let mut transaction = self.begin_write().await?;
        let receiver: Option<(String, String)> =
            sqlx::query_as("SELECT slug, name FROM organisations WHERE id = ?")
                .bind(referral.to_organisation_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let Some((receiver_slug, receiver_name)) = receiver else {
            return Err(StoreError::Invalid(format!(
                "organisation {} does not exist",
                referral.to_organisation_id
            )));
        };
        for service_id in &referral.services {
            let owner: Option<i64> =
                sqlx::query_scalar("SELECT organisation_id FROM services WHERE id = ?")
                    .bind(service_id)
                    .fetch_optional(&mut *transaction)
                    .await?;
            if owner != Some(referral.to_organisation_id) {
                return Err(StoreError::Invalid(format!(
                    "service {service_id} is not a service of {receiver_name}"
                )));
            }
        }
        let case_version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM cases WHERE id = ? AND organisation_id = ?")
                .bind(referral.case_id)
                .bind(organisation_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let Some(case_version) = case_version else {
            return Err(StoreError::not_found("case", referral.case_id));
        };
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM referrals WHERE case_id = ? AND to_organisation_id = ? AND status IN ('pending', 'accepted')",
        )
        .bind(referral.case_id)
        .bind(referral.to_organisation_id)
        .fetch_optional(&mut *transaction)
        .await?;
        if let Some(open) = open {
            return Err(StoreError::ReferralAlreadyOpen {
                case_id: referral.case_id,
                referral_id: Some(open),
                organisation: receiver_name,
            });
        }

        let recorded = consents::case_consents(&mut transaction, referral.case_id).await?;
        let missing = sharing::missing_scopes(&share, &recorded, &receiver_slug);
        let mut consent_recorded_here = false;
        if !missing.is_empty() {
            if !referral.consent {
                return Err(StoreError::ConsentMissing {
                    scopes: missing,
                    organisation: receiver_name,
                });
            }
            consents::insert_consent(
                &mut transaction,
                &self.audit_key(),
                actor,
                organisation_id,
                referral.case_id,
                &NewConsent {
                    scopes: share.clone(),
                    with_organisation: Some(receiver_slug.clone()),
                    given_on: today_partial_date()?,
                },
            )
            .await?;
            consent_recorded_here = true;
        }

        let now = audit::now();
        let services = serde_json::to_string(&referral.services)
            .map_err(|error| StoreError::Invalid(error.to_string()))?;
        let share_codes: Vec<&str> = share.iter().map(|scope| scope.code()).collect();
        let share_json = serde_json::to_string(&share_codes)
            .map_err(|error| StoreError::Invalid(error.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO referrals (case_id, from_organisation_id, to_organisation_id, services, share, reason, status,
                 consent_recorded_here, case_version, created_by, created_at, outgoing_referral_date, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(referral.case_id)
        .bind(organisation_id)
        .bind(referral.to_organisation_id)
        .bind(services)
        .bind(share_json)
        .bind(referral.reason.code())
        .bind(consent_recorded_here)
        .bind(case_version)
        .bind(&actor.name)
        .bind(&now)
        .bind(today_iso())
        .bind(&now)
        .fetch_one(&mut *transaction)
        .await
        .map_err(|error| open_referral_refused(error, referral.case_id, &receiver_name))?;
        let created = load_referral(&mut transaction, id)
            .await?
            .ok_or_else(|| StoreError::not_found("referral", id))?;
        audit_both_sides(
            &mut transaction,
            &self.audit_key(),
            actor,
            &created,
            AuditAction::ReferralCreate,
            &format!("shares {}", scope_list(&share)),
        )
        .await?;
        notify(
            &mut transaction,
            referral.to_organisation_id,
            NotificationKind::ReferralReceived,
            id,
        )
        .await?;
        transaction.commit().await?;
        Ok(created)
    }

    async fn referral(
        &self,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<Option<StoredReferral>> {
        let mut connection = self.reader.acquire().await?;
        let referral = load_referral(&mut connection, referral_id).await?;
        Ok(referral.filter(|referral| {
            referral.from_organisation_id == organisation_id
                || referral.to_organisation_id == organisation_id
        }))
    }

    async fn referrals_sent(&self, organisation_id: i64) -> StoreResult<Vec<StoredReferral>> {
        self.list_referrals("r.from_organisation_id = ?", organisation_id, "DESC")
            .await
    }

    async fn referrals_received(&self, organisation_id: i64) -> StoreResult<Vec<StoredReferral>> {
        self.list_referrals("r.to_organisation_id = ?", organisation_id, "DESC")
            .await
    }

    async fn referrals_of_case(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredReferral>> {
        let referrals = self.list_referrals("r.case_id = ?", case_id, "ASC").await?;
        Ok(referrals
            .into_iter()
            .filter(|referral| referral.from_organisation_id == organisation_id)
            .collect())
    }

    async fn accept_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<StoredReferral> {
        self.change_status(
            actor,
            organisation_id,
            referral_id,
            ReferralEvent::Accept,
            None,
        )
        .await
    }

    async fn reject_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
        note: Option<&str>,
    ) -> StoreResult<StoredReferral> {
        self.change_status(
            actor,
            organisation_id,
            referral_id,
            ReferralEvent::Reject,
            note.map(str::trim).filter(|note| !note.is_empty()),
        )
        .await
    }

    async fn complete_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<StoredReferral> {
        self.change_status(
            actor,
            organisation_id,
            referral_id,
            ReferralEvent::Complete,
            None,
        )
        .await
    }

    async fn revoke_referral(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<StoredReferral> {
        self.change_status(
            actor,
            organisation_id,
            referral_id,
            ReferralEvent::Revoke,
            None,
        )
        .await
    }

    async fn shared_case(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<SharedCase> {
        let mut transaction = self.begin_write().await?;
        let referral = load_referral(&mut transaction, referral_id)
            .await?
            .filter(|referral| referral.to_organisation_id == organisation_id)
            .ok_or_else(|| StoreError::not_found("referral", referral_id))?;
        if !referral.status.gives_access() {
            return Err(StoreError::AccessEnded {
                referral_id,
                status: referral.status,
            });
        }
        let recorded = consents::case_consents(&mut transaction, referral.case_id).await?;
        let shown = sharing::shown_scopes(
            referral.status,
            &referral.share,
            &recorded,
            &referral.to_organisation,
        );
        let case_then = case_at_version(
            &mut transaction,
            referral.from_organisation_id,
            referral.case_id,
            referral.case_version,
        )
        .await?
        .ok_or_else(|| StoreError::not_found("referral", referral_id))?;
        let notes = if shown.contains(&ConsentScope::Notes) {
            notes_of_case(&mut transaction, referral.case_id, &referral.created_at).await?
        } else {
            Vec::new()
        };
        let screenings = if shown.contains(&ConsentScope::Screening) {
            screenings_of_case(&mut transaction, referral.case_id)
                .await?
                .into_iter()
                .filter(|screening| {
                    sharing::existed_at_referral(&screening.created_at, &referral.created_at)
                })
                .collect()
        } else {
            Vec::new()
        };
        let documents = if shown.contains(&ConsentScope::Documents) {
            crate::attachments::documents_of_case(
                &mut transaction,
                referral.case_id,
                &referral.created_at,
            )
            .await?
        } else {
            Vec::new()
        };
        let SharedParts {
            shared,
            identity,
            contact,
            screenings,
            events,
            notes,
            documents,
        } = sharing::project(
            &shown,
            &case_then,
            sharing::RecordsThen {
                notes,
                screenings,
                documents,
            },
        );
        audit_both_sides(
            &mut transaction,
            &self.audit_key(),
            actor,
            &referral,
            AuditAction::ReferralView,
            &format!("shared parts read: {}", scope_list(&shared)),
        )
        .await?;
        transaction.commit().await?;
        Ok(SharedCase {
            referral,
            shared,
            identity,
            contact,
            screenings,
            events,
            notes,
            documents,
        })
    }

    async fn notifications(
        &self,
        organisation_id: i64,
        unread_only: bool,
    ) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT n.*, CASE WHEN r.from_organisation_id = n.organisation_id THEN t.name ELSE f.name END AS other_name
             FROM notifications n JOIN referrals r ON r.id = n.referral_id
             JOIN organisations f ON f.id = r.from_organisation_id JOIN organisations t ON t.id = r.to_organisation_id
             WHERE n.organisation_id = ? AND (? = 0 OR n.read_at IS NULL)
             ORDER BY n.id DESC",
        )
        .bind(organisation_id)
        .bind(unread_only)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(Notification {
                    id: row.try_get("id")?,
                    organisation_id: row.try_get("organisation_id")?,
                    kind: NotificationKind::from_code(&kind).ok_or_else(|| {
                        StoreError::Invalid(format!("stored notification kind `{kind}`"))
                    })?,
                    referral_id: row.try_get("referral_id")?,
                    other_organisation: row.try_get("other_name")?,
                    created_at: row.try_get("created_at")?,
                    read_at: row.try_get("read_at")?,
                    read_by: row.try_get("read_by")?,
                })
            })
            .collect()
    }

    async fn mark_notification_read(
        &self,
        actor: &Actor,
        organisation_id: i64,
        notification_id: i64,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, ?), read_by = COALESCE(read_by, ?)
             WHERE id = ? AND organisation_id = ?",
        )
        .bind(audit::now())
        .bind(&actor.name)
        .bind(notification_id)
        .bind(organisation_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found("notification", notification_id));
        }
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::Read,
                record_type: RecordType::Notification,
                record_id: Some(notification_id.to_string()),
                case_id: None,
                detail: String::new(),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn mark_all_notifications_read(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> StoreResult<u64> {
        let mut transaction = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE notifications SET read_at = ?, read_by = ? WHERE organisation_id = ? AND read_at IS NULL",
        )
        .bind(audit::now())
        .bind(&actor.name)
        .bind(organisation_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::Read,
                record_type: RecordType::Notification,
                record_id: None,
                case_id: None,
                detail: format!("{changed} notifications marked read"),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(changed)
    }
}

/// The notes of a case written by the time the referral was made.
async fn notes_of_case(
    connection: &mut SqliteConnection,
    case_id: i64,
    referral_made_at: &str,
) -> StoreResult<Vec<SharedNote>> {
    let rows = sqlx::query(
        "SELECT author, text, created_at FROM case_notes WHERE case_id = ? ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(&mut *connection)
    .await?;
    let mut notes = Vec::new();
    for row in &rows {
        let note = SharedNote {
            author: row.try_get("author")?,
            text: row.try_get("text")?,
            created_at: row.try_get("created_at")?,
        };
        if sharing::existed_at_referral(&note.created_at, referral_made_at) {
            notes.push(note);
        }
    }
    Ok(notes)
}

/// The screenings of a case, when the database has them (the `screenings` table comes with the web
/// application's migrations; without it a case has no screenings).
async fn screenings_of_case(
    connection: &mut SqliteConnection,
    case_id: i64,
) -> StoreResult<Vec<SharedScreening>> {
    let exists: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'screenings'",
    )
    .fetch_one(&mut *connection)
    .await?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT id, level, rule_set_version, created_at, result, input FROM screenings
         WHERE case_id = $1 AND voided_at IS NULL ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(&mut *connection)
    .await?;
    rows.iter()
        .map(|row| {
            let result: String = row.try_get("result")?;
            let input: String = row.try_get("input")?;
            Ok(SharedScreening {
                input: serde_json::from_str(&input).map_err(|error| {
                    StoreError::Invalid(format!("stored screening input: {error}"))
                })?,
                id: row.try_get("id")?,
                level: row.try_get("level")?,
                rule_set_version: row.try_get("rule_set_version")?,
                created_at: row.try_get("created_at")?,
                result: serde_json::from_str(&result).map_err(|error| {
                    StoreError::Invalid(format!("stored screening result: {error}"))
                })?,
            })
        })
        .collect()
}
