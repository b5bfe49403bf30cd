//! A case's "Protección legal / Legal protection" section: the relief options computed from the
//! case's latest screening and the person (through the pure relief screener), the relief questions
//! still missing asked one per page, and the legal track (reports to authorities, proceedings,
//! certifications, relief applications). Every relief result a question produces is stored with
//! its rule-set version.
//!
//! Access goes through `policy.rs` with the case actions: reading the section is `ViewCase`,
//! answering relief questions `ScreenCase`, recording a report `EditCase`. A case out of scope is
//! 404; a role that never has the action (an analyst) is 403.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use puente_core::htcds::{Gender, PerpetratorRole};
use puente_core::legal::{
    ApplicationStatus, AuthorityKind, CertificationKind, CertificationStatus, ParticipationKind,
    ParticipationSupport, ProceedingStage, VerdictOutcome,
};
use puente_core::relief_facts::ReliefFact;
use puente_core::relief_facts::ReliefOptionKind;
use puente_core::{Lang, Vocabulary};
use puente_screening::relief::{
    assess_relief, format_date, parse_date, ReliefInput, ReliefResult, ReliefStatus,
};
use puente_screening::ScreeningInput;
use puente_store::{NewReliefAssessment, StoredCase};
use serde::{Deserialize, Serialize};

use crate::auth::{see_other, PageUser};
use crate::cases::{self, FormFields};
use crate::error::{AppError, PageError};
use crate::forms::{refused, CheckedForm, FormRefusal};
use crate::policy::{self, Action};
use crate::services::legal::{self as legal_service, FieldError, LegalError, LegalForm};
use crate::services::perpetrators::{linked_perpetrators, written_name};
use crate::templates::page;
use crate::AppState;

/// The relief input of a case: the latest screening's person and facts, the person's date of
/// birth, and the relief facts answered in the latest stored relief result. `None` before any
/// screening. Also returns the latest screening's id.
async fn relief_input(
    state: &AppState,
    stored: &StoredCase,
) -> Result<Option<(ReliefInput, Option<i64>)>, PageError> {
    let screenings = state.store.screenings_for_case(stored.id).await?;
    let Some(screening) = screenings.last() else {
        return Ok(None);
    };
    let screening_input: ScreeningInput = serde_json::from_value(screening.input.clone())
        .map_err(|error| AppError::Internal(error.into()))?;
    let mut input = ReliefInput::from_screening(&screening_input);
    let person = &stored.case.person;
    input.person.nationality = input.person.nationality.or(person.nationality);
    input.person.current_country = input.person.current_country.or(person.current_country);
    if let Some(born) = person.date_of_birth {
        if let (Some(month), Some(day)) = (born.month, born.day) {
            input.person.date_of_birth =
                parse_date(&format!("{:04}-{month:02}-{day:02}", born.year));
        }
    }
    let assessments = state
        .store
        .relief_assessments(stored.organisation_id, stored.id)
        .await?;
    if let Some(latest) = assessments.last() {
        if let Ok(previous) = serde_json::from_value::<ReliefInput>(latest.assessment.input.clone())
        {
            input.relief_facts = previous.relief_facts;
            input.person.married = previous.person.married;
            input.person.us_arrival = previous.person.us_arrival;
        }
    }
    Ok(Some((input, Some(screening.id))))
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

#[derive(Serialize)]
struct OptionView {
    id: String,
    name: String,
    status: String,
    status_label: String,
    explanation: String,
    next_steps: Vec<String>,
    deadline: Option<String>,
    deadline_passed: bool,
}

fn option_views(result: &ReliefResult, lang: Lang) -> Vec<OptionView> {
    let mut views: Vec<OptionView> = result
        .options
        .iter()
        .map(|option| OptionView {
            id: option.id.code().to_string(),
            name: option.id.label_in(lang).to_string(),
            status: option.status.code().to_string(),
            status_label: option.status.label().get(lang).to_string(),
            explanation: option.explanation.clone(),
            next_steps: option.next_steps.clone(),
            deadline: option.deadline.as_ref().map(|d| d.text.clone()),
            deadline_passed: option.deadline.as_ref().is_some_and(|d| d.passed),
        })
        .collect();
    // Likely first, then possible, then not indicated; relief.md's order within each.
    views.sort_by_key(|view| match view.status.as_str() {
        "likely" => 0,
        "possible" => 1,
        _ => 2,
    });
    views
}

/// One relief question: a relief fact, or the person's marital status (for SIJS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReliefQuestion {
    Fact(ReliefFact),
    Married,
}

