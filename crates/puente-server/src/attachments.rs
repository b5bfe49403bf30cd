//! Documents attached to cases: the allowlist of kinds (recognised by their bytes, never by the
//! name or the type the browser claims), the size limit, and the sealed files outside the
//! database (XChaCha20-Poly1305 under the server's secrets key, each file bound to its own name).

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::error::AppError;
use crate::secrets::SecretsKey;

/// The default limit of one document: 25 MB.
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;

/// The environment variable that sets the limit, in bytes (`puente serve`).
pub const MAX_BYTES_VARIABLE: &str = "PUENTE_ATTACHMENT_MAX_BYTES";

/// Where documents go and how large one may be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentSettings {
    /// The directory of the sealed files; `None`: the store's default (beside the database).
    pub directory: Option<PathBuf>,
    pub max_bytes: u64,
}

impl Default for AttachmentSettings {
    fn default() -> AttachmentSettings {
        AttachmentSettings {
            directory: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// The kinds of document accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Jpeg,
    Png,
    PlainText,
    Docx,
}

impl DocumentKind {
    /// The media type stored and sent with the download.
    pub fn media_type(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Jpeg => "image/jpeg",
            DocumentKind::Png => "image/png",
            DocumentKind::PlainText => "text/plain; charset=utf-8",
            DocumentKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }
}

/// The kind of a document, read from its bytes: PDF, JPEG and PNG by their signatures, DOCX as a
/// ZIP archive whose directory names `word/document.xml`, plain text as valid UTF-8 without
/// control characters other than tab, line feed, form feed and carriage return. Anything else is
/// `None` (refused).
pub fn detect_kind(content: &[u8]) -> Option<DocumentKind> {
    if content.starts_with(b"%PDF-") {
        return Some(DocumentKind::Pdf);
    }
    if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(DocumentKind::Jpeg);
    }
    if content.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(DocumentKind::Png);
    }
    if content.starts_with(b"PK\x03\x04") {
        return zip_names(content)
            .is_some_and(|names| names.iter().any(|name| name == b"word/document.xml"))
            .then_some(DocumentKind::Docx);
    }
    let text = std::str::from_utf8(content).ok()?;
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}'));
    plain.then_some(DocumentKind::PlainText)
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    let slice = bytes.get(at..at + 2)?;
    Some(u16::from_le_bytes([slice[0], slice[1]]) as usize)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let slice = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([slice[0], slice[1], slice[2], slice[3]]) as usize)
}

/// The file names in a ZIP archive's central directory, found from its end record; `None` when
/// the archive cannot be read.
fn zip_names(content: &[u8]) -> Option<Vec<&[u8]>> {
    const END_SIGNATURE: &[u8] = b"PK\x05\x06";
    const ENTRY_SIGNATURE: &[u8] = b"PK\x01\x02";
    // The end record is 22 bytes plus a comment of at most 65,535 bytes.
    let search_from = content.len().saturating_sub(22 + 65_535);
    let end = (search_from..=content.len().checked_sub(22)?)
        .rev()
        .find(|&at| content[at..].starts_with(END_SIGNATURE))?;
    let entries = u16_at(content, end + 10)?;
    let mut at = u32_at(content, end + 16)?;
    let mut names = Vec::with_capacity(entries);
    for _ in 0..entries {
        if !content.get(at..)?.starts_with(ENTRY_SIGNATURE) {
            return None;
        }
        let name_length = u16_at(content, at + 28)?;
        let extra_length = u16_at(content, at + 30)?;
        let comment_length = u16_at(content, at + 32)?;
        names.push(content.get(at + 46..at + 46 + name_length)?);
        at += 46 + name_length + extra_length + comment_length;
    }
    Some(names)
}

/// A file name as it is kept and offered back: its last path component, without control
/// characters or quotes, at most 200 characters; `documento` when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\''))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() {
        "documento".into()
    } else {
        cleaned
    }
}

/// What the sealed content of a stored document is bound to: its own file name, so a sealed file
/// copied over another does not open.
fn purpose(storage_name: &str) -> String {
    format!("case-attachment:{storage_name}")
}

/// A content sealed and written: its new random name in the directory, its size and digest.
#[derive(Debug)]
pub struct SealedFile {
    pub storage_name: String,
    pub sha256: String,
}

/// Seals `content` and writes it to a new file in `directory` (created, owner-only, when absent).
/// The file is written under a temporary name and renamed, so a half-written file never has a
/// stored name.
pub fn write_sealed(
    directory: &Path,
    key: &SecretsKey,
    content: &[u8],
) -> Result<SealedFile, AppError> {
    let internal = |error: std::io::Error| {
        AppError::Internal(anyhow::Error::new(error).context(format!(
            "cannot write an attachment in {}",
            directory.display()
        )))
    };
    if !directory.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(directory).map_err(internal)?;
    }
    let mut random = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    let storage_name = format!("{}.sealed", hex::encode(random));
    let sealed = key.seal_bytes(content, &purpose(&storage_name));
    let temporary = directory.join(format!("{storage_name}.part"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary).map_err(internal)?;
    file.write_all(&sealed)
        .and_then(|()| file.sync_all())
        .map_err(internal)?;
    std::fs::rename(&temporary, directory.join(&storage_name)).map_err(internal)?;
    Ok(SealedFile {
        storage_name,
        sha256: hex::encode(sha2::Sha256::digest(content)),
    })
}

