//! Likely duplicate persons: the records compared stay inside one organisation, merged persons
//! leave the comparison with their cases moved and their history kept, distinct pairs are
//! remembered, and all of it is audited.

use puente_core::domain::{Case, Person};
use puente_store::testing::TestStore;
use puente_store::{Actor, AuditQuery, NewCase, StoreError};

struct World {
    store: TestStore,
    hotline: i64,
    shelter: i64,
    supervisor: Actor,
}

async fn world() -> World {
    let store = TestStore::open().await;
    let admin = Actor {
        name: "admin@test".into(),
        organisation_id: None,
    };
    let mut ids = Vec::new();
    for organisation in puente_synth::demo::demo_organisations() {
        ids.push(
            store
                .create_organisation(&admin, &organisation)
                .await
                .unwrap(),
        );
    }
    World {
        store,
        hotline: ids[0],
        shelter: ids[1],
        supervisor: Actor {
            name: "supervisor@hotline.demo".into(),
            organisation_id: Some(ids[0]),
        },
    }
}

async fn case_of(world: &World, organisation_id: i64, given: &str, surname: &str) -> i64 {
    let case = Case::new(Person {
        given_name: given.into(),
        surname: surname.into(),
        date_of_birth: Some("1990-05-12".parse().unwrap()),
        ..Person::default()
    });
    world
        .store
        .create_cases(
            &world.supervisor,
            organisation_id,
            &[NewCase {
                case,
                owner_user_id: None,
                opened_on: "2026-11-01".into(),
            }],
        )
        .await
        .unwrap()[0]
}

async fn person_of(world: &World, organisation_id: i64, case_id: i64) -> i64 {
    world
        .store
        .case(&world.supervisor, organisation_id, case_id)
        .await
        .unwrap()
        .unwrap()
        .person_id
}

