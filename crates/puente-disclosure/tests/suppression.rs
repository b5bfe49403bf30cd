//! Properties of suppression, checked against attackers written independently of the crate's own
//! audit: one who subtracts (solves any total with a single unknown, again and again) and one who
//! does exact linear algebra over the rationals. Neither may recover a hidden count from what a
//! table publishes; every count under 3 is hidden; every published count is the true one.

use proptest::prelude::*;
use puente_disclosure::{suppress_one_way, suppress_two_way, Published, THRESHOLD};

/// A published table, flattened: each value's truth and whether it is published, plus the
/// equations (a total and its parts) a reader knows hold.
struct Flattened {
    truth: Vec<i64>,
    published: Vec<Published>,
    equations: Vec<(usize, Vec<usize>)>,
}

fn flatten_one_way(counts: &[u64]) -> Flattened {
    let table = suppress_one_way(counts);
    let mut truth: Vec<i64> = counts.iter().map(|&c| c as i64).collect();
    truth.push(truth.iter().sum());
    let mut published = table.cells.clone();
    published.push(table.total);
    Flattened {
        truth,
        published,
        equations: vec![(counts.len(), (0..counts.len()).collect())],
    }
}

fn flatten_two_way(counts: &[Vec<u64>]) -> Flattened {
    let table = suppress_two_way(counts);
    let rows = counts.len();
    let columns = counts[0].len();
    let mut truth: Vec<i64> = counts.iter().flatten().map(|&c| c as i64).collect();
    for row in counts {
        truth.push(row.iter().sum::<u64>() as i64);
    }
    for column in 0..columns {
        truth.push(counts.iter().map(|row| row[column]).sum::<u64>() as i64);
    }
    truth.push(counts.iter().flatten().sum::<u64>() as i64);
    let mut published: Vec<Published> = table.cells.iter().flatten().copied().collect();
    published.extend(&table.row_totals);
    published.extend(&table.column_totals);
    published.push(table.total);
    let cell = |r: usize, c: usize| r * columns + c;
    let row_total = |r: usize| rows * columns + r;
    let column_total = |c: usize| rows * columns + rows + c;
    let grand = rows * columns + rows + columns;
    let mut equations = Vec::new();
    for r in 0..rows {
        equations.push((row_total(r), (0..columns).map(|c| cell(r, c)).collect()));
    }
    for c in 0..columns {
        equations.push((column_total(c), (0..rows).map(|r| cell(r, c)).collect()));
    }
    equations.push((grand, (0..rows).map(row_total).collect()));
    equations.push((grand, (0..columns).map(column_total).collect()));
    Flattened {
        truth,
        published,
        equations,
    }
}

/// The attacker who subtracts: any equation with one unknown left gives that unknown.
fn recovered_by_subtraction(table: &Flattened) -> Vec<usize> {
    let mut known: Vec<Option<i64>> = table
        .published
        .iter()
        .map(|p| p.count().map(|c| c as i64))
        .collect();
    let mut recovered = Vec::new();
    loop {
        let mut progress = false;
        for (total, parts) in &table.equations {
            let members: Vec<usize> = std::iter::once(*total)
                .chain(parts.iter().copied())
                .collect();
            let unknown: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&m| known[m].is_none())
                .collect();
            if unknown.len() != 1 {
                continue;
            }
            let target = unknown[0];
            let parts_sum: i64 = parts
                .iter()
                .filter(|&&p| p != target)
                .map(|&p| known[p].unwrap())
                .sum();
            let value = if target == *total {
                parts_sum
            } else {
                known[*total].unwrap() - parts_sum
            };
            known[target] = Some(value);
            recovered.push(target);
            progress = true;
        }
        if !progress {
            return recovered;
        }
    }
}

/// Exact rationals, enough for Gaussian elimination on small tables.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ratio(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd(b, a % b)
    }
}

impl Ratio {
    fn new(n: i128, d: i128) -> Ratio {
        let g = gcd(n, d);
        let sign = if d < 0 { -1 } else { 1 };
        Ratio(sign * n / g, sign * d / g)
    }
    fn is_zero(self) -> bool {
        self.0 == 0
    }
    fn sub(self, o: Ratio) -> Ratio {
        Ratio::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Ratio) -> Ratio {
        Ratio::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Ratio) -> Ratio {
        Ratio::new(self.0 * o.1, self.1 * o.0)
    }
}

