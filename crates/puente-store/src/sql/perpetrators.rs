//! The SQL of `crate::perpetrators`, written once for both backends.

use async_trait::async_trait;
use puente_core::htcds::{Gender, PerpetratorRole};
use puente_core::{Country, Vocabulary};
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use super::legal::{case_rows, check_case};
use crate::perpetrators::checked;
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::perpetrators::*;

fn roles_text(roles: &[PerpetratorRole]) -> String {
    roles
        .iter()
        .map(|role| role.code())
        .collect::<Vec<_>>()
        .join(",")
}

fn perpetrator_from_row(row: &DbRow) -> StoreResult<StoredPerpetrator> {
    let roles: String = row.try_get("roles")?;
    let roles = roles
        .split(',')
        .filter(|code| !code.is_empty())
        .map(|code| {
            PerpetratorRole::parse_code(code)
                .map_err(|error| StoreError::Invalid(format!("stored roles: {error}")))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let sex: Option<String> = row.try_get("sex")?;
    let nationality: Option<String> = row.try_get("nationality")?;
    let birth_year: Option<i64> = row.try_get("birth_year")?;
    Ok(StoredPerpetrator {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        perpetrator: NewPerpetrator {
            given_name: row.try_get("given_name")?,
            surname: row.try_get("surname")?,
            alias: row.try_get("alias")?,
            sex: sex
                .map(|code| {
                    Gender::parse_code(&code)
                        .map_err(|error| StoreError::Invalid(format!("stored sex: {error}")))
                })
                .transpose()?,
            nationality: nationality.as_deref().and_then(Country::from_alpha_2),
            phone: row.try_get("phone")?,
            birth_year: birth_year.and_then(|year| i32::try_from(year).ok()),
            roles,
        },
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait]
impl PerpetratorStore for Backend {
    async fn record_perpetrator(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        perpetrator: &NewPerpetrator,
    ) -> StoreResult<StoredPerpetrator> {
        let perpetrator = checked(perpetrator)?;
        let mut transaction = self.begin_write().await?;
        check_case(&mut transaction, organisation_id, case_id).await?;
        let row = sqlx::query(
            "INSERT INTO case_perpetrators (case_id, organisation_id, given_name, surname, alias,
                                            sex, nationality, phone, birth_year, roles, created_by,
                                            created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *",
        )
        .bind(case_id)
        .bind(organisation_id)
        .bind(&perpetrator.given_name)
        .bind(&perpetrator.surname)
        .bind(&perpetrator.alias)
        .bind(perpetrator.sex.map(|sex| sex.code()))
        .bind(perpetrator.nationality.map(|country| country.alpha_2()))
        .bind(&perpetrator.phone)
        .bind(perpetrator.birth_year.map(i64::from))
        .bind(roles_text(&perpetrator.roles))
        .bind(&actor.name)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        let stored = perpetrator_from_row(&row)?;
        let entry = NewAuditEntry::of_case(
            actor,
            organisation_id,
            AuditAction::Create,
            case_id,
            // The roles are HTCDS codes, which the audit page would show as they are.
            format!("perpetrator {}", stored.id),
        );
        self.commit_with_audit(transaction, &entry).await?;
        Ok(stored)
    }

    async fn perpetrators_of_case(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredPerpetrator>> {
        let mut connection = self.reader.acquire().await?;
        check_case(&mut connection, organisation_id, case_id).await?;
        case_rows(
            &mut connection,
            "case_perpetrators",
            "id",
            (organisation_id, case_id),
            perpetrator_from_row,
        )
        .await
    }

    async fn organisation_perpetrators(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> StoreResult<Vec<StoredPerpetrator>> {
        let mut transaction = self.begin_write().await?;
        let perpetrators = sqlx::query(
            "SELECT * FROM case_perpetrators WHERE organisation_id = $1 ORDER BY case_id, id",
        )
        .bind(organisation_id)
        .fetch_all(&mut *transaction)
        .await?
        .iter()
        .map(perpetrator_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
        let entry = NewAuditEntry {
            actor: actor.name.clone(),
            organisation_id: Some(organisation_id),
            action: AuditAction::List,
            record_type: RecordType::Perpetrator,
            record_id: None,
            case_id: None,
            detail: format!("perpetrators across cases ({})", perpetrators.len()),
        };
        self.commit_with_audit(transaction, &entry).await?;
        Ok(perpetrators)
    }
}
