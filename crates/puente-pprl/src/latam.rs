//! The `latam` profile: a built-in schema over the columns `puente link` recognises, fed with
//! the linkage engine's normalisation, and hardened.
//!
//! Each record is first normalised with `puente_linkage`'s public functions: accents and case
//! folded, given names replaced by their nickname group's name ("Chepe" is "jose"), surnames
//! split into units with their particles and sorted (so "De la Cruz Pérez" and "Pérez Delacruz"
//! agree, and a dropped maternal surname keeps the other's bigrams), the Spanish phonetic key,
//! dates read as partial dates (the year and the unordered day and month are features of their
//! own, so a swapped day and month or a missing day still agree), phones as national numbers in
//! E.164. The derived values are then encoded with [`PROFILE_SCHEMA`], a linkage schema v3
//! (BLAKE2, `bitsPerFeature`), with XOR folding, a record-level salt from the sex and balanced
//! Bloom filters (see `docs/pprl.md`).

use puente_core::Country;
use puente_linkage::date::PartialDate;
use puente_linkage::normalize::{fold, phonetic, split_units, Nicknames};
use puente_linkage::phone::normalize_phone;
use puente_linkage::FieldKind;

use crate::encode::{Encoder, Hardening};
use crate::error::EncodeError;
use crate::schema::LinkageSchema;

/// The profile's linkage schema, over the derived features (in this order).
pub const PROFILE_SCHEMA: &str = include_str!("latam_schema.json");

/// The derived features, in the order of [`PROFILE_SCHEMA`].
pub const DERIVED_FEATURES: [&str; 12] = [
    "given_names",
    "given_phonetic",
    "surnames",
    "surname_phonetic",
    "birth_year",
    "birth_day_month",
    "birth_date",
    "sex",
    "nationality",
    "phone",
    "identifier",
    "city",
];

/// The position of the salt feature (the sex) in [`DERIVED_FEATURES`].
const SALT_FEATURE: usize = 7;

/// Which CSV column holds each kind the profile reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LatamColumns {
    given_name: Option<usize>,
    surname: Option<usize>,
    date_of_birth: Option<usize>,
    sex: Option<usize>,
    nationality: Option<usize>,
    phone: Option<usize>,
    identifier: Option<usize>,
    city: Option<usize>,
    width: usize,
}

impl LatamColumns {
    /// Recognises the columns by header as `puente link` does (`given_name`/`nombres`,
    /// `surname`/`apellidos`, `date_of_birth`/`fecha_nacimiento`, `sex`, `nationality`, `phone`,
    /// an identifier such as `dpi` or `curp`, and `city`/`ciudad`); other columns are not
    /// encoded. A given name and a surname column are required.
    pub fn from_header(header: &[&str]) -> Result<LatamColumns, EncodeError> {
        let mut columns = LatamColumns {
            width: header.len(),
            ..LatamColumns::default()
        };
        for (index, name) in header.iter().enumerate() {
            let folded = fold(name).replace(' ', "_");
            let slot = match FieldKind::from_header(name) {
                FieldKind::GivenName => &mut columns.given_name,
                FieldKind::Surname => &mut columns.surname,
                FieldKind::Date => &mut columns.date_of_birth,
                FieldKind::Sex => &mut columns.sex,
                FieldKind::Nationality => &mut columns.nationality,
                FieldKind::Phone => &mut columns.phone,
                FieldKind::Identifier => &mut columns.identifier,
                FieldKind::Text if matches!(folded.as_str(), "city" | "ciudad" | "municipio") => {
                    &mut columns.city
                }
                _ => continue,
            };
            if let Some(previous) = slot {
                let (first, first_name, second) = (*previous + 1, header[*previous], index + 1);
                return Err(EncodeError::Header {
                    message: crate::error::text!(
                        "las columnas {first} ('{first_name}') y {second} ('{name}') tienen el mismo tipo de valor",
                        "columns {first} ('{first_name}') and {second} ('{name}') hold the same kind of value",
                    ),
                });
            }
            *slot = Some(index);
        }
        if columns.given_name.is_none() || columns.surname.is_none() {
            return Err(EncodeError::Header {
                message: crate::error::text!(
                    "el perfil latam necesita una columna de nombres (given_name, first_name, nombres) y una de apellidos (surname, last_name, apellidos)",
                    "the latam profile needs a given name column (given_name, first_name, nombres) and a surname column (surname, last_name, apellidos)",
                ),
            });
        }
        Ok(columns)
    }
}

