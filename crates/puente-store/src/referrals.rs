//! Referrals of a case from one organisation to another, gated by the survivor's consent, and the
//! notifications they raise.
//!
//! # The rules
//! - A referral shares parts of a case: a subset of [`SHAREABLE_SCOPES`](crate::referrals::SHAREABLE_SCOPES) (identity, contact,
//!   screening, events, notes). It is refused ([`StoreError::Conflict`]) unless the case carries an
//!   active consent (`con_`) to share every one of those parts with the receiving organisation.
//!   When the request says the person consents (`consent: true`), that consent is recorded on the
//!   case first, in the same transaction, with who recorded it and when (a new case version).
//! - Statuses: `pending` → `accepted` or `rejected` (by the receiver); `accepted` → `completed` (by
//!   the receiver); `pending` or `accepted` → `revoked` (by the sender). The receiver reads the shared
//!   parts while the referral is pending, accepted or completed; a rejection or a revocation ends
//!   that access, and so does a withdrawal of the consent (each read checks the consent again).
//! - [`ReferralStore::shared_case`] returns only the shared parts: a [`SharedCase`] whose unshared
//!   parts are absent (`None`, and left out of its JSON), never blank.
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
//!   `StoreError::Conflict` (no consent, or an open referral exists) → 409 with the message;
//!   `StoreError::Invalid` → 422; `StoreError::NotFound` → 404.
//! - `POST /api/v1/referrals/{id}/accept|reject|complete` (receiver) and `.../revoke` (sender):
//!   the `*_referral` methods; a wrong side or a wrong status is a `Conflict` (409), a referral the
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
use puente_core::domain::{Consent, PartialDate, TraffickingEvent};
use puente_core::htcds::{ConsentScope, Gender, ReferralReason};
use puente_core::{Country, Label, Lang, Vocabulary};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::audit::{self, NewAuditEntry};
use crate::cases::{
    document_of, insert_history, stored_case_from_row, today_iso, StoredCase, CASE_COLUMNS,
};
use crate::sqlite::SqliteStore;
use crate::{Actor, StoreError, StoreResult};

/// The parts of a case a referral may share.
pub const SHAREABLE_SCOPES: [ConsentScope; 5] = [
    ConsentScope::Identity,
    ConsentScope::Contact,
    ConsentScope::Screening,
    ConsentScope::Events,
    ConsentScope::Notes,
];

/// Where a referral stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Pending,
    Accepted,
    Rejected,
    Completed,
    Revoked,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 5] = [
        ReferralStatus::Pending,
        ReferralStatus::Accepted,
        ReferralStatus::Rejected,
        ReferralStatus::Completed,
        ReferralStatus::Revoked,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Pending => "pending",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Rejected => "rejected",
            ReferralStatus::Completed => "completed",
            ReferralStatus::Revoked => "revoked",
        }
    }

    pub fn from_code(code: &str) -> Option<ReferralStatus> {
        ReferralStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }

    pub fn label(self) -> Label {
        match self {
            ReferralStatus::Pending => Label {
                es: "Pendiente",
                en: "Pending",
            },
            ReferralStatus::Accepted => Label {
                es: "Aceptada",
                en: "Accepted",
            },
            ReferralStatus::Rejected => Label {
                es: "Rechazada",
                en: "Rejected",
            },
            ReferralStatus::Completed => Label {
                es: "Completada",
                en: "Completed",
            },
            ReferralStatus::Revoked => Label {
                es: "Revocada",
                en: "Revoked",
            },
        }
    }

    /// Whether the receiver may read the shared parts of the case.
    pub fn gives_access(self) -> bool {
        matches!(
            self,
            ReferralStatus::Pending | ReferralStatus::Accepted | ReferralStatus::Completed
        )
    }
}

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
    pub created_by: String,
    pub created_at: String,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    pub answer_note: Option<String>,
    pub completed_by: Option<String>,
    pub completed_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revoked_at: Option<String>,
    pub updated_at: String,
    pub htcds: HtcdsReferralFields,
}

