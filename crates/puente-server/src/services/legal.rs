//! The legal track's writes, shared by the JSON API and the case's legal page: each form (a report
//! to an authority, a proceeding, a stage, the survivor's participation, a certification and its
//! decision, a relief application and its steps, a perpetrator) read from its fields into the
//! store's types, refused with the field and a message in the user's language, written through
//! the store (which audits it), and, for a date still to come (a hearing, a trial, a testimony),
//! turned into a task on the case.
//!
//! Access is decided by `policy.rs` with the case actions: writing is `EditCase` on the case.

use puente_core::htcds::{Gender, PerpetratorRole};
use puente_core::legal::{
    ApplicationStatus, AuthorityKind, CertificationKind, CertificationStatus, ParticipationKind,
    ParticipationSupport, ProceedingStage, VerdictOutcome,
};
use puente_core::relief_facts::ReliefOptionKind;
use puente_core::{Country, Lang, Vocabulary};
use puente_screening::relief::parse_date;
use puente_store::{
    NewAuthorityReport, NewCertification, NewParticipation, NewPerpetrator, NewProceeding,
    NewProceedingStage, NewReliefApplication, NewTask, ReliefApplicationUpdate, StoreError,
    TaskDue, TaskSource,
};
use time::Date;

use crate::auth::Principal;
use crate::cases::{self, FormFields};
use crate::error::AppError;
use crate::policy::Action;
use crate::AppState;

/// The longest agency, court or office name, in characters.
pub const NAME_MAX_CHARS: usize = 200;
/// The longest reference or receipt number, in characters.
pub const REFERENCE_MAX_CHARS: usize = 120;

/// The forms of the legal track. Those about a record of the case carry its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegalForm {
    Report,
    Proceeding,
    Stage { proceeding_id: i64 },
    Participation,
    Certification,
    CertificationDecision { certification_id: i64 },
    Application,
    ApplicationUpdate { application_id: i64 },
    Perpetrator,
}

impl LegalForm {
    /// The form's id on the page (`report-form`, ...), also the anchor a saved form goes back to.
    pub fn code(self) -> &'static str {
        match self {
            LegalForm::Report => "report",
            LegalForm::Proceeding => "proceeding",
            LegalForm::Stage { .. } => "stage",
            LegalForm::Participation => "participation",
            LegalForm::Certification => "certification",
            LegalForm::CertificationDecision { .. } => "decision",
            LegalForm::Application => "application",
            LegalForm::ApplicationUpdate { .. } => "application-update",
            LegalForm::Perpetrator => "perpetrator",
        }
    }

    /// The section of the legal page the form belongs to (its heading's id).
    pub fn section(self) -> &'static str {
        match self {
            LegalForm::Report => "reports",
            LegalForm::Proceeding | LegalForm::Stage { .. } => "proceedings",
            LegalForm::Participation => "participations",
            LegalForm::Certification | LegalForm::CertificationDecision { .. } => "certifications",
            LegalForm::Application | LegalForm::ApplicationUpdate { .. } => "applications",
            LegalForm::Perpetrator => "perpetrators",
        }
    }

    /// The id of the record a form is about (a proceeding, certification or application).
    pub fn record_id(self) -> Option<i64> {
        match self {
            LegalForm::Stage { proceeding_id } => Some(proceeding_id),
            LegalForm::CertificationDecision { certification_id } => Some(certification_id),
            LegalForm::ApplicationUpdate { application_id } => Some(application_id),
            _ => None,
        }
    }
}

/// What is wrong with a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldProblem {
    Required,
    NotADate,
    InTheFuture,
    NotInTheList,
    TooLong { max: usize },
    OutcomeOnlyWithVerdict,
    VerdictNeedsOutcome,
    NotAYearOfBirth,
    NameOrAlias,
    AtLeastOneRole,
    NotADecision,
    FilingDateWithoutFiling,
    FiledWithoutFilingDate,
    NotBackToPreparing,
}

/// A refused field: which, why, and the value as it was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: FieldProblem,
    pub value: String,
}

