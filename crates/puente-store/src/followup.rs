//! Following a case across people and organisations: each user's notifications (read state per
//! user), messages on a referral between its two organisations, and the case the receiving
//! organisation opens from a referral it accepted.
//!
//! - A notification is raised for an organisation (a referral received, answered, a message);
//!   each of its users reads it for themselves ([`FollowupStore::user_notifications`],
//!   [`FollowupStore::mark_read_for_user`]). The count in the menu is the user's unread.
//! - A message is written by a user of one of the referral's two organisations and read by both;
//!   anyone else gets [`StoreError::NotFound`]. It notifies the other organisation and is audited
//!   on both sides, without its text.
//! - The case the receiver opens ([`FollowupStore::link_referral_case`]) is recorded against the
//!   referral, at most once.

use async_trait::async_trait;
use puente_core::Lang;
use serde::Serialize;

use crate::referrals::Notification;
use crate::{Actor, StoreResult};

/// The longest message on a referral, in characters.
pub const MESSAGE_MAX_CHARS: usize = 4000;

/// A notification as one user sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UserNotification {
    #[serde(flatten)]
    pub notification: Notification,
    /// When this user read it.
    pub read_by_me_at: Option<String>,
}

impl UserNotification {
    pub fn message(&self, lang: Lang) -> String {
        self.notification.message(lang)
    }
}

/// A message on a referral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReferralMessage {
    pub id: i64,
    pub referral_id: i64,
    /// The organisation of the author.
    pub organisation_id: i64,
    pub organisation: String,
    pub author: String,
    pub text: String,
    pub created_at: String,
}

/// Notifications per user, messages on referrals and the cases opened from them.
#[async_trait]
pub trait FollowupStore: Send + Sync {
    /// The notifications of the user's organisation, newest first, with the user's own read
    /// state; only those the user has not read with `unread_only`.
    async fn user_notifications(
        &self,
        organisation_id: i64,
        user_id: i64,
        unread_only: bool,
    ) -> StoreResult<Vec<UserNotification>>;
    /// How many notifications of the organisation the user has not read.
    async fn unread_count_for_user(&self, organisation_id: i64, user_id: i64) -> StoreResult<u64>;
    /// Marks one notification read for the user. [`StoreError::NotFound`] when it is not the
    /// organisation's.
    async fn mark_read_for_user(
        &self,
        actor: &Actor,
        organisation_id: i64,
        user_id: i64,
        notification_id: i64,
    ) -> StoreResult<()>;
    /// Marks every notification of the organisation read for the user; returns how many were
    /// unread.
    async fn mark_all_read_for_user(
        &self,
        actor: &Actor,
        organisation_id: i64,
        user_id: i64,
    ) -> StoreResult<u64>;
    /// Writes a message on a referral the organisation is party to (as sender or receiver), and
    /// notifies the other organisation. [`StoreError::NotFound`] for a referral it is not party
    /// to; [`StoreError::Invalid`] (naming `text`) for an empty or overlong text.
    async fn post_referral_message(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
        text: &str,
    ) -> StoreResult<ReferralMessage>;
    /// The messages of a referral the organisation is party to, oldest first.
    async fn referral_messages(
        &self,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<Vec<ReferralMessage>>;
    /// Records that the receiving organisation opened `case_id` (its own case) from the referral.
    /// [`StoreError::Conflict`] when it opened one already or the referral is not accepted.
    async fn link_referral_case(
        &self,
        actor: &Actor,
        organisation_id: i64,
        referral_id: i64,
        case_id: i64,
    ) -> StoreResult<()>;
    /// The case the receiving organisation opened from the referral, when it did.
    async fn referral_case(
        &self,
        organisation_id: i64,
        referral_id: i64,
    ) -> StoreResult<Option<i64>>;
}
