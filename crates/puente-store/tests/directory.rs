//! The service directory in the store: loading the demo directory, searching it by need, country,
//! place, age, sex and language, suggestions from a real screening's next steps, and hotlines.

use puente_core::htcds::{Gender, SupportType};
use puente_core::{Country, Lang};
use puente_directory::{needs_from_next_steps, PersonProfile, ServiceQuery};
use puente_store::testing::TestStore;
use puente_store::{Actor, AuditQuery, StoreError};

async fn store_with_demo_directory() -> TestStore {
    let store = TestStore::open().await;
    store
        .load_directory(&admin(), &puente_synth::directory::demo_directory())
        .await
        .unwrap();
    store
}

fn admin() -> Actor {
    Actor {
        name: "admin@test".into(),
        organisation_id: None,
    }
}

fn country(code: &str) -> Option<Country> {
    Country::from_alpha_2(code)
}

#[tokio::test]
async fn loading_the_directory_twice_creates_nothing_new() {
    let store = store_with_demo_directory().await;
    let directory = puente_synth::directory::demo_directory();
    let again = store.load_directory(&admin(), &directory).await.unwrap();
    assert_eq!(again.organisations_created, 0);
    assert_eq!(again.services_saved, directory.services.len() as u64);
    assert_eq!(
        store.services().await.unwrap().len(),
        directory.services.len()
    );
    let imports = store
        .audit_entries(&AuditQuery {
            record_type: Some("directory".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(imports.len(), 2);
}

/// Searches the directory and returns the matching services' slugs, best first.
async fn search(store: &TestStore, query: ServiceQuery) -> Vec<String> {
    store
        .search_services(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|found| found.service.slug)
        .collect()
}

#[tokio::test]
async fn search_by_need_country_age_sex_place_and_language() {
    let store = store_with_demo_directory().await;
    let shelter = |code: &str, age: u32, sex: Gender| ServiceQuery {
        need: Some(SupportType::Accommodation),
        country: country(code),
        age: Some(age),
        sex: Some(sex),
        ..ServiceQuery::default()
    };
    let cases: Vec<(ServiceQuery, Vec<&str>)> = vec![
        // The demo's story: a 15-year-old Guatemalan girl finds the demo shelter first.
        (
            shelter("GT", 15, Gender::Female),
            vec!["shelter-demo-casa-ninas", "hogar-proteccion-gt-demo-hogar"],
        ),
        (
            shelter("GT", 30, Gender::Female),
            vec!["refugio-quetzal-demo-albergue"],
        ),
        // The gaps: no shelter for an adult man in Guatemala, none for a boy in Honduras.
        (shelter("GT", 30, Gender::Male), vec![]),
        (shelter("HN", 15, Gender::Male), vec![]),
        (
            shelter("MX", 30, Gender::Male),
            vec!["casa-migrante-demo-albergue"],
        ),
        // Place ranks: a clinic in Tijuana before one in Tapachula for someone in Tijuana.
        (
            ServiceQuery {
                need: Some(SupportType::Health),
                country: country("MX"),
                place: Some("Tijuana".into()),
                age: Some(30),
                ..ServiceQuery::default()
            },
            vec!["salud-frontera-demo-clinica", "casa-migrante-demo-salud"],
        ),
        // Language ranks: the clinic that speaks Mam first for a Mam speaker.
        (
            ServiceQuery {
                need: Some(SupportType::Health),
                country: country("GT"),
                languages: vec!["mam".into()],
                ..ServiceQuery::default()
            },
            vec!["clinica-altiplano-demo-clinica"],
        ),
        (
            ServiceQuery {
                need: Some(SupportType::ImmigrationRelief),
                country: country("US"),
                ..ServiceQuery::default()
            },
            vec!["immigrant-justice-demo-t-visa"],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(search(&store, query.clone()).await, expected, "{query:?}");
    }
    let found = store
        .search_services(&shelter("GT", 15, Gender::Female))
        .await
        .unwrap();
    let demo_shelter = store
        .organisation_by_slug("shelter-demo")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(found[0].organisation_id, demo_shelter);
    let reasons: Vec<String> = found[0].reasons.iter().map(|r| r.label(Lang::Es)).collect();
    assert!(
        reasons.contains(&"Especializado en víctimas de trata".to_string()),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn suggestions_follow_a_real_screening_of_the_demo_girl() {
    let store = store_with_demo_directory().await;
    let input = puente_screening::ScreeningInput::from_json(
        r#"{"person": {"age": 15, "sex": "F", "nationality": "GT", "current_country": "GT"},
            "facts": ["act_recruited", "means_deception", "means_restricts_movement",
                      "activity_commercial_sex", "means_sexual_violence"]}"#,
    )
    .unwrap();
    for lang in Lang::ALL {
        let result = puente_screening::screen(&input, lang);
        let needs = needs_from_next_steps(&result.next_steps);
        // The engine's own needs per step, and what reading its text back gives, agree.
        assert_eq!(result.support_needs(), needs, "{lang:?}");
        assert_eq!(result.next_step_needs.len(), result.next_steps.len());
        let stored = serde_json::to_value(&result).unwrap();
        assert_eq!(
            puente_directory::needs_from_screening_result(&stored),
            needs
        );
        let read_back: puente_screening::ScreeningResult = serde_json::from_value(stored).unwrap();
        assert_eq!(read_back, result);
        assert_eq!(
            needs,
            [
                SupportType::SocialCare,
                SupportType::Accommodation,
                SupportType::Health,
                SupportType::Psychosocial,
                SupportType::Legal
            ],
            "{lang:?}: {:?}",
            result.next_steps
        );
        let profile = PersonProfile {
            age: Some(15),
            sex: Some(Gender::Female),
            country: country("GT"),
            ..PersonProfile::default()
        };
        let suggestions = store.suggest_services(&profile, &needs).await.unwrap();
        let shelter = suggestions
            .iter()
            .find(|s| s.need == SupportType::Accommodation)
            .unwrap();
        assert_eq!(shelter.matches[0].service.slug, "shelter-demo-casa-ninas");
    }
}

#[tokio::test]
async fn every_referral_the_screening_engine_writes_names_a_need() {
    // If the engine's wording changes, the needs read back from stored next steps must follow:
    // every step that refers somewhere ("Derivar", "Refer", protection, return) is recognised.
    let inputs = [
        r#"{"person": {"age": 16, "current_country": "US", "nationality": "HN"},
            "facts": ["act_recruited", "means_physical_violence", "activity_labour", "cond_cannot_leave",
                      "urgent_medical_need", "urgent_self_harm_risk", "migr_crossed_border"]}"#,
        r#"{"person": {"age": 30, "current_country": "MX", "nationality": "GT"},
            "facts": ["migr_crossed_border", "migr_paid_smuggler", "migr_irregular_entry"]}"#,
        r#"{"person": {"age": 25, "current_country": "GT", "nationality": "GT"},
            "facts": ["act_recruited", "means_debt_bondage", "activity_labour", "cond_little_or_no_pay"]}"#,
    ];
    for text in inputs {
        let input = puente_screening::ScreeningInput::from_json(text).unwrap();
        for lang in Lang::ALL {
            let result = puente_screening::screen(&input, lang);
            assert_eq!(
                result.support_needs(),
                needs_from_next_steps(&result.next_steps),
                "{lang:?}: the needs the engine gives and its wording agree"
            );
            for step in &result.next_steps {
                let refers = [
                    "Derivar",
                    "Refer",
                    "Protección",
                    "Child protection",
                    "Immigration relief",
                    "International protection",
                    "Retorno",
                    "Safe, voluntary return",
                ]
                .iter()
                .any(|beginning| step.starts_with(beginning));
                if refers {
                    assert_eq!(
                        needs_from_next_steps(&[step]).len(),
                        1,
                        "not recognised: {step}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn hotlines_come_from_the_directory_by_country() {
    let store = store_with_demo_directory().await;
    let guatemala = store.hotlines(country("GT")).await.unwrap();
    assert_eq!(guatemala.len(), 1);
    assert_eq!(guatemala[0].phone, "+502 2200 0000");
    assert_eq!(store.hotlines(None).await.unwrap().len(), 5);
    assert!(store.hotlines(country("US")).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_gap_report_shows_men_boys_and_rural_areas_from_the_stored_directory() {
    let store = store_with_demo_directory().await;
    let countries: Vec<Country> = ["GT", "HN", "SV", "MX", "CR", "PA", "US"]
        .iter()
        .filter_map(|code| Country::from_alpha_2(code))
        .collect();
    let gaps = store.service_gaps(&countries).await.unwrap();
    let men_without_shelter: Vec<&str> = gaps
        .iter()
        .filter(|gap| {
            gap.need == SupportType::Accommodation
                && gap.population == puente_directory::Population::Men
        })
        .map(|gap| gap.country.alpha_2())
        .collect();
    assert_eq!(men_without_shelter, ["GT", "HN", "SV", "CR", "PA", "US"]);
    assert!(gaps.iter().any(|gap| gap.description(Lang::Es)
        == "Honduras: ningún servicio de albergue para niños y adolescentes varones"));
}

#[tokio::test]
async fn services_are_checked_saved_and_removed_with_audit() {
    let store = store_with_demo_directory().await;
    let mut service = puente_synth::directory::directory_services().remove(0);
    service.organisation = "no-such-organisation".into();
    let error = store.save_service(&admin(), &service).await.unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    assert!(error.to_string().contains("does not exist"), "{error}");

    let mut service = puente_synth::directory::directory_services().remove(1);
    service.min_age = Some(18);
    service.max_age = Some(12);
    let error = store.save_service(&admin(), &service).await.unwrap_err();
    assert!(error.to_string().contains("above the oldest"), "{error}");

    service.max_age = Some(25);
    let id = store.save_service(&admin(), &service).await.unwrap();
    assert_eq!(
        store.service(id).await.unwrap().unwrap().service.min_age,
        Some(18)
    );
    let organisation_id = store.service(id).await.unwrap().unwrap().organisation_id;
    assert_eq!(
        store
            .remove_service(&admin(), organisation_id + 1, id)
            .await
            .unwrap_err()
            .to_string(),
        format!("service {id} not found")
    );
    store
        .remove_service(&admin(), organisation_id, id)
        .await
        .unwrap();
    assert!(store.service(id).await.unwrap().is_none());
    let actions: Vec<String> = store
        .audit_entries(&AuditQuery {
            record_type: Some("service".into()),
            record_id: Some(id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(actions, ["update", "delete"]);
}
