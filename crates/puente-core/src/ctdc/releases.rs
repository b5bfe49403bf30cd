//! The CTDC releases the importer knows, recognised by their header (`shared/docs/ctdc-releases.md`):
//! the k-anonymised Global Dataset (63 columns from 2020, 58 before), the Global Synthetic Dataset
//! (27 variables) and the Victim-Perpetrator Synthetic Dataset (16 variables, several values in a
//! cell separated by `;`). The synthetic releases are read as tables of text cells, checked column
//! by column; the Global Dataset as [`super::CtdcRecord`]s.

use super::COLUMNS;

/// A CTDC release format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CtdcRelease {
    /// The k-anonymised Global Dataset of 2020 and 2021: the 63 columns.
    GlobalDataset,
    /// The Global Dataset of 2017 to 2019: 58 of the 63 columns.
    GlobalDataset2017,
    /// The Global Synthetic Dataset (2021 to 2025 editions), codebook v2: 27 variables.
    GlobalSynthetic,
    /// The Victim-Perpetrator Synthetic Dataset: 16 variables.
    VictimPerpetratorSynthetic,
}

/// The five columns of the 63 that the 2017 Global Dataset does not have.
pub const ABSENT_BEFORE_2020: [&str; 5] = [
    "isSlaveryAndPractices",
    "meansOfControlConcatenated",
    "typeOfExploitConcatenated",
    "typeOfLabourConcatenated",
    "typeOfSexConcatenated",
];

/// The 27 variables of the Global Synthetic Dataset, in the codebook's order.
pub const GLOBAL_SYNTHETIC_COLUMNS: [&str; 27] = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "citizenship",
    "CountryOfExploitation",
    "traffickMonths",
    "meansDebtBondageEarnings",
    "meansThreats",
    "meansAbusePsyPhySex",
    "meansFalsePromises",
    "meansDrugsAlcohol",
    "meansDenyBasicNeeds",
    "meansExcessiveWorkHours",
    "meansWithholdDocs",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "typeOfLabourAgriculture",
    "typeOfLabourConstruction",
    "typeOfLabourDomesticWork",
    "typeOfLabourHospitality",
    "typeOfSexProstitution",
    "typeOfSexPornography",
    "recruiterRelationIntimatePartner",
    "recruiterRelationFriend",
    "recruiterRelationFamily",
    "recruiterRelationOther",
];

/// The 16 variables of the Victim-Perpetrator Synthetic Dataset.
pub const VICTIM_PERPETRATOR_COLUMNS: [&str; 16] = [
    "yearRegister",
    "gender",
    "majorityStatus",
    "isForcedLabour",
    "isSexualExploit",
    "UN_COO_Region",
    "UN_COE_Region",
    "IP_Exploiter",
    "IP_Gender",
    "IP_ageBroad",
    "IP_citizen_UNRegion",
    "IP_Relation",
    "IP_PayMoney",
    "IP_RecruiterBroker",
    "IP_TransactionProcess",
    "IP_ControlAbuseKidnap",
];

/// The separator of several values in one cell of the Victim-Perpetrator dataset.
pub const MULTI_VALUE_SEPARATOR: char = ';';

impl CtdcRelease {
    pub const ALL: [CtdcRelease; 4] = [
        CtdcRelease::GlobalDataset,
        CtdcRelease::GlobalDataset2017,
        CtdcRelease::GlobalSynthetic,
        CtdcRelease::VictimPerpetratorSynthetic,
    ];