impl ReliefQuestion {
    fn key(self) -> &'static str {
        match self {
            ReliefQuestion::Fact(fact) => fact.code(),
            ReliefQuestion::Married => "married",
        }
    }

    fn parse(key: &str) -> Option<ReliefQuestion> {
        if key == "married" {
            return Some(ReliefQuestion::Married);
        }
        ReliefFact::from_code(key).map(ReliefQuestion::Fact)
    }

    fn text(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ReliefQuestion::Fact(fact), _) => fact.label_in(lang),
            (ReliefQuestion::Married, Lang::Es) => "está casada o casado",
            (ReliefQuestion::Married, Lang::En) => "is married",
        }
    }
}

/// The relief questions still missing, in the options' order, without those already answered:
/// what an option that is not ruled out still lacks (a relief fact, or whether the person is
/// married), and the relief facts whose absence alone rules an option out (fear of return, a
/// parent's abuse, ...): a yes may open it.
fn missing_questions(
    result: &ReliefResult,
    input: &ReliefInput,
    answered: &[String],
) -> Vec<ReliefQuestion> {
    let mut questions = Vec::new();
    let absent_fact = |code: &str| {
        ReliefFact::from_code(code).is_some_and(|fact| !input.relief_facts.contains(&fact))
    };
    for option in &result.options {
        let codes: &[String] = if option.status != ReliefStatus::NotIndicated {
            &option.missing
        } else if option.blocking.iter().all(|code| absent_fact(code)) {
            &option.blocking
        } else {
            continue;
        };
        for code in codes {
            if let Some(question) = ReliefQuestion::parse(code) {
                if !questions.contains(&question) && !answered.iter().any(|a| a == code) {
                    questions.push(question);
                }
            }
        }
    }
    questions
}

/// A form of the legal track as the page shows it: where it posts, the values of its fields
/// (what was sent when it was refused, else the defaults) and the refused field with its message.
#[derive(Serialize)]
struct FormView {
    /// The form's id on the page (`report-form`, `stage-form-3`, ...).
    id: String,
    action: String,
    values: BTreeMap<String, String>,
    lists: BTreeMap<String, Vec<String>>,
    error_field: String,
    error: String,
}

/// A form sent and refused: the form, its fields as sent, the refused field.
struct Refused {
    id: String,
    fields: FormFields,
    error: FieldError,
}

/// The fields of each form with their defaults: dates default to today.
fn form_defaults(
    form: &str,
    today: &str,
) -> (&'static [&'static str], Vec<(&'static str, String)>) {
    let day = |name: &'static str| vec![(name, today.to_string())];
    match form {
        "report" => (
            &["authority", "agency", "reported_on", "reference"],
            vec![
                ("authority", "police".into()),
                ("reported_on", today.into()),
            ],
        ),
        "proceeding" => (&["country", "court_or_office", "reference"], vec![]),
        "stage" => (&["stage", "stage_on", "outcome"], day("stage_on")),
        "participation" => (
            &["proceeding_id", "kind", "participated_on", "supports"],
            day("participated_on"),
        ),
        "certification" => (&["kind", "agency", "asked_on"], day("asked_on")),
        "decision" => (&["status", "decided_on"], day("decided_on")),
        "application" => (&["relief", "status", "filed_on"], vec![]),
        "application-update" => (&["status", "on", "receipt_number"], day("on")),
        _ => (
            &[
                "given_name",
                "surname",
                "alias",
                "sex",
                "nationality",
                "phone",
                "birth_year",
                "roles",
            ],
            vec![],
        ),
    }
}

/// The fields that take several values (check boxes).
const LIST_FIELDS: [&str; 2] = ["supports", "roles"];

