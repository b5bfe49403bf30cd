//! Passwords changed and reset through one-time links, users deactivated and reactivated,
//! recovery codes and the e-mail setting, on SQLite or PostgreSQL (`PUENTE_TEST_DATABASE_URL`):
//! each change audited, each secret good once.

use puente_core::domain::Organisation;
use puente_core::htcds::OrganisationType;
use puente_store::accounts::{NewSession, NewUser, SessionKind, User};
use puente_store::testing::TestStore;
use puente_store::{Actor, AuditQuery, NewPasswordReset, Role, StoreError};

struct Fixture {
    store: TestStore,
    organisation: i64,
    other_organisation: i64,
    admin: Actor,
    user: User,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

async fn fixture() -> Fixture {
    let store = TestStore::open().await;
    let admin = Actor {
        name: "admin@test.org".into(),
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
    let user = store
        .create_user(
            &admin,
            &NewUser {
                organisation_id: first,
                email: "ana@test.org".into(),
                display_name: "Ana".into(),
                role: Role::Advocate,
                password_hash: "old-hash".into(),
                language: None,
            },
        )
        .await
        .unwrap();
    Fixture {
        store,
        organisation: first,
        other_organisation: second,
        admin,
        user,
    }
}

async fn open_session(f: &Fixture, token: &str) -> i64 {
    f.store
        .open_session(
            &f.user,
            &NewSession {
                token_sha256: token.into(),
                kind: SessionKind::Cookie,
                csrf_token: "csrf".into(),
                expires_at_unix: now() + 3600,
            },
            "127.0.0.1",
        )
        .await
        .unwrap();
    f.store
        .session_by_token(token, now())
        .await
        .unwrap()
        .expect("the session is open")
        .session_id
}

async fn actions_about(f: &Fixture, user_id: i64) -> Vec<String> {
    f.store
        .audit_entries(&AuditQuery {
            record_type: Some("user".into()),
            record_id: Some(user_id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_ends_the_others_and_is_audited() {
    let f = fixture().await;
    let kept = open_session(&f, "token-kept").await;
    open_session(&f, "token-other").await;
    f.store
        .change_password(&f.admin, f.user.id, "new-hash", Some(kept))
        .await
        .unwrap();
    let stored = f.store.user_by_id(f.user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, "new-hash");
    assert!(f
        .store
        .session_by_token("token-kept", now())
        .await
        .unwrap()
        .is_some());
    assert!(f
        .store
        .session_by_token("token-other", now())
        .await
        .unwrap()
        .is_none());
    assert!(actions_about(&f, f.user.id)
        .await
        .contains(&"change_password".to_string()));
    let missing = f.store.change_password(&f.admin, 999_999, "x", None).await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_reset_link_works_once_before_it_expires_and_only_the_newest_one_works() {
    let f = fixture().await;
    open_session(&f, "token-before-reset").await;
    let reset = |token: &str, expires_at_unix: i64| NewPasswordReset {
        organisation_id: f.organisation,
        user_id: f.user.id,
        token_sha256: token.into(),
        expires_at_unix,
    };
    // An admin of another organisation cannot issue a link for this user.
    let elsewhere = f
        .store
        .create_password_reset(
            &f.admin,
            &NewPasswordReset {
                organisation_id: f.other_organisation,
                ..reset("elsewhere", now() + 600)
            },
        )
        .await;
    assert!(
        matches!(elsewhere, Err(StoreError::NotFound { .. })),
        "{elsewhere:?}"
    );

    f.store
        .create_password_reset(&f.admin, &reset("expired", now() - 1))
        .await
        .unwrap();
    assert!(f
        .store
        .password_reset_user("expired", now())
        .await
        .unwrap()
        .is_none());
    assert!(f
        .store
        .use_password_reset("expired", now(), "h")
        .await
        .unwrap()
        .is_none());

    f.store
        .create_password_reset(&f.admin, &reset("first", now() + 600))
        .await
        .unwrap();
    f.store
        .create_password_reset(&f.admin, &reset("second", now() + 600))
        .await
        .unwrap();
    assert!(
        f.store
            .password_reset_user("first", now())
            .await
            .unwrap()
            .is_none(),
        "a newer link replaces the earlier one"
    );
    let shown = f.store.password_reset_user("second", now()).await.unwrap();
    assert_eq!(shown.map(|user| user.id), Some(f.user.id));
    let used = f
        .store
        .use_password_reset("second", now(), "reset-hash")
        .await
        .unwrap();
    assert_eq!(
        used.map(|user| user.password_hash),
        Some("reset-hash".to_string())
    );
    assert!(
        f.store
            .session_by_token("token-before-reset", now())
            .await
            .unwrap()
            .is_none(),
        "a reset ends every session"
    );
    assert!(f
        .store
        .use_password_reset("second", now(), "again")
        .await
        .unwrap()
        .is_none());
    let stored = f.store.user_by_id(f.user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, "reset-hash");
    let actions = actions_about(&f, f.user.id).await;
    assert!(
        actions.contains(&"password_reset_issued".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"password_reset".to_string()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_deactivated_user_loses_their_sessions_and_links_until_reactivated() {
    let f = fixture().await;
    open_session(&f, "token-active").await;
    f.store
        .create_password_reset(
            &f.admin,
            &NewPasswordReset {
                organisation_id: f.organisation,
                user_id: f.user.id,
                token_sha256: "link".into(),
                expires_at_unix: now() + 600,
            },
        )
        .await
        .unwrap();
    let elsewhere = f
        .store
        .set_user_active(&f.admin, f.other_organisation, f.user.id, false)
        .await;
    assert!(matches!(elsewhere, Err(StoreError::NotFound { .. })));
    f.store
        .set_user_active(&f.admin, f.organisation, f.user.id, false)
        .await
        .unwrap();
    assert!(!f.store.user_by_id(f.user.id).await.unwrap().unwrap().active);
    assert!(f
        .store
        .session_by_token("token-active", now())
        .await
        .unwrap()
        .is_none());
    assert!(f
        .store
        .use_password_reset("link", now(), "h")
        .await
        .unwrap()
        .is_none());
    f.store
        .set_user_active(&f.admin, f.organisation, f.user.id, true)
        .await
        .unwrap();
    assert!(f.store.user_by_id(f.user.id).await.unwrap().unwrap().active);
    assert!(
        f.store
            .session_by_token("token-active", now())
            .await
            .unwrap()
            .is_none(),
        "ended sessions stay ended"
    );
    let actions = actions_about(&f, f.user.id).await;
    assert!(
        actions.contains(&"deactivate_user".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"reactivate_user".to_string()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn each_recovery_code_works_once_new_ones_replace_the_old_and_removing_totp_drops_them() {
    let f = fixture().await;
    let codes: Vec<String> = (0..10).map(|index| format!("hash-{index}")).collect();
    f.store
        .replace_recovery_codes(&f.admin, f.user.id, &codes)
        .await
        .unwrap();
    assert_eq!(f.store.unused_recovery_codes(f.user.id).await.unwrap(), 10);
    assert!(f
        .store
        .use_recovery_code(f.user.id, "hash-3")
        .await
        .unwrap());
    assert!(!f
        .store
        .use_recovery_code(f.user.id, "hash-3")
        .await
        .unwrap());
    assert!(!f
        .store
        .use_recovery_code(f.user.id, "hash-unknown")
        .await
        .unwrap());
    assert_eq!(f.store.unused_recovery_codes(f.user.id).await.unwrap(), 9);
    let fresh: Vec<String> = (0..10).map(|index| format!("fresh-{index}")).collect();
    f.store
        .replace_recovery_codes(&f.admin, f.user.id, &fresh)
        .await
        .unwrap();
    assert!(!f
        .store
        .use_recovery_code(f.user.id, "hash-4")
        .await
        .unwrap());
    assert!(f
        .store
        .use_recovery_code(f.user.id, "fresh-4")
        .await
        .unwrap());
    f.store
        .set_user_totp_secret(&f.admin, f.user.id, None)
        .await
        .unwrap();
    assert_eq!(f.store.unused_recovery_codes(f.user.id).await.unwrap(), 0);
    let actions = actions_about(&f, f.user.id).await;
    assert!(
        actions.contains(&"recovery_codes_issued".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"recovery_code_used".to_string()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_email_setting_is_kept_audited_and_nothing_is_owed_without_notifications() {
    let f = fixture().await;
    assert!(!f.user.email_notifications);
    f.store
        .set_email_notifications(&f.admin, f.user.id, true)
        .await
        .unwrap();
    assert!(
        f.store
            .user_by_id(f.user.id)
            .await
            .unwrap()
            .unwrap()
            .email_notifications
    );
    assert!(f
        .store
        .pending_notification_emails(10)
        .await
        .unwrap()
        .is_empty());
    f.store
        .set_email_notifications(&f.admin, f.user.id, false)
        .await
        .unwrap();
    assert!(
        !f.store
            .user_by_id(f.user.id)
            .await
            .unwrap()
            .unwrap()
            .email_notifications
    );
    let actions = actions_about(&f, f.user.id).await;
    assert_eq!(
        actions
            .iter()
            .filter(|action| *action == "email_notifications")
            .count(),
        2
    );
}
