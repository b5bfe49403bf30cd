//! Tasks on a case, the task lists and the "my work" page.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use puente_core::Vocabulary;
use puente_store::{ReferralStatus, TaskDueFilter, TaskQuery};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::api_types::IdAnswer;
use crate::auth::{see_other, PageUser, Principal, RequestLang};
use crate::cases;
use crate::error::ErrorAnswer;
use crate::error::{AppError, PageError};
use crate::extract::ApiJson;
use crate::forms::{FormFields, FormRefusal, TypedForm};
use crate::policy::{self, case_list_scope, Action, CaseListScope};
use crate::tasks::{self, task_json, TaskSchema};
use crate::templates::page;
use crate::AppState;

/// Cases without activity for this many days are listed on "my work".
pub const QUIET_CASE_DAYS: i64 = 30;

/// The body of `POST /api/v1/cases/{id}/tasks`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRequest {
    /// What is to be done: 1 to 200 characters besides the spaces around them.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    title: String,
    /// The day it is due (`2026-12-24`), or the moment (RFC 3339: `2026-12-24T15:00:00-06:00`).
    #[schema(schema_with = due_schema)]
    due_on: String,
    /// A user id of the organisation; the creator when absent.
    #[serde(default)]
    assignee: Option<i64>,
}

/// What `due_on` takes, as [`tasks::parse_due`] reads it: a day or a moment.
fn due_schema() -> utoipa::openapi::schema::AnyOfBuilder {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
    let text = |format: KnownFormat| {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    utoipa::openapi::schema::AnyOfBuilder::new()
        .item(text(KnownFormat::Date))
        .item(text(KnownFormat::DateTime))
        .description(Some(
            "The day it is due (YYYY-MM-DD), or the moment (RFC 3339)",
        ))
}

/// `POST /api/v1/cases/{id}/tasks` `{"title", "due_on", "assignee"}`: 201 `{"id"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/tasks", params(("id" = i64, Path, description = "The case")), request_body = TaskRequest, responses(
    (status = 201, description = "The task's id", body = IdAnswer),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
    (status = 422, description = "An empty or overlong title, a day that is not a date, or an assignee outside the organisation, named in `field`", body = ErrorAnswer),
))]
pub async fn create_task(
    State(state): State<AppState>,
    principal: Principal,
    Path(case_id): Path<i64>,
    ApiJson(request): ApiJson<TaskRequest>,
) -> Result<Response, AppError> {
    let task = tasks::add_task(
        &state,
        &principal,
        case_id,
        &request.title,
        &request.due_on,
        request.assignee,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(IdAnswer { id: task.id })).into_response())
}

/// `GET /api/v1/cases/{id}/tasks`: the case's tasks, open ones first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/tasks", params(("id" = i64, Path, description = "The case")), responses(
    (status = 200, description = "The case's tasks, open ones first", body = Vec<TaskSchema>),
    (status = 404, description = "No such case visible to the user", body = ErrorAnswer),
))]
pub async fn case_tasks(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<TaskSchema>>, AppError> {
    let access = cases::authorize_case(&state, &principal, Action::ViewCase, case_id).await?;
    let now = OffsetDateTime::now_utc();
    let tasks = state
        .store
        .tasks_of_case(access.organisation_id, case_id)
        .await?;
    Ok(Json(
        tasks
            .iter()
            .map(|task| task_json(task, lang, now))
            .collect(),
    ))
}

/// The query of `GET /api/v1/tasks`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListParameters {
    /// `true`: only the user's own tasks.
    #[serde(default)]
    #[param(pattern = "^(true|false)$")]
    mine: Option<String>,
    /// Only the tasks overdue, due today or due within a week.
    #[serde(default)]
    #[param(pattern = "^(overdue|today|week)?$")]
    due: Option<String>,
}

/// The tasks the user's lists show: their own with `mine`, or as the role reaches (advocates and
/// case workers their own, supervisors the organisation's).
async fn listed_tasks(
    state: &AppState,
    principal: &Principal,
    mine: bool,
    due: Option<TaskDueFilter>,
    now: OffsetDateTime,
) -> Result<Vec<puente_store::StoredTask>, AppError> {
    policy::require(&principal.subject(), Action::ListCases, None)?;
    let assignee_user_id = match (mine, case_list_scope(&principal.subject())) {
        (true, _) | (false, CaseListScope::Own) => Some(principal.user.id),
        (false, CaseListScope::Organisation) => None,
        (false, CaseListScope::Nothing) => return Err(AppError::Forbidden),
    };
    Ok(state
        .store
        .tasks(
            principal.user.organisation_id,
            &TaskQuery {
                assignee_user_id,
                due,
            },
            now,
        )
        .await?)
}