fn form_view(
    form: LegalForm,
    case_id: i64,
    refused: Option<&Refused>,
    today: &str,
    lang: Lang,
) -> FormView {
    let id = match form.record_id() {
        Some(record) => format!("{}-form-{record}", form.code()),
        None => format!("{}-form", form.code()),
    };
    let action = match form.record_id() {
        Some(record) => format!("/cases/{case_id}/legal/{}/{record}", form.code()),
        None => format!("/cases/{case_id}/legal/{}", form.code()),
    };
    let (names, defaults) = form_defaults(form.code(), today);
    let refused = refused.filter(|refused| refused.id == id);
    let mut values: BTreeMap<String, String> = names
        .iter()
        .filter(|name| !LIST_FIELDS.contains(name))
        .map(|name| (name.to_string(), String::new()))
        .collect();
    let mut lists: BTreeMap<String, Vec<String>> = names
        .iter()
        .filter(|name| LIST_FIELDS.contains(name))
        .map(|name| (name.to_string(), Vec::new()))
        .collect();
    match refused {
        None => {
            for (name, value) in defaults {
                values.insert(name.to_string(), value);
            }
        }
        Some(refused) => {
            for name in values.clone().keys() {
                let sent = refused.fields.get(name).unwrap_or("").to_string();
                values.insert(name.clone(), sent);
            }
            for (name, list) in lists.iter_mut() {
                *list = refused
                    .fields
                    .all(name)
                    .into_iter()
                    .map(str::to_string)
                    .collect();
            }
        }
    }
    FormView {
        id,
        action,
        values,
        lists,
        error_field: refused
            .map(|refused| refused.error.field.to_string())
            .unwrap_or_default(),
        error: refused
            .map(|refused| refused.error.message(lang))
            .unwrap_or_default(),
    }
}

/// The codes and labels of a vocabulary, for a form's choices.
fn choices<V: Vocabulary>(lang: Lang) -> Vec<(String, String)> {
    V::all()
        .iter()
        .map(|value| (value.code().to_string(), value.label_in(lang).to_string()))
        .collect()
}

#[derive(Serialize)]
struct ReportView {
    authority: String,
    agency: String,
    reported_on: String,
    reference: Option<String>,
}

#[derive(Serialize)]
struct ProceedingView {
    id: i64,
    court_or_office: String,
    country: Option<String>,
    reference: Option<String>,
    stages: Vec<String>,
    stage_form: FormView,
}

#[derive(Serialize)]
struct ParticipationView {
    text: String,
    supports: Vec<String>,
}

#[derive(Serialize)]
struct CertificationView {
    id: i64,
    kind: String,
    agency: String,
    asked_on: String,
    status: String,
    status_label: String,
    decided_on: Option<String>,
    decision_form: Option<FormView>,
}

#[derive(Serialize)]
struct ApplicationView {
    id: i64,
    relief: String,
    status: String,
    filed_on: Option<String>,
    receipt: Option<String>,
    decided_on: Option<String>,
    step_form: FormView,
}

#[derive(Serialize)]
struct PerpetratorView {
    name: String,
    alias: Option<String>,
    roles: String,
    nationality: Option<String>,
}

/// `GET /cases/{id}/legal`: the relief options and the legal track.
pub async fn legal_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
) -> Result<Response, PageError> {
    render_legal_page(&state, &user, case_id, None).await
}

