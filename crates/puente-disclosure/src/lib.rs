//! Safe publishing of counts.
//!
//! - [`private`]: differentially private tables (what analysts and partners see): exact discrete
//!   Gaussian noise ([`sampler`]) from a keyed ChaCha20 source, zCDP accounting and each
//!   organisation's budget ([`accounting`]), consistent non-negative post-processing.
//! - This module: small-cell suppression, described below, for what is shown without noise.
//!
//! # Small-cell suppression
//!
//! Published figures must never expose a survivor (domain.md). The rule, the US hotline's: no exact
//! figure for anything counted fewer than 3 times. This crate applies it to the tables Puente
//! publishes (the dashboard, its CSV, the statistics API). Pure: no I/O.
//!
//! # The method
//! 1. **Primary suppression.** Every count under [`THRESHOLD`] (0, 1 and 2), cells and totals
//!    alike, is hidden.
//! 2. **Complementary (secondary) suppression.** A table publishes totals, and a total is an
//!    equation: in a one-way table `total = a + b + c`; in a two-way table every row total, every
//!    column total and the grand total. A hidden count that those equations still pin down (the
//!    textbook case: the only hidden cell of a row, which is the row total minus the row's other
//!    cells) is not hidden at all. While some hidden count is determined by the published values,
//!    one more count is hidden: among the visible counts that share an equation with a determined
//!    one, the count whose hiding leaves the fewest hidden counts determined, preferring cells to
//!    totals and then the smallest count. In a one-way table that is the brief's rule: when exactly
//!    one cell of a margin is hidden, the next-smallest cell of that margin is hidden with it. In a
//!    two-way table it builds the rectangles (a row and a column crossing twice) that keep every
//!    hidden cell on a cycle of hidden cells.
//! 3. **The audit** that drives step 2 is linear algebra, not a list of patterns: the hidden
//!    counts are the unknowns of the totals' equations, and a hidden count is determined when its
//!    unit vector lies in the row space of those equations (Gaussian elimination). So no
//!    combination of sums and differences of published figures yields a hidden count, however
//!    many steps it takes.
//!
//! Every hidden count is published the same way ([`Published::Suppressed`]: `null` in JSON,
//! `"<3"` on screen, with [`SUPPRESSION_NOTE`] under the table). A reader cannot tell a count under
//! 3 from a larger count hidden to protect it; telling them apart would give the reader bounds
//! (under 3, at least 3) that can pin a value down.
//!
//! What it does not promise: that a hidden count cannot be narrowed to a range. Counts are never
//! negative and totals bound their parts, so a reader can say "between 0 and 9"; the promise is that
//! no hidden count can be computed exactly (the property tests attack every table they generate by
//! repeated subtraction and by exact rational elimination).
//!
//! Tables whose categories overlap (a case counted under several methods of control) have no
//! equation between their cells and their total: [`suppress_independent`] applies the primary rule
//! alone to them.
//!
//! ```
//! use puente_disclosure::{suppress_one_way, Published};
//! // By nationality: GT 12, NI 1, HN 7, SV 9. NI is under 3; alone, it would be 29 - 12 - 7 - 9.
//! let table = suppress_one_way(&[12, 1, 7, 9]);
//! assert_eq!(table.cells, [Published::Shown(12), Published::Suppressed, Published::Suppressed, Published::Shown(9)]);
//! assert_eq!(table.total, Published::Shown(29));
//! ```

pub mod accounting;
pub mod private;
pub mod sampler;

use puente_core::Label;
use serde::{Serialize, Serializer};

/// Counts under this are never published.
pub const THRESHOLD: u64 = 3;

/// What a hidden count looks like on screen.
pub const SUPPRESSED_DISPLAY: &str = "<3";

/// The note under every table with hidden counts.
pub const SUPPRESSION_NOTE: Label = Label {
    es: "<3: menos de 3, o una cifra ocultada para que ninguna cifra menor de 3 pueda deducirse de los totales.",
    en: "<3: fewer than 3, or a figure hidden so that no figure under 3 can be derived from the totals.",
};

/// A count as published: the number, or hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Published {
    Shown(u64),
    Suppressed,
}

impl Published {
    /// The number, when it is shown.
    pub fn count(self) -> Option<u64> {
        match self {
            Published::Shown(count) => Some(count),
            Published::Suppressed => None,
        }
    }

