//! The SQL of `crate::tasks`, written once for both backends.

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use crate::{Actor, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{Backend, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::tasks::*;

const TASK_SELECT: &str = "SELECT t.id, t.organisation_id, t.case_id, t.title, t.due_on, t.due_at,
        t.assignee_user_id, u.display_name AS assignee_name, t.source, t.source_key, t.created_by,
        t.created_at, t.completed_by, t.completed_at, t.version
     FROM tasks t JOIN users u ON u.id = t.assignee_user_id";

const TASK_ORDER: &str = "ORDER BY CASE WHEN t.completed_at IS NULL THEN 0 ELSE 1 END, t.due_on,
        COALESCE(t.due_at, t.due_on), t.id";

fn task_from_row(row: &DbRow) -> StoreResult<StoredTask> {
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
    connection: &mut DbConnection,
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
    connection: &mut DbConnection,
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

impl Backend {
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
        self.append_audit(
            &mut transaction,
            &task_audit(actor, &task, AuditAction::Update, detail),
        )
        .await?;
        transaction.commit().await?;
        Ok(task)
    }
}

#[async_trait]
impl TaskStore for Backend {
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
        self.append_audit(
            &mut transaction,
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
                self.append_audit(
                    &mut transaction,
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
