//! Puente's cases as the variables of the CTDC Global Synthetic Dataset (codebook v2, 2024), so
//! that an organisation can publish its own cases in the format CTDC publishes: one row per case,
//! flags `1` or empty, countries as ISO 3166-1 alpha-3, genders and age bands in the codebook's
//! spelling. Only what identifies no one goes in: the year the case was opened, sex, age band,
//! nationality, countries of exploitation and the HTCDS codes of the victim context.

use super::releases::GLOBAL_SYNTHETIC_COLUMNS;
use crate::country::Country;
use crate::domain::VictimContext;
use crate::htcds::{
    Gender, MethodOfControl, RelationshipToTrafficker, TypeOfExploitation, TypeOfLabour,
    TypeOfSexExploitation,
};

/// The de-identified facts of one case that the CTDC variables are made from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaseForRelease {
    /// The year the case was opened (CTDC's year of registration).
    pub year_opened: Option<u16>,
    pub sex: Option<Gender>,
    /// The age at intake, in years.
    pub age_at_intake: Option<u32>,
    pub nationality: Option<Country>,
    /// The countries of the case's exploitation events, in the order of the events.
    pub countries_of_exploitation: Vec<Country>,
    pub victim: VictimContext,
}

/// The CTDC variables a case can be published as: the 2024 Global Synthetic Dataset's, in its
/// order, less `traffickMonths` (a case does not record how long the exploitation lasted), with
/// the Global Dataset's `majorityStatus` after `ageBroad`.
pub fn case_variables() -> Vec<&'static str> {
    let mut variables = Vec::with_capacity(GLOBAL_SYNTHETIC_COLUMNS.len());
    for column in GLOBAL_SYNTHETIC_COLUMNS {
        if column == "traffickMonths" {
            continue;
        }
        variables.push(column);
        if column == "ageBroad" {
            variables.push("majorityStatus");
        }
    }
    variables
}

/// The methods of control each merged means variable of the 2024 codebook stands for (its
/// appendix II).
pub fn means_variable_methods(variable: &str) -> &'static [MethodOfControl] {
    use MethodOfControl as M;
    match variable {
        "meansDebtBondageEarnings" => &[M::DebtBondage, M::TakesEarnings],
        "meansThreats" => &[
            M::Threats,
            M::UsesChildren,
            M::ThreatOfLawEnforcement,
            M::ThreatensChildrenFamily,
        ],
        "meansAbusePsyPhySex" => &[M::PsychologicalAbuse, M::PhysicalAbuse, M::SexualAbuse],
        "meansFalsePromises" => &[M::FalsePromises],
        "meansDrugsAlcohol" => &[M::PsychoactiveSubstances],
        "meansDenyBasicNeeds" => &[
            M::RestrictsFinancialAccess,
            M::RestrictsMovement,
            M::RestrictsMedicalCare,
            M::WithholdsNecessities,
        ],
        "meansExcessiveWorkHours" => &[M::ExcessiveWorkingHours],
        "meansWithholdDocs" => &[M::WithholdsDocuments],
        _ => &[],
    }
}

/// The codebook's age band of an age in years.
pub fn age_band(age: u32) -> &'static str {
    match age {
        0..=8 => "0--8",
        9..=17 => "9--17",
        18..=20 => "18--20",
        21..=23 => "21--23",
        24..=26 => "24--26",
        27..=29 => "27--29",
        30..=38 => "30--38",
        39..=47 => "39--47",
        _ => "48+",
    }
}

fn flag(set: bool) -> String {
    if set { "1" } else { "" }.to_string()
}