impl FieldError {
    fn new(field: &'static str, problem: FieldProblem, value: &str) -> FieldError {
        FieldError {
            field,
            problem,
            value: value.to_string(),
        }
    }

    /// The message shown next to the field, in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let translations = crate::i18n::translations();
        let (id, max) = match self.problem {
            FieldProblem::Required => ("legal-error-required", None),
            FieldProblem::NotADate => ("legal-error-date", None),
            FieldProblem::InTheFuture => ("legal-error-future", None),
            FieldProblem::NotInTheList => ("legal-error-list", None),
            FieldProblem::TooLong { max } => ("legal-error-too-long", Some(max)),
            FieldProblem::OutcomeOnlyWithVerdict => ("legal-error-outcome-only-verdict", None),
            FieldProblem::VerdictNeedsOutcome => ("legal-error-verdict-outcome", None),
            FieldProblem::NotAYearOfBirth => ("legal-error-year", None),
            FieldProblem::NameOrAlias => ("legal-error-name-or-alias", None),
            FieldProblem::AtLeastOneRole => ("legal-error-role", None),
            FieldProblem::NotADecision => ("legal-error-decision", None),
            FieldProblem::FilingDateWithoutFiling => {
                ("legal-error-filing-date-without-filing", None)
            }
            FieldProblem::FiledWithoutFilingDate => ("legal-error-filed-without-date", None),
            FieldProblem::NotBackToPreparing => ("legal-error-not-back-to-preparing", None),
        };
        translations.text_with(
            lang,
            id,
            &[
                ("value", self.value.clone().into()),
                ("max", max.unwrap_or(0).into()),
            ],
        )
    }

    /// The API's error: 422 naming the field, with the message in the request's language.
    pub fn into_app_error(self, lang: Lang) -> AppError {
        AppError::InvalidField {
            field: self.field.to_string(),
            detail: self.message(lang),
        }
    }
}

/// Why a legal form was not recorded.
#[derive(Debug)]
pub enum LegalError {
    /// A field's value is refused: the form comes back filled in, the message by the field.
    Field(FieldError),
    /// Anything else (not found, forbidden, the store).
    App(AppError),
}

impl From<AppError> for LegalError {
    fn from(error: AppError) -> LegalError {
        LegalError::App(error)
    }
}

impl From<StoreError> for LegalError {
    fn from(error: StoreError) -> LegalError {
        LegalError::App(error.into())
    }
}

impl LegalError {
    /// As the API answers it.
    pub fn into_app_error(self, lang: Lang) -> AppError {
        match self {
            LegalError::Field(field) => field.into_app_error(lang),
            LegalError::App(error) => error,
        }
    }
}

type FieldResult<T> = Result<T, FieldError>;

fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

fn required_text(fields: &FormFields, field: &'static str, max: usize) -> FieldResult<String> {
    let text = optional_text(fields, field, max)?;
    text.ok_or_else(|| FieldError::new(field, FieldProblem::Required, ""))
}

fn optional_text(
    fields: &FormFields,
    field: &'static str,
    max: usize,
) -> FieldResult<Option<String>> {
    match fields.get(field) {
        None => Ok(None),
        Some(text) if text.chars().count() > max => {
            Err(FieldError::new(field, FieldProblem::TooLong { max }, text))
        }
        Some(text) => Ok(Some(text.to_string())),
    }
}

fn code<V: Vocabulary>(fields: &FormFields, field: &'static str) -> FieldResult<V> {
    let text = fields
        .get(field)
        .ok_or_else(|| FieldError::new(field, FieldProblem::Required, ""))?;
    V::from_code(text).ok_or_else(|| FieldError::new(field, FieldProblem::NotInTheList, text))
}

fn optional_code<V: Vocabulary>(
    fields: &FormFields,
    field: &'static str,
) -> FieldResult<Option<V>> {
    match fields.get(field) {
        None => Ok(None),
        Some(_) => code(fields, field).map(Some),
    }
}

