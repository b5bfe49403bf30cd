//! The errors of the engine. Every message says what is wrong and where: the schema's line and
//! feature, or the data's line (as an editor counts it, the header being line 1) and feature.

/// A linkage schema that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// The text is not JSON.
    #[error("the schema is not valid JSON: {message} (line {line}, column {column})")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    /// The schema is not linkage schema version 3.
    #[error("only linkage schema version 3 is supported, the schema says version {found}")]
    Version { found: String },
    /// A part of the schema breaks the linkage schema v3 rules.
    #[error("{location}: {message}")]
    Invalid {
        /// Where: the JSON path, the feature and the line, e.g.
        /// `line 12, feature 'name' (features[1].hashing.strategy)`.
        location: String,
        message: String,
    },
}

/// A record that does not fit the schema, or a CSV that does not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The header does not name the schema's features in order.
    #[error("header (line 1): {message}")]
    Header { message: String },
    /// A row has the wrong number of values.
    #[error("line {line}: the row has {found} values where the schema has {expected} features")]
    RowLength {
        line: usize,
        found: usize,
        expected: usize,
    },
    /// A value breaks its feature's format (a pattern, an enum, a date, a length, a case).
    #[error("line {line}, feature '{feature}': {message}")]
    InvalidEntry {
        line: usize,
        feature: String,
        message: String,
    },
}

/// Bad input to matching.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    /// The threshold is not a number from 0 to 1.
    #[error("the threshold must be a number from 0 to 1, got {0}")]
    Threshold(String),
    /// Fewer than two datasets.
    #[error("matching needs at least two datasets, got {0}")]
    TooFewDatasets(usize),
    /// The datasets' encodings have different lengths.
    #[error("dataset {dataset} has encodings of {found} bytes where dataset 0 has {expected}")]
    LengthMismatch {
        dataset: usize,
        found: usize,
        expected: usize,
    },
}

/// A CLK file (`{"clks": [...]}`) that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClkFileError {
    /// Not JSON, or not an object with a `clks` array of strings.
    #[error("{0}")]
    Format(String),
    /// An encoding is not base64.
    #[error("line {line}, encoding {index}: not valid base64 ({message})")]
    Base64 {
        line: usize,
        index: usize,
        message: String,
    },
    /// An encoding has another length than the first.
    #[error(
        "line {line}, encoding {index}: {found} bytes where the first encoding has {expected}"
    )]
    Length {
        line: usize,
        index: usize,
        found: usize,
        expected: usize,
    },
}
