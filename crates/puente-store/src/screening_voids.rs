//! Voiding a screening: it is kept with who voided it, when and why, shown as void, and never
//! shared through a referral nor counted in statistics or the annual report.

use async_trait::async_trait;

use crate::screenings::StoredScreening;
use crate::{Actor, StoreError, StoreResult};

/// The longest reason kept, in characters.
pub const VOID_REASON_MAX_CHARS: usize = 2000;

/// Voiding screenings.
#[async_trait]
pub trait ScreeningVoidStore: Send + Sync {
    /// Voids a screening of a case of the organisation, with a reason, and audits it in the same
    /// transaction. A screening already void is refused ([`StoreError::Conflict`]); one that is not
    /// in that case of that organisation is not found.
    async fn void_screening(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        screening_id: i64,
        reason: &str,
    ) -> StoreResult<StoredScreening>;
}

/// The reason, trimmed; refused when empty or too long.
pub fn checked_void_reason(reason: &str) -> StoreResult<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid(
            "a screening is voided with a reason".into(),
        ));
    }
    if reason.chars().count() > VOID_REASON_MAX_CHARS {
        return Err(StoreError::Invalid(format!(
            "the reason is longer than {VOID_REASON_MAX_CHARS} characters"
        )));
    }
    Ok(reason)
}
