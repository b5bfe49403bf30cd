//! The SQL of `crate::attachments`, written once for both backends.

use async_trait::async_trait;
use sqlx::Row;

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, ReferralStore, StoreError, StoreResult};

use super::{Backend, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::attachments::*;

fn attachment_from_row(row: &DbRow) -> StoreResult<StoredAttachment> {
    Ok(StoredAttachment {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        organisation_id: row.try_get("organisation_id")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        sha256: row.try_get("sha256")?,
        storage_name: row.try_get("storage_name")?,
        uploaded_by: row.try_get("uploaded_by")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The documents of a case that existed when a referral was made at `made_at`, as the receiver
/// sees them listed.
pub(crate) async fn documents_of_case(
    connection: &mut DbConnection,
    case_id: i64,
    made_at: &str,
) -> StoreResult<Vec<puente_core::sharing::SharedDocument>> {
    let rows = sqlx::query("SELECT * FROM case_attachments WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&mut *connection)
        .await?;
    let mut documents = Vec::new();
    for row in &rows {
        let stored = attachment_from_row(row)?;
        if puente_core::sharing::existed_at_referral(&stored.created_at, made_at) {
            documents.push(puente_core::sharing::SharedDocument {
                id: stored.id,
                file_name: stored.file_name,
                content_type: stored.content_type,
                size_bytes: stored.size_bytes,
                created_at: stored.created_at,
            });
        }
    }
    Ok(documents)
}

#[async_trait]
impl AttachmentStore for Backend {
    async fn record_attachment(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        attachment: &NewAttachment,
    ) -> StoreResult<StoredAttachment> {
        let mut transaction = self.begin_write().await?;
        super::cases::require_case_in_organisation(&mut transaction, organisation_id, case_id)
            .await?;
        let row = sqlx::query(
            "INSERT INTO case_attachments (case_id, organisation_id, file_name, content_type,
                                           size_bytes, sha256, storage_name, uploaded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *",
        )
        .bind(case_id)
        .bind(organisation_id)
        .bind(&attachment.file_name)
        .bind(&attachment.content_type)
        .bind(attachment.size_bytes)
        .bind(&attachment.sha256)
        .bind(&attachment.storage_name)
        .bind(&actor.name)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        let stored = attachment_from_row(&row)?;
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                case_id: Some(case_id),
                ..NewAuditEntry::about(
                    actor,
                    organisation_id,
                    AuditAction::Create,
                    RecordType::CaseAttachment,
                    stored.id,
                    format!("{} bytes", stored.size_bytes),
                )
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn attachments(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredAttachment>> {
        let rows = sqlx::query(
            "SELECT * FROM case_attachments WHERE case_id = $1 AND organisation_id = $2 ORDER BY id",
        )
        .bind(case_id)
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    async fn attachment_for_download(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        attachment_id: i64,
    ) -> StoreResult<StoredAttachment> {
        let mut transaction = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT * FROM case_attachments WHERE id = $1 AND case_id = $2 AND organisation_id = $3",
        )
        .bind(attachment_id)
        .bind(case_id)
        .bind(organisation_id)
        .fetch_optional(&mut *transaction)
        .await?
        .ok_or_else(|| StoreError::not_found("attachment", attachment_id))?;
        let stored = attachment_from_row(&row)?;
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                case_id: Some(case_id),
                ..NewAuditEntry::about(
                    actor,
                    organisation_id,
                    AuditAction::ViewAttachment,
                    RecordType::CaseAttachment,
                    attachment_id,
                    String::new(),
                )
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn referred_attachment(
        &self,
        actor: &Actor,
        receiving_organisation_id: i64,
        referral_id: i64,
        attachment_id: i64,
    ) -> StoreResult<StoredAttachment> {
        // The projection decides (and audits on both sides): a document the receiver is not shown
        // is not found.
        let shared = self
            .shared_case(actor, receiving_organisation_id, referral_id)
            .await?;
        let shown = shared.documents.as_ref().is_some_and(|documents| {
            documents
                .iter()
                .any(|document| document.id == attachment_id)
        });
        if !shown {
            return Err(StoreError::not_found("attachment", attachment_id));
        }
        let row = sqlx::query("SELECT * FROM case_attachments WHERE id = $1 AND case_id = $2")
            .bind(attachment_id)
            .bind(shared.referral.case_id)
            .fetch_optional(&self.reader)
            .await?
            .ok_or_else(|| StoreError::not_found("attachment", attachment_id))?;
        attachment_from_row(&row)
    }
}
