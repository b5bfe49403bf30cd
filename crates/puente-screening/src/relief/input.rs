//! The relief screener's input: the screening input of screening.md, the relief facts mixed into
//! the same `facts` list, three more person fields and the date the deadlines are counted from.
//!
//! Parsing refuses a code that is neither a screening fact nor a relief fact, a misspelt key, an
//! age that is not a whole number and a date not written `YYYY-MM-DD`, with an error that names the
//! value and gives its line and column.

use std::collections::BTreeSet;

use puente_core::relief_facts::ReliefFact;
use puente_core::screening_facts::Fact;
use puente_core::{Country, Vocabulary};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use crate::input::{deserialize_age, InputError, PersonContext, ScreeningInput, Sex};

/// What is known of the person: screening.md's person fields plus `married`, `date_of_birth` and
/// `us_arrival`. Every field is optional: unknown is not a default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReliefPerson {
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unaccompanied: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub married: Option<bool>,
    #[serde(
        default,
        with = "date_of_birth",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_of_birth: Option<Date>,
    /// The date of the last arrival in the United States (for the asylum year).
    #[serde(default, with = "us_arrival", skip_serializing_if = "Option::is_none")]
    pub us_arrival: Option<Date>,
}

/// One code of the `facts` list: a screening fact or a relief fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnyFact {
    Screening(Fact),
    Relief(ReliefFact),
}

impl AnyFact {
    pub fn code(self) -> &'static str {
        match self {
            AnyFact::Screening(fact) => fact.code(),
            AnyFact::Relief(fact) => fact.code(),
        }
    }
}

impl Serialize for AnyFact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for AnyFact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if let Some(fact) = Fact::from_code(&text) {
            return Ok(AnyFact::Screening(fact));
        }
        if let Some(fact) = ReliefFact::from_code(&text) {
            return Ok(AnyFact::Relief(fact));
        }
        Err(serde::de::Error::custom(format_args!(
            "`{text}` is neither a screening fact code nor a relief fact code"
        )))
    }
}

/// The JSON form, as written: one `facts` list of both kinds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReliefInputJson {
    #[serde(default)]
    person: ReliefPerson,
    #[serde(default)]
    facts: Vec<AnyFact>,
    #[serde(default, with = "as_of", skip_serializing_if = "Option::is_none")]
    as_of: Option<Date>,
}

/// The relief screener's whole input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ReliefInputJson", into = "ReliefInputJson")]
pub struct ReliefInput {
    pub person: ReliefPerson,
    /// The screening facts, which the screening engine reads.
    pub facts: BTreeSet<Fact>,
    /// The relief facts, which only the relief rules read.
    pub relief_facts: BTreeSet<ReliefFact>,
    /// The date deadlines are counted on; the caller supplies today when it is absent.
    pub as_of: Option<Date>,
}

impl From<ReliefInputJson> for ReliefInput {
    fn from(json: ReliefInputJson) -> ReliefInput {
        let mut input = ReliefInput {
            person: json.person,
            as_of: json.as_of,
            ..ReliefInput::default()
        };
        for fact in json.facts {
            match fact {
                AnyFact::Screening(fact) => {
                    input.facts.insert(fact);
                }
                AnyFact::Relief(fact) => {
                    input.relief_facts.insert(fact);
                }
            }
        }
        input
    }
}

impl From<ReliefInput> for ReliefInputJson {
    fn from(input: ReliefInput) -> ReliefInputJson {
        let facts = input
            .facts
            .iter()
            .map(|fact| AnyFact::Screening(*fact))
            .chain(input.relief_facts.iter().map(|fact| AnyFact::Relief(*fact)))
            .collect();
        ReliefInputJson {
            person: input.person,
            facts,
            as_of: input.as_of,
        }
    }
}

impl ReliefInput {
    /// Parses relief.md's JSON input.
    pub fn from_json(text: &str) -> Result<ReliefInput, InputError> {
        serde_json::from_str(text).map_err(InputError::from)
    }

    /// The JSON form, pretty-printed.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a relief input always serialises")
    }

    /// The relief input of a stored screening: its person and facts, no relief facts yet.
    pub fn from_screening(screening: &ScreeningInput) -> ReliefInput {
        let person = &screening.person;
        ReliefInput {
            person: ReliefPerson {
                age: person.age,
                sex: person.sex,
                nationality: person.nationality,
                current_country: person.current_country,
                unaccompanied: person.unaccompanied,
                ..ReliefPerson::default()
            },
            facts: screening.facts.clone(),
            ..ReliefInput::default()
        }
    }

    /// The person's age: `age` when given, else the whole years from `date_of_birth` to `as_of`.
    pub fn age_on(&self, as_of: Date) -> Option<u32> {
        self.person.age.or_else(|| {
            self.person
                .date_of_birth
                .map(|born| years_between(born, as_of))
        })
    }

    /// The screening input the screening engine sees: the same person (with the age derived from
    /// the date of birth when no age is given) and the screening facts.
    pub fn screening_input(&self, as_of: Date) -> ScreeningInput {
        let person = &self.person;
        ScreeningInput {
            person: PersonContext {
                age: self.age_on(as_of),
                sex: person.sex,
                nationality: person.nationality,
                current_country: person.current_country,
                unaccompanied: person.unaccompanied,
            },
            facts: self.facts.clone(),
        }
    }
}