/// The identity of the person, when shared: names, sex, date of birth or estimated age,
/// nationality, languages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedIdentity {
    pub given_name: String,
    pub middle_name: Option<String>,
    pub surname: String,
    pub second_surname: Option<String>,
    pub alias: Option<String>,
    pub sex: Option<Gender>,
    pub date_of_birth: Option<PartialDate>,
    pub estimated_age: Option<u32>,
    pub nationality: Option<Country>,
    pub languages: Vec<String>,
}

/// How to reach the person, when shared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedContact {
    pub phone: Option<String>,
    pub current_country: Option<Country>,
    pub current_place: Option<String>,
}

/// A screening of the case, when shared: its result as the engine gave it, and the facts it was
/// given, so that the receiver reads its explanation and next steps in the receiver's language.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedScreening {
    pub id: i64,
    pub level: String,
    pub rule_set_version: String,
    pub created_at: String,
    pub result: serde_json::Value,
    /// The screening's input: its facts and the age, sex and countries the rules read. Used to
    /// write the explanation in the receiver's language; never sent to the receiver as such
    /// (not serialised), so nothing of the person beyond the result travels with it.
    #[serde(skip_serializing)]
    pub input: serde_json::Value,
}

/// A note of the case, when shared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedNote {
    pub author: String,
    pub text: String,
    pub created_at: String,
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
}