    /// The release's columns, in order.
    pub fn columns(self) -> Vec<&'static str> {
        match self {
            CtdcRelease::GlobalDataset => COLUMNS.iter().map(|(name, _)| *name).collect(),
            CtdcRelease::GlobalDataset2017 => COLUMNS
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| !ABSENT_BEFORE_2020.contains(name))
                .collect(),
            CtdcRelease::GlobalSynthetic => GLOBAL_SYNTHETIC_COLUMNS.to_vec(),
            CtdcRelease::VictimPerpetratorSynthetic => VICTIM_PERPETRATOR_COLUMNS.to_vec(),
        }
    }

    /// A stable identifier, as stored.
    pub fn code(self) -> &'static str {
        match self {
            CtdcRelease::GlobalDataset => "global-dataset",
            CtdcRelease::GlobalDataset2017 => "global-dataset-2017",
            CtdcRelease::GlobalSynthetic => "global-synthetic",
            CtdcRelease::VictimPerpetratorSynthetic => "victim-perpetrator-synthetic",
        }
    }

    pub fn from_code(code: &str) -> Option<CtdcRelease> {
        CtdcRelease::ALL
            .into_iter()
            .find(|release| release.code() == code)
    }

    /// The release as people call it.
    pub fn title(self) -> &'static str {
        match self {
            CtdcRelease::GlobalDataset => "Global Dataset, 2020 and 2021 (63 columns)",
            CtdcRelease::GlobalDataset2017 => "Global Dataset, 2017 to 2019 (58 columns)",
            CtdcRelease::GlobalSynthetic => "Global Synthetic Dataset (27 variables)",
            CtdcRelease::VictimPerpetratorSynthetic => {
                "Victim-Perpetrator Synthetic Dataset (16 variables)"
            }
        }
    }

    /// Whether its records are Global Dataset records (the 63 columns, some possibly absent).
    pub fn is_global_dataset(self) -> bool {
        matches!(
            self,
            CtdcRelease::GlobalDataset | CtdcRelease::GlobalDataset2017
        )
    }

    /// Whether a cell may hold several values separated by `;`.
    pub fn is_multi_valued(self, column: &str) -> bool {
        self == CtdcRelease::VictimPerpetratorSynthetic && column.starts_with("IP_")
    }
}