/// Whole years from `from` to `to` (zero when `to` is earlier).
pub fn years_between(from: Date, to: Date) -> u32 {
    let mut years = to.year() - from.year();
    if (to.month() as u8, to.day()) < (from.month() as u8, from.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// The same day and month `years` later; 29 February becomes 28 February in a common year.
pub fn anniversary(date: Date, years: i32) -> Date {
    let year = date.year() + years;
    Date::from_calendar_date(year, date.month(), date.day())
        .or_else(|_| Date::from_calendar_date(year, date.month(), 28))
        .expect("the 28th exists in every month")
}

const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Writes a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    date.format(DATE_FORMAT)
        .expect("a calendar date always formats")
}

/// Reads a date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), DATE_FORMAT).ok()
}

/// Serde for an optional `YYYY-MM-DD` date, with an error that names the field and the value.
macro_rules! optional_date_field {
    ($module:ident, $field:literal) => {
        mod $module {
            use serde::{Deserialize, Deserializer, Serializer};
            use time::Date;

            pub fn serialize<S: Serializer>(
                date: &Option<Date>,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                match date {
                    Some(date) => serializer.serialize_str(&super::format_date(*date)),
                    None => serializer.serialize_none(),
                }
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Option<Date>, D::Error> {
                let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(deserializer)?;
                match text {
                    None => Ok(None),
                    Some(text) => super::parse_date(&text).map(Some).ok_or_else(|| {
                        serde::de::Error::custom(format_args!(
                            "`{}` must be a date written YYYY-MM-DD, not `{text}`",
                            $field
                        ))
                    }),
                }
            }
        }
    };
}

optional_date_field!(date_of_birth, "date_of_birth");
optional_date_field!(us_arrival, "us_arrival");
optional_date_field!(as_of, "as_of");

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parses_the_example_of_relief_md() {
        let input = ReliefInput::from_json(
            r#"{ "person": { "age": 16, "sex": "M", "nationality": "HN", "current_country": "US", "unaccompanied": true,
                  "married": false, "date_of_birth": "2010-02-01", "us_arrival": "2025-06-10" },
                 "facts": ["act_recruited", "means_debt_bondage", "activity_labour", "rel_present_on_account"],
                 "as_of": "2026-12-01" }"#,
        )
        .unwrap();
        assert_eq!(input.person.married, Some(false));
        assert_eq!(input.person.date_of_birth, Some(date!(2010 - 02 - 01)));
        assert_eq!(input.person.us_arrival, Some(date!(2025 - 06 - 10)));
        assert_eq!(input.as_of, Some(date!(2026 - 12 - 01)));
        assert_eq!(input.facts.len(), 3);
        assert_eq!(
            input.relief_facts.iter().copied().collect::<Vec<_>>(),
            [ReliefFact::PresentOnAccount]
        );
        let back = ReliefInput::from_json(&input.to_json_pretty()).unwrap();
        assert_eq!(back, input);
    }

    #[test]
    fn errors_name_the_value_and_where_it_is() {
        let error = ReliefInput::from_json("{\"facts\": [\n\"act_recruited\",\n \"rel_magic\"]}")
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("`rel_magic` is neither a screening fact code nor a relief fact code"),
            "{message}"
        );
        assert_eq!(error.line(), 3);

        let message = ReliefInput::from_json(r#"{"person": {"date_of_birth": "2010-13-01"}}"#)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("`date_of_birth` must be a date written YYYY-MM-DD, not `2010-13-01`"),
            "{message}"
        );
        let message = ReliefInput::from_json(r#"{"as_of": "1 December"}"#)
            .unwrap_err()
            .to_string();
        assert!(message.contains("`as_of` must be a date"), "{message}");
        let message = ReliefInput::from_json(r#"{"person": {"marryed": true}}"#)
            .unwrap_err()
            .to_string();
        assert!(message.contains("marryed"), "{message}");
    }

    #[test]
    fn the_age_comes_from_the_date_of_birth_when_not_given() {
        let mut input = ReliefInput::default();
        input.person.date_of_birth = Some(date!(2010 - 02 - 01));
        assert_eq!(input.age_on(date!(2026 - 01 - 31)), Some(15));
        assert_eq!(input.age_on(date!(2026 - 02 - 01)), Some(16));
        input.person.age = Some(17);
        assert_eq!(input.age_on(date!(2026 - 02 - 01)), Some(17));
        assert_eq!(
            anniversary(date!(2008 - 02 - 29), 21),
            date!(2029 - 02 - 28)
        );
    }
}