fn codes<V: Vocabulary + PartialEq>(
    fields: &FormFields,
    field: &'static str,
) -> FieldResult<Vec<V>> {
    let mut found = Vec::new();
    for text in fields.all(field) {
        let value = V::from_code(text)
            .ok_or_else(|| FieldError::new(field, FieldProblem::NotInTheList, text))?;
        if !found.contains(&value) {
            found.push(value);
        }
    }
    Ok(found)
}

fn optional_country(fields: &FormFields, field: &'static str) -> FieldResult<Option<Country>> {
    match fields.get(field) {
        None => Ok(None),
        Some(text) => Country::from_alpha_2(&text.to_uppercase())
            .map(Some)
            .ok_or_else(|| FieldError::new(field, FieldProblem::NotInTheList, text)),
    }
}

/// A date written YYYY-MM-DD; `past_only` refuses one after today.
fn date(fields: &FormFields, field: &'static str, past_only: bool) -> FieldResult<Date> {
    let text = fields
        .get(field)
        .ok_or_else(|| FieldError::new(field, FieldProblem::Required, ""))?;
    let day =
        parse_date(text).ok_or_else(|| FieldError::new(field, FieldProblem::NotADate, text))?;
    if past_only && day > today() {
        return Err(FieldError::new(field, FieldProblem::InTheFuture, text));
    }
    Ok(day)
}

fn optional_date(fields: &FormFields, field: &'static str) -> FieldResult<Option<Date>> {
    match fields.get(field) {
        None => Ok(None),
        Some(_) => date(fields, field, true).map(Some),
    }
}

/// A report to an authority: its date is not in the future.
impl TryFrom<&FormFields> for NewAuthorityReport {
    type Error = FieldError;

    fn try_from(fields: &FormFields) -> FieldResult<NewAuthorityReport> {
        Ok(NewAuthorityReport {
            authority: code::<AuthorityKind>(fields, "authority")?,
            agency: required_text(fields, "agency", NAME_MAX_CHARS)?,
            reported_on: date(fields, "reported_on", true)?,
            reference: optional_text(fields, "reference", REFERENCE_MAX_CHARS)?,
        })
    }
}

impl TryFrom<&FormFields> for NewProceeding {
    type Error = FieldError;

    fn try_from(fields: &FormFields) -> FieldResult<NewProceeding> {
        Ok(NewProceeding {
            country: optional_country(fields, "country")?,
            court_or_office: required_text(fields, "court_or_office", NAME_MAX_CHARS)?,
            reference: optional_text(fields, "reference", REFERENCE_MAX_CHARS)?,
        })
    }
}

/// A stage, on a date that may be to come (a trial set for a day); a verdict carries its outcome
/// and no other stage does.
impl TryFrom<&FormFields> for NewProceedingStage {
    type Error = FieldError;

    fn try_from(fields: &FormFields) -> FieldResult<NewProceedingStage> {
        let stage = code::<ProceedingStage>(fields, "stage")?;
        let stage_on = date(fields, "stage_on", false)?;
        let outcome = optional_code::<VerdictOutcome>(fields, "outcome")?;
        match (stage, outcome) {
            (ProceedingStage::Verdict, None) => Err(FieldError::new(
                "outcome",
                FieldProblem::VerdictNeedsOutcome,
                "",
            )),
            (ProceedingStage::Verdict, Some(_)) | (_, None) => Ok(NewProceedingStage {
                stage,
                stage_on,
                outcome,
            }),
            (_, Some(outcome)) => Err(FieldError::new(
                "outcome",
                FieldProblem::OutcomeOnlyWithVerdict,
                outcome.code(),
            )),
        }
    }
}

/// The survivor's participation, on a date that may be to come (a testimony set for a day).
impl TryFrom<&FormFields> for NewParticipation {
    type Error = FieldError;