    pub fn is_suppressed(self) -> bool {
        self == Published::Suppressed
    }

    /// The text of a table cell: the number, or `<3`.
    pub fn display(self) -> String {
        match self {
            Published::Shown(count) => count.to_string(),
            Published::Suppressed => SUPPRESSED_DISPLAY.to_string(),
        }
    }
}

/// A number, or `null` when hidden (the statistics API adds `"suppressed": true` beside it).
impl Serialize for Published {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Published::Shown(count) => serializer.serialize_u64(*count),
            Published::Suppressed => serializer.serialize_none(),
        }
    }
}

/// A total and the counts it is the sum of, by their positions in a table's list of counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equation {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// A one-way table as published: its cells and their total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OneWayTable {
    pub cells: Vec<Published>,
    pub total: Published,
}

/// A two-way table as published: cells by row then column, row totals, column totals, the total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TwoWayTable {
    pub cells: Vec<Vec<Published>>,
    pub row_totals: Vec<Published>,
    pub column_totals: Vec<Published>,
    pub total: Published,
}

/// The counts of a one-way table (one category per cell, each case in exactly one), published with
/// their total.
pub fn suppress_one_way(counts: &[u64]) -> OneWayTable {
    let total: u64 = counts.iter().sum();
    let mut values = counts.to_vec();
    values.push(total);
    let total_index = counts.len();
    let mut is_total = vec![false; counts.len()];
    is_total.push(true);
    let equations = [Equation {
        total: total_index,
        parts: (0..counts.len()).collect(),
    }];
    let hidden = suppress_system(&values, &is_total, &equations);
    let published = publish(&values, &hidden);
    OneWayTable {
        cells: published[..total_index].to_vec(),
        total: published[total_index],
    }
}

/// The counts of a two-way table (rows by columns, each case in exactly one cell), published with
/// row totals, column totals and the grand total. Short rows are read as ending in zeros.
pub fn suppress_two_way(counts: &[Vec<u64>]) -> TwoWayTable {
    let rows = counts.len();
    let columns = counts.iter().map(Vec::len).max().unwrap_or(0);
    let cell = |row: usize, column: usize| row * columns + column;
    let row_total = |row: usize| rows * columns + row;
    let column_total = |column: usize| rows * columns + rows + column;
    let grand_total = rows * columns + rows + columns;

    let mut values = vec![0; grand_total + 1];
    for (row, counts_of_row) in counts.iter().enumerate() {
        for (column, count) in counts_of_row.iter().enumerate() {
            values[cell(row, column)] = *count;
            values[row_total(row)] += count;
            values[column_total(column)] += count;
            values[grand_total] += count;
        }
    }
    let mut is_total = vec![false; rows * columns];
    is_total.resize(grand_total + 1, true);
    let mut equations = Vec::new();
    for row in 0..rows {
        equations.push(Equation {
            total: row_total(row),
            parts: (0..columns).map(|column| cell(row, column)).collect(),
        });
    }
    for column in 0..columns {
        equations.push(Equation {
            total: column_total(column),
            parts: (0..rows).map(|row| cell(row, column)).collect(),
        });
    }
    equations.push(Equation {
        total: grand_total,
        parts: (0..rows).map(row_total).collect(),
    });
    equations.push(Equation {
        total: grand_total,
        parts: (0..columns).map(column_total).collect(),
    });
    let hidden = suppress_system(&values, &is_total, &equations);
    let published = publish(&values, &hidden);
    TwoWayTable {
        cells: (0..rows)
            .map(|row| {
                (0..columns)
                    .map(|column| published[cell(row, column)])
                    .collect()
            })
            .collect(),
        row_totals: (0..rows).map(|row| published[row_total(row)]).collect(),
        column_totals: (0..columns)
            .map(|column| published[column_total(column)])
            .collect(),
        total: published[grand_total],
    }
}

/// Counts with no equation between them (overlapping categories): the primary rule alone.
pub fn suppress_independent(counts: &[u64]) -> Vec<Published> {
    counts
        .iter()
        .map(|&count| {
            if count < THRESHOLD {
                Published::Suppressed
            } else {
                Published::Shown(count)
            }
        })
        .collect()
}

