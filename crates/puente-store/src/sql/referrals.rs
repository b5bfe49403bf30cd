//! The SQL of `crate::referrals`, written once for both backends.

use async_trait::async_trait;
use puente_core::domain::Case;
use puente_core::htcds::{ConsentScope, ReferralReason};
use puente_core::sharing::{self, ReferralEvent, ReferralSide, SharedParts};
use puente_core::Vocabulary;
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use super::cases::today_iso;
use super::consents::{self, scope_list, NewConsent};
use crate::audit_files::AuditKey;
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::referrals::*;

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

fn referral_from_row(row: &DbRow) -> StoreResult<StoredReferral> {
    let services: String = row.try_get("services")?;
    let share: String = row.try_get("share")?;
    let reason: String = row.try_get("reason")?;
    let status: String = row.try_get("status")?;
    let reason = ReferralReason::from_code(&reason).unwrap_or(ReferralReason::Other);
    let urgency: String = row.try_get("urgency")?;
    let urgency = ReferralUrgency::from_code(&urgency)
        .ok_or_else(|| StoreError::Invalid(format!("stored referral urgency `{urgency}`")))?;
    let from_name: String = row.try_get("from_name")?;
    let to_name: String = row.try_get("to_name")?;
    let outgoing_referral_date: String = row.try_get("outgoing_referral_date")?;
    let incoming_referral_date: Option<String> = row.try_get("incoming_referral_date")?;
    let consent_recorded_here: bool = row.try_get("consent_recorded_here")?;
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
        urgency,
        reason_note: row.try_get("reason_note")?,
        contact_person: ReferralContact {
            name: row.try_get("contact_name")?,
            details: row.try_get("contact_details")?,
        },
        status: ReferralStatus::from_code(&status)
            .ok_or_else(|| StoreError::Invalid(format!("stored referral status `{status}`")))?,
        consent_recorded_here,
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

pub(crate) async fn load_referral(
    connection: &mut DbConnection,
    referral_id: i64,
) -> StoreResult<Option<StoredReferral>> {
    let row = sqlx::query(&format!("{REFERRAL_SELECT} WHERE r.id = $1"))
        .bind(referral_id)
        .fetch_optional(&mut *connection)
        .await?;
    row.as_ref().map(referral_from_row).transpose()
}

/// The two audit entries of a referral event: the sender's (an entry of the case) and the
/// receiver's (an entry of the referral).
pub(crate) async fn audit_both_sides(
    connection: &mut DbConnection,
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
    connection: &mut DbConnection,
    organisation_id: i64,
    kind: NotificationKind,
    referral_id: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO notifications (organisation_id, kind, referral_id, created_at) VALUES ($1, $2, $3, $4)",
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
    connection: &mut DbConnection,
    case_id: i64,
    receiver_slug: &str,
) -> StoreResult<Vec<StoredReferral>> {
    let rows = sqlx::query(&format!(
        "{REFERRAL_SELECT} WHERE r.case_id = $1 AND t.slug = $2 ORDER BY r.id"
    ))
    .bind(case_id)
    .bind(receiver_slug)
    .fetch_all(&mut *connection)
    .await?;
    rows.iter().map(referral_from_row).collect()
}

/// The case as it stood at `version` (from its saved versions); the current case when that
/// version was never saved.
async fn case_at_version(
    connection: &mut DbConnection,
    organisation_id: i64,
    case_id: i64,
    version: i64,
) -> StoreResult<Option<Case>> {
    let snapshot: Option<String> = sqlx::query_scalar(
        "SELECT h.snapshot FROM case_history h JOIN cases c ON c.id = h.case_id
         WHERE h.case_id = $1 AND h.version = $2 AND c.organisation_id = $3",
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
            super::cases::load_case(connection, Some(organisation_id), case_id)
                .await?
                .map(|stored| stored.case),
        ),
    }
}

/// A text with its surrounding spaces removed; `None` when nothing is left.
fn trimmed(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_string)
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

