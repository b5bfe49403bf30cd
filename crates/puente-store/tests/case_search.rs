//! Finding cases through the persons' search keys: accents, misspellings, nicknames, phones and
//! case numbers; filters, sorting and pages with their total; keys kept current by every write and
//! rebuilt for records written before they existed; the duplicate check's candidates by block. On
//! SQLite, or on PostgreSQL when `PUENTE_TEST_DATABASE_URL` is set.

use puente_core::domain::{Case, Person, PhoneNumber};
use puente_core::htcds::{CaseStatus, Gender};
use puente_core::Country;
use puente_linkage::search_keys::{duplicate_lookup_keys, parse_query};
use puente_store::testing::TestStore;
use puente_store::{Actor, CaseFilter, CaseSort, NewCase, StoreError};

struct Searched {
    store: TestStore,
    organisation: i64,
    other_organisation: i64,
    actor: Actor,
    /// José Hernández Díaz, Ana Pérez (Panama), María López, then twenty others.
    ids: Vec<i64>,
}

fn person(given: &str, surname: &str, second: Option<&str>, nationality: &str) -> Person {
    Person {
        given_name: given.into(),
        surname: surname.into(),
        second_surname: second.map(str::to_string),
        sex: Some(Gender::Female),
        nationality: Country::from_alpha_2(nationality),
        ..Person::default()
    }
}

fn new_case(person: Person, opened_on: &str, owner: Option<i64>) -> NewCase {
    NewCase {
        case: Case::new(person),
        owner_user_id: owner,
        opened_on: opened_on.into(),
    }
}

async fn searched() -> Searched {
    let store = TestStore::open().await;
    let actor = Actor {
        name: "advocate@test".into(),
        organisation_id: None,
    };
    let mut organisations = puente_synth::demo::demo_organisations();
    let organisation = store
        .create_organisation(&actor, &organisations.remove(0))
        .await
        .unwrap();
    let other_organisation = store
        .create_organisation(&actor, &organisations.remove(0))
        .await
        .unwrap();
    let mut jose = person("José", "Hernández", Some("Díaz"), "HN");
    jose.sex = Some(Gender::Male);
    let mut ana = person("Ana", "Pérez", None, "PA");
    ana.phone = Some(PhoneNumber::parse("6666-7777", ana.nationality).unwrap());
    let mut cases = vec![
        new_case(jose, "2026-03-01", Some(7)),
        new_case(ana, "2026-04-01", None),
        new_case(person("María", "López", None, "GT"), "2026-05-01", Some(7)),
    ];
    for index in 0..20 {
        cases.push(new_case(
            person("Lucía", "Ramírez", None, "GT"),
            &format!("2026-06-{:02}", index + 1),
            None,
        ));
    }
    let ids = store
        .create_cases(&actor, organisation, &cases)
        .await
        .unwrap();
    // The same name in another organisation is never found from this one.
    store
        .create_cases(
            &actor,
            other_organisation,
            &[new_case(
                person("José", "Hernández", None, "HN"),
                "2026-03-01",
                None,
            )],
        )
        .await
        .unwrap();
    Searched {
        store,
        organisation,
        other_organisation,
        actor,
        ids,
    }
}

fn filter(query: &str) -> CaseFilter {
    CaseFilter {
        query: parse_query(query, Country::from_alpha_2("GT")),
        ..CaseFilter::default()
    }
}

async fn found(searched: &Searched, filter: &CaseFilter) -> Vec<i64> {
    searched
        .store
        .find_cases(&searched.actor, searched.organisation, filter)
        .await
        .unwrap()
        .cases
        .iter()
        .map(|case| case.id)
        .collect()
}

#[tokio::test]
async fn names_phones_and_case_numbers_find_their_case() {
    let searched = searched().await;
    let (jose, ana, maria) = (searched.ids[0], searched.ids[1], searched.ids[2]);
    for query in ["jose ernandes", "JOSÉ HERNÁNDEZ", "Chepe", "pepe diaz"] {
        assert_eq!(
            found(&searched, &filter(query)).await,
            vec![jose],
            "{query}"
        );
    }
    for query in ["6666-7777", "+507 6666 7777", "50766667777"] {
        assert_eq!(found(&searched, &filter(query)).await, vec![ana], "{query}");
    }
    assert_eq!(
        found(&searched, &filter(&format!("#{maria}"))).await,
        vec![maria]
    );
    assert!(found(&searched, &filter("jose lopez")).await.is_empty());
}

