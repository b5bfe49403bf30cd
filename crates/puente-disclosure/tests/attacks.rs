//! The attacks that undid small-cell suppression, run against the private answers.
//!
//! Each attack is run for many organisations (each with its own secret key, so its own noise) on
//! the same data, and on a neighbouring data set that differs by one case. An exact count is
//! recovered when the attack's estimate equals the true count; the tests show that this happens
//! rarely, no more often than on the neighbouring data set allows (the differential privacy
//! inequality `P[attack | D] <= e^ε · P[attack | D'] + δ`), and that repeating or rephrasing a
//! query does not help more than the budget lets it.

use puente_disclosure::accounting::{
    BudgetPeriod, PrivacyBudget, Rho, DEFAULT_DELTA, DEFAULT_RHO_PER_PERIOD, DEFAULT_RHO_PER_QUERY,
};
use puente_disclosure::private::{
    noise_source, private_table, shown, table_fingerprint, NoiseKey, PrivateTable,
};
use puente_disclosure::Published;
use time::macros::date;

const ORGANISATIONS: u32 = 2_000;

fn key(organisation: u32) -> NoiseKey {
    NoiseKey::new(format!("secret key of organisation {organisation}").into_bytes())
}

/// The answer the dashboard gives `organisation` for `query` on `counts`.
fn answer(organisation: u32, query: &str, counts: &[Vec<u64>]) -> PrivateTable {
    let mut rng = noise_source(&key(organisation), query, &table_fingerprint(counts));
    private_table(counts, DEFAULT_RHO_PER_QUERY, DEFAULT_DELTA, &mut rng).unwrap()
}

/// How often, over the organisations, `attack` returns `target`.
fn rate(attack: impl Fn(u32) -> Option<i64>, target: i64) -> f64 {
    let hits = (0..ORGANISATIONS)
        .filter(|organisation| attack(*organisation) == Some(target))
        .count();
    hits as f64 / f64::from(ORGANISATIONS)
}

/// The attack finds the exact count rarely, and not much more often on the data than on its
/// neighbour: the inequality of differential privacy with the per-query epsilon, plus the
/// sampling error of the rates.
fn assert_not_recovered(name: &str, on_data: f64, on_neighbour: f64, at_most: f64) {
    let epsilon = DEFAULT_RHO_PER_QUERY.epsilon(DEFAULT_DELTA);
    let sampling_error = 4.0 * (0.25 / f64::from(ORGANISATIONS)).sqrt();
    assert!(
        on_data <= at_most,
        "{name}: exact count found {on_data:.3} of the time"
    );
    assert!(
        on_data <= epsilon.exp() * (on_neighbour + sampling_error) + DEFAULT_DELTA,
        "{name}: {on_data:.3} on the data against {on_neighbour:.3} on its neighbour"
    );
}

fn shown_sum(cells: &[u64]) -> u64 {
    cells.iter().filter_map(|count| shown(*count).count()).sum()
}

#[test]
fn a_total_minus_the_visible_cells_does_not_give_the_hidden_one() {
    // Referral outcome: not referred 41, accepted 1, total 42; so accepted was 42 - 41.
    let attack = |counts: Vec<Vec<u64>>| {
        move |organisation: u32| {
            let table = answer(organisation, "by=referral_outcome", &counts);
            let cells = &table.cells[0];
            Some(table.total as i64 - cells[0] as i64)
        }
    };
    let on_data = rate(attack(vec![vec![41, 1]]), 1);
    let on_neighbour = rate(attack(vec![vec![41, 0]]), 1);
    assert_not_recovered("referral outcome", on_data, on_neighbour, 0.2);
}

#[test]
fn hidden_nationalities_do_not_follow_from_the_total() {
    // Nationality: 38 shown, Panamá <3, Venezuela <3, total 42; so each was 2.
    let attack = |counts: Vec<Vec<u64>>| {
        move |organisation: u32| {
            let table = answer(organisation, "by=nationality", &counts);
            let cells = &table.cells[0];
            let hidden: Vec<usize> = (0..cells.len())
                .filter(|index| shown(cells[*index]).is_suppressed())
                .collect();
            match shown(cells[3]) {
                Published::Shown(count) => Some(count as i64),
                Published::Suppressed => {
                    let rest = table.total as i64 - shown_sum(cells) as i64;
                    Some((rest as f64 / hidden.len() as f64).round() as i64)
                }
            }
        }
    };
    let on_data = rate(attack(vec![vec![20, 10, 8, 2, 2]]), 2);
    let on_neighbour = rate(attack(vec![vec![20, 10, 8, 1, 2]]), 2);
    assert_not_recovered("nationality", on_data, on_neighbour, 0.25);
}

#[test]
fn the_one_hidden_country_does_not_follow_from_the_total() {
    // Country of exploitation: total 47, visible rows 45, only NI hidden; so NI was 2.
    let attack = |counts: Vec<Vec<u64>>| {
        move |organisation: u32| {
            let table = answer(organisation, "by=country_of_exploitation", &counts);
            let cells = &table.cells[0];
            Some(table.total as i64 - cells[..3].iter().sum::<u64>() as i64)
        }
    };
    let on_data = rate(attack(vec![vec![20, 15, 10, 2]]), 2);
    let on_neighbour = rate(attack(vec![vec![20, 15, 10, 3]]), 2);
    assert_not_recovered("country of exploitation", on_data, on_neighbour, 0.2);
}

/// Cases by referral outcome (0 not referred, 1 accepted), sex, nationality and age group; the one
/// accepted case is a Honduran boy aged 12 to 17, or in the neighbouring data set a Guatemalan one.
fn cases(accepted_nationality: usize) -> Vec<[usize; 4]> {
    let mut cases = Vec::new();
    for index in 0..41 {
        cases.push([0, index % 2, index % 3, index % 4]);
    }
    cases.push([1, 0, accepted_nationality, 2]);
    cases
}

