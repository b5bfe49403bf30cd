//! "Match with partners": a supervisor starts a run for the persons whose consent covers
//! `matching`; the instance encodes them with the `latam` profile under the partnership's secret
//! (which never leaves the instance), uploads the encodings to the linkage unit, and later fetches
//! its own rows' match groups. Each match appears on the person's case as "may also be known to"
//! the partner organisation and opens a coordination request that names the unit's project and
//! the match's reference, never a name; it is decided with the survivor (refer or decline), and
//! the decision is sent to the unit for the partner to see.

use puente_core::domain::Person;
use puente_core::vocabulary::Vocabulary;
use puente_core::Lang;
use puente_store::{CoordinationRequest, NewMatchingRun, ReceivedMatch, StoredMatchingRun};
use serde_json::Value;

use crate::auth::Principal;
use crate::error::AppError;
use crate::partnerships::Partnership;
use crate::policy::{self, Action};
use crate::{cases, AppState};

/// The columns the instance hands the `latam` profile, named as `puente link` recognises them.
const PROFILE_COLUMNS: [&str; 7] = [
    "given_name",
    "surname",
    "date_of_birth",
    "sex",
    "nationality",
    "phone",
    "city",
];

/// A person's values for [`PROFILE_COLUMNS`]: both given names, both surnames, the partial date,
/// the sex, the nationality's code, the phone in E.164 and the current place.
pub fn profile_fields(person: &Person) -> Vec<String> {
    let join = |first: &str, second: Option<&str>| {
        [Some(first), second]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    vec![
        join(&person.given_name, person.middle_name.as_deref()),
        join(&person.surname, person.second_surname.as_deref()),
        person
            .date_of_birth
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        person
            .sex
            .map(|sex| sex.code().to_string())
            .unwrap_or_default(),
        person
            .nationality
            .map(|country| country.alpha_2().to_string())
            .unwrap_or_default(),
        person
            .phone
            .as_ref()
            .map(|phone| phone.as_str().to_string())
            .unwrap_or_default(),
        person.current_place.clone().unwrap_or_default(),
    ]
}

/// Encodes the persons with the `latam` profile keyed by the partnership's secret.
fn encode_persons(
    partnership: &Partnership,
    persons: &[(i64, Person)],
) -> Result<Vec<Vec<u8>>, AppError> {
    let profile = puente_pprl::latam::LatamProfile::new(partnership.secret(), None);
    let columns = puente_pprl::latam::LatamColumns::from_header(&PROFILE_COLUMNS)
        .map_err(AppError::internal)?;
    persons
        .iter()
        .enumerate()
        .map(|(row, (case_id, person))| {
            let fields = profile_fields(person);
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            profile
                .encode_record(&columns, &fields, row + 1)
                .map_err(|error| AppError::Invalid(format!("case {case_id}: {error}")))
        })
        .collect()
}

fn http_client() -> Result<reqwest::Client, AppError> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .map_err(AppError::internal)
}

/// The unit's refusal in the user's language.
async fn unit_refusal(response: reqwest::Response, lang: Lang) -> AppError {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let key = if lang == Lang::Es {
        "mensaje"
    } else {
        "message"
    };
    let message = body["error"][key]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| status.to_string());
    AppError::localized("matching-unit-refused", message)
}

fn unreachable(partnership: &Partnership) -> AppError {
    AppError::localized("matching-unit-unreachable", &partnership.unit_url)
}

fn partnership_of<'a>(state: &'a AppState, name: &str) -> Result<&'a Partnership, AppError> {
    state
        .config
        .partnerships
        .find(name)
        .ok_or_else(|| AppError::localized("matching-unknown-partnership", name))
}

/// What a started run did.
#[derive(Debug)]
pub struct StartedRun {
    pub run: StoredMatchingRun,
    pub encoded: usize,
    pub without_consent: usize,
}

/// Encodes the consenting persons, uploads them to the unit and records the run.
pub async fn start_matching(
    state: &AppState,
    principal: &Principal,
    partnership_name: &str,
    project: &str,
    upload_token: &str,
    lang: Lang,
) -> Result<StartedRun, AppError> {
    policy::require(&principal.subject(), Action::MatchWithPartners, None)?;
    let partnership = partnership_of(state, partnership_name)?.clone();
    let project = project.trim();
    let upload_token = upload_token.trim();
    if project.is_empty()
        || !project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(AppError::localized("matching-invalid-project", project));
    }
    let actor = principal.actor();
    let organisation_id = principal.organisation.id;
    let persons = state
        .store
        .persons_for_matching(&actor, organisation_id)
        .await?;
    let encodings = {
        let partnership = partnership.clone();
        let persons = persons.persons.clone();
        tokio::task::spawn_blocking(move || encode_persons(&partnership, &persons))
            .await
            .map_err(AppError::internal)??
    };
    let response = http_client()?
        .post(format!(
            "{}/api/v1/projects/{project}/clks",
            partnership.unit_url
        ))
        .bearer_auth(upload_token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(puente_pprl::clk_file::to_json(&encodings))
        .send()
        .await
        .map_err(|_| unreachable(&partnership))?;
    if !response.status().is_success() {
        return Err(unit_refusal(response, lang).await);
    }
    let run = state
        .store
        .record_matching_run(
            &actor,
            organisation_id,
            &NewMatchingRun {
                partnership: partnership.name.clone(),
                unit_url: partnership.unit_url.clone(),
                project_reference: project.to_string(),
                upload_token: upload_token.to_string(),
                case_ids: persons
                    .persons
                    .iter()
                    .map(|(case_id, _)| *case_id)
                    .collect(),
                without_consent: persons.without_consent,
            },
        )
        .await?;
    Ok(StartedRun {
        run,
        encoded: encodings.len(),
        without_consent: persons.without_consent,
    })
}

