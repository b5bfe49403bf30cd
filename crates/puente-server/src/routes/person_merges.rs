//! Merging two records of one person without loss (supervisors), in the API and the pages.
//!
//! The two records are shown side by side, field by field, each preset by
//! `puente_core::person_merge::default_choices` (the non-empty, most recent value); the
//! supervisor picks, a confirmation page shows the record that will result, and only then the
//! store merges (both records' values kept with the merge, every case's version before it in its
//! history). A merge can be undone while the kept record has not changed since.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use puente_core::domain::Person;
use puente_core::person_merge::{self, DatedPerson, FieldChoice, MergeSide, PersonField};
use puente_core::Lang;
use puente_store::MergeCandidate;
use serde::{Deserialize, Serialize};

use crate::auth::{see_other, PageUser, Principal};
use crate::error::{AppError, ErrorAnswer, PageError};
use crate::extract::ApiJson;
use crate::forms::{FormFields, FormRefusal, TypedForm};
use crate::i18n::t;
use crate::policy::{self, Action};
use crate::templates::page;
use crate::AppState;

/// The two records of a merge to decide, as `?kept_person_id=&merged_person_id=` names them.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MergePair {
    /// The record kept (its cases stay, the others' join them).
    kept_person_id: i64,
    /// The record merged into it (kept for history, no longer used).
    merged_person_id: i64,
    /// The case the pages go back to.
    #[serde(default)]
    #[param(required = false)]
    case_id: Option<i64>,
}

/// One field of the side-by-side view.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MergeFieldView {
    /// The field's code (`given_name`, `phone`, ...).
    field: &'static str,
    /// The field's name in the reader's language.
    label: String,
    /// The value of the record kept, as shown (absent when empty).
    kept: Option<String>,
    /// The value of the record merged into it.
    merged: Option<String>,
    /// The preset: `kept` or `merged`.
    preset: &'static str,
}

/// One record of the side-by-side view.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MergeRecordView {
    person_id: i64,
    updated_at: String,
    /// The record's cases.
    cases: Vec<i64>,
}

/// The answer of `GET /api/v1/persons/merge`: both records side by side with the presets.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MergePreview {
    kept: MergeRecordView,
    merged: MergeRecordView,
    fields: Vec<MergeFieldView>,
}

/// Both records of a pair, read for a merge (audited by the store), after the policy allowed it.
async fn candidates(
    state: &AppState,
    principal: &Principal,
    kept_person_id: i64,
    merged_person_id: i64,
) -> Result<(MergeCandidate, MergeCandidate), AppError> {
    policy::require(&principal.subject(), Action::MergePersons, None)?;
    if kept_person_id == merged_person_id {
        return Err(AppError::localized("invalid-merge-into-itself", ""));
    }
    let organisation_id = principal.user.organisation_id;
    let actor = principal.actor();
    let kept = state
        .store
        .merge_candidate(&actor, organisation_id, kept_person_id)
        .await?;
    let merged = state
        .store
        .merge_candidate(&actor, organisation_id, merged_person_id)
        .await?;
    Ok((kept, merged))
}

fn presets(kept: &MergeCandidate, merged: &MergeCandidate) -> Vec<FieldChoice> {
    person_merge::default_choices(
        DatedPerson {
            person: &kept.person,
            updated_at: &kept.updated_at,
        },
        DatedPerson {
            person: &merged.person,
            updated_at: &merged.updated_at,
        },
    )
}

fn field_views(
    kept: &Person,
    merged: &Person,
    choices: &[FieldChoice],
    lang: Lang,
) -> Vec<MergeFieldView> {
    choices
        .iter()
        .map(|choice| MergeFieldView {
            field: choice.field.code(),
            label: choice.field.label().get(lang).to_string(),
            kept: choice.field.shown_value(kept, lang),
            merged: choice.field.shown_value(merged, lang),
            preset: choice.side.code(),
        })
        .collect()
}

fn record_view(candidate: &MergeCandidate) -> MergeRecordView {
    MergeRecordView {
        person_id: candidate.person_id,
        updated_at: candidate.updated_at.clone(),
        cases: candidate.cases.iter().map(|case| case.case_id).collect(),
    }
}

