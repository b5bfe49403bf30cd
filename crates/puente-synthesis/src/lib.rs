//! Synthetic microdata that can be published: differentially private marginals, a synthetic data
//! set fitted to them, a k-anonymised release in the style of the older CTDC Global Dataset, and the
//! total variation distance (TVD) of every marginal for the report. Pure: data in, data and
//! diagnostics out; no I/O.
//!
//! # The method
//! 1. **Marginals** ([`marginals`]). For every set of up to `R` columns (the reporting length,
//!    3 by default), the counts of each combination of values, empty included, measured with the
//!    exact discrete Gaussian of `puente-disclosure`. One record is in one cell of each table, so
//!    the tables of length `k` have a squared L2 sensitivity of `C(m, k)` for `m` columns. The
//!    budget `ρ` (from `ε` and `δ` by the standard zCDP bound, with half of `δ` kept for the values)
//!    is split between the lengths. As in synthetic-data-showcase (SDS), values and combinations
//!    come from the data and must earn their place: a value is kept only when its noisy count
//!    passes a threshold that a single record cannot reach but with probability `δ/2`, and a
//!    combination of length `k` is measured only when all its sub-combinations of length `k - 1`
//!    were kept. Small noisy counts of large tables are dropped (post-processing).
//! 2. **Synthesis** ([`fit`]). Records are drawn from the one-way marginals, then fitted to the
//!    two- and three-way marginals by moving records between cells, duplicating records of cells
//!    that need more and removing records from cells that have too many (the "gradually update"
//!    method of PrivSyn, Zhang et al. 2021), a few passes with a decreasing step. Only the noisy
//!    marginals are read, so the synthetic records carry no more than they do.
//! 3. **Evaluation** ([`evaluate`]). The TVD between the original and the synthetic distribution
//!    of every set of 1, 2 and 3 columns, the worst ones, and the combinations of the original
//!    that the synthetic data lost (suppressed) or that it has and the original has not
//!    (fabricated).

pub mod evaluate;
pub mod fit;
pub mod k_anonymity;
pub mod marginals;

use serde::Serialize;

/// Microdata: named columns and rows of values; the empty string is a missing value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Microdata {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What is wrong with the input or the parameters.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SynthesisError {
    #[error("epsilon must be a positive number, not {0}")]
    EpsilonNotPositive(f64),
    #[error("delta must be between 0 and 1 (exclusive), not {0}")]
    DeltaOutOfRange(f64),
    #[error("the reporting length must be from 1 to {most}, not {given}")]
    ReportingLengthOutOfRange { given: usize, most: usize },
    #[error("no columns to publish")]
    NoColumns,
    #[error("no records to publish")]
    NoRecords,
    #[error("row {row} has {found} values, the header has {expected} columns")]
    RowWidth {
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("column {column} has {values} different values, more than {most}")]
    TooManyValues {
        column: String,
        values: usize,
        most: usize,
    },
    #[error("k must be at least 2, not {0}")]
    KTooSmall(usize),
}

/// The most different values a column may have (codes are 16-bit).
pub const MOST_VALUES_PER_COLUMN: usize = 60_000;

/// Microdata as codes: each column's values numbered in order of first appearance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// The values of each column; the code of a value is its position.
    pub dictionaries: Vec<Vec<String>>,
    /// The codes, column by column: `codes[column][record]`.
    pub codes: Vec<Vec<u16>>,
    pub records: usize,
}

impl Encoded {
    /// The codes of `data`, checking every row's width.
    pub fn from_microdata(data: &Microdata) -> Result<Encoded, SynthesisError> {
        if data.columns.is_empty() {
            return Err(SynthesisError::NoColumns);
        }
        let width = data.columns.len();
        let mut dictionaries: Vec<Vec<String>> = vec![Vec::new(); width];
        let mut lookups: Vec<std::collections::HashMap<&str, u16>> =
            vec![std::collections::HashMap::new(); width];
        let mut codes: Vec<Vec<u16>> = vec![Vec::with_capacity(data.rows.len()); width];
        for (row_index, row) in data.rows.iter().enumerate() {
            if row.len() != width {
                return Err(SynthesisError::RowWidth {
                    row: row_index + 1,
                    expected: width,
                    found: row.len(),
                });
            }
            for (column, value) in row.iter().enumerate() {
                let next = dictionaries[column].len();
                let code = *lookups[column].entry(value.as_str()).or_insert_with(|| {
                    dictionaries[column].push(value.clone());
                    next as u16
                });
                if dictionaries[column].len() > MOST_VALUES_PER_COLUMN {
                    return Err(SynthesisError::TooManyValues {
                        column: data.columns[column].clone(),
                        values: dictionaries[column].len(),
                        most: MOST_VALUES_PER_COLUMN,
                    });
                }
                codes[column].push(code);
            }
        }
        Ok(Encoded {
            dictionaries,
            codes,
            records: data.rows.len(),
        })
    }

