//! ISO 3166-1 countries: alpha-2 and alpha-3 codes, names in Spanish and English, and the
//! international calling code (E.164) of each. The one place in Puente where countries are defined.

mod table;

use serde::{Deserialize, Serialize};

use crate::lang::{Label, Lang};
use crate::vocabulary::UnknownCode;

#[derive(Debug)]
pub(crate) struct CountryRecord {
    alpha_2: &'static str,
    alpha_3: &'static str,
    numeric: u16,
    name_en: &'static str,
    name_es: &'static str,
    calling_code: u16,
}

/// A country, by its ISO 3166-1 entry. Serialised as the alpha-2 code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(u16);

impl Country {
    /// Every country, ordered by alpha-2 code.
    pub fn all() -> impl Iterator<Item = Country> {
        (0..table::COUNTRIES.len() as u16).map(Country)
    }

    fn record(self) -> &'static CountryRecord {
        &table::COUNTRIES[self.0 as usize]
    }

    /// Finds a country by alpha-2 code (`GT`), ignoring case.
    pub fn from_alpha_2(code: &str) -> Option<Country> {
        let code = code.trim();
        table::COUNTRIES
            .binary_search_by(|record| {
                record
                    .alpha_2
                    .as_bytes()
                    .iter()
                    .map(u8::to_ascii_uppercase)
                    .cmp(code.as_bytes().iter().map(u8::to_ascii_uppercase))
            })
            .ok()
            .map(|index| Country(index as u16))
    }

    /// Finds a country by alpha-3 code (`GTM`), ignoring case.
    pub fn from_alpha_3(code: &str) -> Option<Country> {
        let code = code.trim();
        table::COUNTRIES
            .iter()
            .position(|record| record.alpha_3.eq_ignore_ascii_case(code))
            .map(|index| Country(index as u16))
    }

    /// Finds a country by an alpha-2 or alpha-3 code.
    pub fn from_code(code: &str) -> Option<Country> {
        match code.trim().len() {
            2 => Country::from_alpha_2(code),
            3 => Country::from_alpha_3(code),
            _ => None,
        }
    }

    /// Like [`Country::from_code`], with an error naming the value.
    pub fn parse(code: &str) -> Result<Country, UnknownCode> {
        Country::from_code(code).ok_or_else(|| UnknownCode {
            vocabulary: "ISO 3166-1 country",
            value: code.to_string(),
        })
    }

    /// Finds the country whose E.164 calling code is `code`; for codes shared by several countries
    /// (`1`: the United States, Canada and the Caribbean) the main one is returned.
    pub fn from_calling_code(code: u16) -> Option<Country> {
        let main = match code {
            1 => Some("US"),
            7 => Some("RU"),
            44 => Some("GB"),
            _ => None,
        };
        if let Some(alpha_2) = main {
            return Country::from_alpha_2(alpha_2);
        }
        Country::all().find(|country| country.calling_code() == code)
    }

    pub fn alpha_2(self) -> &'static str {
        self.record().alpha_2
    }
    pub fn alpha_3(self) -> &'static str {
        self.record().alpha_3
    }
    pub fn numeric(self) -> u16 {
        self.record().numeric
    }
    /// The E.164 country calling code, without the plus sign: 502 for Guatemala, 1 for the US.
    pub fn calling_code(self) -> u16 {
        self.record().calling_code
    }
    pub fn label(self) -> Label {
        Label {
            es: self.record().name_es,
            en: self.record().name_en,
        }
    }
    pub fn name(self, lang: Lang) -> &'static str {
        self.label().get(lang)
    }
}

/// The countries of Puente's region: the Northern Triangle, Nicaragua, Costa Rica, Panama, Mexico and
/// the United States.
pub const REGION: [&str; 8] = ["GT", "HN", "SV", "NI", "CR", "PA", "MX", "US"];

impl std::fmt::Debug for Country {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Country({})", self.alpha_2())
    }
}

impl std::fmt::Display for Country {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.alpha_2())
    }
}

impl std::str::FromStr for Country {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Country::parse(s)
    }
}

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.alpha_2())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Country::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_has_its_codes_and_spanish_names() {
        let cases = [
            ("GT", "GTM", 502, "Guatemala"),
            ("HN", "HND", 504, "Honduras"),
            ("SV", "SLV", 503, "El Salvador"),
            ("NI", "NIC", 505, "Nicaragua"),
            ("CR", "CRI", 506, "Costa Rica"),
            ("PA", "PAN", 507, "Panamá"),
            ("MX", "MEX", 52, "México"),
            ("US", "USA", 1, "Estados Unidos"),
        ];
        for (alpha_2, alpha_3, calling_code, spanish) in cases {
            let country = Country::from_alpha_2(alpha_2).expect(alpha_2);
            assert_eq!(country.alpha_3(), alpha_3);
            assert_eq!(country.calling_code(), calling_code);
            assert_eq!(country.name(Lang::Es), spanish);
            assert_eq!(Country::from_alpha_3(alpha_3), Some(country));
        }
        assert_eq!(REGION.len(), 8);
    }

    #[test]
    fn lookups_ignore_case_and_reject_unknown_codes() {
        assert_eq!(Country::from_code("gt").map(|c| c.alpha_2()), Some("GT"));
        assert_eq!(Country::from_code("mex").map(|c| c.alpha_2()), Some("MX"));
        assert!(Country::from_code("ZZ").is_none());
        assert!(Country::parse("Guatemala").is_err());
        assert_eq!(
            Country::from_calling_code(1).map(|c| c.alpha_2()),
            Some("US")
        );
        assert_eq!(
            Country::from_calling_code(502).map(|c| c.alpha_2()),
            Some("GT")
        );
    }

    #[test]
    fn the_table_is_complete_and_sorted() {
        let codes: Vec<_> = Country::all().map(|c| c.alpha_2()).collect();
        assert!(codes.len() >= 249, "{} countries", codes.len());
        assert!(codes.windows(2).all(|pair| pair[0] < pair[1]));
        // Namibia's code is `NA`, which careless CSV readers take for a missing value.
        assert_eq!(
            Country::from_alpha_2("NA").map(|c| c.name(Lang::En)),
            Some("Namibia")
        );
    }
}