/// The legal page, with a refused form filled in as it was sent and its message by the field
/// (422), or as it stands (200).
async fn render_legal_page(
    state: &AppState,
    user: &PageUser,
    case_id: i64,
    refused: Option<Refused>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let stored = cases::read_case(state, &user.principal, Action::ViewCase, case_id).await?;
    let track = state
        .store
        .legal_track(stored.organisation_id, case_id)
        .await?;
    let perpetrators = state
        .store
        .perpetrators_of_case(stored.organisation_id, case_id)
        .await?;
    let relief = relief_input(state, &stored).await?;
    let (options, questions_left, rule_set_version) = match &relief {
        Some((input, _)) => {
            let result = assess_relief(input, today(), lang);
            (
                option_views(&result, lang),
                missing_questions(&result, input, &[]).len(),
                Some(result.rule_set_version),
            )
        }
        None => (Vec::new(), 0, None),
    };
    let scope = Some(policy::CaseScope {
        organisation_id: stored.organisation_id,
        owner_user_id: stored.owner_user_id,
    });
    let allowed =
        |action| policy::authorize(&user.subject(), action, scope) == policy::Decision::Allow;
    let today_text = format_date(today());
    let refused = refused.as_ref();
    let form = |form: LegalForm| form_view(form, case_id, refused, &today_text, lang);
    let reports: Vec<ReportView> = track
        .reports
        .iter()
        .map(|report| ReportView {
            authority: report.report.authority.label_in(lang).to_string(),
            agency: report.report.agency.clone(),
            reported_on: format_date(report.report.reported_on),
            reference: report.report.reference.clone(),
        })
        .collect();
    let proceedings: Vec<ProceedingView> = track
        .proceedings
        .iter()
        .map(|proceeding| ProceedingView {
            id: proceeding.id,
            court_or_office: proceeding.proceeding.court_or_office.clone(),
            country: proceeding
                .proceeding
                .country
                .map(|country| country.label().get(lang).to_string()),
            reference: proceeding.proceeding.reference.clone(),
            stages: proceeding
                .stages
                .iter()
                .map(|stage| {
                    let outcome = stage
                        .stage
                        .outcome
                        .map(|o| format!(": {}", o.label_in(lang)))
                        .unwrap_or_default();
                    format!(
                        "{} {}{outcome}",
                        format_date(stage.stage.stage_on),
                        stage.stage.stage.label_in(lang)
                    )
                })
                .collect(),
            stage_form: form(LegalForm::Stage {
                proceeding_id: proceeding.id,
            }),
        })
        .collect();
    let participations: Vec<ParticipationView> = track
        .participations
        .iter()
        .map(|participation| {
            let place = participation
                .participation
                .proceeding_id
                .and_then(|id| track.proceedings.iter().find(|p| p.id == id))
                .map(|p| format!(" ({})", p.proceeding.court_or_office))
                .unwrap_or_default();
            ParticipationView {
                text: format!(
                    "{}: {}{place}",
                    format_date(participation.participation.participated_on),
                    participation.participation.kind.label_in(lang)
                ),
                supports: participation
                    .participation
                    .supports
                    .iter()
                    .map(|support| support.label_in(lang).to_string())
                    .collect(),
            }
        })
        .collect();
    let certifications: Vec<CertificationView> = track
        .certifications
        .iter()
        .map(|certification| CertificationView {
            id: certification.id,
            kind: certification.kind.label_in(lang).to_string(),
            agency: certification.agency.clone(),
            asked_on: format_date(certification.asked_on),
            status: certification.status.code().to_string(),
            status_label: certification.status.label_in(lang).to_string(),
            decided_on: certification.decided_on.map(format_date),
            decision_form: (certification.status == CertificationStatus::Asked).then(|| {
                form(LegalForm::CertificationDecision {
                    certification_id: certification.id,
                })
            }),
        })
        .collect();
    let applications: Vec<ApplicationView> = track
        .applications
        .iter()
        .map(|application| ApplicationView {
            id: application.id,
            relief: application.relief.label_in(lang).to_string(),
            status: application.status.label_in(lang).to_string(),
            filed_on: application.filed_on.map(format_date),
            receipt: application
                .receipt_on
                .map(|on| match &application.receipt_number {
                    Some(number) => format!("{} ({number})", format_date(on)),
                    None => format_date(on),
                }),
            decided_on: application.decided_on.map(format_date),
            step_form: form(LegalForm::ApplicationUpdate {
                application_id: application.id,
            }),
        })
        .collect();
    let perpetrators: Vec<PerpetratorView> = perpetrators
        .iter()
        .map(|record| PerpetratorView {
            name: written_name(record).unwrap_or_default(),
            alias: record.perpetrator.alias.clone(),
            roles: record
                .perpetrator
                .roles
                .iter()
                .map(|role| role.label_in(lang))
                .collect::<Vec<_>>()
                .join(", "),
            nationality: record
                .perpetrator
                .nationality
                .map(|country| country.label().get(lang).to_string()),
        })
        .collect();
    let proceeding_choices: Vec<(String, String)> = track
        .proceedings
        .iter()
        .map(|p| (p.id.to_string(), p.proceeding.court_or_office.clone()))
        .collect();
    let decisions: Vec<(String, String)> =
        [CertificationStatus::Signed, CertificationStatus::Refused]
            .iter()
            .map(|status| (status.code().to_string(), status.label_in(lang).to_string()))
            .collect();
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = page(
        user,
        &format!("/cases/{case_id}/legal"),
        "legal_case.html",
        context! {
            case_id => case_id,
            screened => relief.is_some(),
            options => options,
            questions_left => questions_left,
            rule_set_version => rule_set_version,
            reports => reports,
            proceedings => proceedings,
            participations => participations,
            certifications => certifications,
            applications => applications,
            perpetrators => perpetrators,
            report_form => form(LegalForm::Report),
            proceeding_form => form(LegalForm::Proceeding),
            participation_form => form(LegalForm::Participation),
            certification_form => form(LegalForm::Certification),
            application_form => form(LegalForm::Application),
            perpetrator_form => form(LegalForm::Perpetrator),
            authorities => choices::<AuthorityKind>(lang),
            stages => choices::<ProceedingStage>(lang),
            outcomes => choices::<VerdictOutcome>(lang),
            participation_kinds => choices::<ParticipationKind>(lang),
            supports => choices::<ParticipationSupport>(lang),
            certification_kinds => choices::<CertificationKind>(lang),
            decisions => decisions,
            reliefs => choices::<ReliefOptionKind>(lang),
            application_statuses => choices::<ApplicationStatus>(lang),
            sexes => choices::<Gender>(lang),
            roles => choices::<PerpetratorRole>(lang),
            proceeding_choices => proceeding_choices,
            can_answer => allowed(Action::ScreenCase),
            can_edit => allowed(Action::EditCase),
            can_link_perpetrators => policy::authorize(&user.subject(), Action::ViewPerpetratorLinks, None) == policy::Decision::Allow,
        },
    )?;
    Ok((status, html).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct QuestionQuery {
    /// The relief fact codes answered in this round, comma-separated.
    #[serde(default)]
    answered: String,
}

fn answered_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|code| ReliefQuestion::parse(code).is_some())
        .map(str::to_string)
        .collect()
}

