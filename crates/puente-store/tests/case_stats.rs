//! Dashboard counts: an organisation's cases by each dimension and two by two, computed from the
//! stored cases and referrals, then published through puente-disclosure so that small counts are
//! hidden and cannot be derived from the totals.

use puente_core::domain::{Case, Person, TraffickingEvent};
use puente_core::htcds::{
    ConsentScope, Gender, MethodOfControl, MethodOfRecruitment, ReferralReason,
    TraffickingEventType, TypeOfExploitation,
};
use puente_core::Country;
use puente_disclosure::{publish_rows, Published};
use puente_store::testing::TestStore;
use puente_store::{Actor, NewCase, NewReferral, StatsDimension, StoreError};

struct Counted {
    store: TestStore,
    hotline: i64,
}

fn event(kind: TraffickingEventType, code: &str) -> TraffickingEvent {
    TraffickingEvent {
        kind,
        country: Country::from_alpha_2(code),
        place: None,
        date: None,
        description: None,
    }
}

/// A case: nationality, sex, estimated age, opened on, exploitation types, route countries.
fn case(
    nationality: &str,
    sex: Gender,
    age: u32,
    exploitation: &[TypeOfExploitation],
    route: &[&str],
) -> Case {
    let mut case = Case::new(Person {
        given_name: "Ana".into(),
        surname: "Prueba".into(),
        sex: Some(sex),
        estimated_age: Some(age),
        nationality: Country::from_alpha_2(nationality),
        ..Person::default()
    });
    case.victim.types_of_exploitation = exploitation.to_vec();
    case.victim.recruitment_methods = vec![MethodOfRecruitment::JobOffer];
    case.victim.methods_of_control = vec![MethodOfControl::DebtBondage, MethodOfControl::Threats];
    for (index, code) in route.iter().enumerate() {
        let kind = if index == 0 {
            TraffickingEventType::Recruitment
        } else if index + 1 == route.len() {
            TraffickingEventType::Exploitation
        } else {
            TraffickingEventType::Transit
        };
        case.events.push(event(kind, code));
    }
    case
}

/// Twelve Guatemalan girls and women exploited sexually at home, seven Honduran men in forced
/// labour in the US, one Nicaraguan in Costa Rica.
async fn counted() -> Counted {
    let store = TestStore::open().await;
    let admin = Actor {
        name: "admin@test".into(),
        organisation_id: None,
    };
    let mut organisations = puente_synth::demo::demo_organisations();
    let hotline = store
        .create_organisation(&admin, &organisations.remove(0))
        .await
        .unwrap();
    let mut new_cases = Vec::new();
    for index in 0..12 {
        new_cases.push(NewCase {
            case: case(
                "GT",
                Gender::Female,
                if index < 8 { 15 } else { 22 },
                &[TypeOfExploitation::SexualExploitation],
                &["GT", "GT"],
            ),
            owner_user_id: None,
            opened_on: if index < 5 {
                "2026-09-10"
            } else {
                "2026-10-02"
            }
            .into(),
        });
    }
    for _ in 0..7 {
        new_cases.push(NewCase {
            case: case(
                "HN",
                Gender::Male,
                30,
                &[TypeOfExploitation::ForcedLabour],
                &["HN", "GT", "MX", "US"],
            ),
            owner_user_id: None,
            opened_on: "2026-10-15".into(),
        });
    }
    new_cases.push(NewCase {
        case: case(
            "NI",
            Gender::Female,
            19,
            &[
                TypeOfExploitation::ForcedLabour,
                TypeOfExploitation::SexualExploitation,
            ],
            &["NI", "CR"],
        ),
        owner_user_id: None,
        opened_on: "2026-11-01".into(),
    });
    store
        .create_cases(&admin, hotline, &new_cases)
        .await
        .unwrap();
    Counted { store, hotline }
}

/// The rows as `values joined by "/" = count`.
async fn rows(counted: &Counted, by: &[StatsDimension]) -> Vec<(String, u64)> {
    counted
        .store
        .case_stats(counted.hotline, by)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|row| (row.values.join("/"), row.count))
        .collect()
}

fn expected(rows: &[(&str, u64)]) -> Vec<(String, u64)> {
    rows.iter().map(|(v, c)| (v.to_string(), *c)).collect()
}