/// The profile: the built-in schema keyed with the secret, hardened.
#[derive(Debug)]
pub struct LatamProfile {
    encoder: Encoder,
    default_country: Option<Country>,
}

impl LatamProfile {
    /// `default_country` is the country of phones written without a calling code.
    pub fn new(secret: &[u8], default_country: Option<Country>) -> LatamProfile {
        let schema = LinkageSchema::from_json_str(PROFILE_SCHEMA)
            .expect("the built-in profile schema is valid (a test reads it)");
        LatamProfile::with_hardening(secret, default_country, schema, LatamProfile::hardening())
            .expect("the built-in profile schema derives its keys")
    }

    /// The profile's hardening: a record-level salt from the sex, balanced Bloom filters (XOR
    /// folding is in [`PROFILE_SCHEMA`]).
    pub fn hardening() -> Hardening {
        Hardening {
            record_salt_feature: Some(SALT_FEATURE),
            balanced: true,
        }
    }

    /// The profile's normalisation with another schema over [`DERIVED_FEATURES`] and other
    /// hardening (the benchmark measures what each option costs this way).
    pub fn with_hardening(
        secret: &[u8],
        default_country: Option<Country>,
        schema: LinkageSchema,
        hardening: Hardening,
    ) -> Result<LatamProfile, crate::error::SchemaError> {
        let names: Vec<&str> = schema
            .features
            .iter()
            .map(|f| f.identifier.as_str())
            .collect();
        if names != DERIVED_FEATURES {
            return Err(crate::error::SchemaError::Invalid {
                location: crate::error::text!("features", "features"),
                message: {
                    let names = DERIVED_FEATURES.join(", ");
                    crate::error::text!(
                        "los campos del perfil latam son {names}",
                        "the latam profile's features are {names}",
                    )
                },
            });
        }
        Ok(LatamProfile {
            encoder: Encoder::with_hardening(schema, secret, hardening)?,
            default_country,
        })
    }

    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// The derived feature values of a record.
    pub fn derive(
        &self,
        columns: &LatamColumns,
        record: &[&str],
        line: usize,
    ) -> Result<Vec<String>, EncodeError> {
        if record.len() != columns.width {
            return Err(EncodeError::RowLength {
                line,
                found: record.len(),
                expected: columns.width,
            });
        }
        let cell = |index: Option<usize>| index.map(|i| record[i].trim()).unwrap_or("");
        let nicknames = Nicknames::spanish();
        let given: Vec<String> = split_units(&fold(cell(columns.given_name)))
            .into_iter()
            .map(|unit| canonical_given_name(nicknames, &unit.compact))
            .collect();
        let given_phonetic = given.first().map(|g| phonetic(g)).unwrap_or_default();
        let mut surnames: Vec<String> = split_units(&fold(cell(columns.surname)))
            .into_iter()
            .map(|unit| unit.compact)
            .collect();
        surnames.sort();
        let mut surname_keys: Vec<String> = surnames.iter().map(|s| phonetic(s)).collect();
        surname_keys.sort();
        let date_text = cell(columns.date_of_birth);
        let date = PartialDate::parse(date_text).map_err(|e| EncodeError::InvalidEntry {
            line,
            feature: "date_of_birth".to_string(),
            message: {
                let value = &e.value;
                crate::error::text!(
                    "fecha ilegible {value:?}: se esperaba AAAA-MM-DD, AAAAMMDD, AAAA-MM, AAAA o DD/MM/AAAA",
                    "unreadable date {value:?}: expected YYYY-MM-DD, YYYYMMDD, YYYY-MM, YYYY or DD/MM/YYYY",
                )
            },
        })?;
        let (birth_year, birth_day_month, birth_date) = match date {
            None => (String::new(), String::new(), String::new()),
            Some(d) => {
                let year = if d.year > 0 {
                    d.year.to_string()
                } else {
                    String::new()
                };
                let day_month = if d.day > 0 && d.month > 0 {
                    let (a, b) = (d.day.min(d.month), d.day.max(d.month));
                    format!("{a:02} {b:02}")
                } else {
                    String::new()
                };
                let full = if d.year > 0 && d.month > 0 && d.day > 0 {
                    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
                } else {
                    String::new()
                };
                (year, day_month, full)
            }
        };
        let sex = match fold(cell(columns.sex)).as_str() {
            "f" | "femenino" | "mujer" | "female" | "woman" | "fem" => "f".to_string(),
            "m" | "masculino" | "hombre" | "male" | "man" | "masc" => "m".to_string(),
            other => other.to_string(),
        };
        let nationality_text = cell(columns.nationality);
        let nationality = Country::from_code(nationality_text)
            .map(|c| c.alpha_2().to_string())
            .unwrap_or_else(|| fold(nationality_text));
        let record_country = Country::from_code(nationality_text).or(self.default_country);
        let phone = normalize_phone(cell(columns.phone), record_country)
            .map(|p| p.national)
            .unwrap_or_default();
        let identifier = fold(cell(columns.identifier)).replace(' ', "");
        let city = fold(cell(columns.city));
        Ok(vec![
            given.join(" "),
            given_phonetic,
            surnames.join(" "),
            surname_keys.join(" "),
            birth_year,
            birth_day_month,
            birth_date,
            sex,
            nationality,
            phone,
            identifier,
            city,
        ])
    }