/// `GET /cases/{id}/legal/questions`: the next missing relief question, one per page.
pub async fn question_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    Query(query): Query<QuestionQuery>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let stored = cases::read_case(&state, &user.principal, Action::ScreenCase, case_id).await?;
    let Some((input, _)) = relief_input(&state, &stored).await? else {
        return Ok(see_other(&format!("/cases/{case_id}/legal")));
    };
    let answered = answered_list(&query.answered);
    let result = assess_relief(&input, today(), lang);
    let questions = missing_questions(&result, &input, &answered);
    let Some(question) = questions.first() else {
        return Ok(see_other(&format!("/cases/{case_id}/legal?done=answered")));
    };
    Ok(page(
        &user,
        &format!("/cases/{case_id}/legal/questions"),
        "legal_question.html",
        context! {
            case_id => case_id,
            question => question.key(),
            question_text => question.text(lang),
            answered => answered.join(","),
            done => answered.len(),
            left => questions.len(),
        },
    )?
    .into_response())
}

/// The form of one relief question: the question, the answer (yes, no or unknown: unknown when
/// none is sent), and the questions answered before.
#[derive(Debug)]
pub struct ReliefAnswerForm {
    pub question: ReliefQuestion,
    pub choice: String,
    pub answered: String,
}

impl TryFrom<FormFields> for ReliefAnswerForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            let question = fields
                .get("question")
                .and_then(ReliefQuestion::parse)
                .ok_or_else(|| {
                    AppError::BadRequest(
                        "`question` is not a relief fact code nor `married`".into(),
                    )
                })
                .map_err(refused("question"))?;
            let choice = fields.get("choice").unwrap_or("unknown").to_string();
            if !matches!(choice.as_str(), "yes" | "no" | "unknown") {
                return Err(refused("choice")(AppError::BadRequest(format!(
                    "`choice` must be yes, no or unknown, not `{choice}`"
                ))));
            }
            Ok(ReliefAnswerForm {
                question,
                choice,
                answered: fields.text("answered"),
            })
        })
    }
}

