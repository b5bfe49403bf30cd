//! Small-cell suppression for de-identified counts: no count under 3 is shown, and none can be
//! worked out from what is shown.
//!
//! Every table of the overview counts the same cases by a different dimension, so the total is
//! known (from a table without small cells). Hiding only the small cells would let a reader
//! subtract the shown cells from the total and, often, recover them: two hidden cells that add up
//! to 4, each under 3, must both be 2. So, while the hidden small cells could be worked out from
//! the hidden total, the smallest shown cell is hidden too (complementary suppression), until
//! every hidden small cell could be either 1 or 2.

/// Counts below this are never shown.
pub const SMALL_CELL_THRESHOLD: u64 = 3;

/// How one count is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The exact count (at least 3).
    Count(u64),
    /// A count under 3, hidden ("<3").
    Small,
    /// A count of 3 or more, hidden so that the small ones cannot be worked out ("*").
    Complementary,
}

impl Shown {
    /// The exact count, when shown.
    pub fn count(self) -> Option<u64> {
        match self {
            Shown::Count(count) => Some(count),
            Shown::Small | Shown::Complementary => None,
        }
    }

    /// As a table shows it: the number, `<3` or `*`.
    pub fn text(self) -> String {
        match self {
            Shown::Count(count) => count.to_string(),
            Shown::Small => "<3".to_string(),
            Shown::Complementary => "*".to_string(),
        }
    }
}

/// Whether a reader who knows the sum of the hidden cells, that each small one is 1 or 2, and that
/// each complementary one is between 3 and the smallest shown count, can tell a small cell's value.
fn small_cells_are_determined(counts: &[u64], shown: &[Shown]) -> bool {
    let small = shown.iter().filter(|cell| **cell == Shown::Small).count() as u64;
    if small == 0 {
        return false;
    }
    let complementary = shown
        .iter()
        .filter(|cell| **cell == Shown::Complementary)
        .count() as u64;
    let hidden_total: u64 = counts
        .iter()
        .zip(shown)
        .filter(|(_, cell)| cell.count().is_none())
        .map(|(count, _)| *count)
        .sum();
    // With nothing shown, a complementary cell has no upper bound.
    let largest_complementary = shown
        .iter()
        .filter_map(|cell| cell.count())
        .min()
        .unwrap_or(u64::MAX / 4);
    let feasible = |value: u64| {
        let rest_low = (small - 1) + complementary * SMALL_CELL_THRESHOLD;
        let rest_high =
            (small - 1) * (SMALL_CELL_THRESHOLD - 1) + complementary * largest_complementary;
        hidden_total
            .checked_sub(value)
            .is_some_and(|rest| rest_low <= rest && rest <= rest_high)
    };
    // Every small cell has the same bounds: if one could not be both 1 and 2, none could.
    !(1..SMALL_CELL_THRESHOLD).all(feasible)
}

/// How each count of one table is shown.
pub fn suppress(counts: &[u64]) -> Vec<Shown> {
    let mut shown: Vec<Shown> = counts
        .iter()
        .map(|count| {
            if *count < SMALL_CELL_THRESHOLD {
                Shown::Small
            } else {
                Shown::Count(*count)
            }
        })
        .collect();
    while small_cells_are_determined(counts, &shown) {
        let smallest_shown = shown
            .iter()
            .enumerate()
            .filter_map(|(index, cell)| cell.count().map(|count| (count, index)))
            .min();
        match smallest_shown {
            Some((_, index)) => shown[index] = Shown::Complementary,
            // Everything is hidden already.
            None => break,
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use Shown::*;

    #[test]
    fn tables_without_small_counts_are_shown_whole() {
        assert_eq!(
            suppress(&[16, 11, 9, 4]),
            [Count(16), Count(11), Count(9), Count(4)]
        );
        assert_eq!(suppress(&[]), []);
    }

    #[test]
    fn a_lone_small_count_takes_the_smallest_shown_count_with_it() {
        // Shown: 28 and 12 of a known total of 42; hidden: 2, which would be 42 - 40.
        assert_eq!(suppress(&[28, 12, 2]), [Count(28), Complementary, Small]);
    }

    #[test]
    fn two_small_counts_that_add_up_to_four_are_not_left_alone() {
        assert_eq!(
            suppress(&[12, 8, 7, 6, 3, 2, 2]),
            [
                Count(12),
                Count(8),
                Count(7),
                Count(6),
                Complementary,
                Small,
                Small
            ]
        );
        // 1 + 2 = 3 could be 1 + 2 or 2 + 1: the cells cannot be told, nothing more is hidden.
        assert_eq!(suppress(&[10, 2, 1]), [Count(10), Small, Small]);
    }

    #[test]
    fn a_complementary_count_equal_to_the_next_shown_one_is_not_enough() {
        // Hiding 2 and one 3 leaves a 3 shown: the hidden 3 is at most 3, so the 2 is known.
        assert_eq!(suppress(&[2, 3, 3]), [Small, Complementary, Complementary]);
    }

    /// Whatever the counts, no hidden small cell can be worked out from the hidden total, except
    /// when every cell of the table is hidden and the total itself gives them away.
    #[test]
    fn no_small_count_can_be_recovered_from_the_total() {
        let mut counts = vec![0u64; 5];
        for seed in 0..4000u64 {
            let mut state = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for count in counts.iter_mut() {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *count = 1 + (state >> 33) % 9;
            }
            let shown = suppress(&counts);
            for (count, cell) in counts.iter().zip(&shown) {
                if *count < SMALL_CELL_THRESHOLD {
                    assert_eq!(*cell, Small, "{counts:?}");
                }
            }
            if shown.iter().any(|cell| cell.count().is_some()) {
                assert!(
                    !small_cells_are_determined(&counts, &shown),
                    "{counts:?} -> {shown:?}"
                );
            }
        }
    }
}