    fn try_from(fields: &FormFields) -> FieldResult<NewParticipation> {
        let proceeding_id =
            match fields.get("proceeding_id") {
                None => None,
                Some(text) => Some(text.parse::<i64>().map_err(|_| {
                    FieldError::new("proceeding_id", FieldProblem::NotInTheList, text)
                })?),
            };
        Ok(NewParticipation {
            proceeding_id,
            kind: code::<ParticipationKind>(fields, "kind")?,
            participated_on: date(fields, "participated_on", false)?,
            supports: codes::<ParticipationSupport>(fields, "supports")?,
        })
    }
}

impl TryFrom<&FormFields> for NewCertification {
    type Error = FieldError;

    fn try_from(fields: &FormFields) -> FieldResult<NewCertification> {
        Ok(NewCertification {
            kind: code::<CertificationKind>(fields, "kind")?,
            agency: required_text(fields, "agency", NAME_MAX_CHARS)?,
            asked_on: date(fields, "asked_on", true)?,
        })
    }
}

/// A certification's decision: signed or refused, on a day not in the future.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificationDecision {
    pub status: CertificationStatus,
    pub decided_on: Date,
}

impl TryFrom<&FormFields> for CertificationDecision {
    type Error = FieldError;

    fn try_from(fields: &FormFields) -> FieldResult<CertificationDecision> {
        let status = code::<CertificationStatus>(fields, "status")?;
        if status == CertificationStatus::Asked {
            return Err(FieldError::new(
                "status",
                FieldProblem::NotADecision,
                status.code(),
            ));
        }
        Ok(CertificationDecision {
            status,
            decided_on: date(fields, "decided_on", true)?,
        })
    }
}

/// A relief application: its type, its status (being prepared when not given), its filing date.
/// A filing date is given exactly when the status says the application was filed.
impl TryFrom<&FormFields> for NewReliefApplication {
    type Error = FieldError;

    fn try_from(fields: &FormFields) -> FieldResult<NewReliefApplication> {
        let application = NewReliefApplication {
            relief: code::<ReliefOptionKind>(fields, "relief")?,
            status: optional_code::<ApplicationStatus>(fields, "status")?
                .unwrap_or(ApplicationStatus::Preparing),
            filed_on: optional_date(fields, "filed_on")?,
        };
        match (application.status.is_sought(), application.filed_on) {
            (false, Some(filed_on)) => Err(FieldError::new(
                "filed_on",
                FieldProblem::FilingDateWithoutFiling,
                &filed_on.to_string(),
            )),
            (true, None) => Err(FieldError::new(
                "filed_on",
                FieldProblem::FiledWithoutFilingDate,
                "",
            )),
            _ => Ok(application),
        }
    }
}

/// A later step of an application: any status but "being prepared", on a day not in the future.
impl TryFrom<&FormFields> for ReliefApplicationUpdate {
    type Error = FieldError;

    fn try_from(fields: &FormFields) -> FieldResult<ReliefApplicationUpdate> {
        let status = code::<ApplicationStatus>(fields, "status")?;
        if status == ApplicationStatus::Preparing {
            return Err(FieldError::new(
                "status",
                FieldProblem::NotBackToPreparing,
                status.code(),
            ));
        }
        Ok(ReliefApplicationUpdate {
            status,
            on: date(fields, "on", true)?,
            receipt_number: optional_text(fields, "receipt_number", REFERENCE_MAX_CHARS)?,
        })
    }
}

/// A perpetrator: a name, a surname or an alias, and at least one HTCDS role.
impl TryFrom<&FormFields> for NewPerpetrator {
    type Error = FieldError;

