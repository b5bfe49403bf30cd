//! The perpetrators of demo cases, with the names, aliases and phones a survivor might give: each
//! case's perpetrators (the roles `demo` gives them) get fictional names from the weighted lists,
//! and one recruiter, "El Chino", appears in three cases of the organisation, spelt differently in
//! each, so that the linkage across cases has someone to find. Deterministic for a seed; never a
//! real person (the phones are in ranges no operator assigns in the demo's countries).

use puente_core::domain::Case;
use puente_core::htcds::{Gender, PerpetratorRole};
use puente_core::Country;
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;

use crate::names::{FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, SURNAMES};

/// A perpetrator of a demo case, as the case worker recorded them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoPerpetrator {
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub alias: Option<String>,
    pub sex: Option<Gender>,
    pub nationality: Option<Country>,
    pub phone: Option<String>,
    pub birth_year: Option<i32>,
    pub roles: Vec<PerpetratorRole>,
}

/// The recruiter who appears in three cases, as each case worker wrote him.
pub const RECURRING_RECRUITER_SPELLINGS: [(&str, &str); 3] = [
    ("José Luis", "Hernández Pérez"),
    ("Jose Luis", "Hernandez"),
    ("J. Luis", "Hernández P."),
];

/// The recurring recruiter's alias.
pub const RECURRING_RECRUITER_ALIAS: &str = "El Chino";

fn weighted(rng: &mut ChaCha8Rng, items: &[(&'static str, u32)]) -> &'static str {
    let index =
        WeightedIndex::new(items.iter().map(|(_, weight)| *weight)).expect("weights are positive");
    items[index.sample(rng)].0
}

/// A fictional phone of the country: the national number begins with a digit no operator uses
/// there for mobiles (a 1 in Central America, 55 01 in Mexico), so it can never reach anyone.
fn fictional_phone(rng: &mut ChaCha8Rng, country: Option<Country>) -> String {
    let digits: u32 = rng.gen_range(100_000..999_999);
    match country.map(|c| c.alpha_2()) {
        Some("MX") => format!("+52 55 01{digits}"),
        Some("US") => format!("+1 713 555 0{}", digits % 1000),
        _ => format!("+502 1{digits}1"),
    }
}

/// The perpetrators of each case (in the order of `cases`): one record per perpetrator of the
/// case, named; the recurring recruiter replaces the recruiter of three labour or sexual
/// exploitation cases spread over the list.
pub fn generate_perpetrators(seed: u64, cases: &[Case], year: i32) -> Vec<Vec<DemoPerpetrator>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0000_9e59);
    let recruited: Vec<usize> = cases
        .iter()
        .enumerate()
        .filter(|(_, case)| {
            case.perpetrators
                .iter()
                .any(|p| p.roles.contains(&PerpetratorRole::RecruiterOrIntermediary))
        })
        .map(|(index, _)| index)
        .collect();
    // Three cases spread over the list: the first, one in the middle, one near the end.
    let recurring: Vec<usize> = if recruited.len() >= 3 {
        vec![
            recruited[0],
            recruited[recruited.len() / 2],
            recruited[recruited.len() - 1],
        ]
    } else {
        Vec::new()
    };
    let recruiter_country = Country::from_alpha_2("GT");
    let recruiter_phone = "+502 1234 5671".to_string();
    cases
        .iter()
        .enumerate()
        .map(|(index, case)| {
            case.perpetrators
                .iter()
                .map(|perpetrator| {
                    let recruiter = perpetrator
                        .roles
                        .contains(&PerpetratorRole::RecruiterOrIntermediary);
                    if let (true, Some(place)) =
                        (recruiter, recurring.iter().position(|&i| i == index))
                    {
                        let (given, surname) = RECURRING_RECRUITER_SPELLINGS[place];
                        return DemoPerpetrator {
                            given_name: Some(given.to_string()),
                            surname: Some(surname.to_string()),
                            alias: (place != 2).then(|| RECURRING_RECRUITER_ALIAS.to_string()),
                            sex: Some(Gender::Male),
                            nationality: recruiter_country,
                            phone: (place != 1).then(|| recruiter_phone.clone()),
                            birth_year: None,
                            roles: perpetrator.roles.clone(),
                        };
                    }
                    let sex = if rng.gen_bool(0.7) {
                        Gender::Male
                    } else {
                        Gender::Female
                    };
                    let list = if sex == Gender::Male {
                        MALE_GIVEN_NAMES
                    } else {
                        FEMALE_GIVEN_NAMES
                    };
                    let nationality = perpetrator.nationality;
                    DemoPerpetrator {
                        given_name: rng
                            .gen_bool(0.8)
                            .then(|| weighted(&mut rng, list).to_string()),
                        surname: Some(format!(
                            "{} {}",
                            weighted(&mut rng, SURNAMES),
                            weighted(&mut rng, SURNAMES)
                        )),
                        alias: None,
                        sex: Some(sex),
                        nationality,
                        phone: rng
                            .gen_bool(0.4)
                            .then(|| fictional_phone(&mut rng, nationality)),
                        birth_year: rng.gen_bool(0.5).then(|| year - rng.gen_range(22..60)),
                        roles: perpetrator.roles.clone(),
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_recruiter_appears_in_three_cases_spelt_three_ways() {
        let cases: Vec<Case> = crate::demo::generate_cases(1, 40, date!(2026 - 12 - 01))
            .into_iter()
            .map(|demo| demo.case)
            .collect();
        let perpetrators = generate_perpetrators(1, &cases, 2026);
        assert_eq!(perpetrators.len(), cases.len());
        let spellings: Vec<(usize, String)> = perpetrators
            .iter()
            .enumerate()
            .flat_map(|(index, list)| {
                list.iter()
                    .filter(|p| {
                        p.surname.as_deref().is_some_and(|s| {
                            s.starts_with("Hern")
                                && p.given_name.as_deref().is_some_and(|g| g.contains("Luis"))
                        })
                    })
                    .map(move |p| (index, p.surname.clone().unwrap()))
            })
            .collect();
        assert_eq!(spellings.len(), 3, "{spellings:?}");
        let distinct: std::collections::BTreeSet<usize> =
            spellings.iter().map(|(index, _)| *index).collect();
        assert_eq!(distinct.len(), 3);
        // The same seed gives the same perpetrators.
        assert_eq!(perpetrators, generate_perpetrators(1, &cases, 2026));
        assert!(perpetrators.iter().flatten().all(|p| !p.roles.is_empty()));
    }
}
