//! Finding cases, for the API (`GET /api/v1/cases`) and the cases page alike: the address's
//! parameters read into a [`CaseFilter`] (each refusal names its parameter), the caller's scope
//! from the policy, then one page from the store.

use puente_core::htcds::CaseStatus;
use puente_core::{Country, Vocabulary};
use puente_linkage::search_keys::parse_query;
use puente_store::case_search::{DEFAULT_PER_PAGE, MAX_PER_PAGE};
use puente_store::{CaseCursor, CaseFilter, CasePage, CaseSort, CaseSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Principal;
use crate::error::AppError;
use crate::policy::{self, case_list_scope, Action, CaseListScope};
use crate::AppState;

/// The longest query read.
const MAX_QUERY_CHARS: usize = 200;

/// The parameters of a case list as typed in the address (`?q=&status=&...`); every one is
/// optional and an empty one is left out. Read as text, so that a value that cannot be read is
/// refused (400) naming its parameter.
#[derive(Clone, Debug, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListParameters {
    /// Names, a nickname, a phone number or a case number: a person's names match with accents,
    /// misspellings and nicknames folded, a phone by its digits; every word must match.
    #[serde(default)]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// The cases of this status only.
    #[serde(default)]
    #[param(schema_with = status_parameter_schema)]
    pub status: Option<String>,
    /// The cases assigned to this user only.
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 1)]
    pub assignee: Option<String>,
    /// The cases of persons of this nationality only.
    #[serde(default)]
    #[param(schema_with = nationality_parameter_schema)]
    pub nationality: Option<String>,
    /// Opened on or after this day (`YYYY-MM-DD`).
    #[serde(default)]
    #[param(schema_with = crate::api_types::day_or_blank)]
    pub opened_from: Option<String>,
    /// Opened on or before this day (`YYYY-MM-DD`).
    #[serde(default)]
    #[param(schema_with = crate::api_types::day_or_blank)]
    pub opened_to: Option<String>,
    /// `newest` (opened most recently first, the default), `oldest` or `updated` (changed most
    /// recently first).
    #[serde(default)]
    #[param(schema_with = sort_parameter_schema)]
    pub sort: Option<String>,
    /// The page, from 1 (1 by default).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1)]
    pub page: Option<String>,
    /// Cases per page, 1 to 100 (25 by default).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
    /// The `next_cursor` of the page before: this page starts right after that page's last case
    /// (as cheap deep in the list as on its first page); `page` then only labels it.
    #[serde(default)]
    #[param(max_length = 60)]
    pub cursor: Option<String>,
}

/// A case status code, or blank (the list's and the exports' `status`).
pub(crate) fn status_parameter_schema() -> utoipa::openapi::Object {
    crate::api_types::code_or_blank(crate::api_types::vocabulary_codes::<CaseStatus>())
}

/// A country code, or blank (the list's and the exports' `nationality`).
pub(crate) fn nationality_parameter_schema() -> utoipa::openapi::Object {
    crate::api_types::code_or_blank(crate::openapi::country_code())
}

fn sort_parameter_schema() -> utoipa::openapi::Object {
    let codes: Vec<&str> = CaseSort::ALL.iter().map(|sort| sort.code()).collect();
    crate::api_types::code_or_blank(
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(codes))
            .build(),
    )
}

/// The answer of `GET /api/v1/cases`: the store's [`CasePage`], as the API describes it.
#[derive(Serialize, ToSchema)]
pub struct CasePageAnswer {
    /// This page's cases, in the order asked for.
    cases: Vec<CaseListLine>,
    /// How many cases match, on every page.
    #[schema(minimum = 0)]
    total: u64,
    #[schema(minimum = 1)]
    page: u32,
    #[schema(minimum = 1, maximum = 100)]
    per_page: u32,
    /// The `cursor` of the next page, while there is one.
    next_cursor: Option<String>,
}

/// A line of a case list (the store's `CaseSummary`): the non-identifying facts and the person's
/// name.
#[derive(Serialize, ToSchema)]
pub struct CaseListLine {
    id: i64,
    organisation_id: i64,
    /// The user the case is assigned to.
    owner_user_id: Option<i64>,
    #[schema(schema_with = case_status_schema)]
    status: CaseStatus,
    version: i64,
    person_name: String,
    #[schema(schema_with = optional_sex_schema)]
    sex: Option<puente_core::htcds::Gender>,
    age_at_intake: Option<u32>,
    #[schema(schema_with = optional_country_schema)]
    nationality: Option<Country>,
    /// `YYYY-MM-DD`.
    opened_on: String,
    /// ISO 8601.
    updated_at: String,
}

impl From<CasePage> for CasePageAnswer {
    fn from(page: CasePage) -> Self {
        Self {
            cases: page.cases.into_iter().map(CaseListLine::from).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
            next_cursor: page.next_cursor,
        }
    }
}

impl From<CaseSummary> for CaseListLine {
    fn from(summary: CaseSummary) -> Self {
        Self {
            id: summary.id,
            organisation_id: summary.organisation_id,
            owner_user_id: summary.owner_user_id,
            status: summary.status,
            version: summary.version,
            person_name: summary.person_name,
            sex: summary.sex,
            age_at_intake: summary.age_at_intake,
            nationality: summary.nationality,
            opened_on: summary.opened_on,
            updated_at: summary.updated_at,
        }
    }
}

fn case_status_schema() -> utoipa::openapi::Object {
    crate::api_types::vocabulary_codes::<CaseStatus>()
}

fn optional_sex_schema() -> utoipa::openapi::Object {
    crate::api_types::optional(crate::api_types::vocabulary_codes::<
        puente_core::htcds::Gender,
    >())
}

