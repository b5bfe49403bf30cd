//! Referrals between organisations: refused without consent, consent recorded with the referral,
//! the receiver reads exactly the shared parts, statuses move only as allowed, access ends with a
//! rejection, a revocation or a withdrawn consent, both sides are notified and audited.

use puente_core::domain::{Case, PartialDate, Person, PhoneNumber, TraffickingEvent};
use puente_core::htcds::{ConsentScope, Gender, ReferralReason, TraffickingEventType};
use puente_core::{Country, Lang};
use puente_store::testing::TestStore;
use puente_store::{
    Actor, AuditQuery, NewCase, NewConsent, NewReferral, NotificationKind, ReferralStatus,
    StoreError,
};

/// The demo's world: the directory's organisations, and a case of the hotline about a
/// 15-year-old Guatemalan girl, with a note and a screening.
struct World {
    store: TestStore,
    hotline: i64,
    shelter: i64,
    other: i64,
    case_id: i64,
    advocate: Actor,
    caseworker: Actor,
    shelter_service: i64,
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
    let id_of = |slug: &'static str| {
        let store = store.shared();
        async move { store.organisation_by_slug(slug).await.unwrap().unwrap().id }
    };
    let hotline = id_of("hotline-demo").await;
    let shelter = id_of("shelter-demo").await;
    let other = id_of("refugio-quetzal-demo").await;
    let advocate = Actor {
        name: "advocate@hotline.demo".into(),
        organisation_id: Some(hotline),
    };
    let caseworker = Actor {
        name: "caseworker@shelter.demo".into(),
        organisation_id: Some(shelter),
    };
    let mut case = Case::new(Person {
        given_name: "Rosa".into(),
        surname: "Tzul".into(),
        second_surname: Some("Ixcoy".into()),
        sex: Some(Gender::Female),
        date_of_birth: Some("2011-04".parse().unwrap()),
        nationality: Country::from_alpha_2("GT"),
        languages: vec!["mam".into(), "es".into()],
        phone: Some(PhoneNumber::parse("+502 5555 0199", None).unwrap()),
        current_country: Country::from_alpha_2("GT"),
        current_place: Some("Tecún Umán".into()),
        ..Person::default()
    });
    case.events = vec![TraffickingEvent {
        kind: TraffickingEventType::Recruitment,
        country: Country::from_alpha_2("GT"),
        place: Some("Huehuetenango".into()),
        date: Some("2026-08".parse().unwrap()),
        description: None,
    }];
    let case_id = store
        .create_cases(
            &advocate,
            hotline,
            &[NewCase {
                case,
                owner_user_id: None,
                opened_on: "2026-11-20".into(),
            }],
        )
        .await
        .unwrap()[0];
    store
        .add_note(
            &advocate,
            hotline,
            case_id,
            "Llamó desde la terminal de buses",
        )
        .await
        .unwrap();
    // A screening recorded behind the store (no audit entry of its own), so that it can be shared.
    store
        .execute_behind_the_store(&format!(
            "INSERT INTO screenings (case_id, organisation_id, questionnaire, input, result, level, rule_set_version, lang, performed_by, created_at)
             VALUES ({case_id}, {hotline}, 'quick', '{{}}', '{{\"level\": \"strong_indicators\"}}', 'strong_indicators', '2026.11.1', 'es', 'advocate@hotline.demo', '2026-11-20T10:00:00Z')"
        ))
        .await
        .unwrap();
    let shelter_service = store
        .organisation_services(shelter)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.service.slug == "shelter-demo-casa-ninas")
        .unwrap()
        .id;
    World {
        store,
        hotline,
        shelter,
        other,
        case_id,
        advocate,
        caseworker,
        shelter_service,
    }
}

fn referral(world: &World, share: &[ConsentScope], consent: bool) -> NewReferral {
    NewReferral {
        case_id: world.case_id,
        to_organisation_id: world.shelter,
        services: vec![world.shelter_service],
        share: share.to_vec(),
        consent,
        reason: ReferralReason::AdditionalServicesRequired,
        urgency: puente_store::ReferralUrgency::Routine,
        reason_note: None,
        contact_person: puente_store::ReferralContact::default(),
    }
}