/// `POST /cases/{id}/legal/questions`: one answer. A yes adds the relief fact; every answer stores
/// the new relief result with its rule-set version, then the next question follows.
pub async fn question_answer(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    CheckedForm(form): CheckedForm<ReliefAnswerForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let stored = cases::read_case(&state, &user.principal, Action::ScreenCase, case_id).await?;
    // The case is checked before the answer.
    let ReliefAnswerForm {
        question,
        choice,
        answered,
    } = form?;
    let choice = choice.as_str();
    let Some((mut input, screening_id)) = relief_input(&state, &stored).await? else {
        return Ok(see_other(&format!("/cases/{case_id}/legal")));
    };
    match (question, choice) {
        (ReliefQuestion::Fact(fact), "yes") => {
            input.relief_facts.insert(fact);
        }
        (ReliefQuestion::Fact(fact), "no") => {
            input.relief_facts.remove(&fact);
        }
        (ReliefQuestion::Married, "yes") => input.person.married = Some(true),
        (ReliefQuestion::Married, "no") => input.person.married = Some(false),
        _ => {}
    }
    let as_of = today();
    let result = assess_relief(&input, as_of, lang);
    state
        .store
        .record_relief_assessment(
            &user.actor(),
            stored.organisation_id,
            case_id,
            &NewReliefAssessment {
                screening_id,
                input: serde_json::to_value(&input)
                    .map_err(|error| AppError::Internal(error.into()))?,
                result: serde_json::to_value(&result)
                    .map_err(|error| AppError::Internal(error.into()))?,
                rule_set_version: result.rule_set_version.clone(),
                as_of,
                lang: lang.tag().to_string(),
            },
        )
        .await?;
    // The deadlines of the options become tasks on the case (once per case and deadline).
    crate::tasks::add_relief_tasks(
        &state,
        &user.principal,
        stored.organisation_id,
        stored.owner_user_id,
        case_id,
        &result,
        lang,
    )
    .await?;
    let mut answered = answered_list(&answered);
    answered.push(question.key().to_string());
    Ok(see_other(&format!(
        "/cases/{case_id}/legal/questions?answered={}",
        answered.join(",")
    )))
}

/// The legal-track form a page address names (`reports` for the one the page had first).
fn form_of(form: &str, record_id: Option<i64>) -> Option<LegalForm> {
    Some(match (form, record_id) {
        ("report" | "reports", None) => LegalForm::Report,
        ("proceeding", None) => LegalForm::Proceeding,
        ("participation", None) => LegalForm::Participation,
        ("certification", None) => LegalForm::Certification,
        ("application", None) => LegalForm::Application,
        ("perpetrator", None) => LegalForm::Perpetrator,
        ("stage", Some(proceeding_id)) => LegalForm::Stage { proceeding_id },
        ("decision", Some(certification_id)) => {
            LegalForm::CertificationDecision { certification_id }
        }
        ("application-update", Some(application_id)) => {
            LegalForm::ApplicationUpdate { application_id }
        }
        _ => return None,
    })
}

/// Records a legal-track form from the page: back to the section when saved; the page again with
/// the form filled in and the message by the field when refused (422).
async fn submit_form(
    state: &AppState,
    user: &PageUser,
    case_id: i64,
    form: Option<LegalForm>,
    fields: FormFields,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let form = form.ok_or(AppError::NotFound)?;
    match legal_service::record(state, &user.principal, case_id, form, &fields, lang).await {
        Ok(_) => Ok(see_other(&format!(
            "/cases/{case_id}/legal?done=saved#{}",
            form.section()
        ))),
        Err(LegalError::Field(error)) => {
            let id = form_view(form, case_id, None, "", lang).id;
            render_legal_page(state, user, case_id, Some(Refused { id, fields, error })).await
        }
        Err(LegalError::App(error)) => Err(error.into()),
    }
}

/// `POST /cases/{id}/legal/{form}`: a report, a proceeding, a participation, a certification, a
/// relief application or a perpetrator.
pub async fn legal_form(
    State(state): State<AppState>,
    user: PageUser,
    Path((case_id, form)): Path<(i64, String)>,
    fields: FormFields,
) -> Result<Response, PageError> {
    submit_form(&state, &user, case_id, form_of(&form, None), fields).await
}

/// `POST /cases/{id}/legal/{form}/{record_id}`: a proceeding's stage, a certification's decision,
/// a relief application's next step.
pub async fn legal_record_form(
    State(state): State<AppState>,
    user: PageUser,
    Path((case_id, form, record_id)): Path<(i64, String, i64)>,
    fields: FormFields,
) -> Result<Response, PageError> {
    submit_form(
        &state,
        &user,
        case_id,
        form_of(&form, Some(record_id)),
        fields,
    )
    .await
}

#[derive(Serialize)]
struct PersonView {
    names: Vec<String>,
    aliases: Vec<String>,
    roles: String,
    nationalities: Vec<String>,
    cases: Vec<i64>,
    similarity: Option<String>,
}