/// The general method, for any table: the counts, which of them are totals (hidden last when
/// there is a choice), and the equations between them. Returns which counts to hide.
pub fn suppress_system(values: &[u64], is_total: &[bool], equations: &[Equation]) -> Vec<bool> {
    let mut hidden: Vec<bool> = values.iter().map(|&value| value < THRESHOLD).collect();
    loop {
        let determined = determined_hidden_values(values.len(), equations, &hidden);
        if determined.is_empty() {
            break;
        }
        let Some(complement) = choose_complement(&determined, values, is_total, equations, &hidden)
        else {
            // Every count is hidden: nothing is determined then, so this is never reached.
            break;
        };
        hidden[complement] = true;
    }
    hidden
}

/// The hidden counts that the published counts determine through the equations: those a reader
/// can compute. Empty for a well-protected table.
pub fn determined_hidden_values(
    count_of_values: usize,
    equations: &[Equation],
    hidden: &[bool],
) -> Vec<usize> {
    let unknowns: Vec<usize> = (0..count_of_values).filter(|&i| hidden[i]).collect();
    if unknowns.is_empty() {
        return Vec::new();
    }
    let column_of = |value: usize| unknowns.iter().position(|&u| u == value);
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for equation in equations {
        let mut row = vec![0.0; unknowns.len()];
        if let Some(column) = column_of(equation.total) {
            row[column] += 1.0;
        }
        for &part in &equation.parts {
            if let Some(column) = column_of(part) {
                row[column] -= 1.0;
            }
        }
        if row.iter().any(|&x| x != 0.0) {
            rows.push(row);
        }
    }
    let basis = reduced_row_echelon(rows, unknowns.len());
    unknowns
        .iter()
        .enumerate()
        .filter(|&(column, _)| in_row_space(&basis, column, unknowns.len()))
        .map(|(_, &value)| value)
        .collect()
}

const EPSILON: f64 = 1e-9;

/// The non-zero rows of the reduced row echelon form, each with its pivot column.
fn reduced_row_echelon(mut rows: Vec<Vec<f64>>, columns: usize) -> Vec<(usize, Vec<f64>)> {
    let mut pivots = Vec::new();
    let mut next_row = 0;
    for column in 0..columns {
        let Some(best) = (next_row..rows.len())
            .filter(|&r| rows[r][column].abs() > EPSILON)
            .max_by(|&a, &b| rows[a][column].abs().total_cmp(&rows[b][column].abs()))
        else {
            continue;
        };
        rows.swap(next_row, best);
        let pivot = rows[next_row][column];
        for x in rows[next_row].iter_mut() {
            *x /= pivot;
        }
        let pivot_row = rows[next_row].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != next_row && row[column].abs() > EPSILON {
                let factor = row[column];
                for (x, p) in row.iter_mut().zip(&pivot_row) {
                    *x -= factor * p;
                }
            }
        }
        pivots.push(column);
        next_row += 1;
        if next_row == rows.len() {
            break;
        }
    }
    pivots.into_iter().zip(rows).collect()
}

/// Whether the unit vector of `column` is a combination of the basis rows.
fn in_row_space(basis: &[(usize, Vec<f64>)], column: usize, columns: usize) -> bool {
    let mut vector = vec![0.0_f64; columns];
    vector[column] = 1.0;
    for (pivot, row) in basis {
        let factor = vector[*pivot];
        if factor.abs() > EPSILON {
            for (x, r) in vector.iter_mut().zip(row) {
                *x -= factor * r;
            }
        }
    }
    vector.iter().all(|x| x.abs() < EPSILON)
}

/// The count to hide next: among the visible counts that share an equation with a determined
/// hidden count, the one after whose hiding the fewest hidden counts remain determined; cells
/// before totals, then the smallest count. When none shares an equation, the smallest visible
/// count anywhere.
fn choose_complement(
    determined: &[usize],
    values: &[u64],
    is_total: &[bool],
    equations: &[Equation],
    hidden: &[bool],
) -> Option<usize> {
    let mut neighbours: Vec<usize> = equations
        .iter()
        .filter(|e| {
            determined
                .iter()
                .any(|value| e.total == *value || e.parts.contains(value))
        })
        .flat_map(|e| std::iter::once(e.total).chain(e.parts.iter().copied()))
        .filter(|&index| !hidden[index])
        .collect();
    neighbours.sort_unstable();
    neighbours.dedup();
    let still_determined = |candidate: usize| {
        let mut trial = hidden.to_vec();
        trial[candidate] = true;
        determined_hidden_values(values.len(), equations, &trial).len()
    };
    neighbours
        .into_iter()
        .map(|candidate| {
            (
                still_determined(candidate),
                is_total[candidate],
                values[candidate],
                candidate,
            )
        })
        .min()
        .map(|(_, _, _, candidate)| candidate)
        .or_else(|| {
            (0..values.len())
                .filter(|&i| !hidden[i])
                .min_by_key(|&i| (is_total[i], values[i], i))
        })
}

