//! The legal track of demo cases: reports to authorities, criminal proceedings with their stages,
//! the survivor's participation, certifications and relief applications, in proportions that echo
//! the region's public figures (many reports, fewer prosecutions, fewer convictions still; relief
//! sought for a minority). Deterministic for a seed; fictional agencies and references only.

use puente_core::domain::Case;
use puente_core::htcds::TraffickingStatus;
use puente_core::legal::{
    ApplicationStatus, AuthorityKind, CertificationKind, CertificationStatus, ParticipationKind,
    ParticipationSupport, ProceedingStage, VerdictOutcome,
};
use puente_core::relief_facts::ReliefOptionKind;
use puente_core::Country;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};

/// A report to an authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoAuthorityReport {
    pub authority: AuthorityKind,
    pub agency: &'static str,
    pub reported_on: Date,
    pub reference: Option<String>,
}

/// A criminal proceeding and the stages it reached, in date order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoProceeding {
    pub country: Country,
    pub court_or_office: &'static str,
    pub stages: Vec<(ProceedingStage, Date, Option<VerdictOutcome>)>,
}

/// A certification asked for, and its decision when there was one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoCertification {
    pub kind: CertificationKind,
    pub agency: &'static str,
    pub asked_on: Date,
    pub decision: Option<(CertificationStatus, Date)>,
}

/// A relief application and the steps it went through after being prepared, in date order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoReliefApplication {
    pub relief: ReliefOptionKind,
    pub steps: Vec<(ApplicationStatus, Date, Option<String>)>,
}

/// Everything of one case's legal track.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoLegalTrack {
    pub reports: Vec<DemoAuthorityReport>,
    pub proceeding: Option<DemoProceeding>,
    /// The survivor's part in the proceeding, on a date, with the support given.
    pub participation: Option<(ParticipationKind, Date, Vec<ParticipationSupport>)>,
    pub certification: Option<DemoCertification>,
    pub applications: Vec<DemoReliefApplication>,
}

impl DemoLegalTrack {
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty() && self.certification.is_none() && self.applications.is_empty()
    }
}

/// The legal tracks of `cases` (one per case, empty for most), the same for the same seed.
/// `opened_on` is each case's opening day; no date falls after `today`.
pub fn generate_legal_tracks(
    seed: u64,
    cases: &[(Case, Date)],
    today: Date,
) -> Vec<DemoLegalTrack> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0001_e6a1);
    cases
        .iter()
        .map(|(case, opened_on)| track(&mut rng, case, *opened_on, today))
        .collect()
}

fn later(
    rng: &mut ChaCha8Rng,
    from: Date,
    min_days: i64,
    max_days: i64,
    today: Date,
) -> Option<Date> {
    let date = from + Duration::days(rng.gen_range(min_days..=max_days));
    (date <= today).then_some(date)
}

fn agencies(country: &str) -> (&'static str, &'static str, &'static str) {
    // Police, prosecutor, labour inspectorate: fictional offices named after real kinds.
    match country {
        "US" => (
            "Policía municipal (oficina de demostración)",
            "Fiscalía de distrito de demostración",
            "Department of Labor, oficina de demostración",
        ),
        "MX" => (
            "Policía estatal de demostración",
            "Fiscalía especializada de demostración",
            "Inspección federal del trabajo de demostración",
        ),
        _ => (
            "Policía nacional de demostración",
            "Fiscalía contra la trata de demostración",
            "Inspección de trabajo de demostración",
        ),
    }
}

