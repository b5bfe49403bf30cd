//! What the engine is given: a table of records, one column per field, each column of a known kind.

use serde::{Deserialize, Serialize};

/// What a column holds, which decides how it is normalised and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One or more given names ("María José").
    GivenName,
    /// One or two surnames, with particles ("De la Cruz Hernández").
    Surname,
    /// A date of birth, possibly partial.
    Date,
    /// Sex as recorded (F/M, femenino/masculino, mujer/hombre).
    Sex,
    /// A country (ISO code or name).
    Nationality,
    /// A phone number, normalised to E.164.
    Phone,
    /// A document or social-security number.
    Identifier,
    /// A postal code.
    Postcode,
    /// A short number such as a street number.
    Number,
    /// Free text such as an address or a city.
    Text,
    /// A code from a small set, such as a state.
    Category,
}

impl FieldKind {
    /// Every kind, for help texts and configuration errors.
    pub const ALL: [FieldKind; 11] = [
        FieldKind::GivenName,
        FieldKind::Surname,
        FieldKind::Date,
        FieldKind::Sex,
        FieldKind::Nationality,
        FieldKind::Phone,
        FieldKind::Identifier,
        FieldKind::Postcode,
        FieldKind::Number,
        FieldKind::Text,
        FieldKind::Category,
    ];

    /// The kind a column header suggests: `given_name`, `first_name` and `nombres` are given names;
    /// `surname`, `last_name` and `apellidos` surnames; `date_of_birth`, `dob` and
    /// `fecha_nacimiento` dates; and so on. Unknown headers are plain text.
    pub fn from_header(header: &str) -> FieldKind {
        let header = crate::normalize::fold(header).replace(' ', "_");
        match header.as_str() {
            "given_name" | "given_names" | "first_name" | "firstname" | "nombres" | "nombre"
            | "primer_nombre" | "forename" => FieldKind::GivenName,
            "surname" | "surnames" | "last_name" | "lastname" | "apellidos" | "apellido"
            | "family_name" => FieldKind::Surname,
            "date_of_birth"
            | "dob"
            | "birth_date"
            | "birthdate"
            | "fecha_nacimiento"
            | "fecha_de_nacimiento" => FieldKind::Date,
            "sex" | "sexo" | "gender" | "genero" => FieldKind::Sex,
            "nationality" | "nacionalidad" | "citizenship" | "country" | "pais" => {
                FieldKind::Nationality
            }
            "phone" | "telephone" | "phone_number" | "telefono" | "tel" | "celular" | "mobile" => {
                FieldKind::Phone
            }
            "soc_sec_id" | "ssn" | "id_number" | "document" | "document_number" | "documento"
            | "dpi" | "dui" | "curp" | "passport" | "pasaporte" | "cedula" => FieldKind::Identifier,
            "postcode" | "postal_code" | "zip" | "zipcode" | "codigo_postal" => FieldKind::Postcode,
            "street_number" | "house_number" | "numero" => FieldKind::Number,
            "state" | "province" | "departamento" | "estado" | "provincia" => FieldKind::Category,
            _ => FieldKind::Text,
        }
    }

    /// The kind's name in configuration files: `given_name`, `surname`, `date`, ...
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::GivenName => "given_name",
            FieldKind::Surname => "surname",
            FieldKind::Date => "date",
            FieldKind::Sex => "sex",
            FieldKind::Nationality => "nationality",
            FieldKind::Phone => "phone",
            FieldKind::Identifier => "identifier",
            FieldKind::Postcode => "postcode",
            FieldKind::Number => "number",
            FieldKind::Text => "text",
            FieldKind::Category => "category",
        }
    }

    /// Reads a kind's configuration name.
    pub fn from_name(name: &str) -> Option<FieldKind> {
        FieldKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name.trim())
    }

    /// The comparison levels of the kind, level 0 ("null": a value is missing) first, then from the
    /// strongest agreement to "else".
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            FieldKind::GivenName => &[
                "null",
                "exact",
                "nickname",
                "jaro_winkler_0.92",
                "phonetic",
                "one_name_in_common",
                "jaro_winkler_0.80",
                "else",
            ],
            FieldKind::Surname => &[
                "null",
                "exact",
                "reordered_or_particles",
                "jaro_winkler_0.92",
                "phonetic",
                "one_surname_in_common",
                "jaro_winkler_0.80",
                "else",
            ],
            FieldKind::Date => &[
                "null",
                "exact",
                "day_month_swapped",
                "one_digit",
                "partial_agrees",
                "same_year",
                "else",
            ],
            FieldKind::Phone => &["null", "exact", "same_national_number", "one_digit", "else"],
            FieldKind::Identifier | FieldKind::Postcode | FieldKind::Number => {
                &["null", "exact", "one_edit", "else"]
            }
            FieldKind::Text => &[
                "null",
                "exact",
                "jaro_winkler_0.92",
                "jaro_winkler_0.80",
                "else",
            ],
            FieldKind::Sex | FieldKind::Nationality | FieldKind::Category => {
                &["null", "exact", "else"]
            }
        }
    }
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name, used in explanations and in the `--explain` output.
    pub name: String,
    pub kind: FieldKind,
    /// One value per record; `None` or empty text is missing.
    pub values: Vec<Option<String>>,
}

/// Records to link, by column. Every column has one value per id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub ids: Vec<String>,
    pub columns: Vec<Column>,
}

impl Table {
    /// The number of records.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The columns' names and kinds.
    pub fn schema(&self) -> Vec<(String, FieldKind)> {
        self.columns
            .iter()
            .map(|c| (c.name.clone(), c.kind))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_english_and_spanish_are_recognised() {
        let cases = [
            (" given_name", FieldKind::GivenName),
            ("Nombres", FieldKind::GivenName),
            ("first_name", FieldKind::GivenName),
            ("apellidos", FieldKind::Surname),
            ("last_name", FieldKind::Surname),
            ("fecha_nacimiento", FieldKind::Date),
            ("dob", FieldKind::Date),
            ("Teléfono", FieldKind::Phone),
            ("soc_sec_id", FieldKind::Identifier),
            ("postcode", FieldKind::Postcode),
            ("street_number", FieldKind::Number),
            ("state", FieldKind::Category),
            ("address_1", FieldKind::Text),
            ("city", FieldKind::Text),
            ("sex", FieldKind::Sex),
            ("nationality", FieldKind::Nationality),
        ];
        for (header, kind) in cases {
            assert_eq!(FieldKind::from_header(header), kind, "{header}");
        }
        for kind in FieldKind::ALL {
            assert_eq!(FieldKind::from_name(kind.name()), Some(kind));
            assert_eq!(kind.levels()[0], "null");
            assert_eq!(*kind.levels().last().unwrap(), "else");
        }
    }
}