#[tokio::test]
async fn filters_sorting_and_pages_with_the_total() {
    let searched = searched().await;
    let page = searched
        .store
        .find_cases(
            &searched.actor,
            searched.organisation,
            &CaseFilter {
                per_page: 10,
                page: 3,
                ..filter("")
            },
        )
        .await
        .unwrap();
    assert_eq!((page.total, page.cases.len()), (23, 3));
    // Newest first: the third page ends with the oldest case.
    assert_eq!(page.cases.last().unwrap().id, searched.ids[0]);
    let oldest = CaseFilter {
        sort: CaseSort::Oldest,
        per_page: 2,
        ..filter("")
    };
    assert_eq!(
        found(&searched, &oldest).await,
        vec![searched.ids[0], searched.ids[1]]
    );
    let honduran = CaseFilter {
        nationality: Country::from_alpha_2("HN"),
        ..filter("")
    };
    assert_eq!(found(&searched, &honduran).await, vec![searched.ids[0]]);
    let assigned = CaseFilter {
        assignee: Some(7),
        ..filter("")
    };
    assert_eq!(
        found(&searched, &assigned).await,
        vec![searched.ids[2], searched.ids[0]]
    );
    let spring = CaseFilter {
        opened_from: Some("2026-04-01".into()),
        opened_to: Some("2026-05-01".into()),
        ..filter("")
    };
    assert_eq!(
        found(&searched, &spring).await,
        vec![searched.ids[2], searched.ids[1]]
    );
    let closed = CaseFilter {
        status: Some(CaseStatus::Closed),
        ..filter("")
    };
    assert!(found(&searched, &closed).await.is_empty());
    let too_many = CaseFilter {
        per_page: 101,
        ..filter("")
    };
    assert!(matches!(
        searched
            .store
            .find_cases(&searched.actor, searched.organisation, &too_many)
            .await,
        Err(StoreError::Invalid(_))
    ));
    // The other organisation's José is its own.
    let other = searched
        .store
        .find_cases(
            &searched.actor,
            searched.other_organisation,
            &filter("jose"),
        )
        .await
        .unwrap();
    assert_eq!(other.total, 1);
}

#[tokio::test]
async fn an_edit_changes_the_keys_in_its_transaction() {
    let searched = searched().await;
    let maria = searched.ids[2];
    let stored = searched
        .store
        .case(&searched.actor, searched.organisation, maria)
        .await
        .unwrap()
        .unwrap();
    let mut case = stored.case.clone();
    case.person.surname = "Xicará".into();
    searched
        .store
        .update_case(
            &searched.actor,
            searched.organisation,
            maria,
            stored.version,
            &case,
        )
        .await
        .unwrap();
    assert_eq!(found(&searched, &filter("maria jicara")).await, vec![maria]);
    assert!(found(&searched, &filter("maria lopez")).await.is_empty());
}

#[tokio::test]
async fn records_written_before_the_keys_get_them_when_the_store_opens() {
    let searched = searched().await;
    // The keys are taken away behind the store's back, as a database written before them holds
    // none; then the database is opened again, as a new version of Puente would.
    for statement in [
        "DELETE FROM person_search_keys",
        "UPDATE persons SET search_keys_version = 0",
        "UPDATE cases SET exploitation_types = NULL",
    ] {
        searched
            .store
            .execute_behind_the_store(statement)
            .await
            .unwrap();
    }
    assert!(found(&searched, &filter("chepe")).await.is_empty());
    let reopened = searched.store.another_process().await;
    let page = reopened
        .find_cases(&searched.actor, searched.organisation, &filter("chepe"))
        .await
        .unwrap();
    assert_eq!(
        page.cases.iter().map(|case| case.id).collect::<Vec<_>>(),
        vec![searched.ids[0]]
    );
}

#[tokio::test]
async fn the_duplicate_check_reads_only_the_blocks_of_the_record() {
    let searched = searched().await;
    let chepe = person("Chepe", "Hernandes", None, "HN");
    let candidates = searched
        .store
        .duplicate_candidates(
            &searched.actor,
            searched.organisation,
            &duplicate_lookup_keys(&chepe),
        )
        .await
        .unwrap();
    let cases: Vec<i64> = candidates
        .iter()
        .flat_map(|person| person.cases.iter().map(|case| case.case_id))
        .collect();
    assert_eq!(cases, vec![searched.ids[0]]);
    // Every person of the organisation is in the whole list; only one in the block.
    let all = searched
        .store
        .persons_to_compare(&searched.actor, searched.organisation)
        .await
        .unwrap();
    assert_eq!(all.len(), 23);
}
