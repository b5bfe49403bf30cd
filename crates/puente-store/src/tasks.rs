//! Tasks on a case: what a user of the organisation is to do, by a day or a moment.
//!
//! A task is added by a user (`manual`), or made from a deadline: a statutory clock of the child
//! screen (`statutory`) or a deadline of the relief screener or the legal track (`legal`). A task
//! made from a deadline carries a key naming it, and a case holds at most one task per key (a
//! unique index): saving the same screening again adds no second task.
//!
//! The assignee is a user of the case's organisation; every read is scoped by organisation, and
//! every write is one transaction with its audit entry (`record_type` `task`, the case named, so
//! the entry shows in the case's audit trail). The title is free text and never goes into the
//! audit log.

use async_trait::async_trait;
use serde::Serialize;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, SqliteStore, StoreError, StoreResult};

/// The longest title a task may have, in characters.
pub const TASK_TITLE_MAX_CHARS: usize = 200;

/// Where a task came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskSource {
    /// A user added it.
    Manual,
    /// A statutory clock of the child screen (the TVPRA's 48 or 72 hours).
    Statutory,
    /// A deadline of the relief screener or of the legal track.
    Legal,
}

impl TaskSource {
    pub fn code(self) -> &'static str {
        match self {
            TaskSource::Manual => "manual",
            TaskSource::Statutory => "statutory",
            TaskSource::Legal => "legal",
        }
    }

    pub fn from_code(code: &str) -> Option<TaskSource> {
        [TaskSource::Manual, TaskSource::Statutory, TaskSource::Legal]
            .into_iter()
            .find(|source| source.code() == code)
    }
}

/// When a task is due: a day, or a moment (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskDue {
    Day(Date),
    At(OffsetDateTime),
}

impl TaskDue {
    /// The day the task is due (UTC).
    pub fn day(self) -> Date {
        match self {
            TaskDue::Day(day) => day,
            TaskDue::At(moment) => moment.to_offset(time::UtcOffset::UTC).date(),
        }
    }

    /// The moment, as RFC 3339 in UTC, when the task has one.
    pub fn moment(self) -> Option<String> {
        match self {
            TaskDue::Day(_) => None,
            TaskDue::At(moment) => moment.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok(),
        }
    }
}

/// A task to add to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTask {
    pub case_id: i64,
    pub title: String,
    pub due: TaskDue,
    pub assignee_user_id: i64,
    pub source: TaskSource,
    /// The deadline the task was made from; a case holds one task per key.
    pub source_key: Option<String>,
}

/// A stored task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredTask {
    pub id: i64,
    pub organisation_id: i64,
    pub case_id: i64,
    pub title: String,
    /// The day it is due (YYYY-MM-DD, UTC).
    pub due_on: String,
    /// The moment it is due (RFC 3339, UTC), when it has one.
    pub due_at: Option<String>,
    pub assignee_user_id: i64,
    pub assignee_name: String,
    pub source: TaskSource,
    pub source_key: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub completed_by: Option<String>,
    pub completed_at: Option<String>,
    pub version: i64,
}

impl StoredTask {
    pub fn is_open(&self) -> bool {
        self.completed_at.is_none()
    }

    /// Whether an open task's day or moment has passed at `now`.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        if !self.is_open() {
            return false;
        }
        match &self.due_at {
            Some(moment) => OffsetDateTime::parse(moment, &Rfc3339)
                .map(|moment| moment < now)
                .unwrap_or(false),
            None => self.due_on < iso_day(now.to_offset(time::UtcOffset::UTC).date()),
        }
    }
}

/// Which open tasks by when they are due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskDueFilter {
    /// Open, and the day or moment has passed.
    Overdue,
    /// Open and due today.
    Today,
    /// Open and due from today to six days on.
    Week,
}

impl TaskDueFilter {
    pub fn from_code(code: &str) -> Option<TaskDueFilter> {
        match code {
            "overdue" => Some(TaskDueFilter::Overdue),
            "today" => Some(TaskDueFilter::Today),
            "week" => Some(TaskDueFilter::Week),
            _ => None,
        }
    }
}

/// Which tasks of an organisation to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskQuery {
    /// Only those of this assignee.
    pub assignee_user_id: Option<i64>,
    /// Only open tasks due so; every task (open first) without it.
    pub due: Option<TaskDueFilter>,
}

/// A day as YYYY-MM-DD.
pub fn iso_day(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        day.month() as u8,
        day.day()
    )
}

