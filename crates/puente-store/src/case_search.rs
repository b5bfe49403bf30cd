//! Finding cases: the search keys of every person (written in the transaction of each insert and
//! update of the person), a case list filtered, sorted and paged in SQL with its total, and the
//! duplicate check's candidates, read by blocking key instead of the whole organisation.
//!
//! The keys themselves come from `puente_linkage::search_keys` (pure); this module only stores
//! them and looks them up. Every read is scoped by the organisation asking.

use async_trait::async_trait;
use puente_core::htcds::CaseStatus;
use puente_core::Country;
use puente_linkage::search_keys::SearchQuery;
use serde::Serialize;

use crate::cases::CaseSummary;
use crate::person_links::PersonToCompare;
use crate::{Actor, StoreResult};

/// The version of the key rules: persons whose keys were computed with an older one get new keys
/// when the store opens.
pub(crate) const SEARCH_KEYS_VERSION: i64 = 1;

/// The most cases one page may hold.
pub const MAX_PER_PAGE: u32 = 100;
/// The cases a page holds unless asked otherwise.
pub const DEFAULT_PER_PAGE: u32 = 25;

/// How a case list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    /// Opened most recently first (the default).
    #[default]
    Newest,
    /// Opened longest ago first.
    Oldest,
    /// Changed most recently first.
    Updated,
}

impl CaseSort {
    pub const ALL: [CaseSort; 3] = [CaseSort::Newest, CaseSort::Oldest, CaseSort::Updated];

    /// The code used in the API (`?sort=oldest`).
    pub fn code(self) -> &'static str {
        match self {
            CaseSort::Newest => "newest",
            CaseSort::Oldest => "oldest",
            CaseSort::Updated => "updated",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseSort> {
        CaseSort::ALL.into_iter().find(|sort| sort.code() == code)
    }

    pub(crate) fn order_by(self) -> &'static str {
        match self {
            CaseSort::Newest => "c.opened_on DESC, c.id DESC",
            CaseSort::Oldest => "c.opened_on ASC, c.id ASC",
            CaseSort::Updated => "c.updated_at DESC, c.id DESC",
        }
    }

    /// The column a list in this order is sorted by (then by the id, the same way).
    pub(crate) fn key_column(self) -> &'static str {
        match self {
            CaseSort::Newest | CaseSort::Oldest => "opened_on",
            CaseSort::Updated => "updated_at",
        }
    }

    /// Whether the list holds the largest keys first.
    pub(crate) fn descending(self) -> bool {
        !matches!(self, CaseSort::Oldest)
    }

    /// Whether a case of sort key `key` and id `id` comes after the cursor's in this order.
    pub(crate) fn comes_after(self, key: &str, id: i64, cursor: &CaseCursor) -> bool {
        let here = (key, id);
        let there = (cursor.key.as_str(), cursor.id);
        if self.descending() {
            here < there
        } else {
            here > there
        }
    }
}

/// Where a page of a case list ends: the sort key (the day opened, or the time changed) and the id
/// of its last case. The next page starts right after it, read from the index, so that a deep page
/// costs what the first one does. Carried in the API and the page's links as a short text
/// (`newest.41.2026-03-01`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseCursor {
    pub sort: CaseSort,
    pub id: i64,
    pub key: String,
}

/// The longest sort key a cursor may carry (a timestamp is 35 characters at most).
const MAX_CURSOR_KEY_CHARS: usize = 40;

impl CaseCursor {
    /// The cursor as text for an address.
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.sort.code(), self.id, self.key)
    }

    /// A cursor from [`CaseCursor::encode`]'s text; `None` when the text is not one.
    pub fn decode(text: &str) -> Option<CaseCursor> {
        let mut parts = text.splitn(3, '.');
        let sort = CaseSort::from_code(parts.next()?)?;
        let id = parts.next()?.parse::<i64>().ok().filter(|id| *id > 0)?;
        let key = parts.next()?;
        let key_is_a_time = !key.is_empty()
            && key.len() <= MAX_CURSOR_KEY_CHARS
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+'));
        key_is_a_time.then(|| CaseCursor {
            sort,
            id,
            key: key.to_string(),
        })
    }
}

/// What a case list asks for. `owner_user_id` is the caller's scope (set when the policy lets
/// the caller see only their own cases); `assignee` is a filter the caller chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFilter {
    pub query: SearchQuery,
    pub status: Option<CaseStatus>,
    pub owner_user_id: Option<i64>,
    pub assignee: Option<i64>,
    pub nationality: Option<Country>,
    /// `YYYY-MM-DD`, inclusive.
    pub opened_from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub opened_to: Option<String>,
    pub sort: CaseSort,
    /// From 1. A label only when `after` is set.
    pub page: u32,
    pub per_page: u32,
    /// Start right after this case (keyset paging) instead of skipping `page - 1` pages.
    pub after: Option<CaseCursor>,
}

impl Default for CaseFilter {
    fn default() -> CaseFilter {
        CaseFilter {
            query: SearchQuery::default(),
            status: None,
            owner_user_id: None,
            assignee: None,
            nationality: None,
            opened_from: None,
            opened_to: None,
            sort: CaseSort::Newest,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            after: None,
        }
    }
}

/// One page of a case list, and how many cases the whole list has.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CasePage {
    pub cases: Vec<CaseSummary>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// The cursor of the next page (its `cursor` parameter), while there is one.
    pub next_cursor: Option<String>,
}

/// Finding cases and the duplicate check's candidates.
#[async_trait]
pub trait CaseSearchStore: Send + Sync {
    /// One page of the organisation's cases that match `filter`, and the total. Audited as a list
    /// (the count only: never the query, which may hold a name).
    async fn find_cases(
        &self,
        actor: &Actor,
        organisation_id: i64,
        filter: &CaseFilter,
    ) -> StoreResult<CasePage>;
    /// The organisation's persons (not merged) that have one of `keys` (blocking keys from
    /// `puente_linkage::search_keys::duplicate_lookup_keys`), with their cases: the candidates
    /// of a duplicate check. Audited as one read of identifying data for a duplicate check.
    async fn duplicate_candidates(
        &self,
        actor: &Actor,
        organisation_id: i64,
        keys: &[String],
    ) -> StoreResult<Vec<PersonToCompare>>;
    /// The person of one of the organisation's cases (not identifying: an id).
    async fn case_person(&self, organisation_id: i64, case_id: i64) -> StoreResult<Option<i64>>;
}

/// The parts of a stored case document the statistics count.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct CountedParts {
    pub(crate) victim: puente_core::domain::VictimContext,
    pub(crate) events: Vec<puente_core::domain::TraffickingEvent>,
}
