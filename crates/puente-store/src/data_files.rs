//! The files a store keeps outside its database (the audit key and checkpoints, the secrets key,
//! the sealed attachments) and where they lie: the store's data directory, each named after the
//! database.
//!
//! With SQLite the data directory is the database file's own, and the files are named after that
//! file (`puente.db` → `puente.db.attachments`). With PostgreSQL there is no database file: the
//! data directory is `$PUENTE_DATA_DIR`, else the current directory, and the files are named after
//! the database (`puente` → `puente.attachments`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable naming the data directory of a store without a database file.
pub const DATA_DIRECTORY_VARIABLE: &str = "PUENTE_DATA_DIR";

/// The name added to the data files' name for the directory of sealed attachments.
const ATTACHMENT_DIRECTORY_SUFFIX: &str = ".attachments";

/// Where the files kept outside a database lie, and the name they are named after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataFiles {
    directory: PathBuf,
    name: OsString,
}

impl DataFiles {
    /// The files named `name` followed by their suffix, in `directory`.
    pub fn in_directory(directory: impl Into<PathBuf>, name: impl Into<OsString>) -> DataFiles {
        DataFiles {
            directory: directory.into(),
            name: name.into(),
        }
    }

    /// The files beside the database file at `database`, named after it.
    pub fn beside_database_file(database: &Path) -> DataFiles {
        let name = database
            .file_name()
            .map(|name| name.to_os_string())
            .unwrap_or_else(|| "puente".into());
        let directory = database.parent().map(Path::to_path_buf).unwrap_or_default();
        DataFiles::in_directory(directory, name)
    }

    /// The files of the database called `database_name` that has no file of its own: in
    /// `$PUENTE_DATA_DIR`, else in the current directory.
    pub fn in_data_directory_of(database_name: &str) -> DataFiles {
        let directory = std::env::var_os(DATA_DIRECTORY_VARIABLE)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        DataFiles::in_directory(directory, database_name)
    }

    /// The data directory.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// The file of the data directory named after the database, followed by `suffix`
    /// (`.audit-key`, `.secrets-key`, ...).
    pub fn file(&self, suffix: &str) -> PathBuf {
        let mut name = self.name.clone();
        name.push(suffix);
        self.directory.join(name)
    }

    /// The directory of the sealed contents of attached documents, when not configured otherwise.
    pub fn attachment_directory(&self) -> PathBuf {
        self.file(ATTACHMENT_DIRECTORY_SUFFIX)
    }
}

/// A store's data directory, which every backend can answer.
pub trait DataFilesStore: Send + Sync {
    /// Where this store keeps the files that live outside its database.
    fn data_files(&self) -> DataFiles;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_file_keeps_its_files_beside_it_named_after_it() {
        let files = DataFiles::beside_database_file(Path::new("/srv/puente/puente.db"));
        assert_eq!(files.directory(), Path::new("/srv/puente"));
        assert_eq!(
            files.attachment_directory(),
            PathBuf::from("/srv/puente/puente.db.attachments")
        );
        assert_eq!(
            files.file(".audit-key"),
            PathBuf::from("/srv/puente/puente.db.audit-key")
        );
    }

    #[test]
    fn a_database_file_named_without_a_directory_keeps_its_files_in_the_current_one() {
        let files = DataFiles::beside_database_file(Path::new("puente.db"));
        assert_eq!(
            files.attachment_directory(),
            PathBuf::from("puente.db.attachments")
        );
    }

    #[test]
    fn a_database_without_a_file_keeps_its_files_in_the_data_directory_named_after_it() {
        let files = DataFiles::in_directory("/var/lib/puente", "casework");
        assert_eq!(
            files.attachment_directory(),
            PathBuf::from("/var/lib/puente/casework.attachments")
        );
    }
}
