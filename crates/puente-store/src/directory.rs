//! The service directory in the store: services (as `puente_directory::Service` documents)
//! and national hotlines. Searching loads the services and matches them in Rust with
//! [`puente_directory::match_services`], so the store and the pure matching never disagree.
//!
//! The directory holds no survivor data: reads are not audited; every change is.
//!
//! # For the web app
//! - `puente serve --demo`: [`DirectoryStore::load_directory`] with
//!   `puente_synth::directory::demo_directory()` (idempotent; it creates `hotline-demo`,
//!   `shelter-demo` and the directory's other organisations when absent). `GET /api/v1/orgs` is
//!   `CaseStore::list_organisations` (`id`, `slug`, `kind`, ...).
//! - `GET /api/v1/services?country=GT&need=shelter&age=15&sex=F`:
//!   `ServiceQuery::from_pairs` over the query string (an [`puente_directory::InvalidQuery`]
//!   is a 422 naming the parameter), then [`DirectoryStore::search_services`]; the JSON list is the
//!   [`StoredServiceMatch`]es as they serialise (`id`, `organisation_id`, `score`, `reasons` with
//!   `code`, `favourable`, `es`, `en`, and `service`).
//! - Suggested services for a case: the case's person (`PersonProfile::of_person(person, today)`)
//!   and the needs of its latest screening
//!   (`puente_directory::needs_from_screening_result(&stored_screening.result)`), then
//!   [`DirectoryStore::suggest_services`]: per need, best first, each with its reasons; an empty
//!   need is a gap to show.
//! - The gap report: [`DirectoryStore::service_gaps`] with the region's countries.
//! - Next steps: [`DirectoryStore::hotlines`] of the person's country, turned into
//!   `puente_screening::hotlines::Hotline` (same fields) for `ScreeningOptions::hotlines`.

use async_trait::async_trait;
use puente_core::htcds::SupportType;
use puente_core::Country;
use puente_directory::{
    Directory, DirectoryHotline, Gap, MatchReason, PersonProfile, Service, ServiceQuery,
};
use serde::Serialize;

use crate::{Actor, StoreResult};

/// A service as stored: its id and its organisation's id beside the service.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredService {
    pub id: i64,
    pub organisation_id: i64,
    #[serde(flatten)]
    pub service: Service,
}

/// A search result: the stored service, its score and why it matches.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredServiceMatch {
    pub id: i64,
    pub organisation_id: i64,
    pub score: i32,
    pub reasons: Vec<MatchReason>,
    pub service: Service,
}

/// The services suggested for one need, best first; empty when the directory has a gap there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredNeedSuggestions {
    pub need: SupportType,
    pub matches: Vec<StoredServiceMatch>,
}

/// What loading a directory did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DirectoryLoadSummary {
    pub organisations_created: u64,
    pub services_saved: u64,
    pub hotlines_saved: u64,
}

/// The service directory.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Loads a whole directory in one transaction: creates the organisations not yet stored (by
    /// slug; existing ones are left as they are), adds or replaces the services (by slug) and the
    /// hotlines (by country and number). Running it again changes nothing new. Audited.
    async fn load_directory(
        &self,
        actor: &Actor,
        directory: &Directory,
    ) -> StoreResult<DirectoryLoadSummary>;
    /// Adds or replaces (by slug) one service of an existing organisation. Audited.
    async fn save_service(&self, actor: &Actor, service: &Service) -> StoreResult<i64>;
    /// Removes a service of `organisation_id`. Audited.
    async fn remove_service(
        &self,
        actor: &Actor,
        organisation_id: i64,
        service_id: i64,
    ) -> StoreResult<()>;
    async fn service(&self, service_id: i64) -> StoreResult<Option<StoredService>>;
    /// Every service, by id.
    async fn services(&self) -> StoreResult<Vec<StoredService>>;
    /// The services of one organisation, by id.
    async fn organisation_services(&self, organisation_id: i64) -> StoreResult<Vec<StoredService>>;
    /// The services matching a query, best first, each with its reasons.
    async fn search_services(&self, query: &ServiceQuery) -> StoreResult<Vec<StoredServiceMatch>>;
    /// For each need in order, the services matching a person's profile, best first.
    async fn suggest_services(
        &self,
        profile: &PersonProfile,
        needs: &[SupportType],
    ) -> StoreResult<Vec<StoredNeedSuggestions>>;
    /// The hotlines of a country, or every hotline.
    async fn hotlines(&self, country: Option<Country>) -> StoreResult<Vec<DirectoryHotline>>;
    /// The gap report: for the directory's needs (shelter, medical, psychological, legal,
    /// immigration relief, return, livelihood, education) in each country, the populations (women,
    /// girls, men, boys, rural areas) that no stored service serves.
    async fn service_gaps(&self, countries: &[Country]) -> StoreResult<Vec<Gap>>;
}
