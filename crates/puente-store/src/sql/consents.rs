//! The SQL of `crate::consents`, written once for both backends.

use async_trait::async_trait;
use puente_core::domain::{Consent, PartialDate};
use puente_core::htcds::ConsentScope;
use puente_core::sharing::{self, ReferralEvent, ReferralSide};
use puente_core::Vocabulary;
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use super::cases::today_iso;
use super::referrals::{self, NotificationKind};
use crate::audit_files::AuditKey;
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::consents::*;

fn stored_consent_from_row(row: &DbRow) -> StoreResult<StoredConsent> {
    let scopes: String = row.try_get("scopes")?;
    let codes: Vec<String> = serde_json::from_str(&scopes)
        .map_err(|error| StoreError::Invalid(format!("stored consent scopes: {error}")))?;
    let scopes = codes
        .iter()
        .map(|code| {
            ConsentScope::from_code(code)
                .ok_or_else(|| StoreError::Invalid(format!("stored consent scope `{code}`")))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let given_on: String = row.try_get("given_on")?;
    let withdrawn_on: Option<String> = row.try_get("withdrawn_on")?;
    let parse_date = |text: &str| {
        text.parse::<PartialDate>()
            .map_err(|_| StoreError::Invalid(format!("stored consent date `{text}`")))
    };
    let id: i64 = row.try_get("id")?;
    Ok(StoredConsent {
        id,
        case_id: row.try_get("case_id")?,
        consent: Consent {
            id: Some(id),
            scopes,
            with_organisation: row.try_get("with_organisation")?,
            given_on: parse_date(&given_on)?,
            recorded_by: row.try_get("recorded_by")?,
            withdrawn_on: withdrawn_on.as_deref().map(parse_date).transpose()?,
        },
        recorded_at: row.try_get("recorded_at")?,
        withdrawn_by: row.try_get("withdrawn_by")?,
        withdrawn_at: row.try_get("withdrawn_at")?,
    })
}

/// The consents of a case, oldest first (no organisation check: the caller has made it).
pub(crate) async fn consents_of_case(
    connection: &mut DbConnection,
    case_id: i64,
) -> StoreResult<Vec<StoredConsent>> {
    let rows = sqlx::query("SELECT * FROM consents WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&mut *connection)
        .await?;
    rows.iter().map(stored_consent_from_row).collect()
}

/// The consents of a case as the domain type.
pub(crate) async fn case_consents(
    connection: &mut DbConnection,
    case_id: i64,
) -> StoreResult<Vec<Consent>> {
    Ok(consents_of_case(connection, case_id)
        .await?
        .into_iter()
        .map(|stored| stored.consent)
        .collect())
}

/// Writes a consent row inside the caller's transaction, recorded by the actor now (a consent
/// given already withdrawn, as a case created from a record may hold, keeps its withdrawal).
pub(crate) async fn insert_consent_row(
    connection: &mut DbConnection,
    case_id: i64,
    consent: &Consent,
    actor: &Actor,
    now: &str,
) -> StoreResult<StoredConsent> {
    let codes: Vec<&str> = consent.scopes.iter().map(|scope| scope.code()).collect();
    let scopes = serde_json::to_string(&codes).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let withdrawn_on = consent.withdrawn_on.map(|date| date.to_string());
    let withdrawn_by = withdrawn_on.as_ref().map(|_| actor.name.clone());
    let withdrawn_at = withdrawn_on.as_ref().map(|_| now.to_string());
    let row = sqlx::query(
        "INSERT INTO consents (case_id, with_organisation, scopes, given_on, recorded_by, recorded_at,
             withdrawn_on, withdrawn_by, withdrawn_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *",
    )
    .bind(case_id)
    .bind(&consent.with_organisation)
    .bind(scopes)
    .bind(consent.given_on.to_string())
    .bind(&actor.name)
    .bind(now)
    .bind(withdrawn_on)
    .bind(withdrawn_by)
    .bind(withdrawn_at)
    .fetch_one(&mut *connection)
    .await?;
    stored_consent_from_row(&row)
}

/// Records a consent inside the caller's transaction and audits it, naming the consent and its
/// scopes (the checks are the caller's).
pub(crate) async fn insert_consent(
    connection: &mut DbConnection,
    key: &AuditKey,
    actor: &Actor,
    organisation_id: i64,
    case_id: i64,
    consent: &NewConsent,
) -> StoreResult<StoredConsent> {
    let now = audit::now();
    let stored = insert_consent_row(
        connection,
        case_id,
        &Consent {
            id: None,
            scopes: consent.scopes.clone(),
            with_organisation: consent.with_organisation.clone(),
            given_on: consent.given_on,
            recorded_by: actor.name.clone(),
            withdrawn_on: None,
        },
        actor,
        &now,
    )
    .await?;
    audit::append(
        connection,
        key,
        &NewAuditEntry::about(
            actor,
            organisation_id,
            AuditAction::ConsentGive,
            RecordType::Case,
            case_id,
            format!(
                "consent {}: share {} with {}, given on {}",
                stored.id,
                scope_list(&consent.scopes),
                consent
                    .with_organisation
                    .as_deref()
                    .unwrap_or("this organisation"),
                consent.given_on
            ),
        ),
    )
    .await?;
    Ok(stored)
}

async fn case_belongs_to(
    connection: &mut DbConnection,
    organisation_id: i64,
    case_id: i64,
) -> StoreResult<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE id = $1 AND organisation_id = $2")
            .bind(case_id)
            .bind(organisation_id)
            .fetch_optional(&mut *connection)
            .await?;
    Ok(found.is_some())
}

#[async_trait]
impl ConsentStore for Backend {
    async fn give_consent(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        consent: &NewConsent,
    ) -> StoreResult<StoredConsent> {
        if consent.scopes.is_empty() {
            return Err(StoreError::Invalid(
                "a consent names at least one part of the case it covers".into(),
            ));
        }
        let today: PartialDate = today_iso()
            .parse()
            .map_err(|_| StoreError::Invalid("today's date".into()))?;
        if consent.given_on > today {
            return Err(StoreError::Invalid(format!(
                "a consent cannot be given on {}, a day still to come",
                consent.given_on
            )));
        }
        let mut scopes: Vec<ConsentScope> = Vec::new();
        for scope in &consent.scopes {
            if !scopes.contains(scope) {
                scopes.push(*scope);
            }
        }
        let mut transaction = self.begin_write().await?;
        if let Some(slug) = &consent.with_organisation {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
                    .bind(slug)
                    .fetch_optional(&mut *transaction)
                    .await?;
            match exists {
                None => {
                    return Err(StoreError::Invalid(format!(
                        "with_organisation: no organisation is called `{slug}`"
                    )))
                }
                Some(id) if id == organisation_id => {
                    return Err(StoreError::Invalid(
                        "with_organisation: leave it empty for consent to this organisation itself"
                            .into(),
                    ))
                }
                Some(_) => {}
            }
        }
        if !case_belongs_to(&mut transaction, organisation_id, case_id).await? {
            return Err(StoreError::not_found("case", case_id));
        }
        let stored = insert_consent(
            &mut transaction,
            &self.audit_key(),
            actor,
            organisation_id,
            case_id,
            &NewConsent {
                scopes,
                ..consent.clone()
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn withdraw_consent(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        consent_id: i64,
    ) -> StoreResult<ConsentWithdrawal> {
        let mut transaction = self.begin_write().await?;
        if !case_belongs_to(&mut transaction, organisation_id, case_id).await? {
            return Err(StoreError::not_found("case", case_id));
        }
        let changed = sqlx::query(
            "UPDATE consents SET withdrawn_on = $1, withdrawn_by = $2, withdrawn_at = $3
             WHERE id = $4 AND case_id = $5 AND withdrawn_on IS NULL",
        )
        .bind(today_iso())
        .bind(&actor.name)
        .bind(audit::now())
        .bind(consent_id)
        .bind(case_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        let consents = consents_of_case(&mut transaction, case_id).await?;
        let Some(withdrawn) = consents
            .iter()
            .find(|stored| stored.id == consent_id)
            .cloned()
        else {
            return Err(StoreError::not_found("consent", consent_id));
        };
        if changed == 0 {
            return Err(StoreError::ConsentAlreadyWithdrawn {
                consent_id,
                withdrawn_on: withdrawn
                    .consent
                    .withdrawn_on
                    .map(|date| date.to_string())
                    .unwrap_or_default(),
            });
        }
        self.append_audit(
            &mut transaction,
            &NewAuditEntry::about(
                actor,
                organisation_id,
                AuditAction::ConsentWithdraw,
                RecordType::Case,
                case_id,
                format!(
                    "consent {consent_id} withdrawn: {} with {}",
                    scope_list(&withdrawn.consent.scopes),
                    withdrawn
                        .consent
                        .with_organisation
                        .as_deref()
                        .unwrap_or("this organisation")
                ),
            ),
        )
        .await?;
        let remaining: Vec<Consent> = consents.into_iter().map(|stored| stored.consent).collect();
        let mut ended_referrals = Vec::new();
        if let Some(receiver) = withdrawn.consent.with_organisation.as_deref() {
            for referral in
                referrals::referrals_of_case_to(&mut transaction, case_id, receiver).await?
            {
                if !sharing::withdrawal_ends_referral(
                    referral.status,
                    &referral.share,
                    &remaining,
                    receiver,
                ) {
                    continue;
                }
                let next = sharing::transition(
                    referral.status,
                    ReferralEvent::WithdrawConsent,
                    ReferralSide::Sender,
                )
                .map_err(|error| StoreError::ReferralTransition {
                    referral_id: referral.id,
                    error,
                })?;
                let now = audit::now();
                sqlx::query(
                    "UPDATE referrals SET status = $1, withdrawn_consent_id = $2, consent_withdrawn_at = $3, updated_at = $4
                     WHERE id = $5 AND status = $6",
                )
                .bind(next.code())
                .bind(consent_id)
                .bind(&now)
                .bind(&now)
                .bind(referral.id)
                .bind(referral.status.code())
                .execute(&mut *transaction)
                .await?;
                referrals::audit_both_sides(
                    &mut transaction,
                    &self.audit_key(),
                    actor,
                    &referral,
                    AuditAction::ReferralConsentWithdrawn,
                    &format!(
                        "{} to {}: consent {consent_id} ({}) withdrawn, access ended",
                        referral.status.code(),
                        next.code(),
                        scope_list(&withdrawn.consent.scopes)
                    ),
                )
                .await?;
                referrals::notify(
                    &mut transaction,
                    referral.to_organisation_id,
                    NotificationKind::ConsentWithdrawn,
                    referral.id,
                )
                .await?;
                ended_referrals.push(referral.id);
            }
        }
        transaction.commit().await?;
        Ok(ConsentWithdrawal {
            consent: withdrawn,
            ended_referrals,
        })
    }

    async fn consents(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredConsent>> {
        let mut connection = self.reader.acquire().await?;
        if !case_belongs_to(&mut connection, organisation_id, case_id).await? {
            return Err(StoreError::not_found("case", case_id));
        }
        consents_of_case(&mut connection, case_id).await
    }
}