/// Removes a sealed file (when recording it failed).
pub fn remove_sealed(directory: &Path, storage_name: &str) {
    if let Err(error) = std::fs::remove_file(directory.join(storage_name)) {
        tracing::warn!(error = %error, "cannot remove an unrecorded attachment file");
    }
}

/// Reads and opens a stored document, checking its digest.
pub fn read_sealed(
    directory: &Path,
    key: &SecretsKey,
    storage_name: &str,
    sha256: &str,
) -> Result<Vec<u8>, AppError> {
    let sealed = std::fs::read(directory.join(storage_name)).map_err(|error| {
        AppError::Internal(anyhow::Error::new(error).context("cannot read an attachment file"))
    })?;
    let content = key
        .open_bytes(&sealed, &purpose(storage_name))
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "an attachment file does not open under the secrets key"
            ))
        })?;
    if hex::encode(sha2::Sha256::digest(&content)) != sha256 {
        return Err(AppError::Internal(anyhow::anyhow!(
            "an attachment file does not match its digest"
        )));
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ZIP archive with the given (empty, stored) entries, as a word processor writes one.
    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut archive = Vec::new();
        let mut directory = Vec::new();
        for name in names {
            let offset = archive.len() as u32;
            archive.extend_from_slice(b"PK\x03\x04");
            archive.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            archive.extend_from_slice(&[0; 12]);
            archive.extend_from_slice(&(name.len() as u16).to_le_bytes());
            archive.extend_from_slice(&[0, 0]);
            archive.extend_from_slice(name.as_bytes());
            directory.extend_from_slice(b"PK\x01\x02");
            directory.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let directory_offset = archive.len() as u32;
        archive.extend_from_slice(&directory);
        archive.extend_from_slice(b"PK\x05\x06");
        archive.extend_from_slice(&[0, 0, 0, 0]);
        archive.extend_from_slice(&(names.len() as u16).to_le_bytes());
        archive.extend_from_slice(&(names.len() as u16).to_le_bytes());
        archive.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        archive.extend_from_slice(&directory_offset.to_le_bytes());
        archive.extend_from_slice(&[0, 0]);
        archive
    }

    #[test]
    fn kinds_are_recognised_by_their_bytes() {
        let check = |content: &[u8], expected: Option<DocumentKind>| {
            assert_eq!(
                detect_kind(content),
                expected,
                "{:?}",
                &content[..content.len().min(8)]
            );
        };
        check(b"%PDF-1.7\n...", Some(DocumentKind::Pdf));
        check(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], Some(DocumentKind::Jpeg));
        check(
            &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0],
            Some(DocumentKind::Png),
        );
        check(
            "Contrato de trabajo: José Pérez, ñandú\r\n".as_bytes(),
            Some(DocumentKind::PlainText),
        );
        check(
            &zip_with(&["[Content_Types].xml", "word/document.xml"]),
            Some(DocumentKind::Docx),
        );
        // A ZIP that is not a Word document, an executable, text with a NUL, and bytes that are
        // not UTF-8 are refused.
        check(&zip_with(&["xl/workbook.xml"]), None);
        check(b"MZ\x90\x00\x03", None);
        check(b"hola\0mundo", None);
        check(&[0xC3, 0x28, b'a'], None);
        check(b"", None);
    }

    #[test]
    fn file_names_keep_their_last_component_only() {
        assert_eq!(
            clean_file_name("C:\\Users\\x\\contrato.pdf"),
            "contrato.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_file_name("pasaporte \"José\".jpg"),
            "pasaporte José.jpg"
        );
        assert_eq!(clean_file_name(".."), "documento");
        assert_eq!(clean_file_name(""), "documento");
    }

    #[test]
    fn a_sealed_file_opens_only_under_its_key_and_name() {
        let directory = tempfile::tempdir().unwrap();
        let key = SecretsKey::random();
        let content = b"%PDF-1.4 contenido";
        let sealed = write_sealed(directory.path(), &key, content).unwrap();
        let on_disk = std::fs::read(directory.path().join(&sealed.storage_name)).unwrap();
        assert!(!on_disk.windows(9).any(|window| window == b"contenido"));
        let opened =
            read_sealed(directory.path(), &key, &sealed.storage_name, &sealed.sha256).unwrap();
        assert_eq!(opened, content);
        assert!(read_sealed(
            directory.path(),
            &SecretsKey::random(),
            &sealed.storage_name,
            &sealed.sha256
        )
        .is_err());
        // Moved under another name, it does not open.
        std::fs::copy(
            directory.path().join(&sealed.storage_name),
            directory.path().join("other.sealed"),
        )
        .unwrap();
        assert!(read_sealed(directory.path(), &key, "other.sealed", &sealed.sha256).is_err());
    }
}