    /// Normalises and encodes every record on all cores (see [`Encoder::encode_all`]).
    pub fn encode_all<R: crate::encode::RecordFields>(
        &self,
        columns: &LatamColumns,
        records: &[R],
        lines: &[usize],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<Vec<u8>>, EncodeError> {
        crate::encode::encode_in_parallel(
            records,
            lines,
            progress,
            self.encoder.cache_owner(),
            |fields, line, cache| {
                let derived = self.derive(columns, fields, line)?;
                let derived: Vec<&str> = derived.iter().map(String::as_str).collect();
                self.encoder.encode_record_cached(&derived, line, cache)
            },
        )
    }

    /// Normalises and encodes one record.
    pub fn encode_record(
        &self,
        columns: &LatamColumns,
        record: &[&str],
        line: usize,
    ) -> Result<Vec<u8>, EncodeError> {
        let derived = self.derive(columns, record, line)?;
        let fields: Vec<&str> = derived.iter().map(String::as_str).collect();
        self.encoder.encode_record(&fields, line)
    }
}

/// A given name as its nickname group's name when it is a nickname ("chepe" is "jose"), itself
/// when it is a name of its own ("roberto" stays "roberto" though "beto" is also "alberto").
fn canonical_given_name(nicknames: &Nicknames, name: &str) -> String {
    let canonical = nicknames.canonical_names(name);
    if canonical.is_empty() || canonical.contains(&name) {
        return name.to_string();
    }
    let mut sorted = canonical;
    sorted.sort_unstable();
    sorted[0].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::dice_of_bytes;

    fn encode(profile: &LatamProfile, header: &[&str], row: &[&str]) -> Vec<u8> {
        let columns = LatamColumns::from_header(header).unwrap();
        profile.encode_record(&columns, row, 2).unwrap()
    }

    #[test]
    fn the_profile_schema_names_the_derived_features_in_order() {
        let schema = LinkageSchema::from_json_str(PROFILE_SCHEMA).unwrap();
        let names: Vec<&str> = schema
            .features
            .iter()
            .map(|f| f.identifier.as_str())
            .collect();
        assert_eq!(names, DERIVED_FEATURES);
        assert_eq!(DERIVED_FEATURES[SALT_FEATURE], "sex");
    }

    #[test]
    fn the_same_person_written_two_ways_is_closer_than_another_person() {
        let profile = LatamProfile::new(b"demo secret", Some(Country::from_alpha_2("GT").unwrap()));
        let header = [
            "nombres",
            "apellidos",
            "fecha_nacimiento",
            "sexo",
            "telefono",
        ];
        let a = encode(
            &profile,
            &header,
            &[
                "José Luis",
                "De la Cruz Hernández",
                "1990-05-07",
                "M",
                "+502 5555 1234",
            ],
        );
        let b = encode(
            &profile,
            &header,
            &[
                "CHEPE LUIS",
                "Hernandez Delacruz",
                "1990-07-05",
                "masculino",
                "5555-1234",
            ],
        );
        let other = encode(
            &profile,
            &header,
            &["María", "Xicará Ixcoy", "1985-01-02", "F", "+502 4444 9876"],
        );
        let same = dice_of_bytes(&a, &b);
        let different = dice_of_bytes(&a, &other);
        assert!(same > 0.85, "{same}");
        assert!(different < 0.75, "{different}");
        // Balanced filters: every encoding has exactly half of its bits set.
        let ones: u32 = a.iter().map(|b| b.count_ones()).sum();
        assert_eq!(ones as usize, a.len() * 4);
    }

    #[test]
    fn a_header_without_names_is_refused() {
        assert!(LatamColumns::from_header(&["dob", "sex"]).is_err());
        assert!(LatamColumns::from_header(&["nombres", "apellidos", "apellido"]).is_err());
    }
}
