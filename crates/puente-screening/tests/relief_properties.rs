//! Property tests (proptest) of the relief rules as a whole.

use proptest::prelude::*;
use puente_core::relief_facts::{ReliefFact, ReliefOptionKind};
use puente_core::{Country, Lang, Vocabulary};
use puente_screening::relief::{assess_relief, ReliefInput, ReliefPerson, ReliefStatus};
use puente_screening::Fact;

fn today() -> time::Date {
    time::macros::date!(2026 - 12 - 01)
}

fn any_country() -> impl Strategy<Value = Option<Country>> {
    proptest::option::of(
        proptest::sample::select(vec![
            "US", "MX", "GT", "HN", "SV", "NI", "CR", "PA", "CA", "CO",
        ])
        .prop_map(|code| Country::from_alpha_2(code).unwrap()),
    )
}

fn any_date(from_year: i32, to_year: i32) -> impl Strategy<Value = Option<time::Date>> {
    proptest::option::of(
        (from_year..=to_year, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| {
            time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
        }),
    )
}

fn any_person() -> impl Strategy<Value = ReliefPerson> {
    (
        proptest::option::of(0u32..60),
        any_country(),
        any_country(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        any_date(1990, 2020),
        any_date(2020, 2026),
    )
        .prop_map(
            |(age, nationality, current_country, unaccompanied, married, born, arrival)| {
                ReliefPerson {
                    age,
                    nationality,
                    current_country,
                    unaccompanied,
                    married,
                    date_of_birth: born,
                    us_arrival: arrival,
                    ..ReliefPerson::default()
                }
            },
        )
}

fn any_relief_fact() -> impl Strategy<Value = ReliefFact> {
    proptest::sample::select(ReliefFact::all().to_vec())
}

fn any_input() -> impl Strategy<Value = ReliefInput> {
    (
        any_person(),
        proptest::collection::btree_set(proptest::sample::select(Fact::all().to_vec()), 0..10),
        proptest::collection::btree_set(any_relief_fact(), 0..8),
    )
        .prop_map(|(person, facts, relief_facts)| ReliefInput {
            person,
            facts,
            relief_facts,
            as_of: None,
        })
}

fn with(input: &ReliefInput, extra: ReliefFact) -> ReliefInput {
    let mut more = input.clone();
    more.relief_facts.insert(extra);
    more
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Adding a relief fact never moves an option from likely to a lower status, except
    /// `rel_le_refused` (married and a passed deadline are not facts: adding a fact changes neither).
    #[test]
    fn adding_a_relief_fact_never_lowers_a_likely_option(input in any_input(), extra in any_relief_fact()) {
        let before = assess_relief(&input, today(), Lang::En);
        let after = assess_relief(&with(&input, extra), today(), Lang::En);
        for (old, new) in before.options.iter().zip(&after.options) {
            if old.status == ReliefStatus::Likely && extra != ReliefFact::LawEnforcementRefused {
                prop_assert_eq!(new.status, ReliefStatus::Likely, "adding {} lowered {}", extra, old.id);
            }
        }
    }

    /// `rel_le_refused` can only lower the T and U visas.
    #[test]
    fn a_refusal_lowers_only_the_t_and_u_visas(input in any_input()) {
        let before = assess_relief(&input, today(), Lang::En);
        let after = assess_relief(&with(&input, ReliefFact::LawEnforcementRefused), today(), Lang::En);
        for (old, new) in before.options.iter().zip(&after.options) {
            if new.status < old.status {
                prop_assert!(matches!(old.id, ReliefOptionKind::UsTVisa | ReliefOptionKind::UsUVisa), "{}", old.id);
            }
        }
    }

    /// Every option, in order; the status agrees with the lists; both languages agree.
    #[test]
    fn every_result_is_complete_and_consistent(input in any_input()) {
        let es = assess_relief(&input, today(), Lang::Es);
        let en = assess_relief(&input, today(), Lang::En);
        let ids: Vec<ReliefOptionKind> = en.options.iter().map(|o| o.id).collect();
        prop_assert_eq!(ids.as_slice(), ReliefOptionKind::all());
        for (spanish, english) in es.options.iter().zip(&en.options) {
            prop_assert_eq!(spanish.status, english.status);
            prop_assert_eq!(&spanish.met, &english.met);
            prop_assert_eq!(&spanish.missing, &english.missing);
            prop_assert_eq!(&spanish.blocking, &english.blocking);
            match english.status {
                ReliefStatus::Likely => prop_assert!(english.missing.is_empty() && english.blocking.is_empty()),
                ReliefStatus::Possible => prop_assert!(english.blocking.is_empty()),
                ReliefStatus::NotIndicated => prop_assert!(!english.blocking.is_empty()),
            }
        }
        prop_assert_eq!(es.trafficking, en.trafficking);
        prop_assert_eq!(en.rule_set_version.as_str(), "2026.12.1");
    }

    /// Asylum and VAWA are never likely.
    #[test]
    fn asylum_and_vawa_are_never_likely(input in any_input()) {
        let result = assess_relief(&input, today(), Lang::En);
        prop_assert_ne!(result.option(ReliefOptionKind::UsAsylum).status, ReliefStatus::Likely);
        prop_assert_ne!(result.option(ReliefOptionKind::UsVawa).status, ReliefStatus::Likely);
    }

    /// Nothing outside the United States, and no US national, gets a US option.
    #[test]
    fn us_options_need_a_foreign_national_in_the_us(input in any_input()) {
        let result = assess_relief(&input, today(), Lang::En);
        let person = &input.person;
        let known_not_in_us = person.current_country.is_some_and(|c| c.alpha_2() != "US")
            || person.nationality.is_some_and(|c| c.alpha_2() == "US");
        if known_not_in_us {
            for option in result.options.iter().filter(|o| o.id.code().starts_with("us_")) {
                prop_assert_eq!(option.status, ReliefStatus::NotIndicated, "{}", option.id);
            }
        }
    }

    /// Trafficking in the options is always the screening verdict.
    #[test]
    fn trafficking_is_the_screening_verdict(input in any_input()) {
        let result = assess_relief(&input, today(), Lang::En);
        let screening = puente_screening::screen(&input.screening_input(today()), Lang::En);
        let frameworks = &screening.frameworks;
        prop_assert_eq!(result.trafficking.trafficked_us, frameworks.tvpa_sex.met || frameworks.tvpa_labor.met);
        prop_assert_eq!(result.trafficking.trafficked, result.trafficking.trafficked_us || frameworks.palermo.met);
        prop_assert_eq!(result.trafficking.level, screening.level);
    }
}
