//! The pages of "match with partners": the supervisor's page that starts a run and fetches its
//! result, and a case's matches with the form that decides each coordination request with the
//! survivor. The work is done by [`crate::services::matching`], as for the API.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{see_other, PageUser};
use crate::cases;
use crate::error::PageError;
use crate::forms::{FormFields, FormRefusal, TypedForm};
use crate::i18n::translations;
use crate::policy::{self, Action};
use crate::services::matching::{decide_request, known_to_label, refresh_matching, start_matching};
use crate::templates::page;
use crate::AppState;

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// The message a finished action leaves on the page, from the query (`?done=...`).
fn done_message(user: &PageUser, done: Option<&str>) -> Option<String> {
    let id = match done? {
        "started" => "matching-done-started",
        "waiting" => "matching-done-waiting",
        "fetched" => "matching-done-fetched",
        "decided" => "matching-done-decided",
        _ => return None,
    };
    Some(translations().text(user.lang, id))
}

/// `GET /matching`: the partnerships, the form that starts a run and the runs (supervisors).
pub async fn matching_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::MatchWithPartners, None)?;
    let runs = state
        .store
        .matching_runs(user.principal.organisation.id)
        .await?;
    let partnerships: Vec<Value> = state
        .config
        .partnerships
        .0
        .iter()
        .map(|partnership| json!({"name": partnership.name, "unit_url": partnership.unit_url}))
        .collect();
    Ok(page(
        &user,
        "/matching",
        "matching.html",
        context! {
            partnerships => partnerships,
            runs => runs,
            done => done_message(&user, query.done.as_deref()),
        },
    )?
    .into_response())
}

/// The form that starts a run: the partnership, the linkage unit's project and the upload token
/// (checked by the service, as in the API).
#[derive(Debug)]
pub struct StartRunForm {
    pub partnership: String,
    pub project: String,
    pub upload_token: String,
}

impl TryFrom<FormFields> for StartRunForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(StartRunForm {
            partnership: fields.text("partnership"),
            project: fields.text("project"),
            upload_token: fields.text("upload_token"),
        })
    }
}

/// The decision on a coordination request: the decision's code (checked by the service) and
/// whether the survivor consents.
#[derive(Debug)]
pub struct DecisionForm {
    pub decision: String,
    pub survivor_consents: bool,
}

impl TryFrom<FormFields> for DecisionForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(DecisionForm {
            decision: fields.text("decision"),
            survivor_consents: fields.is_yes("survivor_consents"),
        })
    }
}

/// `POST /matching/runs`: starts a run (encodes, uploads), then back to the page.
pub async fn start_form(
    State(state): State<AppState>,
    user: PageUser,
    TypedForm(form): TypedForm<StartRunForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    start_matching(
        &state,
        &user.principal,
        &form.partnership,
        &form.project,
        &form.upload_token,
        lang,
    )
    .await?;
    Ok(see_other("/matching?done=started"))
}

/// `POST /matching/runs/{id}/refresh`: fetches the run's result, then back to the page.
pub async fn refresh_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(run_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let refreshed = refresh_matching(&state, &user.principal, run_id, lang).await?;
    Ok(see_other(if refreshed.status == "waiting" {
        "/matching?done=waiting"
    } else {
        "/matching?done=fetched"
    }))
}

/// `GET /cases/{id}/matches`: who else may know the person, each match with its decision form.
pub async fn case_matches_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let access = cases::authorize_case(&state, &user.principal, Action::ViewCase, case_id).await?;
    let requests = state
        .store
        .case_coordination_requests(access.organisation_id, case_id)
        .await?;
    let text = |id: &str| translations().text(lang, id);
    let rows: Vec<Value> = requests
        .iter()
        .map(|request| {
            json!({
                "id": request.id,
                "label": known_to_label(request, lang),
                "project": request.project_reference,
                "match": request.match_reference,
                "open": request.status == "open",
                "status": text(&format!("coordination-status-{}", request.status)),
                "partner_decision": request.partner_decision.as_ref().map(|decision| text(&format!("coordination-status-{decision}"))),
                "opened_at": request.opened_at,
            })
        })
        .collect();
    Ok(page(
        &user,
        &format!("/cases/{case_id}/matches"),
        "case_matches.html",
        context! {
            case_id => case_id,
            requests => rows,
            done => done_message(&user, query.done.as_deref()),
        },
    )?
    .into_response())
}

/// `POST /coordination-requests/{id}/decision`: decides with the survivor, then back to the case.
pub async fn decision_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(request_id): Path<i64>,
    TypedForm(form): TypedForm<DecisionForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let decided = decide_request(
        &state,
        &user.principal,
        request_id,
        &form.decision,
        form.survivor_consents,
        lang,
    )
    .await?;
    Ok(see_other(&format!(
        "/cases/{}/matches?done=decided",
        decided.case_id
    )))
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn the_matching_forms_read_their_fields() {
        let form = StartRunForm::try_from(fields_of(&[
            ("partnership", " corridor "),
            ("project", "7"),
            ("upload_token", "token"),
        ]))
        .unwrap();
        assert_eq!(
            (form.partnership.as_str(), form.project.as_str()),
            ("corridor", "7")
        );
        let form = DecisionForm::try_from(fields_of(&[
            ("decision", "accept"),
            ("survivor_consents", "yes"),
        ]))
        .unwrap();
        assert!(form.survivor_consents && form.decision == "accept");
        assert!(
            !DecisionForm::try_from(fields_of(&[]))
                .unwrap()
                .survivor_consents
        );
    }
}