fn cross(cases: &[[usize; 4]], first: usize, second: usize, sizes: [usize; 4]) -> Vec<Vec<u64>> {
    let mut counts = vec![vec![0; sizes[second]]; sizes[first]];
    for case in cases {
        counts[case[first]][case[second]] += 1;
    }
    counts
}

const SIZES: [usize; 4] = [2, 2, 3, 4];
const HONDURAS: usize = 1;
const GUATEMALA: usize = 0;

#[test]
fn two_way_tables_against_one_way_ones_do_not_describe_the_referred_case() {
    // The one-way table by nationality minus the not-referred row of the two-way table gives the
    // accepted Hondurans; the accepted row of the two-way table points at the nationality.
    let difference_attack = |accepted_nationality: usize| {
        move |organisation: u32| {
            let data = cases(accepted_nationality);
            let one_way = vec![cross(&data, 0, 2, SIZES)
                .iter()
                .fold(vec![0; 3], |sum, row| {
                    sum.iter().zip(row).map(|(a, b)| a + b).collect()
                })];
            let by_nationality = answer(organisation, "by=nationality", &one_way);
            let two_way = answer(
                organisation,
                "by=referral_outcome,nationality",
                &cross(&data, 0, 2, SIZES),
            );
            Some(by_nationality.cells[0][HONDURAS] as i64 - two_way.cells[0][HONDURAS] as i64)
        }
    };
    let on_data = rate(difference_attack(HONDURAS), 1);
    let on_neighbour = rate(difference_attack(GUATEMALA), 1);
    assert_not_recovered("one-way minus two-way", on_data, on_neighbour, 0.2);

    // Which nationality, sex and age group the accepted row of each two-way table favours.
    let profile_attack = |accepted_nationality: usize| {
        move |organisation: u32| {
            let data = cases(accepted_nationality);
            let mut guess = Vec::new();
            for (column, query) in [(1, "sex"), (2, "nationality"), (3, "age_group")] {
                let table = answer(
                    organisation,
                    &format!("by=referral_outcome,{query}"),
                    &cross(&data, 0, column, SIZES),
                );
                let accepted = &table.cells[1];
                let favourite = (0..accepted.len())
                    .max_by_key(|index| (accepted[*index], std::cmp::Reverse(*index)));
                guess.push(favourite.unwrap_or(0));
            }
            Some((guess == [0, HONDURAS, 2]) as i64)
        }
    };
    let on_data = rate(profile_attack(HONDURAS), 1);
    let on_neighbour = rate(profile_attack(GUATEMALA), 1);
    assert_not_recovered("profile of the referred case", on_data, on_neighbour, 0.35);
}

#[test]
fn asking_again_gets_the_same_answer_so_averaging_learns_nothing() {
    let counts = vec![vec![41, 1]];
    for organisation in 0..50 {
        let first = answer(organisation, "by=referral_outcome", &counts);
        for _ in 0..20 {
            assert_eq!(answer(organisation, "by=referral_outcome", &counts), first);
        }
    }
}

#[test]
fn rephrased_queries_cost_budget_and_the_budget_stops_the_averaging() {
    // An attacker asks for tables that all contain the grand total, each phrased differently so
    // each draws fresh noise, until the organisation's budget refuses; then averages the totals.
    let most_queries = (DEFAULT_RHO_PER_PERIOD.0 / DEFAULT_RHO_PER_QUERY.0).round() as usize;
    let attack = |true_total: u64| {
        let counts = vec![vec![true_total - 1, 1]];
        move |organisation: u32| {
            let mut budget = PrivacyBudget::new(
                DEFAULT_RHO_PER_PERIOD,
                BudgetPeriod::Months(1),
                date!(2026 - 12 - 01),
            );
            let mut totals = Vec::new();
            for phrasing in 0.. {
                let table = answer(
                    organisation,
                    &format!("by=referral_outcome&page={phrasing}"),
                    &counts,
                );
                match budget.charge(Rho(table.privacy.rho), date!(2026 - 12 - 01)) {
                    Ok(next) => budget = next,
                    Err(spent) => {
                        assert_eq!(spent.renews_on, date!(2027 - 01 - 01));
                        break;
                    }
                }
                totals.push(table.total as f64);
            }
            assert_eq!(totals.len(), most_queries);
            Some((totals.iter().sum::<f64>() / totals.len() as f64).round() as i64)
        }
    };
    let on_data = rate(attack(42), 42);
    let on_neighbour = rate(attack(43), 42);
    // The whole period's epsilon bounds this attack, not one query's.
    let epsilon = DEFAULT_RHO_PER_PERIOD.epsilon(DEFAULT_DELTA);
    assert!(
        on_data < 0.4,
        "averaged total exact {on_data:.3} of the time"
    );
    assert!(on_data <= epsilon.exp() * on_neighbour + DEFAULT_DELTA);
}

#[test]
fn small_noisy_counts_still_show_as_less_than_three_and_rows_add_up() {
    for organisation in 0..200 {
        let counts = cross(&cases(HONDURAS), 0, 2, SIZES);
        let table = answer(organisation, "by=referral_outcome,nationality", &counts);
        assert_eq!(table.row_totals.iter().sum::<u64>(), table.total);
        for (row, total) in table.cells.iter().zip(&table.row_totals) {
            assert_eq!(row.iter().sum::<u64>(), *total);
            for count in row {
                assert_eq!(shown(*count).is_suppressed(), *count < 3);
            }
        }
    }
}