/// `GET /api/v1/persons/merge?kept_person_id=&merged_person_id=` (supervisors): both records
/// side by side, field by field, with the preset of each. Audited as a read of both.
#[utoipa::path(get, path = "/api/v1/persons/merge", params(MergePair), responses(
    (status = 200, description = "Both records side by side with the preset of each field (audited)", body = MergePreview),
    (status = 403, description = "Only a supervisor merges records", body = ErrorAnswer),
    (status = 404, description = "No such person in the organisation", body = ErrorAnswer),
    (status = 409, description = "A record was merged already", body = ErrorAnswer),
    (status = 422, description = "A record cannot be merged into itself", body = ErrorAnswer),
))]
pub async fn merge_preview(
    State(state): State<AppState>,
    principal: Principal,
    crate::auth::RequestLang(lang): crate::auth::RequestLang,
    Query(pair): Query<MergePair>,
) -> Result<Json<MergePreview>, AppError> {
    let (kept, merged) = candidates(
        &state,
        &principal,
        pair.kept_person_id,
        pair.merged_person_id,
    )
    .await?;
    let choices = presets(&kept, &merged);
    Ok(Json(MergePreview {
        fields: field_views(&kept.person, &merged.person, &choices, lang),
        kept: record_view(&kept),
        merged: record_view(&merged),
    }))
}

/// The body of `POST /api/v1/persons/merge`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MergeRequest {
    merged_person_id: i64,
    kept_person_id: i64,
    /// The record each field is taken from (`kept` or `merged`), by field code; a field left
    /// out takes its preset (the non-empty, most recent value).
    #[serde(default)]
    #[schema(schema_with = choices_schema)]
    choices: BTreeMap<PersonField, MergeSide>,
}

fn choices_schema() -> utoipa::openapi::Object {
    let side = || {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(["kept", "merged"]))
    };
    let mut builder = utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Object)
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ));
    for field in PersonField::ALL {
        builder = builder.property(field.code(), side());
    }
    builder.build()
}

/// The answer of `POST /api/v1/persons/merge`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MergeAnswer {
    /// The merge, to undo it.
    merge_id: i64,
    kept_person_id: i64,
    merged_person_id: i64,
    /// The cases that moved to the person kept.
    moved_cases: Vec<i64>,
    /// The record each field was taken from.
    #[schema(schema_with = choices_schema)]
    choices: BTreeMap<PersonField, MergeSide>,
}

fn picks_of(choices: &BTreeMap<PersonField, MergeSide>) -> Vec<FieldChoice> {
    choices
        .iter()
        .map(|(field, side)| FieldChoice {
            field: *field,
            side: *side,
        })
        .collect()
}

/// Merges after the policy allowed it.
async fn merge(
    state: &AppState,
    principal: &Principal,
    kept_person_id: i64,
    merged_person_id: i64,
    picks: &[FieldChoice],
) -> Result<puente_store::MergeOutcome, AppError> {
    policy::require(&principal.subject(), Action::MergePersons, None)?;
    if kept_person_id == merged_person_id {
        return Err(AppError::localized("invalid-merge-into-itself", ""));
    }
    Ok(state
        .store
        .merge_persons(
            &principal.actor(),
            principal.user.organisation_id,
            merged_person_id,
            kept_person_id,
            picks,
        )
        .await?)
}