/// One published line of a grouped count: the values of its dimensions and the count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedRow {
    pub values: Vec<String>,
    pub count: Published,
}

/// Grouped counts as published: every row, the margins of a two-way grouping, and the total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedRows {
    pub rows: Vec<PublishedRow>,
    /// For two dimensions: the total of each value of the first dimension, in order of appearance.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub first_totals: Vec<(String, Published)>,
    /// For two dimensions: the total of each value of the second dimension.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub second_totals: Vec<(String, Published)>,
    pub total: Published,
}

impl PublishedRows {
    /// The rows as the statistics API shows them: one object per row with each dimension's name
    /// and value, `count` (a number or `null`) and `"suppressed": true` for a hidden count.
    ///
    /// ```
    /// let rows = vec![(vec!["GT".to_string()], 12), (vec!["HN".to_string()], 7), (vec!["NI".to_string()], 1)];
    /// let published = puente_disclosure::publish_rows(&rows, false, 20);
    /// assert_eq!(
    ///     published.api_rows(&["nationality"]),
    ///     serde_json::json!([
    ///         {"nationality": "GT", "count": 12},
    ///         {"nationality": "HN", "count": null, "suppressed": true},
    ///         {"nationality": "NI", "count": null, "suppressed": true},
    ///     ])
    /// );
    /// ```
    pub fn api_rows(&self, names: &[&str]) -> serde_json::Value {
        serde_json::Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let mut line = serde_json::Map::new();
                    for (name, value) in names.iter().zip(&row.values) {
                        line.insert(name.to_string(), serde_json::Value::from(value.as_str()));
                    }
                    line.insert("count".into(), serde_json::json!(row.count));
                    if row.count.is_suppressed() {
                        line.insert("suppressed".into(), true.into());
                    }
                    serde_json::Value::Object(line)
                })
                .collect(),
        )
    }

    /// The rows as CSV: a header of the dimension names and `count`, one line per row with `<3`
    /// for a hidden count, then a `total` line. Values are quoted when they need it.
    pub fn to_csv(&self, names: &[&str]) -> String {
        fn field(text: &str) -> String {
            if text.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", text.replace('"', "\"\""))
            } else {
                text.to_string()
            }
        }
        let mut csv = String::new();
        let header: Vec<String> = names
            .iter()
            .map(|name| field(name))
            .chain(["count".to_string()])
            .collect();
        csv.push_str(&header.join(","));
        csv.push('\n');
        for row in &self.rows {
            let mut line: Vec<String> = row.values.iter().map(|value| field(value)).collect();
            line.push(row.count.display());
            csv.push_str(&line.join(","));
            csv.push('\n');
        }
        let mut total = vec!["total".to_string()];
        total.extend(std::iter::repeat_n(
            String::new(),
            names.len().saturating_sub(1),
        ));
        total.push(self.total.display());
        csv.push_str(&total.join(","));
        csv.push('\n');
        csv
    }
}

/// The values of each of two dimensions in order of appearance, and the counts of every
/// combination of them (zero for a combination with no row).
pub(crate) fn two_way_matrix(
    rows: &[(Vec<String>, u64)],
) -> (Vec<String>, Vec<String>, Vec<Vec<u64>>) {
    let mut firsts: Vec<String> = Vec::new();
    let mut seconds: Vec<String> = Vec::new();
    for (values, _) in rows {
        if !firsts.contains(&values[0]) {
            firsts.push(values[0].clone());
        }
        if !seconds.contains(&values[1]) {
            seconds.push(values[1].clone());
        }
    }
    let count_of = |first: &str, second: &str| {
        rows.iter()
            .find(|(values, _)| values[0] == first && values[1] == second)
            .map_or(0, |(_, count)| *count)
    };
    let matrix = firsts
        .iter()
        .map(|first| {
            seconds
                .iter()
                .map(|second| count_of(first, second))
                .collect()
        })
        .collect();
    (firsts, seconds, matrix)
}

