//! The bounds of every field of a case, in one place: the web form and the JSON API both check a
//! case here before it is stored, so the two accept exactly the same values.
//!
//! - Names (given names, surnames, alias) and short texts (places, a provider, an organisation)
//!   have at most [`MAX_NAME_CHARS`] characters; free text (descriptions, notes) at most
//!   [`MAX_FREE_TEXT_CHARS`].
//! - A date of birth is not before [`EARLIEST_BIRTH_YEAR`] and not after today; the dates of events
//!   and consents are not in the future either (a support plan's due date may be).
//! - An estimated age is between 0 and [`MAX_AGE_YEARS`].
//! - Lists (events, languages, vocabularies) have at most a few hundred entries.

use crate::domain::{Case, PartialDate, Person};

/// The longest name or short text, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest free text (a description, a note), in characters.
pub const MAX_FREE_TEXT_CHARS: usize = 20_000;
/// The longest language name, in characters.
pub const MAX_LANGUAGE_CHARS: usize = 60;
/// The oldest age a person is given.
pub const MAX_AGE_YEARS: u32 = 120;
/// The earliest year of birth accepted.
pub const EARLIEST_BIRTH_YEAR: u16 = 1900;
/// The earliest year of an event or a consent.
pub const EARLIEST_EVENT_YEAR: u16 = 1900;
/// The most entries of a list of a case (events, consents, support plan items, perpetrators).
pub const MAX_LIST_ENTRIES: usize = 500;
/// The most codes of one vocabulary list, or languages of a person.
pub const MAX_CODES: usize = 100;

/// How a field is out of bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundKind {
    /// A text longer than `max` characters.
    TooLong { max: usize },
    /// A list with more than `max` entries.
    TooMany { max: usize },
    /// A number outside `min..=max`.
    OutOfRange { min: u64, max: u64 },
    /// A date after today.
    InTheFuture,
    /// A date before the year `earliest`.
    TooEarly { earliest: u16 },
}

/// A field out of bounds: its path in the case (`person.given_name`, `events[2].description`),
/// how, and the value (cut to a few characters, for the message).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {kind:?} ({value})")]
pub struct OutOfBounds {
    pub field: String,
    pub kind: BoundKind,
    pub value: String,
}

/// Today, as the caller knows it (the library reads no clock).
pub type Today = time::Date;

struct Checker {
    today: Today,
    problems: Vec<OutOfBounds>,
}

fn shortened(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if text.chars().nth(40).is_some() {
        short.push('…');
    }
    short
}

impl Checker {
    fn text(&mut self, field: impl Into<String>, text: Option<&str>, max: usize) {
        if let Some(text) = text {
            if text.chars().count() > max {
                self.problems.push(OutOfBounds {
                    field: field.into(),
                    kind: BoundKind::TooLong { max },
                    value: shortened(text),
                });
            }
        }
    }

    fn count(&mut self, field: &str, entries: usize, max: usize) {
        if entries > max {
            self.problems.push(OutOfBounds {
                field: field.to_string(),
                kind: BoundKind::TooMany { max },
                value: entries.to_string(),
            });
        }
    }

    /// A date that is not after today and not before `earliest`.
    fn past_date(&mut self, field: impl Into<String>, date: Option<&PartialDate>, earliest: u16) {
        let Some(date) = date else { return };
        let field = field.into();
        if date.year < earliest {
            self.problems.push(OutOfBounds {
                field,
                kind: BoundKind::TooEarly { earliest },
                value: date.to_string(),
            });
            return;
        }
        // The earliest day the partial date may be: if even that is after today, it is in the
        // future.
        let earliest_day = (
            i32::from(date.year),
            date.month.unwrap_or(1),
            date.day.unwrap_or(1),
        );
        let today = (
            self.today.year(),
            self.today.month() as u8,
            self.today.day(),
        );
        if earliest_day > today {
            self.problems.push(OutOfBounds {
                field,
                kind: BoundKind::InTheFuture,
                value: date.to_string(),
            });
        }
    }

    fn person(&mut self, person: &Person) {
        for (field, text) in [
            ("person.given_name", Some(person.given_name.as_str())),
            ("person.middle_name", person.middle_name.as_deref()),
            ("person.surname", Some(person.surname.as_str())),
            ("person.second_surname", person.second_surname.as_deref()),
            ("person.alias", person.alias.as_deref()),
            ("person.current_place", person.current_place.as_deref()),
        ] {
            self.text(field, text, MAX_NAME_CHARS);
        }
        self.past_date(
            "person.date_of_birth",
            person.date_of_birth.as_ref(),
            EARLIEST_BIRTH_YEAR,
        );
        if let Some(age) = person.estimated_age.filter(|age| *age > MAX_AGE_YEARS) {
            self.problems.push(OutOfBounds {
                field: "person.estimated_age".into(),
                kind: BoundKind::OutOfRange {
                    min: 0,
                    max: u64::from(MAX_AGE_YEARS),
                },
                value: age.to_string(),
            });
        }
        self.count("person.languages", person.languages.len(), MAX_CODES);
        for (index, language) in person.languages.iter().enumerate() {
            self.text(
                format!("person.languages[{index}]"),
                Some(language),
                MAX_LANGUAGE_CHARS,
            );
        }
    }
}

