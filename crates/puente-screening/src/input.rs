//! The engine's input: what is known of the person, and the facts a screener learned.
//!
//! The JSON form is screening.md's: `{"person": {...}, "facts": [...]}`. Parsing refuses an unknown
//! fact code, an age that is not a whole number and any misspelt key, with an error that names the
//! value and gives its line and column.

use std::collections::BTreeSet;
use std::fmt;

use puente_core::screening_facts::Fact;
use puente_core::Country;
use serde::{Deserialize, Deserializer, Serialize};

/// The age from which a person is an adult (Palermo art. 3(d), 22 U.S.C. 7102).
pub const AGE_OF_MAJORITY: u32 = 18;

/// A person's sex as recorded by the screener: `F`, `M` or `X` (another, or not said).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Sex {
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "X")]
    Other,
}

impl Sex {
    /// Accepts `F`/`M`/`X` and the words `female`, `male`, `other` (also in Spanish), ignoring case.
    pub fn from_code(code: &str) -> Option<Sex> {
        match code.trim().to_lowercase().as_str() {
            "f" | "female" | "femenino" | "mujer" => Some(Sex::Female),
            "m" | "male" | "masculino" | "hombre" => Some(Sex::Male),
            "x" | "other" | "otro" => Some(Sex::Other),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Sex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Sex::from_code(&text).ok_or_else(|| {
            serde::de::Error::custom(format_args!("`sex` must be F, M or X, not `{text}`"))
        })
    }
}

/// What is known of the person screened. Every field is optional: unknown is not a default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonContext {
    /// Whole years at the time of the exploitation (or now, if that is unknown).
    #[serde(
        default,
        deserialize_with = "deserialize_age",
        skip_serializing_if = "Option::is_none"
    )]
    pub age: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<Country>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_country: Option<Country>,
    /// A child travelling or found without a parent or legal guardian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unaccompanied: Option<bool>,
}

/// The engine's whole input. The engine never sees a questionnaire's raw answers: only these facts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningInput {
    #[serde(default)]
    pub person: PersonContext,
    #[serde(default)]
    pub facts: BTreeSet<Fact>,
}

impl ScreeningInput {
    /// An input with these facts and nothing known of the person.
    pub fn from_facts(facts: impl IntoIterator<Item = Fact>) -> ScreeningInput {
        ScreeningInput {
            person: PersonContext::default(),
            facts: facts.into_iter().collect(),
        }
    }

    /// Parses screening.md's JSON input.
    pub fn from_json(text: &str) -> Result<ScreeningInput, InputError> {
        serde_json::from_str(text).map_err(InputError::from)
    }

    /// The JSON form, pretty-printed, as `puente screen --interactive --save` writes it.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a screening input always serialises")
    }
}

/// A screening input that could not be read. The message names the offending value; `line` and
/// `column` say where it is (1-based, as serde_json counts them).
///
/// The message already holds serde_json's (with line and column), so the JSON error is not
/// repeated as a `source`.
#[derive(Debug, thiserror::Error)]
#[error("invalid screening input: {json}")]
pub struct InputError {
    json: serde_json::Error,
}

impl From<serde_json::Error> for InputError {
    fn from(json: serde_json::Error) -> Self {
        InputError { json }
    }
}

impl InputError {
    pub fn line(&self) -> usize {
        self.json.line()
    }
    pub fn column(&self) -> usize {
        self.json.column()
    }
    /// True when the text is not JSON at all (a syntax error or a cut-off file), as opposed to JSON
    /// with a wrong value in it.
    pub fn is_syntax(&self) -> bool {
        matches!(
            self.json.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        )
    }
}

/// `age`: a whole, non-negative number of years, or null. A string of digits is accepted (forms send
/// them); anything else is refused with the value named.
pub(crate) fn deserialize_age<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u32>, D::Error> {
    struct AgeVisitor;

    impl<'de> serde::de::Visitor<'de> for AgeVisitor {
        type Value = Option<u32>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("`age` as a whole number of years")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(AgeVisitor)
        }
        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
            check_age(value).map(Some).map_err(E::custom)
        }
        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
            if value < 0 {
                return Err(E::custom(format_args!(
                    "`age` must be a whole number of years, not {value}"
                )));
            }
            self.visit_u64(value as u64)
        }
        fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Self::Value, E> {
            Err(E::custom(format_args!(
                "`age` must be a whole number of years, not {value}"
            )))
        }
        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
            let trimmed = value.trim();
            if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(years) = trimmed.parse::<u64>() {
                    return check_age(years).map(Some).map_err(E::custom);
                }
            }
            Err(E::custom(format_args!(
                "`age` must be a whole number of years, not \"{value}\""
            )))
        }
        fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Self::Value, E> {
            Err(E::custom(format_args!(
                "`age` must be a whole number of years, not {value}"
            )))
        }
    }

    deserializer.deserialize_option(AgeVisitor)
}

fn check_age(years: u64) -> Result<u32, String> {
    if years > 130 {
        Err(format!("`age` {years} is not a human age in years"))
    } else {
        Ok(years as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_example_of_screening_md() {
        let input = ScreeningInput::from_json(
            r#"{ "person": { "age": 16, "sex": "F", "nationality": "GT", "current_country": "US", "unaccompanied": true },
                 "facts": ["act_recruited", "means_deception", "activity_labour"] }"#,
        )
        .unwrap();
        assert_eq!(input.person.age, Some(16));
        assert_eq!(input.person.sex, Some(Sex::Female));
        assert_eq!(input.person.nationality.map(|c| c.alpha_2()), Some("GT"));
        assert_eq!(input.person.unaccompanied, Some(true));
        assert_eq!(input.facts.len(), 3);
    }

    #[test]
    fn every_person_field_is_optional() {
        let input = ScreeningInput::from_json(r#"{"facts": []}"#).unwrap();
        assert_eq!(input, ScreeningInput::default());
        let input = ScreeningInput::from_json(r#"{"person": {"age": null}}"#).unwrap();
        assert_eq!(input.person.age, None);
        let input = ScreeningInput::from_json(r#"{"person": {"age": "15"}}"#).unwrap();
        assert_eq!(input.person.age, Some(15));
    }

    #[test]
    fn errors_name_the_value_and_where_it_is() {
        let error =
            ScreeningInput::from_json("{\"facts\": [\n \"act_recruited\", \"means_magic\"]}")
                .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("`means_magic` is not a screening fact code"),
            "{message}"
        );
        assert_eq!(error.line(), 2);
        assert!(!error.is_syntax());

        for age in [r#""sixteen""#, "16.5", "-3", "true"] {
            let text = format!(r#"{{"person": {{"age": {age}}}}}"#);
            let message = ScreeningInput::from_json(&text).unwrap_err().to_string();
            assert!(
                message.contains("`age` must be a whole number of years"),
                "{message}"
            );
        }

        let message = ScreeningInput::from_json(r#"{"person": {"agee": 3}}"#)
            .unwrap_err()
            .to_string();
        assert!(message.contains("agee"), "{message}");

        let error = ScreeningInput::from_json("{\"facts\": [").unwrap_err();
        assert!(error.is_syntax());
    }

    #[test]
    fn round_trips_through_json() {
        let input = ScreeningInput::from_json(
            r#"{"person": {"age": 30, "current_country": "MX"}, "facts": ["means_threats", "act_recruited"]}"#,
        )
        .unwrap();
        let back = ScreeningInput::from_json(&input.to_json_pretty()).unwrap();
        assert_eq!(back, input);
    }
}