fn rank(mut rows: Vec<Vec<Ratio>>) -> usize {
    let columns = rows.first().map_or(0, Vec::len);
    let mut rank = 0;
    for column in 0..columns {
        let Some(pivot) = (rank..rows.len()).find(|&r| !rows[r][column].is_zero()) else {
            continue;
        };
        rows.swap(rank, pivot);
        let pivot_row = rows[rank].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != rank && !row[column].is_zero() {
                let factor = row[column].div(pivot_row[column]);
                for (value, pivot_value) in row.iter_mut().zip(&pivot_row) {
                    *value = value.sub(factor.mul(*pivot_value));
                }
            }
        }
        rank += 1;
    }
    rank
}

/// The attacker with linear algebra: a hidden value is recovered when its unit vector is in the
/// row space of the equations over the hidden values (adding it does not raise the rank).
fn recovered_by_linear_algebra(table: &Flattened) -> Vec<usize> {
    let hidden: Vec<usize> = (0..table.published.len())
        .filter(|&i| table.published[i].is_suppressed())
        .collect();
    let zero = Ratio(0, 1);
    let rows: Vec<Vec<Ratio>> = table
        .equations
        .iter()
        .map(|(total, parts)| {
            hidden
                .iter()
                .map(|h| {
                    let mut coefficient = if h == total { 1 } else { 0 };
                    coefficient -= parts.iter().filter(|p| *p == h).count() as i128;
                    Ratio(coefficient, 1)
                })
                .collect()
        })
        .collect();
    let base = rank(rows.clone());
    hidden
        .iter()
        .enumerate()
        .filter(|(column, _)| {
            let mut with_unit = rows.clone();
            let mut unit = vec![zero; hidden.len()];
            unit[*column] = Ratio(1, 1);
            with_unit.push(unit);
            rank(with_unit) == base
        })
        .map(|(_, &value)| value)
        .collect()
}

fn check(table: &Flattened) -> Result<(), TestCaseError> {
    for (index, (&truth, &published)) in table.truth.iter().zip(&table.published).enumerate() {
        match published {
            Published::Shown(count) => {
                prop_assert_eq!(count as i64, truth, "value {} is published wrong", index);
                prop_assert!(
                    count >= THRESHOLD,
                    "value {} = {} is under 3 and shown",
                    index,
                    count
                );
            }
            Published::Suppressed => {}
        }
    }
    let by_subtraction = recovered_by_subtraction(table);
    prop_assert!(
        by_subtraction.is_empty(),
        "recovered by subtraction: {:?}",
        by_subtraction
    );
    let by_algebra = recovered_by_linear_algebra(table);
    // An empty table's hidden total of 0 is the only thing anyone could "recover", and it counts
    // nobody.
    let real = by_algebra.iter().filter(|&&i| table.truth[i] > 0).count();
    prop_assert_eq!(real, 0, "recovered by linear algebra: {:?}", by_algebra);
    Ok(())
}

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![0..3u64, 3..8u64, 0..40u64]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn one_way_tables_never_give_a_hidden_count_away(counts in prop::collection::vec(count(), 1..10)) {
        check(&flatten_one_way(&counts))?;
    }

    #[test]
    fn two_way_tables_never_give_a_hidden_count_away(
        (rows, columns) in (1..5usize, 1..5usize),
        seed in prop::collection::vec(count(), 16..17),
    ) {
        let counts: Vec<Vec<u64>> = (0..rows).map(|r| (0..columns).map(|c| seed[r * 4 + c]).collect()).collect();
        check(&flatten_two_way(&counts))?;
    }
}

#[test]
fn the_attackers_do_recover_what_naive_suppression_leaves() {
    // Hiding only the 1 of [10, 1, 7] leaves it as 18 - 10 - 7: both attackers must find it,
    // or the properties above would prove nothing.
    let naive = Flattened {
        truth: vec![10, 1, 7, 18],
        published: vec![
            Published::Shown(10),
            Published::Suppressed,
            Published::Shown(7),
            Published::Shown(18),
        ],
        equations: vec![(3, vec![0, 1, 2])],
    };
    assert_eq!(recovered_by_subtraction(&naive), [1]);
    assert_eq!(recovered_by_linear_algebra(&naive), [1]);
    // Two hidden cells in a row of a two-way table whose columns each pin one of them: only
    // algebra over several equations, or repeated subtraction, finds them.
    let two_way_naive = {
        let mut table = flatten_two_way(&[vec![20, 1], vec![9, 8], vec![30, 12]]);
        table.published = table
            .truth
            .iter()
            .map(|&t| {
                if t < 3 {
                    Published::Suppressed
                } else {
                    Published::Shown(t as u64)
                }
            })
            .collect();
        table
    };
    assert_eq!(recovered_by_subtraction(&two_way_naive), [1]);
    assert_eq!(recovered_by_linear_algebra(&two_way_naive), [1]);
}