/// Every field of `case` out of bounds on `today`; empty when the case is within bounds.
pub fn case_out_of_bounds(case: &Case, today: Today) -> Vec<OutOfBounds> {
    let mut checker = Checker {
        today,
        problems: Vec::new(),
    };
    checker.person(&case.person);
    let victim = &case.victim;
    for (field, entries) in [
        (
            "victim.recruitment_methods",
            victim.recruitment_methods.len(),
        ),
        ("victim.methods_of_control", victim.methods_of_control.len()),
        (
            "victim.types_of_exploitation",
            victim.types_of_exploitation.len(),
        ),
        ("victim.types_of_labour", victim.types_of_labour.len()),
        ("victim.labour_industries", victim.labour_industries.len()),
        (
            "victim.types_of_sex_exploitation",
            victim.types_of_sex_exploitation.len(),
        ),
        (
            "victim.relationship_to_trafficker",
            victim.relationship_to_trafficker.len(),
        ),
        ("victim.vulnerabilities", victim.vulnerabilities.len()),
    ] {
        checker.count(field, entries, MAX_CODES);
    }
    checker.count("perpetrators", case.perpetrators.len(), MAX_LIST_ENTRIES);
    for (index, perpetrator) in case.perpetrators.iter().enumerate() {
        checker.count(
            &format!("perpetrators[{index}].roles"),
            perpetrator.roles.len(),
            MAX_CODES,
        );
        checker.text(
            format!("perpetrators[{index}].description"),
            perpetrator.description.as_deref(),
            MAX_FREE_TEXT_CHARS,
        );
    }
    checker.count("events", case.events.len(), MAX_LIST_ENTRIES);
    for (index, event) in case.events.iter().enumerate() {
        checker.text(
            format!("events[{index}].place"),
            event.place.as_deref(),
            MAX_NAME_CHARS,
        );
        checker.text(
            format!("events[{index}].description"),
            event.description.as_deref(),
            MAX_FREE_TEXT_CHARS,
        );
        checker.past_date(
            format!("events[{index}].date"),
            event.date.as_ref(),
            EARLIEST_EVENT_YEAR,
        );
    }
    checker.count("support_plan", case.support_plan.len(), MAX_LIST_ENTRIES);
    for (index, item) in case.support_plan.iter().enumerate() {
        checker.text(
            format!("support_plan[{index}].provider"),
            item.provider.as_deref(),
            MAX_NAME_CHARS,
        );
        checker.text(
            format!("support_plan[{index}].notes"),
            item.notes.as_deref(),
            MAX_FREE_TEXT_CHARS,
        );
    }
    checker.count("consents", case.consents.len(), MAX_LIST_ENTRIES);
    for (index, consent) in case.consents.iter().enumerate() {
        checker.count(
            &format!("consents[{index}].scopes"),
            consent.scopes.len(),
            MAX_CODES,
        );
        checker.text(
            format!("consents[{index}].with_organisation"),
            consent.with_organisation.as_deref(),
            MAX_NAME_CHARS,
        );
        checker.text(
            format!("consents[{index}].recorded_by"),
            Some(&consent.recorded_by),
            MAX_NAME_CHARS,
        );
        checker.past_date(
            format!("consents[{index}].given_on"),
            Some(&consent.given_on),
            EARLIEST_EVENT_YEAR,
        );
        checker.past_date(
            format!("consents[{index}].withdrawn_on"),
            consent.withdrawn_on.as_ref(),
            EARLIEST_EVENT_YEAR,
        );
    }
    checker.problems
}

/// A note's text out of bounds (`text`), if it is.
pub fn note_out_of_bounds(text: &str) -> Option<OutOfBounds> {
    let mut checker = Checker {
        today: time::Date::MIN,
        problems: Vec::new(),
    };
    checker.text("text", Some(text), MAX_FREE_TEXT_CHARS);
    checker.problems.pop()
}

/// The texts of a referral out of bounds: the reason in words (`reason_note`, free text) and the
/// contact person at the sending organisation (`contact_name` and `contact_details`, short texts).
pub fn referral_details_out_of_bounds(
    reason_note: Option<&str>,
    contact_name: Option<&str>,
    contact_details: Option<&str>,
) -> Option<OutOfBounds> {
    let mut checker = Checker {
        today: time::Date::MIN,
        problems: Vec::new(),
    };
    checker.text("reason_note", reason_note, MAX_REFERRAL_REASON_CHARS);
    checker.text("contact_name", contact_name, MAX_NAME_CHARS);
    checker.text("contact_details", contact_details, MAX_NAME_CHARS);
    checker.problems.into_iter().next()
}

