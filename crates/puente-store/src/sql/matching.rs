//! The SQL of `crate::matching`, written once for both backends.

use async_trait::async_trait;
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use super::cases;
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::matching::*;

const RUN_COLUMNS: &str = "id, organisation_id, partnership, unit_url, project_reference, upload_token, status, record_count, without_consent, started_by, started_at, completed_at";

const REQUEST_COLUMNS: &str = "id, run_id, case_id, project_reference, match_reference, partner_organisation, similarity, status, partner_decision, opened_at, decided_by, decided_at";

fn run_from_row(row: &DbRow) -> Result<StoredMatchingRun, sqlx::Error> {
    Ok(StoredMatchingRun {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        partnership: row.try_get("partnership")?,
        unit_url: row.try_get("unit_url")?,
        project_reference: row.try_get("project_reference")?,
        upload_token: row.try_get("upload_token")?,
        status: row.try_get("status")?,
        record_count: row.try_get("record_count")?,
        without_consent: row.try_get("without_consent")?,
        started_by: row.try_get("started_by")?,
        started_at: row.try_get("started_at")?,
        completed_at: row.try_get("completed_at")?,
    })
}

fn request_from_row(row: &DbRow) -> Result<CoordinationRequest, sqlx::Error> {
    Ok(CoordinationRequest {
        id: row.try_get("id")?,
        run_id: row.try_get("run_id")?,
        case_id: row.try_get("case_id")?,
        project_reference: row.try_get("project_reference")?,
        match_reference: row.try_get("match_reference")?,
        partner_organisation: row.try_get("partner_organisation")?,
        similarity: row.try_get("similarity")?,
        status: row.try_get("status")?,
        partner_decision: row.try_get("partner_decision")?,
        opened_at: row.try_get("opened_at")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
    })
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[async_trait]
impl MatchingStore for Backend {
    async fn persons_for_matching(
        &self,
        actor: &Actor,
        organisation_id: i64,
    ) -> StoreResult<PersonsForMatching> {
        let mut transaction = self.begin_write().await?;
        let case_ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM cases WHERE organisation_id = $1 ORDER BY id")
                .bind(organisation_id)
                .fetch_all(&mut *transaction)
                .await?;
        let mut persons = Vec::new();
        let mut without_consent = 0;
        for case_id in case_ids {
            let Some(stored) =
                cases::load_case(&mut transaction, Some(organisation_id), case_id).await?
            else {
                continue;
            };
            if puente_core::sharing::allows_matching(&stored.case.consents) {
                persons.push((case_id, stored.case.person));
            } else {
                without_consent += 1;
            }
        }
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::Export,
                record_type: RecordType::MatchingRun,
                record_id: None,
                case_id: None,
                detail: format!(
                    "{} persons with a matching consent read to encode; {without_consent} without it left out",
                    persons.len()
                ),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(PersonsForMatching {
            persons,
            without_consent,
        })
    }

    async fn record_matching_run(
        &self,
        actor: &Actor,
        organisation_id: i64,
        run: &NewMatchingRun,
    ) -> StoreResult<StoredMatchingRun> {
        let mut transaction = self.begin_write().await?;
        let run_id: i64 = sqlx::query_scalar(
            "INSERT INTO matching_runs (organisation_id, partnership, unit_url, project_reference, upload_token, status, record_count, without_consent, started_by, started_at)
             VALUES ($1, $2, $3, $4, $5, 'uploaded', $6, $7, $8, $9) RETURNING id",
        )
        .bind(organisation_id)
        .bind(&run.partnership)
        .bind(&run.unit_url)
        .bind(&run.project_reference)
        .bind(&run.upload_token)
        .bind(to_i64(run.case_ids.len()))
        .bind(to_i64(run.without_consent))
        .bind(&actor.name)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        for (row, case_id) in run.case_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO matching_run_rows (run_id, row_number, case_id) VALUES ($1, $2, $3)",
            )
            .bind(run_id)
            .bind(to_i64(row))
            .bind(case_id)
            .execute(&mut *transaction)
            .await?;
        }
        self.append_audit(
            &mut transaction,
            &NewAuditEntry::about(
                actor,
                organisation_id,
                AuditAction::MatchingStart,
                RecordType::MatchingRun,
                run_id,
                format!(
                    "partnership {}, project {}: {} encodings uploaded, {} persons without a matching consent left out",
                    run.partnership,
                    run.project_reference,
                    run.case_ids.len(),
                    run.without_consent
                ),
            ),
        )
        .await?;
        transaction.commit().await?;
        self.matching_run(organisation_id, run_id).await
    }

    async fn matching_runs(&self, organisation_id: i64) -> StoreResult<Vec<StoredMatchingRun>> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM matching_runs WHERE organisation_id = $1 ORDER BY id DESC"
        ))
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(run_from_row)
            .collect::<Result<Vec<_>, _>>()?)
    }

    async fn matching_run(
        &self,
        organisation_id: i64,
        run_id: i64,
    ) -> StoreResult<StoredMatchingRun> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM matching_runs WHERE id = $1 AND organisation_id = $2"
        ))
        .bind(run_id)
        .bind(organisation_id)
        .fetch_optional(&self.reader)
        .await?
        .ok_or_else(|| StoreError::not_found("matching run", run_id))?;
        Ok(run_from_row(&row)?)
    }

    async fn record_matching_result(
        &self,
        actor: &Actor,
        organisation_id: i64,
        run_id: i64,
        matches: &[ReceivedMatch],
    ) -> StoreResult<usize> {
        let mut transaction = self.begin_write().await?;
        let project_reference: String = sqlx::query_scalar(
            "SELECT project_reference FROM matching_runs WHERE id = $1 AND organisation_id = $2",
        )
        .bind(run_id)
        .bind(organisation_id)
        .fetch_optional(&mut *transaction)
        .await?
        .ok_or_else(|| StoreError::not_found("matching run", run_id))?;
        let first_result = sqlx::query(
            "UPDATE matching_runs SET status = 'done', completed_at = $1 WHERE id = $2 AND status = 'uploaded'",
        )
        .bind(audit::now())
        .bind(run_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected()
            == 1;
        let mut opened = 0;
        for received in matches {
            let case_id: i64 = sqlx::query_scalar(
                "SELECT case_id FROM matching_run_rows WHERE run_id = $1 AND row_number = $2",
            )
            .bind(run_id)
            .bind(to_i64(received.row))
            .fetch_optional(&mut *transaction)
            .await?
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "the linkage unit named row {} of project {project_reference}, which this organisation did not upload",
                    received.row
                ))
            })?;
            let updated = sqlx::query(
                "UPDATE coordination_requests SET partner_decision = $1
                 WHERE run_id = $2 AND match_reference = $3 AND partner_organisation = $4",
            )
            .bind(&received.partner_decision)
            .bind(run_id)
            .bind(&received.match_reference)
            .bind(&received.partner_organisation)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if updated > 0 {
                continue;
            }
            let request_id: i64 = sqlx::query_scalar(
                "INSERT INTO coordination_requests (organisation_id, run_id, case_id, project_reference, match_reference, partner_organisation, similarity, status, partner_decision, opened_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9) RETURNING id",
            )
            .bind(organisation_id)
            .bind(run_id)
            .bind(case_id)
            .bind(&project_reference)
            .bind(&received.match_reference)
            .bind(&received.partner_organisation)
            .bind(received.similarity)
            .bind(&received.partner_decision)
            .bind(audit::now())
            .fetch_one(&mut *transaction)
            .await?;
            let mut entry = NewAuditEntry::about(
                actor,
                organisation_id,
                AuditAction::MatchingResult,
                RecordType::CoordinationRequest,
                request_id,
                format!(
                    "project {project_reference}, match {}: may also be known to {} (similarity {:.2}); coordination request opened",
                    received.match_reference, received.partner_organisation, received.similarity
                ),
            );
            entry.case_id = Some(case_id);
            self.append_audit(&mut transaction, &entry).await?;
            opened += 1;
        }
        if first_result {
            self.append_audit(
                &mut transaction,
                &NewAuditEntry::about(
                    actor,
                    organisation_id,
                    AuditAction::MatchingResult,
                    RecordType::MatchingRun,
                    run_id,
                    format!(
                        "project {project_reference}: {} matches, {opened} coordination requests opened",
                        matches.len()
                    ),
                ),
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(opened)
    }

    async fn case_coordination_requests(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<CoordinationRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM coordination_requests WHERE organisation_id = $1 AND case_id = $2 ORDER BY id DESC"
        ))
        .bind(organisation_id)
        .bind(case_id)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(request_from_row)
            .collect::<Result<Vec<_>, _>>()?)
    }

    async fn coordination_request(
        &self,
        organisation_id: i64,
        request_id: i64,
    ) -> StoreResult<CoordinationRequest> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM coordination_requests WHERE id = $1 AND organisation_id = $2"
        ))
        .bind(request_id)
        .bind(organisation_id)
        .fetch_optional(&self.reader)
        .await?
        .ok_or_else(|| StoreError::not_found("coordination request", request_id))?;
        Ok(request_from_row(&row)?)
    }

    async fn decide_coordination_request(
        &self,
        actor: &Actor,
        organisation_id: i64,
        request_id: i64,
        decision: &str,
    ) -> StoreResult<CoordinationRequest> {
        if !matches!(decision, "refer" | "decline") {
            return Err(StoreError::Invalid(format!(
                "`{decision}` is not a decision (refer or decline)"
            )));
        }
        let request = self
            .coordination_request(organisation_id, request_id)
            .await?;
        let mut transaction = self.begin_write().await?;
        let decided = sqlx::query(
            "UPDATE coordination_requests SET status = $1, decided_by = $2, decided_at = $3
             WHERE id = $4 AND organisation_id = $5 AND status = 'open'",
        )
        .bind(decision)
        .bind(&actor.name)
        .bind(audit::now())
        .bind(request_id)
        .bind(organisation_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if decided != 1 {
            return Err(StoreError::Conflict(format!(
                "coordination request {request_id} was decided already"
            )));
        }
        let mut entry = NewAuditEntry::about(
            actor,
            organisation_id,
            AuditAction::CoordinationDecision,
            RecordType::CoordinationRequest,
            request_id,
            format!(
                "{decision} with the survivor's consent: project {}, match {}, {}",
                request.project_reference, request.match_reference, request.partner_organisation
            ),
        );
        entry.case_id = Some(request.case_id);
        self.append_audit(&mut transaction, &entry).await?;
        transaction.commit().await?;
        self.coordination_request(organisation_id, request_id).await
    }
}