#[tokio::test]
async fn only_the_organisations_own_live_persons_are_compared_and_the_check_is_audited() {
    let world = world().await;
    let first = case_of(&world, world.hotline, "María José", "Hernández").await;
    case_of(&world, world.shelter, "María", "Hernández").await;
    let persons = world
        .store
        .persons_to_compare(&world.supervisor, world.hotline)
        .await
        .unwrap();
    assert_eq!(persons.len(), 1, "{persons:?}");
    assert_eq!(persons[0].given_names(), "María José");
    assert_eq!(persons[0].cases[0].case_id, first);
    let entries = world
        .store
        .audit_entries(&AuditQuery {
            organisation_id: Some(world.hotline),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(entries.iter().any(|e| e.action == "duplicate_check"));
}

#[tokio::test]
async fn a_merge_keeps_the_merged_record_moves_its_cases_and_keeps_their_history() {
    let world = world().await;
    let kept_case = case_of(&world, world.hotline, "María José", "Hernández López").await;
    let merged_case = case_of(&world, world.hotline, "Maria", "Hernandez").await;
    let kept = person_of(&world, world.hotline, kept_case).await;
    let merged = person_of(&world, world.hotline, merged_case).await;
    let before = world
        .store
        .case_history(world.hotline, merged_case)
        .await
        .unwrap()
        .len();
    let outcome = world
        .store
        .merge_persons(&world.supervisor, world.hotline, merged, kept, &[])
        .await
        .unwrap();
    assert_eq!(outcome.moved_cases, vec![merged_case]);
    assert_eq!(person_of(&world, world.hotline, merged_case).await, kept);
    let history = world
        .store
        .case_history(world.hotline, merged_case)
        .await
        .unwrap();
    assert_eq!(history.len(), before + 1);
    // The merged record leaves the comparison, and cannot be merged again.
    let persons = world
        .store
        .persons_to_compare(&world.supervisor, world.hotline)
        .await
        .unwrap();
    assert_eq!(persons.len(), 1);
    assert_eq!(persons[0].cases.len(), 2);
    assert!(matches!(
        world
            .store
            .merge_persons(&world.supervisor, world.hotline, merged, kept, &[])
            .await,
        Err(StoreError::Conflict(_))
    ));
    let entries = world
        .store
        .audit_entries(&AuditQuery {
            organisation_id: Some(world.hotline),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let merges: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "person_merge")
        .collect();
    // Both cases (the kept record's and the moved one) get a new version, each audited.
    assert_eq!(
        merges.len(),
        4,
        "one per case of either record and one per person"
    );
}

#[tokio::test]
async fn distinct_pairs_are_remembered_and_another_organisations_persons_are_out_of_reach() {
    let world = world().await;
    let a = person_of(
        &world,
        world.hotline,
        case_of(&world, world.hotline, "Ana", "López").await,
    )
    .await;
    let b = person_of(
        &world,
        world.hotline,
        case_of(&world, world.hotline, "Ana", "Lopez").await,
    )
    .await;
    let elsewhere = person_of(
        &world,
        world.shelter,
        case_of(&world, world.shelter, "Ana", "López").await,
    )
    .await;
    world
        .store
        .mark_persons_distinct(&world.supervisor, world.hotline, b, a)
        .await
        .unwrap();
    // Marking again changes nothing.
    world
        .store
        .mark_persons_distinct(&world.supervisor, world.hotline, a, b)
        .await
        .unwrap();
    assert_eq!(
        world.store.distinct_pairs(world.hotline).await.unwrap(),
        vec![(a.min(b), a.max(b))]
    );
    assert!(world
        .store
        .distinct_pairs(world.shelter)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        world
            .store
            .merge_persons(&world.supervisor, world.hotline, elsewhere, a, &[])
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        world
            .store
            .mark_persons_distinct(&world.supervisor, world.hotline, a, elsewhere)
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Two records of one person that each hold something the other lacks.
fn jorge_full() -> Person {
    Person {
        given_name: "Jorge".into(),
        middle_name: Some("José".into()),
        surname: "Hernández".into(),
        second_surname: Some("Díaz".into()),
        alias: Some("Chepe".into()),
        sex: Some(puente_core::htcds::Gender::Male),
        date_of_birth: Some("1990-05-12".parse().unwrap()),
        nationality: puente_core::Country::from_alpha_2("HN"),
        languages: vec!["Español".into()],
        current_country: puente_core::Country::from_alpha_2("HN"),
        current_place: Some("Choluteca".into()),
        ..Person::default()
    }
}

fn jorge_sparse() -> Person {
    Person {
        given_name: "Jorge".into(),
        surname: "Hernandez".into(),
        second_surname: Some("Diaz".into()),
        estimated_age: Some(36),
        phone: Some(puente_core::domain::PhoneNumber::parse("+504 9999 0101", None).unwrap()),
        current_place: Some("San Pedro Sula".into()),
        ..Person::default()
    }
}

async fn case_with(world: &World, person: Person) -> i64 {
    world
        .store
        .create_cases(
            &world.supervisor,
            world.hotline,
            &[NewCase {
                case: Case::new(person),
                owner_user_id: None,
                opened_on: "2026-11-01".into(),
            }],
        )
        .await
        .unwrap()[0]
}

#[tokio::test]
async fn a_merge_loses_no_value_and_its_undo_gives_both_records_back_field_by_field() {
    use puente_core::person_merge::{FieldChoice, MergeSide, PersonField};
    let world = world().await;
    let full_case = case_with(&world, jorge_full()).await;
    // The sparse record is the newer one, and it is the one kept.
    let sparse_case = case_with(&world, jorge_sparse()).await;
    let full = person_of(&world, world.hotline, full_case).await;
    let sparse = person_of(&world, world.hotline, sparse_case).await;
    let full_history = world
        .store
        .case_history(world.hotline, full_case)
        .await
        .unwrap()
        .len();

    // The supervisor picks the older record's place; every other field takes its preset.
    let outcome = world
        .store
        .merge_persons(
            &world.supervisor,
            world.hotline,
            full,
            sparse,
            &[FieldChoice {
                field: PersonField::CurrentPlace,
                side: MergeSide::Merged,
            }],
        )
        .await
        .unwrap();
    assert_eq!(outcome.moved_cases, vec![full_case]);
    let expected = Person {
        estimated_age: Some(36),
        phone: jorge_sparse().phone,
        ..jorge_full()
    };
    assert_eq!(outcome.person, expected);
    for case_id in [full_case, sparse_case] {
        let stored = world
            .store
            .case(&world.supervisor, world.hotline, case_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.person_id, sparse);
        assert_eq!(stored.case.person, expected, "case {case_id}");
    }
    // Every value stays: both records as they were are kept with the merge, and the case's
    // history holds its version before the merge.
    let merge = world
        .store
        .person_merge(world.hotline, outcome.merge_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(merge.kept_before, jorge_sparse());
    assert_eq!(merge.merged_before, jorge_full());
    let history = world
        .store
        .case_history(world.hotline, full_case)
        .await
        .unwrap();
    assert_eq!(history.len(), full_history + 1);
    // Another organisation sees no merge.
    assert!(world
        .store
        .person_merge(world.shelter, outcome.merge_id)
        .await
        .unwrap()
        .is_none());

    // Undone: both records and both cases are as before, field by field.
    let undone = world
        .store
        .undo_person_merge(&world.supervisor, world.hotline, outcome.merge_id)
        .await
        .unwrap();
    assert_eq!(undone.moved_back, vec![full_case]);
    for (case_id, person_id, person) in [
        (full_case, full, jorge_full()),
        (sparse_case, sparse, jorge_sparse()),
    ] {
        let stored = world
            .store
            .case(&world.supervisor, world.hotline, case_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.person_id, person_id);
        assert_eq!(stored.case.person, person, "case {case_id}");
    }
    let persons = world
        .store
        .persons_to_compare(&world.supervisor, world.hotline)
        .await
        .unwrap();
    assert_eq!(persons.len(), 2, "both records are live again");
    // Not twice.
    assert!(matches!(
        world
            .store
            .undo_person_merge(&world.supervisor, world.hotline, outcome.merge_id)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let entries = world
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("person".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(entries
        .iter()
        .any(|entry| entry.action == "person_merge_undo"));
}

#[tokio::test]
async fn a_merge_is_not_undone_once_the_kept_record_changed() {
    let world = world().await;
    let full_case = case_with(&world, jorge_full()).await;
    let sparse_case = case_with(&world, jorge_sparse()).await;
    let full = person_of(&world, world.hotline, full_case).await;
    let sparse = person_of(&world, world.hotline, sparse_case).await;
    let outcome = world
        .store
        .merge_persons(&world.supervisor, world.hotline, full, sparse, &[])
        .await
        .unwrap();
    let stored = world
        .store
        .case(&world.supervisor, world.hotline, sparse_case)
        .await
        .unwrap()
        .unwrap();
    let mut edited = stored.case.clone();
    edited.person.current_place = Some("Tegucigalpa".into());
    world
        .store
        .update_case(
            &world.supervisor,
            world.hotline,
            sparse_case,
            stored.version,
            &edited,
        )
        .await
        .unwrap();
    let error = world
        .store
        .undo_person_merge(&world.supervisor, world.hotline, outcome.merge_id)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    let still = world
        .store
        .case(&world.supervisor, world.hotline, full_case)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.person_id, sparse, "nothing changed");
}
