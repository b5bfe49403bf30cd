//! A case's "Protección legal / Legal protection" section: the relief options computed from the
//! case's latest screening and the person (through the pure relief screener), the relief questions
//! still missing asked one per page, and the legal track (reports to authorities, proceedings,
//! certifications, relief applications). Every relief result a question produces is stored with
//! its rule-set version.
//!
//! Access goes through `policy.rs` with the case actions: reading the section is `ViewCase`,
//! answering relief questions `ScreenCase`, recording a report `EditCase`. A case out of scope is
//! 404; a role that never has the action (an analyst) is 403.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use minijinja::context;
use puente_core::legal::AuthorityKind;
use puente_core::relief_facts::ReliefFact;
use puente_core::{Lang, Vocabulary};
use puente_screening::relief::{
    assess_relief, format_date, parse_date, ReliefInput, ReliefResult, ReliefStatus,
};
use puente_screening::ScreeningInput;
use puente_store::{NewAuthorityReport, NewReliefAssessment, StoredCase};
use serde::{Deserialize, Serialize};

use crate::auth::{see_other, PageUser};
use crate::cases::{self, FormFields};
use crate::error::{AppError, InLanguage, PageError};
use crate::policy::{self, Action};
use crate::templates::page;
use crate::AppState;

/// The relief input of a case: the latest screening's person and facts, the person's date of
/// birth, and the relief facts answered in the latest stored relief result. `None` before any
/// screening. Also returns the latest screening's id.
async fn relief_input(
    state: &AppState,
    stored: &StoredCase,
    lang: Lang,
) -> Result<Option<(ReliefInput, Option<i64>)>, PageError> {
    let screenings = state
        .store
        .screenings_for_case(stored.id)
        .await
        .in_language(lang)?;
    let Some(screening) = screenings.last() else {
        return Ok(None);
    };
    let screening_input: ScreeningInput = serde_json::from_value(screening.input.clone())
        .map_err(|error| AppError::Internal(error.into()))
        .in_language(lang)?;
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
        .await
        .in_language(lang)?;
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
enum ReliefQuestion {
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

#[derive(Serialize)]
struct ReportView {
    authority: String,
    agency: String,
    reported_on: String,
    reference: Option<String>,
}

#[derive(Serialize)]
struct ApplicationView {
    relief: String,
    status: String,
    filed_on: Option<String>,
    decided_on: Option<String>,
}

#[derive(Serialize)]
struct ProceedingView {
    court_or_office: String,
    stages: Vec<String>,
}

/// `GET /cases/{id}/legal`: the relief options and the legal track.
pub async fn legal_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let stored = cases::read_case(&state, &user.principal, Action::ViewCase, case_id)
        .await
        .in_language(lang)?;
    let track = state
        .store
        .legal_track(stored.organisation_id, case_id)
        .await
        .in_language(lang)?;
    let relief = relief_input(&state, &stored, lang).await?;
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
            court_or_office: proceeding.proceeding.court_or_office.clone(),
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
        })
        .collect();
    let applications: Vec<ApplicationView> = track
        .applications
        .iter()
        .map(|application| ApplicationView {
            relief: application.relief.label_in(lang).to_string(),
            status: application.status.label_in(lang).to_string(),
            filed_on: application.filed_on.map(format_date),
            decided_on: application.decided_on.map(format_date),
        })
        .collect();
    let authorities: Vec<(String, String)> = AuthorityKind::all()
        .iter()
        .map(|kind| (kind.code().to_string(), kind.label_in(lang).to_string()))
        .collect();
    Ok(page(
        &user,
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
            certifications => track.certifications.len(),
            applications => applications,
            authorities => authorities,
            today => format_date(today()),
            can_answer => allowed(Action::ScreenCase),
            can_edit => allowed(Action::EditCase),
        },
    )?
    .into_response())
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
    let stored = cases::read_case(&state, &user.principal, Action::ScreenCase, case_id)
        .await
        .in_language(lang)?;
    let Some((input, _)) = relief_input(&state, &stored, lang).await? else {
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

/// `POST /cases/{id}/legal/questions`: one answer. A yes adds the relief fact; every answer stores
/// the new relief result with its rule-set version, then the next question follows.
pub async fn question_answer(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let fields = FormFields(pairs);
    let stored = cases::read_case(&state, &user.principal, Action::ScreenCase, case_id)
        .await
        .in_language(lang)?;
    let question = fields
        .get("question")
        .and_then(ReliefQuestion::parse)
        .ok_or_else(|| {
            AppError::BadRequest("`question` is not a relief fact code nor `married`".into())
        })
        .in_language(lang)?;
    let choice = fields.get("choice").unwrap_or("unknown");
    if !matches!(choice, "yes" | "no" | "unknown") {
        return Err(AppError::BadRequest(format!(
            "`choice` must be yes, no or unknown, not `{choice}`"
        )))
        .in_language(lang);
    }
    let Some((mut input, screening_id)) = relief_input(&state, &stored, lang).await? else {
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
                    .map_err(|error| AppError::Internal(error.into()))
                    .in_language(lang)?,
                result: serde_json::to_value(&result)
                    .map_err(|error| AppError::Internal(error.into()))
                    .in_language(lang)?,
                rule_set_version: result.rule_set_version.clone(),
                as_of,
                lang: lang.tag().to_string(),
            },
        )
        .await
        .in_language(lang)?;
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
    .await
    .in_language(lang)?;
    let mut answered = answered_list(fields.get("answered").unwrap_or(""));
    answered.push(question.key().to_string());
    Ok(see_other(&format!(
        "/cases/{case_id}/legal/questions?answered={}",
        answered.join(",")
    )))
}

/// `POST /cases/{id}/legal/reports`: a report to an authority.
pub async fn add_report(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let fields = FormFields(pairs);
    let access = cases::authorize_case(&state, &user.principal, Action::EditCase, case_id)
        .await
        .in_language(lang)?;
    let authority_text = fields.get("authority").unwrap_or("");
    let authority = AuthorityKind::from_code(authority_text)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "`authority`: `{authority_text}` is not an authority"
            ))
        })
        .in_language(lang)?;
    let date_text = fields.get("reported_on").unwrap_or("");
    let reported_on = parse_date(date_text)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "`reported_on`: `{date_text}` is not a date written YYYY-MM-DD"
            ))
        })
        .in_language(lang)?;
    if reported_on > today() {
        return Err(AppError::BadRequest(format!(
            "`reported_on`: `{date_text}` is in the future"
        )))
        .in_language(lang);
    }
    state
        .store
        .record_authority_report(
            &user.actor(),
            access.organisation_id,
            case_id,
            &NewAuthorityReport {
                authority,
                agency: fields.get("agency").unwrap_or("").to_string(),
                reported_on,
                reference: fields.get("reference").map(str::to_string),
            },
        )
        .await
        .map_err(|error| match error {
            puente_store::StoreError::Invalid(message) => AppError::BadRequest(message),
            other => other.into(),
        })
        .in_language(lang)?;
    Ok(see_other(&format!("/cases/{case_id}/legal?done=saved")))
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
    policy::require(&user.subject(), Action::ViewAggregates, None).in_language(lang)?;
    let year = match query.year.as_deref().map(str::trim) {
        None | Some("") => today().year(),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|year| (1900..=9999).contains(year))
            .ok_or_else(|| AppError::BadRequest(format!("`year`: `{text}` is not a year (YYYY)")))
            .in_language(lang)?,
    };
    let counts = state
        .store
        .annual_counts(Some(user.principal.user.organisation_id), year)
        .await
        .in_language(lang)?;
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
