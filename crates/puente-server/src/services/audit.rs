//! The audit entries about one case, for its audit page and the API.

use puente_store::AuditQuery;

use crate::error::AppError;
use crate::AppState;

/// The audit entries about one case: the case itself, its notes and its screenings.
pub async fn case_audit_entries(
    state: &AppState,
    organisation_id: i64,
    case_id: i64,
) -> Result<Vec<puente_store::AuditEntry>, AppError> {
    let mut entries = state
        .store
        .audit_entries(&AuditQuery {
            case_id: Some(case_id),
            organisation_id: Some(organisation_id),
            ..AuditQuery::default()
        })
        .await?;
    entries.sort_by_key(|entry| entry.id);
    Ok(entries)
}
