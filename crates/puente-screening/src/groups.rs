//! The groups of facts the rules of screening.md are written in, spelt as they are there.

use std::collections::BTreeSet;

use puente_core::screening_facts::{Fact, FactGroup};
use Fact::*;

/// FORCE: physical violence, sexual violence, abduction, restriction of movement.
pub const FORCE: &[Fact] = &[
    MeansPhysicalViolence,
    MeansSexualViolence,
    MeansAbduction,
    MeansRestrictsMovement,
];

/// FRAUD: deception.
pub const FRAUD: &[Fact] = &[MeansDeception];

/// COERCION: threats of every kind, debt bondage, withheld documents or necessities, psychological abuse.
pub const COERCION: &[Fact] = &[
    MeansThreats,
    MeansThreatsToFamily,
    MeansThreatOfAuthorities,
    MeansDebtBondage,
    MeansWithholdsDocuments,
    MeansWithholdsNecessities,
    MeansPsychologicalAbuse,
];

/// LABOUR_LIKE: labour, domestic work, crime, begging, use by an armed group.
pub const LABOUR_LIKE: &[Fact] = &[
    ActivityLabour,
    ActivityDomesticWork,
    ActivityCriminal,
    ActivityBegging,
    ActivityArmedGroup,
];

/// INHERENTLY_EXPLOITATIVE: activities that are exploitation whatever the conditions.
pub const INHERENTLY_EXPLOITATIVE: &[Fact] = &[
    ActivityCommercialSex,
    ActivityCriminal,
    ActivityBegging,
    ActivityArmedGroup,
    ActivityMarriage,
    ActivityOrganRemoval,
];

/// ILO involuntariness indicators (20th ICLS guidelines, 2018).
pub const ILO_INVOLUNTARINESS: &[Fact] = &[
    MeansDeception,
    MeansAbduction,
    MeansPaymentToController,
    MeansDebtBondage,
    CondCannotLeave,
    CondExcessiveHours,
    CondLittleOrNoPay,
    CondHazardousOrDegrading,
];

/// ILO menace-of-penalty indicators (20th ICLS guidelines, 2018).
pub const ILO_PENALTY: &[Fact] = &[
    MeansPhysicalViolence,
    MeansSexualViolence,
    MeansThreats,
    MeansThreatsToFamily,
    MeansThreatOfAuthorities,
    MeansWithholdsDocuments,
    MeansWithholdsEarnings,
    MeansRestrictsMovement,
    MeansIsolation,
    MeansWithholdsNecessities,
    MeansDebtBondage,
];

/// FFC = FORCE ∪ FRAUD ∪ COERCION: US law's "force, fraud or coercion".
pub fn is_ffc(fact: Fact) -> bool {
    FORCE.contains(&fact) || FRAUD.contains(&fact) || COERCION.contains(&fact)
}

/// MEANS: every `means_*` code.
pub fn is_means(fact: Fact) -> bool {
    fact.group() == FactGroup::Means
}

/// The facts of `facts` that belong to `group`, in vocabulary order.
pub fn present(facts: &BTreeSet<Fact>, group: &[Fact]) -> Vec<Fact> {
    facts
        .iter()
        .copied()
        .filter(|f| group.contains(f))
        .collect()
}

/// The facts of `facts` that satisfy `test`, in vocabulary order.
pub fn present_where(facts: &BTreeSet<Fact>, test: impl Fn(Fact) -> bool) -> Vec<Fact> {
    facts.iter().copied().filter(|f| test(*f)).collect()
}

/// The facts of `facts` in an element group (act, means, ...), in vocabulary order.
pub fn in_element(facts: &BTreeSet<Fact>, group: FactGroup) -> Vec<Fact> {
    present_where(facts, |f| f.group() == group)
}

/// Every fact the groups of this module can be built from: a check that they only name real codes.
pub fn all_named() -> BTreeSet<Fact> {
    [
        FORCE,
        FRAUD,
        COERCION,
        LABOUR_LIKE,
        INHERENTLY_EXPLOITATIVE,
        ILO_INVOLUNTARINESS,
        ILO_PENALTY,
    ]
    .iter()
    .flat_map(|group| group.iter().copied())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use puente_core::Vocabulary;

    #[test]
    fn ffc_is_a_strict_part_of_means() {
        let means: Vec<Fact> = Fact::all()
            .iter()
            .copied()
            .filter(|f| is_means(*f))
            .collect();
        assert_eq!(means.len(), 17);
        assert!(means.iter().filter(|f| is_ffc(**f)).count() == 12);
        // Palermo's list is wider than US law's.
        assert!(!is_ffc(MeansAbuseOfVulnerability));
        assert!(!is_ffc(MeansPaymentToController));
        assert!(is_means(MeansAbuseOfVulnerability));
    }

    #[test]
    fn debt_bondage_is_the_one_code_on_both_ilo_sides() {
        let both: Vec<Fact> = ILO_INVOLUNTARINESS
            .iter()
            .copied()
            .filter(|f| ILO_PENALTY.contains(f))
            .collect();
        assert_eq!(both, [MeansDebtBondage]);
        assert!(all_named().len() > 20);
    }
}
