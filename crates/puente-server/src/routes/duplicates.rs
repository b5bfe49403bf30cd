//! Likely duplicate persons (in the web app): while a person is created or edited, the
//! organisation's own person records that probably are the same person, with the per-field
//! explanation of `puente_linkage::find_duplicates`; never another organisation's records. A
//! supervisor merges two records (`routes::person_merges`: side by side, without loss, undoable)
//! or marks them distinct (remembered, never suggested again).
//!
//! Only records the user may read are compared: a user who may not open any of a record's cases
//! (an advocate, for a colleague's case) learns nothing about it, not even that it matches, so a
//! guessed name and phone cannot be confirmed.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use puente_core::domain::Person;
use serde::{Deserialize, Serialize};

use crate::auth::{see_other, PageUser, Principal};
use crate::cases::{self, FormFields};
use crate::error::{AppError, PageError};
use crate::extract::ApiJson;
use crate::forms::{CheckedForm, FormRefusal};
use crate::policy::{self, Action, Decision};
use crate::templates::page;
use crate::AppState;

pub use crate::services::duplicates::{
    duplicate_views, likely_duplicates, FieldWeight, LikelyDuplicate, DUPLICATE_THRESHOLD,
};

/// The body of `POST /api/v1/persons/duplicates`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DuplicateCheckRequest {
    #[schema(value_type = crate::openapi::PersonSchema)]
    person: Person,
    /// The case being edited, if any: its own person is not a duplicate of itself.
    #[serde(default)]
    case_id: Option<i64>,
}

/// The answer of `POST /api/v1/persons/duplicates`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicatesAnswer {
    /// Most likely first.
    duplicates: Vec<LikelyDuplicate>,
}

/// `POST /api/v1/persons/duplicates` `{"person", "case_id"?}`: `{"duplicates": [...]}`, the
/// organisation's likely duplicates of the person, with the explanation per field.
#[utoipa::path(post, path = "/api/v1/persons/duplicates", request_body = DuplicateCheckRequest, responses(
    (status = 200, description = "The organisation's likely duplicates of the person (never another organisation's), the match explained per field", body = DuplicatesAnswer),
    (status = 404, description = "No such case visible to the user (`case_id`)", body = crate::error::ErrorAnswer),
    (status = 422, description = "A field of the person is not valid or out of its bounds (named in `field`)", body = crate::error::ErrorAnswer),
))]
pub async fn check_duplicates(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<DuplicateCheckRequest>,
) -> Result<Json<DuplicatesAnswer>, AppError> {
    // The person within the bounds of a case's person, as the document says.
    cases::validate_case(&puente_core::domain::Case::new(request.person.clone()))?;
    if let Some(case_id) = request.case_id {
        cases::authorize_case(&state, &principal, Action::EditCase, case_id).await?;
    }
    let duplicates =
        likely_duplicates(&state, &principal, &request.person, request.case_id).await?;
    Ok(Json(DuplicatesAnswer { duplicates }))
}

/// The body of `POST /api/v1/persons/distinct`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DistinctRequest {
    person_a: i64,
    person_b: i64,
}

/// `POST /api/v1/persons/distinct` (supervisors): 204; the pair is never suggested again.
#[utoipa::path(post, path = "/api/v1/persons/distinct", request_body = DistinctRequest, responses(
    (status = 204, description = "Remembered: the pair is never suggested again"),
    (status = 404, description = "No such person in the organisation", body = crate::error::ErrorAnswer),
    (status = 422, description = "A record is not distinct from itself", body = crate::error::ErrorAnswer),
))]
pub async fn mark_distinct(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<DistinctRequest>,
) -> Result<StatusCode, AppError> {
    policy::require(&principal.subject(), Action::MergePersons, None)?;
    if request.person_a == request.person_b {
        return Err(AppError::localized("invalid-distinct-from-itself", ""));
    }
    state
        .store
        .mark_persons_distinct(
            &principal.actor(),
            principal.user.organisation_id,
            request.person_a,
            request.person_b,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Pages ----

/// `GET /cases/{id}/duplicates`: the likely duplicates of the case's person in the organisation,
/// with merge and mark-distinct for supervisors.
pub async fn case_duplicates_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let stored = cases::read_case(&state, &user.principal, Action::ViewCase, case_id).await?;
    let duplicates =
        likely_duplicates(&state, &user.principal, &stored.case.person, Some(case_id)).await?;
    let can_merge =
        policy::authorize(&user.subject(), Action::MergePersons, None) == Decision::Allow;
    Ok(page(
        &user,
        &format!("/cases/{case_id}/duplicates"),
        "case_duplicates.html",
        context! {
            case_id => case_id,
            person_id => stored.person_id,
            duplicates => duplicate_views(&duplicates, lang),
            can_merge => can_merge,
        },
    )?
    .into_response())
}

/// The duplicates page's form that marks two person records as different people, and the case
/// to go back to.
#[derive(Debug)]
pub struct DistinctForm {
    pub person_a: i64,
    pub person_b: i64,
    pub case_id: i64,
}

impl TryFrom<FormFields> for DistinctForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            Ok(DistinctForm {
                person_a: fields.required_number("person_a")?,
                person_b: fields.required_number("person_b")?,
                case_id: fields.required_number("case_id")?,
            })
        })
    }
}

/// `POST /persons/distinct` from the duplicates page (supervisors).
pub async fn distinct_form(
    State(state): State<AppState>,
    user: PageUser,
    CheckedForm(form): CheckedForm<DistinctForm>,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::MergePersons, None)?;
    // The role is checked before the form.
    let DistinctForm {
        person_a: a,
        person_b: b,
        case_id: back,
    } = form?;
    state
        .store
        .mark_persons_distinct(&user.actor(), user.principal.user.organisation_id, a, b)
        .await?;
    Ok(see_other(&format!(
        "/cases/{back}/duplicates?done=distinct"
    )))
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn a_distinct_form_converts_and_a_missing_id_is_named() {
        let form = DistinctForm::try_from(fields_of(&[
            ("person_a", "3"),
            ("person_b", "9"),
            ("case_id", "12"),
        ]))
        .unwrap();
        assert_eq!((form.person_a, form.person_b, form.case_id), (3, 9, 12));
        let refusal =
            DistinctForm::try_from(fields_of(&[("person_a", "3"), ("case_id", "12")])).unwrap_err();
        assert_eq!(refusal.field, "person_b");
        let refusal = DistinctForm::try_from(fields_of(&[
            ("person_a", "3"),
            ("person_b", "9"),
            ("case_id", "twelve"),
        ]))
        .unwrap_err();
        assert_eq!(refusal.field, "case_id");
    }
}
