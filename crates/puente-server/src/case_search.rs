//! Finding cases, for the API (`GET /api/v1/cases`) and the cases page alike: the address's
//! parameters read into a [`CaseFilter`] (each refusal names its parameter), the caller's scope
//! from the policy, then one page from the store.

use puente_core::htcds::CaseStatus;
use puente_core::{Country, Vocabulary};
use puente_linkage::search_keys::parse_query;
use puente_store::case_search::{DEFAULT_PER_PAGE, MAX_PER_PAGE};
use puente_store::{CaseFilter, CasePage, CaseSort};
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::error::AppError;
use crate::policy::{self, case_list_scope, Action, CaseListScope};
use crate::AppState;

/// The longest query read.
const MAX_QUERY_CHARS: usize = 200;

/// The parameters of a case list as typed in the address (`?q=&status=&...`); every one is
/// optional and an empty one is left out.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct CaseListParameters {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default)]
    pub opened_from: Option<String>,
    #[serde(default)]
    pub opened_to: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub per_page: Option<String>,
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
        })
    }
}

/// One page of the cases in the caller's scope that match the parameters. Audited as a list.
pub async fn find_cases(
    state: &AppState,
    principal: &Principal,
    parameters: &CaseListParameters,
) -> Result<CasePage, AppError> {
    policy::require(&principal.subject(), Action::ListCases, None)?;
    let owner = match case_list_scope(&principal.subject()) {
        CaseListScope::Own => Some(principal.user.id),
        CaseListScope::Organisation => None,
        CaseListScope::Nothing => return Err(AppError::Forbidden),
    };
    let mut filter = parameters.filter(principal.organisation.organisation.country)?;
    filter.owner_user_id = owner;
    Ok(state
        .store
        .find_cases(&principal.actor(), principal.user.organisation_id, &filter)
        .await?)
}
