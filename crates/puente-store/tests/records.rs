//! A case's records in the store: voided screenings are kept but not counted, a void cannot be
//! undone, and documents are read only within their organisation. On SQLite, or on PostgreSQL when
//! `PUENTE_TEST_DATABASE_URL` is set.

use puente_core::domain::{Case, Person};
use puente_store::screenings::NewScreening;
use puente_store::testing::TestStore;
use puente_store::{Actor, NewAttachment, NewCase, StoreError};

struct World {
    store: TestStore,
    hotline: i64,
    shelter: i64,
    case_id: i64,
    advocate: Actor,
}

async fn world() -> World {
    let store = TestStore::open().await;
    let admin = Actor {
        name: "admin@test".into(),
        organisation_id: None,
    };
    store
        .load_directory(&admin, &puente_synth::directory::demo_directory())
        .await
        .unwrap();
    let hotline = store
        .organisation_by_slug("hotline-demo")
        .await
        .unwrap()
        .unwrap()
        .id;
    let shelter = store
        .organisation_by_slug("shelter-demo")
        .await
        .unwrap()
        .unwrap()
        .id;
    let advocate = Actor {
        name: "advocate@hotline.demo".into(),
        organisation_id: Some(hotline),
    };
    let case_id = store
        .create_cases(
            &advocate,
            hotline,
            &[NewCase {
                case: Case::new(Person {
                    given_name: "Rosa".into(),
                    surname: "Tzul".into(),
                    ..Person::default()
                }),
                owner_user_id: None,
                opened_on: "2026-11-20".into(),
            }],
        )
        .await
        .unwrap()[0];
    World {
        store,
        hotline,
        shelter,
        case_id,
        advocate,
    }
}

fn this_year() -> i32 {
    time::OffsetDateTime::now_utc().year()
}

#[tokio::test]
async fn a_voided_screening_is_kept_and_no_longer_counted() {
    let world = world().await;
    let store = &world.store;
    let screening = store
        .record_screening(
            &world.advocate,
            &NewScreening {
                case_id: world.case_id,
                organisation_id: world.hotline,
                questionnaire: "api".into(),
                input: serde_json::json!({ "facts": [] }),
                result: serde_json::json!({ "level": "no_indicators" }),
                level: "no_indicators".into(),
                rule_set_version: "test".into(),
                lang: "es".into(),
            },
        )
        .await
        .unwrap();
    let counts = store
        .annual_counts(Some(world.hotline), this_year())
        .await
        .unwrap();
    assert_eq!(counts.screened, 1);

    // Another organisation cannot void it; an empty reason is refused.
    let refused = store
        .void_screening(
            &world.advocate,
            world.shelter,
            world.case_id,
            screening.id,
            "x",
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
    let refused = store
        .void_screening(
            &world.advocate,
            world.hotline,
            world.case_id,
            screening.id,
            " ",
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );

    let voided = store
        .void_screening(
            &world.advocate,
            world.hotline,
            world.case_id,
            screening.id,
            "registrada en el caso equivocado",
        )
        .await
        .unwrap();
    assert!(voided.is_void());
    assert_eq!(
        voided.void_reason.as_deref(),
        Some("registrada en el caso equivocado")
    );
    assert_eq!(voided.result, screening.result);
    let kept = store.screenings_for_case(world.case_id).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].is_void());
    let counts = store
        .annual_counts(Some(world.hotline), this_year())
        .await
        .unwrap();
    assert_eq!(counts.screened, 0);

    // A void is final: voiding again is a conflict, and the database refuses to undo it.
    let again = store
        .void_screening(
            &world.advocate,
            world.hotline,
            world.case_id,
            screening.id,
            "otra",
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let undone = store
        .execute_behind_the_store(&format!(
            "UPDATE screenings SET voided_at = NULL WHERE id = {}",
            screening.id
        ))
        .await;
    assert!(undone.is_err(), "{undone:?}");
    let rewritten = store
        .execute_behind_the_store(&format!(
            "UPDATE screenings SET level = 'strong_indicators' WHERE id = {}",
            screening.id
        ))
        .await;
    assert!(rewritten.is_err(), "{rewritten:?}");
}

#[tokio::test]
async fn documents_are_read_only_within_their_organisation() {
    let world = world().await;
    let store = &world.store;
    let document = NewAttachment {
        file_name: "contrato.pdf".into(),
        content_type: "application/pdf".into(),
        size_bytes: 10,
        sha256: "00".repeat(32),
        storage_name: "a.sealed".into(),
    };
    let refused = store
        .record_attachment(&world.advocate, world.shelter, world.case_id, &document)
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
    let stored = store
        .record_attachment(&world.advocate, world.hotline, world.case_id, &document)
        .await
        .unwrap();
    assert_eq!(stored.uploaded_by, "advocate@hotline.demo");
    assert_eq!(
        store
            .attachments(world.hotline, world.case_id)
            .await
            .unwrap(),
        vec![stored.clone()]
    );
    assert!(store
        .attachments(world.shelter, world.case_id)
        .await
        .unwrap()
        .is_empty());
    let other = store
        .attachment_for_download(&world.advocate, world.shelter, world.case_id, stored.id)
        .await;
    assert!(matches!(other, Err(StoreError::NotFound { .. })));
    let downloaded = store
        .attachment_for_download(&world.advocate, world.hotline, world.case_id, stored.id)
        .await
        .unwrap();
    assert_eq!(downloaded, stored);
    // A stored document is never edited.
    let edited = store
        .execute_behind_the_store(&format!(
            "UPDATE case_attachments SET file_name = 'otro.pdf' WHERE id = {}",
            stored.id
        ))
        .await;
    assert!(edited.is_err(), "{edited:?}");
    // The default directory is beside the database: named after the SQLite file, or after the
    // PostgreSQL database in the data directory.
    let beside = store.file_beside("attachments");
    if let Some(sqlite) = store.sqlite() {
        assert_eq!(beside, sqlite.path().with_file_name("test.attachments"));
    }
    if let Some(postgres) = store.postgres() {
        assert_eq!(
            beside.file_name().unwrap().to_string_lossy(),
            format!("{}.attachments", postgres.database())
        );
        // A test's files stay in its temporary directory, never in the working directory.
        assert!(
            beside.starts_with(store.directory()),
            "{}",
            beside.display()
        );
    }
}