/// `GET /api/v1/tasks?mine=true&due=overdue|today|week`.
#[utoipa::path(get, path = "/api/v1/tasks", params(TaskListParameters), responses(
    (status = 200, description = "The tasks the role reaches (or the user's own), open ones first", body = Vec<TaskSchema>),
))]
pub async fn list_tasks(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Query(parameters): Query<TaskListParameters>,
) -> Result<Json<Vec<TaskSchema>>, AppError> {
    let mine = match parameters.mine.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(AppError::InvalidParameter {
                field: "mine".into(),
                value: other.into(),
            })
        }
    };
    let due = match parameters.due.as_deref() {
        None | Some("") => None,
        Some(code) => {
            Some(
                TaskDueFilter::from_code(code).ok_or_else(|| AppError::InvalidParameter {
                    field: "due".into(),
                    value: code.into(),
                })?,
            )
        }
    };
    let now = OffsetDateTime::now_utc();
    let tasks = listed_tasks(&state, &principal, mine, due, now).await?;
    Ok(Json(
        tasks
            .iter()
            .map(|task| task_json(task, lang, now))
            .collect(),
    ))
}

/// Completes or reopens a task after the policy check on its case.
async fn set_done(
    state: &AppState,
    principal: &Principal,
    task_id: i64,
    done: bool,
) -> Result<puente_store::StoredTask, AppError> {
    let task = tasks::authorized_task(state, principal, Action::AddNote, task_id).await?;
    let organisation_id = task.organisation_id;
    let actor = principal.actor();
    Ok(if done {
        state
            .store
            .complete_task(&actor, organisation_id, task_id)
            .await?
    } else {
        state
            .store
            .reopen_task(&actor, organisation_id, task_id)
            .await?
    })
}

/// `POST /api/v1/tasks/{id}/complete`: 200 with the task; 409 when it is done already.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/complete", params(("id" = i64, Path, description = "The task")), responses(
    (status = 200, description = "The task, done", body = TaskSchema),
    (status = 404, description = "No such task on a case visible to the user", body = ErrorAnswer),
    (status = 409, description = "The task is done already", body = ErrorAnswer),
))]
pub async fn complete_task(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(task_id): Path<i64>,
) -> Result<Json<TaskSchema>, AppError> {
    let task = set_done(&state, &principal, task_id, true).await?;
    Ok(Json(task_json(&task, lang, OffsetDateTime::now_utc())))
}

/// `POST /api/v1/tasks/{id}/reopen`: 200 with the task; 409 when it is open.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reopen", params(("id" = i64, Path, description = "The task")), responses(
    (status = 200, description = "The task, open again", body = TaskSchema),
    (status = 404, description = "No such task on a case visible to the user", body = ErrorAnswer),
    (status = 409, description = "The task is open", body = ErrorAnswer),
))]
pub async fn reopen_task(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Path(task_id): Path<i64>,
) -> Result<Json<TaskSchema>, AppError> {
    let task = set_done(&state, &principal, task_id, false).await?;
    Ok(Json(task_json(&task, lang, OffsetDateTime::now_utc())))
}

// ---- Pages ----

/// The case page's task form: the title and the due day (checked by the service, as in the API)
/// and the assignee's id (none: unassigned).
#[derive(Debug)]
pub struct TaskForm {
    pub title: String,
    pub due_on: String,
    pub assignee: Option<i64>,
}

impl TryFrom<FormFields> for TaskForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            Ok(TaskForm {
                title: fields.text("title"),
                due_on: fields.text("due_on"),
                assignee: fields.optional_number("assignee")?,
            })
        })
    }
}

/// Where a task's button leads back to: "my work", else the task's case.
#[derive(Debug)]
pub struct TaskActionForm {
    pub back_to_my_work: bool,
}

impl TryFrom<FormFields> for TaskActionForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(TaskActionForm {
            back_to_my_work: fields.get("back") == Some("my-work"),
        })
    }
}

/// `POST /cases/{id}/tasks`: the case page's form (title, due day, assignee).
pub async fn add_task_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    TypedForm(form): TypedForm<TaskForm>,
) -> Result<Response, PageError> {
    tasks::add_task(
        &state,
        &user.principal,
        case_id,
        &form.title,
        &form.due_on,
        form.assignee,
    )
    .await?;
    Ok(see_other(&format!("/cases/{case_id}?done=saved#tasks")))
}

/// `POST /tasks/{id}/complete` and `/tasks/{id}/reopen` from a page: back to where the form
/// says (the case or "my work").
pub async fn task_action_form(
    State(state): State<AppState>,
    user: PageUser,
    Path((task_id, action)): Path<(i64, String)>,
    TypedForm(form): TypedForm<TaskActionForm>,
) -> Result<Response, PageError> {
    let done = match action.as_str() {
        "complete" => true,
        "reopen" => false,
        _ => return Err(AppError::NotFound.into()),
    };
    let task = set_done(&state, &user.principal, task_id, done).await?;
    let back = if form.back_to_my_work {
        "/my-work".to_string()
    } else {
        format!("/cases/{}#tasks", task.case_id)
    };
    Ok(see_other(&back))
}

