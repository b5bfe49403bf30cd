//! The errors of the engine. Every message says what is wrong and where: the schema's line and
//! feature, or the data's line (as an editor counts it, the header being line 1) and feature.
//! Every message comes in Spanish and English: `Display` writes English, `message(lang)` either.

use puente_core::Lang;

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub es: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.es,
            Lang::En => &self.en,
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// `text!("spanish {x}", "english {x}")`: a [`Text`] formatted in both languages.
macro_rules! text {
    ($es:literal, $en:literal $(,)?) => {
        $crate::error::Text {
            es: format!($es),
            en: format!($en),
        }
    };
}
pub(crate) use text;

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
        location: Text,
        message: Text,
    },
}

/// A record that does not fit the schema, or a CSV that does not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The header does not name the schema's features in order.
    #[error("header (line 1): {message}")]
    Header { message: Text },
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
        message: Text,
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
    Format(Text),
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

impl SchemaError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (
                SchemaError::Json {
                    message,
                    line,
                    column,
                },
                Lang::Es,
            ) => {
                format!("el esquema no es JSON válido: {message} (línea {line}, columna {column})")
            }
            (SchemaError::Version { found }, Lang::Es) => format!(
                "solo se admite la versión 3 del esquema de enlace, el esquema dice versión {found}"
            ),
            (SchemaError::Invalid { location, message }, lang) => {
                format!("{}: {}", location.get(lang), message.get(lang))
            }
            (_, Lang::En) => self.to_string(),
        }
    }
}

impl EncodeError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (EncodeError::Header { message }, Lang::Es) => {
                format!("encabezado (línea 1): {}", message.es)
            }
            (
                EncodeError::RowLength {
                    line,
                    found,
                    expected,
                },
                Lang::Es,
            ) => format!(
                "línea {line}: la fila tiene {found} valores donde el esquema tiene {expected} campos"
            ),
            (
                EncodeError::InvalidEntry {
                    line,
                    feature,
                    message,
                },
                Lang::Es,
            ) => format!("línea {line}, campo '{feature}': {}", message.es),
            (_, Lang::En) => self.to_string(),
        }
    }
}

impl MatchError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (MatchError::Threshold(value), Lang::Es) => {
                format!("el umbral debe ser un número de 0 a 1, se recibió {value}")
            }
            (MatchError::TooFewDatasets(count), Lang::Es) => {
                format!("el emparejamiento necesita al menos dos conjuntos de datos, se recibieron {count}")
            }
            (
                MatchError::LengthMismatch {
                    dataset,
                    found,
                    expected,
                },
                Lang::Es,
            ) => format!(
                "el conjunto {dataset} tiene codificaciones de {found} bytes donde el conjunto 0 las tiene de {expected}"
            ),
            (_, Lang::En) => self.to_string(),
        }
    }
}

impl ClkFileError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ClkFileError::Format(text), lang) => text.get(lang).to_string(),
            (
                ClkFileError::Base64 {
                    line,
                    index,
                    message,
                },
                Lang::Es,
            ) => format!("línea {line}, codificación {index}: no es base64 válido ({message})"),
            (
                ClkFileError::Length {
                    line,
                    index,
                    found,
                    expected,
                },
                Lang::Es,
            ) => format!(
                "línea {line}, codificación {index}: {found} bytes donde la primera codificación tiene {expected}"
            ),
            (_, Lang::En) => self.to_string(),
        }
    }
}
