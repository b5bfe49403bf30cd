//! The store's promises: every change and every read of identifying data is audited in the same
//! transaction, the audit log cannot be edited through the application and tampering is found, and a
//! stale save of a case is refused.

use puente_core::ctdc::{parse_cell, CtdcRecord};
use puente_core::domain::{Case, Person};
use puente_core::htcds::CaseStatus;
use puente_store::testing::TestStore;
use puente_store::{Actor, AuditQuery, NewCase, StoreError};

/// A fresh store: SQLite, or PostgreSQL when `PUENTE_TEST_DATABASE_URL` is set.
async fn fresh_store() -> TestStore {
    TestStore::open().await
}

fn actor(name: &str, organisation_id: Option<i64>) -> Actor {
    Actor {
        name: name.into(),
        organisation_id,
    }
}

fn person(given: &str, surname: &str) -> Person {
    Person {
        given_name: given.into(),
        surname: surname.into(),
        ..Person::default()
    }
}

async fn organisation(store: &TestStore) -> i64 {
    let demo = puente_synth::demo::demo_organisations().remove(0);
    store
        .create_organisation(&actor("admin@test", None), &demo)
        .await
        .unwrap()
}

#[tokio::test]
async fn reading_a_case_is_audited_and_other_organisations_see_nothing() {
    let store = fresh_store().await;
    let hotline = organisation(&store).await;
    let shelter_definition = puente_synth::demo::demo_organisations().remove(1);
    let shelter = store
        .create_organisation(&actor("admin@test", None), &shelter_definition)
        .await
        .unwrap();
    let advocate = actor("advocate@test", Some(hotline));
    let new_case = NewCase {
        case: Case::new(person("Ana", "Xicará")),
        owner_user_id: Some(1),
        opened_on: "2026-01-05".into(),
    };
    let ids = store
        .create_cases(&advocate, hotline, &[new_case])
        .await
        .unwrap();

    let read = store
        .case(&advocate, hotline, ids[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.case.person.surname, "Xicará");
    assert!(store
        .case(&actor("caseworker@test", Some(shelter)), shelter, ids[0])
        .await
        .unwrap()
        .is_none());

    let entries = store
        .audit_entries(&AuditQuery {
            record_type: Some("case".into()),
            record_id: Some(ids[0].to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        actions,
        [("advocate@test", "create"), ("advocate@test", "view")]
    );
}

#[tokio::test]
async fn a_stale_save_is_refused_and_history_is_kept() {
    let store = fresh_store().await;
    let hotline = organisation(&store).await;
    let first = actor("first@test", Some(hotline));
    let second = actor("second@test", Some(hotline));
    let ids = store
        .create_cases(
            &first,
            hotline,
            &[NewCase {
                case: Case::new(person("José", "López")),
                owner_user_id: None,
                opened_on: "2026-02-01".into(),
            }],
        )
        .await
        .unwrap();
    let opened_by_first = store.case(&first, hotline, ids[0]).await.unwrap().unwrap();
    let opened_by_second = store.case(&second, hotline, ids[0]).await.unwrap().unwrap();

    let mut edit = opened_by_first.case.clone();
    edit.status = CaseStatus::FollowUp;
    assert_eq!(
        store
            .update_case(&first, hotline, ids[0], opened_by_first.version, &edit)
            .await
            .unwrap(),
        2
    );

    let mut late_edit = opened_by_second.case.clone();
    late_edit.person.alias = Some("Chepe".into());
    let error = store
        .update_case(
            &second,
            hotline,
            ids[0],
            opened_by_second.version,
            &late_edit,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::StaleVersion { current: 2, .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("changed by someone else"),
        "{error}"
    );

    let now = store.case(&first, hotline, ids[0]).await.unwrap().unwrap();
    assert_eq!(now.case.status, CaseStatus::FollowUp);
    assert_eq!(
        now.case.person.alias, None,
        "the refused save changed nothing"
    );
    let history = store.case_history(hotline, ids[0]).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(history[1].changed_by, "first@test");
}

#[tokio::test]
async fn the_audit_log_refuses_edits_and_verify_finds_tampering() {
    let store = fresh_store().await;
    let hotline = organisation(&store).await;
    let advocate = actor("advocate@test", Some(hotline));
    let ids = store
        .create_cases(
            &advocate,
            hotline,
            &[NewCase {
                case: Case::new(person("Rosa", "Tzul")),
                owner_user_id: None,
                opened_on: "2026-03-01".into(),
            }],
        )
        .await
        .unwrap();
    store.case(&advocate, hotline, ids[0]).await.unwrap();
    let report = store.verify_audit_chain().await.unwrap();
    assert!(report.is_intact());
    assert_eq!(report.entries, 3);

    let refused = store
        .execute_behind_the_store("UPDATE audit_log SET actor = 'nobody' WHERE id = 3")
        .await;
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("audit entries cannot be changed"));
    let refused = store
        .execute_behind_the_store("DELETE FROM audit_log")
        .await;
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("audit entries cannot be deleted"));

    // Someone with direct access to the file drops the guard and rewrites who read the case.
    store.drop_audit_guards().await;
    store
        .execute_behind_the_store("UPDATE audit_log SET actor = 'nobody' WHERE id = 3")
        .await
        .unwrap();
    let report = store.verify_audit_chain().await.unwrap();
    assert_eq!(report.first_broken, Some(3));
}

fn ctdc_record(gender: &str) -> CtdcRecord {
    let mut record = CtdcRecord::empty();
    record.cells[0] = parse_cell(0, "2019").unwrap();
    record.cells[2] = parse_cell(2, gender).unwrap();
    record
}

#[tokio::test]
async fn ctdc_counts_come_largest_first_then_missing_first_and_by_value_on_every_backend() {
    let store = fresh_store().await;
    let cli = actor("cli:test", None);
    let genders = [
        "Male", "", "Female", "Female", "-99", "Male", "Unknown", "X", "X", "X",
    ];
    let records: Vec<CtdcRecord> = genders.iter().map(|gender| ctdc_record(gender)).collect();
    store
        .import_ctdc(
            &cli,
            "global-dataset",
            "global-dataset",
            "a.csv",
            "a.csv",
            &records,
            false,
        )
        .await
        .unwrap();
    let counted: Vec<(Option<String>, u64)> = store
        .ctdc_stats("global-dataset", &[2])
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            (
                row.values[0].as_ref().map(|cell| cell.to_csv_text()),
                row.count,
            )
        })
        .collect();
    let text = |value: &str| Some(value.to_string());
    assert_eq!(
        counted,
        [
            (text("Transgender/NonConforming"), 3),
            (None, 2),
            (text("Female"), 2),
            (text("Male"), 2),
            (text("Unknown"), 1),
        ]
    );
}

