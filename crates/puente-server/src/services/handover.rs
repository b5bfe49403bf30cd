//! The receiver's own case opened from an accepted referral: from the shared parts only.

use puente_core::sharing::case_from_shared;
use puente_core::Lang;
use puente_store::{NewCase, ReferralStatus};

use crate::auth::Principal;
use crate::cases;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::AppState;

/// The name a case opened from a referral carries when the person's identity was not shared.
fn unshared_name(referral_id: i64, lang: Lang) -> String {
    match lang {
        Lang::Es => format!("Persona de la remisión {referral_id}"),
        Lang::En => format!("Person of referral {referral_id}"),
    }
}

/// Opens, at the receiving organisation, a case filled from the shared parts of an accepted
/// referral (read through `shared_case`, audited on both sides), owned by the user, and links it
/// to the referral. A referral that has a case already is refused before anything is written.
pub async fn open_case_from_referral(
    state: &AppState,
    principal: &Principal,
    referral_id: i64,
    lang: Lang,
) -> Result<i64, AppError> {
    policy::require(&principal.subject(), Action::ViewReferredCase, None)?;
    policy::require(&principal.subject(), Action::CreateCase, None)?;
    let organisation_id = principal.user.organisation_id;
    let referral = state
        .store
        .referral(organisation_id, referral_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if referral.to_organisation_id != organisation_id {
        return Err(AppError::NotFound);
    }
    if referral.status != ReferralStatus::Accepted {
        return Err(AppError::Conflict(format!(
            "referral {referral_id} is {}: a case is opened from an accepted referral",
            referral.status.code()
        )));
    }
    if let Some(case_id) = state
        .store
        .referral_case(organisation_id, referral_id)
        .await?
    {
        return Err(AppError::Conflict(format!(
            "case {case_id} was opened from referral {referral_id} already"
        )));
    }
    let shared = state
        .store
        .shared_case(&principal.actor(), organisation_id, referral_id)
        .await?;
    let case = case_from_shared(
        shared.identity.as_ref(),
        shared.contact.as_ref(),
        shared.events.as_deref(),
        &unshared_name(referral_id, lang),
    );
    cases::validate_case(&case)?;
    let ids = state
        .store
        .create_cases(
            &principal.actor(),
            organisation_id,
            &[NewCase {
                case,
                owner_user_id: Some(principal.user.id),
                opened_on: puente_store::cases::today_iso(),
            }],
        )
        .await?;
    let case_id = *ids
        .first()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the store created no case")))?;
    state
        .store
        .link_referral_case(&principal.actor(), organisation_id, referral_id, case_id)
        .await?;
    Ok(case_id)
}
