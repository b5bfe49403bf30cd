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
use puente_core::{Country, Vocabulary};
use puente_directory::{
    match_services, service_gaps, suggest_services, Directory, DirectoryHotline, Gap, MatchReason,
    PersonProfile, Population, Service, ServiceQuery, DIRECTORY_NEEDS,
};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::sqlite::SqliteStore;
use crate::{Actor, StoreError, StoreResult};

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

fn service_from_row(row: &SqliteRow) -> StoreResult<StoredService> {
    let document: String = row.try_get("document")?;
    let service: Service = serde_json::from_str(&document)
        .map_err(|error| StoreError::Invalid(format!("stored service document: {error}")))?;
    Ok(StoredService {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        service,
    })
}

/// Inserts or replaces a service by slug, inside the caller's transaction; returns its id and its
/// organisation's id.
async fn upsert_service(
    connection: &mut SqliteConnection,
    service: &Service,
    now: &str,
) -> StoreResult<(i64, i64)> {
    if service.slug.trim().is_empty() {
        return Err(StoreError::Invalid("a service needs a slug".into()));
    }
    if service.countries.is_empty() {
        return Err(StoreError::Invalid(format!(
            "service `{}` serves no country",
            service.slug
        )));
    }
    if let (Some(min), Some(max)) = (service.min_age, service.max_age) {
        if min > max {
            return Err(StoreError::Invalid(format!(
                "service `{}`: the youngest age accepted ({min}) is above the oldest ({max})",
                service.slug
            )));
        }
    }
    let organisation_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM organisations WHERE slug = ?")
            .bind(&service.organisation)
            .fetch_optional(&mut *connection)
            .await?;
    let Some(organisation_id) = organisation_id else {
        return Err(StoreError::Invalid(format!(
            "service `{}` names organisation `{}`, which does not exist",
            service.slug, service.organisation
        )));
    };
    let document =
        serde_json::to_string(service).map_err(|error| StoreError::Invalid(error.to_string()))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO services (organisation_id, slug, need, trafficking_specific, document, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (slug) DO UPDATE SET organisation_id = excluded.organisation_id, need = excluded.need,
             trafficking_specific = excluded.trafficking_specific, document = excluded.document,
             updated_at = excluded.updated_at
         RETURNING id",
    )
    .bind(organisation_id)
    .bind(&service.slug)
    .bind(service.need.code())
    .bind(service.trafficking_specific)
    .bind(document)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok((id, organisation_id))
}

fn directory_audit(
    actor: &Actor,
    organisation_id: Option<i64>,
    action: AuditAction,
    record_type: RecordType,
    record_id: Option<String>,
    detail: String,
) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.name.clone(),
        organisation_id,
        action,
        record_type,
        record_id,
        case_id: None,
        detail,
    }
}

fn with_ids(
    matches: Vec<puente_directory::ServiceMatch>,
    stored: &[StoredService],
) -> Vec<StoredServiceMatch> {
    matches
        .into_iter()
        .filter_map(|found| {
            let stored = stored
                .iter()
                .find(|s| s.service.slug == found.service.slug)?;
            Some(StoredServiceMatch {
                id: stored.id,
                organisation_id: stored.organisation_id,
                score: found.score,
                reasons: found.reasons,
                service: found.service,
            })
        })
        .collect()
}

