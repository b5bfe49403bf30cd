//! Linkage schema version 3, as clkhash 0.18.3 reads it.
//!
//! The checks are those of clkhash's master schema (`schemas/v3.json`) and of its field format
//! classes, with two differences that make mistakes visible: an option the master schema does not
//! name is an error (clkhash would ignore it), and problems clkhash only finds while hashing (an
//! `l` that is not a power of two for `blakeHash`, a key longer than BLAKE2b allows, a date
//! directive) are found when the schema is read. clkhash reads XOR folding from `xor_folds` in
//! `clkConfig` (the master schema's `xorFolds` is ignored by clkhash 0.18.3), so `xor_folds` is
//! what is read here, and `xorFolds` is refused with an explanation rather than silently ignored.

use std::collections::HashSet;

use base64::Engine;
use serde_json::{Map, Value};

use crate::date_format::DateFormat;
use crate::error::{text, SchemaError, Text};

/// A parsed linkage schema.
#[derive(Debug, Clone)]
pub struct LinkageSchema {
    pub features: Vec<Feature>,
    /// The length of an encoding in bits, after XOR folding.
    pub l: usize,
    pub xor_folds: u32,
    pub kdf: KeyDerivation,
}

/// HKDF settings (RFC 5869).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDerivation {
    pub hash: KdfHash,
    pub salt: Option<Vec<u8>>,
    pub info: Option<Vec<u8>>,
    /// The size in bytes of each derived key.
    pub key_size: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfHash {
    Sha256,
    Sha512,
}

/// One column of the data.
#[derive(Debug, Clone)]
pub struct Feature {
    pub identifier: String,
    pub format: Format,
    /// `None` for an ignored feature.
    pub hashing: Option<Hashing>,
}

/// What a feature's values must look like.
#[derive(Debug, Clone)]
pub enum Format {
    String(StringFormat),
    Integer {
        minimum: Option<i128>,
        maximum: Option<i128>,
    },
    Date(DateFormat),
    Enum {
        values: HashSet<String>,
    },
    Ignored,
}

#[derive(Debug, Clone)]
pub enum StringFormat {
    /// The whole value must match the regular expression.
    Pattern { source: String, regex: regex::Regex },
    Plain {
        case: Case,
        min_length: Option<usize>,
        max_length: Option<usize>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Upper,
    Lower,
    Mixed,
}

/// The text encoding used to turn tokens into bytes (Python's codecs of the same names: the
/// UTF-16 and UTF-32 ones write a byte-order mark before every token, little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Ascii,
    Utf8,
    Utf16,
    Utf32,
}