/// `GET /my-work`: the user's overdue and today's tasks, new and answered referrals, and their
/// cases without activity for [`QUIET_CASE_DAYS`] days.
pub async fn my_work_page(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let principal = &user.principal;
    let now = OffsetDateTime::now_utc();
    let overdue = listed_tasks(&state, principal, true, Some(TaskDueFilter::Overdue), now).await?;
    let today = listed_tasks(&state, principal, true, Some(TaskDueFilter::Today), now).await?;
    let today: Vec<_> = today
        .into_iter()
        .filter(|task| !overdue.iter().any(|late| late.id == task.id))
        .collect();
    let organisation_id = principal.user.organisation_id;
    let can_refer =
        policy::authorize(&user.subject(), Action::ViewReferrals, None) == policy::Decision::Allow;
    let (new_referrals, answered_referrals) = if can_refer {
        let received = state.store.referrals_received(organisation_id).await?;
        let sent = state.store.referrals_sent(organisation_id).await?;
        let organisations = state.store.list_organisations().await?;
        let name_of = |slug: &str| {
            organisations
                .iter()
                .find(|organisation| organisation.organisation.slug == slug)
                .map(|organisation| organisation.organisation.name.clone())
                .unwrap_or_else(|| slug.to_string())
        };
        let row = |referral: &puente_store::StoredReferral, other: String| {
            context! {
                id => referral.id,
                other => other,
                status => referral.status.label().get(lang),
                reason => referral.reason.label_in(lang),
                created_at => referral.created_at.clone(),
            }
        };
        let new: Vec<minijinja::Value> = received
            .iter()
            .filter(|referral| referral.status == ReferralStatus::Pending)
            .map(|referral| row(referral, name_of(&referral.from_organisation)))
            .collect();
        let answered: Vec<minijinja::Value> = sent
            .iter()
            .filter(|referral| {
                referral.created_by == principal.user.email
                    && matches!(
                        referral.status,
                        ReferralStatus::Accepted | ReferralStatus::Rejected
                    )
            })
            .map(|referral| row(referral, name_of(&referral.to_organisation)))
            .collect();
        (new, answered)
    } else {
        (Vec::new(), Vec::new())
    };
    let quiet_since = now - time::Duration::days(QUIET_CASE_DAYS);
    let quiet_since = puente_store::tasks::iso_day(quiet_since.date());
    let owned = state
        .store
        .list_cases(&user.actor(), organisation_id, Some(principal.user.id))
        .await?;
    let quiet: Vec<minijinja::Value> = owned
        .iter()
        .filter(|case| {
            !matches!(
                case.status,
                puente_core::htcds::CaseStatus::Closed
                    | puente_core::htcds::CaseStatus::ClosedReferred
            ) && case.updated_at.as_str() < quiet_since.as_str()
        })
        .map(|case| {
            context! {
                id => case.id,
                name => case.person_name.clone(),
                updated_at => case.updated_at.clone(),
            }
        })
        .collect();
    let task_rows = |list: &[puente_store::StoredTask]| -> Vec<TaskSchema> {
        list.iter().map(|task| task_json(task, lang, now)).collect()
    };
    Ok(page(
        &user,
        "/my-work",
        "my_work.html",
        context! {
            overdue => task_rows(&overdue),
            today => task_rows(&today),
            new_referrals => new_referrals,
            answered_referrals => answered_referrals,
            quiet_cases => quiet,
            quiet_days => QUIET_CASE_DAYS,
            can_refer => can_refer,
        },
    )?
    .into_response())
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn a_task_form_converts_and_a_bad_assignee_is_named() {
        let form = TaskForm::try_from(fields_of(&[
            ("title", " Call the shelter "),
            ("due_on", "2026-12-02"),
            ("assignee", ""),
        ]))
        .unwrap();
        assert_eq!(form.title, "Call the shelter");
        assert_eq!((form.due_on.as_str(), form.assignee), ("2026-12-02", None));
        let form = TaskForm::try_from(fields_of(&[("title", "x"), ("assignee", "7")])).unwrap();
        assert_eq!(form.assignee, Some(7));
        let refusal =
            TaskForm::try_from(fields_of(&[("title", "x"), ("assignee", "someone")])).unwrap_err();
        assert_eq!(refusal.field, "assignee");
        assert!(
            TaskActionForm::try_from(fields_of(&[("back", "my-work")]))
                .unwrap()
                .back_to_my_work
        );
    }
}