#[tokio::test]
async fn without_consent_the_referral_is_refused_and_with_it_the_consent_is_recorded() {
    let w = world().await;
    let share = [ConsentScope::Identity, ConsentScope::Screening];
    let error = w
        .store
        .create_referral(&w.advocate, w.hotline, &referral(&w, &share, false))
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ConsentMissing { .. }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "no consent is recorded to share identity, screening with Albergue Demo: record the person's consent to share it, or share less"
    );
    let before = w
        .store
        .case(&w.advocate, w.hotline, w.case_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.version, 1);
    assert!(w.store.referrals_sent(w.hotline).await.unwrap().is_empty());

    let created = w
        .store
        .create_referral(&w.advocate, w.hotline, &referral(&w, &share, true))
        .await
        .unwrap();
    assert_eq!(created.status, ReferralStatus::Pending);
    assert!(created.consent_recorded_here);
    assert_eq!(created.share, share);
    assert_eq!(created.services, [w.shelter_service]);
    let after = w
        .store
        .case(&w.advocate, w.hotline, w.case_id)
        .await
        .unwrap()
        .unwrap();
    // A consent is its own record, not an edit of the case: the case keeps its version.
    assert_eq!(after.version, 1);
    let consent = after.case.consents.last().unwrap();
    assert!(consent.id.is_some());
    assert_eq!(consent.with_organisation.as_deref(), Some("shelter-demo"));
    assert_eq!(consent.scopes, share);
    assert_eq!(consent.recorded_by, "advocate@hotline.demo");
    assert!(consent.is_active());
    assert_eq!(
        w.store
            .case_history(w.hotline, w.case_id)
            .await
            .unwrap()
            .len(),
        1
    );

    // The HTCDS referral fields are filled on both sides.
    let htcds = serde_json::to_value(&created.htcds).unwrap();
    assert_eq!(htcds["cas_ReferredOrganisation"], "Albergue Demo");
    assert_eq!(htcds["cas_ReferringOrganisation"], "Línea de Ayuda Demo");
    assert_eq!(
        htcds["cas_ReasonForOutgoingReferral"],
        "AdditionalServicesRequired"
    );
    assert_eq!(
        htcds["cas_OutgoingReferralDate"].as_str().unwrap().len(),
        10
    );
    assert!(htcds["cas_IncomingReferralDate"].is_null());

    // An open referral to the same organisation is not made twice; once revoked, the consent
    // already recorded covers a new one without asking again, and only for what it covers.
    let error = w
        .store
        .create_referral(&w.advocate, w.hotline, &referral(&w, &share, true))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("already has an open referral"),
        "{error}"
    );
    w.store
        .revoke_referral(&w.advocate, w.hotline, created.id)
        .await
        .unwrap();
    let again = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &referral(&w, &[ConsentScope::Identity], false),
        )
        .await
        .unwrap();
    assert!(!again.consent_recorded_here);
    let error = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &NewReferral {
                to_organisation_id: w.other,
                services: vec![],
                ..referral(&w, &share, false)
            },
        )
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains(
            "no consent is recorded to share identity, screening with Refugio Quetzal (demo)"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn malformed_referrals_are_refused_with_the_reason() {
    let w = world().await;
    let identity = [ConsentScope::Identity];
    let cases: Vec<(NewReferral, i64, &str)> = vec![
        (
            referral(&w, &[], true),
            w.hotline,
            "shares at least one part",
        ),
        (
            referral(&w, &[ConsentScope::ManagePersonalData], true),
            w.hotline,
            "`ManagePersonalData` cannot be shared",
        ),
        (
            NewReferral {
                to_organisation_id: w.hotline,
                ..referral(&w, &identity, true)
            },
            w.hotline,
            "not to its own",
        ),
        (
            NewReferral {
                to_organisation_id: 9999,
                ..referral(&w, &identity, true)
            },
            w.hotline,
            "organisation 9999 does not exist",
        ),
        (
            NewReferral {
                to_organisation_id: w.other,
                ..referral(&w, &identity, true)
            },
            w.hotline,
            "is not a service of Refugio Quetzal (demo)",
        ),
        // The case is the hotline's: another organisation cannot refer it.
        (
            NewReferral {
                to_organisation_id: w.hotline,
                services: vec![],
                ..referral(&w, &identity, true)
            },
            w.other,
            "not found",
        ),
    ];
    for (new_referral, from, expected) in cases {
        let error = w
            .store
            .create_referral(&w.advocate, from, &new_referral)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{expected}: {error}");
    }
    assert!(w.store.referrals_sent(w.hotline).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_receiver_reads_exactly_the_shared_parts_and_nobody_else_reads_them() {
    let w = world().await;
    let created = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &referral(&w, &[ConsentScope::Identity, ConsentScope::Screening], true),
        )
        .await
        .unwrap();
    let shared = w
        .store
        .shared_case(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap();
    assert_eq!(
        shared.shared,
        [ConsentScope::Identity, ConsentScope::Screening]
    );
    let identity = shared.identity.as_ref().unwrap();
    assert_eq!(
        (identity.given_name.as_str(), identity.surname.as_str()),
        ("Rosa", "Tzul")
    );
    assert_eq!(
        identity.date_of_birth,
        Some("2011-04".parse::<PartialDate>().unwrap())
    );
    assert_eq!(shared.screenings.as_ref().unwrap().len(), 1);
    assert_eq!(
        shared.screenings.as_ref().unwrap()[0].level,
        "strong_indicators"
    );
    assert!(shared.contact.is_none());
    assert!(shared.events.is_none());
    assert!(shared.notes.is_none());
    let json = serde_json::to_string(&shared).unwrap();
    // The parts by their keys (the referral itself names its contact person, not the person's
    // contact part).
    for absent in [
        "\"contact\"",
        "\"events\"",
        "\"notes\"",
        "+50255550199",
        "Tecún Umán",
        "Huehuetenango",
        "terminal de buses",
    ] {
        assert!(!json.contains(absent), "`{absent}` was not shared: {json}");
    }

    // Everything shared: every part is there.
    let everything = [
        ConsentScope::Identity,
        ConsentScope::Contact,
        ConsentScope::Screening,
        ConsentScope::Events,
        ConsentScope::Notes,
    ];
    let to_other = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &NewReferral {
                to_organisation_id: w.other,
                services: vec![],
                ..referral(&w, &everything, true)
            },
        )
        .await
        .unwrap();
    let other_worker = Actor {
        name: "worker@quetzal.demo".into(),
        organisation_id: Some(w.other),
    };
    let full = w
        .store
        .shared_case(&other_worker, w.other, to_other.id)
        .await
        .unwrap();
    assert_eq!(
        full.contact.as_ref().unwrap().phone.as_deref(),
        Some("+50255550199")
    );
    assert_eq!(full.events.as_ref().unwrap().len(), 1);
    assert_eq!(
        full.notes.as_ref().unwrap()[0].text,
        "Llamó desde la terminal de buses"
    );

    // Neither a third organisation nor the sender reads through a referral not made to them.
    for (actor, organisation, referral_id) in [
        (&other_worker, w.other, created.id),
        (&w.advocate, w.hotline, created.id),
        (&w.caseworker, w.shelter, to_other.id),
    ] {
        let error = w
            .store
            .shared_case(actor, organisation, referral_id)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound { .. }), "{error}");
    }
    // The receiver does not see the case through the case store either.
    assert!(w
        .store
        .case(&w.caseworker, w.shelter, w.case_id)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn statuses_move_only_as_allowed_and_access_ends_with_rejection_or_revocation() {
    let w = world().await;
    let identity = [ConsentScope::Identity];
    let first = w
        .store
        .create_referral(&w.advocate, w.hotline, &referral(&w, &identity, true))
        .await
        .unwrap();
    let error = w
        .store
        .accept_referral(&w.advocate, w.hotline, first.id)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "referral {}: only the receiving organisation can mark a referral accepted",
            first.id
        )
    );
    let error = w
        .store
        .revoke_referral(&w.caseworker, w.shelter, first.id)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("only the sending organisation"),
        "{error}"
    );
    let outsider = Actor {
        name: "x@quetzal.demo".into(),
        organisation_id: Some(w.other),
    };
    let error = w
        .store
        .accept_referral(&outsider, w.other, first.id)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound { .. }), "{error}");

    let accepted = w
        .store
        .accept_referral(&w.caseworker, w.shelter, first.id)
        .await
        .unwrap();
    assert_eq!(accepted.status, ReferralStatus::Accepted);
    assert_eq!(
        accepted.answered_by.as_deref(),
        Some("caseworker@shelter.demo")
    );
    assert!(accepted.htcds.incoming_referral_date.is_some());
    let error = w
        .store
        .reject_referral(&w.caseworker, w.shelter, first.id, None)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "referral {}: it is accepted; only a referral that is pending can be marked rejected",
            first.id
        )
    );
    let completed = w
        .store
        .complete_referral(&w.caseworker, w.shelter, first.id)
        .await
        .unwrap();
    assert_eq!(completed.status, ReferralStatus::Completed);
    assert!(w
        .store
        .shared_case(&w.caseworker, w.shelter, first.id)
        .await
        .is_ok());
    let error = w
        .store
        .revoke_referral(&w.advocate, w.hotline, first.id)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("is completed"), "{error}");

    // Rejected: access ends, and the note is kept.
    let to_other = NewReferral {
        to_organisation_id: w.other,
        services: vec![],
        ..referral(&w, &identity, true)
    };
    let second = w
        .store
        .create_referral(&w.advocate, w.hotline, &to_other)
        .await
        .unwrap();
    let rejected = w
        .store
        .reject_referral(&outsider, w.other, second.id, Some("  sin cupo  "))
        .await
        .unwrap();
    assert_eq!(rejected.status, ReferralStatus::Rejected);
    assert_eq!(rejected.answer_note.as_deref(), Some("sin cupo"));
    let error = w
        .store
        .shared_case(&outsider, w.other, second.id)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "referral {} is rejected: access to the case has ended",
            second.id
        )
    );

    // Revoked by the sender after acceptance: access ends.
    let third = w
        .store
        .create_referral(&w.advocate, w.hotline, &to_other)
        .await
        .unwrap();
    w.store
        .accept_referral(&outsider, w.other, third.id)
        .await
        .unwrap();
    assert!(w
        .store
        .shared_case(&outsider, w.other, third.id)
        .await
        .is_ok());
    let revoked = w
        .store
        .revoke_referral(&w.advocate, w.hotline, third.id)
        .await
        .unwrap();
    assert_eq!(revoked.status, ReferralStatus::Revoked);
    assert_eq!(revoked.revoked_by.as_deref(), Some("advocate@hotline.demo"));
    let error = w
        .store
        .shared_case(&outsider, w.other, third.id)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::AccessEnded { .. }), "{error}");

    let statuses: Vec<ReferralStatus> = w
        .store
        .referrals_of_case(w.hotline, w.case_id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        [
            ReferralStatus::Completed,
            ReferralStatus::Rejected,
            ReferralStatus::Revoked
        ]
    );
    assert_eq!(w.store.referrals_received(w.other).await.unwrap().len(), 2);
    assert!(w
        .store
        .referrals_of_case(w.shelter, w.case_id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_withdrawn_consent_ends_the_referral_and_no_case_edit_brings_it_back() {
    let w = world().await;
    let created = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &referral(&w, &[ConsentScope::Identity, ConsentScope::Events], true),
        )
        .await
        .unwrap();
    w.store
        .accept_referral(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap();
    let consents = w.store.consents(w.hotline, w.case_id).await.unwrap();
    assert_eq!(consents.len(), 1);
    let consent_id = consents[0].id;

    let withdrawal = w
        .store
        .withdraw_consent(&w.advocate, w.hotline, w.case_id, consent_id)
        .await
        .unwrap();
    assert_eq!(withdrawal.ended_referrals, [created.id]);
    assert!(withdrawal.consent.consent.withdrawn_on.is_some());
    assert_eq!(
        withdrawal.consent.withdrawn_by.as_deref(),
        Some("advocate@hotline.demo")
    );
    let error = w
        .store
        .shared_case(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::AccessEnded { .. }), "{error}");
    let ended = w
        .store
        .referral(w.shelter, created.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, ReferralStatus::ConsentWithdrawn);
    assert_eq!(ended.withdrawn_consent_id, Some(consent_id));
    let told = w.store.notifications(w.shelter, true).await.unwrap();
    assert_eq!(told[0].kind, NotificationKind::ConsentWithdrawn);
    assert_eq!(told[0].referral_id, created.id);
    assert!(told[0]
        .message(Lang::Es)
        .contains("ya no tiene acceso al caso"));

    // The attack: a case update that says the consent was never withdrawn, given earlier and
    // recorded by someone else. The store never writes consents from a case: nothing comes back.
    let stored = w
        .store
        .case(&w.advocate, w.hotline, w.case_id)
        .await
        .unwrap()
        .unwrap();
    let mut case = stored.case.clone();
    case.consents[0].withdrawn_on = None;
    case.consents[0].given_on = "2020-01-01".parse().unwrap();
    case.consents[0].recorded_by = "someone@else".into();
    w.store
        .update_case(&w.advocate, w.hotline, w.case_id, stored.version, &case)
        .await
        .unwrap();
    let after = w.store.consents(w.hotline, w.case_id).await.unwrap();
    assert_eq!(after, withdrawal_list(&withdrawal));
    let error = w
        .store
        .shared_case(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::AccessEnded { .. }), "{error}");
    let history = w.store.case_history(w.hotline, w.case_id).await.unwrap();
    let saved_consent = &history.last().unwrap().snapshot["consents"][0];
    assert_eq!(saved_consent["recorded_by"], "advocate@hotline.demo");
    assert!(saved_consent["withdrawn_on"].is_string());

    // The database itself refuses to bring a withdrawn consent back or to delete one.
    let revived = w
        .store
        .execute_behind_the_store(&format!(
            "UPDATE consents SET withdrawn_on = NULL WHERE id = {consent_id}"
        ))
        .await;
    assert!(revived.is_err());
    let deleted = w
        .store
        .execute_behind_the_store(&format!("DELETE FROM consents WHERE id = {consent_id}"))
        .await;
    assert!(deleted.is_err());

    // A second withdrawal is refused; the withdrawal is audited naming the consent and its scopes,
    // on both sides of the referral.
    let again = w
        .store
        .withdraw_consent(&w.advocate, w.hotline, w.case_id, consent_id)
        .await
        .unwrap_err();
    assert!(
        matches!(again, StoreError::ConsentAlreadyWithdrawn { .. }),
        "{again}"
    );
    let case_trail = w
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("case".into()),
            record_id: Some(w.case_id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let withdrawn_entry = case_trail
        .iter()
        .find(|entry| entry.action == "consent_withdraw")
        .unwrap();
    assert_eq!(
        withdrawn_entry.detail,
        format!("consent {consent_id} withdrawn: identity, events with shelter-demo")
    );
    let receiver_trail = w
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("referral".into()),
            record_id: Some(created.id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(receiver_trail
        .iter()
        .any(|entry| entry.action == "referral_consent_withdrawn"
            && entry
                .detail
                .contains(&format!("consent {consent_id} (identity, events)"))));
}

fn withdrawal_list(
    withdrawal: &puente_store::ConsentWithdrawal,
) -> Vec<puente_store::StoredConsent> {
    vec![withdrawal.consent.clone()]
}

#[tokio::test]
async fn a_withdrawal_that_leaves_the_shared_parts_covered_keeps_the_referral() {
    let w = world().await;
    let created = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &referral(&w, &[ConsentScope::Identity], true),
        )
        .await
        .unwrap();
    let broader = w
        .store
        .give_consent(
            &w.advocate,
            w.hotline,
            w.case_id,
            &NewConsent {
                scopes: vec![ConsentScope::Identity, ConsentScope::Contact],
                with_organisation: Some("shelter-demo".into()),
                given_on: "2026-11-02".parse().unwrap(),
            },
        )
        .await
        .unwrap();
    let withdrawal = w
        .store
        .withdraw_consent(&w.advocate, w.hotline, w.case_id, broader.id)
        .await
        .unwrap();
    assert!(withdrawal.ended_referrals.is_empty());
    let shared = w
        .store
        .shared_case(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap();
    assert_eq!(shared.shared, [ConsentScope::Identity]);
}

#[tokio::test]
async fn the_receiver_sees_the_case_as_it_stood_when_the_referral_was_made() {
    let w = world().await;
    let created = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &referral(
                &w,
                &[
                    ConsentScope::Identity,
                    ConsentScope::Events,
                    ConsentScope::Notes,
                ],
                true,
            ),
        )
        .await
        .unwrap();
    // After the referral: a new step of the route, a corrected name and a new note.
    let stored = w
        .store
        .case(&w.advocate, w.hotline, w.case_id)
        .await
        .unwrap()
        .unwrap();
    let mut case = stored.case.clone();
    case.person.given_name = "Rosa María".into();
    case.events.push(TraffickingEvent {
        kind: TraffickingEventType::Exploitation,
        country: Country::from_alpha_2("MX"),
        place: Some("Tapachula".into()),
        date: Some("2026-10".parse().unwrap()),
        description: None,
    });
    w.store
        .update_case(&w.advocate, w.hotline, w.case_id, stored.version, &case)
        .await
        .unwrap();
    w.store
        .add_note(
            &w.advocate,
            w.hotline,
            w.case_id,
            "Told us later about Tapachula.",
        )
        .await
        .unwrap();
    let shared = w
        .store
        .shared_case(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap();
    assert_eq!(shared.identity.as_ref().unwrap().given_name, "Rosa");
    assert_eq!(shared.events.as_ref().unwrap().len(), 1);
    let notes = shared.notes.as_ref().unwrap();
    assert!(notes.iter().all(|note| !note.text.contains("Tapachula")));
    assert_eq!(shared.referral.case_version, 1);
}

#[tokio::test]
async fn consents_are_checked_when_given() {
    let w = world().await;
    let give = |scopes: Vec<ConsentScope>, with: Option<&str>, given_on: &str| NewConsent {
        scopes,
        with_organisation: with.map(str::to_string),
        given_on: given_on.parse().unwrap(),
    };
    let cases = [
        (
            give(vec![], Some("shelter-demo"), "2026-11-01"),
            "at least one part",
        ),
        (
            give(
                vec![ConsentScope::Identity],
                Some("nobody-demo"),
                "2026-11-01",
            ),
            "no organisation is called `nobody-demo`",
        ),
        (
            give(
                vec![ConsentScope::Identity],
                Some("shelter-demo"),
                "2099-01-01",
            ),
            "a day still to come",
        ),
    ];
    for (consent, expected) in cases {
        let error = w
            .store
            .give_consent(&w.advocate, w.hotline, w.case_id, &consent)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
    let elsewhere = w
        .store
        .give_consent(
            &w.caseworker,
            w.shelter,
            w.case_id,
            &give(vec![ConsentScope::Identity], None, "2026-11-01"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(elsewhere, StoreError::NotFound { .. }),
        "{elsewhere}"
    );
    assert!(w
        .store
        .consents(w.hotline, w.case_id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn both_sides_are_notified_of_new_and_answered_referrals() {
    let w = world().await;
    let created = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &referral(&w, &[ConsentScope::Identity], true),
        )
        .await
        .unwrap();
    let unread = w.store.notifications(w.shelter, true).await.unwrap();
    assert_eq!(unread.len(), 1);
    assert_eq!(unread[0].kind, NotificationKind::ReferralReceived);
    assert_eq!(
        unread[0].message(Lang::En),
        format!("New referral {} from Línea de Ayuda Demo", created.id)
    );
    assert_eq!(
        unread[0].message(Lang::Es),
        format!("Nueva remisión {} de Línea de Ayuda Demo", created.id)
    );
    assert!(w
        .store
        .notifications(w.hotline, true)
        .await
        .unwrap()
        .is_empty());

    w.store
        .accept_referral(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap();
    let answered = w.store.notifications(w.hotline, true).await.unwrap();
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0].kind, NotificationKind::ReferralAccepted);
    assert_eq!(
        answered[0].message(Lang::Es),
        format!("Albergue Demo aceptó la remisión {}", created.id)
    );

    // Marking read: one organisation cannot mark another's; the unread list empties.
    let error = w
        .store
        .mark_notification_read(&w.caseworker, w.shelter, answered[0].id)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound { .. }), "{error}");
    w.store
        .mark_notification_read(&w.advocate, w.hotline, answered[0].id)
        .await
        .unwrap();
    assert!(w
        .store
        .notifications(w.hotline, true)
        .await
        .unwrap()
        .is_empty());
    let all = w.store.notifications(w.hotline, false).await.unwrap();
    assert_eq!(all[0].read_by.as_deref(), Some("advocate@hotline.demo"));
    assert_eq!(
        w.store
            .mark_all_notifications_read(&w.caseworker, w.shelter)
            .await
            .unwrap(),
        1
    );
    assert!(w
        .store
        .notifications(w.shelter, true)
        .await
        .unwrap()
        .is_empty());

    w.store
        .revoke_referral(&w.advocate, w.hotline, created.id)
        .await
        .unwrap();
    let revoked = w.store.notifications(w.shelter, true).await.unwrap();
    assert_eq!(revoked[0].kind, NotificationKind::ReferralRevoked);
}

#[tokio::test]
async fn every_status_change_and_every_read_is_audited_on_both_sides() {
    let w = world().await;
    let created = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &referral(&w, &[ConsentScope::Identity], true),
        )
        .await
        .unwrap();
    w.store
        .shared_case(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap();
    w.store
        .accept_referral(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap();
    w.store
        .complete_referral(&w.caseworker, w.shelter, created.id)
        .await
        .unwrap();

    let sender_side: Vec<(String, String)> = w
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("case".into()),
            record_id: Some(w.case_id.to_string()),
            organisation_id: Some(w.hotline),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action))
        .collect();
    // The case's own trail at the sender: its creation, the consent recorded with the referral,
    // then every referral event, whoever did it (the note has its own record).
    let expected_sender_side: Vec<(String, String)> = [
        ("advocate@hotline.demo", "create"),
        ("advocate@hotline.demo", "consent_give"),
        ("advocate@hotline.demo", "referral_create"),
        ("caseworker@shelter.demo", "referral_view"),
        ("caseworker@shelter.demo", "referral_accepted"),
        ("caseworker@shelter.demo", "referral_completed"),
    ]
    .iter()
    .map(|(actor, action)| (actor.to_string(), action.to_string()))
    .collect();
    assert_eq!(sender_side, expected_sender_side);

    let receiver_side: Vec<(String, Option<i64>)> = w
        .store
        .audit_entries(&AuditQuery {
            record_type: Some("referral".into()),
            record_id: Some(created.id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.organisation_id))
        .collect();
    assert_eq!(
        receiver_side,
        [
            ("referral_create".to_string(), Some(w.shelter)),
            ("referral_view".to_string(), Some(w.shelter)),
            ("referral_accepted".to_string(), Some(w.shelter)),
            ("referral_completed".to_string(), Some(w.shelter)),
        ]
    );
    // No audit detail carries the survivor's name, and the chain holds.
    let everything = w.store.audit_entries(&AuditQuery::default()).await.unwrap();
    assert!(everything
        .iter()
        .all(|e| !e.detail.contains("Rosa") && !e.detail.contains("Tzul")));
    assert!(w.store.verify_audit_chain().await.unwrap().is_intact());
}

#[tokio::test]
async fn the_demo_story_from_search_to_the_dashboard() {
    // The referral story, at the store: the advocate finds a shelter for a 15-year-old
    // Guatemalan girl, refers her case with consent, the shelter's case worker accepts it and sees
    // only what was shared, and the dashboard counts the referral with small counts hidden.
    use puente_directory::ServiceQuery;
    use puente_store::StatsDimension;
    let w = world().await;
    let query = ServiceQuery::from_pairs([
        ("country", "GT"),
        ("need", "shelter"),
        ("age", "15"),
        ("sex", "F"),
    ])
    .unwrap();
    let found = w.store.search_services(&query).await.unwrap();
    assert_eq!(found[0].organisation_id, w.shelter);

    let referral = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &NewReferral {
                case_id: w.case_id,
                to_organisation_id: found[0].organisation_id,
                services: vec![found[0].id],
                share: vec![ConsentScope::Identity, ConsentScope::Screening],
                consent: true,
                reason: ReferralReason::AdditionalServicesRequired,
                urgency: puente_store::ReferralUrgency::Routine,
                reason_note: None,
                contact_person: puente_store::ReferralContact::default(),
            },
        )
        .await
        .unwrap();
    let unread = w.store.notifications(w.shelter, true).await.unwrap();
    assert_eq!(unread[0].referral_id, referral.id);
    w.store
        .accept_referral(&w.caseworker, w.shelter, referral.id)
        .await
        .unwrap();
    let shared = w
        .store
        .shared_case(&w.caseworker, w.shelter, referral.id)
        .await
        .unwrap();
    assert!(shared.identity.is_some() && shared.screenings.is_some());
    assert!(shared.contact.is_none() && shared.events.is_none() && shared.notes.is_none());

    let stats = w
        .store
        .case_stats(w.hotline, &[StatsDimension::ReferralOutcome])
        .await
        .unwrap();
    let rows: Vec<(Vec<String>, u64)> = stats
        .rows
        .iter()
        .map(|row| (row.values.clone(), row.count))
        .collect();
    assert_eq!(rows, [(vec!["accepted".to_string()], 1)]);
    let published = puente_disclosure::publish_rows(&rows, stats.overlapping, stats.cases);
    assert_eq!(
        published.api_rows(&["referral_outcome"]),
        serde_json::json!([{"referral_outcome": "accepted", "count": null, "suppressed": true}])
    );
}

#[tokio::test]
async fn the_receiver_reads_the_urgency_the_reason_in_words_and_whom_to_call() {
    let w = world().await;
    let share = [ConsentScope::Identity];
    let created = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &NewReferral {
                urgency: puente_store::ReferralUrgency::Immediate,
                reason_note: Some("  Necesita un lugar seguro esta noche  ".into()),
                contact_person: puente_store::ReferralContact {
                    name: "Lucía Pérez".into(),
                    details: Some("+502 5555 0100".into()),
                },
                ..referral(&w, &share, true)
            },
        )
        .await
        .unwrap();
    let received = w
        .store
        .referral(w.shelter, created.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(received.urgency, puente_store::ReferralUrgency::Immediate);
    assert_eq!(
        received.reason_note.as_deref(),
        Some("Necesita un lugar seguro esta noche")
    );
    assert_eq!(received.contact_person.name, "Lucía Pérez");
    assert_eq!(
        received.contact_person.details.as_deref(),
        Some("+502 5555 0100")
    );

    // Without a contact named, the one who refers is the contact; a reason too long is refused
    // and nothing is sent.
    w.store
        .revoke_referral(&w.advocate, w.hotline, created.id)
        .await
        .unwrap();
    let error = w
        .store
        .create_referral(
            &w.advocate,
            w.hotline,
            &NewReferral {
                reason_note: Some("x".repeat(puente_core::bounds::MAX_REFERRAL_REASON_CHARS + 1)),
                ..referral(&w, &share, true)
            },
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("reason_note"), "{error}");
    assert_eq!(w.store.referrals_sent(w.hotline).await.unwrap().len(), 1);
    let plain = w
        .store
        .create_referral(&w.advocate, w.hotline, &referral(&w, &share, true))
        .await
        .unwrap();
    assert_eq!(plain.contact_person.name, "advocate@hotline.demo");
    assert_eq!(plain.urgency, puente_store::ReferralUrgency::Routine);
}