impl NotificationKind {
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::ReferralReceived => "referral_received",
            NotificationKind::ReferralAccepted => "referral_accepted",
            NotificationKind::ReferralRejected => "referral_rejected",
            NotificationKind::ReferralCompleted => "referral_completed",
            NotificationKind::ReferralRevoked => "referral_revoked",
        }
    }

    fn from_code(code: &str) -> Option<NotificationKind> {
        [
            NotificationKind::ReferralReceived,
            NotificationKind::ReferralAccepted,
            NotificationKind::ReferralRejected,
            NotificationKind::ReferralCompleted,
            NotificationKind::ReferralRevoked,
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

fn scope_list(scopes: &[ConsentScope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.code())
        .collect::<Vec<_>>()
        .join(", ")
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
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        answered_by: row.try_get("answered_by")?,
        answered_at: row.try_get("answered_at")?,
        answer_note: row.try_get("answer_note")?,
        completed_by: row.try_get("completed_by")?,
        completed_at: row.try_get("completed_at")?,
        revoked_by: row.try_get("revoked_by")?,
        revoked_at: row.try_get("revoked_at")?,
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
async fn audit_both_sides(
    connection: &mut SqliteConnection,
    actor: &Actor,
    referral: &StoredReferral,
    action: &str,
    detail: &str,
) -> StoreResult<()> {
    audit::append(
        connection,
        &NewAuditEntry {
            actor: actor.name.clone(),
            organisation_id: Some(referral.from_organisation_id),
            action: action.into(),
            record_type: "case".into(),
            record_id: Some(referral.case_id.to_string()),
            detail: format!(
                "referral {} to {}: {detail}",
                referral.id, referral.to_organisation
            ),
        },
    )
    .await?;
    audit::append(
        connection,
        &NewAuditEntry {
            actor: actor.name.clone(),
            organisation_id: Some(referral.to_organisation_id),
            action: action.into(),
            record_type: "referral".into(),
            record_id: Some(referral.id.to_string()),
            detail: format!("from {}: {detail}", referral.from_organisation),
        },
    )
    .await?;
    Ok(())
}

async fn notify(
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

/// The scopes that active consents of the case cover for sharing with `organisation_slug`.
fn consented_scopes(consents: &[Consent], organisation_slug: &str) -> Vec<ConsentScope> {
    let mut scopes = Vec::new();
    for consent in consents.iter().filter(|consent| {
        consent.is_active() && consent.with_organisation.as_deref() == Some(organisation_slug)
    }) {
        for scope in &consent.scopes {
            if !scopes.contains(scope) {
                scopes.push(*scope);
            }
        }
    }
    scopes
}

fn today_partial_date() -> PartialDate {
    today_iso()
        .parse()
        .expect("today's date is always a valid date")
}

async fn load_case(
    connection: &mut SqliteConnection,
    organisation_id: i64,
    case_id: i64,
) -> StoreResult<Option<StoredCase>> {
    let row = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c JOIN persons p ON p.id = c.person_id WHERE c.id = ? AND c.organisation_id = ?"
    ))
    .bind(case_id)
    .bind(organisation_id)
    .fetch_optional(&mut *connection)
    .await?;
    row.as_ref().map(stored_case_from_row).transpose()
}

/// Which side of a referral must act.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Sender,
    Receiver,
}

impl SqliteStore {
    /// Moves a referral from one of `from` to `to`, by `side`, and audits and notifies it.
    #[allow(clippy::too_many_arguments)]
    async fn change_status(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
        side: Side,
        from: &[ReferralStatus],
        to: ReferralStatus,
        note: Option<&str>,
    ) -> StoreResult<StoredReferral> {
        let mut transaction = self.writer.begin().await?;
        let Some(referral) = load_referral(&mut transaction, referral_id).await? else {
            return Err(StoreError::NotFound(format!("referral {referral_id}")));
        };
        let acting_organisation = match side {
            Side::Sender => referral.from_organisation_id,
            Side::Receiver => referral.to_organisation_id,
        };
        if acting_organisation != organisation_id {
            let visible = referral.from_organisation_id == organisation_id
                || referral.to_organisation_id == organisation_id;
            return Err(if visible {
                StoreError::Conflict(format!(
                    "only the {} organisation can mark referral {referral_id} {}",
                    if side == Side::Sender {
                        "sending"
                    } else {
                        "receiving"
                    },
                    to.code()
                ))
            } else {
                StoreError::NotFound(format!("referral {referral_id}"))
            });
        }
        if !from.contains(&referral.status) {
            let allowed: Vec<&str> = from.iter().map(|status| status.code()).collect();
            return Err(StoreError::Conflict(format!(
                "referral {referral_id} is {}; only a referral that is {} can be marked {}",
                referral.status.code(),
                allowed.join(" or "),
                to.code()
            )));
        }
        let now = audit::now();
        let (column_by, column_at, notified, kind) = match to {
            ReferralStatus::Accepted => (
                "answered_by",
                "answered_at",
                referral.from_organisation_id,
                NotificationKind::ReferralAccepted,
            ),
            ReferralStatus::Rejected => (
                "answered_by",
                "answered_at",
                referral.from_organisation_id,
                NotificationKind::ReferralRejected,
            ),
            ReferralStatus::Completed => (
                "completed_by",
                "completed_at",
                referral.from_organisation_id,
                NotificationKind::ReferralCompleted,
            ),
            ReferralStatus::Revoked => (
                "revoked_by",
                "revoked_at",
                referral.to_organisation_id,
                NotificationKind::ReferralRevoked,
            ),
            ReferralStatus::Pending => {
                return Err(StoreError::Invalid(
                    "a referral never returns to pending".into(),
                ))
            }
        };
        sqlx::query(&format!(
            "UPDATE referrals SET status = ?, {column_by} = ?, {column_at} = ?, updated_at = ?,
                 answer_note = COALESCE(?, answer_note),
                 incoming_referral_date = CASE WHEN ? = 'accepted' THEN ? ELSE incoming_referral_date END
             WHERE id = ?"
        ))
        .bind(to.code())
        .bind(&actor.name)
        .bind(&now)
        .bind(&now)
        .bind(note)
        .bind(to.code())
        .bind(today_iso())
        .bind(referral_id)
        .execute(&mut *transaction)
        .await?;
        let updated = load_referral(&mut transaction, referral_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("referral {referral_id}")))?;
        audit_both_sides(
            &mut transaction,
            actor,
            &updated,
            &format!("referral_{}", to.code()),
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
        if referral.share.is_empty() {
            return Err(StoreError::Invalid(
                "a referral shares at least one part of the case (identity, contact, screening, events or notes)".into(),
            ));
        }
        if let Some(scope) = referral
            .share
            .iter()
            .find(|scope| !SHAREABLE_SCOPES.contains(scope))
        {
            return Err(StoreError::Invalid(format!(
                "`{}` cannot be shared by a referral: share identity, contact, screening, events or notes",
                scope.code()
            )));
        }
        let mut share: Vec<ConsentScope> = Vec::new();
        for scope in &referral.share {
            if !share.contains(scope) {
                share.push(*scope);
            }
        }
        if referral.to_organisation_id == organisation_id {
            return Err(StoreError::Invalid(
                "a case is referred to another organisation, not to its own".into(),
            ));
        }
        let mut transaction = self.writer.begin().await?;
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
        let Some(stored) = load_case(&mut transaction, organisation_id, referral.case_id).await?
        else {
            return Err(StoreError::NotFound(format!("case {}", referral.case_id)));
        };
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM referrals WHERE case_id = ? AND to_organisation_id = ? AND status IN ('pending', 'accepted')",
        )
        .bind(referral.case_id)
        .bind(referral.to_organisation_id)
        .fetch_optional(&mut *transaction)
        .await?;
        if let Some(open) = open {
            return Err(StoreError::Conflict(format!(
                "case {} already has an open referral ({open}) to {receiver_name}",
                referral.case_id
            )));
        }

        let covered = consented_scopes(&stored.case.consents, &receiver_slug);
        let missing: Vec<ConsentScope> = share
            .iter()
            .copied()
            .filter(|scope| !covered.contains(scope))
            .collect();
        let mut consent_recorded_here = false;
        if !missing.is_empty() {
            if !referral.consent {
                return Err(StoreError::Conflict(format!(
                    "no consent is recorded to share {} with {receiver_name}: record the person's consent to share it, or share less",
                    scope_list(&missing)
                )));
            }
            let mut case = stored.case.clone();
            case.consents.push(Consent {
                scopes: share.clone(),
                with_organisation: Some(receiver_slug.clone()),
                given_on: today_partial_date(),
                recorded_by: actor.name.clone(),
                withdrawn_on: None,
            });
            let now = audit::now();
            let version = stored.version + 1;
            sqlx::query(
                "UPDATE cases SET version = ?, document = ?, updated_at = ? WHERE id = ? AND version = ?",
            )
            .bind(version)
            .bind(document_of(&case)?)
            .bind(&now)
            .bind(stored.id)
            .bind(stored.version)
            .execute(&mut *transaction)
            .await?;
            insert_history(&mut transaction, stored.id, version, &case, actor, &now).await?;
            audit::append(
                &mut transaction,
                &NewAuditEntry {
                    actor: actor.name.clone(),
                    organisation_id: Some(organisation_id),
                    action: "consent".into(),
                    record_type: "case".into(),
                    record_id: Some(stored.id.to_string()),
                    detail: format!(
                        "version {version}: consent recorded to share {} with {receiver_slug}",
                        scope_list(&share)
                    ),
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
                 consent_recorded_here, created_by, created_at, outgoing_referral_date, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(referral.case_id)
        .bind(organisation_id)
        .bind(referral.to_organisation_id)
        .bind(services)
        .bind(share_json)
        .bind(referral.reason.code())
        .bind(consent_recorded_here)
        .bind(&actor.name)
        .bind(&now)
        .bind(today_iso())
        .bind(&now)
        .fetch_one(&mut *transaction)
        .await?;
        let created = load_referral(&mut transaction, id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("referral {id}")))?;
        audit_both_sides(
            &mut transaction,
            actor,
            &created,
            "referral_create",
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
            Side::Receiver,
            &[ReferralStatus::Pending],
            ReferralStatus::Accepted,
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
            Side::Receiver,
            &[ReferralStatus::Pending],
            ReferralStatus::Rejected,
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
            Side::Receiver,
            &[ReferralStatus::Accepted],
            ReferralStatus::Completed,
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
            Side::Sender,
            &[ReferralStatus::Pending, ReferralStatus::Accepted],
            ReferralStatus::Revoked,
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
        let mut transaction = self.writer.begin().await?;
        let referral = load_referral(&mut transaction, referral_id)
            .await?
            .filter(|referral| referral.to_organisation_id == organisation_id)
            .ok_or_else(|| StoreError::NotFound(format!("referral {referral_id}")))?;
        if !referral.status.gives_access() {
            return Err(StoreError::Conflict(format!(
                "referral {referral_id} is {}: access to the case has ended",
                referral.status.code()
            )));
        }
        let stored = load_case(
            &mut transaction,
            referral.from_organisation_id,
            referral.case_id,
        )
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("referral {referral_id}")))?;
        let covered = consented_scopes(&stored.case.consents, &referral.to_organisation);
        let shared: Vec<ConsentScope> = referral
            .share
            .iter()
            .copied()
            .filter(|scope| covered.contains(scope))
            .collect();
        let person = &stored.case.person;
        let identity = shared
            .contains(&ConsentScope::Identity)
            .then(|| SharedIdentity {
                given_name: person.given_name.clone(),
                middle_name: person.middle_name.clone(),
                surname: person.surname.clone(),
                second_surname: person.second_surname.clone(),
                alias: person.alias.clone(),
                sex: person.sex,
                date_of_birth: person.date_of_birth,
                estimated_age: person.estimated_age,
                nationality: person.nationality,
                languages: person.languages.clone(),
            });
        let contact = shared
            .contains(&ConsentScope::Contact)
            .then(|| SharedContact {
                phone: person
                    .phone
                    .as_ref()
                    .map(|phone| phone.as_str().to_string()),
                current_country: person.current_country,
                current_place: person.current_place.clone(),
            });
        let events = shared
            .contains(&ConsentScope::Events)
            .then(|| stored.case.events.clone());
        let notes = if shared.contains(&ConsentScope::Notes) {
            let rows = sqlx::query(
                "SELECT author, text, created_at FROM case_notes WHERE case_id = ? ORDER BY id",
            )
            .bind(stored.id)
            .fetch_all(&mut *transaction)
            .await?;
            Some(
                rows.iter()
                    .map(|row| {
                        Ok(SharedNote {
                            author: row.try_get("author")?,
                            text: row.try_get("text")?,
                            created_at: row.try_get("created_at")?,
                        })
                    })
                    .collect::<StoreResult<Vec<_>>>()?,
            )
        } else {
            None
        };
        let screenings = if shared.contains(&ConsentScope::Screening) {
            Some(screenings_of_case(&mut transaction, stored.id).await?)
        } else {
            None
        };
        audit_both_sides(
            &mut transaction,
            actor,
            &referral,
            "referral_view",
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
        let mut transaction = self.writer.begin().await?;
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
            return Err(StoreError::NotFound(format!(
                "notification {notification_id}"
            )));
        }
        audit::append(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: "read".into(),
                record_type: "notification".into(),
                record_id: Some(notification_id.to_string()),
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
        let mut transaction = self.writer.begin().await?;
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
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: "read".into(),
                record_type: "notification".into(),
                record_id: None,
                detail: format!("{changed} notifications marked read"),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(changed)
    }
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
        "SELECT id, level, rule_set_version, created_at, result, input FROM screenings WHERE case_id = ? ORDER BY id",
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
