//! The filters of the case list, parsed once from the query string (`q`, `status`, `assignee`,
//! `nationality`, `opened_from`, `opened_to`, `sort`), so the list and its exports share them. A
//! value that cannot be read is refused, naming the parameter and the value.

use puente_core::htcds::CaseStatus;
use puente_core::{Country, Vocabulary};
use puente_store::CaseSummary;

use crate::error::AppError;

/// How the list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaseListSort {
    /// Newest activity first (the list's default).
    #[default]
    UpdatedNewest,
    OpenedNewest,
    OpenedOldest,
    Name,
}

impl CaseListSort {
    /// Every code read, with its order: the search's codes (`newest`, `oldest`, `updated`), the
    /// list's own (`name`) and the older spellings still read.
    const CODES: [(&'static str, CaseListSort); 9] = [
        ("updated", CaseListSort::UpdatedNewest),
        ("newest", CaseListSort::OpenedNewest),
        ("oldest", CaseListSort::OpenedOldest),
        ("name", CaseListSort::Name),
        ("-updated", CaseListSort::UpdatedNewest),
        ("-opened", CaseListSort::OpenedNewest),
        ("opened_desc", CaseListSort::OpenedNewest),
        ("opened", CaseListSort::OpenedOldest),
        ("opened_asc", CaseListSort::OpenedOldest),
    ];

    fn from_code(code: &str) -> Option<CaseListSort> {
        CaseListSort::CODES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(_, sort)| *sort)
    }
}

/// The case list's filters. Absent filters keep every case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseListFilter {
    /// Words to find in the person's name (accents and case ignored) or the case number.
    pub query: Option<String>,
    pub status: Option<CaseStatus>,
    /// The owner's user id.
    pub assignee: Option<i64>,
    pub nationality: Option<Country>,
    /// Opened on or after this day (`YYYY-MM-DD`).
    pub opened_from: Option<String>,
    /// Opened on or before this day (`YYYY-MM-DD`).
    pub opened_to: Option<String>,
    pub sort: CaseListSort,
}

/// The case list's query parameters as the OpenAPI document describes them: the values
/// [`CaseListFilter::from_parameters`] reads, each a code of its list, a number or a day, and an
/// empty value for a filter left out. The handlers read the pairs themselves (the fields are
/// never read).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CaseListParameters {
    /// Words to find in the person's name (accents and case ignored) or the case number.
    q: Option<String>,
    /// An HTCDS case status code.
    #[param(schema_with = crate::case_search::status_parameter_schema)]
    status: Option<String>,
    /// The owner's user id.
    #[param(value_type = Option<i64>)]
    assignee: Option<String>,
    /// An ISO 3166-1 country code.
    #[param(schema_with = crate::case_search::nationality_parameter_schema)]
    nationality: Option<String>,
    /// Opened on or after this day (`YYYY-MM-DD`).
    #[param(schema_with = crate::api_types::day_or_blank)]
    opened_from: Option<String>,
    /// Opened on or before this day (`YYYY-MM-DD`).
    #[param(schema_with = crate::api_types::day_or_blank)]
    opened_to: Option<String>,
    /// The order: newest activity first (`updated`, the default), opened most recently first
    /// (`newest`), opened longest ago first (`oldest`) or by name (`name`).
    #[param(schema_with = sort_parameter_schema)]
    sort: Option<String>,
}

fn sort_parameter_schema() -> utoipa::openapi::Object {
    crate::api_types::code_or_blank(
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(CaseListSort::CODES.iter().map(|(code, _)| *code)))
            .build(),
    )
}

fn invalid(field: &str, value: &str) -> AppError {
    AppError::InvalidParameter {
        field: field.to_string(),
        value: value.to_string(),
    }
}

fn day(field: &str, value: &str) -> Result<String, AppError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, format)
        .map(|_| value.to_string())
        .map_err(|_| invalid(field, value))
}

impl CaseListFilter {
    /// Reads the filters from the query's pairs; other parameters (`page`, `per_page`) are left
    /// to the caller. Empty values are absent filters.
    pub fn from_parameters(parameters: &[(String, String)]) -> Result<CaseListFilter, AppError> {
        let mut filter = CaseListFilter::default();
        for (name, value) in parameters {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match name.as_str() {
                "q" => filter.query = Some(value.to_string()),
                "status" => {
                    filter.status =
                        Some(CaseStatus::from_code(value).ok_or_else(|| invalid(name, value))?)
                }
                "assignee" => {
                    filter.assignee = Some(value.parse().map_err(|_| invalid(name, value))?)
                }
                "nationality" => {
                    filter.nationality =
                        Some(Country::from_code(value).ok_or_else(|| invalid(name, value))?)
                }
                "opened_from" => filter.opened_from = Some(day(name, value)?),
                "opened_to" => filter.opened_to = Some(day(name, value)?),
                "sort" => {
                    filter.sort =
                        CaseListSort::from_code(value).ok_or_else(|| invalid(name, value))?
                }
                _ => {}
            }
        }
        Ok(filter)
    }

