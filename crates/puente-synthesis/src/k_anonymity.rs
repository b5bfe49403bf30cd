//! A k-anonymised release in the style of the older CTDC Global Dataset (k = 11): the records
//! themselves, with values suppressed (made empty) until every combination of the published
//! columns is shared by at least `k` records. Suppression is local: only the records of groups
//! smaller than `k` lose a value, each round in the column where those records differ most.
//! Records still alone when nothing is left to suppress are left out.

use crate::{Microdata, SynthesisError};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, PartialEq)]
pub struct KAnonymised {
    pub data: Microdata,
    pub report: KAnonymityReport,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KAnonymityReport {
    pub k: usize,
    pub records: usize,
    pub suppressed_values: usize,
    pub removed_records: usize,
    /// How many values each column lost, in the order of the columns.
    pub suppressed_by_column: Vec<usize>,
}

pub fn k_anonymise(data: &Microdata, k: usize) -> Result<KAnonymised, SynthesisError> {
    if k < 2 {
        return Err(SynthesisError::KTooSmall(k));
    }
    if data.columns.is_empty() {
        return Err(SynthesisError::NoColumns);
    }
    for (index, row) in data.rows.iter().enumerate() {
        if row.len() != data.columns.len() {
            return Err(SynthesisError::RowWidth {
                row: index + 1,
                expected: data.columns.len(),
                found: row.len(),
            });
        }
    }
    let mut rows = data.rows.clone();
    let mut keep = vec![true; rows.len()];
    let mut suppressed_by_column = vec![0usize; data.columns.len()];
    loop {
        let mut groups: HashMap<&[String], usize> = HashMap::new();
        for (row, kept) in rows.iter().zip(&keep) {
            if *kept {
                *groups.entry(row.as_slice()).or_insert(0) += 1;
            }
        }
        let offending: Vec<usize> = (0..rows.len())
            .filter(|index| keep[*index] && groups[rows[*index].as_slice()] < k)
            .collect();
        if offending.is_empty() {
            break;
        }
        let column = (0..data.columns.len())
            .map(|column| {
                let values: HashSet<&str> = offending
                    .iter()
                    .map(|index| rows[*index][column].as_str())
                    .filter(|value| !value.is_empty())
                    .collect();
                let filled = offending
                    .iter()
                    .filter(|index| !rows[**index][column].is_empty())
                    .count();
                (values.len(), filled, std::cmp::Reverse(column))
            })
            .enumerate()
            .filter(|(_, (_, filled, _))| *filled > 0)
            .max_by_key(|(_, score)| *score)
            .map(|(column, _)| column);
        match column {
            Some(column) => {
                for index in &offending {
                    if !rows[*index][column].is_empty() {
                        rows[*index][column].clear();
                        suppressed_by_column[column] += 1;
                    }
                }
            }
            None => {
                for index in offending {
                    keep[index] = false;
                }
            }
        }
    }
    let removed_records = keep.iter().filter(|kept| !**kept).count();
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .zip(keep)
        .filter_map(|(row, kept)| kept.then_some(row))
        .collect();
    Ok(KAnonymised {
        report: KAnonymityReport {
            k,
            records: rows.len(),
            suppressed_values: suppressed_by_column.iter().sum(),
            removed_records,
            suppressed_by_column,
        },
        data: Microdata {
            columns: data.columns.clone(),
            rows,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_combination_is_shared_by_k_records() {
        let mut rows = Vec::new();
        for index in 0..60 {
            rows.push(vec![
                ["GT", "HN", "SV"][index % 3].to_string(),
                if index % 7 == 0 { "Man" } else { "Woman" }.to_string(),
                format!("{}", 2015 + index % 5),
            ]);
        }
        rows.push(vec!["PA".into(), "Man".into(), "2019".into()]);
        let data = Microdata {
            columns: vec!["citizenship".into(), "gender".into(), "year".into()],
            rows,
        };
        let released = k_anonymise(&data, 11).unwrap();
        let mut groups: HashMap<&Vec<String>, usize> = HashMap::new();
        for row in &released.data.rows {
            *groups.entry(row).or_insert(0) += 1;
        }
        assert!(groups.values().all(|size| *size >= 11), "{groups:?}");
        assert!(released.report.suppressed_values > 0);
        assert_eq!(
            released.report.records + released.report.removed_records,
            data.rows.len()
        );
        assert!(!released.data.rows.iter().any(|row| row[0] == "PA"));
        assert_eq!(k_anonymise(&data, 1), Err(SynthesisError::KTooSmall(1)));
    }
}