#[tokio::test]
async fn importing_the_same_file_twice_is_refused_and_replace_replaces() {
    let store = fresh_store().await;
    let cli = actor("cli:test", None);
    let records = vec![ctdc_record("Female"), ctdc_record("Male")];
    let import =
        |dataset: &'static str, source: &'static str, records: Vec<CtdcRecord>, replace| {
            let store = &store;
            let cli = &cli;
            async move {
                store
                    .import_ctdc(
                        cli,
                        dataset,
                        "global-dataset",
                        source,
                        source,
                        &records,
                        replace,
                    )
                    .await
            }
        };
    import("global-dataset", "a.csv", records.clone(), false)
        .await
        .unwrap();
    let error = import("another", "a.csv", records.clone(), false)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("already imported"), "{error}");
    assert_eq!(store.ctdc_count().await.unwrap(), 2);

    // Another file under the same name is refused: two files never share one dataset.
    let error = import("global-dataset", "b.csv", records[..1].to_vec(), false)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("already stored"), "{error}");
    import("edition-2020", "b.csv", records[..1].to_vec(), false)
        .await
        .unwrap();
    assert_eq!(store.ctdc_count().await.unwrap(), 3);
    let by_gender = store.ctdc_stats("edition-2020", &[2]).await.unwrap();
    assert_eq!(by_gender.len(), 1);
    assert_eq!(by_gender[0].count, 1);
    let summary = import("global-dataset", "a.csv", records.clone(), true)
        .await
        .unwrap();
    assert_eq!((summary.records, summary.replaced), (2, 2));
    assert_eq!(store.ctdc_count().await.unwrap(), 3);
    let names: Vec<String> = store
        .ctdc_datasets()
        .await
        .unwrap()
        .into_iter()
        .map(|dataset| dataset.name)
        .collect();
    assert_eq!(names, ["edition-2020", "global-dataset"]);

    let mut exported = Vec::new();
    let count = store
        .export_ctdc(&cli, "global-dataset", &mut |page| {
            exported.extend_from_slice(page);
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(count, 2);
    assert_eq!(exported, records);
    let actions: Vec<String> = store
        .audit_entries(&AuditQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["import", "import", "import", "export"]);
}

#[tokio::test]
async fn of_many_saves_of_one_version_from_two_processes_exactly_one_is_accepted() {
    let store = fresh_store().await;
    let hotline = organisation(&store).await;
    let editor = actor("first@test", Some(hotline));
    let ids = store
        .create_cases(
            &editor,
            hotline,
            &[NewCase {
                case: Case::new(person("José", "López")),
                owner_user_id: None,
                opened_on: "2026-02-01".into(),
            }],
        )
        .await
        .unwrap();
    let case_id = ids[0];
    let loaded = store
        .case(&editor, hotline, case_id)
        .await
        .unwrap()
        .unwrap();
    // Another process on the same file, with its own writer.
    let other = store.another_process().await;
    let mut saves = Vec::new();
    for (index, handle) in [store.shared(), other.clone()].into_iter().enumerate() {
        for attempt in 0..10 {
            let handle = handle.clone();
            let editor = editor.clone();
            let mut case = loaded.case.clone();
            case.person.alias = Some(format!("writer {index} attempt {attempt}"));
            let version = loaded.version;
            saves.push(tokio::spawn(async move {
                handle
                    .update_case(&editor, hotline, case_id, version, &case)
                    .await
            }));
        }
    }
    let mut accepted = 0;
    for save in saves {
        match save.await.unwrap() {
            Ok(version) => {
                assert_eq!(version, 2);
                accepted += 1;
            }
            Err(StoreError::StaleVersion { current: 2, .. }) => {}
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(accepted, 1);
    let history = store.case_history(hotline, case_id).await.unwrap();
    assert_eq!(history.len(), 2);
}