#[tokio::test]
async fn cases_are_counted_by_every_dimension() {
    let counted = counted().await;
    use StatsDimension::*;
    let cases: Vec<(StatsDimension, Vec<(String, u64)>)> = vec![
        (Nationality, expected(&[("GT", 12), ("HN", 7), ("NI", 1)])),
        (Sex, expected(&[("Female", 13), ("Male", 7)])),
        (
            Month,
            expected(&[("2026-09", 5), ("2026-10", 14), ("2026-11", 1)]),
        ),
        (
            AgeGroup,
            expected(&[("12-17", 8), ("18-24", 5), ("25-39", 7)]),
        ),
        (
            ExploitationType,
            expected(&[("SexualExploitation", 13), ("ForcedLabour", 8)]),
        ),
        (
            CountryOfExploitation,
            expected(&[("GT", 12), ("US", 7), ("CR", 1)]),
        ),
        (
            Route,
            expected(&[("GT→GT", 12), ("HN→US", 7), ("NI→CR", 1)]),
        ),
        (RecruitmentMethod, expected(&[("JobOffer", 20)])),
        (
            MethodOfControl,
            expected(&[("DebtBondage", 20), ("Threats", 20)]),
        ),
        (ReferralOutcome, expected(&[("not_referred", 20)])),
        (TimeToFirstService, expected(&[("none", 20)])),
    ];
    for (dimension, expected_rows) in cases {
        assert_eq!(
            rows(&counted, &[dimension]).await,
            expected_rows,
            "{dimension:?}"
        );
    }
    let stats = counted
        .store
        .case_stats(counted.hotline, &[Nationality, Sex])
        .await
        .unwrap();
    assert_eq!(stats.cases, 20);
    assert!(!stats.overlapping);
    assert!(
        counted
            .store
            .case_stats(counted.hotline, &[MethodOfControl])
            .await
            .unwrap()
            .overlapping
    );
    for bad in [&[][..], &[Sex, Sex][..]] {
        let error = counted
            .store
            .case_stats(counted.hotline, bad)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    }
    assert_eq!(
        StatsDimension::from_code("country_of_exploitation"),
        Some(CountryOfExploitation)
    );
}

#[tokio::test]
async fn referral_outcomes_and_time_to_first_service_follow_the_referrals() {
    let counted = counted().await;
    let admin = Actor {
        name: "admin@test".into(),
        organisation_id: None,
    };
    let shelter = counted
        .store
        .create_organisation(&admin, &puente_synth::demo::demo_organisations().remove(1))
        .await
        .unwrap();
    let advocate = Actor {
        name: "advocate@hotline.demo".into(),
        organisation_id: Some(counted.hotline),
    };
    let caseworker = Actor {
        name: "caseworker@shelter.demo".into(),
        organisation_id: Some(shelter),
    };
    let ids: Vec<i64> = counted
        .store
        .list_cases(&advocate, counted.hotline, None)
        .await
        .unwrap()
        .iter()
        .map(|summary| summary.id)
        .collect();
    for (index, case_id) in ids.iter().take(3).enumerate() {
        let referral = counted
            .store
            .create_referral(
                &advocate,
                counted.hotline,
                &NewReferral {
                    case_id: *case_id,
                    to_organisation_id: shelter,
                    services: vec![],
                    share: vec![ConsentScope::Identity],
                    consent: true,
                    reason: ReferralReason::AdditionalServicesRequired,
                    urgency: puente_store::ReferralUrgency::Routine,
                    reason_note: None,
                    contact_person: puente_store::ReferralContact::default(),
                },
            )
            .await
            .unwrap();
        if index < 2 {
            counted
                .store
                .accept_referral(&caseworker, shelter, referral.id)
                .await
                .unwrap();
        }
    }
    assert_eq!(
        rows(&counted, &[StatsDimension::ReferralOutcome]).await,
        expected(&[("not_referred", 17), ("accepted", 2), ("pending", 1)])
    );
    // Two referrals were accepted today: their band depends on how long ago the cases were opened,
    // but the bands add up to the 20 cases and 18 cases have no service yet.
    let bands = rows(&counted, &[StatsDimension::TimeToFirstService]).await;
    assert_eq!(bands.iter().map(|(_, count)| count).sum::<u64>(), 20);
    assert_eq!(bands.last().unwrap(), &("none".to_string(), 18));
}