/// Tasks in the store.
#[async_trait]
pub trait TaskStore: Send + Sync {
    /// Adds a task to a case of the organisation. [`StoreError::NotFound`] for a case that is not
    /// the organisation's; [`StoreError::Invalid`] (naming `assignee`) for an assignee who is not
    /// an active user of it.
    async fn create_task(
        &self,
        actor: &Actor,
        organisation_id: i64,
        task: &NewTask,
    ) -> StoreResult<StoredTask>;
    /// Adds the tasks made from deadlines that the case does not hold yet (by their key), in one
    /// transaction; returns those added.
    async fn ensure_deadline_tasks(
        &self,
        actor: &Actor,
        organisation_id: i64,
        tasks: &[NewTask],
    ) -> StoreResult<Vec<StoredTask>>;
    /// A task of the organisation.
    async fn task(&self, organisation_id: i64, task_id: i64) -> StoreResult<Option<StoredTask>>;
    /// The tasks of one of the organisation's cases: open ones first, by when they are due.
    async fn tasks_of_case(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredTask>>;
    /// The organisation's tasks matching `query` at `now`, by when they are due.
    async fn tasks(
        &self,
        organisation_id: i64,
        query: &TaskQuery,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<StoredTask>>;
    /// Marks an open task done. [`StoreError::Conflict`] when it is done already.
    async fn complete_task(
        &self,
        actor: &Actor,
        organisation_id: i64,
        task_id: i64,
    ) -> StoreResult<StoredTask>;
    /// Opens a done task again. [`StoreError::Conflict`] when it is open.
    async fn reopen_task(
        &self,
        actor: &Actor,
        organisation_id: i64,
        task_id: i64,
    ) -> StoreResult<StoredTask>;
}

const TASK_SELECT: &str = "SELECT t.id, t.organisation_id, t.case_id, t.title, t.due_on, t.due_at,
        t.assignee_user_id, u.display_name AS assignee_name, t.source, t.source_key, t.created_by,
        t.created_at, t.completed_by, t.completed_at, t.version
     FROM tasks t JOIN users u ON u.id = t.assignee_user_id";

const TASK_ORDER: &str = "ORDER BY CASE WHEN t.completed_at IS NULL THEN 0 ELSE 1 END, t.due_on,
        COALESCE(t.due_at, t.due_on), t.id";

fn task_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<StoredTask> {
    let source: String = row.try_get("source")?;
    Ok(StoredTask {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        case_id: row.try_get("case_id")?,
        title: row.try_get("title")?,
        due_on: row.try_get("due_on")?,
        due_at: row.try_get("due_at")?,
        assignee_user_id: row.try_get("assignee_user_id")?,
        assignee_name: row.try_get("assignee_name")?,
        source: TaskSource::from_code(&source)
            .ok_or_else(|| StoreError::Invalid(format!("stored task source `{source}`")))?,
        source_key: row.try_get("source_key")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        completed_by: row.try_get("completed_by")?,
        completed_at: row.try_get("completed_at")?,
        version: row.try_get("version")?,
    })
}

/// Refuses a task whose title or assignee cannot be stored, before anything is written.
fn check_new_task(task: &NewTask) -> StoreResult<()> {
    let title = task.title.trim();
    if title.is_empty() {
        return Err(StoreError::Invalid("title: a task needs a title".into()));
    }
    if title.chars().count() > TASK_TITLE_MAX_CHARS {
        return Err(StoreError::Invalid(format!(
            "title: at most {TASK_TITLE_MAX_CHARS} characters"
        )));
    }
    Ok(())
}

async fn load_task(
    connection: &mut sqlx::SqliteConnection,
    organisation_id: i64,
    task_id: i64,
) -> StoreResult<Option<StoredTask>> {
    let row = sqlx::query(&format!(
        "{TASK_SELECT} WHERE t.id = $1 AND t.organisation_id = $2"
    ))
    .bind(task_id)
    .bind(organisation_id)
    .fetch_optional(&mut *connection)
    .await?;
    row.as_ref().map(task_from_row).transpose()
}

/// Inserts a task after checking its case and assignee belong to the organisation; `None` when
/// the case holds a task of the same deadline key already.
async fn insert_task(
    connection: &mut sqlx::SqliteConnection,
    actor: &Actor,
    organisation_id: i64,
    task: &NewTask,
) -> StoreResult<Option<StoredTask>> {
    check_new_task(task)?;
    let case_organisation: Option<i64> =
        sqlx::query_scalar("SELECT organisation_id FROM cases WHERE id = $1")
            .bind(task.case_id)
            .fetch_optional(&mut *connection)
            .await?;
    if case_organisation != Some(organisation_id) {
        return Err(StoreError::not_found("case", task.case_id));
    }
    let assignee_active: Option<bool> =
        sqlx::query_scalar("SELECT active FROM users WHERE id = $1 AND organisation_id = $2")
            .bind(task.assignee_user_id)
            .bind(organisation_id)
            .fetch_optional(&mut *connection)
            .await?;
    if assignee_active != Some(true) {
        return Err(StoreError::Invalid(format!(
            "assignee: user {} is not an active user of this organisation",
            task.assignee_user_id
        )));
    }
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO tasks (organisation_id, case_id, title, due_on, due_at, assignee_user_id,
                            source, source_key, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (case_id, source_key) DO NOTHING RETURNING id",
    )
    .bind(organisation_id)
    .bind(task.case_id)
    .bind(task.title.trim())
    .bind(iso_day(task.due.day()))
    .bind(task.due.moment())
    .bind(task.assignee_user_id)
    .bind(task.source.code())
    .bind(&task.source_key)
    .bind(&actor.name)
    .bind(audit::now())
    .fetch_optional(&mut *connection)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    load_task(connection, organisation_id, id).await
}

fn task_audit(
    actor: &Actor,
    task: &StoredTask,
    action: AuditAction,
    detail: String,
) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.name.clone(),
        organisation_id: Some(task.organisation_id),
        action,
        record_type: RecordType::Task,
        record_id: Some(task.id.to_string()),
        case_id: Some(task.case_id),
        detail,
    }
}

