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
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::{Actor, StoreResult};

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
    /// Every source of a task.
    pub const ALL: [TaskSource; 3] = [TaskSource::Manual, TaskSource::Statutory, TaskSource::Legal];

    pub fn code(self) -> &'static str {
        match self {
            TaskSource::Manual => "manual",
            TaskSource::Statutory => "statutory",
            TaskSource::Legal => "legal",
        }
    }

    pub fn from_code(code: &str) -> Option<TaskSource> {
        TaskSource::ALL
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
