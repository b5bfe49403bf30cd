//! The legal track of the demo cases (reports, proceedings, participation, certifications and
//! relief applications from `puente_synth::demo_legal`), written through `LegalTrackStore`, so each
//! record is audited like a case worker's.

use puente_core::domain::Case;
use puente_core::legal::ApplicationStatus;
use puente_store::{
    Actor, LegalTrackStore, NewAuthorityReport, NewCertification, NewParticipation, NewPerpetrator,
    NewProceeding, NewProceedingStage, NewReliefApplication, PerpetratorStore,
    ReliefApplicationUpdate, StoreResult,
};
use time::Date;

/// How many records of each kind were written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LegalDemoReport {
    pub reports: usize,
    pub proceedings: usize,
    pub applications: usize,
}

/// Writes the legal tracks of the demo cases `case_ids` (in the order of `cases`, each with its
/// opening day) for `organisation_id`.
pub async fn fill_legal_tracks(
    store: &dyn LegalTrackStore,
    actor: &Actor,
    organisation_id: i64,
    case_ids: &[i64],
    cases: &[(Case, Date)],
    seed: u64,
    today: Date,
) -> StoreResult<LegalDemoReport> {
    let tracks = puente_synth::demo_legal::generate_legal_tracks(seed, cases, today);
    let mut report = LegalDemoReport::default();
    for (case_id, track) in case_ids.iter().copied().zip(tracks) {
        for demo in &track.reports {
            store
                .record_authority_report(
                    actor,
                    organisation_id,
                    case_id,
                    &NewAuthorityReport {
                        authority: demo.authority,
                        agency: demo.agency.to_string(),
                        reported_on: demo.reported_on,
                        reference: demo.reference.clone(),
                    },
                )
                .await?;
            report.reports += 1;
        }
        let mut proceeding_id = None;
        if let Some(demo) = &track.proceeding {
            let proceeding = store
                .record_proceeding(
                    actor,
                    organisation_id,
                    case_id,
                    &NewProceeding {
                        country: Some(demo.country),
                        court_or_office: demo.court_or_office.to_string(),
                        reference: None,
                    },
                )
                .await?;
            for (stage, on, outcome) in &demo.stages {
                store
                    .record_proceeding_stage(
                        actor,
                        organisation_id,
                        proceeding.id,
                        &NewProceedingStage {
                            stage: *stage,
                            stage_on: *on,
                            outcome: *outcome,
                        },
                    )
                    .await?;
            }
            proceeding_id = Some(proceeding.id);
            report.proceedings += 1;
        }
        if let Some((kind, on, supports)) = &track.participation {
            store
                .record_participation(
                    actor,
                    organisation_id,
                    case_id,
                    &NewParticipation {
                        proceeding_id,
                        kind: *kind,
                        participated_on: *on,
                        supports: supports.clone(),
                    },
                )
                .await?;
        }
        if let Some(demo) = &track.certification {
            let certification = store
                .record_certification(
                    actor,
                    organisation_id,
                    case_id,
                    &NewCertification {
                        kind: demo.kind,
                        agency: demo.agency.to_string(),
                        asked_on: demo.asked_on,
                    },
                )
                .await?;
            if let Some((status, on)) = demo.decision {
                store
                    .decide_certification(actor, organisation_id, certification.id, status, on)
                    .await?;
            }
        }
        for demo in &track.applications {
            let application = store
                .record_relief_application(
                    actor,
                    organisation_id,
                    case_id,
                    &NewReliefApplication {
                        relief: demo.relief,
                        status: ApplicationStatus::Preparing,
                        filed_on: None,
                    },
                )
                .await?;
            for (status, on, receipt_number) in &demo.steps {
                store
                    .update_relief_application(
                        actor,
                        organisation_id,
                        application.id,
                        &ReliefApplicationUpdate {
                            status: *status,
                            on: *on,
                            receipt_number: receipt_number.clone(),
                        },
                    )
                    .await?;
            }
            report.applications += 1;
        }
    }
    Ok(report)
}

/// The opening day of a demo case (`YYYY-MM-DD`), or `today` if it cannot be read.
pub fn opened_on(text: &str, today: Date) -> Date {
    Date::parse(
        text,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or(today)
}

/// Writes the perpetrators of the demo cases `case_ids` (in the order of `cases`) from
/// `puente_synth::demo_perpetrators`, with the recruiter who appears in three cases. Returns how
/// many were written.
pub async fn fill_perpetrators(
    store: &dyn PerpetratorStore,
    actor: &Actor,
    organisation_id: i64,
    case_ids: &[i64],
    cases: &[Case],
    seed: u64,
    year: i32,
) -> StoreResult<usize> {
    let generated = puente_synth::demo_perpetrators::generate_perpetrators(seed, cases, year);
    let mut written = 0;
    for (case_id, perpetrators) in case_ids.iter().copied().zip(generated) {
        for demo in perpetrators {
            store
                .record_perpetrator(
                    actor,
                    organisation_id,
                    case_id,
                    &NewPerpetrator {
                        given_name: demo.given_name,
                        surname: demo.surname,
                        alias: demo.alias,
                        sex: demo.sex,
                        nationality: demo.nationality,
                        phone: demo.phone,
                        birth_year: demo.birth_year,
                        roles: demo.roles,
                    },
                )
                .await?;
            written += 1;
        }
    }
    Ok(written)
}