impl Backend {
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
            "UPDATE referrals SET status = $1, {column_by} = $2, {column_at} = $3, updated_at = $4,
                 answer_note = COALESCE($5, answer_note),
                 incoming_referral_date = CASE WHEN $6 = 'accepted' THEN $7 ELSE incoming_referral_date END
             WHERE id = $8 AND status = $9"
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
impl ReferralStore for Backend {
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
        let reason_note = trimmed(referral.reason_note.as_deref());
        let contact_details = trimmed(referral.contact_person.details.as_deref());
        // The contact is the person who refers, unless another colleague is named.
        let contact_name =
            trimmed(Some(&referral.contact_person.name)).unwrap_or_else(|| actor.name.clone());
        if let Some(problem) = puente_core::bounds::referral_details_out_of_bounds(
            reason_note.as_deref(),
            Some(&contact_name),
            contact_details.as_deref(),
        ) {
            return Err(StoreError::Invalid(format!(
                "the referral's {} is longer than its bounds allow",
                problem.field
            )));
        }
        let mut transaction = self.begin_write().await?;
        let receiver: Option<(String, String)> =
            sqlx::query_as("SELECT slug, name FROM organisations WHERE id = $1")
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
                sqlx::query_scalar("SELECT organisation_id FROM services WHERE id = $1")
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
            sqlx::query_scalar("SELECT version FROM cases WHERE id = $1 AND organisation_id = $2")
                .bind(referral.case_id)
                .bind(organisation_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let Some(case_version) = case_version else {
            return Err(StoreError::not_found("case", referral.case_id));
        };
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM referrals WHERE case_id = $1 AND to_organisation_id = $2 AND status IN ('pending', 'accepted')",
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
                 consent_recorded_here, case_version, created_by, created_at, outgoing_referral_date, updated_at,
                 urgency, reason_note, contact_name, contact_details)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
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
        .bind(referral.urgency.code())
        .bind(&reason_note)
        .bind(&contact_name)
        .bind(&contact_details)
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
        self.list_referrals("r.from_organisation_id = $1", organisation_id, "DESC")
            .await
    }

    async fn referrals_received(&self, organisation_id: i64) -> StoreResult<Vec<StoredReferral>> {
        self.list_referrals("r.to_organisation_id = $1", organisation_id, "DESC")
            .await
    }

    async fn referrals_of_case(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredReferral>> {
        let referrals = self
            .list_referrals("r.case_id = $1", case_id, "ASC")
            .await?;
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
            super::attachments::documents_of_case(
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
             WHERE n.organisation_id = $1 AND (NOT $2 OR n.read_at IS NULL)
             ORDER BY n.id DESC",
        )
        .bind(organisation_id)
        .bind(unread_only)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(notification_from_row).collect()
    }

    async fn mark_notification_read(
        &self,
        actor: &Actor,
        organisation_id: i64,
        notification_id: i64,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1), read_by = COALESCE(read_by, $2)
             WHERE id = $3 AND organisation_id = $4",
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
        self.append_audit(
            &mut transaction,
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
        let changed = mark_organisation_notifications_read(
            &mut transaction,
            actor,
            organisation_id,
            &audit::now(),
        )
        .await?;
        let entry = notifications_read_entry(
            actor,
            organisation_id,
            None,
            format!("{changed} notifications marked read"),
        );
        self.commit_with_audit(transaction, &entry).await?;
        Ok(changed)
    }
}

/// A notification from its row (with the other organisation's name as `other_name`).
pub(crate) fn notification_from_row(row: &DbRow) -> StoreResult<Notification> {
    let kind: String = row.try_get("kind")?;
    Ok(Notification {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        kind: NotificationKind::from_code(&kind)
            .ok_or_else(|| StoreError::Invalid(format!("stored notification kind `{kind}`")))?,
        referral_id: row.try_get("referral_id")?,
        other_organisation: row.try_get("other_name")?,
        created_at: row.try_get("created_at")?,
        read_at: row.try_get("read_at")?,
        read_by: row.try_get("read_by")?,
    })
}

/// Marks read, as of `now` and by `actor`, every notification of the organisation nobody read
/// yet; returns how many.
pub(crate) async fn mark_organisation_notifications_read(
    connection: &mut DbConnection,
    actor: &Actor,
    organisation_id: i64,
    now: &str,
) -> StoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE notifications SET read_at = $1, read_by = $2 WHERE organisation_id = $3 AND read_at IS NULL",
    )
    .bind(now)
    .bind(&actor.name)
    .bind(organisation_id)
    .execute(&mut *connection)
    .await?
    .rows_affected())
}

/// The audit entry of notifications marked read: one (`notification_id`) or all of the
/// organisation's.
pub(crate) fn notifications_read_entry(
    actor: &Actor,
    organisation_id: i64,
    notification_id: Option<i64>,
    detail: String,
) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.name.clone(),
        organisation_id: Some(organisation_id),
        action: AuditAction::Read,
        record_type: RecordType::Notification,
        record_id: notification_id.map(|id| id.to_string()),
        case_id: None,
        detail,
    }
}

/// The notes of a case written by the time the referral was made.
async fn notes_of_case(
    connection: &mut DbConnection,
    case_id: i64,
    referral_made_at: &str,
) -> StoreResult<Vec<SharedNote>> {
    let rows = sqlx::query(
        "SELECT author, text, created_at FROM case_notes WHERE case_id = $1 ORDER BY id",
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

/// The screenings of a case.
async fn screenings_of_case(
    connection: &mut DbConnection,
    case_id: i64,
) -> StoreResult<Vec<SharedScreening>> {
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
