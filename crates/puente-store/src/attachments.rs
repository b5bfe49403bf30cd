//! Documents attached to a case. The store keeps what each document is (name, type, size, digest,
//! who and when) and where its sealed content lies; the content itself is kept outside the
//! database, encrypted, by the caller (the server), in the store's data directory
//! (`StoreControl::file_beside("attachments")`: beside an SQLite file, in `$PUENTE_DATA_DIR` for
//! PostgreSQL) unless configured otherwise.
//!
//! Every write is one transaction with its audit entry; every read is scoped by organisation, and a
//! download is audited as a read of identifying data. The receiving organisation of a referral
//! reaches a document only through [`AttachmentStore::referred_attachment`], which goes through the
//! shared-case projection (the referral must share `documents`, under an active consent).

use async_trait::async_trait;
use serde::Serialize;

use crate::{Actor, StoreResult};

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