    /// Whether a line of the list passes every filter.
    pub fn matches(&self, summary: &CaseSummary) -> bool {
        if let Some(query) = &self.query {
            let number = query.trim_start_matches('#');
            let by_number = number.parse::<i64>().is_ok_and(|id| id == summary.id);
            let name = puente_linkage::normalize::fold(&summary.person_name);
            let by_name = puente_linkage::normalize::fold(query)
                .split(' ')
                .filter(|word| !word.is_empty())
                .all(|word| name.split(' ').any(|part| part.starts_with(word)));
            if !by_number && !by_name {
                return false;
            }
        }
        self.status.is_none_or(|status| summary.status == status)
            && self
                .assignee
                .is_none_or(|assignee| summary.owner_user_id == Some(assignee))
            && self
                .nationality
                .is_none_or(|country| summary.nationality == Some(country))
            && self
                .opened_from
                .as_ref()
                .is_none_or(|from| summary.opened_on.as_str() >= from.as_str())
            && self
                .opened_to
                .as_ref()
                .is_none_or(|to| summary.opened_on.as_str() <= to.as_str())
    }

    /// The lines that pass, in the order asked.
    pub fn apply(&self, summaries: Vec<CaseSummary>) -> Vec<CaseSummary> {
        let mut kept: Vec<CaseSummary> = summaries
            .into_iter()
            .filter(|summary| self.matches(summary))
            .collect();
        match self.sort {
            CaseListSort::UpdatedNewest => {
                kept.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)))
            }
            CaseListSort::OpenedNewest => {
                kept.sort_by(|a, b| b.opened_on.cmp(&a.opened_on).then(b.id.cmp(&a.id)))
            }
            CaseListSort::OpenedOldest => {
                kept.sort_by(|a, b| a.opened_on.cmp(&b.opened_on).then(a.id.cmp(&b.id)))
            }
            CaseListSort::Name => kept.sort_by_cached_key(|summary| {
                (
                    puente_linkage::normalize::fold(&summary.person_name),
                    summary.id,
                )
            }),
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    fn summary(id: i64, name: &str, opened_on: &str) -> CaseSummary {
        CaseSummary {
            id,
            organisation_id: 1,
            owner_user_id: Some(7),
            status: CaseStatus::Active,
            version: 1,
            person_name: name.into(),
            sex: None,
            age_at_intake: None,
            nationality: Country::from_alpha_2("HN"),
            opened_on: opened_on.into(),
            updated_at: format!("{opened_on}T10:00:00Z"),
        }
    }

    #[test]
    fn filters_are_read_and_bad_values_are_named() {
        let filter = CaseListFilter::from_parameters(&pairs(&[
            ("q", "jose"),
            ("status", "Active"),
            ("nationality", "HN"),
            ("opened_from", "2026-01-01"),
            ("sort", "name"),
            ("page", "2"),
        ]))
        .unwrap();
        assert_eq!(filter.query.as_deref(), Some("jose"));
        assert_eq!(filter.status, Some(CaseStatus::Active));
        assert_eq!(filter.sort, CaseListSort::Name);
        let error =
            CaseListFilter::from_parameters(&pairs(&[("opened_to", "2026-13-40")])).unwrap_err();
        assert!(
            matches!(&error, AppError::InvalidParameter { field, value } if field == "opened_to" && value == "2026-13-40")
        );
        assert!(CaseListFilter::from_parameters(&pairs(&[("status", "Open")])).is_err());
    }

    #[test]
    fn names_match_without_accents_and_numbers_match_the_case() {
        let cases = vec![
            summary(1, "José Hernández Díaz", "2026-02-01"),
            summary(2, "Ana Pérez", "2026-03-01"),
        ];
        let filter = CaseListFilter::from_parameters(&pairs(&[("q", "jose hernandez")])).unwrap();
        let found: Vec<i64> = filter.apply(cases.clone()).iter().map(|c| c.id).collect();
        assert_eq!(found, [1]);
        let filter = CaseListFilter::from_parameters(&pairs(&[("q", "#2")])).unwrap();
        let found: Vec<i64> = filter.apply(cases.clone()).iter().map(|c| c.id).collect();
        assert_eq!(found, [2]);
        let filter = CaseListFilter::from_parameters(&pairs(&[
            ("opened_to", "2026-02-15"),
            ("sort", "opened"),
        ]))
        .unwrap();
        let found: Vec<i64> = filter.apply(cases).iter().map(|c| c.id).collect();
        assert_eq!(found, [1]);
    }
}
