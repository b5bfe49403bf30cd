//! The statutory clocks a screening starts: the US TVPRA's hours for an unaccompanied child
//! (8 U.S.C. 1232). A child of Mexico or Canada is screened within 48 hours; any other
//! unaccompanied child is transferred to the Office of Refugee Resettlement within 72 hours.
//!
//! A clock runs when the screening shows a child (under 18) who is unaccompanied and is in the
//! United States, as the relief screener's `us_tvpra_child` option asks (`IN_US`, `MINOR`,
//! `unaccompanied`). Only the facts known count: an unknown age, country or company starts no
//! clock. The clock runs from when the screening is saved: the caller adds the hours.

use puente_core::Label;

use crate::input::{PersonContext, AGE_OF_MAJORITY};
use crate::relief::DeadlineKind;

/// A clock a screening starts: which deadline, how many hours it gives, and what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatutoryClock {
    pub kind: DeadlineKind,
    pub hours: i64,
    /// What is to be done within the hours, as a task's title.
    pub title: Label,
    /// The statute that sets the clock.
    pub source: &'static str,
}

/// The clocks the screened person's context starts (none, or one).
pub fn statutory_clocks(person: &PersonContext) -> Vec<StatutoryClock> {
    let child = person.age.is_some_and(|age| age < AGE_OF_MAJORITY);
    let unaccompanied = person.unaccompanied == Some(true);
    let in_us = person
        .current_country
        .is_some_and(|country| country.alpha_2() == "US");
    if !(child && unaccompanied && in_us) {
        return Vec::new();
    }
    let contiguous = person
        .nationality
        .is_some_and(|country| matches!(country.alpha_2(), "MX" | "CA"));
    let kind = if contiguous {
        DeadlineKind::TvpraScreeningWithin48Hours
    } else {
        DeadlineKind::TvpraTransferWithin72Hours
    };
    vec![StatutoryClock {
        kind,
        hours: if contiguous { 48 } else { 72 },
        title: kind.task_title(),
        source: if contiguous {
            "8 U.S.C. 1232(a)(2), (a)(4)"
        } else {
            "8 U.S.C. 1232(b)(3)"
        },
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use puente_core::Country;

    fn child(age: u32, nationality: &str, country: &str, unaccompanied: bool) -> PersonContext {
        PersonContext {
            age: Some(age),
            nationality: Country::from_alpha_2(nationality),
            current_country: Country::from_alpha_2(country),
            unaccompanied: Some(unaccompanied),
            ..PersonContext::default()
        }
    }

    #[test]
    fn a_mexican_or_canadian_child_alone_in_the_us_is_screened_within_48_hours() {
        for nationality in ["MX", "CA"] {
            let clocks = statutory_clocks(&child(15, nationality, "US", true));
            assert_eq!(clocks.len(), 1);
            assert_eq!(clocks[0].kind, DeadlineKind::TvpraScreeningWithin48Hours);
            assert_eq!(clocks[0].hours, 48);
        }
    }

    #[test]
    fn any_other_child_alone_in_the_us_is_transferred_within_72_hours() {
        let clocks = statutory_clocks(&child(16, "HN", "US", true));
        assert_eq!(clocks.len(), 1);
        assert_eq!(clocks[0].kind, DeadlineKind::TvpraTransferWithin72Hours);
        assert_eq!(clocks[0].hours, 72);
        assert!(clocks[0].title.es.contains("72 horas"));
        assert!(clocks[0].title.en.contains("72 hours"));
    }

    #[test]
    fn an_adult_an_accompanied_child_or_a_child_outside_the_us_starts_no_clock() {
        assert!(statutory_clocks(&child(18, "HN", "US", true)).is_empty());
        assert!(statutory_clocks(&child(16, "HN", "US", false)).is_empty());
        assert!(statutory_clocks(&child(16, "HN", "GT", true)).is_empty());
        let unknown_age = PersonContext {
            age: None,
            ..child(16, "HN", "US", true)
        };
        assert!(statutory_clocks(&unknown_age).is_empty());
    }
}