/// The words of a task's audit entry: its source, when it is due and who does it (never the
/// title, which is free text).
fn created_detail(task: &StoredTask) -> String {
    format!(
        "task {} ({}{}) due {} assigned to user {}",
        task.id,
        task.source.code(),
        task.source_key
            .as_deref()
            .map(|key| format!(": {key}"))
            .unwrap_or_default(),
        task.due_at.as_deref().unwrap_or(&task.due_on),
        task.assignee_user_id
    )
}

impl SqliteStore {
    /// Completes (`done`) or reopens a task, the status checked in the UPDATE's condition.
    async fn set_task_done(
        &self,
        actor: &Actor,
        organisation_id: i64,
        task_id: i64,
        done: bool,
    ) -> StoreResult<StoredTask> {
        let mut transaction = self.begin_write().await?;
        let (sql, completed_at, completed_by) = if done {
            (
                "UPDATE tasks SET completed_at = $1, completed_by = $2, version = version + 1
                 WHERE id = $3 AND organisation_id = $4 AND completed_at IS NULL",
                Some(audit::now()),
                Some(actor.name.clone()),
            )
        } else {
            (
                "UPDATE tasks SET completed_at = $1, completed_by = $2, version = version + 1
                 WHERE id = $3 AND organisation_id = $4 AND completed_at IS NOT NULL",
                None,
                None,
            )
        };
        let changed = sqlx::query(sql)
            .bind(completed_at)
            .bind(completed_by)
            .bind(task_id)
            .bind(organisation_id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        let Some(task) = load_task(&mut transaction, organisation_id, task_id).await? else {
            return Err(StoreError::not_found("task", task_id));
        };
        if changed == 0 {
            return Err(StoreError::Conflict(if done {
                format!("task {task_id} is done already")
            } else {
                format!("task {task_id} is open already")
            }));
        }
        let detail = format!(
            "task {task_id} {}",
            if done { "completed" } else { "reopened" }
        );
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &task_audit(actor, &task, AuditAction::Update, detail),
        )
        .await?;
        transaction.commit().await?;
        Ok(task)
    }
}

