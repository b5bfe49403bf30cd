//! Accounts, sessions, login throttling counts, TOTP steps, screenings and case access, on a real
//! SQLite file or a PostgreSQL database (`PUENTE_TEST_DATABASE_URL`): every change audited in its
//! own transaction.

use puente_core::domain::{Case, Organisation, Person};
use puente_core::htcds::OrganisationType;
use puente_store::accounts::{NewSession, NewUser, SessionKind};
use puente_store::screenings::NewScreening;
use puente_store::testing::TestStore;
use puente_store::StatsDimension;
use puente_store::{Actor, AuditQuery, NewCase, Role, StoreError};

struct Fixture {
    store: TestStore,
    organisation: i64,
    other_organisation: i64,
    admin: Actor,
}

async fn fixture() -> Fixture {
    let store = TestStore::open().await;
    let admin = Actor {
        name: "admin@test".into(),
        organisation_id: None,
    };
    let organisation = |slug: &str| Organisation {
        slug: slug.into(),
        name: slug.into(),
        kind: OrganisationType::Hotline,
        country: None,
        city: None,
        phone: None,
    };
    let first = store
        .create_organisation(&admin, &organisation("first"))
        .await
        .unwrap();
    let second = store
        .create_organisation(&admin, &organisation("second"))
        .await
        .unwrap();
    Fixture {
        store,
        organisation: first,
        other_organisation: second,
        admin,
    }
}

fn new_user(organisation_id: i64, email: &str, role: Role) -> NewUser {
    NewUser {
        organisation_id,
        email: email.into(),
        display_name: "Someone".into(),
        role,
        password_hash: "$argon2id$not-a-real-hash".into(),
        language: None,
    }
}

#[tokio::test]
async fn users_are_unique_by_email_whatever_its_case_and_their_creation_is_audited() {
    let f = fixture().await;
    let user = f
        .store
        .create_user(
            &f.admin,
            &new_user(f.organisation, "Ana@Test.org", Role::Advocate),
        )
        .await
        .unwrap();
    assert_eq!(user.email, "ana@test.org");
    assert_eq!(user.role, Role::Advocate);
    let duplicate = f
        .store
        .create_user(
            &f.admin,
            &new_user(f.organisation, "ANA@test.org", Role::Analyst),
        )
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );
    let not_an_email = f
        .store
        .create_user(&f.admin, &new_user(f.organisation, "ana", Role::Analyst))
        .await;
    assert!(matches!(not_an_email, Err(StoreError::Invalid(_))));
    assert_eq!(
        f.store
            .user_by_email("ana@TEST.org")
            .await
            .unwrap()
            .unwrap()
            .id,
        user.id
    );
    // The Debug of a user never shows its secrets.
    assert!(!format!("{user:?}").contains("argon2"));
    let entries = f
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("user".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(entries
        .iter()
        .any(|e| e.action == "create" && e.record_id == Some(user.id.to_string())));
}

#[tokio::test]
async fn sessions_open_expire_and_close_and_a_success_clears_the_accounts_failures() {
    let f = fixture().await;
    let user = f
        .store
        .create_user(
            &f.admin,
            &new_user(f.organisation, "b@test.org", Role::Supervisor),
        )
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for at in [now - 300, now - 200, now - 100] {
        f.store
            .record_login_failure("b@test.org", None, "127.0.0.1", at, "wrong password")
            .await
            .unwrap();
    }
    f.store
        .record_login_failure("x@test.org", None, "127.0.0.2", now, "wrong password")
        .await
        .unwrap();
    let counts = f
        .store
        .recent_login_failures("b@test.org", "127.0.0.1", now - 250)
        .await
        .unwrap();
    assert_eq!((counts.for_account, counts.from_address), (2, 2));
    assert_eq!(counts.for_account_from_address, 2);
    assert_eq!(counts.latest_for_account_from_address, Some(now - 100));
    let elsewhere = f
        .store
        .recent_login_failures("b@test.org", "127.0.0.9", now - 250)
        .await
        .unwrap();
    assert_eq!(
        (elsewhere.for_account, elsewhere.for_account_from_address),
        (2, 0),
        "the account's failures from other addresses are not this address's"
    );
    assert_eq!(elsewhere.latest_for_account_from_address, None);

    let session = NewSession {
        token_sha256: "a".repeat(64),
        kind: SessionKind::Cookie,
        csrf_token: "c".repeat(64),
        expires_at_unix: now + 1_000,
    };
    f.store
        .open_session(&user, &session, "127.0.0.1")
        .await
        .unwrap();
    let counts = f
        .store
        .recent_login_failures("b@test.org", "127.0.0.1", 0)
        .await
        .unwrap();
    assert_eq!(
        counts.for_account, 0,
        "a successful login starts the count again"
    );
    let found = f
        .store
        .session_by_token(&"a".repeat(64), now + 999)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user.id, user.id);
    assert_eq!(found.csrf_token, "c".repeat(64));
    assert!(
        f.store
            .session_by_token(&"a".repeat(64), now + 1_000)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(f
        .store
        .session_by_token(&"b".repeat(64), now + 999)
        .await
        .unwrap()
        .is_none());
    f.store
        .close_session(found.session_id, &user)
        .await
        .unwrap();
    assert!(
        f.store
            .session_by_token(&"a".repeat(64), now + 999)
            .await
            .unwrap()
            .is_none(),
        "closed"
    );
    let actions: Vec<String> = f
        .store
        .audit_entries(&AuditQuery {
            actor: Some("b@test.org".into()),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(
        actions,
        [
            "login_failed",
            "login_failed",
            "login_failed",
            "login",
            "logout"
        ]
    );
}

#[tokio::test]
async fn a_totp_step_is_used_once_and_never_an_earlier_one() {
    let f = fixture().await;
    let user = f
        .store
        .create_user(
            &f.admin,
            &new_user(f.organisation, "c@test.org", Role::OrgAdmin),
        )
        .await
        .unwrap();
    assert!(f.store.use_totp_step(user.id, 50).await.unwrap());
    assert!(!f.store.use_totp_step(user.id, 50).await.unwrap());
    assert!(!f.store.use_totp_step(user.id, 49).await.unwrap());
    assert!(f.store.use_totp_step(user.id, 51).await.unwrap());
}

#[tokio::test]
async fn roles_change_only_within_the_organisation() {
    let f = fixture().await;
    let user = f
        .store
        .create_user(
            &f.admin,
            &new_user(f.organisation, "d@test.org", Role::Advocate),
        )
        .await
        .unwrap();
    let refused = f
        .store
        .set_user_role(&f.admin, f.other_organisation, user.id, Role::OrgAdmin)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound { .. })));
    f.store
        .set_user_role(&f.admin, f.organisation, user.id, Role::Supervisor)
        .await
        .unwrap();
    assert_eq!(
        f.store.user_by_id(user.id).await.unwrap().unwrap().role,
        Role::Supervisor
    );
}