fn optional_country_schema() -> utoipa::openapi::Object {
    crate::api_types::optional(crate::openapi::country_code())
}

fn given(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

fn refused(field: &str, value: &str) -> AppError {
    AppError::InvalidParameter {
        field: field.to_string(),
        value: value.to_string(),
    }
}

fn day(field: &str, value: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(value) = value else { return Ok(None) };
    time::Date::parse(
        value,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| refused(field, value))?;
    Ok(Some(value.to_string()))
}

fn number(field: &str, value: Option<&str>, default: u32, max: u32) -> Result<u32, AppError> {
    match value {
        None => Ok(default),
        Some(text) => match text.parse::<u32>() {
            Ok(number) if (1..=max).contains(&number) => Ok(number),
            _ => Err(refused(field, text)),
        },
    }
}

impl CaseListParameters {
    /// The filter these parameters ask for; `default_country` reads a national phone number in
    /// the query. A value that cannot be read is refused naming its parameter.
    pub fn filter(&self, default_country: Option<Country>) -> Result<CaseFilter, AppError> {
        let query = given(&self.q).unwrap_or("");
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(refused(
                "q",
                &format!("more than {MAX_QUERY_CHARS} characters"),
            ));
        }
        let status = given(&self.status)
            .map(|code| CaseStatus::from_code(code).ok_or_else(|| refused("status", code)))
            .transpose()?;
        let assignee = given(&self.assignee)
            .map(|id| {
                id.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| refused("assignee", id))
            })
            .transpose()?;
        let nationality = given(&self.nationality)
            .map(|code| Country::from_code(code).ok_or_else(|| refused("nationality", code)))
            .transpose()?;
        let opened_from = day("opened_from", given(&self.opened_from))?;
        let opened_to = day("opened_to", given(&self.opened_to))?;
        let sort = given(&self.sort)
            .map(|code| CaseSort::from_code(code).ok_or_else(|| refused("sort", code)))
            .transpose()?
            .unwrap_or_default();
        // A cursor of a list in another order would start the page at the wrong place.
        let after = given(&self.cursor)
            .map(|text| {
                CaseCursor::decode(text)
                    .filter(|cursor| cursor.sort == sort)
                    .ok_or_else(|| refused("cursor", text))
            })
            .transpose()?;
        Ok(CaseFilter {
            query: parse_query(query, default_country),
            status,
            owner_user_id: None,
            assignee,
            nationality,
            opened_from,
            opened_to,
            sort,
            page: number("page", given(&self.page), 1, u32::MAX)?,
            per_page: number(
                "per_page",
                given(&self.per_page),
                DEFAULT_PER_PAGE,
                MAX_PER_PAGE,
            )?,
            after,
        })
    }
}

/// The parameters of the case list's exports (`GET /api/v1/cases/export.xlsx`, `.csv`), as the
/// document describes them: the search's filters and order, without its page (an export holds
/// every page). The exports read [`CaseListParameters`] and leave its page out.
pub struct CaseExportParameters;

/// The search's parameters that choose a page, which an export leaves out.
const PAGE_PARAMETERS: [&str; 3] = ["page", "per_page", "cursor"];

impl IntoParams for CaseExportParameters {
    fn into_params(
        parameter_in_provider: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        CaseListParameters::into_params(parameter_in_provider)
            .into_iter()
            .filter(|parameter| !PAGE_PARAMETERS.contains(&parameter.name.as_str()))
            .collect()
    }
}

/// The search's filter for the parameters, scoped to the cases the caller's lists show, once
/// `action` is allowed.
fn scoped_filter(
    principal: &Principal,
    parameters: &CaseListParameters,
    action: Action,
) -> Result<CaseFilter, AppError> {
    policy::require(&principal.subject(), action, None)?;
    let owner = match case_list_scope(&principal.subject()) {
        CaseListScope::Own => Some(principal.user.id),
        CaseListScope::Organisation => None,
        CaseListScope::Nothing => return Err(AppError::Forbidden),
    };
    let mut filter = parameters.filter(principal.organisation.organisation.country)?;
    filter.owner_user_id = owner;
    Ok(filter)
}

/// One page of the cases in the caller's scope that match the parameters. Audited as a list.
pub async fn find_cases(
    state: &AppState,
    principal: &Principal,
    parameters: &CaseListParameters,
) -> Result<CasePage, AppError> {
    let filter = scoped_filter(principal, parameters, Action::ListCases)?;
    Ok(state
        .store
        .find_cases(&principal.actor(), principal.user.organisation_id, &filter)
        .await?)
}

/// Every case the list shows for the same filters, in the list's order, once `action` (an
/// export) is allowed: the search's pages read one after the other, each starting after the
/// last case of the page before. Each page is audited as a list.
pub async fn find_every_case(
    state: &AppState,
    principal: &Principal,
    parameters: &CaseListParameters,
    action: Action,
) -> Result<Vec<CaseSummary>, AppError> {
    let first_page = CaseListParameters {
        page: None,
        per_page: Some(MAX_PER_PAGE.to_string()),
        cursor: None,
        ..parameters.clone()
    };
    let mut filter = scoped_filter(principal, &first_page, action)?;
    let mut found = Vec::new();
    loop {
        let page = state
            .store
            .find_cases(&principal.actor(), principal.user.organisation_id, &filter)
            .await?;
        found.extend(page.cases);
        let Some(next) = page.next_cursor else {
            return Ok(found);
        };
        // The store's own cursor always reads back; an export never stops short of the list.
        let after = CaseCursor::decode(&next).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "the case search gave a cursor it cannot read"
            ))
        })?;
        filter.after = Some(after);
        filter.page = filter.page.saturating_add(1);
    }
}
