//! Paging a case list with cursors: following `next_cursor` from the first page visits the same
//! cases in the same order as the numbered pages do, for every order, for a plain list and for a
//! search, with filters; a cursor of another order is refused. Runs on SQLite, or on PostgreSQL
//! when `PUENTE_TEST_DATABASE_URL` is set.

use puente_core::domain::{Case, Person};
use puente_core::htcds::{CaseStatus, Gender};
use puente_core::Country;
use puente_linkage::search_keys::parse_query;
use puente_store::testing::TestStore;
use puente_store::{Actor, CaseCursor, CaseFilter, CasePage, CaseSort, NewCase, StoreError};

struct Paged {
    store: TestStore,
    organisation: i64,
    actor: Actor,
}

/// Thirty-one cases: Lucía Ramírez (17, of which several opened on the same day, so that the id
/// breaks the ties) and María López (14), owners alternating.
async fn paged() -> Paged {
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
    let cases: Vec<NewCase> = (0..31)
        .map(|index| {
            let (given, surname) = if index % 2 == 0 {
                ("Lucía", "Ramírez")
            } else {
                ("María", "López")
            };
            NewCase {
                case: Case::new(Person {
                    given_name: given.into(),
                    surname: surname.into(),
                    sex: Some(Gender::Female),
                    nationality: Country::from_alpha_2(if index % 3 == 0 { "HN" } else { "GT" }),
                    ..Person::default()
                }),
                owner_user_id: Some(if index % 4 == 0 { 7 } else { 8 }),
                // Days 1 to 10, three or four cases each.
                opened_on: format!("2026-06-{:02}", index / 3 + 1),
            }
        })
        .collect();
    store
        .create_cases(&actor, organisation, &cases)
        .await
        .unwrap();
    Paged {
        store,
        organisation,
        actor,
    }
}

impl Paged {
    /// Page `page` of `filter`, after `after` when given.
    async fn page(&self, filter: &CaseFilter, page: u32, after: Option<CaseCursor>) -> CasePage {
        self.store
            .find_cases(
                &self.actor,
                self.organisation,
                &CaseFilter {
                    page,
                    after,
                    ..filter.clone()
                },
            )
            .await
            .unwrap()
    }

    /// The ids of every numbered page, in order.
    async fn by_page_numbers(&self, filter: &CaseFilter) -> (Vec<i64>, u64) {
        let mut ids = Vec::new();
        let mut total = 0;
        for page in 1.. {
            let found = self.page(filter, page, None).await;
            total = found.total;
            if found.cases.is_empty() {
                break;
            }
            ids.extend(found.cases.iter().map(|case| case.id));
        }
        (ids, total)
    }

    /// The ids of the first page and of every page its cursors lead to, with the totals seen.
    async fn by_cursors(&self, filter: &CaseFilter) -> (Vec<i64>, Vec<u64>) {
        let mut ids = Vec::new();
        let mut totals = Vec::new();
        let mut after = None;
        for page in 1.. {
            let found = self.page(filter, page, after.take()).await;
            totals.push(found.total);
            ids.extend(found.cases.iter().map(|case| case.id));
            match &found.next_cursor {
                Some(text) => after = Some(CaseCursor::decode(text).expect("a cursor it made")),
                None => break,
            }
            assert_eq!(found.cases.len(), filter.per_page as usize, "a full page");
        }
        (ids, totals)
    }
}

#[tokio::test]
async fn cursors_visit_the_numbered_pages_in_their_order() {
    let paged = paged().await;
    let filters = [
        ("every case", "", None, None),
        ("one owner", "", Some(7), None),
        ("one nationality", "", None, Country::from_alpha_2("GT")),
        ("a search", "lucia ramires", None, None),
        ("a search and an owner", "maria", Some(8), None),
    ];
    for (what, query, assignee, nationality) in filters {
        for sort in CaseSort::ALL {
            let filter = CaseFilter {
                query: parse_query(query, Country::from_alpha_2("GT")),
                assignee,
                nationality,
                sort,
                per_page: 4,
                ..CaseFilter::default()
            };
            let (numbered, total) = paged.by_page_numbers(&filter).await;
            assert!(total > 4, "{what}: more than one page ({total})");
            assert_eq!(numbered.len() as u64, total, "{what} {sort:?}");
            let mut distinct = numbered.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(
                distinct.len(),
                numbered.len(),
                "{what} {sort:?}: no case twice"
            );
            let (followed, totals) = paged.by_cursors(&filter).await;
            assert_eq!(followed, numbered, "{what} {sort:?}");
            assert!(totals.iter().all(|seen| *seen == total), "{what} {sort:?}");
        }
    }
    // The whole list is every case; the search for Lucía Ramírez finds hers only.
    let (every, _) = paged.by_page_numbers(&CaseFilter::default()).await;
    assert_eq!(every.len(), 31);
    let lucia = CaseFilter {
        query: parse_query("lucia ramires", None),
        ..CaseFilter::default()
    };
    assert_eq!(paged.by_page_numbers(&lucia).await.1, 16);
}

#[tokio::test]
async fn the_last_page_has_no_cursor_and_an_empty_search_has_no_page() {
    let paged = paged().await;
    let last = paged
        .store
        .find_cases(
            &paged.actor,
            paged.organisation,
            &CaseFilter {
                page: 2,
                per_page: 20,
                ..CaseFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((last.cases.len(), last.next_cursor.as_deref()), (11, None));
    let nobody = paged
        .store
        .find_cases(
            &paged.actor,
            paged.organisation,
            &CaseFilter {
                query: parse_query("guadalupe", None),
                status: Some(CaseStatus::Active),
                ..CaseFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((nobody.total, nobody.cases.len()), (0, 0));
    assert_eq!(nobody.next_cursor, None);
}

#[tokio::test]
async fn a_cursor_of_another_order_or_malformed_is_refused() {
    let paged = paged().await;
    let newest = CaseCursor {
        sort: CaseSort::Newest,
        id: 3,
        key: "2026-06-02".into(),
    };
    assert_eq!(CaseCursor::decode(&newest.encode()), Some(newest.clone()));
    let refused = paged
        .store
        .find_cases(
            &paged.actor,
            paged.organisation,
            &CaseFilter {
                sort: CaseSort::Oldest,
                after: Some(newest),
                ..CaseFilter::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Invalid(_)), "{refused:?}");
    for text in [
        "",
        "newest",
        "newest.3",
        "newest.x.2026-06-02",
        "newest.0.2026-06-02",
        "sideways.3.2026-06-02",
        "newest.3.2026-06-02' OR 1=1",
    ] {
        assert_eq!(CaseCursor::decode(text), None, "{text}");
    }
}
