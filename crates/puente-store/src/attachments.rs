//! Documents attached to a case. The store keeps what each document is (name, type, size, digest,
//! who and when) and where its sealed content lies; the content itself is kept outside the
//! database, encrypted, by the caller (the server), in the directory [`AttachmentStore::attachment_directory`]
//! names unless configured otherwise.
//!
//! Every write is one transaction with its audit entry; every read is scoped by organisation, and a
//! download is audited as a read of identifying data. The receiving organisation of a referral
//! reaches a document only through [`AttachmentStore::referred_attachment`], which goes through the
//! shared-case projection (the referral must share `documents`, under an active consent).

use std::path::PathBuf;

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, ReferralStore, SqliteStore, StoreError, StoreResult};

/// A document to record: what it is and the name its sealed content was written under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// The SHA-256 of the content, in hexadecimal.
    pub sha256: String,
    /// The file name of the sealed content in the attachment directory.
    pub storage_name: String,
}

/// A document attached to a case, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredAttachment {
    pub id: i64,
    pub case_id: i64,
    pub organisation_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(skip_serializing)]
    pub storage_name: String,
    pub uploaded_by: String,
    pub created_at: String,
}

/// Documents attached to cases.
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Where the sealed contents are kept when the server is not told otherwise: a directory
    /// beside the database file.
    fn attachment_directory(&self) -> PathBuf;
    /// Records a document attached to a case of the organisation, audited in the same transaction.
    async fn record_attachment(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        attachment: &NewAttachment,
    ) -> StoreResult<StoredAttachment>;
    /// The documents of a case of the organisation, oldest first.
    async fn attachments(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredAttachment>>;
    /// One document of a case of the organisation, for download: the read is audited (the content
    /// identifies the person) before it is returned.
    async fn attachment_for_download(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        attachment_id: i64,
    ) -> StoreResult<StoredAttachment>;
    /// One document of a case referred to the receiving organisation, when the referral shows
    /// its documents now; audited on both sides as a read of the shared case.
    async fn referred_attachment(
        &self,
        actor: &Actor,
        receiving_organisation_id: i64,
        referral_id: i64,
        attachment_id: i64,
    ) -> StoreResult<StoredAttachment>;
}

fn attachment_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<StoredAttachment> {
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
    connection: &mut sqlx::SqliteConnection,
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
impl AttachmentStore for SqliteStore {
    fn attachment_directory(&self) -> PathBuf {
        let mut name = self
            .path()
            .file_name()
            .map(|name| name.to_os_string())
            .unwrap_or_else(|| "puente".into());
        name.push(".attachments");
        self.path().with_file_name(name)
    }

    async fn record_attachment(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        attachment: &NewAttachment,
    ) -> StoreResult<StoredAttachment> {
        let mut transaction = self.begin_write().await?;
        crate::cases::require_case_in_organisation(&mut transaction, organisation_id, case_id)
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
        audit::append(
            &mut transaction,
            &self.audit_key(),
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
        audit::append(
            &mut transaction,
            &self.audit_key(),
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
