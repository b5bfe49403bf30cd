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
use puente_core::domain::{PartialDate, TraffickingEvent};
use puente_core::htcds::{ConsentScope, ReferralReason};
use puente_core::Lang;
use serde::Serialize;

use crate::cases::today_iso;
use crate::{Actor, StoreError, StoreResult};

pub use puente_core::sharing::{
    ReferralStatus, ReferralUrgency, SharedContact, SharedDocument, SharedIdentity, SharedNote,
    SharedScreening, SHAREABLE_SCOPES,
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
    /// How soon the receiver is asked to act.
    pub urgency: ReferralUrgency,
    /// Why, in words (no more of the person than the shared parts hold).
    pub reason_note: Option<String>,
    /// The contact person at the sending organisation.
    pub contact_person: ReferralContact,
}

/// Whom the receiver calls at the sending organisation about a referral.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReferralContact {
    pub name: String,
    /// A phone number or an e-mail address.
    pub details: Option<String>,
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
    pub urgency: ReferralUrgency,
    pub reason_note: Option<String>,
    pub contact_person: ReferralContact,
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
    /// The other organisation wrote a message on the referral.
    ReferralMessage,
}

impl NotificationKind {
    /// Every kind of notification.
    pub const ALL: [NotificationKind; 7] = [
        NotificationKind::ReferralReceived,
        NotificationKind::ReferralAccepted,
        NotificationKind::ReferralRejected,
        NotificationKind::ReferralCompleted,
        NotificationKind::ReferralRevoked,
        NotificationKind::ConsentWithdrawn,
        NotificationKind::ReferralMessage,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::ReferralReceived => "referral_received",
            NotificationKind::ReferralAccepted => "referral_accepted",
            NotificationKind::ReferralRejected => "referral_rejected",
            NotificationKind::ReferralCompleted => "referral_completed",
            NotificationKind::ReferralRevoked => "referral_revoked",
            NotificationKind::ConsentWithdrawn => "consent_withdrawn",
            NotificationKind::ReferralMessage => "referral_message",
        }
    }

    pub fn from_code(code: &str) -> Option<NotificationKind> {
        NotificationKind::ALL
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
            (NotificationKind::ReferralMessage, Lang::Es) => {
                format!("Nuevo mensaje de {other} en la remisión {id}")
            }
            (NotificationKind::ReferralMessage, Lang::En) => {
                format!("New message from {other} on referral {id}")
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

pub(crate) fn today_partial_date() -> StoreResult<PartialDate> {
    today_iso()
        .parse()
        .map_err(|_| StoreError::Invalid("today's date".into()))
}