/// `POST /api/v1/persons/merge` (supervisors): the kept record takes each field from the record
/// `choices` names (the preset for a field left out); the merged record is kept with
/// `merged_into` set and its cases move to the person kept. 200 with the merge and what moved.
#[utoipa::path(post, path = "/api/v1/persons/merge", request_body = MergeRequest, responses(
    (status = 200, description = "The merge, what moved and where each field came from", body = MergeAnswer),
    (status = 403, description = "Only a supervisor merges records", body = ErrorAnswer),
    (status = 404, description = "No such person in the organisation", body = ErrorAnswer),
    (status = 409, description = "A record was merged already", body = ErrorAnswer),
    (status = 422, description = "A record cannot be merged into itself, or a field or side that does not exist", body = ErrorAnswer),
))]
pub async fn merge_persons(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<MergeRequest>,
) -> Result<Json<MergeAnswer>, AppError> {
    let outcome = merge(
        &state,
        &principal,
        request.kept_person_id,
        request.merged_person_id,
        &picks_of(&request.choices),
    )
    .await?;
    let merge = state
        .store
        .person_merge(principal.user.organisation_id, outcome.merge_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(MergeAnswer {
        merge_id: outcome.merge_id,
        kept_person_id: outcome.kept_person_id,
        merged_person_id: outcome.merged_person_id,
        moved_cases: outcome.moved_cases,
        choices: merge
            .choices
            .iter()
            .map(|choice| (choice.field, choice.side))
            .collect(),
    }))
}

/// The answer of `POST /api/v1/persons/merges/{id}/undo`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UndoAnswer {
    merge_id: i64,
    /// The cases moved back to the record merged away.
    moved_back: Vec<i64>,
}

/// `POST /api/v1/persons/merges/{id}/undo` (supervisors): both records get their values back,
/// the moved cases move back (each with a new version). 409 once undone, or when the kept record
/// changed since the merge.
#[utoipa::path(post, path = "/api/v1/persons/merges/{id}/undo", params(("id" = i64, Path, description = "The merge")), responses(
    (status = 200, description = "Undone: the cases moved back", body = UndoAnswer),
    (status = 403, description = "Only a supervisor undoes a merge", body = ErrorAnswer),
    (status = 404, description = "No such merge in the organisation", body = ErrorAnswer),
    (status = 409, description = "Undone already, or the kept record changed since the merge", body = ErrorAnswer),
))]
pub async fn undo_merge(
    State(state): State<AppState>,
    principal: Principal,
    Path(merge_id): Path<i64>,
) -> Result<Json<UndoAnswer>, AppError> {
    policy::require(&principal.subject(), Action::MergePersons, None)?;
    let undone = state
        .store
        .undo_person_merge(&principal.actor(), principal.user.organisation_id, merge_id)
        .await?;
    Ok(Json(UndoAnswer {
        merge_id: undone.merge_id,
        moved_back: undone.moved_back,
    }))
}

// ---- Pages ----

/// The side-by-side page's form: the two records, the case to go back to, the picks
/// (`choice_<field>` = `kept` or `merged`; a field not picked keeps its preset), and whether the
/// merge is confirmed.
#[derive(Debug)]
pub struct MergeForm {
    pub kept_person_id: i64,
    pub merged_person_id: i64,
    pub case_id: Option<i64>,
    pub picks: Vec<FieldChoice>,
    pub confirmed: bool,
}

impl TryFrom<FormFields> for MergeForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            Ok(MergeForm {
                kept_person_id: fields.required_number("kept_person_id")?,
                merged_person_id: fields.required_number("merged_person_id")?,
                case_id: fields
                    .get("case_id")
                    .and_then(|value| value.parse::<i64>().ok()),
                picks: PersonField::ALL
                    .into_iter()
                    .filter_map(|field| {
                        let side = fields
                            .get(&format!("choice_{}", field.code()))
                            .and_then(MergeSide::from_code)?;
                        Some(FieldChoice { field, side })
                    })
                    .collect(),
                confirmed: fields.is_yes("confirmed"),
            })
        })
    }
}

/// `GET /persons/merge?kept_person_id=&merged_person_id=&case_id=`: both records side by side,
/// each field preset, for the supervisor to pick.
pub async fn merge_compare_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(pair): Query<MergePair>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let (kept, merged) = candidates(
        &state,
        &user.principal,
        pair.kept_person_id,
        pair.merged_person_id,
    )
    .await?;
    let choices = presets(&kept, &merged);
    Ok(page(
        &user,
        "/persons/merge",
        "merge_compare.html",
        context! {
            kept => record_view(&kept),
            merged => record_view(&merged),
            fields => field_views(&kept.person, &merged.person, &choices, lang),
            case_id => pair.case_id,
        },
    )?
    .into_response())
}

