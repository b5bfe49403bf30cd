//! The SQL of `crate::linkage_unit`, written once for both backends.

use async_trait::async_trait;
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, DbConnection};
#[allow(unused_imports)]
pub(crate) use crate::linkage_unit::*;

/// An audit entry of the unit about a project (the unit has no organisations).
fn project_entry(
    actor: &Actor,
    action: AuditAction,
    project_reference: &str,
    detail: String,
) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.name.clone(),
        organisation_id: None,
        action,
        record_type: RecordType::LinkageProject,
        record_id: Some(project_reference.to_string()),
        case_id: None,
        detail,
    }
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_usize(value: i64) -> usize {
    usize::try_from(value).unwrap_or(0)
}

async fn project_reference(connection: &mut DbConnection, project_id: i64) -> StoreResult<String> {
    sqlx::query_scalar("SELECT reference FROM linkage_projects WHERE id = $1")
        .bind(project_id)
        .fetch_optional(&mut *connection)
        .await?
        .ok_or_else(|| StoreError::not_found("linkage project", project_id))
}

#[async_trait]
impl LinkageUnitStore for Backend {
    async fn create_linkage_project(
        &self,
        actor: &Actor,
        project: &NewLinkageProject,
    ) -> StoreResult<LinkageProject> {
        if project.parties.len() < 2 {
            return Err(StoreError::Invalid(
                "a linkage project needs at least two parties".into(),
            ));
        }
        let mut transaction = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO linkage_projects (reference, schema_name, encoding_bytes, threshold, status, created_at)
             VALUES ($1, $2, $3, $4, 'waiting', $5) RETURNING id",
        )
        .bind(&project.reference)
        .bind(&project.schema_name)
        .bind(to_i64(project.encoding_bytes))
        .bind(project.threshold)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        for (party, (name, token_hash)) in project.parties.iter().enumerate() {
            sqlx::query(
                "INSERT INTO linkage_parties (project_id, party, organisation_name, token_hash) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(to_i64(party))
            .bind(name)
            .bind(token_hash)
            .execute(&mut *transaction)
            .await?;
        }
        self.append_audit(
            &mut transaction,
            &project_entry(
                actor,
                AuditAction::LinkageProjectCreate,
                &project.reference,
                format!(
                    "schema {}, {} parties, threshold {}",
                    project.schema_name,
                    project.parties.len(),
                    project.threshold
                ),
            ),
        )
        .await?;
        transaction.commit().await?;
        self.linkage_project(&project.reference)
            .await?
            .ok_or_else(|| StoreError::not_found("linkage project", &project.reference))
    }