    /// The codes of `data` in this encoding's dictionaries (values it has not seen get new codes).
    pub fn encode_alike(&self, data: &Microdata) -> Result<Encoded, SynthesisError> {
        let mut seeded = Microdata {
            columns: data.columns.clone(),
            rows: Vec::with_capacity(self.records + data.rows.len()),
        };
        // Rows made of every known value first, in order, fix the codes; they are dropped after.
        let longest = self.dictionaries.iter().map(Vec::len).max().unwrap_or(0);
        for position in 0..longest {
            seeded.rows.push(
                self.dictionaries
                    .iter()
                    .map(|values| values.get(position).unwrap_or(&values[0]).clone())
                    .collect(),
            );
        }
        seeded.rows.extend(data.rows.iter().cloned());
        let mut encoded = Encoded::from_microdata(&seeded)?;
        for column in &mut encoded.codes {
            column.drain(..longest);
        }
        encoded.records = data.rows.len();
        Ok(encoded)
    }

    pub fn columns(&self) -> usize {
        self.codes.len()
    }

    /// Back to values.
    pub fn decode(&self, columns: &[String]) -> Microdata {
        Microdata {
            columns: columns.to_vec(),
            rows: (0..self.records)
                .map(|record| {
                    (0..self.columns())
                        .map(|column| {
                            self.dictionaries[column][usize::from(self.codes[column][record])]
                                .clone()
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

/// The sets of `length` columns out of `columns`, in lexicographic order.
pub fn column_sets(columns: usize, length: usize) -> Vec<Vec<usize>> {
    let mut sets = Vec::new();
    let mut current: Vec<usize> = (0..length).collect();
    if length == 0 || length > columns {
        return sets;
    }
    loop {
        sets.push(current.clone());
        let mut position = length;
        while position > 0 && current[position - 1] == columns - length + position - 1 {
            position -= 1;
        }
        if position == 0 {
            return sets;
        }
        current[position - 1] += 1;
        for next in position..length {
            current[next] = current[next - 1] + 1;
        }
    }
}

/// `n` choose `k`.
pub fn binomial(n: usize, k: usize) -> u64 {
    if k > n {
        return 0;
    }
    (0..k).fold(1u64, |product, index| {
        product * (n - index) as u64 / (index as u64 + 1)
    })
}

/// The parameters of a differentially private synthesis.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthesisParameters {
    pub epsilon: f64,
    /// `None`: `1 / (n ln n)` for `n` records, as SDS.
    pub delta: Option<f64>,
    pub reporting_length: usize,
    /// The seed of the random source (noise and synthesis); a publication draws it fresh.
    pub seed: [u8; 32],
}

/// A synthetic data set and what was done to make it.
#[derive(Clone, Debug)]
pub struct Synthesis {
    pub data: Microdata,
    pub marginals: marginals::MarginalsReport,
}

/// Differentially private synthetic microdata of `data`.
pub fn synthesize(
    data: &Microdata,
    parameters: &SynthesisParameters,
) -> Result<Synthesis, SynthesisError> {
    let encoded = Encoded::from_microdata(data)?;
    let noisy = marginals::measure(&encoded, parameters)?;
    let synthetic = fit::fit(&noisy, parameters.seed);
    Ok(Synthesis {
        data: synthetic.decode(&data.columns),
        marginals: noisy.report(),
    })
}

/// One marginal's columns by name and its TVD, for reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedMarginal {
    pub columns: Vec<String>,
    pub tvd: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_sets_are_every_combination() {
        assert_eq!(column_sets(4, 2).len(), 6);
        assert_eq!(column_sets(16, 3).len(), 560);
        assert_eq!(column_sets(3, 3), vec![vec![0, 1, 2]]);
        assert_eq!(column_sets(2, 3), Vec::<Vec<usize>>::new());
        assert_eq!(binomial(16, 3), 560);
        assert_eq!(binomial(16, 1), 16);
    }

    #[test]
    fn encoding_round_trips_and_checks_widths() {
        let data = Microdata {
            columns: vec!["a".into(), "b".into()],
            rows: vec![
                vec!["x".into(), "".into()],
                vec!["y".into(), "1".into()],
                vec!["x".into(), "1".into()],
            ],
        };
        let encoded = Encoded::from_microdata(&data).unwrap();
        assert_eq!(encoded.codes, vec![vec![0, 1, 0], vec![0, 1, 1]]);
        assert_eq!(encoded.decode(&data.columns), data);
        let other = Microdata {
            columns: data.columns.clone(),
            rows: vec![vec!["z".into(), "1".into()], vec!["x".into(), "".into()]],
        };
        let alike = encoded.encode_alike(&other).unwrap();
        assert_eq!(alike.codes, vec![vec![2, 0], vec![1, 0]]);
        let short = Microdata {
            columns: data.columns.clone(),
            rows: vec![vec!["x".into()]],
        };
        assert_eq!(
            Encoded::from_microdata(&short),
            Err(SynthesisError::RowWidth {
                row: 1,
                expected: 2,
                found: 1
            })
        );
    }
}
