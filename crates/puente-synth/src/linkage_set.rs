//! A Latin American record-linkage test set with known duplicates. Owned by the linkage work.