/// `POST /persons/merge` from the side-by-side page: without `confirmed=yes`, the confirmation
/// (the record that will result, nothing changed yet); with it, the merge, then its page.
pub async fn merge_form(
    State(state): State<AppState>,
    user: PageUser,
    TypedForm(form): TypedForm<MergeForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let MergeForm {
        kept_person_id,
        merged_person_id,
        case_id,
        picks,
        confirmed,
    } = form;
    let (kept, merged) =
        candidates(&state, &user.principal, kept_person_id, merged_person_id).await?;
    let choices = person_merge::choices_with_picks(&presets(&kept, &merged), &picks);
    if !confirmed {
        let result = person_merge::merged_person(&kept.person, &merged.person, &choices);
        let rows: Vec<(String, String, &'static str)> = choices
            .iter()
            .map(|choice| {
                (
                    choice.field.label().get(lang).to_string(),
                    choice
                        .field
                        .shown_value(&result, lang)
                        .unwrap_or_else(|| "—".into()),
                    choice.side.code(),
                )
            })
            .collect();
        let hidden: Vec<(String, &'static str)> = choices
            .iter()
            .map(|choice| {
                (
                    format!("choice_{}", choice.field.code()),
                    choice.side.code(),
                )
            })
            .collect();
        return Ok(page(
            &user,
            "/persons/merge",
            "merge_confirm.html",
            context! {
                kept => record_view(&kept),
                merged => record_view(&merged),
                rows => rows,
                hidden => hidden,
                case_id => case_id,
            },
        )?
        .into_response());
    }
    let outcome = merge(
        &state,
        &user.principal,
        kept_person_id,
        merged_person_id,
        &choices,
    )
    .await?;
    Ok(see_other(&format!("/persons/merges/{}", outcome.merge_id)))
}

/// `GET /persons/merges/{id}`: a merge: the records, the cases that moved, where each field came
/// from (no values: those are on the cases and in their history), and the undo.
pub async fn merge_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(merge_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::MergePersons, None)?;
    let merge = state
        .store
        .person_merge(user.principal.user.organisation_id, merge_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let from_merged: Vec<String> = merge
        .choices
        .iter()
        .filter(|choice| choice.side == MergeSide::Merged)
        .map(|choice| choice.field.label().get(lang).to_string())
        .collect();
    let case_id = merge.moved_cases.first().copied();
    Ok(page(
        &user,
        &format!("/persons/merges/{merge_id}"),
        "merge_done.html",
        context! {
            merge_id => merge.id,
            kept_person_id => merge.kept_person_id,
            merged_person_id => merge.merged_person_id,
            moved_cases => merge.moved_cases,
            from_merged => from_merged,
            merged_by => merge.merged_by,
            merged_at => merge.merged_at,
            undone_by => merge.undone_by,
            undone_at => merge.undone_at,
            case_id => case_id,
            nothing_from_merged => t(lang, "merge-nothing-from-merged"),
        },
    )?
    .into_response())
}

/// `POST /persons/merges/{id}/undo` from the merge's page.
pub async fn undo_merge_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(merge_id): Path<i64>,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::MergePersons, None)?;
    state
        .store
        .undo_person_merge(&user.actor(), user.principal.user.organisation_id, merge_id)
        .await?;
    Ok(see_other(&format!("/persons/merges/{merge_id}")))
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn a_merge_form_converts_with_its_picks_and_a_missing_record_is_named() {
        let form = MergeForm::try_from(fields_of(&[
            ("kept_person_id", "4"),
            ("merged_person_id", "5"),
            ("case_id", ""),
            ("choice_surname", "merged"),
            ("choice_nonsense", "merged"),
            ("confirmed", "yes"),
        ]))
        .unwrap();
        assert_eq!((form.kept_person_id, form.merged_person_id), (4, 5));
        assert_eq!(form.case_id, None);
        assert!(form.confirmed);
        assert_eq!(form.picks.len(), 1);
        assert_eq!(form.picks[0].side, MergeSide::Merged);
        let refusal = MergeForm::try_from(fields_of(&[("merged_person_id", "5")])).unwrap_err();
        assert_eq!(refusal.field, "kept_person_id");
    }
}
