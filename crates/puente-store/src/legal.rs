//! The legal track of a case: reports to authorities, criminal proceedings and their stages, the
//! survivor's participation and its support, law-enforcement certifications, relief applications,
//! and the relief screener's results with their rule-set version.
//!
//! Every write is one transaction with its audit entry; every read names the organisation, and a
//! case of another organisation is "not found" (its existence is not revealed). Audit details name
//! record kinds and codes, never agencies, references or anything a person could be found by.

use async_trait::async_trait;
use puente_core::legal::{
    ApplicationStatus, AuthorityKind, CertificationKind, CertificationStatus, ParticipationKind,
    ParticipationSupport, ProceedingStage, VerdictOutcome,
};
use puente_core::relief_facts::ReliefOptionKind;
use puente_core::{Country, Vocabulary};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use time::Date;

use crate::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, SqliteStore, StoreError, StoreResult};

/// A report of the case to an authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewAuthorityReport {
    pub authority: AuthorityKind,
    /// The agency's name (for example "Policía Nacional Civil, Escuintla").
    pub agency: String,
    pub reported_on: Date,
    /// The authority's reference number for the report, when it gave one.
    pub reference: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredAuthorityReport {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub report: NewAuthorityReport,
    pub created_by: String,
    pub created_at: String,
}

/// A criminal proceeding opened on the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewProceeding {
    pub country: Option<Country>,
    pub court_or_office: String,
    pub reference: Option<String>,
}

/// A stage a proceeding reached, on a date. A verdict carries its outcome; no other stage does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewProceedingStage {
    pub stage: ProceedingStage,
    pub stage_on: Date,
    pub outcome: Option<VerdictOutcome>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredProceedingStage {
    pub id: i64,
    #[serde(flatten)]
    pub stage: NewProceedingStage,
    pub created_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredProceeding {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub proceeding: NewProceeding,
    /// In date order.
    pub stages: Vec<StoredProceedingStage>,
    pub created_by: String,
    pub created_at: String,
}

/// The survivor's part in a proceeding and the support given for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewParticipation {
    pub proceeding_id: Option<i64>,
    pub kind: ParticipationKind,
    pub participated_on: Date,
    pub supports: Vec<ParticipationSupport>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredParticipation {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub participation: NewParticipation,
    pub created_by: String,
}

/// A certification asked of an authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewCertification {
    pub kind: CertificationKind,
    pub agency: String,
    pub asked_on: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredCertification {
    pub id: i64,
    pub case_id: i64,
    pub kind: CertificationKind,
    pub agency: String,
    pub status: CertificationStatus,
    pub asked_on: Date,
    /// When it was signed or refused.
    pub decided_on: Option<Date>,
    pub created_by: String,
    pub updated_at: String,
}

/// A relief application: its type is one of the relief options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewReliefApplication {
    pub relief: ReliefOptionKind,
    pub status: ApplicationStatus,
    pub filed_on: Option<Date>,
}

/// A change of a relief application's status, with the date and, for a receipt, its number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReliefApplicationUpdate {
    pub status: ApplicationStatus,
    pub on: Date,
    pub receipt_number: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredReliefApplication {
    pub id: i64,
    pub case_id: i64,
    pub relief: ReliefOptionKind,
    pub status: ApplicationStatus,
    pub filed_on: Option<Date>,
    pub receipt_on: Option<Date>,
    pub receipt_number: Option<String>,
    pub decided_on: Option<Date>,
    pub created_by: String,
    pub updated_at: String,
}

/// A relief screener result to store, exactly as the engine gave it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewReliefAssessment {
    /// The screening it was computed from, when there was one.
    pub screening_id: Option<i64>,
    pub input: serde_json::Value,
    pub result: serde_json::Value,
    pub rule_set_version: String,
    pub as_of: Date,
    pub lang: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredReliefAssessment {
    pub id: i64,
    pub case_id: i64,
    #[serde(flatten)]
    pub assessment: NewReliefAssessment,
    pub performed_by: String,
    pub created_at: String,
}

/// Everything of a case's legal track, for its page.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LegalTrack {
    pub reports: Vec<StoredAuthorityReport>,
    pub proceedings: Vec<StoredProceeding>,
    pub participations: Vec<StoredParticipation>,
    pub certifications: Vec<StoredCertification>,
    pub applications: Vec<StoredReliefApplication>,
    pub latest_assessment: Option<StoredReliefAssessment>,
}

