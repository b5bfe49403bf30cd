//! The glue for tasks, shared by the API and the pages: the policy check, reading a task's due
//! day or moment, the assignee check, the tasks deadlines become (the child screen's statutory
//! clocks, the relief screener's deadlines), and a task as JSON in the reader's language.
//!
//! Who may do what: adding, completing and reopening a task is case work on its case (as adding
//! a note, [`Action::AddNote`]); reading a case's tasks is reading the case ([`Action::ViewCase`]);
//! the task lists are the roles that list cases ([`Action::ListCases`]), advocates and case
//! workers seeing their own tasks, supervisors the organisation's.

use puente_core::Lang;
use puente_screening::clocks::statutory_clocks;
use puente_screening::relief::{DeadlineKind, ReliefResult, ReliefStatus};
use puente_screening::PersonContext;
use puente_store::tasks::TASK_TITLE_MAX_CHARS;
use puente_store::{NewTask, StoredTask, TaskDue, TaskSource};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::auth::Principal;
use crate::cases;
use crate::error::AppError;
use crate::policy::Action;
use crate::AppState;

/// Reads a due day (`2026-12-24`) or moment (`2026-12-24T15:00:00-06:00`, RFC 3339); anything
/// else is refused naming the field `due_on` and the value.
pub fn parse_due(text: &str) -> Result<TaskDue, AppError> {
    let text = text.trim();
    let refused = || AppError::InvalidField {
        field: "due_on".into(),
        detail: format!("`{text}` is not a date (YYYY-MM-DD) nor a date and time (RFC 3339)"),
    };
    if text.len() == 10 {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        return Date::parse(text, &format)
            .map(TaskDue::Day)
            .map_err(|_| refused());
    }
    OffsetDateTime::parse(text, &Rfc3339)
        .map(TaskDue::At)
        .map_err(|_| refused())
}

/// Refuses an empty or overlong title, naming the field.
pub fn check_title(title: &str) -> Result<(), AppError> {
    let length = title.trim().chars().count();
    if length == 0 || length > TASK_TITLE_MAX_CHARS {
        return Err(AppError::InvalidField {
            field: "title".into(),
            detail: format!("a task needs a title of 1 to {TASK_TITLE_MAX_CHARS} characters"),
        });
    }
    Ok(())
}

/// Adds a task to a case: the policy check on the case, the title, the due day or moment, and
/// an assignee (by default the user) who is an active user of the case's organisation that can
/// work cases. Nothing is stored when any of them is refused.
pub async fn add_task(
    state: &AppState,
    principal: &Principal,
    case_id: i64,
    title: &str,
    due_on: &str,
    assignee: Option<i64>,
) -> Result<StoredTask, AppError> {
    let access = cases::authorize_case(state, principal, Action::AddNote, case_id).await?;
    check_title(title)?;
    let due = parse_due(due_on)?;
    let assignee = assignee.unwrap_or(principal.user.id);
    let acceptable = state.store.user_by_id(assignee).await?.is_some_and(|user| {
        user.organisation_id == access.organisation_id && cases::can_own_cases(&user)
    });
    if !acceptable {
        return Err(AppError::InvalidField {
            field: "assignee".into(),
            detail: format!(
                "user {assignee} is not a colleague of this organisation who works cases"
            ),
        });
    }
    Ok(state
        .store
        .create_task(
            &principal.actor(),
            access.organisation_id,
            &NewTask {
                case_id,
                title: title.trim().to_string(),
                due,
                assignee_user_id: assignee,
                source: TaskSource::Manual,
                source_key: None,
            },
        )
        .await?)
}

