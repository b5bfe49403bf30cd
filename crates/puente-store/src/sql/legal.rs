//! The SQL of `crate::legal`, written once for both backends.

use async_trait::async_trait;
use puente_core::legal::{
    ApplicationStatus, CertificationKind, CertificationStatus, ParticipationSupport,
    ProceedingStage, VerdictOutcome,
};
use puente_core::{Country, Vocabulary};
use sqlx::Row;
use time::Date;

use super::audit::{self, AuditAction, NewAuditEntry};
use crate::{Actor, StoreError, StoreResult};

use super::{Backend, Db, DbArguments, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::legal::*;

fn optional_date(row: &DbRow, column: &str) -> StoreResult<Option<Date>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| parse_iso(&text, column)).transpose()
}

fn date(row: &DbRow, column: &str) -> StoreResult<Date> {
    let text: String = row.try_get(column)?;
    parse_iso(&text, column)
}

fn code<V: Vocabulary>(row: &DbRow, column: &str) -> StoreResult<V> {
    let text: String = row.try_get(column)?;
    V::parse_code(&text).map_err(|error| StoreError::Invalid(format!("stored {column}: {error}")))
}

/// Fails with "not found" unless the case belongs to the organisation.
pub(crate) async fn check_case(
    connection: &mut DbConnection,
    organisation_id: i64,
    case_id: i64,
) -> StoreResult<()> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE id = $1 AND organisation_id = $2")
            .bind(case_id)
            .bind(organisation_id)
            .fetch_optional(&mut *connection)
            .await?;
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::not_found("case", case_id))
}

/// The case of a row of `table` in the organisation, or "not found".
async fn case_of(
    connection: &mut DbConnection,
    table: &str,
    organisation_id: i64,
    id: i64,
    what: &'static str,
) -> StoreResult<i64> {
    let query = format!("SELECT case_id FROM {table} WHERE id = $1 AND organisation_id = $2");
    let found: Option<i64> = sqlx::query_scalar(&query)
        .bind(id)
        .bind(organisation_id)
        .fetch_optional(&mut *connection)
        .await?;
    found.ok_or_else(|| StoreError::not_found(what, id))
}