    fn try_from(fields: &FormFields) -> FieldResult<NewPerpetrator> {
        let max = puente_store::perpetrators::PERPETRATOR_TEXT_MAX_CHARS;
        let birth_year = match fields.get("birth_year") {
            None => None,
            Some(text) => Some(
                text.parse::<i32>()
                    .ok()
                    .filter(|year| (1900..=today().year()).contains(year))
                    .ok_or_else(|| {
                        FieldError::new("birth_year", FieldProblem::NotAYearOfBirth, text)
                    })?,
            ),
        };
        let perpetrator = NewPerpetrator {
            given_name: optional_text(fields, "given_name", max)?,
            surname: optional_text(fields, "surname", max)?,
            alias: optional_text(fields, "alias", max)?,
            sex: optional_code::<Gender>(fields, "sex")?,
            nationality: optional_country(fields, "nationality")?,
            phone: optional_text(fields, "phone", max)?,
            birth_year,
            roles: codes::<PerpetratorRole>(fields, "roles")?,
        };
        if perpetrator.given_name.is_none()
            && perpetrator.surname.is_none()
            && perpetrator.alias.is_none()
        {
            return Err(FieldError::new("given_name", FieldProblem::NameOrAlias, ""));
        }
        if perpetrator.roles.is_empty() {
            return Err(FieldError::new("roles", FieldProblem::AtLeastOneRole, ""));
        }
        Ok(perpetrator)
    }
}

/// The key of the task a stage's date becomes.
fn stage_task_key(stage_id: i64, stage: ProceedingStage) -> String {
    format!("legal_stage_{stage_id}:{}", stage.code())
}

/// The key of the task a participation's date becomes.
fn participation_task_key(participation_id: i64, kind: ParticipationKind) -> String {
    format!("legal_participation_{participation_id}:{}", kind.code())
}

/// Separates the label of a legal-track task's title from the court or office it names.
const TITLE_SEPARATOR: &str = " — ";

/// The title of a legal-track task in the reader's language: the stage's or participation's label
/// from the task's key, then the court or office as it was written. `None` for other tasks.
pub fn task_title(source_key: Option<&str>, stored_title: &str, lang: Lang) -> Option<String> {
    let key = source_key?;
    let code = key.split_once(':')?.1;
    let label = if key.starts_with("legal_stage_") {
        ProceedingStage::from_code(code)?.label_in(lang)
    } else if key.starts_with("legal_participation_") {
        ParticipationKind::from_code(code)?.label_in(lang)
    } else {
        return None;
    };
    Some(match stored_title.split_once(TITLE_SEPARATOR) {
        Some((_, place)) => format!("{label}{TITLE_SEPARATOR}{place}"),
        None => label.to_string(),
    })
}

/// A task for a legal-track date still to come; none for a day already past.
fn dated_task(
    case_id: i64,
    key: String,
    label: &str,
    place: &str,
    day: Date,
    assignee_user_id: i64,
) -> Option<NewTask> {
    (day >= today()).then(|| NewTask {
        case_id,
        title: format!("{label}{TITLE_SEPARATOR}{place}"),
        due: TaskDue::Day(day),
        assignee_user_id,
        source: TaskSource::Legal,
        source_key: Some(key),
    })
}

/// What a recorded form created or changed: the record's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub id: i64,
}