/// The legal track in the store. `organisation_id` is always the caller's organisation: a case,
/// proceeding, certification or application of another organisation is not found.
#[async_trait]
pub trait LegalTrackStore: Send + Sync {
    async fn record_authority_report(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        report: &NewAuthorityReport,
    ) -> StoreResult<StoredAuthorityReport>;
    async fn record_proceeding(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        proceeding: &NewProceeding,
    ) -> StoreResult<StoredProceeding>;
    /// Adds a stage to a proceeding; refuses a verdict without an outcome or another stage with one.
    async fn record_proceeding_stage(
        &self,
        actor: &Actor,
        organisation_id: i64,
        proceeding_id: i64,
        stage: &NewProceedingStage,
    ) -> StoreResult<StoredProceeding>;
    async fn record_participation(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        participation: &NewParticipation,
    ) -> StoreResult<StoredParticipation>;
    /// Records a certification as asked for.
    async fn record_certification(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        certification: &NewCertification,
    ) -> StoreResult<StoredCertification>;
    /// Marks a certification signed or refused on a date.
    async fn decide_certification(
        &self,
        actor: &Actor,
        organisation_id: i64,
        certification_id: i64,
        status: CertificationStatus,
        on: Date,
    ) -> StoreResult<StoredCertification>;
    async fn record_relief_application(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        application: &NewReliefApplication,
    ) -> StoreResult<StoredReliefApplication>;
    /// Moves an application on: filed (sets the filing date), receipt (date and number), granted
    /// or denied (the decision date), withdrawn.
    async fn update_relief_application(
        &self,
        actor: &Actor,
        organisation_id: i64,
        application_id: i64,
        update: &ReliefApplicationUpdate,
    ) -> StoreResult<StoredReliefApplication>;
    async fn record_relief_assessment(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        assessment: &NewReliefAssessment,
    ) -> StoreResult<StoredReliefAssessment>;
    /// A case's relief results, oldest first.
    async fn relief_assessments(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredReliefAssessment>>;
    /// A case's whole legal track.
    async fn legal_track(&self, organisation_id: i64, case_id: i64) -> StoreResult<LegalTrack>;
}

fn iso(date: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format)
        .expect("a calendar date always formats")
}

fn parse_iso(text: &str, what: &str) -> StoreResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format)
        .map_err(|_| StoreError::Invalid(format!("stored {what} `{text}` is not a date")))
}

fn optional_date(row: &SqliteRow, column: &str) -> StoreResult<Option<Date>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| parse_iso(&text, column)).transpose()
}

fn date(row: &SqliteRow, column: &str) -> StoreResult<Date> {
    let text: String = row.try_get(column)?;
    parse_iso(&text, column)
}

fn code<V: Vocabulary>(row: &SqliteRow, column: &str) -> StoreResult<V> {
    let text: String = row.try_get(column)?;
    V::parse_code(&text).map_err(|error| StoreError::Invalid(format!("stored {column}: {error}")))
}

/// Refuses a blank required text, naming the field.
fn required(text: &str, field: &str) -> StoreResult<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(StoreError::Invalid(format!("`{field}` is required")));
    }
    Ok(trimmed.to_string())
}

fn optional_text(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// Fails with "not found" unless the case belongs to the organisation.
async fn check_case(
    connection: &mut SqliteConnection,
    organisation_id: i64,
    case_id: i64,
) -> StoreResult<()> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE id = ? AND organisation_id = ?")
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
    connection: &mut SqliteConnection,
    table: &str,
    organisation_id: i64,
    id: i64,
    what: &'static str,
) -> StoreResult<i64> {
    let query = format!("SELECT case_id FROM {table} WHERE id = ? AND organisation_id = ?");
    let found: Option<i64> = sqlx::query_scalar(&query)
        .bind(id)
        .bind(organisation_id)
        .fetch_optional(&mut *connection)
        .await?;
    found.ok_or_else(|| StoreError::not_found(what, id))
}

