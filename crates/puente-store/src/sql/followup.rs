//! The SQL of `crate::followup`, written once for both backends.

use super::audit::{self, AuditAction, NewAuditEntry, RecordType};
use super::referrals::{
    audit_both_sides, mark_organisation_notifications_read, notification_from_row,
    notifications_read_entry, notify, NotificationKind, ReferralStatus,
};
use crate::{Actor, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::Row;

use super::{Backend, DbConnection, DbRow};
#[allow(unused_imports)]
pub(crate) use crate::followup::*;

/// The two organisations of a referral, its case and status; `None` when `organisation_id` is
/// not one of them.
async fn referral_parties(
    connection: &mut DbConnection,
    organisation_id: i64,
    referral_id: i64,
) -> StoreResult<Option<(i64, i64, ReferralStatus)>> {
    let row = sqlx::query(
        "SELECT from_organisation_id, to_organisation_id, status FROM referrals
         WHERE id = $1 AND (from_organisation_id = $2 OR to_organisation_id = $2)",
    )
    .bind(referral_id)
    .bind(organisation_id)
    .fetch_optional(&mut *connection)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let status: String = row.try_get("status")?;
    Ok(Some((
        row.try_get("from_organisation_id")?,
        row.try_get("to_organisation_id")?,
        ReferralStatus::from_code(&status)
            .ok_or_else(|| StoreError::Invalid(format!("stored referral status `{status}`")))?,
    )))
}

fn message_from_row(row: &DbRow) -> StoreResult<ReferralMessage> {
    Ok(ReferralMessage {
        id: row.try_get("id")?,
        referral_id: row.try_get("referral_id")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation: row.try_get("organisation")?,
        author: row.try_get("author")?,
        text: row.try_get("text")?,
        created_at: row.try_get("created_at")?,
    })
}

const MESSAGE_SELECT: &str =
    "SELECT m.id, m.referral_id, m.organisation_id, o.name AS organisation,
        m.author, m.text, m.created_at
     FROM referral_messages m JOIN organisations o ON o.id = m.organisation_id";

#[async_trait]
impl FollowupStore for Backend {
    async fn user_notifications(
        &self,
        organisation_id: i64,
        user_id: i64,
        unread_only: bool,
    ) -> StoreResult<Vec<UserNotification>> {
        let rows = sqlx::query(
            "SELECT n.id, n.organisation_id, n.kind, n.referral_id, n.created_at, n.read_at, n.read_by,
                    nr.read_at AS read_by_me_at,
                    CASE WHEN r.from_organisation_id = n.organisation_id THEN t.name ELSE f.name END AS other_name
             FROM notifications n JOIN referrals r ON r.id = n.referral_id
             JOIN organisations f ON f.id = r.from_organisation_id
             JOIN organisations t ON t.id = r.to_organisation_id
             LEFT JOIN notification_reads nr ON nr.notification_id = n.id AND nr.user_id = $2
             WHERE n.organisation_id = $1 AND ($3 = FALSE OR nr.read_at IS NULL)
             ORDER BY n.id DESC",
        )
        .bind(organisation_id)
        .bind(user_id)
        .bind(unread_only)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UserNotification {
                    notification: notification_from_row(row)?,
                    read_by_me_at: row.try_get("read_by_me_at")?,
                })
            })
            .collect()
    }

    async fn unread_count_for_user(&self, organisation_id: i64, user_id: i64) -> StoreResult<u64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications n
             WHERE n.organisation_id = $1 AND NOT EXISTS (
                 SELECT 1 FROM notification_reads nr WHERE nr.notification_id = n.id AND nr.user_id = $2)",
        )
        .bind(organisation_id)
        .bind(user_id)
        .fetch_one(&self.reader)
        .await?;
        Ok(count as u64)
    }

    async fn mark_read_for_user(
        &self,
        actor: &Actor,
        organisation_id: i64,
        user_id: i64,
        notification_id: i64,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM notifications WHERE id = $1 AND organisation_id = $2",
        )
        .bind(notification_id)
        .bind(organisation_id)
        .fetch_optional(&mut *transaction)
        .await?;
        if exists.is_none() {
            return Err(StoreError::not_found("notification", notification_id));
        }
        let now = audit::now();
        let added = sqlx::query(
            "INSERT INTO notification_reads (notification_id, user_id, read_at) VALUES ($1, $2, $3)
             ON CONFLICT (notification_id, user_id) DO NOTHING",
        )
        .bind(notification_id)
        .bind(user_id)
        .bind(&now)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if added == 0 {
            // Read before: nothing changes, and nothing is audited.
            return Ok(());
        }
        // The organisation's first reader is still recorded on the notification itself.
        sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1), read_by = COALESCE(read_by, $2)
             WHERE id = $3",
        )
        .bind(&now)
        .bind(&actor.name)
        .bind(notification_id)
        .execute(&mut *transaction)
        .await?;
        let entry = notifications_read_entry(
            actor,
            organisation_id,
            Some(notification_id),
            format!("read by user {user_id}"),
        );
        self.commit_with_audit(transaction, &entry).await?;
        Ok(())
    }

    async fn mark_all_read_for_user(
        &self,
        actor: &Actor,
        organisation_id: i64,
        user_id: i64,
    ) -> StoreResult<u64> {
        let mut transaction = self.begin_write().await?;
        let now = audit::now();
        let added = sqlx::query(
            "INSERT INTO notification_reads (notification_id, user_id, read_at)
             SELECT n.id, $1, $2 FROM notifications n
             WHERE n.organisation_id = $3 AND NOT EXISTS (
                 SELECT 1 FROM notification_reads nr WHERE nr.notification_id = n.id AND nr.user_id = $1)
             ON CONFLICT (notification_id, user_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(&now)
        .bind(organisation_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        mark_organisation_notifications_read(&mut transaction, actor, organisation_id, &now)
            .await?;
        let entry = notifications_read_entry(
            actor,
            organisation_id,
            None,
            format!("{added} notifications marked read by user {user_id}"),
        );
        self.commit_with_audit(transaction, &entry).await?;
        Ok(added)
    }

    async fn post_referral_message(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
        text: &str,
    ) -> StoreResult<ReferralMessage> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid(
                "text: a message needs some text".into(),
            ));
        }
        if text.chars().count() > MESSAGE_MAX_CHARS {
            return Err(StoreError::Invalid(format!(
                "text: at most {MESSAGE_MAX_CHARS} characters"
            )));
        }
        let mut transaction = self.begin_write().await?;
        let Some((from, to, _status)) =
            referral_parties(&mut transaction, organisation_id, referral_id).await?
        else {
            return Err(StoreError::not_found("referral", referral_id));
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO referral_messages (referral_id, organisation_id, author, text, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(referral_id)
        .bind(organisation_id)
        .bind(&actor.name)
        .bind(text)
        .bind(audit::now())
        .fetch_one(&mut *transaction)
        .await?;
        let other = if organisation_id == from { to } else { from };
        notify(
            &mut transaction,
            other,
            NotificationKind::ReferralMessage,
            referral_id,
        )
        .await?;
        let referral = super::referrals::load_referral(&mut transaction, referral_id)
            .await?
            .ok_or_else(|| StoreError::not_found("referral", referral_id))?;
        audit_both_sides(
            &mut transaction,
            &self.audit_key(),
            actor,
            &referral,
            AuditAction::Create,
            &format!("message {id} written"),
        )
        .await?;
        let row = sqlx::query(&format!("{MESSAGE_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_one(&mut *transaction)
            .await?;
        let message = message_from_row(&row)?;
        transaction.commit().await?;
        Ok(message)
    }

    async fn referral_messages(
        &self,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<Vec<ReferralMessage>> {
        let mut connection = self.reader.acquire().await?;
        if referral_parties(&mut connection, organisation_id, referral_id)
            .await?
            .is_none()
        {
            return Err(StoreError::not_found("referral", referral_id));
        }
        let rows = sqlx::query(&format!(
            "{MESSAGE_SELECT} WHERE m.referral_id = $1 ORDER BY m.id"
        ))
        .bind(referral_id)
        .fetch_all(&mut *connection)
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    async fn link_referral_case(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
        case_id: i64,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let Some((_from, to, status)) =
            referral_parties(&mut transaction, organisation_id, referral_id).await?
        else {
            return Err(StoreError::not_found("referral", referral_id));
        };
        if to != organisation_id {
            return Err(StoreError::not_found("referral", referral_id));
        }
        if status != ReferralStatus::Accepted {
            return Err(StoreError::Conflict(format!(
                "referral {referral_id} is {}: a case is opened from an accepted referral",
                status.code()
            )));
        }
        let case_organisation: Option<i64> =
            sqlx::query_scalar("SELECT organisation_id FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_optional(&mut *transaction)
                .await?;
        if case_organisation != Some(organisation_id) {
            return Err(StoreError::not_found("case", case_id));
        }
        let added = sqlx::query(
            "INSERT INTO referral_cases (referral_id, case_id, created_by, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (referral_id) DO NOTHING",
        )
        .bind(referral_id)
        .bind(case_id)
        .bind(&actor.name)
        .bind(audit::now())
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if added == 0 {
            return Err(StoreError::Conflict(format!(
                "a case was opened from referral {referral_id} already"
            )));
        }
        self.append_audit(
            &mut transaction,
            &NewAuditEntry {
                actor: actor.name.clone(),
                organisation_id: Some(organisation_id),
                action: AuditAction::Create,
                record_type: RecordType::Case,
                record_id: Some(case_id.to_string()),
                case_id: Some(case_id),
                detail: format!("opened from referral {referral_id}"),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn referral_case(
        &self,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT rc.case_id FROM referral_cases rc JOIN cases c ON c.id = rc.case_id
             WHERE rc.referral_id = $1 AND c.organisation_id = $2",
        )
        .bind(referral_id)
        .bind(organisation_id)
        .fetch_optional(&self.reader)
        .await?)
    }
}