/// How a feature's value goes into the Bloom filter.
#[derive(Debug, Clone)]
pub struct Hashing {
    pub comparison: Comparison,
    pub strategy: Strategy,
    pub hash: HashKind,
    pub missing_value: Option<MissingValue>,
    pub encoding: TextEncoding,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    Ngram {
        n: usize,
        positional: bool,
    },
    Exact,
    Numeric {
        /// `round(thresholdDistance * 10^fractional_precision)`.
        distance_interval: i128,
        resolution: i128,
        fractional_precision: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    BitsPerToken(usize),
    BitsPerFeature(usize),
}

impl Strategy {
    /// How many bits each of `token_count` tokens sets (clkhash's `bits_per_token`).
    pub fn bits_per_token(self, token_count: usize) -> impl Iterator<Item = usize> {
        let (base, residue) = match self {
            Strategy::BitsPerToken(k) => (k, 0),
            Strategy::BitsPerFeature(total) => (total / token_count, total % token_count),
        };
        (0..token_count).map(move |i| if i < residue { base + 1 } else { base })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKind {
    Blake,
    Double { prevent_singularity: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingValue {
    pub sentinel: String,
    /// What is hashed instead of the sentinel (the sentinel itself when absent).
    pub replace_with: String,
}

impl LinkageSchema {
    /// Reads a schema from its JSON text.
    pub fn from_json_str(text: &str) -> Result<LinkageSchema, SchemaError> {
        let value: Value = serde_json::from_str(text).map_err(|e| SchemaError::Json {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
        let reader = Reader { text };
        reader.schema(&value)
    }

    /// The length in bits before XOR folding.
    pub fn hash_length(&self) -> usize {
        self.l << self.xor_folds
    }

    /// The length of one encoding in bytes.
    pub fn encoding_bytes(&self) -> usize {
        self.l.div_ceil(8)
    }
}

/// Reads the JSON value, with the text at hand to name lines.
struct Reader<'a> {
    text: &'a str,
}

/// Where an error is: the JSON path and, for features, the feature.
#[derive(Clone)]
struct Place {
    path: String,
    feature: Option<(String, usize)>,
}

impl Place {
    fn child(&self, key: &str) -> Place {
        Place {
            path: if self.path.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.path)
            },
            feature: self.feature.clone(),
        }
    }
}

impl Reader<'_> {
    fn error(&self, place: &Place, message: Text) -> SchemaError {
        let path = &place.path;
        let location = match &place.feature {
            Some((identifier, line)) => text!(
                "línea {line}, campo '{identifier}' ({path})",
                "line {line}, feature '{identifier}' ({path})",
            ),
            None => match self.line_of_key(place.path.rsplit('.').next().unwrap_or("")) {
                Some(line) if !place.path.is_empty() => {
                    text!("línea {line} ({path})", "line {line} ({path})")
                }
                _ if place.path.is_empty() => text!("el esquema", "the schema"),
                _ => text!("{path}", "{path}"),
            },
        };
        SchemaError::Invalid { location, message }
    }

    /// The line of the first `"key":` in the text, for errors outside the features.
    fn line_of_key(&self, key: &str) -> Option<usize> {
        let key = key.split('[').next()?;
        let needle = format!("\"{key}\"");
        let position = self.text.find(&needle)?;
        Some(line_at(self.text, position))
    }

    /// The line of the `index`-th feature: where its `"identifier"` key is written (the keys
    /// appear in feature order in the text).
    fn line_of_feature(&self, index: usize) -> usize {
        let features_at = self.text.find("\"features\"").unwrap_or(0);
        self.text[features_at..]
            .match_indices("\"identifier\"")
            .nth(index)
            .map(|(at, _)| line_at(self.text, features_at + at))
            .unwrap_or_else(|| line_at(self.text, features_at))
    }

    fn schema(&self, value: &Value) -> Result<LinkageSchema, SchemaError> {
        let root = Place {
            path: String::new(),
            feature: None,
        };
        let object = self.object(&root, value)?;
        match object.get("version") {
            Some(Value::Number(n)) if n.as_f64() == Some(3.0) => {}
            Some(other) => {
                return Err(SchemaError::Version {
                    found: other.to_string(),
                })
            }
            None => {
                return Err(SchemaError::Version {
                    found: "none".to_string(),
                })
            }
        }
        self.known_keys(&root, object, &["version", "clkConfig", "features"])?;
        let config_place = root.child("clkConfig");
        let config = self.object(&config_place, self.required(&root, object, "clkConfig")?)?;
        if config.contains_key("xorFolds") {
            return Err(self.error(
                &config_place.child("xorFolds"),
                text!("clkhash 0.18.3 lee el plegado XOR de 'xor_folds' e ignora 'xorFolds'; escriba \"xor_folds\" para que ambas herramientas plieguen", "clkhash 0.18.3 reads XOR folding from 'xor_folds' and ignores 'xorFolds'; write \"xor_folds\" so that both tools fold"),
            ));
        }
        self.known_keys(&config_place, config, &["l", "kdf", "xor_folds"])?;
        let l = self.integer(
            &config_place.child("l"),
            self.required(&config_place, config, "l")?,
            1,
        )?;
        let xor_folds = match config.get("xor_folds") {
            Some(v) => self.integer(&config_place.child("xor_folds"), v, 0)?,
            None => 0,
        };
        if xor_folds > 16 {
            return Err(self.error(
                &config_place.child("xor_folds"),
                text!(
                    "como mucho 16 plegados XOR, se recibió {xor_folds}",
                    "at most 16 XOR folds, got {xor_folds}"
                ),
            ));
        }
        let l = usize::try_from(l).map_err(|_| {
            self.error(
                &config_place,
                text!("l es demasiado grande", "l is too large"),
            )
        })?;
        if l > 1 << 20 {
            return Err(self.error(
                &config_place.child("l"),
                text!(
                    "l debe ser como mucho 1048576 bits, se recibió {l}",
                    "l must be at most 1048576 bits, got {l}"
                ),
            ));
        }
        let kdf = self.kdf(
            &config_place.child("kdf"),
            self.required(&config_place, config, "kdf")?,
        )?;
        let features_value = self.required(&root, object, "features")?;
        let Value::Array(items) = features_value else {
            return Err(self.error(
                &root.child("features"),
                text!(
                    "'features' debe ser una lista",
                    "'features' must be an array"
                ),
            ));
        };
        let mut features = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            features.push(self.feature(index, item)?);
        }
        let schema = LinkageSchema {
            features,
            l,
            xor_folds: xor_folds as u32,
            kdf,
        };
        let hash_length = schema.hash_length();
        for (index, feature) in schema.features.iter().enumerate() {
            let Some(hashing) = &feature.hashing else {
                continue;
            };
            let place = Place {
                path: format!("features[{index}].hashing.hash"),
                feature: Some((feature.identifier.clone(), self.line_of_feature(index))),
            };
            if hashing.hash == HashKind::Blake {
                if !hash_length.is_power_of_two() {
                    return Err(self.error(
                        &place,
                        text!("blakeHash necesita que l * 2^xor_folds sea una potencia de dos, se recibió {hash_length}", "blakeHash needs l * 2^xor_folds to be a power of two, got {hash_length}"),
                    ));
                }
                if schema.kdf.key_size > 64 {
                    return Err(self.error(
                        &place,
                        {
                            let key_size = schema.kdf.key_size;
                            text!(
                                "blakeHash admite claves de como mucho 64 bytes, kdf.keySize es {key_size}",
                                "blakeHash takes keys of at most 64 bytes, kdf.keySize is {key_size}",
                            )
                        },
                    ));
                }
            }
        }
        Ok(schema)
    }

    fn kdf(&self, place: &Place, value: &Value) -> Result<KeyDerivation, SchemaError> {
        let object = self.object(place, value)?;
        self.known_keys(place, object, &["type", "hash", "salt", "info", "keySize"])?;
        match self.required(place, object, "type")? {
            Value::String(s) if s == "HKDF" => {}
            other => {
                return Err(self.error(
                    &place.child("type"),
                    text!(
                        "la única derivación de claves es \"HKDF\", se recibió {other}",
                        "the only key derivation is \"HKDF\", got {other}"
                    ),
                ))
            }
        }
        let hash = match object.get("hash") {
            None => KdfHash::Sha256,
            Some(Value::String(s)) if s == "SHA256" => KdfHash::Sha256,
            Some(Value::String(s)) if s == "SHA512" => KdfHash::Sha512,
            Some(other) => {
                return Err(self.error(
                    &place.child("hash"),
                    text!(
                        "el hash de HKDF es \"SHA256\" o \"SHA512\", se recibió {other}",
                        "the HKDF hash is \"SHA256\" or \"SHA512\", got {other}"
                    ),
                ))
            }
        };
        let bytes = |key: &str| -> Result<Option<Vec<u8>>, SchemaError> {
            match object.get(key) {
                None => Ok(None),
                Some(Value::String(s)) => base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .map(Some)
                    .map_err(|e| {
                        self.error(
                            &place.child(key),
                            text!("'{key}' no es base64: {e}", "'{key}' is not base64: {e}"),
                        )
                    }),
                Some(other) => Err(self.error(
                    &place.child(key),
                    text!(
                        "'{key}' debe ser un texto en base64, se recibió {other}",
                        "'{key}' must be a base64 string, got {other}"
                    ),
                )),
            }
        };
        let salt = bytes("salt")?;
        let info = bytes("info")?;
        let key_size = match object.get("keySize") {
            None => 64,
            Some(v) => self.integer(&place.child("keySize"), v, 1)? as usize,
        };
        let limit = match hash {
            KdfHash::Sha256 => 255 * 32,
            KdfHash::Sha512 => 255 * 64,
        };
        if key_size > limit {
            return Err(self.error(
                &place.child("keySize"),
                text!(
                    "HKDF no puede derivar claves de {key_size} bytes",
                    "HKDF cannot derive keys of {key_size} bytes"
                ),
            ));
        }
        Ok(KeyDerivation {
            hash,
            salt,
            info,
            key_size,
        })
    }

    fn feature(&self, index: usize, value: &Value) -> Result<Feature, SchemaError> {
        let bare = Place {
            path: format!("features[{index}]"),
            feature: None,
        };
        let object = self.object(&bare, value)?;
        let identifier = match object.get("identifier") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(self.error(
                    &bare.child("identifier"),
                    text!(
                        "'identifier' debe ser un texto, se recibió {other}",
                        "'identifier' must be a string, got {other}"
                    ),
                ))
            }
            None => {
                return Err(self.error(
                    &bare,
                    text!(
                        "un campo necesita un 'identifier'",
                        "a feature needs an 'identifier'"
                    ),
                ))
            }
        };
        let place = Place {
            path: bare.path.clone(),
            feature: Some((identifier.clone(), self.line_of_feature(index))),
        };
        let ignored = match object.get("ignored") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(self.error(
                    &place.child("ignored"),
                    text!(
                        "'ignored' debe ser true o false, se recibió {other}",
                        "'ignored' must be true or false, got {other}"
                    ),
                ))
            }
        };
        if ignored && !object.contains_key("format") && !object.contains_key("hashing") {
            self.known_keys(&place, object, &["identifier", "ignored", "description"])?;
            return Ok(Feature {
                identifier,
                format: Format::Ignored,
                hashing: None,
            });
        }
        self.known_keys(
            &place,
            object,
            &["identifier", "ignored", "description", "format", "hashing"],
        )?;
        let format_place = place.child("format");
        let format_object = self.object(&format_place, self.required(&place, object, "format")?)?;
        let hashing_place = place.child("hashing");
        let hashing_object =
            self.object(&hashing_place, self.required(&place, object, "hashing")?)?;
        let (format, encoding) = self.format(&format_place, format_object)?;
        let hashing = self.hashing(&hashing_place, hashing_object, encoding)?;
        if ignored {
            return Ok(Feature {
                identifier,
                format: Format::Ignored,
                hashing: None,
            });
        }
        Ok(Feature {
            identifier,
            format,
            hashing: Some(hashing),
        })
    }

    fn format(
        &self,
        place: &Place,
        object: &Map<String, Value>,
    ) -> Result<(Format, TextEncoding), SchemaError> {
        let kind = match self.required(place, object, "type")? {
            Value::String(s) => s.as_str(),
            other => {
                return Err(self.error(
                    &place.child("type"),
                    text!(
                        "el tipo de formato debe ser un texto, se recibió {other}",
                        "the format type must be a string, got {other}"
                    ),
                ))
            }
        };
        let mut encoding = TextEncoding::Utf8;
        let format = match kind {
            "string" => {
                if object.contains_key("pattern") {
                    self.known_keys(
                        place,
                        object,
                        &["type", "encoding", "pattern", "description"],
                    )?;
                } else {
                    self.known_keys(
                        place,
                        object,
                        &[
                            "type",
                            "encoding",
                            "case",
                            "minLength",
                            "maxLength",
                            "description",
                        ],
                    )?;
                }
                if let Some(value) = object.get("encoding") {
                    encoding = match value.as_str() {
                        Some("ascii") => TextEncoding::Ascii,
                        Some("utf-8") => TextEncoding::Utf8,
                        Some("utf-16") => TextEncoding::Utf16,
                        Some("utf-32") => TextEncoding::Utf32,
                        _ => {
                            return Err(self.error(
                                &place.child("encoding"),
                                text!("la codificación es \"ascii\", \"utf-8\", \"utf-16\" o \"utf-32\", se recibió {value}", "the encoding is one of \"ascii\", \"utf-8\", \"utf-16\", \"utf-32\", got {value}"),
                            ))
                        }
                    };
                }
                if let Some(pattern) = object.get("pattern") {
                    let Some(source) = pattern.as_str() else {
                        return Err(self.error(
                            &place.child("pattern"),
                            text!(
                                "'pattern' debe ser un texto, se recibió {pattern}",
                                "'pattern' must be a string, got {pattern}"
                            ),
                        ));
                    };
                    let regex = regex::Regex::new(&format!("^(?:{source})$")).map_err(|e| {
                        self.error(
                            &place.child("pattern"),
                            text!(
                                "expresión regular no válida '{source}': {e}",
                                "invalid regular expression '{source}': {e}"
                            ),
                        )
                    })?;
                    Format::String(StringFormat::Pattern {
                        source: source.to_string(),
                        regex,
                    })
                } else {
                    let case = match object.get("case") {
                        None => Case::Mixed,
                        Some(v) => match v.as_str() {
                            Some("upper") => Case::Upper,
                            Some("lower") => Case::Lower,
                            Some("mixed") => Case::Mixed,
                            _ => {
                                return Err(self.error(
                                    &place.child("case"),
                                    text!(
                                    "el caso es \"upper\", \"lower\" o \"mixed\", se recibió {v}",
                                    "the case is \"upper\", \"lower\" or \"mixed\", got {v}"
                                ),
                                ))
                            }
                        },
                    };
                    let min_length = match object.get("minLength") {
                        None => None,
                        Some(v) => Some(self.integer(&place.child("minLength"), v, 0)? as usize),
                    };
                    let max_length = match object.get("maxLength") {
                        None => None,
                        Some(v) => Some(self.integer(&place.child("maxLength"), v, 1)? as usize),
                    };
                    Format::String(StringFormat::Plain {
                        case,
                        min_length,
                        max_length,
                    })
                }
            }
            "integer" => {
                self.known_keys(
                    place,
                    object,
                    &["type", "minimum", "maximum", "description"],
                )?;
                let bound = |key: &str| -> Result<Option<i128>, SchemaError> {
                    match object.get(key) {
                        None => Ok(None),
                        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                            Ok(n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)))
                        }
                        Some(other) => Err(self.error(
                            &place.child(key),
                            text!(
                                "'{key}' debe ser un número entero, se recibió {other}",
                                "'{key}' must be an integer, got {other}"
                            ),
                        )),
                    }
                };
                Format::Integer {
                    minimum: bound("minimum")?,
                    maximum: bound("maximum")?,
                }
            }
            "date" => {
                self.known_keys(place, object, &["type", "format", "description"])?;
                let value = self.required(place, object, "format")?;
                let Some(text) = value.as_str() else {
                    return Err(self.error(
                        &place.child("format"),
                        text!(
                            "el formato de fecha debe ser un texto, se recibió {value}",
                            "the date format must be a string, got {value}"
                        ),
                    ));
                };
                Format::Date(DateFormat::new(text).map_err(|message| {
                    // The detail is Python's strptime wording.
                    self.error(
                        &place.child("format"),
                        text!("formato de fecha no válido: {message}", "{message}",),
                    )
                })?)
            }
            "enum" => {
                self.known_keys(place, object, &["type", "values", "description"])?;
                let value = self.required(place, object, "values")?;
                let Value::Array(items) = value else {
                    return Err(self.error(
                        &place.child("values"),
                        text!(
                            "'values' debe ser una lista de textos",
                            "'values' must be an array of strings"
                        ),
                    ));
                };
                let mut values = HashSet::new();
                for item in items {
                    let Some(text) = item.as_str() else {
                        return Err(self.error(
                            &place.child("values"),
                            text!(
                                "'values' solo debe contener textos, se recibió {item}",
                                "'values' must hold strings only, got {item}"
                            ),
                        ));
                    };
                    values.insert(text.to_string());
                }
                Format::Enum { values }
            }
            other => {
                return Err(self.error(
                    &place.child("type"),
                    text!(
                        "tipo de formato desconocido '{other}' (string, integer, date o enum)",
                        "unknown format type '{other}' (string, integer, date or enum)"
                    ),
                ))
            }
        };
        Ok((format, encoding))
    }

    fn hashing(
        &self,
        place: &Place,
        object: &Map<String, Value>,
        encoding: TextEncoding,
    ) -> Result<Hashing, SchemaError> {
        self.known_keys(
            place,
            object,
            &["hash", "strategy", "comparison", "missingValue"],
        )?;
        let hash = match object.get("hash") {
            None => HashKind::Blake,
            Some(value) => {
                let hash_place = place.child("hash");
                let hash_object = self.object(&hash_place, value)?;
                let kind = self.required(&hash_place, hash_object, "type")?;
                match kind.as_str() {
                    Some("blakeHash") => {
                        if hash_object.contains_key("prevent_singularity") {
                            return Err(self.error(
                                &hash_place.child("prevent_singularity"),
                                text!("prevent_singularity solo se da con el hash doubleHash", "prevent_singularity must only be given with the doubleHash hash"),
                            ));
                        }
                        self.known_keys(&hash_place, hash_object, &["type"])?;
                        HashKind::Blake
                    }
                    Some("doubleHash") => {
                        self.known_keys(
                            &hash_place,
                            hash_object,
                            &["type", "prevent_singularity"],
                        )?;
                        let prevent_singularity = match hash_object.get("prevent_singularity") {
                            None => false,
                            Some(Value::Bool(b)) => *b,
                            Some(other) => {
                                return Err(self.error(
                                    &hash_place.child("prevent_singularity"),
                                    text!(
                                    "prevent_singularity debe ser true o false, se recibió {other}",
                                    "prevent_singularity must be true or false, got {other}"
                                ),
                                ))
                            }
                        };
                        HashKind::Double {
                            prevent_singularity,
                        }
                    }
                    _ => {
                        return Err(self.error(
                            &hash_place.child("type"),
                            text!(
                                "el hash es \"blakeHash\" o \"doubleHash\", se recibió {kind}",
                                "the hash is \"blakeHash\" or \"doubleHash\", got {kind}"
                            ),
                        ))
                    }
                }
            }
        };
        let strategy_place = place.child("strategy");
        let strategy_object =
            self.object(&strategy_place, self.required(place, object, "strategy")?)?;
        let strategy = match (
            strategy_object.get("bitsPerToken"),
            strategy_object.get("bitsPerFeature"),
            strategy_object.len(),
        ) {
            (Some(v), None, 1) => {
                Strategy::BitsPerToken(
                    self.integer(&strategy_place.child("bitsPerToken"), v, 1)? as usize
                )
            }
            (None, Some(v), 1) => Strategy::BitsPerFeature(self.integer(
                &strategy_place.child("bitsPerFeature"),
                v,
                1,
            )? as usize),
            _ => return Err(self.error(
                &strategy_place,
                text!("la estrategia es exactamente una de {{\"bitsPerToken\": k}} o {{\"bitsPerFeature\": k}}", "the strategy is exactly one of {{\"bitsPerToken\": k}} or {{\"bitsPerFeature\": k}}"),
            )),
        };
        let (Strategy::BitsPerToken(k) | Strategy::BitsPerFeature(k)) = strategy;
        if k > 1 << 16 {
            return Err(self.error(
                &strategy_place,
                text!(
                    "como mucho 65536 bits, se recibió {k}",
                    "at most 65536 bits, got {k}"
                ),
            ));
        }
        let comparison_place = place.child("comparison");
        let comparison_object = self.object(
            &comparison_place,
            self.required(place, object, "comparison")?,
        )?;
        let comparison = self.comparison(&comparison_place, comparison_object)?;
        let missing_value = match object.get("missingValue") {
            None => None,
            Some(value) => {
                let missing_place = place.child("missingValue");
                let missing_object = self.object(&missing_place, value)?;
                self.known_keys(&missing_place, missing_object, &["sentinel", "replaceWith"])?;
                let text = |key: &str| -> Result<Option<String>, SchemaError> {
                    match missing_object.get(key) {
                        None => Ok(None),
                        Some(Value::String(s)) => Ok(Some(s.clone())),
                        Some(other) => Err(self.error(
                            &missing_place.child(key),
                            text!(
                                "'{key}' debe ser un texto, se recibió {other}",
                                "'{key}' must be a string, got {other}"
                            ),
                        )),
                    }
                };
                let Some(sentinel) = text("sentinel")? else {
                    return Err(self.error(
                        &missing_place,
                        text!(
                            "missingValue necesita un 'sentinel'",
                            "missingValue needs a 'sentinel'"
                        ),
                    ));
                };
                let replace_with = text("replaceWith")?.unwrap_or_else(|| sentinel.clone());
                Some(MissingValue {
                    sentinel,
                    replace_with,
                })
            }
        };
        Ok(Hashing {
            comparison,
            strategy,
            hash,
            missing_value,
            encoding,
        })
    }

    fn comparison(
        &self,
        place: &Place,
        object: &Map<String, Value>,
    ) -> Result<Comparison, SchemaError> {
        let kind = self.required(place, object, "type")?;
        match kind.as_str() {
            Some("ngram") => {
                self.known_keys(place, object, &["type", "n", "positional"])?;
                let n = self.integer(&place.child("n"), self.required(place, object, "n")?, 1)?;
                if n > 64 {
                    return Err(self.error(
                        &place.child("n"),
                        text!(
                            "n es como mucho 64, se recibió {n}",
                            "n is at most 64, got {n}"
                        ),
                    ));
                }
                let positional = match object.get("positional") {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    Some(other) => {
                        return Err(self.error(
                            &place.child("positional"),
                            text!(
                                "'positional' debe ser true o false, se recibió {other}",
                                "'positional' must be true or false, got {other}"
                            ),
                        ))
                    }
                };
                Ok(Comparison::Ngram {
                    n: n as usize,
                    positional,
                })
            }
            Some("exact") => {
                self.known_keys(place, object, &["type"])?;
                Ok(Comparison::Exact)
            }
            Some("numeric") => {
                self.known_keys(
                    place,
                    object,
                    &[
                        "type",
                        "thresholdDistance",
                        "resolution",
                        "fractional_precision",
                    ],
                )?;
                let distance_value = self.required(place, object, "thresholdDistance")?;
                let distance = match distance_value.as_f64() {
                    Some(d) if d > 0.0 && d.is_finite() => d,
                    _ => {
                        return Err(self.error(
                            &place.child("thresholdDistance"),
                            text!(
                                "thresholdDistance debe ser un número mayor que 0, se recibió {distance_value}", "thresholdDistance must be a number above 0, got {distance_value}"
                            ),
                        ))
                    }
                };
                let resolution = self.integer(
                    &place.child("resolution"),
                    self.required(place, object, "resolution")?,
                    1,
                )?;
                let fractional_precision = match object.get("fractional_precision") {
                    None => 0,
                    Some(v) => self.integer(&place.child("fractional_precision"), v, 0)?,
                };
                if fractional_precision > 18 || resolution > 1 << 20 {
                    return Err(self.error(
                        place,
                        text!(
                            "fractional_precision es como mucho 18 y resolution como mucho 1048576",
                            "fractional_precision is at most 18 and resolution at most 1048576"
                        ),
                    ));
                }
                let scaled = (distance * 10f64.powi(fractional_precision as i32)).round_ties_even();
                if scaled == 0.0 {
                    return Err(self.error(
                        &place.child("thresholdDistance"),
                        text!("no hay precisión fraccionaria suficiente para codificar thresholdDistance", "not enough fractional precision to encode thresholdDistance"),
                    ));
                }
                if scaled > 1e30 {
                    return Err(self.error(
                        &place.child("thresholdDistance"),
                        text!(
                            "thresholdDistance es demasiado grande",
                            "thresholdDistance is too large"
                        ),
                    ));
                }
                Ok(Comparison::Numeric {
                    distance_interval: scaled as i128,
                    resolution: resolution as i128,
                    fractional_precision: fractional_precision as u32,
                })
            }
            _ => Err(self.error(
                &place.child("type"),
                text!(
                    "la comparación es \"ngram\", \"exact\" o \"numeric\", se recibió {kind}",
                    "the comparison is \"ngram\", \"exact\" or \"numeric\", got {kind}"
                ),
            )),
        }
    }

    fn object<'v>(
        &self,
        place: &Place,
        value: &'v Value,
    ) -> Result<&'v Map<String, Value>, SchemaError> {
        match value {
            Value::Object(map) => Ok(map),
            other => Err(self.error(
                place,
                text!(
                    "se esperaba un objeto JSON, se recibió {other}",
                    "expected a JSON object, got {other}"
                ),
            )),
        }
    }

    fn required<'v>(
        &self,
        place: &Place,
        object: &'v Map<String, Value>,
        key: &str,
    ) -> Result<&'v Value, SchemaError> {
        object.get(key).ok_or_else(|| {
            self.error(
                place,
                text!("falta '{key}', que es obligatorio", "'{key}' is required"),
            )
        })
    }

    fn known_keys(
        &self,
        place: &Place,
        object: &Map<String, Value>,
        known: &[&str],
    ) -> Result<(), SchemaError> {
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                return Err(self.error(&place.child(key), {
                    let known = known.join(", ");
                    text!(
                        "opción desconocida '{key}' (se esperaba una de: {known})",
                        "unknown option '{key}' (expected one of: {known})",
                    )
                }));
            }
        }
        Ok(())
    }

    fn integer(&self, place: &Place, value: &Value, minimum: i64) -> Result<u64, SchemaError> {
        match value.as_i64() {
            Some(n) if n >= minimum => Ok(n as u64),
            _ => Err(self.error(
                place,
                text!(
                    "se esperaba un entero de al menos {minimum}, se recibió {value}",
                    "expected an integer of at least {minimum}, got {value}"
                ),
            )),
        }
    }
}

/// The 1-based line of a byte position.
fn line_at(text: &str, position: usize) -> usize {
    text[..position].matches('\n').count() + 1
}