fn track(rng: &mut ChaCha8Rng, case: &Case, opened_on: Date, today: Date) -> DemoLegalTrack {
    let mut track = DemoLegalTrack::default();
    let identified = matches!(
        case.victim.trafficking_status,
        Some(TraffickingStatus::PossibleVictimOfTrafficking)
            | Some(TraffickingStatus::ActualVictimOfTrafficking)
    );
    if !identified {
        return track;
    }
    let person = &case.person;
    let country = person
        .current_country
        .or_else(|| Country::from_alpha_2("GT"))
        .expect("Guatemala is a country");
    let code = country.alpha_2();
    let (police, prosecutor, inspectorate) = agencies(code);
    let age = person
        .date_of_birth
        .and_then(|born| born.age_on(opened_on))
        .or(person.estimated_age);
    let foreign = person.nationality.is_some_and(|n| n != country);

    // Reports: about half of identified cases.
    if rng.gen_bool(0.5) {
        if let Some(on) = later(rng, opened_on, 0, 40, today) {
            let (authority, agency) = match rng.gen_range(0..10) {
                0..=4 => (AuthorityKind::Police, police),
                5..=8 => (AuthorityKind::Prosecutor, prosecutor),
                _ => (AuthorityKind::LabourInspectorate, inspectorate),
            };
            track.reports.push(DemoAuthorityReport {
                authority,
                agency,
                reported_on: on,
                reference: Some(format!(
                    "DEMO-{}-{:05}",
                    on.year(),
                    rng.gen_range(1..99_999)
                )),
            });
            if rng.gen_bool(0.2) {
                if let Some(second) = later(rng, on, 5, 60, today) {
                    track.reports.push(DemoAuthorityReport {
                        authority: AuthorityKind::Prosecutor,
                        agency: prosecutor,
                        reported_on: second,
                        reference: None,
                    });
                }
            }
        }
    }

    // A proceeding for some reported cases, reaching later stages ever more rarely.
    if let Some(first) = track.reports.first().map(|r| r.reported_on) {
        if rng.gen_bool(0.55) {
            let mut stages = vec![(ProceedingStage::Investigation, first, None)];
            let mut last = first;
            for (stage, chance) in [
                (ProceedingStage::Charges, 0.5),
                (ProceedingStage::Trial, 0.6),
                (ProceedingStage::Verdict, 0.9),
            ] {
                if !rng.gen_bool(chance) {
                    break;
                }
                let Some(on) = later(rng, last, 20, 200, today) else {
                    break;
                };
                let outcome =
                    (stage == ProceedingStage::Verdict).then(|| match rng.gen_range(0..10) {
                        0..=5 => VerdictOutcome::Conviction,
                        6..=7 => VerdictOutcome::PartialConviction,
                        _ => VerdictOutcome::Acquittal,
                    });
                stages.push((stage, on, outcome));
                last = on;
                if outcome.is_some_and(|o| o.is_conviction()) {
                    if let Some(on) = later(rng, last, 10, 60, today) {
                        stages.push((ProceedingStage::Sentence, on, None));
                    }
                }
            }
            let participated = stages.len() > 1 || rng.gen_bool(0.5);
            if participated {
                let on = stages[stages.len().min(2) - 1].1;
                let kind = if stages.iter().any(|(s, _, _)| *s == ProceedingStage::Trial) {
                    if age.is_some_and(|a| a < 18) {
                        ParticipationKind::AdvanceTestimony
                    } else {
                        ParticipationKind::Testimony
                    }
                } else {
                    ParticipationKind::Statement
                };
                let mut supports = vec![ParticipationSupport::Accompaniment];
                if rng.gen_bool(0.6) {
                    supports.push(ParticipationSupport::LegalRepresentation);
                }
                if rng.gen_bool(0.4) {
                    supports.push(ParticipationSupport::PsychologicalSupport);
                }
                if age.is_some_and(|a| a < 18) {
                    supports.push(ParticipationSupport::RemoteTestimony);
                }
                track.participation = Some((kind, on, supports));
            }
            track.proceeding = Some(DemoProceeding {
                country,
                court_or_office: prosecutor,
                stages,
            });
        }
    }

    // Relief: foreign survivors may seek their country's protections.
    let relief = match code {
        "US" if foreign => Some(if age.is_some_and(|a| a < 21) && rng.gen_bool(0.4) {
            ReliefOptionKind::UsSijs
        } else if rng.gen_bool(0.7) {
            ReliefOptionKind::UsTVisa
        } else {
            ReliefOptionKind::UsUVisa
        }),
        "MX" if foreign => Some(ReliefOptionKind::MxHumanitarianVisitor),
        "CR" if foreign => Some(ReliefOptionKind::CrSpecialCategory),
        _ if foreign => Some(ReliefOptionKind::AssistedReturn),
        _ => None,
    };
    if let Some(relief) = relief.filter(|_| rng.gen_bool(0.45)) {
        if relief == ReliefOptionKind::UsUVisa || relief == ReliefOptionKind::UsTVisa {
            if let Some(asked_on) = later(rng, opened_on, 10, 60, today) {
                let decision = later(rng, asked_on, 15, 90, today).map(|on| {
                    if rng.gen_bool(0.8) {
                        (CertificationStatus::Signed, on)
                    } else {
                        (CertificationStatus::Refused, on)
                    }
                });
                track.certification = Some(DemoCertification {
                    kind: if relief == ReliefOptionKind::UsUVisa {
                        CertificationKind::UsUVisaCertification
                    } else {
                        CertificationKind::UsTVisaDeclaration
                    },
                    agency: police,
                    asked_on,
                    decision,
                });
            }
        }
        let mut steps = Vec::new();
        if let Some(filed) = later(rng, opened_on, 20, 120, today) {
            steps.push((ApplicationStatus::Filed, filed, None));
            if let Some(receipt) = later(rng, filed, 10, 45, today) {
                let number = format!(
                    "DEM{}{:08}",
                    receipt.year() % 100,
                    rng.gen_range(1..99_999_999)
                );
                steps.push((ApplicationStatus::Receipt, receipt, Some(number)));
                if let Some(decided) = later(rng, receipt, 60, 300, today) {
                    let status = if rng.gen_bool(0.75) {
                        ApplicationStatus::Granted
                    } else {
                        ApplicationStatus::Denied
                    };
                    steps.push((status, decided, None));
                }
            }
        }
        track
            .applications
            .push(DemoReliefApplication { relief, steps });
    }
    track
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracks(seed: u64) -> Vec<DemoLegalTrack> {
        let today = time::macros::date!(2026 - 11 - 01);
        let cases: Vec<(Case, Date)> = crate::demo::generate_cases(seed, 600, today)
            .into_iter()
            .map(|demo| {
                let opened = Date::parse(
                    &demo.opened_on,
                    &time::macros::format_description!("[year]-[month]-[day]"),
                )
                .unwrap();
                (demo.case, opened)
            })
            .collect();
        generate_legal_tracks(seed, &cases, today)
    }

    #[test]
    fn the_demo_has_reports_proceedings_convictions_and_relief() {
        let all = tracks(3);
        assert_eq!(all, tracks(3), "deterministic for a seed");
        let count = |test: &dyn Fn(&DemoLegalTrack) -> bool| all.iter().filter(|t| test(t)).count();
        let reported = count(&|t| !t.reports.is_empty());
        let prosecuted = count(&|t| {
            t.proceeding.as_ref().is_some_and(|p| {
                p.stages
                    .iter()
                    .any(|(s, _, _)| *s == ProceedingStage::Charges)
            })
        });
        let convicted = count(&|t| {
            t.proceeding.as_ref().is_some_and(|p| {
                p.stages
                    .iter()
                    .any(|(_, _, outcome)| outcome.is_some_and(|o| o.is_conviction()))
            })
        });
        let relief = count(&|t| !t.applications.is_empty());
        assert!(reported > 150, "{reported} reported");
        assert!(
            prosecuted > 20 && prosecuted < reported,
            "{prosecuted} prosecuted"
        );
        assert!(
            convicted > 3 && convicted < prosecuted,
            "{convicted} convicted"
        );
        assert!(relief > 30, "{relief} with relief");
        // Dates never go backwards and never pass today.
        for track in &all {
            if let Some(proceeding) = &track.proceeding {
                assert!(proceeding.stages.windows(2).all(|w| w[0].1 <= w[1].1));
            }
            for application in &track.applications {
                assert!(application.steps.windows(2).all(|w| w[0].1 <= w[1].1));
            }
        }
    }
}