/// Publishes counts grouped by dimension values (a statistics query's rows), choosing the method:
/// - `overlapping` (an item may be counted in several rows, as a case under several methods of
///   control): no equation links the rows, so each count and the total take the primary rule;
/// - one dimension: a one-way table whose total is the sum of the rows;
/// - two dimensions: a two-way table over every combination of the values seen (a combination with
///   no row is a zero, listed and hidden like any count under 3), with its margins;
/// - more dimensions: the cells with their grand total, as one margin.
///
/// `total` is the number of items counted (equal to the sum of the rows unless `overlapping`).
pub fn publish_rows(rows: &[(Vec<String>, u64)], overlapping: bool, total: u64) -> PublishedRows {
    let dimensions = rows.first().map_or(1, |(values, _)| values.len());
    if overlapping {
        let counts: Vec<u64> = rows.iter().map(|(_, count)| *count).collect();
        return PublishedRows {
            rows: rows
                .iter()
                .zip(suppress_independent(&counts))
                .map(|((values, _), count)| PublishedRow {
                    values: values.clone(),
                    count,
                })
                .collect(),
            first_totals: Vec::new(),
            second_totals: Vec::new(),
            total: suppress_independent(&[total])[0],
        };
    }
    if dimensions == 2 {
        let (firsts, seconds, matrix) = two_way_matrix(rows);
        let table = suppress_two_way(&matrix);
        let mut published = Vec::new();
        for (row, first) in firsts.iter().enumerate() {
            for (column, second) in seconds.iter().enumerate() {
                published.push(PublishedRow {
                    values: vec![first.clone(), second.clone()],
                    count: table.cells[row][column],
                });
            }
        }
        return PublishedRows {
            rows: published,
            first_totals: firsts.into_iter().zip(table.row_totals).collect(),
            second_totals: seconds.into_iter().zip(table.column_totals).collect(),
            total: table.total,
        };
    }
    let counts: Vec<u64> = rows.iter().map(|(_, count)| *count).collect();
    let table = suppress_one_way(&counts);
    PublishedRows {
        rows: rows
            .iter()
            .zip(table.cells)
            .map(|((values, _), count)| PublishedRow {
                values: values.clone(),
                count,
            })
            .collect(),
        first_totals: Vec::new(),
        second_totals: Vec::new(),
        total: table.total,
    }
}