/// The rows of one of a case's tables (`organisation_id`, `case_id`), in `order`, each read by
/// `from_row`.
pub(crate) async fn case_rows<T>(
    connection: &mut DbConnection,
    table: &str,
    order: &str,
    (organisation_id, case_id): (i64, i64),
    from_row: fn(&DbRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let query = format!(
        "SELECT * FROM {table} WHERE organisation_id = $1 AND case_id = $2 ORDER BY {order}"
    );
    sqlx::query(&query)
        .bind(organisation_id)
        .bind(case_id)
        .fetch_all(&mut *connection)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// A query of this backend, its values bound as it is built.
type DbQuery<'q> = sqlx::query::Query<'q, Db, DbArguments<'q>>;

impl Backend {
    /// Begins a write to the legal track of one of the organisation's cases (refused when the
    /// case is not the organisation's).
    async fn begin_legal_write(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<sqlx::Transaction<'static, Db>> {
        let mut transaction = self.begin_write().await?;
        check_case(&mut transaction, organisation_id, case_id).await?;
        Ok(transaction)
    }

    /// Inserts one record of a case's legal track and commits it with its audit entry (an entry
    /// of the case). `insert` is an `INSERT ... RETURNING *` whose first two values are the case
    /// and the organisation and whose last are who recorded it and when (the same placeholder
    /// twice where the table also has `updated_at`); `bind` binds the values between them.
    #[allow(clippy::too_many_arguments)]
    async fn insert_legal_record<'q, T>(
        &self,
        mut transaction: sqlx::Transaction<'static, Db>,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        insert: &'q str,
        bind: impl FnOnce(DbQuery<'q>) -> DbQuery<'q>,
        from_row: fn(&DbRow) -> StoreResult<T>,
        audited: impl FnOnce(&T) -> (AuditAction, String),
    ) -> StoreResult<T> {
        let row = bind(sqlx::query(insert).bind(case_id).bind(organisation_id))
            .bind(actor.name.clone())
            .bind(audit::now())
            .fetch_one(&mut *transaction)
            .await?;
        let stored = from_row(&row)?;
        let (action, detail) = audited(&stored);
        let entry = NewAuditEntry::of_case(actor, organisation_id, action, case_id, detail);
        self.commit_with_audit(transaction, &entry).await?;
        Ok(stored)
    }
}

fn report_from_row(row: &DbRow) -> StoreResult<StoredAuthorityReport> {
    Ok(StoredAuthorityReport {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        report: NewAuthorityReport {
            authority: code(row, "authority")?,
            agency: row.try_get("agency")?,
            reported_on: date(row, "reported_on")?,
            reference: row.try_get("reference")?,
        },
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

fn stage_from_row(row: &DbRow) -> StoreResult<StoredProceedingStage> {
    let outcome: Option<String> = row.try_get("outcome")?;
    Ok(StoredProceedingStage {
        id: row.try_get("id")?,
        stage: NewProceedingStage {
            stage: code(row, "stage")?,
            stage_on: date(row, "stage_on")?,
            outcome: outcome
                .map(|text| {
                    VerdictOutcome::parse_code(&text)
                        .map_err(|error| StoreError::Invalid(format!("stored outcome: {error}")))
                })
                .transpose()?,
        },
        created_by: row.try_get("created_by")?,
    })
}

fn proceeding_from_row(
    row: &DbRow,
    stages: Vec<StoredProceedingStage>,
) -> StoreResult<StoredProceeding> {
    let country: Option<String> = row.try_get("country")?;
    Ok(StoredProceeding {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        proceeding: NewProceeding {
            country: country.as_deref().and_then(Country::from_alpha_2),
            court_or_office: row.try_get("court_or_office")?,
            reference: row.try_get("reference")?,
        },
        stages,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

fn participation_from_row(row: &DbRow) -> StoreResult<StoredParticipation> {
    let supports: String = row.try_get("supports")?;
    let supports: Vec<ParticipationSupport> = serde_json::from_str(&supports)
        .map_err(|error| StoreError::Invalid(format!("stored supports: {error}")))?;
    Ok(StoredParticipation {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        participation: NewParticipation {
            proceeding_id: row.try_get("proceeding_id")?,
            kind: code(row, "kind")?,
            participated_on: date(row, "participated_on")?,
            supports,
        },
        created_by: row.try_get("created_by")?,
    })
}

fn certification_from_row(row: &DbRow) -> StoreResult<StoredCertification> {
    Ok(StoredCertification {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        kind: code::<CertificationKind>(row, "kind")?,
        agency: row.try_get("agency")?,
        status: code(row, "status")?,
        asked_on: date(row, "asked_on")?,
        decided_on: optional_date(row, "decided_on")?,
        created_by: row.try_get("created_by")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn application_from_row(row: &DbRow) -> StoreResult<StoredReliefApplication> {
    Ok(StoredReliefApplication {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        relief: code(row, "relief")?,
        status: code(row, "status")?,
        filed_on: optional_date(row, "filed_on")?,
        receipt_on: optional_date(row, "receipt_on")?,
        receipt_number: row.try_get("receipt_number")?,
        decided_on: optional_date(row, "decided_on")?,
        created_by: row.try_get("created_by")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn assessment_from_row(row: &DbRow) -> StoreResult<StoredReliefAssessment> {
    let json = |column: &str| -> StoreResult<serde_json::Value> {
        let text: String = row.try_get(column)?;
        serde_json::from_str(&text).map_err(|error| {
            StoreError::Invalid(format!("stored relief {column} is not JSON: {error}"))
        })
    };
    Ok(StoredReliefAssessment {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        assessment: NewReliefAssessment {
            screening_id: row.try_get("screening_id")?,
            input: json("input")?,
            result: json("result")?,
            rule_set_version: row.try_get("rule_set_version")?,
            as_of: date(row, "as_of")?,
            lang: row.try_get("lang")?,
        },
        performed_by: row.try_get("performed_by")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Backend {
    async fn proceeding_with_stages(
        &self,
        connection: &mut DbConnection,
        organisation_id: i64,
        proceeding_id: i64,
    ) -> StoreResult<StoredProceeding> {
        let row = sqlx::query("SELECT * FROM proceedings WHERE id = $1 AND organisation_id = $2")
            .bind(proceeding_id)
            .bind(organisation_id)
            .fetch_optional(&mut *connection)
            .await?
            .ok_or_else(|| StoreError::not_found("proceeding", proceeding_id))?;
        let stages = sqlx::query(
            "SELECT * FROM proceeding_stages WHERE proceeding_id = $1 ORDER BY stage_on, id",
        )
        .bind(proceeding_id)
        .fetch_all(&mut *connection)
        .await?;
        let stages = stages
            .iter()
            .map(stage_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        proceeding_from_row(&row, stages)
    }
}

#[async_trait]
impl LegalTrackStore for Backend {
    async fn record_authority_report(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        report: &NewAuthorityReport,
    ) -> StoreResult<StoredAuthorityReport> {
        let agency = required(&report.agency, "agency")?;
        let transaction = self.begin_legal_write(organisation_id, case_id).await?;
        self.insert_legal_record(
            transaction,
            actor,
            organisation_id,
            case_id,
            "INSERT INTO authority_reports (case_id, organisation_id, authority, agency, reported_on,
                                            reference, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
            |insert| insert.bind(report.authority.code()).bind(&agency).bind(iso(report.reported_on)).bind(optional_text(&report.reference)),
            report_from_row,
            |stored| (AuditAction::Create, format!("authority report {} ({})", stored.id, report.authority)),
        )
        .await
    }

    async fn record_proceeding(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        proceeding: &NewProceeding,
    ) -> StoreResult<StoredProceeding> {
        let court_or_office = required(&proceeding.court_or_office, "court_or_office")?;
        let mut transaction = self.begin_legal_write(organisation_id, case_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO proceedings (case_id, organisation_id, country, court_or_office, reference,
                                      created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(case_id)
        .bind(organisation_id)
        .bind(proceeding.country.map(|country| country.alpha_2()))
        .bind(&court_or_office)
        .bind(optional_text(&proceeding.reference))
        .bind(&actor.name)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        let stored = self
            .proceeding_with_stages(&mut transaction, organisation_id, id)
            .await?;
        let entry = NewAuditEntry::of_case(
            actor,
            organisation_id,
            AuditAction::Create,
            case_id,
            format!("proceeding {id}"),
        );
        self.commit_with_audit(transaction, &entry).await?;
        Ok(stored)
    }

    async fn record_proceeding_stage(
        &self,
        actor: &Actor,
        organisation_id: i64,
        proceeding_id: i64,
        stage: &NewProceedingStage,
    ) -> StoreResult<StoredProceeding> {
        match (stage.stage, stage.outcome) {
            (ProceedingStage::Verdict, None) => {
                return Err(StoreError::Invalid(
                    "a verdict needs its `outcome` (conviction, partial_conviction or acquittal)"
                        .into(),
                ))
            }
            (other, Some(outcome)) if other != ProceedingStage::Verdict => {
                return Err(StoreError::Invalid(format!(
                    "only a verdict has an `outcome`, not the stage `{other}` (given `{outcome}`)"
                )))
            }
            _ => {}
        }
        let mut transaction = self.begin_write().await?;
        let case_id = case_of(
            &mut transaction,
            "proceedings",
            organisation_id,
            proceeding_id,
            "proceeding",
        )
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO proceeding_stages (proceeding_id, organisation_id, stage, stage_on, outcome,
                                            created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(proceeding_id)
        .bind(organisation_id)
        .bind(stage.stage.code())
        .bind(iso(stage.stage_on))
        .bind(stage.outcome.map(|outcome| outcome.code()))
        .bind(&actor.name)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        let outcome = stage
            .outcome
            .map(|outcome| format!(": {outcome}"))
            .unwrap_or_default();
        let stored = self
            .proceeding_with_stages(&mut transaction, organisation_id, proceeding_id)
            .await?;
        let entry = NewAuditEntry::of_case(
            actor,
            organisation_id,
            AuditAction::Update,
            case_id,
            format!(
                "proceeding {proceeding_id} stage {id} ({}{outcome})",
                stage.stage
            ),
        );
        self.commit_with_audit(transaction, &entry).await?;
        Ok(stored)
    }

    async fn record_participation(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        participation: &NewParticipation,
    ) -> StoreResult<StoredParticipation> {
        let mut transaction = self.begin_legal_write(organisation_id, case_id).await?;
        if let Some(proceeding_id) = participation.proceeding_id {
            let proceeding_case = case_of(
                &mut transaction,
                "proceedings",
                organisation_id,
                proceeding_id,
                "proceeding",
            )
            .await?;
            if proceeding_case != case_id {
                return Err(StoreError::Invalid(format!(
                    "proceeding {proceeding_id} is not a proceeding of case {case_id}"
                )));
            }
        }
        let supports =
            serde_json::to_string(&participation.supports).expect("support codes always serialise");
        self.insert_legal_record(
            transaction,
            actor,
            organisation_id,
            case_id,
            "INSERT INTO participations (case_id, organisation_id, proceeding_id, kind, participated_on,
                                         supports, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
            |insert| insert.bind(participation.proceeding_id).bind(participation.kind.code()).bind(iso(participation.participated_on)).bind(supports),
            participation_from_row,
            |stored| (AuditAction::Create, format!("participation {} ({})", stored.id, participation.kind)),
        )
        .await
    }

    async fn record_certification(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        certification: &NewCertification,
    ) -> StoreResult<StoredCertification> {
        let agency = required(&certification.agency, "agency")?;
        let transaction = self.begin_legal_write(organisation_id, case_id).await?;
        self.insert_legal_record(
            transaction,
            actor,
            organisation_id,
            case_id,
            "INSERT INTO certifications (case_id, organisation_id, kind, agency, status, asked_on,
                                         created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *",
            |insert| {
                insert
                    .bind(certification.kind.code())
                    .bind(&agency)
                    .bind(CertificationStatus::Asked.code())
                    .bind(iso(certification.asked_on))
            },
            certification_from_row,
            |stored| {
                (
                    AuditAction::Create,
                    format!(
                        "certification {} ({}): asked",
                        stored.id, certification.kind
                    ),
                )
            },
        )
        .await
    }

    async fn decide_certification(
        &self,
        actor: &Actor,
        organisation_id: i64,
        certification_id: i64,
        status: CertificationStatus,
        on: Date,
    ) -> StoreResult<StoredCertification> {
        if status == CertificationStatus::Asked {
            return Err(StoreError::Invalid(
                "a certification is decided as `signed` or `refused`".into(),
            ));
        }
        let mut transaction = self.begin_write().await?;
        let case_id = case_of(
            &mut transaction,
            "certifications",
            organisation_id,
            certification_id,
            "certification",
        )
        .await?;
        let row = sqlx::query(
            "UPDATE certifications SET status = $1, decided_on = $2, updated_at = $3
             WHERE id = $4 AND organisation_id = $5 RETURNING *",
        )
        .bind(status.code())
        .bind(iso(on))
        .bind(audit::now())
        .bind(certification_id)
        .bind(organisation_id)
        .fetch_one(&mut *transaction)
        .await?;
        let stored = certification_from_row(&row)?;
        if stored.decided_on < Some(stored.asked_on) {
            return Err(StoreError::Invalid(format!(
                "the decision date {} is before the date the certification was asked for, {}",
                iso(on),
                iso(stored.asked_on)
            )));
        }
        self.commit_with_audit(
            transaction,
            &NewAuditEntry::of_case(
                actor,
                organisation_id,
                AuditAction::Update,
                case_id,
                format!(
                    "certification {certification_id} ({}): {status}",
                    stored.kind
                ),
            ),
        )
        .await?;
        Ok(stored)
    }

    async fn record_relief_application(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        application: &NewReliefApplication,
    ) -> StoreResult<StoredReliefApplication> {
        if application.status.is_sought() != application.filed_on.is_some() {
            return Err(StoreError::Invalid(
                "`filed_on` is given exactly when the application has been filed".into(),
            ));
        }
        let transaction = self.begin_legal_write(organisation_id, case_id).await?;
        self.insert_legal_record(
            transaction,
            actor,
            organisation_id,
            case_id,
            "INSERT INTO relief_applications (case_id, organisation_id, relief, status, filed_on,
                                              created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *",
            |insert| {
                insert
                    .bind(application.relief.code())
                    .bind(application.status.code())
                    .bind(application.filed_on.map(iso))
            },
            application_from_row,
            |stored| {
                (
                    AuditAction::Create,
                    format!(
                        "relief application {} ({}): {}",
                        stored.id, application.relief, application.status
                    ),
                )
            },
        )
        .await
    }

    async fn update_relief_application(
        &self,
        actor: &Actor,
        organisation_id: i64,
        application_id: i64,
        update: &ReliefApplicationUpdate,
    ) -> StoreResult<StoredReliefApplication> {
        let mut transaction = self.begin_write().await?;
        let case_id = case_of(
            &mut transaction,
            "relief_applications",
            organisation_id,
            application_id,
            "relief application",
        )
        .await?;
        let on = iso(update.on);
        let (column, receipt_number) = match update.status {
            ApplicationStatus::Preparing => {
                return Err(StoreError::Invalid(
                    "an application cannot go back to `preparing`".into(),
                ))
            }
            ApplicationStatus::Filed => ("filed_on", None),
            ApplicationStatus::Receipt => ("receipt_on", optional_text(&update.receipt_number)),
            ApplicationStatus::Granted
            | ApplicationStatus::Denied
            | ApplicationStatus::Withdrawn => ("decided_on", None),
        };
        // Filing keeps an earlier filing date; a later step sets its own date and the filing date
        // when none was recorded. Each column is assigned once (PostgreSQL refuses a second).
        let dates = if column == "filed_on" {
            "filed_on = COALESCE(filed_on, $2)".to_string()
        } else {
            format!("{column} = $2, filed_on = COALESCE(filed_on, $2)")
        };
        let query = format!(
            "UPDATE relief_applications
             SET status = $1, {dates},
                 receipt_number = COALESCE($3, receipt_number), updated_at = $4
             WHERE id = $5 AND organisation_id = $6 RETURNING *"
        );
        let row = sqlx::query(&query)
            .bind(update.status.code())
            .bind(&on)
            .bind(receipt_number)
            .bind(audit::now())
            .bind(application_id)
            .bind(organisation_id)
            .fetch_one(&mut *transaction)
            .await?;
        let stored = application_from_row(&row)?;
        self.commit_with_audit(
            transaction,
            &NewAuditEntry::of_case(
                actor,
                organisation_id,
                AuditAction::Update,
                case_id,
                format!(
                    "relief application {application_id} ({}): {}",
                    stored.relief, update.status
                ),
            ),
        )
        .await?;
        Ok(stored)
    }

    async fn record_relief_assessment(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        assessment: &NewReliefAssessment,
    ) -> StoreResult<StoredReliefAssessment> {
        required(&assessment.rule_set_version, "rule_set_version")?;
        let mut transaction = self.begin_legal_write(organisation_id, case_id).await?;
        if let Some(screening_id) = assessment.screening_id {
            let screening_case: Option<i64> = sqlx::query_scalar(
                "SELECT case_id FROM screenings WHERE id = $1 AND organisation_id = $2",
            )
            .bind(screening_id)
            .bind(organisation_id)
            .fetch_optional(&mut *transaction)
            .await?;
            if screening_case != Some(case_id) {
                return Err(StoreError::Invalid(format!(
                    "screening {screening_id} is not a screening of case {case_id}"
                )));
            }
        }
        self.insert_legal_record(
            transaction,
            actor,
            organisation_id,
            case_id,
            "INSERT INTO relief_assessments (case_id, organisation_id, screening_id, input, result,
                                             rule_set_version, as_of, lang, performed_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
            |insert| insert.bind(assessment.screening_id).bind(assessment.input.to_string()).bind(assessment.result.to_string()).bind(&assessment.rule_set_version).bind(iso(assessment.as_of)).bind(&assessment.lang),
            assessment_from_row,
            |stored| (AuditAction::Screen, format!(
                "relief assessment {} (rules {})",
                stored.id, assessment.rule_set_version
            )),
        )
        .await
    }

    async fn relief_assessments(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredReliefAssessment>> {
        let mut connection = self.reader.acquire().await?;
        check_case(&mut connection, organisation_id, case_id).await?;
        case_rows(
            &mut connection,
            "relief_assessments",
            "id",
            (organisation_id, case_id),
            assessment_from_row,
        )
        .await
    }

    async fn legal_track(&self, organisation_id: i64, case_id: i64) -> StoreResult<LegalTrack> {
        let mut connection = self.reader.acquire().await?;
        check_case(&mut connection, organisation_id, case_id).await?;
        let reports = case_rows(
            &mut connection,
            "authority_reports",
            "reported_on, id",
            (organisation_id, case_id),
            report_from_row,
        )
        .await?;
        let proceeding_ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM proceedings WHERE organisation_id = $1 AND case_id = $2 ORDER BY id",
        )
        .bind(organisation_id)
        .bind(case_id)
        .fetch_all(&mut *connection)
        .await?;
        let mut proceedings = Vec::new();
        for id in proceeding_ids {
            proceedings.push(
                self.proceeding_with_stages(&mut connection, organisation_id, id)
                    .await?,
            );
        }
        let case = (organisation_id, case_id);
        let participations = case_rows(
            &mut connection,
            "participations",
            "participated_on, id",
            case,
            participation_from_row,
        )
        .await?;
        let certifications = case_rows(
            &mut connection,
            "certifications",
            "asked_on, id",
            case,
            certification_from_row,
        )
        .await?;
        let applications = case_rows(
            &mut connection,
            "relief_applications",
            "id",
            case,
            application_from_row,
        )
        .await?;
        let latest_assessment = case_rows(
            &mut connection,
            "relief_assessments",
            "id DESC LIMIT 1",
            case,
            assessment_from_row,
        )
        .await?
        .into_iter()
        .next();
        Ok(LegalTrack {
            reports,
            proceedings,
            participations,
            certifications,
            applications,
            latest_assessment,
        })
    }
}