/// `GET /perpetrators`: every perpetrator of the organisation's cases, each person once with the
/// cases they appear in; supervisors only, the read audited.
pub async fn perpetrators_page(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let groups = linked_perpetrators(&state, &user.principal).await?;
    let people: Vec<PersonView> = groups
        .iter()
        .map(|group| {
            let mut names: Vec<String> = Vec::new();
            let mut aliases: Vec<String> = Vec::new();
            let mut nationalities: Vec<String> = Vec::new();
            for record in &group.records {
                let found = [
                    (&mut names, written_name(record)),
                    (&mut aliases, record.perpetrator.alias.clone()),
                    (
                        &mut nationalities,
                        record
                            .perpetrator
                            .nationality
                            .map(|country| country.label().get(lang).to_string()),
                    ),
                ];
                for (list, value) in found {
                    if let Some(value) = value.filter(|value| !list.contains(value)) {
                        list.push(value);
                    }
                }
            }
            PersonView {
                names,
                aliases,
                roles: group
                    .roles()
                    .iter()
                    .map(|role| role.label_in(lang))
                    .collect::<Vec<_>>()
                    .join(", "),
                nationalities,
                cases: group.case_ids(),
                similarity: group.probability.map(|p| match lang {
                    Lang::Es => format!("{p:.2}").replace('.', ","),
                    Lang::En => format!("{p:.2}"),
                }),
            }
        })
        .collect();
    Ok(page(
        &user,
        "/perpetrators",
        "perpetrators.html",
        context! { people => people },
    )?
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct AnnualQuery {
    /// The calendar year; this year when absent.
    year: Option<String>,
}

#[derive(Serialize)]
struct AnnualLineView {
    label: String,
    count: String,
}

#[derive(Serialize)]
struct AnnualSectionView {
    id: &'static str,
    label: &'static str,
    lines: Vec<AnnualLineView>,
    total: Option<String>,
    overlapping: bool,
}

/// `GET /dashboard/annual?year=YYYY`: the organisation's annual report (the figures of the yearly
/// Trafficking in Persons data call), every count through `puente-disclosure`. Aggregates only:
/// the roles that see the dashboard.
pub async fn annual_report_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<AnnualQuery>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ViewAggregates, None)?;
    let year = match query.year.as_deref().map(str::trim) {
        None | Some("") => today().year(),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|year| (1900..=9999).contains(year))
            .ok_or_else(|| {
                AppError::BadRequest(format!("`year`: `{text}` is not a year (YYYY)"))
            })?,
    };
    let counts = state
        .store
        .annual_counts(Some(user.principal.user.organisation_id), year)
        .await?;
    let report = puente_store::publish_annual_report(&counts);
    let sections: Vec<AnnualSectionView> = report
        .sections
        .iter()
        .map(|section| AnnualSectionView {
            id: section.id,
            label: section.label.get(lang),
            lines: section
                .lines
                .iter()
                .map(|line| AnnualLineView {
                    label: line.label.get(lang).to_string(),
                    count: line.count.display(),
                })
                .collect(),
            total: section.total.map(|total| total.display()),
            overlapping: section.overlapping && section.total.is_some(),
        })
        .collect();
    Ok(page(
        &user,
        "/dashboard/annual",
        "legal_annual.html",
        context! {
            year => year,
            sections => sections,
            note => puente_disclosure::SUPPRESSION_NOTE.get(lang),
        },
    )?
    .into_response())
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn a_relief_answer_converts_and_its_refusals_name_their_fields() {
        let form = ReliefAnswerForm::try_from(fields_of(&[
            ("question", "married"),
            ("choice", "no"),
            ("answered", "married"),
        ]))
        .unwrap();
        assert_eq!(form.question, ReliefQuestion::Married);
        assert_eq!(
            (form.choice.as_str(), form.answered.as_str()),
            ("no", "married")
        );
        let form = ReliefAnswerForm::try_from(fields_of(&[("question", "married")])).unwrap();
        assert_eq!(form.choice, "unknown");
        let refusal =
            ReliefAnswerForm::try_from(fields_of(&[("question", "shoe_size")])).unwrap_err();
        assert_eq!(refusal.field, "question");
        let refusal =
            ReliefAnswerForm::try_from(fields_of(&[("question", "married"), ("choice", "maybe")]))
                .unwrap_err();
        assert_eq!(refusal.field, "choice");
    }
}
