//! What the server needs to know about a case before it may read it.
//!
//! Deciding whether a user may open a case needs the case's organisation and owner, and nothing
//! identifying: [`CaseAccessStore::case_access`] reads only those columns, so the check itself is
//! not a view of the person (the read that follows, when allowed, is audited).

use async_trait::async_trait;
use serde::Serialize;

use crate::StoreResult;

/// The organisation and owner of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CaseAccess {
    pub case_id: i64,
    pub organisation_id: i64,
    pub owner_user_id: Option<i64>,
    pub version: i64,
}

/// Access facts of cases (counts are in [`crate::case_stats`]).
#[async_trait]
pub trait CaseAccessStore: Send + Sync {
    /// The organisation, owner and version of a case, or `None` if there is no such case.
    async fn case_access(&self, case_id: i64) -> StoreResult<Option<CaseAccess>>;
    /// Gives a case of the organisation to a user (or to no one). Audited.
    async fn assign_case(
        &self,
        actor: &crate::Actor,
        organisation_id: i64,
        case_id: i64,
        owner_user_id: Option<i64>,
    ) -> StoreResult<()>;
}
