//! The service directory: the search API and page, the organisations, and the services
//! suggested for a case from its latest screening and the person's profile.
//!
//! The directory holds no survivor data, so every role may search it. The suggestions page reads a
//! case, so it is authorised and audited as a view of the case.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use puente_core::{Country, Lang, Vocabulary};
use puente_directory::{needs_from_screening_result, PersonProfile, ServiceQuery, DIRECTORY_NEEDS};
use puente_store::directory::StoredServiceMatch;
use puente_store::StoredOrganisation;
use serde::Serialize;

use crate::auth::{PageUser, Principal, RequestLang};
use crate::cases;
use crate::error::{AppError, ErrorAnswer, PageError};
use crate::openapi::ServiceMatchSchema;
use crate::policy::{self, Action};
use crate::services::directory::{match_view, MatchView};
use crate::templates::{country_choices, page, vocabulary_choices, Choice};
use crate::AppState;

/// Reads a directory query from URL parameters; a bad one is a 422 naming the parameter.
fn service_query(pairs: &[(String, String)]) -> Result<ServiceQuery, AppError> {
    ServiceQuery::from_pairs(
        pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
    .map_err(|invalid| AppError::Invalid(invalid.to_string()))
}

/// One match as the API shows it: the stored match, the organisation's slug, and the reasons as
/// sentences in the request's language (`why`). The document describes it by the `ServiceMatch`
/// component (`openapi.rs`), written from the directory's types, which carry no schema.
#[derive(Debug, Serialize)]
pub struct ServiceMatchAnswer {
    id: i64,
    organisation_id: i64,
    score: i32,
    reasons: Vec<puente_directory::MatchReason>,
    service: puente_directory::Service,
    /// The organisation's slug.
    organisation: Option<String>,
    why: Vec<String>,
}

impl ServiceMatchAnswer {
    fn of(found: StoredServiceMatch, organisations: &[StoredOrganisation], lang: Lang) -> Self {
        Self {
            organisation: organisation_slug(organisations, found.organisation_id)
                .map(str::to_string),
            why: found
                .reasons
                .iter()
                .map(|reason| reason.label(lang))
                .collect(),
            id: found.id,
            organisation_id: found.organisation_id,
            score: found.score,
            reasons: found.reasons,
            service: found.service,
        }
    }
}

fn organisation_slug(organisations: &[StoredOrganisation], id: i64) -> Option<&str> {
    organisations
        .iter()
        .find(|organisation| organisation.id == id)
        .map(|organisation| organisation.organisation.slug.as_str())
}

/// The query of `GET /api/v1/services`, as the document describes it; the handler reads it as
/// pairs (`ServiceQuery::from_pairs`), which also refuses a parameter it does not know.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ServiceSearchParameters {
    /// The support needed.
    #[param(schema_with = need_schema)]
    need: Option<String>,
    #[param(schema_with = country_schema)]
    country: Option<String>,
    /// A town or department.
    place: Option<String>,
    /// The person's age in years.
    #[param(minimum = 0, maximum = 130)]
    age: Option<u32>,
    #[param(schema_with = sex_schema)]
    sex: Option<String>,
    /// ISO 639-1 codes, comma-separated.
    language: Option<String>,
    /// Whether the person lives in a rural area.
    rural: Option<bool>,
}

// A blank value is a choice left blank in the directory's form: the same as no parameter.
fn need_schema() -> utoipa::openapi::Object {
    crate::api_types::code_or_blank(crate::api_types::vocabulary_codes::<
        puente_core::htcds::SupportType,
    >())
}

fn country_schema() -> utoipa::openapi::Object {
    crate::api_types::code_or_blank(crate::openapi::country_code())
}

fn sex_schema() -> utoipa::openapi::Object {
    crate::api_types::code_or_blank(
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(["F", "M", "X"]))
            .build(),
    )
}

/// `GET /api/v1/services?country=GT&need=shelter&age=15&sex=F&language=es`: the matching services,
/// best first, each with its reasons (codes, both languages, and `why` in the request's language).
#[utoipa::path(get, path = "/api/v1/services", params(ServiceSearchParameters), responses(
    (status = 200, description = "Matching services, best first, with why each matches", body = Vec<ServiceMatchSchema>),
    (status = 422, description = "A parameter that cannot be read, or an unknown one (named in the message)", body = ErrorAnswer),
))]
pub async fn search_services(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<Vec<ServiceMatchAnswer>>, AppError> {
    policy::require(&principal.subject(), Action::SearchDirectory, None)?;
    let query = service_query(&pairs)?;
    let found = state.store.search_services(&query).await?;
    let organisations = state.store.list_organisations().await?;
    Ok(Json(
        found
            .into_iter()
            .map(|found| ServiceMatchAnswer::of(found, &organisations, lang))
            .collect(),
    ))
}

/// An organisation as `GET /api/v1/orgs` lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganisationView {
    id: i64,
    slug: String,
    name: String,
    /// The kind of organisation (hotline, shelter, ...), by its code.
    kind: &'static str,
    /// ISO 3166-1 alpha-2.
    country: Option<&'static str>,
}

