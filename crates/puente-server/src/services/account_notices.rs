//! The notices of privileged roles given in an organisation (an account created as, or promoted
//! to, supervisor or organisation admin), each as a sentence in the reader's language: the same
//! list for the notifications page and `GET /api/v1/account-notices`.

use puente_core::Lang;
use puente_store::accounts::AccountNotice;
use puente_store::Role;
use serde::Serialize;

use crate::auth::Principal;
use crate::error::AppError;
use crate::i18n::t;
use crate::policy::{authorize, Action, Decision};
use crate::AppState;

/// How many notices of privileged roles are shown.
const ACCOUNT_NOTICES_SHOWN: u32 = 50;

/// A notice of a privileged role given, with its sentence in the reader's language.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountNoticeAnswer {
    pub id: i64,
    pub organisation_id: i64,
    /// `privileged_account_created` or `privileged_role_granted`.
    #[schema(schema_with = notice_kind_schema)]
    pub kind: String,
    pub user_id: i64,
    pub user_email: String,
    /// The role given, by its code.
    #[schema(schema_with = crate::api_types::role_schema)]
    pub role: Role,
    /// Who gave it.
    pub actor: String,
    /// When (ISO 8601, UTC).
    pub created_at: String,
    /// The notice as a sentence in the request's language.
    pub message: String,
}

fn notice_kind_schema() -> utoipa::openapi::Object {
    crate::api_types::code_schema(["privileged_account_created", "privileged_role_granted"])
}

/// A notice of a privileged role given, as a sentence in `lang`.
fn account_notice_message(notice: &AccountNotice, lang: Lang) -> String {
    let id = if notice.kind == "privileged_account_created" {
        "account-notice-created"
    } else {
        "account-notice-promoted"
    };
    crate::i18n::translations().text_with(
        lang,
        id,
        &[
            ("actor", notice.actor.clone().into()),
            ("user", notice.user_email.clone().into()),
            (
                "role",
                t(lang, &format!("role-{}", notice.role.code())).into(),
            ),
        ],
    )
}

/// The notices of privileged roles given in the principal's organisation, newest first, for
/// those who oversee its cases (supervisors, organisation admins); nothing for anyone else.
pub async fn account_notices(
    state: &AppState,
    principal: &Principal,
    lang: Lang,
) -> Result<Vec<AccountNoticeAnswer>, AppError> {
    if authorize(&principal.subject(), Action::ViewOrganisationAudit, None) != Decision::Allow {
        return Ok(Vec::new());
    }
    let notices = state
        .store
        .account_notices(principal.user.organisation_id, ACCOUNT_NOTICES_SHOWN)
        .await?;
    Ok(notices
        .into_iter()
        .map(|notice| AccountNoticeAnswer {
            message: account_notice_message(&notice, lang),
            id: notice.id,
            organisation_id: notice.organisation_id,
            kind: notice.kind,
            user_id: notice.user_id,
            user_email: notice.user_email,
            role: notice.role,
            actor: notice.actor,
            created_at: notice.created_at,
        })
        .collect())
}
