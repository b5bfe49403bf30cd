//! The SQL of `crate::directory`, written once for both backends.

use async_trait::async_trait;
use puente_core::htcds::SupportType;
use puente_core::{Country, Vocabulary};
use puente_directory::{
    match_services, service_gaps, suggest_services, Directory, DirectoryHotline, Gap,
    PersonProfile, Population, Service, ServiceQuery, DIRECTORY_NEEDS,
};
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::directory::*;

fn service_from_row(row: &DbRow) -> StoreResult<StoredService> {
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
    connection: &mut DbConnection,
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
        sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
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
         VALUES ($1, $2, $3, $4, $5, $6, $7)
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
impl DirectoryStore for Backend {
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
                sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
                    .bind(&organisation.slug)
                    .fetch_optional(&mut *transaction)
                    .await?;
            if existing.is_some() {
                continue;
            }
            let id =
                super::cases::insert_organisation(&mut transaction, organisation, &now).await?;
            self.append_audit(
                &mut transaction,
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
                "INSERT INTO hotlines (country, name_es, name_en, phone, text_number) VALUES ($1, $2, $3, $4, $5)
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
        self.append_audit(
            &mut transaction,
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
        self.append_audit(
            &mut transaction,
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
        let removed = sqlx::query("DELETE FROM services WHERE id = $1 AND organisation_id = $2")
            .bind(service_id)
            .bind(organisation_id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        if removed == 0 {
            return Err(StoreError::not_found("service", service_id));
        }
        self.append_audit(
            &mut transaction,
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
        let row = sqlx::query("SELECT * FROM services WHERE id = $1")
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
        let rows = sqlx::query("SELECT * FROM services WHERE organisation_id = $1 ORDER BY id")
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
            "SELECT * FROM hotlines WHERE ($1 IS NULL OR country = $2) ORDER BY country, id",
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