/// How a header differs from one release's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderDifference {
    pub release: CtdcRelease,
    pub missing: Vec<String>,
    pub unexpected: Vec<String>,
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The release whose columns the header has (in any order; a leading terms-of-use column of older
/// files is allowed before the Global Dataset's), or how the header differs from each release,
/// closest first.
pub fn recognise_release(header: &[&str]) -> Result<CtdcRelease, Vec<HeaderDifference>> {
    let mut differences: Vec<HeaderDifference> = CtdcRelease::ALL
        .into_iter()
        .map(|release| {
            let columns = release.columns();
            let mut names: Vec<&str> = header.to_vec();
            // A first column that is no column of the release is the terms of use.
            if release.is_global_dataset()
                && names.len() == columns.len() + 1
                && !columns.iter().any(|column| same_name(column, names[0]))
            {
                names.remove(0);
            }
            HeaderDifference {
                release,
                missing: columns
                    .iter()
                    .filter(|column| !names.iter().any(|name| same_name(name, column)))
                    .map(|column| column.to_string())
                    .collect(),
                unexpected: names
                    .iter()
                    .filter(|name| !columns.iter().any(|column| same_name(name, column)))
                    .map(|name| name.trim().to_string())
                    .collect(),
            }
        })
        .collect();
    if let Some(found) = differences
        .iter()
        .find(|difference| difference.missing.is_empty() && difference.unexpected.is_empty())
    {
        return Ok(found.release);
    }
    differences.sort_by_key(|difference| difference.missing.len() + difference.unexpected.len());
    Err(differences)
}

/// The differences as a sentence for an error message.
pub fn describe_differences(differences: &[HeaderDifference]) -> String {
    let quote = |names: &[String]| {
        let shown: Vec<String> = names
            .iter()
            .take(8)
            .map(|name| format!("`{name}`"))
            .collect();
        let more = names.len().saturating_sub(8);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    let parts: Vec<String> = differences
        .iter()
        .map(|difference| {
            let mut said = Vec::new();
            if !difference.unexpected.is_empty() {
                said.push(format!(
                    "unknown column(s) {}",
                    quote(&difference.unexpected)
                ));
            }
            if !difference.missing.is_empty() {
                said.push(format!("lacks {}", quote(&difference.missing)));
            }
            format!("{}: {}", difference.release.title(), said.join("; "))
        })
        .collect();
    format!(
        "the header is of no known CTDC release. Against each release it has: {}",
        parts.join(". ")
    )
}

/// Why a cell of a synthetic release is not valid.
pub fn check_synthetic_cell(
    release: CtdcRelease,
    column: &str,
    value: &str,
) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() || value == "-99" {
        return Ok(None);
    }
    let flag = |value: &str| match value {
        "1" | "1.0" => Ok(Some("1".to_string())),
        // A 0 means the same as empty in the synthetic releases.
        "0" | "0.0" => Ok(None),
        _ => Err("a flag must be 1, 0 or empty".to_string()),
    };
    let one_of = |allowed: &[&str]| {
        allowed
            .iter()
            .find(|allowed| allowed.eq_ignore_ascii_case(value))
            .map(|allowed| Some(allowed.to_string()))
            .ok_or_else(|| format!("not one of {}", allowed.join(", ")))
    };
    let year = |value: &str| {
        value
            .parse::<u16>()
            .ok()
            .filter(|year| value.len() == 4 && (1990..=2100).contains(year))
            .ok_or_else(|| "not a year".to_string())
    };
    match release {
        CtdcRelease::GlobalSynthetic => match column {
            "yearOfRegistration" => year(value).map(|year| Some(year.to_string())),
            "gender" => one_of(&["Man", "Woman", "Trans/Transgender/NonConforming"]),
            "ageBroad" => one_of(&[
                "0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+",
            ]),
            "citizenship" | "CountryOfExploitation" => crate::country::Country::parse(value)
                .map(|country| Some(country.alpha_3().to_string()))
                .map_err(|error| error.to_string()),
            "traffickMonths" => one_of(&["0--12 (0-1 yr)", "13--24 (1-2 yrs)", "25+ (2+ yrs)"]),
            _ => flag(value),
        },
        CtdcRelease::VictimPerpetratorSynthetic => match column {
            "yearRegister" => match value.split_once('-') {
                Some((first, last)) => {
                    let (first, last) = (year(first)?, year(last)?);
                    if first > last {
                        Err("a range of years must go forward".to_string())
                    } else {
                        Ok(Some(format!("{first}-{last}")))
                    }
                }
                None => year(value).map(|year| Some(year.to_string())),
            },
            "isForcedLabour" | "isSexualExploit" => flag(value),
            _ => {
                let parts: Vec<&str> = value
                    .split(MULTI_VALUE_SEPARATOR)
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .collect();
                if parts.is_empty() {
                    Ok(None)
                } else if !release.is_multi_valued(column) && parts.len() > 1 {
                    Err("one value only in this column".to_string())
                } else {
                    Ok(Some(parts.join(";")))
                }
            }
        },
        CtdcRelease::GlobalDataset | CtdcRelease::GlobalDataset2017 => Ok(Some(value.to_string())),
    }
}

/// Counts of the rows of a synthetic release grouped by the columns `by` (positions in `columns`),
/// largest first. A row is counted once under each value of a multi-valued cell (and under each
/// combination when several grouping columns are multi-valued).
pub fn count_synthetic_rows(
    release: CtdcRelease,
    columns: &[String],
    rows: &[Vec<Option<String>>],
    by: &[usize],
) -> Vec<(Vec<Option<String>>, u64)> {
    let mut counts: std::collections::HashMap<Vec<Option<String>>, u64> =
        std::collections::HashMap::new();
    for row in rows {
        let keys = crate::case_stats::every_combination(by.iter().map(|index| {
            match row.get(*index).cloned().flatten() {
                Some(text) if release.is_multi_valued(&columns[*index]) => text
                    .split(MULTI_VALUE_SEPARATOR)
                    .map(|part| Some(part.trim().to_string()))
                    .collect(),
                other => vec![other],
            }
        }));
        for key in keys {
            *counts.entry(key).or_insert(0) += 1;
        }
    }
    let mut counted: Vec<(Vec<Option<String>>, u64)> = counts.into_iter().collect();
    counted.sort_by(|a, b| crate::case_stats::largest_first((&a.0, a.1), (&b.0, b.1)));
    counted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_valued_cells_count_under_each_value() {
        let columns: Vec<String> = VICTIM_PERPETRATOR_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect();
        let row = |gender: &str, perpetrators: &str| {
            let mut cells = vec![None; 16];
            cells[1] = Some(gender.to_string());
            cells[8] = (!perpetrators.is_empty()).then(|| perpetrators.to_string());
            cells
        };
        let rows = vec![
            row("Female", "Female;Male"),
            row("Female", "Male"),
            row("Male", ""),
        ];
        let release = CtdcRelease::VictimPerpetratorSynthetic;
        let by_perpetrator = count_synthetic_rows(release, &columns, &rows, &[8]);
        assert_eq!(
            by_perpetrator,
            vec![
                (vec![Some("Male".to_string())], 2),
                (vec![None], 1),
                (vec![Some("Female".to_string())], 1),
            ]
        );
        let by_gender = count_synthetic_rows(release, &columns, &rows, &[1]);
        assert_eq!(by_gender[0], (vec![Some("Female".to_string())], 2));
    }

    #[test]
    fn each_release_is_recognised_by_its_header() {
        for release in CtdcRelease::ALL {
            let columns = release.columns();
            assert_eq!(recognise_release(&columns), Ok(release));
            let mut reversed = columns.clone();
            reversed.reverse();
            assert_eq!(recognise_release(&reversed), Ok(release));
        }
        assert_eq!(CtdcRelease::GlobalDataset2017.columns().len(), 58);
        let mut with_terms = vec!["Terms of use"];
        with_terms.extend(CtdcRelease::GlobalDataset2017.columns());
        assert_eq!(
            recognise_release(&with_terms),
            Ok(CtdcRelease::GlobalDataset2017)
        );
    }

    #[test]
    fn an_unknown_header_says_how_it_differs_from_each_release() {
        let mut columns = GLOBAL_SYNTHETIC_COLUMNS.to_vec();
        columns[1] = "sex";
        let differences = recognise_release(&columns).unwrap_err();
        assert_eq!(differences[0].release, CtdcRelease::GlobalSynthetic);
        assert_eq!(differences[0].missing, vec!["gender".to_string()]);
        assert_eq!(differences[0].unexpected, vec!["sex".to_string()]);
        let sentence = describe_differences(&differences);
        assert!(
            sentence.contains(
                "Global Synthetic Dataset (27 variables): unknown column(s) `sex`; lacks `gender`"
            ),
            "{sentence}"
        );
        assert!(sentence.contains("Victim-Perpetrator"));
    }

    #[test]
    fn synthetic_cells_are_checked_by_column() {
        let check = |release, column, value| check_synthetic_cell(release, column, value);
        use CtdcRelease::{GlobalSynthetic as G, VictimPerpetratorSynthetic as V};
        assert_eq!(check(G, "isForcedLabour", "0"), Ok(None));
        assert_eq!(check(G, "isForcedLabour", "1"), Ok(Some("1".into())));
        assert!(check(G, "isForcedLabour", "yes").is_err());
        assert_eq!(check(G, "citizenship", "gtm"), Ok(Some("GTM".into())));
        assert_eq!(check(G, "ageBroad", "9--17"), Ok(Some("9--17".into())));
        assert!(check(G, "ageBroad", "9-17").is_err());
        assert_eq!(
            check(V, "yearRegister", "2005-2013"),
            Ok(Some("2005-2013".into()))
        );
        assert!(check(V, "yearRegister", "2013-2005").is_err());
        assert_eq!(
            check(V, "IP_Gender", "Female; Male"),
            Ok(Some("Female;Male".into()))
        );
        assert!(check(V, "gender", "Female;Male").is_err());
    }
}