/// The rows of one of a case's tables (`organisation_id`, `case_id`), in `order`, each read by
/// `from_row`.
async fn case_rows<T>(
    connection: &mut SqliteConnection,
    table: &str,
    order: &str,
    (organisation_id, case_id): (i64, i64),
    from_row: fn(&SqliteRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let query =
        format!("SELECT * FROM {table} WHERE organisation_id = ? AND case_id = ? ORDER BY {order}");
    sqlx::query(&query)
        .bind(organisation_id)
        .bind(case_id)
        .fetch_all(&mut *connection)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

impl SqliteStore {
    /// Appends, inside the caller's transaction, the audit entry of a change to a case's legal
    /// track, under the store's audit key.
    async fn audit_legal(
        &self,
        connection: &mut SqliteConnection,
        actor: &Actor,
        organisation_id: i64,
        action: AuditAction,
        case_id: i64,
        detail: String,
    ) -> StoreResult<()> {
        audit::append(
            connection,
            &self.audit_key(),
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action,
                record_type: RecordType::Case,
                record_id: Some(case_id.to_string()),
                case_id: Some(case_id),
                detail,
            },
        )
        .await?;
        Ok(())
    }
}

fn report_from_row(row: &SqliteRow) -> StoreResult<StoredAuthorityReport> {
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

fn stage_from_row(row: &SqliteRow) -> StoreResult<StoredProceedingStage> {
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
    row: &SqliteRow,
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

fn participation_from_row(row: &SqliteRow) -> StoreResult<StoredParticipation> {
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

fn certification_from_row(row: &SqliteRow) -> StoreResult<StoredCertification> {
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

fn application_from_row(row: &SqliteRow) -> StoreResult<StoredReliefApplication> {
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

fn assessment_from_row(row: &SqliteRow) -> StoreResult<StoredReliefAssessment> {
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

impl SqliteStore {
    async fn proceeding_with_stages(
        &self,
        connection: &mut SqliteConnection,
        organisation_id: i64,
        proceeding_id: i64,
    ) -> StoreResult<StoredProceeding> {
        let row = sqlx::query("SELECT * FROM proceedings WHERE id = ? AND organisation_id = ?")
            .bind(proceeding_id)
            .bind(organisation_id)
            .fetch_optional(&mut *connection)
            .await?
            .ok_or_else(|| StoreError::not_found("proceeding", proceeding_id))?;
        let stages = sqlx::query(
            "SELECT * FROM proceeding_stages WHERE proceeding_id = ? ORDER BY stage_on, id",
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
impl LegalTrackStore for SqliteStore {
    async fn record_authority_report(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        report: &NewAuthorityReport,
    ) -> StoreResult<StoredAuthorityReport> {
        let agency = required(&report.agency, "agency")?;
        let mut transaction = self.begin_write().await?;
        check_case(&mut transaction, organisation_id, case_id).await?;
        let row = sqlx::query(
            "INSERT INTO authority_reports (case_id, organisation_id, authority, agency, reported_on,
                                            reference, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(case_id)
        .bind(organisation_id)
        .bind(report.authority.code())
        .bind(&agency)
        .bind(iso(report.reported_on))
        .bind(optional_text(&report.reference))
        .bind(&actor.name)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        let stored = report_from_row(&row)?;
        self.audit_legal(
            &mut transaction,
            actor,
            organisation_id,
            AuditAction::Create,
            case_id,
            format!("authority report {} ({})", stored.id, report.authority),
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn record_proceeding(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        proceeding: &NewProceeding,
    ) -> StoreResult<StoredProceeding> {
        let court_or_office = required(&proceeding.court_or_office, "court_or_office")?;
        let mut transaction = self.begin_write().await?;
        check_case(&mut transaction, organisation_id, case_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO proceedings (case_id, organisation_id, country, court_or_office, reference,
                                      created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
        self.audit_legal(
            &mut transaction,
            actor,
            organisation_id,
            AuditAction::Create,
            case_id,
            format!("proceeding {id}"),
        )
        .await?;
        let stored = self
            .proceeding_with_stages(&mut transaction, organisation_id, id)
            .await?;
        transaction.commit().await?;
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
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
        self.audit_legal(
            &mut transaction,
            actor,
            organisation_id,
            AuditAction::Update,
            case_id,
            format!(
                "proceeding {proceeding_id} stage {id} ({}{outcome})",
                stage.stage
            ),
        )
        .await?;
        let stored = self
            .proceeding_with_stages(&mut transaction, organisation_id, proceeding_id)
            .await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn record_participation(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        participation: &NewParticipation,
    ) -> StoreResult<StoredParticipation> {
        let mut transaction = self.begin_write().await?;
        check_case(&mut transaction, organisation_id, case_id).await?;
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
        let row = sqlx::query(
            "INSERT INTO participations (case_id, organisation_id, proceeding_id, kind, participated_on,
                                         supports, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(case_id)
        .bind(organisation_id)
        .bind(participation.proceeding_id)
        .bind(participation.kind.code())
        .bind(iso(participation.participated_on))
        .bind(supports)
        .bind(&actor.name)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        let stored = participation_from_row(&row)?;
        self.audit_legal(
            &mut transaction,
            actor,
            organisation_id,
            AuditAction::Create,
            case_id,
            format!("participation {} ({})", stored.id, participation.kind),
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn record_certification(
        &self,
        actor: &Actor,
        organisation_id: i64,
        case_id: i64,
        certification: &NewCertification,
    ) -> StoreResult<StoredCertification> {
        let agency = required(&certification.agency, "agency")?;
        let mut transaction = self.begin_write().await?;
        check_case(&mut transaction, organisation_id, case_id).await?;
        let now = audit::now();
        let row = sqlx::query(
            "INSERT INTO certifications (case_id, organisation_id, kind, agency, status, asked_on,
                                         created_by, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(case_id)
        .bind(organisation_id)
        .bind(certification.kind.code())
        .bind(&agency)
        .bind(CertificationStatus::Asked.code())
        .bind(iso(certification.asked_on))
        .bind(&actor.name)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *transaction)
        .await?;
        let stored = certification_from_row(&row)?;
        self.audit_legal(
            &mut transaction,
            actor,
            organisation_id,
            AuditAction::Create,
            case_id,
            format!(
                "certification {} ({}): asked",
                stored.id, certification.kind
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
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
            "UPDATE certifications SET status = ?, decided_on = ?, updated_at = ?
             WHERE id = ? AND organisation_id = ? RETURNING *",
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
        self.audit_legal(
            &mut transaction,
            actor,
            organisation_id,
            AuditAction::Update,
            case_id,
            format!(
                "certification {certification_id} ({}): {status}",
                stored.kind
            ),
        )
        .await?;
        transaction.commit().await?;
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
        let mut transaction = self.begin_write().await?;
        check_case(&mut transaction, organisation_id, case_id).await?;
        let now = audit::now();
        let row = sqlx::query(
            "INSERT INTO relief_applications (case_id, organisation_id, relief, status, filed_on,
                                              created_by, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(case_id)
        .bind(organisation_id)
        .bind(application.relief.code())
        .bind(application.status.code())
        .bind(application.filed_on.map(iso))
        .bind(&actor.name)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *transaction)
        .await?;
        let stored = application_from_row(&row)?;
        self.audit_legal(
            &mut transaction,
            actor,
            organisation_id,
            AuditAction::Create,
            case_id,
            format!(
                "relief application {} ({}): {}",
                stored.id, application.relief, application.status
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
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
        let query = format!(
            "UPDATE relief_applications
             SET status = ?, {column} = ?, filed_on = COALESCE(filed_on, ?),
                 receipt_number = COALESCE(?, receipt_number), updated_at = ?
             WHERE id = ? AND organisation_id = ? RETURNING *"
        );
        let row = sqlx::query(&query)
            .bind(update.status.code())
            .bind(&on)
            .bind(&on)
            .bind(receipt_number)
            .bind(audit::now())
            .bind(application_id)
            .bind(organisation_id)
            .fetch_one(&mut *transaction)
            .await?;
        let stored = application_from_row(&row)?;
        self.audit_legal(
            &mut transaction,
            actor,
            organisation_id,
            AuditAction::Update,
            case_id,
            format!(
                "relief application {application_id} ({}): {}",
                stored.relief, update.status
            ),
        )
        .await?;
        transaction.commit().await?;
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
        let mut transaction = self.begin_write().await?;
        check_case(&mut transaction, organisation_id, case_id).await?;
        if let Some(screening_id) = assessment.screening_id {
            let screening_case: Option<i64> = sqlx::query_scalar(
                "SELECT case_id FROM screenings WHERE id = ? AND organisation_id = ?",
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
        let row = sqlx::query(
            "INSERT INTO relief_assessments (case_id, organisation_id, screening_id, input, result,
                                             rule_set_version, as_of, lang, performed_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(case_id)
        .bind(organisation_id)
        .bind(assessment.screening_id)
        .bind(assessment.input.to_string())
        .bind(assessment.result.to_string())
        .bind(&assessment.rule_set_version)
        .bind(iso(assessment.as_of))
        .bind(&assessment.lang)
        .bind(&actor.name)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        let stored = assessment_from_row(&row)?;
        self.audit_legal(
            &mut transaction,
            actor,
            organisation_id,
            AuditAction::Screen,
            case_id,
            format!(
                "relief assessment {} (rules {})",
                stored.id, assessment.rule_set_version
            ),
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
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
            "SELECT id FROM proceedings WHERE organisation_id = ? AND case_id = ? ORDER BY id",
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