    async fn linkage_project(&self, reference: &str) -> StoreResult<Option<LinkageProject>> {
        let Some(row) = sqlx::query(
            "SELECT id, reference, schema_name, encoding_bytes, threshold, status, created_at, completed_at
             FROM linkage_projects WHERE reference = $1",
        )
        .bind(reference)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let parties = sqlx::query(
            "SELECT party, organisation_name, token_hash, uploaded_at, record_count
             FROM linkage_parties WHERE project_id = $1 ORDER BY party",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|party| {
            Ok(LinkageParty {
                party: to_usize(party.try_get("party")?),
                organisation_name: party.try_get("organisation_name")?,
                token_hash: party.try_get("token_hash")?,
                uploaded_at: party.try_get("uploaded_at")?,
                record_count: party
                    .try_get::<Option<i64>, _>("record_count")?
                    .map(to_usize),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(LinkageProject {
            id,
            reference: row.try_get("reference")?,
            schema_name: row.try_get("schema_name")?,
            encoding_bytes: to_usize(row.try_get("encoding_bytes")?),
            threshold: row.try_get("threshold")?,
            status: row.try_get("status")?,
            created_at: row.try_get("created_at")?,
            completed_at: row.try_get("completed_at")?,
            parties,
        }))
    }

    async fn upload_linkage_encodings(
        &self,
        actor: &Actor,
        project_id: i64,
        party: usize,
        encodings: &[Vec<u8>],
    ) -> StoreResult<UploadOutcome> {
        let mut transaction = self.begin_write().await?;
        let reference = project_reference(&mut transaction, project_id).await?;
        // The check that the party has not uploaded yet is in the UPDATE's condition, so it holds
        // with two uploads at once.
        let claimed = sqlx::query(
            "UPDATE linkage_parties SET uploaded_at = $1, record_count = $2
             WHERE project_id = $3 AND party = $4 AND uploaded_at IS NULL
               AND EXISTS (SELECT 1 FROM linkage_projects WHERE id = $3 AND status = 'waiting')",
        )
        .bind(audit::now())
        .bind(to_i64(encodings.len()))
        .bind(project_id)
        .bind(to_i64(party))
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if claimed != 1 {
            return Err(StoreError::Conflict(format!(
                "party {party} of linkage project {reference} has uploaded its encodings already"
            )));
        }
        for (row, encoding) in encodings.iter().enumerate() {
            sqlx::query(
                "INSERT INTO linkage_encodings (project_id, party, row_number, encoding) VALUES ($1, $2, $3, $4)",
            )
            .bind(project_id)
            .bind(to_i64(party))
            .bind(to_i64(row))
            .bind(encoding)
            .execute(&mut *transaction)
            .await?;
        }
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM linkage_parties WHERE project_id = $1 AND uploaded_at IS NULL",
        )
        .bind(project_id)
        .fetch_one(&mut *transaction)
        .await?;
        self.append_audit(
            &mut transaction,
            &project_entry(
                actor,
                AuditAction::LinkageUpload,
                &reference,
                format!("party {party}: {} encodings", encodings.len()),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(UploadOutcome {
            records: encodings.len(),
            all_uploaded: waiting == 0,
        })
    }

    async fn linkage_encodings(&self, project_id: i64) -> StoreResult<Vec<Vec<Vec<u8>>>> {
        let parties: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM linkage_parties WHERE project_id = $1")
                .bind(project_id)
                .fetch_one(&self.reader)
                .await?;
        let mut datasets: Vec<Vec<Vec<u8>>> = vec![Vec::new(); to_usize(parties)];
        let rows = sqlx::query(
            "SELECT party, encoding FROM linkage_encodings WHERE project_id = $1 ORDER BY party, row_number",
        )
        .bind(project_id)
        .fetch_all(&self.reader)
        .await?;
        for row in rows {
            let party = to_usize(row.try_get("party")?);
            if let Some(dataset) = datasets.get_mut(party) {
                dataset.push(row.try_get("encoding")?);
            }
        }
        Ok(datasets)
    }

    async fn complete_linkage_run(
        &self,
        actor: &Actor,
        project_id: i64,
        groups: &[LinkageGroup],
        detail: &str,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let reference = project_reference(&mut transaction, project_id).await?;
        let completed = sqlx::query(
            "UPDATE linkage_projects SET status = 'done', completed_at = $1 WHERE id = $2 AND status = 'waiting'",
        )
        .bind(audit::now())
        .bind(project_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if completed != 1 {
            return Err(StoreError::Conflict(format!(
                "linkage project {reference} has run already"
            )));
        }
        for group in groups {
            for (party, row) in &group.members {
                sqlx::query(
                    "INSERT INTO linkage_match_members (project_id, match_reference, party, row_number) VALUES ($1, $2, $3, $4)",
                )
                .bind(project_id)
                .bind(&group.reference)
                .bind(to_i64(*party))
                .bind(to_i64(*row))
                .execute(&mut *transaction)
                .await?;
            }
            for (party_l, party_r, similarity) in &group.similarities {
                sqlx::query(
                    "INSERT INTO linkage_match_pairs (project_id, match_reference, party_l, party_r, similarity) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(project_id)
                .bind(&group.reference)
                .bind(to_i64(*party_l))
                .bind(to_i64(*party_r))
                .bind(*similarity)
                .execute(&mut *transaction)
                .await?;
            }
        }
        let deleted = sqlx::query("DELETE FROM linkage_encodings WHERE project_id = $1")
            .bind(project_id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        self.append_audit(
            &mut transaction,
            &project_entry(
                actor,
                AuditAction::LinkageRun,
                &reference,
                format!(
                    "{} groups; {deleted} encodings deleted; {detail}",
                    groups.len()
                ),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn linkage_result(
        &self,
        actor: &Actor,
        project_id: i64,
        party: usize,
    ) -> StoreResult<Vec<PartyMatch>> {
        let mut transaction = self.begin_write().await?;
        let reference = project_reference(&mut transaction, project_id).await?;
        let own = sqlx::query(
            "SELECT match_reference, row_number FROM linkage_match_members
             WHERE project_id = $1 AND party = $2 ORDER BY row_number, match_reference",
        )
        .bind(project_id)
        .bind(to_i64(party))
        .fetch_all(&mut *transaction)
        .await?;
        let mut matches = Vec::with_capacity(own.len());
        for row in own {
            let match_reference: String = row.try_get("match_reference")?;
            // The partners of this group: their organisation names, the pair's similarity and
            // their decisions; never their rows.
            let partners = sqlx::query(
                "SELECT parties.organisation_name, pairs.similarity, members.decision
                 FROM linkage_match_members members
                 JOIN linkage_parties parties
                   ON parties.project_id = members.project_id AND parties.party = members.party
                 JOIN linkage_match_pairs pairs
                   ON pairs.project_id = members.project_id AND pairs.match_reference = members.match_reference
                  AND ((pairs.party_l = $1 AND pairs.party_r = members.party)
                    OR (pairs.party_r = $1 AND pairs.party_l = members.party))
                 WHERE members.project_id = $2 AND members.match_reference = $3 AND members.party <> $1
                 ORDER BY members.party",
            )
            .bind(to_i64(party))
            .bind(project_id)
            .bind(&match_reference)
            .fetch_all(&mut *transaction)
            .await?
            .iter()
            .map(|partner| {
                Ok(MatchPartner {
                    organisation_name: partner.try_get("organisation_name")?,
                    similarity: partner.try_get("similarity")?,
                    decision: partner.try_get("decision")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            matches.push(PartyMatch {
                row: to_usize(row.try_get("row_number")?),
                match_reference,
                partners,
            });
        }
        self.append_audit(
            &mut transaction,
            &project_entry(
                actor,
                AuditAction::LinkageResultRead,
                &reference,
                format!("party {party}: {} groups", matches.len()),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(matches)
    }

    async fn record_linkage_decision(
        &self,
        actor: &Actor,
        project_id: i64,
        party: usize,
        match_reference: &str,
        decision: &str,
    ) -> StoreResult<()> {
        if !matches!(decision, "refer" | "decline") {
            return Err(StoreError::Invalid(format!(
                "`{decision}` is not a decision (refer or decline)"
            )));
        }
        let mut transaction = self.begin_write().await?;
        let reference = project_reference(&mut transaction, project_id).await?;
        let updated = sqlx::query(
            "UPDATE linkage_match_members SET decision = $1, decided_at = $2
             WHERE project_id = $3 AND party = $4 AND match_reference = $5",
        )
        .bind(decision)
        .bind(audit::now())
        .bind(project_id)
        .bind(to_i64(party))
        .bind(match_reference)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if updated != 1 {
            return Err(StoreError::not_found("match", match_reference));
        }
        self.append_audit(
            &mut transaction,
            &project_entry(
                actor,
                AuditAction::LinkageDecision,
                &reference,
                format!("party {party}: {decision} on match {match_reference}"),
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn linkage_encoding_count(&self, project_id: i64) -> StoreResult<u64> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM linkage_encodings WHERE project_id = $1")
                .bind(project_id)
                .fetch_one(&self.reader)
                .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