/// The longest reason of a referral in words, in characters.
pub const MAX_REFERRAL_REASON_CHARS: usize = 2_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Case, Person, TraffickingEvent};
    use crate::htcds::TraffickingEventType;

    fn today() -> Today {
        time::Date::from_calendar_date(2026, time::Month::December, 1).unwrap()
    }

    #[test]
    fn a_referral_contact_or_reason_too_long_is_named() {
        assert_eq!(
            referral_details_out_of_bounds(Some("Necesita albergue"), Some("Lucía Pérez"), None),
            None
        );
        let long_name = "a".repeat(MAX_NAME_CHARS + 1);
        let problem = referral_details_out_of_bounds(None, Some(&long_name), None).unwrap();
        assert_eq!(problem.field, "contact_name");
        let long_reason = "b".repeat(MAX_REFERRAL_REASON_CHARS + 1);
        let problem = referral_details_out_of_bounds(Some(&long_reason), None, None).unwrap();
        assert_eq!(problem.field, "reason_note");
        assert_eq!(
            problem.kind,
            BoundKind::TooLong {
                max: MAX_REFERRAL_REASON_CHARS
            }
        );
    }

    fn check(change: impl FnOnce(&mut Case), expected: &[(&str, BoundKind)]) {
        let mut case = Case::new(Person {
            given_name: "Ana".into(),
            ..Person::default()
        });
        change(&mut case);
        let found: Vec<(String, BoundKind)> = case_out_of_bounds(&case, today())
            .into_iter()
            .map(|problem| (problem.field, problem.kind))
            .collect();
        let expected: Vec<(String, BoundKind)> = expected
            .iter()
            .map(|(field, kind)| (field.to_string(), *kind))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_plain_case_is_within_bounds() {
        check(|_| {}, &[]);
        check(
            |case| {
                case.person.given_name = "a".repeat(MAX_NAME_CHARS);
                case.person.estimated_age = Some(MAX_AGE_YEARS);
                case.person.date_of_birth = Some("2026-12-01".parse().unwrap());
            },
            &[],
        );
        check(
            |case| case.person.date_of_birth = Some("1900".parse().unwrap()),
            &[],
        );
    }

    #[test]
    fn names_ages_and_dates_out_of_bounds_are_named() {
        check(
            |case| case.person.surname = "é".repeat(MAX_NAME_CHARS + 1),
            &[(
                "person.surname",
                BoundKind::TooLong {
                    max: MAX_NAME_CHARS,
                },
            )],
        );
        check(
            |case| case.person.estimated_age = Some(121),
            &[(
                "person.estimated_age",
                BoundKind::OutOfRange { min: 0, max: 120 },
            )],
        );
        check(
            |case| case.person.estimated_age = Some(u32::MAX),
            &[(
                "person.estimated_age",
                BoundKind::OutOfRange { min: 0, max: 120 },
            )],
        );
        for future in ["2200", "2027", "2026-12-02", "2027-01"] {
            check(
                |case| case.person.date_of_birth = Some(future.parse().unwrap()),
                &[("person.date_of_birth", BoundKind::InTheFuture)],
            );
        }
        check(
            |case| case.person.date_of_birth = Some("1899-12-31".parse().unwrap()),
            &[(
                "person.date_of_birth",
                BoundKind::TooEarly { earliest: 1900 },
            )],
        );
        // A birth this month, day unknown, may be today or earlier: accepted.
        check(
            |case| case.person.date_of_birth = Some("2026-12".parse().unwrap()),
            &[],
        );
    }

    #[test]
    fn free_text_and_lists_have_their_own_bounds() {
        check(
            |case| {
                case.events.push(TraffickingEvent {
                    kind: TraffickingEventType::Transit,
                    country: None,
                    place: None,
                    date: Some("2030".parse().unwrap()),
                    description: Some("x".repeat(MAX_FREE_TEXT_CHARS + 1)),
                })
            },
            &[
                (
                    "events[0].description",
                    BoundKind::TooLong {
                        max: MAX_FREE_TEXT_CHARS,
                    },
                ),
                ("events[0].date", BoundKind::InTheFuture),
            ],
        );
        check(
            |case| case.person.languages = vec!["k'iche'".into(); MAX_CODES + 1],
            &[("person.languages", BoundKind::TooMany { max: MAX_CODES })],
        );
        assert!(note_out_of_bounds(&"n".repeat(MAX_FREE_TEXT_CHARS)).is_none());
        assert_eq!(
            note_out_of_bounds(&"n".repeat(MAX_FREE_TEXT_CHARS + 1))
                .unwrap()
                .field,
            "text"
        );
    }
}