/// The task of the user's organisation, after the policy check for `action` on its case.
pub async fn authorized_task(
    state: &AppState,
    principal: &Principal,
    action: Action,
    task_id: i64,
) -> Result<StoredTask, AppError> {
    let task = state
        .store
        .task(principal.user.organisation_id, task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    cases::authorize_case(state, principal, action, task.case_id).await?;
    Ok(task)
}

/// The deadline a task was made from, by its key.
fn deadline_of(task: &StoredTask) -> Option<DeadlineKind> {
    let key = task.source_key.as_deref()?;
    [
        DeadlineKind::TwentyFirstBirthday,
        DeadlineKind::AsylumOneYear,
        DeadlineKind::TvpraScreeningWithin48Hours,
        DeadlineKind::TvpraTransferWithin72Hours,
    ]
    .into_iter()
    .find(|kind| kind.code() == key)
}

/// A task's title in the reader's language: a deadline's task in the reader's words, a user's
/// task as they wrote it.
pub fn task_title(task: &StoredTask, lang: Lang) -> String {
    match deadline_of(task) {
        Some(kind) => kind.task_title().get(lang).to_string(),
        None => crate::services::legal::task_title(task.source_key.as_deref(), &task.title, lang)
            .unwrap_or_else(|| task.title.clone()),
    }
}

/// A task as the API answers it and the pages show it: its fields, the title in the reader's
/// language, whether it is overdue now, and its source's label.
pub fn task_json(task: &StoredTask, lang: Lang, now: OffsetDateTime) -> TaskSchema {
    TaskSchema {
        id: task.id,
        organisation_id: task.organisation_id,
        case_id: task.case_id,
        title: task_title(task, lang),
        due_on: task.due_on.clone(),
        due_at: task.due_at.clone(),
        assignee_user_id: task.assignee_user_id,
        assignee_name: task.assignee_name.clone(),
        source: task.source.code().to_string(),
        source_key: task.source_key.clone(),
        created_by: task.created_by.clone(),
        created_at: task.created_at.clone(),
        completed_by: task.completed_by.clone(),
        completed_at: task.completed_at.clone(),
        version: task.version,
        overdue: task.is_overdue(now),
        open: task.is_open(),
        source_label: match (task.source, lang) {
            (TaskSource::Manual, _) => "",
            (TaskSource::Statutory, Lang::Es) => "Plazo legal (TVPRA)",
            (TaskSource::Statutory, Lang::En) => "Statutory deadline (TVPRA)",
            (TaskSource::Legal, Lang::Es) => "Plazo de la protección legal",
            (TaskSource::Legal, Lang::En) => "Legal protection deadline",
        }
        .to_string(),
    }
}

/// A task as the API answers it ([`task_json`]): the stored task, its title in the request's
/// language, whether it is open or overdue, and what raised it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TaskSchema {
    pub id: i64,
    pub organisation_id: i64,
    pub case_id: i64,
    pub title: String,
    /// The day it is due: YYYY-MM-DD.
    pub due_on: String,
    /// The moment it is due (RFC 3339, UTC), for a deadline counted in hours.
    pub due_at: Option<String>,
    pub assignee_user_id: i64,
    pub assignee_name: String,
    /// `manual`, `statutory` or `legal`.
    #[schema(schema_with = task_source_schema)]
    pub source: String,
    pub source_key: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub completed_by: Option<String>,
    pub completed_at: Option<String>,
    pub version: i64,
    pub overdue: bool,
    pub open: bool,
    /// What raised it, in the request's language (empty for a task a user added).
    pub source_label: String,
}

fn task_source_schema() -> utoipa::openapi::Object {
    crate::api_types::code_schema(TaskSource::ALL.map(TaskSource::code))
}

/// A message on a referral, as the API answers it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReferralMessageSchema {
    pub id: i64,
    pub referral_id: i64,
    /// The writing organisation's id and name.
    pub organisation_id: i64,
    pub organisation: String,
    /// The writer's email.
    pub author: String,
    pub text: String,
    pub created_at: String,
}

impl From<puente_store::ReferralMessage> for ReferralMessageSchema {
    fn from(message: puente_store::ReferralMessage) -> Self {
        Self {
            id: message.id,
            referral_id: message.referral_id,
            organisation_id: message.organisation_id,
            organisation: message.organisation,
            author: message.author,
            text: message.text,
            created_at: message.created_at,
        }
    }
}

/// Who a deadline's task goes to: the case's owner, else the user who saved what raised it.
fn deadline_assignee(owner_user_id: Option<i64>, principal: &Principal) -> i64 {
    owner_user_id.unwrap_or(principal.user.id)
}

/// The tasks the statutory clocks of a saved screening become: due `hours` after `saved_at`.
pub fn clock_tasks(
    case_id: i64,
    person: &PersonContext,
    saved_at: OffsetDateTime,
    assignee_user_id: i64,
    lang: Lang,
) -> Vec<NewTask> {
    statutory_clocks(person)
        .into_iter()
        .map(|clock| NewTask {
            case_id,
            title: clock.title.get(lang).to_string(),
            due: TaskDue::At(saved_at + time::Duration::hours(clock.hours)),
            assignee_user_id,
            source: TaskSource::Statutory,
            source_key: Some(clock.kind.code().to_string()),
        })
        .collect()
}