/// One case as the values of [`case_variables`], in that order.
pub fn case_release_row(case: &CaseForRelease) -> Vec<String> {
    let victim = &case.victim;
    let exploited = |kinds: &[TypeOfExploitation]| {
        victim
            .types_of_exploitation
            .iter()
            .any(|kind| kinds.contains(kind))
    };
    let labour = |kind: TypeOfLabour| victim.types_of_labour.contains(&kind);
    let sex = |kind: TypeOfSexExploitation| victim.types_of_sex_exploitation.contains(&kind);
    let recruiter = |kinds: &[RelationshipToTrafficker]| {
        victim
            .relationship_to_trafficker
            .iter()
            .any(|relation| kinds.contains(relation))
    };
    case_variables()
        .into_iter()
        .map(|variable| match variable {
            "yearOfRegistration" => case.year_opened.map(|y| y.to_string()).unwrap_or_default(),
            "gender" => match case.sex {
                Some(Gender::Female) => "Woman",
                Some(Gender::Male) => "Man",
                Some(Gender::TransgenderNonConforming) => "Trans/Transgender/NonConforming",
                Some(Gender::Unknown) | None => "",
            }
            .to_string(),
            "ageBroad" => case.age_at_intake.map(age_band).unwrap_or("").to_string(),
            "majorityStatus" => match case.age_at_intake {
                Some(age) if age < 18 => "Minor",
                Some(_) => "Adult",
                None => "",
            }
            .to_string(),
            "citizenship" => case
                .nationality
                .map(|country| country.alpha_3().to_string())
                .unwrap_or_default(),
            "CountryOfExploitation" => case
                .countries_of_exploitation
                .first()
                .map(|country| country.alpha_3().to_string())
                .unwrap_or_default(),
            means if means.starts_with("means") => flag(
                means_variable_methods(means)
                    .iter()
                    .any(|method| victim.methods_of_control.contains(method)),
            ),
            "isForcedLabour" => flag(exploited(&[
                TypeOfExploitation::ForcedLabour,
                TypeOfExploitation::ChildLabour,
            ])),
            "isSexualExploit" => flag(exploited(&[TypeOfExploitation::SexualExploitation])),
            "isOtherExploit" => flag(victim.types_of_exploitation.iter().any(|kind| {
                !matches!(
                    kind,
                    TypeOfExploitation::ForcedLabour
                        | TypeOfExploitation::ChildLabour
                        | TypeOfExploitation::SexualExploitation
                )
            })),
            "typeOfLabourAgriculture" => flag(labour(TypeOfLabour::Agriculture)),
            "typeOfLabourConstruction" => flag(labour(TypeOfLabour::Construction)),
            "typeOfLabourDomesticWork" => flag(labour(TypeOfLabour::DomesticWork)),
            "typeOfLabourHospitality" => flag(labour(TypeOfLabour::Hospitality)),
            "typeOfSexProstitution" => flag(sex(TypeOfSexExploitation::Prostitution)),
            "typeOfSexPornography" => flag(sex(TypeOfSexExploitation::Pornography)),
            "recruiterRelationIntimatePartner" => {
                flag(recruiter(&[RelationshipToTrafficker::IntimatePartner]))
            }
            "recruiterRelationFriend" => {
                flag(recruiter(&[RelationshipToTrafficker::FriendAcquaintance]))
            }
            "recruiterRelationFamily" => {
                flag(recruiter(&[RelationshipToTrafficker::FamilyRelative]))
            }
            "recruiterRelationOther" => flag(recruiter(&[
                RelationshipToTrafficker::Employer,
                RelationshipToTrafficker::Stranger,
                RelationshipToTrafficker::Other,
            ])),
            other => unreachable!("{other} is not a case variable"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(row: &'a [String], variable: &str) -> &'a str {
        let position = case_variables()
            .iter()
            .position(|v| *v == variable)
            .unwrap();
        &row[position]
    }

    #[test]
    fn every_variable_but_the_length_of_trafficking_comes_from_the_codebook() {
        let variables = case_variables();
        assert_eq!(variables.len(), 27);
        let missing: Vec<&str> = GLOBAL_SYNTHETIC_COLUMNS
            .iter()
            .filter(|column| !variables.contains(column))
            .copied()
            .collect();
        assert_eq!(missing, ["traffickMonths"]);
        let added: Vec<&str> = variables
            .iter()
            .filter(|variable| !GLOBAL_SYNTHETIC_COLUMNS.contains(variable))
            .copied()
            .collect();
        assert_eq!(added, ["majorityStatus"]);
    }

    #[test]
    fn a_case_maps_to_the_codebooks_values() {
        let case = CaseForRelease {
            year_opened: Some(2024),
            sex: Some(Gender::Male),
            age_at_intake: Some(16),
            nationality: Country::from_code("HN"),
            countries_of_exploitation: vec![
                Country::from_code("MX").unwrap(),
                Country::from_code("US").unwrap(),
            ],
            victim: VictimContext {
                methods_of_control: vec![
                    MethodOfControl::TakesEarnings,
                    MethodOfControl::ThreatOfLawEnforcement,
                    MethodOfControl::WithholdsDocuments,
                ],
                types_of_exploitation: vec![
                    TypeOfExploitation::ForcedLabour,
                    TypeOfExploitation::ForcedBegging,
                ],
                types_of_labour: vec![TypeOfLabour::Agriculture],
                relationship_to_trafficker: vec![RelationshipToTrafficker::FamilyRelative],
                ..VictimContext::default()
            },
        };
        let row = case_release_row(&case);
        assert_eq!(row.len(), case_variables().len());
        for (variable, expected) in [
            ("yearOfRegistration", "2024"),
            ("gender", "Man"),
            ("ageBroad", "9--17"),
            ("majorityStatus", "Minor"),
            ("citizenship", "HND"),
            ("CountryOfExploitation", "MEX"),
            ("meansDebtBondageEarnings", "1"),
            ("meansThreats", "1"),
            ("meansWithholdDocs", "1"),
            ("meansAbusePsyPhySex", ""),
            ("isForcedLabour", "1"),
            ("isSexualExploit", ""),
            ("isOtherExploit", "1"),
            ("typeOfLabourAgriculture", "1"),
            ("typeOfLabourDomesticWork", ""),
            ("recruiterRelationFamily", "1"),
            ("recruiterRelationFriend", ""),
        ] {
            assert_eq!(value(&row, variable), expected, "{variable}");
        }
    }

    #[test]
    fn a_case_that_records_nothing_is_empty_everywhere() {
        let row = case_release_row(&CaseForRelease::default());
        assert!(row.iter().all(String::is_empty), "{row:?}");
    }

    #[test]
    fn age_bands_follow_the_codebook() {
        for (age, band) in [
            (0, "0--8"),
            (8, "0--8"),
            (9, "9--17"),
            (17, "9--17"),
            (18, "18--20"),
        ]
        .into_iter()
        .chain([
            (29, "27--29"),
            (30, "30--38"),
            (47, "39--47"),
            (48, "48+"),
            (90, "48+"),
        ]) {
            assert_eq!(age_band(age), band, "{age}");
        }
    }
}
