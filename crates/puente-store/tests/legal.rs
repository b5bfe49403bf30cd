//! The legal track in the store: every write audited in its transaction, every read scoped by
//! organisation (another organisation's case is not found), the rules of stages, certifications
//! and applications, and relief results stored with their rule-set version.

use puente_core::domain::{Case, Person};
use puente_core::legal::{
    ApplicationStatus, AuthorityKind, CertificationKind, CertificationStatus, ParticipationKind,
    ParticipationSupport, ProceedingStage, VerdictOutcome,
};
use puente_core::relief_facts::ReliefOptionKind;
use puente_core::{Country, Lang};
use puente_store::testing::TestStore;
use puente_store::NewCase;
use puente_store::{
    Actor, AuditQuery, NewAuthorityReport, NewCertification, NewParticipation, NewProceeding,
    NewProceedingStage, NewReliefApplication, NewReliefAssessment, ReliefApplicationUpdate,
    StoreError,
};
use time::macros::date;

struct Fixture {
    store: TestStore,
    hotline: i64,
    shelter: i64,
    case_id: i64,
    other_case_id: i64,
    advocate: Actor,
    caseworker: Actor,
}

async fn fixture() -> Fixture {
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
    let shelter = store
        .create_organisation(&admin, &organisations.remove(0))
        .await
        .unwrap();
    let advocate = Actor {
        name: "advocate@test".into(),
        organisation_id: Some(hotline),
    };
    let caseworker = Actor {
        name: "caseworker@test".into(),
        organisation_id: Some(shelter),
    };
    let new_case = |given: &str| NewCase {
        case: Case::new(Person {
            given_name: given.into(),
            surname: "Prueba".into(),
            ..Person::default()
        }),
        owner_user_id: None,
        opened_on: "2026-03-02".into(),
    };
    let case_id = store
        .create_cases(&advocate, hotline, &[new_case("Uno")])
        .await
        .unwrap()[0];
    let other_case_id = store
        .create_cases(&caseworker, shelter, &[new_case("Dos")])
        .await
        .unwrap()[0];
    Fixture {
        store,
        hotline,
        shelter,
        case_id,
        other_case_id,
        advocate,
        caseworker,
    }
}

