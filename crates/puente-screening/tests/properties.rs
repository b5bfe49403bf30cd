//! Property tests (proptest) of the rules as a whole.

use std::collections::BTreeSet;

use proptest::prelude::*;
use puente_core::Lang;
use puente_core::Vocabulary;
use puente_screening::{screen, Fact, FactGroup, PersonContext, ScreeningInput};

fn any_fact() -> impl Strategy<Value = Fact> {
    proptest::sample::select(Fact::all().to_vec())
}

fn any_facts() -> impl Strategy<Value = BTreeSet<Fact>> {
    proptest::collection::btree_set(any_fact(), 0..16)
}

fn any_age() -> impl Strategy<Value = Option<u32>> {
    proptest::option::of(0u32..90)
}

fn input(age: Option<u32>, facts: BTreeSet<Fact>) -> ScreeningInput {
    ScreeningInput {
        person: PersonContext {
            age,
            ..PersonContext::default()
        },
        facts,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Adding a fact never lowers the level.
    #[test]
    fn adding_a_fact_never_lowers_the_level(age in any_age(), facts in any_facts(), extra in any_fact()) {
        let before = screen(&input(age, facts.clone()), Lang::En).level;
        let mut more = facts;
        more.insert(extra);
        let after = screen(&input(age, more), Lang::En).level;
        prop_assert!(after >= before, "adding {extra} lowered {before} to {after}");
    }

    /// Adding a fact never turns a met framework into a not-met one.
    #[test]
    fn adding_a_fact_never_unmeets_a_framework(age in any_age(), facts in any_facts(), extra in any_fact()) {
        let before = screen(&input(age, facts.clone()), Lang::En).frameworks;
        let mut more = facts;
        more.insert(extra);
        let after = screen(&input(age, more), Lang::En).frameworks;
        prop_assert!(!before.palermo.met || after.palermo.met);
        prop_assert!(!before.tvpa_sex.met || after.tvpa_sex.met);
        prop_assert!(!before.tvpa_labor.met || after.tvpa_labor.met);
        prop_assert!(!before.ilo_forced_labour.met || after.ilo_forced_labour.met);
    }

    /// Removing every means never keeps an adult Palermo verdict (nor one for an unknown age).
    #[test]
    fn removing_every_means_never_keeps_an_adult_palermo_verdict(
        age in proptest::option::of(18u32..90),
        facts in any_facts(),
    ) {
        let without_means: BTreeSet<Fact> =
            facts.into_iter().filter(|fact| fact.group() != FactGroup::Means).collect();
        let result = screen(&input(age, without_means), Lang::En);
        prop_assert!(!result.frameworks.palermo.met);
        prop_assert!(result.frameworks.palermo.missing.iter().any(|m| m.as_str() == "means"));
    }

    /// The result always names the rule-set version and explains every rule, in both languages,
    /// with the same verdicts.
    #[test]
    fn both_languages_give_the_same_verdicts(age in any_age(), facts in any_facts()) {
        let es = screen(&input(age, facts.clone()), Lang::Es);
        let en = screen(&input(age, facts), Lang::En);
        prop_assert_eq!(&es.frameworks, &en.frameworks);
        prop_assert_eq!(es.level, en.level);
        prop_assert_eq!(es.explanation.len(), en.explanation.len());
        prop_assert_eq!(es.next_steps.len(), en.next_steps.len());
    }
}