/// The tasks a relief result's deadlines become: of the options that are `likely` or
/// `possible`, each deadline not passed and not exempt, on its date; a TVPRA deadline (counted in
/// hours, with no date) from `now`, under the same key as the screening's clock, so the two make
/// one task.
pub fn relief_deadline_tasks(
    case_id: i64,
    result: &ReliefResult,
    now: OffsetDateTime,
    assignee_user_id: i64,
    lang: Lang,
) -> Vec<NewTask> {
    result
        .options
        .iter()
        .filter(|option| option.status != ReliefStatus::NotIndicated)
        .filter_map(|option| option.deadline.as_ref())
        .filter(|deadline| !deadline.passed && !deadline.exempt)
        .filter_map(|deadline| {
            let due = match (deadline.kind, deadline.date) {
                (_, Some(date)) => TaskDue::Day(date),
                (DeadlineKind::TvpraScreeningWithin48Hours, None) => {
                    TaskDue::At(now + time::Duration::hours(48))
                }
                (DeadlineKind::TvpraTransferWithin72Hours, None) => {
                    TaskDue::At(now + time::Duration::hours(72))
                }
                (_, None) => return None,
            };
            Some(NewTask {
                case_id,
                title: deadline.kind.task_title().get(lang).to_string(),
                due,
                assignee_user_id,
                source: if matches!(
                    deadline.kind,
                    DeadlineKind::TvpraScreeningWithin48Hours
                        | DeadlineKind::TvpraTransferWithin72Hours
                ) {
                    TaskSource::Statutory
                } else {
                    TaskSource::Legal
                },
                source_key: Some(deadline.kind.code().to_string()),
            })
        })
        .collect()
}

/// Stores the tasks a screening's clocks become (none when the case has them already).
pub async fn add_clock_tasks(
    state: &AppState,
    principal: &Principal,
    organisation_id: i64,
    owner_user_id: Option<i64>,
    case_id: i64,
    person: &PersonContext,
    lang: Lang,
) -> Result<Vec<StoredTask>, AppError> {
    let tasks = clock_tasks(
        case_id,
        person,
        OffsetDateTime::now_utc(),
        deadline_assignee(owner_user_id, principal),
        lang,
    );
    Ok(state
        .store
        .ensure_deadline_tasks(&principal.actor(), organisation_id, &tasks)
        .await?)
}

/// Stores the tasks a relief result's deadlines become (none when the case has them already).
pub async fn add_relief_tasks(
    state: &AppState,
    principal: &Principal,
    organisation_id: i64,
    owner_user_id: Option<i64>,
    case_id: i64,
    result: &ReliefResult,
    lang: Lang,
) -> Result<Vec<StoredTask>, AppError> {
    let tasks = relief_deadline_tasks(
        case_id,
        result,
        OffsetDateTime::now_utc(),
        deadline_assignee(owner_user_id, principal),
        lang,
    );
    Ok(state
        .store
        .ensure_deadline_tasks(&principal.actor(), organisation_id, &tasks)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_due_day_or_moment_is_read_and_anything_else_names_the_field() {
        assert!(matches!(parse_due("2026-12-24"), Ok(TaskDue::Day(_))));
        assert!(matches!(
            parse_due("2026-12-24T15:00:00-06:00"),
            Ok(TaskDue::At(_))
        ));
        for bad in ["mañana", "2026-02-30", "24/12/2026", ""] {
            match parse_due(bad) {
                Err(AppError::InvalidField { field, detail }) => {
                    assert_eq!(field, "due_on");
                    assert!(detail.contains(bad), "{detail}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_unaccompanied_honduran_child_in_the_us_gets_the_72_hour_task() {
        let person = PersonContext {
            age: Some(16),
            nationality: puente_core::Country::from_alpha_2("HN"),
            current_country: puente_core::Country::from_alpha_2("US"),
            unaccompanied: Some(true),
            ..PersonContext::default()
        };
        let saved_at = datetime!(2026-12-01 10:00 UTC);
        let tasks = clock_tasks(9, &person, saved_at, 3, Lang::Es);
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].due, TaskDue::At(datetime!(2026-12-04 10:00 UTC)));
        assert_eq!(
            tasks[0].source_key.as_deref(),
            Some("tvpra_transfer_72_hours")
        );
        assert_eq!(tasks[0].source, TaskSource::Statutory);
        assert!(tasks[0].title.contains("72 horas"));
    }
}