#[tokio::test]
async fn published_statistics_hide_small_counts_and_what_would_reveal_them() {
    let counted = counted().await;
    let stats = counted
        .store
        .case_stats(counted.hotline, &[StatsDimension::Nationality])
        .await
        .unwrap();
    let grouped: Vec<(Vec<String>, u64)> = stats
        .rows
        .iter()
        .map(|row| (row.values.clone(), row.count))
        .collect();
    let published = publish_rows(&grouped, stats.overlapping, stats.cases);
    // The API shape: {"nationality": "GT", "count": 12}, {"nationality": "NI",
    // "count": null, "suppressed": true}.
    assert_eq!(
        published.api_rows(&["nationality"]),
        serde_json::json!([
            {"nationality": "GT", "count": 12},
            {"nationality": "HN", "count": null, "suppressed": true},
            {"nationality": "NI", "count": null, "suppressed": true},
        ])
    );
    // The total is shown, and 20 - 12 leaves HN and NI together, not either alone.
    assert_eq!(published.total, Published::Shown(20));
}

#[tokio::test]
async fn the_demo_volume_adds_up() {
    let store = TestStore::open().await;
    let admin = Actor {
        name: "admin@test".into(),
        organisation_id: None,
    };
    let hotline = store
        .create_organisation(&admin, &puente_synth::demo::demo_organisations().remove(0))
        .await
        .unwrap();
    let today = time::macros::date!(2026 - 11 - 22);
    let cases: Vec<NewCase> = puente_synth::demo::generate_cases(7, 300, today)
        .into_iter()
        .map(|demo| NewCase {
            case: demo.case,
            owner_user_id: None,
            opened_on: demo.opened_on,
        })
        .collect();
    store.create_cases(&admin, hotline, &cases).await.unwrap();
    for dimension in StatsDimension::ALL {
        let stats = store.case_stats(hotline, &[dimension]).await.unwrap();
        let sum: u64 = stats.rows.iter().map(|row| row.count).sum();
        if dimension.is_multi_valued() {
            assert!(sum >= 300, "{dimension:?}: {sum}");
        } else {
            assert_eq!(sum, 300, "{dimension:?}");
        }
    }
    let by_month = store
        .case_stats(hotline, &[StatsDimension::Month])
        .await
        .unwrap();
    let months: Vec<&str> = by_month
        .rows
        .iter()
        .map(|row| row.values[0].as_str())
        .collect();
    let mut sorted = months.clone();
    sorted.sort();
    assert_eq!(months, sorted, "months are listed in order");
}

#[tokio::test]
async fn counts_kept_between_questions_follow_every_change_of_the_cases() {
    let counted = counted().await;
    let by_sex = [StatsDimension::Sex];
    assert_eq!(
        rows(&counted, &by_sex).await,
        [("Female".to_string(), 13), ("Male".to_string(), 7)]
    );
    // Asked again, unchanged: the same answer.
    assert_eq!(rows(&counted, &by_sex).await[1].1, 7);
    let admin = Actor {
        name: "admin@test".into(),
        organisation_id: None,
    };
    // A new case is counted.
    let ids = counted
        .store
        .create_cases(
            &admin,
            counted.hotline,
            &[NewCase {
                case: case("SV", Gender::Male, 40, &[], &["SV"]),
                owner_user_id: None,
                opened_on: "2026-11-20".into(),
            }],
        )
        .await
        .unwrap();
    assert_eq!(rows(&counted, &by_sex).await[1], ("Male".to_string(), 8));
    // An edit is counted: the new case's person is recorded as a woman.
    let stored = counted
        .store
        .case(&admin, counted.hotline, ids[0])
        .await
        .unwrap()
        .unwrap();
    let mut edited = stored.case.clone();
    edited.person.sex = Some(Gender::Female);
    counted
        .store
        .update_case(&admin, counted.hotline, ids[0], stored.version, &edited)
        .await
        .unwrap();
    assert_eq!(
        rows(&counted, &by_sex).await,
        [("Female".to_string(), 14), ("Male".to_string(), 7)]
    );
    // Another question over the same data reads the cases kept and agrees with them.
    let by_nationality = rows(&counted, &[StatsDimension::Nationality]).await;
    assert!(
        by_nationality.contains(&("SV".to_string(), 1)),
        "{by_nationality:?}"
    );
}