fn publish(values: &[u64], hidden: &[bool]) -> Vec<Published> {
    values
        .iter()
        .zip(hidden)
        .map(|(&value, &hide)| {
            if hide {
                Published::Suppressed
            } else {
                Published::Shown(value)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Published::{Shown as S, Suppressed as X};

    #[test]
    fn one_way_tables_hide_small_counts_and_their_complements() {
        let cases: &[(&[u64], &[Published], Published)] = &[
            (&[5, 5], &[S(5), S(5)], S(10)),
            // A lone small cell takes the next-smallest cell with it.
            (&[10, 1, 7], &[S(10), X, X], S(18)),
            // Two small cells protect each other.
            (&[10, 1, 2, 7], &[S(10), X, X, S(7)], S(20)),
            // A zero is a count under 3 too.
            (&[0, 4, 9], &[X, X, S(9)], S(13)),
            // A total under 3 is hidden, and so is everything that would give it away.
            (&[1, 1], &[X, X], X),
            (&[2], &[X], X),
            (&[], &[], X),
        ];
        for (counts, cells, total) in cases {
            let table = suppress_one_way(counts);
            assert_eq!(table.cells, *cells, "{counts:?}");
            assert_eq!(table.total, *total, "{counts:?}");
        }
    }

    #[test]
    fn two_way_tables_protect_rows_columns_and_totals() {
        // Nationality by sex. The lone 1 in row one would be its row total minus 20; the lone
        // hidden cell of its column likewise, so a second column and a second row join in.
        let table = suppress_two_way(&[vec![20, 1], vec![9, 8], vec![30, 12]]);
        assert_eq!(
            table.cells,
            [vec![X, X], vec![X, X], vec![S(30), S(12)]],
            "{table:?}"
        );
        assert_eq!(table.row_totals, [S(21), S(17), S(42)]);
        assert_eq!(table.column_totals, [S(59), S(21)]);
        assert_eq!(table.total, S(80));
        assert!(determined_of_two_way(&table).is_empty());
    }

    /// Which hidden cells of a published two-way table the published figures determine.
    fn determined_of_two_way(table: &TwoWayTable) -> Vec<usize> {
        let rows = table.cells.len();
        let columns = table.column_totals.len();
        let mut hidden: Vec<bool> = table
            .cells
            .iter()
            .flatten()
            .map(|c| c.is_suppressed())
            .collect();
        hidden.extend(table.row_totals.iter().map(|c| c.is_suppressed()));
        hidden.extend(table.column_totals.iter().map(|c| c.is_suppressed()));
        hidden.push(table.total.is_suppressed());
        let mut equations = Vec::new();
        for row in 0..rows {
            equations.push(Equation {
                total: rows * columns + row,
                parts: (0..columns).map(|c| row * columns + c).collect(),
            });
        }
        for column in 0..columns {
            equations.push(Equation {
                total: rows * columns + rows + column,
                parts: (0..rows).map(|r| r * columns + column).collect(),
            });
        }
        determined_hidden_values(hidden.len(), &equations, &hidden)
    }

    fn rows(rows: &[(&[&str], u64)]) -> Vec<(Vec<String>, u64)> {
        rows.iter()
            .map(|(values, count)| (values.iter().map(|v| v.to_string()).collect(), *count))
            .collect()
    }

    #[test]
    fn grouped_rows_are_published_with_the_method_their_shape_needs() {
        let by_nationality = publish_rows(
            &rows(&[(&["GT"], 12), (&["HN"], 7), (&["SV"], 9), (&["NI"], 1)]),
            false,
            29,
        );
        let counts: Vec<Published> = by_nationality.rows.iter().map(|r| r.count).collect();
        assert_eq!(counts, [S(12), X, S(9), X]);
        assert_eq!(by_nationality.total, S(29));

        // Overlapping categories: no complement, the primary rule alone.
        let by_method = publish_rows(&rows(&[(&["Threats"], 9), (&["DebtBondage"], 2)]), true, 10);
        let counts: Vec<Published> = by_method.rows.iter().map(|r| r.count).collect();
        assert_eq!(counts, [S(9), X]);
        assert_eq!(by_method.total, S(10));

        // Two dimensions: the missing combination is a zero, listed and hidden; margins published.
        let by_sex_and_nationality = publish_rows(
            &rows(&[
                (&["GT", "Female"], 20),
                (&["GT", "Male"], 5),
                (&["HN", "Female"], 9),
                (&["HN", "Male"], 8),
                (&["SV", "Female"], 4),
            ]),
            false,
            46,
        );
        let shown: Vec<(String, Published)> = by_sex_and_nationality
            .rows
            .iter()
            .map(|r| (r.values.join("/"), r.count))
            .collect();
        assert_eq!(shown.len(), 6);
        assert_eq!(shown[5], ("SV/Male".to_string(), X));
        assert!(shown.iter().filter(|(_, c)| c.is_suppressed()).count() >= 4);
        assert_eq!(by_sex_and_nationality.total, S(46));
        assert_eq!(
            by_sex_and_nationality.first_totals[0],
            ("GT".to_string(), S(25))
        );
    }

    #[test]
    fn published_rows_are_written_as_csv_with_less_than_three() {
        let published = publish_rows(
            &rows(&[(&["GT"], 12), (&["HN, \"norte\""], 7), (&["NI"], 1)]),
            false,
            20,
        );
        assert_eq!(
            published.to_csv(&["nationality"]),
            "nationality,count\nGT,12\n\"HN, \"\"norte\"\"\",<3\nNI,<3\ntotal,20\n"
        );
    }

    #[test]
    fn hidden_counts_serialise_as_null_and_show_as_less_than_three() {
        let table = suppress_one_way(&[12, 1, 7, 9]);
        assert_eq!(
            serde_json::to_string(&table).unwrap(),
            r#"{"cells":[12,null,null,9],"total":29}"#
        );
        let shown: Vec<String> = table.cells.iter().map(|c| c.display()).collect();
        assert_eq!(shown, ["12", "<3", "<3", "9"]);
        assert_eq!(suppress_independent(&[0, 2, 3, 40]), [X, X, S(3), S(40)]);
    }
}