async fn audit_details(store: &TestStore, case_id: i64) -> Vec<(String, String)> {
    store
        .audit_entries(&AuditQuery {
            record_type: Some("case".into()),
            record_id: Some(case_id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|entry| (entry.action, entry.detail))
        .collect()
}

fn police_report() -> NewAuthorityReport {
    NewAuthorityReport {
        authority: AuthorityKind::Police,
        agency: "Houston Police Department".into(),
        reported_on: date!(2026 - 03 - 04),
        reference: Some("HPD-2026-0001".into()),
    }
}

#[tokio::test]
async fn every_record_of_the_track_is_stored_audited_and_read_back() {
    let f = fixture().await;
    let (store, org, case_id, who) = (&f.store, f.hotline, f.case_id, &f.advocate);

    let report = store
        .record_authority_report(who, org, case_id, &police_report())
        .await
        .unwrap();
    assert_eq!(report.report, police_report());

    let proceeding = store
        .record_proceeding(
            who,
            org,
            case_id,
            &NewProceeding {
                country: Country::from_alpha_2("US"),
                court_or_office: "Harris County District Attorney".into(),
                reference: None,
            },
        )
        .await
        .unwrap();
    for (stage, on, outcome) in [
        (ProceedingStage::Charges, date!(2026 - 05 - 01), None),
        (ProceedingStage::Investigation, date!(2026 - 03 - 10), None),
        (
            ProceedingStage::Verdict,
            date!(2026 - 10 - 20),
            Some(VerdictOutcome::Conviction),
        ),
    ] {
        store
            .record_proceeding_stage(
                who,
                org,
                proceeding.id,
                &NewProceedingStage {
                    stage,
                    stage_on: on,
                    outcome,
                },
            )
            .await
            .unwrap();
    }
    store
        .record_participation(
            who,
            org,
            case_id,
            &NewParticipation {
                proceeding_id: Some(proceeding.id),
                kind: ParticipationKind::Statement,
                participated_on: date!(2026 - 03 - 12),
                supports: vec![
                    ParticipationSupport::Interpreter,
                    ParticipationSupport::Accompaniment,
                ],
            },
        )
        .await
        .unwrap();
    let certification = store
        .record_certification(
            who,
            org,
            case_id,
            &NewCertification {
                kind: CertificationKind::UsUVisaCertification,
                agency: "Houston Police Department".into(),
                asked_on: date!(2026 - 04 - 01),
            },
        )
        .await
        .unwrap();
    assert_eq!(certification.status, CertificationStatus::Asked);
    let signed = store
        .decide_certification(
            who,
            org,
            certification.id,
            CertificationStatus::Signed,
            date!(2026 - 04 - 20),
        )
        .await
        .unwrap();
    assert_eq!(signed.decided_on, Some(date!(2026 - 04 - 20)));

    let application = store
        .record_relief_application(
            who,
            org,
            case_id,
            &NewReliefApplication {
                relief: ReliefOptionKind::UsTVisa,
                status: ApplicationStatus::Preparing,
                filed_on: None,
            },
        )
        .await
        .unwrap();
    let filed = store
        .update_relief_application(
            who,
            org,
            application.id,
            &ReliefApplicationUpdate {
                status: ApplicationStatus::Filed,
                on: date!(2026 - 05 - 02),
                receipt_number: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(filed.filed_on, Some(date!(2026 - 05 - 02)));
    let receipt = store
        .update_relief_application(
            who,
            org,
            application.id,
            &ReliefApplicationUpdate {
                status: ApplicationStatus::Receipt,
                on: date!(2026 - 05 - 20),
                receipt_number: Some(" EAC2612345678 ".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(receipt.receipt_number.as_deref(), Some("EAC2612345678"));
    assert_eq!(receipt.filed_on, Some(date!(2026 - 05 - 02)));
    let granted = store
        .update_relief_application(
            who,
            org,
            application.id,
            &ReliefApplicationUpdate {
                status: ApplicationStatus::Granted,
                on: date!(2026 - 11 - 02),
                receipt_number: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(granted.status, ApplicationStatus::Granted);
    assert_eq!(granted.decided_on, Some(date!(2026 - 11 - 02)));
    assert_eq!(granted.receipt_number.as_deref(), Some("EAC2612345678"));

    let track = store.legal_track(org, case_id).await.unwrap();
    assert_eq!(track.reports.len(), 1);
    let stages: Vec<ProceedingStage> = track.proceedings[0]
        .stages
        .iter()
        .map(|s| s.stage.stage)
        .collect();
    assert_eq!(
        stages,
        [
            ProceedingStage::Investigation,
            ProceedingStage::Charges,
            ProceedingStage::Verdict
        ],
        "stages are listed in date order"
    );
    assert_eq!(track.participations[0].participation.supports.len(), 2);
    assert_eq!(track.certifications[0].status, CertificationStatus::Signed);
    assert_eq!(track.applications[0].status, ApplicationStatus::Granted);

    let details = audit_details(store, case_id).await;
    let legal: Vec<&str> = details
        .iter()
        .map(|(_, detail)| detail.as_str())
        .filter(|detail| !detail.is_empty())
        .collect();
    assert!(legal.contains(&format!("authority report {} (police)", report.id).as_str()));
    assert!(legal.iter().any(|d| d.ends_with("(verdict: conviction)")));
    assert!(legal.iter().any(|d| d.ends_with("(us_t_visa): granted")));
    // Agencies and reference numbers never go into the audit log.
    assert!(!details
        .iter()
        .any(|(_, d)| d.contains("Houston") || d.contains("EAC") || d.contains("HPD")));
    assert_eq!(
        details
            .iter()
            .filter(|(action, _)| action == "update")
            .count(),
        7,
        "three stages, a decision and three application updates"
    );
}

#[tokio::test]
async fn another_organisation_finds_nothing_and_changes_nothing() {
    let f = fixture().await;
    let store = &f.store;
    let report = store
        .record_authority_report(&f.advocate, f.hotline, f.case_id, &police_report())
        .await
        .unwrap();
    let before = audit_details(store, f.case_id).await.len();

    // The shelter writing on, or reading, the hotline's case.
    let write = store
        .record_authority_report(&f.caseworker, f.shelter, f.case_id, &police_report())
        .await;
    assert!(
        matches!(write, Err(StoreError::NotFound { .. })),
        "{write:?}"
    );
    assert!(matches!(
        store.legal_track(f.shelter, f.case_id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.relief_assessments(f.shelter, f.case_id).await,
        Err(StoreError::NotFound { .. })
    ));
    // Records are found by id only inside their organisation.
    let proceeding = store
        .record_proceeding(
            &f.advocate,
            f.hotline,
            f.case_id,
            &NewProceeding {
                country: None,
                court_or_office: "Fiscalía".into(),
                reference: None,
            },
        )
        .await
        .unwrap();
    let stage = store
        .record_proceeding_stage(
            &f.caseworker,
            f.shelter,
            proceeding.id,
            &NewProceedingStage {
                stage: ProceedingStage::Trial,
                stage_on: date!(2026 - 06 - 01),
                outcome: None,
            },
        )
        .await;
    assert!(
        matches!(stage, Err(StoreError::NotFound { .. })),
        "{stage:?}"
    );
    // The hotline's own track is untouched, and its other records are its own.
    let track = store.legal_track(f.hotline, f.case_id).await.unwrap();
    assert_eq!(track.reports.len(), 1);
    assert_eq!(track.reports[0].id, report.id);
    assert!(track.proceedings[0].stages.is_empty());
    assert_eq!(audit_details(store, f.case_id).await.len(), before + 1);
    assert!(store
        .legal_track(f.shelter, f.other_case_id)
        .await
        .unwrap()
        .reports
        .is_empty());
}

#[tokio::test]
async fn bad_records_are_refused_with_the_field_named_and_leave_nothing() {
    let f = fixture().await;
    let (store, org, case_id, who) = (&f.store, f.hotline, f.case_id, &f.advocate);
    let before = audit_details(store, case_id).await.len();

    let blank = NewAuthorityReport {
        agency: "  ".into(),
        ..police_report()
    };
    let error = store
        .record_authority_report(who, org, case_id, &blank)
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "`agency` is required");

    let proceeding = store
        .record_proceeding(
            who,
            org,
            case_id,
            &NewProceeding {
                country: None,
                court_or_office: "Ministerio Público".into(),
                reference: None,
            },
        )
        .await
        .unwrap();
    let verdict_without_outcome = store
        .record_proceeding_stage(
            who,
            org,
            proceeding.id,
            &NewProceedingStage {
                stage: ProceedingStage::Verdict,
                stage_on: date!(2026 - 09 - 01),
                outcome: None,
            },
        )
        .await
        .unwrap_err();
    assert!(verdict_without_outcome.to_string().contains("`outcome`"));
    let trial_with_outcome = store
        .record_proceeding_stage(
            who,
            org,
            proceeding.id,
            &NewProceedingStage {
                stage: ProceedingStage::Trial,
                stage_on: date!(2026 - 09 - 01),
                outcome: Some(VerdictOutcome::Acquittal),
            },
        )
        .await
        .unwrap_err();
    assert!(trial_with_outcome.to_string().contains("`trial`"));

    let certification = store
        .record_certification(
            who,
            org,
            case_id,
            &NewCertification {
                kind: CertificationKind::UsTVisaDeclaration,
                agency: "HSI Houston".into(),
                asked_on: date!(2026 - 06 - 10),
            },
        )
        .await
        .unwrap();
    let early = store
        .decide_certification(
            who,
            org,
            certification.id,
            CertificationStatus::Signed,
            date!(2026 - 06 - 01),
        )
        .await
        .unwrap_err();
    assert!(early.to_string().contains("before the date"), "{early}");
    let track = store.legal_track(org, case_id).await.unwrap();
    assert_eq!(track.certifications[0].status, CertificationStatus::Asked);

    let filed_without_date = store
        .record_relief_application(
            who,
            org,
            case_id,
            &NewReliefApplication {
                relief: ReliefOptionKind::UsSijs,
                status: ApplicationStatus::Filed,
                filed_on: None,
            },
        )
        .await
        .unwrap_err();
    assert!(filed_without_date.to_string().contains("`filed_on`"));

    // Only the proceeding and the certification were written.
    assert_eq!(audit_details(store, case_id).await.len(), before + 2);
}

#[tokio::test]
async fn relief_results_are_stored_with_their_rule_set_version() {
    let f = fixture().await;
    let (store, org, case_id, who) = (&f.store, f.hotline, f.case_id, &f.advocate);
    let input = puente_screening::relief::ReliefInput::from_json(
        r#"{"person": {"age": 16, "nationality": "HN", "current_country": "US", "unaccompanied": true},
            "facts": ["act_recruited", "means_debt_bondage", "activity_labour"]}"#,
    )
    .unwrap();
    let as_of = date!(2026 - 12 - 01);
    let result = puente_screening::relief::assess_relief(&input, as_of, Lang::Es);
    let stored = store
        .record_relief_assessment(
            who,
            org,
            case_id,
            &NewReliefAssessment {
                screening_id: None,
                input: serde_json::to_value(&input).unwrap(),
                result: serde_json::to_value(&result).unwrap(),
                rule_set_version: result.rule_set_version.clone(),
                as_of,
                lang: "es".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(stored.assessment.rule_set_version, "2026.12.1");
    let back: puente_screening::relief::ReliefResult =
        serde_json::from_value(stored.assessment.result.clone()).unwrap();
    assert_eq!(back, result);
    let track = store.legal_track(org, case_id).await.unwrap();
    assert_eq!(track.latest_assessment.unwrap().id, stored.id);
    assert_eq!(
        store.relief_assessments(org, case_id).await.unwrap().len(),
        1
    );

    let wrong_screening = store
        .record_relief_assessment(
            who,
            org,
            case_id,
            &NewReliefAssessment {
                screening_id: Some(999),
                input: serde_json::json!({}),
                result: serde_json::json!({}),
                rule_set_version: "2026.12.1".into(),
                as_of,
                lang: "es".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(wrong_screening.to_string().contains("screening 999"));
    let details = audit_details(store, case_id).await;
    assert!(details
        .iter()
        .any(|(action, detail)| action == "screen" && detail.contains("rules 2026.12.1")));
}

#[tokio::test]
async fn the_annual_counts_take_the_year_of_each_record_and_count_cases_once() {
    let f = fixture().await;
    let (store, org, case_id, who) = (&f.store, f.hotline, f.case_id, &f.advocate);
    for (on, authority) in [
        (date!(2026 - 03 - 04), AuthorityKind::Police),
        (date!(2026 - 04 - 04), AuthorityKind::Prosecutor),
        (date!(2025 - 12 - 31), AuthorityKind::Police),
    ] {
        store
            .record_authority_report(
                who,
                org,
                case_id,
                &NewAuthorityReport {
                    authority,
                    reported_on: on,
                    ..police_report()
                },
            )
            .await
            .unwrap();
    }
    let proceeding = store
        .record_proceeding(
            who,
            org,
            case_id,
            &NewProceeding {
                country: None,
                court_or_office: "Fiscalía".into(),
                reference: None,
            },
        )
        .await
        .unwrap();
    for (stage, on, outcome) in [
        (ProceedingStage::Charges, date!(2025 - 11 - 01), None),
        (
            ProceedingStage::Verdict,
            date!(2026 - 02 - 01),
            Some(VerdictOutcome::PartialConviction),
        ),
    ] {
        store
            .record_proceeding_stage(
                who,
                org,
                proceeding.id,
                &NewProceedingStage {
                    stage,
                    stage_on: on,
                    outcome,
                },
            )
            .await
            .unwrap();
    }
    for relief in [ReliefOptionKind::UsTVisa, ReliefOptionKind::UsUVisa] {
        let application = store
            .record_relief_application(
                who,
                org,
                case_id,
                &NewReliefApplication {
                    relief,
                    status: ApplicationStatus::Filed,
                    filed_on: Some(date!(2026 - 05 - 01)),
                },
            )
            .await
            .unwrap();
        if relief == ReliefOptionKind::UsTVisa {
            store
                .update_relief_application(
                    who,
                    org,
                    application.id,
                    &ReliefApplicationUpdate {
                        status: ApplicationStatus::Granted,
                        on: date!(2026 - 10 - 01),
                        receipt_number: None,
                    },
                )
                .await
                .unwrap();
        }
    }

    let counts = store.annual_counts(Some(org), 2026).await.unwrap();
    assert_eq!(counts.reports, 2);
    assert_eq!(
        counts.reports_by_authority,
        [("police".to_string(), 1), ("prosecutor".to_string(), 1)]
    );
    assert_eq!(counts.prosecutions, 0, "charged in 2025");
    assert_eq!(
        counts.convictions, 1,
        "a conviction for another offence counts"
    );
    assert_eq!(counts.relief_sought, 1, "one case, two applications");
    assert_eq!(
        counts.relief_sought_by_type,
        [("us_t_visa".to_string(), 1), ("us_u_visa".to_string(), 1)]
    );
    assert_eq!(
        counts.relief_granted_by_type,
        [("us_t_visa".to_string(), 1)]
    );
    let earlier = store.annual_counts(Some(org), 2025).await.unwrap();
    assert_eq!(
        (earlier.reports, earlier.prosecutions, earlier.convictions),
        (1, 1, 0)
    );
    // The shelter's figures are its own; the whole database adds both.
    assert_eq!(
        store
            .annual_counts(Some(f.shelter), 2026)
            .await
            .unwrap()
            .reports,
        0
    );
    assert_eq!(store.annual_counts(None, 2026).await.unwrap().reports, 2);

    // Published, every count under 3 is hidden.
    let published = puente_store::publish_annual_report(&counts);
    for section in &published.sections {
        for line in &section.lines {
            assert!(line.count.count().is_none_or(|n| n >= 3), "{section:?}");
        }
    }
    assert!(store.annual_counts(Some(org), 26).await.is_err());
}