#[async_trait]
impl DirectoryStore for SqliteStore {
    async fn load_directory(
        &self,
        actor: &Actor,
        directory: &Directory,
    ) -> StoreResult<DirectoryLoadSummary> {
        let mut transaction = self.begin_write().await?;
        let now = audit::now();
        let mut summary = DirectoryLoadSummary::default();
        for organisation in &directory.organisations {
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE slug = ?")
                    .bind(&organisation.slug)
                    .fetch_optional(&mut *transaction)
                    .await?;
            if existing.is_some() {
                continue;
            }
            let id =
                crate::cases::insert_organisation(&mut transaction, organisation, &now).await?;
            audit::append(
                &mut transaction,
                &self.audit_key(),
                &directory_audit(
                    actor,
                    Some(id),
                    AuditAction::Create,
                    RecordType::Organisation,
                    Some(id.to_string()),
                    organisation.slug.clone(),
                ),
            )
            .await?;
            summary.organisations_created += 1;
        }
        for service in &directory.services {
            upsert_service(&mut transaction, service, &now).await?;
            summary.services_saved += 1;
        }
        for hotline in &directory.hotlines {
            sqlx::query(
                "INSERT INTO hotlines (country, name_es, name_en, phone, text_number) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (country, phone) DO UPDATE SET name_es = excluded.name_es, name_en = excluded.name_en,
                     text_number = excluded.text_number",
            )
            .bind(hotline.country.alpha_2())
            .bind(&hotline.name_es)
            .bind(&hotline.name_en)
            .bind(&hotline.phone)
            .bind(&hotline.text)
            .execute(&mut *transaction)
            .await?;
            summary.hotlines_saved += 1;
        }
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &directory_audit(
                actor,
                actor.organisation_id,
                AuditAction::Import,
                RecordType::Directory,
                None,
                format!(
                    "{} organisations created, {} services and {} hotlines saved",
                    summary.organisations_created, summary.services_saved, summary.hotlines_saved
                ),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(summary)
    }

    async fn save_service(&self, actor: &Actor, service: &Service) -> StoreResult<i64> {
        let mut transaction = self.begin_write().await?;
        let (id, organisation_id) =
            upsert_service(&mut transaction, service, &audit::now()).await?;
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &directory_audit(
                actor,
                Some(organisation_id),
                AuditAction::Update,
                RecordType::Service,
                Some(id.to_string()),
                service.slug.clone(),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(id)
    }

    async fn remove_service(
        &self,
        actor: &Actor,
        organisation_id: i64,
        service_id: i64,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM services WHERE id = ? AND organisation_id = ?")
            .bind(service_id)
            .bind(organisation_id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        if removed == 0 {
            return Err(StoreError::not_found("service", service_id));
        }
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &directory_audit(
                actor,
                Some(organisation_id),
                AuditAction::Delete,
                RecordType::Service,
                Some(service_id.to_string()),
                String::new(),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn service(&self, service_id: i64) -> StoreResult<Option<StoredService>> {
        let row = sqlx::query("SELECT * FROM services WHERE id = ?")
            .bind(service_id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(service_from_row).transpose()
    }

    async fn services(&self) -> StoreResult<Vec<StoredService>> {
        let rows = sqlx::query("SELECT * FROM services ORDER BY id")
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(service_from_row).collect()
    }

    async fn organisation_services(&self, organisation_id: i64) -> StoreResult<Vec<StoredService>> {
        let rows = sqlx::query("SELECT * FROM services WHERE organisation_id = ? ORDER BY id")
            .bind(organisation_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(service_from_row).collect()
    }

    async fn search_services(&self, query: &ServiceQuery) -> StoreResult<Vec<StoredServiceMatch>> {
        let stored = self.services().await?;
        let services: Vec<Service> = stored.iter().map(|s| s.service.clone()).collect();
        Ok(with_ids(match_services(query, &services), &stored))
    }

    async fn suggest_services(
        &self,
        profile: &PersonProfile,
        needs: &[SupportType],
    ) -> StoreResult<Vec<StoredNeedSuggestions>> {
        let stored = self.services().await?;
        let services: Vec<Service> = stored.iter().map(|s| s.service.clone()).collect();
        Ok(suggest_services(profile, needs, &services)
            .into_iter()
            .map(|suggestion| StoredNeedSuggestions {
                need: suggestion.need,
                matches: with_ids(suggestion.matches, &stored),
            })
            .collect())
    }

    async fn service_gaps(&self, countries: &[Country]) -> StoreResult<Vec<Gap>> {
        let services: Vec<Service> = self
            .services()
            .await?
            .into_iter()
            .map(|stored| stored.service)
            .collect();
        Ok(service_gaps(
            &services,
            &DIRECTORY_NEEDS,
            countries,
            &Population::ALL,
        ))
    }

    async fn hotlines(&self, country: Option<Country>) -> StoreResult<Vec<DirectoryHotline>> {
        let rows = sqlx::query(
            "SELECT * FROM hotlines WHERE (? IS NULL OR country = ?) ORDER BY country, id",
        )
        .bind(country.map(|c| c.alpha_2()))
        .bind(country.map(|c| c.alpha_2()))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let code: String = row.try_get("country")?;
                Ok(DirectoryHotline {
                    country: Country::from_code(&code).ok_or_else(|| {
                        StoreError::Invalid(format!("stored hotline country `{code}`"))
                    })?,
                    name_es: row.try_get("name_es")?,
                    name_en: row.try_get("name_en")?,
                    phone: row.try_get("phone")?,
                    text: row.try_get("text_number")?,
                })
            })
            .collect()
    }
}