#[async_trait]
impl TaskStore for SqliteStore {
    async fn create_task(
        &self,
        actor: &Actor,
        organisation_id: i64,
        task: &NewTask,
    ) -> StoreResult<StoredTask> {
        let mut transaction = self.begin_write().await?;
        let Some(stored) = insert_task(&mut transaction, actor, organisation_id, task).await?
        else {
            return Err(StoreError::Conflict(format!(
                "case {} has a task for this deadline already",
                task.case_id
            )));
        };
        audit::append(
            &mut transaction,
            &self.audit_key(),
            &task_audit(actor, &stored, AuditAction::Create, created_detail(&stored)),
        )
        .await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn ensure_deadline_tasks(
        &self,
        actor: &Actor,
        organisation_id: i64,
        tasks: &[NewTask],
    ) -> StoreResult<Vec<StoredTask>> {
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        let mut transaction = self.begin_write().await?;
        let mut added = Vec::new();
        for task in tasks {
            if task.source_key.is_none() {
                return Err(StoreError::Invalid(
                    "a task made from a deadline needs the deadline's key".into(),
                ));
            }
            if let Some(stored) =
                insert_task(&mut transaction, actor, organisation_id, task).await?
            {
                audit::append(
                    &mut transaction,
                    &self.audit_key(),
                    &task_audit(actor, &stored, AuditAction::Create, created_detail(&stored)),
                )
                .await?;
                added.push(stored);
            }
        }
        transaction.commit().await?;
        Ok(added)
    }

    async fn task(&self, organisation_id: i64, task_id: i64) -> StoreResult<Option<StoredTask>> {
        let mut connection = self.reader.acquire().await?;
        load_task(&mut connection, organisation_id, task_id).await
    }

    async fn tasks_of_case(
        &self,
        organisation_id: i64,
        case_id: i64,
    ) -> StoreResult<Vec<StoredTask>> {
        let rows = sqlx::query(&format!(
            "{TASK_SELECT} WHERE t.case_id = $1 AND t.organisation_id = $2 {TASK_ORDER}"
        ))
        .bind(case_id)
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(task_from_row).collect()
    }

    async fn tasks(
        &self,
        organisation_id: i64,
        query: &TaskQuery,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<StoredTask>> {
        let now = now.to_offset(time::UtcOffset::UTC);
        let today = now.date();
        let today_text = iso_day(today);
        let week_end = iso_day(today + time::Duration::days(6));
        let now_text = now
            .format(&Rfc3339)
            .map_err(|error| StoreError::Invalid(format!("the time now: {error}")))?;
        // The due filter as one condition over the bound values: `$3` the filter's code (empty
        // for none), `$4` today, `$5` now, `$6` the week's last day.
        let rows = sqlx::query(&format!(
            "{TASK_SELECT} WHERE t.organisation_id = $1
               AND ($2 = 0 OR t.assignee_user_id = $2)
               AND ($3 = ''
                    OR ($3 = 'overdue' AND t.completed_at IS NULL
                        AND (t.due_on < $4 OR (t.due_at IS NOT NULL AND t.due_at < $5)))
                    OR ($3 = 'today' AND t.completed_at IS NULL AND t.due_on = $4)
                    OR ($3 = 'week' AND t.completed_at IS NULL AND t.due_on >= $4 AND t.due_on <= $6))
             {TASK_ORDER}"
        ))
        .bind(organisation_id)
        .bind(query.assignee_user_id.unwrap_or(0))
        .bind(match query.due {
            None => "",
            Some(TaskDueFilter::Overdue) => "overdue",
            Some(TaskDueFilter::Today) => "today",
            Some(TaskDueFilter::Week) => "week",
        })
        .bind(&today_text)
        .bind(&now_text)
        .bind(&week_end)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(task_from_row).collect()
    }

    async fn complete_task(
        &self,
        actor: &Actor,
        organisation_id: i64,
        task_id: i64,
    ) -> StoreResult<StoredTask> {
        self.set_task_done(actor, organisation_id, task_id, true)
            .await
    }

    async fn reopen_task(
        &self,
        actor: &Actor,
        organisation_id: i64,
        task_id: i64,
    ) -> StoreResult<StoredTask> {
        self.set_task_done(actor, organisation_id, task_id, false)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn task(due_on: &str, due_at: Option<&str>, completed: bool) -> StoredTask {
        StoredTask {
            id: 1,
            organisation_id: 1,
            case_id: 1,
            title: "Llamar".into(),
            due_on: due_on.into(),
            due_at: due_at.map(str::to_string),
            assignee_user_id: 1,
            assignee_name: "Ana".into(),
            source: TaskSource::Manual,
            source_key: None,
            created_by: "a@b.c".into(),
            created_at: "2026-12-01T00:00:00Z".into(),
            completed_by: None,
            completed_at: completed.then(|| "2026-12-01T00:00:00Z".to_string()),
            version: 1,
        }
    }

    #[test]
    fn a_day_is_overdue_from_the_next_day_and_a_moment_from_the_moment_after() {
        let now = datetime!(2026-12-01 12:00 UTC);
        assert!(task("2026-11-30", None, false).is_overdue(now));
        assert!(!task("2026-12-01", None, false).is_overdue(now));
        assert!(task("2026-12-01", Some("2026-12-01T11:59:00Z"), false).is_overdue(now));
        assert!(!task("2026-12-01", Some("2026-12-01T12:01:00Z"), false).is_overdue(now));
        assert!(!task("2026-11-30", None, true).is_overdue(now));
    }

    #[test]
    fn a_moment_is_due_on_its_day_in_utc() {
        let due = TaskDue::At(datetime!(2026-12-01 22:00 -6));
        assert_eq!(due.day(), date!(2026 - 12 - 02));
        assert_eq!(due.moment().as_deref(), Some("2026-12-02T04:00:00Z"));
        assert_eq!(TaskDue::Day(date!(2026 - 12 - 01)).moment(), None);
    }
}