#[tokio::test]
async fn screenings_are_stored_with_their_rule_set_and_case_access_reads_nothing_identifying() {
    let f = fixture().await;
    let person = Person {
        given_name: "Rosa".into(),
        surname: "Díaz".into(),
        ..Person::default()
    };
    let ids = f
        .store
        .create_cases(
            &f.admin,
            f.organisation,
            &[NewCase {
                case: Case::new(person),
                owner_user_id: Some(7),
                opened_on: "2026-11-01".into(),
            }],
        )
        .await
        .unwrap();
    let case_id = ids[0];
    let access = f.store.case_access(case_id).await.unwrap().unwrap();
    assert_eq!(
        (access.organisation_id, access.owner_user_id, access.version),
        (f.organisation, Some(7), 1)
    );
    assert!(f.store.case_access(case_id + 100).await.unwrap().is_none());
    let views = |store: &TestStore| {
        let store = store.shared();
        async move {
            store
                .audit_entries(&AuditQuery {
                    record_id: Some(case_id.to_string()),
                    ..AuditQuery::default()
                })
                .await
                .unwrap()
                .into_iter()
                .filter(|entry| entry.action == "view")
                .count()
        }
    };
    assert_eq!(
        views(&f.store).await,
        0,
        "checking access is not a view of the person"
    );

    let stored = f
        .store
        .record_screening(
            &f.admin,
            &NewScreening {
                case_id,
                organisation_id: f.organisation,
                questionnaire: "quick".into(),
                input: serde_json::json!({ "facts": ["act_recruited"] }),
                result: serde_json::json!({ "level": "some_indicators" }),
                level: "some_indicators".into(),
                rule_set_version: "2026.11.1".into(),
                lang: "es".into(),
            },
        )
        .await
        .unwrap();
    let listed = f.store.screenings_for_case(case_id).await.unwrap();
    assert_eq!(listed, std::slice::from_ref(&stored));
    assert_eq!(listed[0].rule_set_version, "2026.11.1");
    assert_eq!(
        f.store.screening(stored.id).await.unwrap().unwrap().result["level"],
        "some_indicators"
    );

    f.store
        .assign_case(&f.admin, f.organisation, case_id, None)
        .await
        .unwrap();
    assert_eq!(
        f.store
            .case_access(case_id)
            .await
            .unwrap()
            .unwrap()
            .owner_user_id,
        None
    );
    let elsewhere = f
        .store
        .assign_case(&f.admin, f.other_organisation, case_id, Some(1))
        .await;
    assert!(matches!(elsewhere, Err(StoreError::NotFound { .. })));

    // The organisation's counts (the dashboard's) see the one case.
    let counts = f
        .store
        .case_stats(f.organisation, &[StatsDimension::Month])
        .await
        .unwrap();
    assert_eq!(counts.cases, 1);
    assert_eq!(counts.rows.len(), 1);
    assert_eq!(counts.rows[0].count, 1);
    assert!(f.store.verify_audit_chain().await.unwrap().is_intact());
}