/// What fetching a run's result found.
#[derive(Debug)]
pub struct RefreshedRun {
    pub run: StoredMatchingRun,
    /// `waiting` while partners have not uploaded, else `done`.
    pub status: &'static str,
    pub matches: usize,
    pub opened: usize,
}

/// Fetches the run's result from the unit; when it is in, stores it (opening the coordination
/// requests).
pub async fn refresh_matching(
    state: &AppState,
    principal: &Principal,
    run_id: i64,
    lang: Lang,
) -> Result<RefreshedRun, AppError> {
    policy::require(&principal.subject(), Action::MatchWithPartners, None)?;
    let organisation_id = principal.organisation.id;
    let run = state.store.matching_run(organisation_id, run_id).await?;
    let unit = Partnership::new(&run.partnership, &run.unit_url, b"");
    let response = http_client()?
        .get(format!(
            "{}/api/v1/projects/{}/result",
            run.unit_url, run.project_reference
        ))
        .bearer_auth(&run.upload_token)
        .send()
        .await
        .map_err(|_| unreachable(&unit))?;
    if response.status() == reqwest::StatusCode::ACCEPTED {
        return Ok(RefreshedRun {
            run,
            status: "waiting",
            matches: 0,
            opened: 0,
        });
    }
    if !response.status().is_success() {
        return Err(unit_refusal(response, lang).await);
    }
    let body: Value = response
        .json()
        .await
        .map_err(|_| AppError::localized("matching-unit-refused", "?"))?;
    let mut matches = Vec::new();
    for group in body["groups"].as_array().into_iter().flatten() {
        let (Some(row), Some(reference)) = (group["row"].as_u64(), group["match"].as_str()) else {
            return Err(AppError::localized("matching-unit-refused", "groups"));
        };
        for partner in group["partners"].as_array().into_iter().flatten() {
            matches.push(ReceivedMatch {
                row: usize::try_from(row).unwrap_or(usize::MAX),
                match_reference: reference.to_string(),
                partner_organisation: partner["organisation"].as_str().unwrap_or("?").to_string(),
                similarity: partner["similarity"].as_f64().unwrap_or(0.0),
                partner_decision: partner["decision"].as_str().map(str::to_string),
            });
        }
    }
    let opened = state
        .store
        .record_matching_result(&principal.actor(), organisation_id, run_id, &matches)
        .await?;
    let run = state.store.matching_run(organisation_id, run_id).await?;
    Ok(RefreshedRun {
        run,
        status: "done",
        matches: matches.len(),
        opened,
    })
}

/// "Puede ser conocida también por: Albergue Demo (similitud 0,87)", in the reader's language.
pub fn known_to_label(request: &CoordinationRequest, lang: Lang) -> String {
    let mut similarity = format!("{:.2}", request.similarity);
    if lang == Lang::Es {
        similarity = similarity.replace('.', ",");
    }
    crate::i18n::translations().text_with(
        lang,
        "matching-known-to",
        &[
            ("organisation", request.partner_organisation.clone().into()),
            ("similarity", similarity.into()),
        ],
    )
}

/// Decides a coordination request with the survivor, and tells the unit (the partner sees it).
pub async fn decide_request(
    state: &AppState,
    principal: &Principal,
    request_id: i64,
    decision: &str,
    survivor_consents: bool,
    lang: Lang,
) -> Result<CoordinationRequest, AppError> {
    let organisation_id = principal.organisation.id;
    let request = state
        .store
        .coordination_request(organisation_id, request_id)
        .await?;
    cases::authorize_case(state, principal, Action::ReferCase, request.case_id).await?;
    if !matches!(decision, "refer" | "decline") {
        return Err(AppError::localized("matching-invalid-decision", decision));
    }
    // Referring needs the survivor's consent; declining is what happens without it.
    if decision == "refer" && !survivor_consents {
        return Err(AppError::localized("matching-refer-needs-consent", ""));
    }
    if request.status != "open" {
        return Err(AppError::localized(
            "matching-decided-already",
            &request.status,
        ));
    }
    let run = state
        .store
        .matching_run(organisation_id, request.run_id)
        .await?;
    let unit = Partnership::new(&run.partnership, &run.unit_url, b"");
    let response = http_client()?
        .post(format!(
            "{}/api/v1/projects/{}/matches/{}/decision",
            run.unit_url, run.project_reference, request.match_reference
        ))
        .bearer_auth(&run.upload_token)
        .json(&crate::linkage_unit::MatchDecision {
            decision: decision.to_string(),
        })
        .send()
        .await
        .map_err(|_| unreachable(&unit))?;
    if !response.status().is_success() {
        return Err(unit_refusal(response, lang).await);
    }
    Ok(state
        .store
        .decide_coordination_request(&principal.actor(), organisation_id, request_id, decision)
        .await?)
}
