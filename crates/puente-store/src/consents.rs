//! Consents as an append-only record, kept apart from the case they belong to.
//!
//! A consent is given ([`ConsentStore::give_consent`]) and may later be withdrawn
//! ([`ConsentStore::withdraw_consent`]); nothing else ever changes it (the database's triggers
//! refuse any other update and every delete). A case update never touches consents: the case's
//! `consents` are always read from here. A withdrawal ends, in the same transaction, every
//! referral of the case to that organisation that shared a part no active consent covers any
//! more; the receiver is notified and both sides audited.

use async_trait::async_trait;
use puente_core::domain::{Consent, PartialDate};
use puente_core::htcds::ConsentScope;
use puente_core::Vocabulary;
use serde::Serialize;

use crate::{Actor, StoreResult};

/// A consent to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewConsent {
    pub scopes: Vec<ConsentScope>,
    /// The organisation (slug) the person consents to share with; `None` for consent to the
    /// recording organisation itself.
    pub with_organisation: Option<String>,
    pub given_on: PartialDate,
}

/// A consent as stored: the consent, its id and case, and when it was recorded and withdrawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredConsent {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub consent: Consent,
    pub recorded_at: String,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<String>,
}

/// What a withdrawal did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsentWithdrawal {
    pub consent: StoredConsent,
    /// The referrals it ended (their ids): their receivers no longer see the case.
    pub ended_referrals: Vec<i64>,
}

/// The consents of cases.
#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// Records a consent on a case of `organisation_id`, by the actor. Refused with
    /// [`StoreError::Invalid`] without scopes, for a date in the future or an unknown organisation;
    /// [`StoreError::NotFound`] when the case is not the organisation's. Audited naming the
    /// consent and its scopes.
    async fn give_consent(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        consent: &NewConsent,
    ) -> StoreResult<StoredConsent>;
    /// Withdraws a consent today. [`StoreError::ConsentAlreadyWithdrawn`] when it was withdrawn
    /// before; [`StoreError::NotFound`] when the consent or its case is not the organisation's.
    /// Ends the referrals that shared under it (see the module).
    async fn withdraw_consent(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        consent_id: i64,
    ) -> StoreResult<ConsentWithdrawal>;
    /// The consents of a case of the organisation, in the order they were recorded.
    async fn consents(&self, organisation_id: i64, case_id: i64)
        -> StoreResult<Vec<StoredConsent>>;
}

/// The scopes as a list of codes, for audit details and messages.
pub(crate) fn scope_list(scopes: &[ConsentScope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.code())
        .collect::<Vec<_>>()
        .join(", ")
}