/// `GET /api/v1/orgs`: every organisation with `id`, `slug`, `name`, `kind` and `country`.
#[utoipa::path(get, path = "/api/v1/orgs", responses(
    (status = 200, description = "Every organisation", body = Vec<OrganisationView>),
))]
pub async fn list_organisations(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<OrganisationView>>, AppError> {
    policy::require(&principal.subject(), Action::SearchDirectory, None)?;
    let organisations = state.store.list_organisations().await?;
    Ok(Json(
        organisations
            .iter()
            .map(|stored| OrganisationView {
                id: stored.id,
                slug: stored.organisation.slug.clone(),
                name: stored.organisation.name.clone(),
                kind: stored.organisation.kind.code(),
                country: stored.organisation.country.map(|country| country.alpha_2()),
            })
            .collect(),
    ))
}

/// The needs the directory knows, labelled.
fn need_choices(lang: Lang) -> Vec<Choice> {
    DIRECTORY_NEEDS
        .iter()
        .map(|need| Choice {
            value: need.code().to_string(),
            label: need.label_in(lang).to_string(),
        })
        .collect()
}

/// `GET /directory`: the search form and, when a query is given, the matching services with why
/// each matches. The form's fields are the API's parameters.
pub async fn directory_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::SearchDirectory, None)?;
    let searched = pairs.iter().any(|(_, value)| !value.trim().is_empty());
    let (matches, error) = if searched {
        match service_query(&pairs) {
            Ok(query) => {
                let found = state.store.search_services(&query).await?;
                let organisations = state.store.list_organisations().await?;
                let views: Vec<MatchView> = found
                    .iter()
                    .map(|found| match_view(found, &organisations, lang))
                    .collect();
                (views, None)
            }
            Err(error) => (Vec::new(), Some(error.message(lang))),
        }
    } else {
        (Vec::new(), None)
    };
    let value_of = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let form = context! {
        need => value_of("need"),
        country => value_of("country"),
        place => value_of("place"),
        age => value_of("age"),
        sex => value_of("sex"),
        language => value_of("language"),
    };
    Ok(page(
        &user,
        "/directory",
        "directory.html",
        context! {
            searched => searched,
            matches => matches,
            error => error,
            form => form,
            needs => need_choices(lang),
            countries => country_choices(lang),
            sexes => vocabulary_choices::<puente_core::htcds::Gender>(lang),
        },
    )?
    .into_response())
}

/// The suggestions for one need, as a page shows them.
#[derive(Debug, Serialize)]
pub struct NeedView {
    pub need: String,
    pub matches: Vec<MatchView>,
}

/// `GET /cases/{id}/services`: the services suggested for the case, from its latest screening's
/// next steps and the person's profile (age, sex, country, place, languages), best first, with
/// why each matches; a need with no matching service is shown as a gap. Each service can be
/// referred to from here.
pub async fn case_services_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let stored = cases::read_case(&state, &user.principal, Action::ViewCase, case_id).await?;
    let screenings = state.store.screenings_for_case(case_id).await?;
    // A stored result is read as the engine's type; one stored before each step carried its need
    // falls back to the wording of its steps, written in the reader's language.
    let needs = match screenings.last() {
        Some(screening) => {
            match serde_json::from_value::<puente_screening::ScreeningResult>(
                screening.result.clone(),
            ) {
                Ok(result) if !result.next_step_needs.is_empty() => result.support_needs(),
                _ => {
                    let mut result = screening.result.clone();
                    cases::explain_stored_screening(&state, &screening.input, &mut result, lang)
                        .await?;
                    needs_from_screening_result(&result)
                }
            }
        }
        None => Vec::new(),
    };
    let today = time::OffsetDateTime::now_utc().date();
    let profile = PersonProfile::of_person(&stored.case.person, today);
    let suggestions = state.store.suggest_services(&profile, &needs).await?;
    let organisations = state.store.list_organisations().await?;
    let views: Vec<NeedView> = suggestions
        .iter()
        .map(|suggestion| NeedView {
            need: suggestion.need.label_in(lang).to_string(),
            matches: suggestion
                .matches
                .iter()
                .map(|found| MatchView {
                    referable: found.organisation_id != stored.organisation_id,
                    ..match_view(found, &organisations, lang)
                })
                .collect(),
        })
        .collect();
    let can_refer = policy::authorize(
        &user.subject(),
        Action::ReferCase,
        Some(policy::CaseScope {
            organisation_id: stored.organisation_id,
            owner_user_id: stored.owner_user_id,
        }),
    ) == policy::Decision::Allow;
    let country = profile
        .country
        .map(Country::alpha_2)
        .unwrap_or_default()
        .to_string();
    Ok(page(
        &user,
        &format!("/cases/{case_id}/services"),
        "case_services.html",
        context! {
            case_id => case_id,
            screened => !screenings.is_empty(),
            suggestions => views,
            can_refer => can_refer,
            country => country,
            age => profile.age,
            sex => profile.sex.map(|sex| sex.code().to_string()),
        },
    )?
    .into_response())
}