/// Records one legal-track form on a case, after the policy check (`EditCase`): the record is
/// written (and audited) by the store; a date still to come becomes a task on the case.
pub async fn record(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
    form: LegalForm,
    fields: &FormFields,
    lang: Lang,
) -> Result<Recorded, LegalError> {
    let access = cases::authorize_case(state, principal, Action::EditCase, case_id).await?;
    let organisation_id = access.organisation_id;
    let actor = principal.actor();
    let store = &state.store;
    let assignee = access.owner_user_id.unwrap_or(principal.user.id);
    // A record the form is about must be of this case: otherwise it is not found.
    let track = store.legal_track(organisation_id, case_id).await?;
    let of_this_case = match form {
        LegalForm::Stage { proceeding_id } => {
            track.proceedings.iter().any(|p| p.id == proceeding_id)
        }
        LegalForm::CertificationDecision { certification_id } => track
            .certifications
            .iter()
            .any(|c| c.id == certification_id),
        LegalForm::ApplicationUpdate { application_id } => {
            track.applications.iter().any(|a| a.id == application_id)
        }
        _ => true,
    };
    if !of_this_case {
        return Err(LegalError::App(AppError::NotFound));
    }
    let field = LegalError::Field;
    let recorded = match form {
        LegalForm::Report => {
            let report = NewAuthorityReport::try_from(fields).map_err(field)?;
            store
                .record_authority_report(&actor, organisation_id, case_id, &report)
                .await?
                .id
        }
        LegalForm::Proceeding => {
            let proceeding = NewProceeding::try_from(fields).map_err(field)?;
            store
                .record_proceeding(&actor, organisation_id, case_id, &proceeding)
                .await?
                .id
        }
        LegalForm::Stage { proceeding_id } => {
            let stage = NewProceedingStage::try_from(fields).map_err(field)?;
            let proceeding = store
                .record_proceeding_stage(&actor, organisation_id, proceeding_id, &stage)
                .await?;
            let stored = proceeding
                .stages
                .iter()
                .filter(|s| s.stage == stage)
                .max_by_key(|s| s.id)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the stage was not stored")))?;
            let task = dated_task(
                case_id,
                stage_task_key(stored.id, stage.stage),
                stage.stage.label_in(lang),
                &proceeding.proceeding.court_or_office,
                stage.stage_on,
                assignee,
            );
            store
                .ensure_deadline_tasks(&actor, organisation_id, &Vec::from_iter(task))
                .await?;
            stored.id
        }
        LegalForm::Participation => {
            let participation = NewParticipation::try_from(fields).map_err(field)?;
            let place = match participation.proceeding_id {
                None => String::new(),
                Some(id) => track
                    .proceedings
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.proceeding.court_or_office.clone())
                    .ok_or_else(|| {
                        field(FieldError::new(
                            "proceeding_id",
                            FieldProblem::NotInTheList,
                            &id.to_string(),
                        ))
                    })?,
            };
            let stored = store
                .record_participation(&actor, organisation_id, case_id, &participation)
                .await?;
            let task = dated_task(
                case_id,
                participation_task_key(stored.id, participation.kind),
                participation.kind.label_in(lang),
                &place,
                participation.participated_on,
                assignee,
            );
            store
                .ensure_deadline_tasks(&actor, organisation_id, &Vec::from_iter(task))
                .await?;
            stored.id
        }
        LegalForm::Certification => {
            let certification = NewCertification::try_from(fields).map_err(field)?;
            store
                .record_certification(&actor, organisation_id, case_id, &certification)
                .await?
                .id
        }
        LegalForm::CertificationDecision { certification_id } => {
            let decision = CertificationDecision::try_from(fields).map_err(field)?;
            store
                .decide_certification(
                    &actor,
                    organisation_id,
                    certification_id,
                    decision.status,
                    decision.decided_on,
                )
                .await?
                .id
        }
        LegalForm::Application => {
            let application = NewReliefApplication::try_from(fields).map_err(field)?;
            store
                .record_relief_application(&actor, organisation_id, case_id, &application)
                .await?
                .id
        }
        LegalForm::ApplicationUpdate { application_id } => {
            let update = ReliefApplicationUpdate::try_from(fields).map_err(field)?;
            store
                .update_relief_application(&actor, organisation_id, application_id, &update)
                .await?
                .id
        }
        LegalForm::Perpetrator => {
            let perpetrator = NewPerpetrator::try_from(fields).map_err(field)?;
            store
                .record_perpetrator(&actor, organisation_id, case_id, &perpetrator)
                .await?
                .id
        }
    };
    Ok(Recorded { id: recorded })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn a_report_converts_and_a_report_of_tomorrow_is_refused_naming_its_date() {
        let report = NewAuthorityReport::try_from(&fields_of(&[
            ("authority", "police"),
            ("agency", "Policía de demostración"),
            ("reported_on", "2026-11-02"),
            ("reference", ""),
        ]))
        .unwrap();
        assert_eq!(report.authority, AuthorityKind::Police);
        assert_eq!(report.agency, "Policía de demostración");
        assert_eq!(report.reference, None);
        let tomorrow = (today() + time::Duration::days(1)).to_string();
        let refusal = NewAuthorityReport::try_from(&fields_of(&[
            ("authority", "police"),
            ("agency", "Policía"),
            ("reported_on", &tomorrow),
        ]))
        .unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem, refusal.value.as_str()),
            ("reported_on", FieldProblem::InTheFuture, tomorrow.as_str())
        );
        let refusal = NewAuthorityReport::try_from(&fields_of(&[
            ("authority", "sheriff"),
            ("agency", "Policía"),
            ("reported_on", "2026-11-02"),
        ]))
        .unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem),
            ("authority", FieldProblem::NotInTheList)
        );
    }

    #[test]
    fn only_a_verdict_carries_an_outcome_and_a_verdict_needs_one() {
        let verdict = NewProceedingStage::try_from(&fields_of(&[
            ("stage", "verdict"),
            ("stage_on", "2026-11-02"),
            ("outcome", "conviction"),
        ]))
        .unwrap();
        assert_eq!(verdict.stage, ProceedingStage::Verdict);
        assert!(verdict.outcome.is_some());
        let refusal = NewProceedingStage::try_from(&fields_of(&[
            ("stage", "verdict"),
            ("stage_on", "2026-11-02"),
        ]))
        .unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem),
            ("outcome", FieldProblem::VerdictNeedsOutcome)
        );
        let refusal = NewProceedingStage::try_from(&fields_of(&[
            ("stage", "charges"),
            ("stage_on", "2026-11-02"),
            ("outcome", "conviction"),
        ]))
        .unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem),
            ("outcome", FieldProblem::OutcomeOnlyWithVerdict)
        );
    }

    #[test]
    fn a_decision_is_signed_or_refused_and_a_filed_application_has_its_day() {
        let decision = CertificationDecision::try_from(&fields_of(&[
            ("status", "signed"),
            ("decided_on", "2026-11-02"),
        ]))
        .unwrap();
        assert_eq!(decision.status, CertificationStatus::Signed);
        let refusal = CertificationDecision::try_from(&fields_of(&[
            ("status", "asked"),
            ("decided_on", "2026-11-02"),
        ]))
        .unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem),
            ("status", FieldProblem::NotADecision)
        );
        let refusal = NewReliefApplication::try_from(&fields_of(&[
            ("relief", "us_t_visa"),
            ("status", "filed"),
        ]))
        .unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem),
            ("filed_on", FieldProblem::FiledWithoutFilingDate)
        );
        let application =
            NewReliefApplication::try_from(&fields_of(&[("relief", "us_t_visa")])).unwrap();
        assert_eq!(application.status, ApplicationStatus::Preparing);
        let refusal = ReliefApplicationUpdate::try_from(&fields_of(&[
            ("status", "preparing"),
            ("on", "2026-11-02"),
        ]))
        .unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem),
            ("status", FieldProblem::NotBackToPreparing)
        );
    }

    #[test]
    fn a_perpetrator_needs_a_name_or_an_alias_and_a_role() {
        let refusal = NewPerpetrator::try_from(&fields_of(&[("roles", "RecruiterOrIntermediary")]))
            .unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem),
            ("given_name", FieldProblem::NameOrAlias)
        );
        let refusal = NewPerpetrator::try_from(&fields_of(&[("alias", "El Chino")])).unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem),
            ("roles", FieldProblem::AtLeastOneRole)
        );
        let refusal = NewPerpetrator::try_from(&fields_of(&[
            ("alias", "El Chino"),
            ("roles", "RecruiterOrIntermediary"),
            ("birth_year", "1850"),
        ]))
        .unwrap_err();
        assert_eq!(
            (refusal.field, refusal.problem, refusal.value.as_str()),
            ("birth_year", FieldProblem::NotAYearOfBirth, "1850")
        );
        let perpetrator = NewPerpetrator::try_from(&fields_of(&[
            ("alias", "El Chino"),
            ("roles", "RecruiterOrIntermediary"),
            ("roles", "Transporter"),
        ]))
        .unwrap();
        assert_eq!(perpetrator.alias.as_deref(), Some("El Chino"));
        assert_eq!(perpetrator.roles.len(), 2);
    }
}
