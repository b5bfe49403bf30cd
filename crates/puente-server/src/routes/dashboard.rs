//! The dashboard for supervisors and analysts: counts of the organisation's cases by the
//! store's [`StatsDimension`]s, published only through `puente-disclosure` (every count under 3
//! hidden, and hidden counts not derivable from the totals), as SVG charts, tables, CSV and JSON;
//! and the directory's service gaps. The imported CTDC dataset goes the same way.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use puente_core::{Country, Lang, Vocabulary};
use puente_directory::Population;
use puente_disclosure::{publish_rows, PublishedRows, SUPPRESSION_NOTE};
use puente_store::StatsDimension;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::{PageUser, Principal};
use crate::charts::{horizontal_bars, Bar};
use crate::error::{AppError, InLanguage, PageError};
use crate::i18n::t;
use crate::policy::{self, Action};
use crate::templates::page;
use crate::AppState;

/// The countries of the gap report: the region the demo directory covers.
pub const GAP_COUNTRIES: [&str; 7] = ["GT", "HN", "SV", "MX", "CR", "PA", "US"];

/// The CTDC columns the dashboard can count the imported dataset by, with their API names.
pub const CTDC_DIMENSIONS: [(&str, &str); 5] = [
    ("gender", "gender"),
    ("ageBroad", "age_group"),
    ("citizenship", "nationality"),
    ("CountryOfExploitation", "country_of_exploitation"),
    ("yearOfRegistration", "year"),
];

#[derive(Debug, Deserialize)]
pub struct StatsParameters {
    by: String,
    /// `cases` (the organisation's cases, the default) or `ctdc` (the imported CTDC dataset).
    #[serde(default)]
    source: Option<String>,
}

/// Reads `by=nationality` or `by=month,exploitation_type`.
fn dimensions_of(by: &str) -> Result<Vec<StatsDimension>, AppError> {
    let dimensions = by
        .split(',')
        .filter(|name| !name.trim().is_empty())
        .map(|name| {
            StatsDimension::from_code(name).ok_or_else(|| {
                let known: Vec<&str> = StatsDimension::ALL.iter().map(|d| d.code()).collect();
                AppError::Invalid(format!(
                    "`{}` is not a statistics dimension; `by` takes one or two of {}",
                    name.trim(),
                    known.join(", ")
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if dimensions.is_empty() || dimensions.len() > 2 {
        return Err(AppError::Invalid(
            "`by` takes one or two dimensions, separated by a comma".into(),
        ));
    }
    Ok(dimensions)
}

/// The organisation's case counts by `dimensions`, published.
async fn published_case_stats(
    state: &AppState,
    organisation_id: i64,
    dimensions: &[StatsDimension],
) -> Result<PublishedRows, AppError> {
    let stats = state.store.case_stats(organisation_id, dimensions).await?;
    let rows: Vec<(Vec<String>, u64)> = stats
        .rows
        .iter()
        .map(|row| (row.values.clone(), row.count))
        .collect();
    Ok(publish_rows(&rows, stats.overlapping, stats.cases))
}

/// The CTDC dataset's counts by one of [`CTDC_DIMENSIONS`], published.
async fn published_ctdc_stats(state: &AppState, name: &str) -> Result<PublishedRows, AppError> {
    let Some((column, _)) = CTDC_DIMENSIONS.iter().find(|(_, api)| *api == name) else {
        let known: Vec<&str> = CTDC_DIMENSIONS.iter().map(|(_, api)| *api).collect();
        return Err(AppError::Invalid(format!(
            "`by` for the CTDC dataset takes one of {}",
            known.join(", ")
        )));
    };
    let index = puente_core::ctdc::COLUMNS
        .iter()
        .position(|(header, _)| header == column)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown CTDC column {column}")))?;
    let stored = state.store.ctdc_stats(&[index]).await?;
    let rows: Vec<(Vec<String>, u64)> = stored
        .iter()
        .map(|row| {
            let values = row
                .values
                .iter()
                .map(|value| {
                    value
                        .as_ref()
                        .map(|cell| cell.to_csv_text())
                        .unwrap_or_else(|| puente_store::case_stats::UNKNOWN.to_string())
                })
                .collect();
            (values, row.count)
        })
        .collect();
    let total = rows.iter().map(|(_, count)| *count).sum();
    Ok(publish_rows(&rows, false, total))
}

/// `GET /api/v1/stats?by=nationality` (or `by=month,exploitation_type`; `&source=ctdc` for the
/// imported CTDC dataset): `{"by": [...], "rows": [{"nationality": "GT", "count": 12},
/// {"nationality": "NI", "count": null, "suppressed": true}, ...], "total": n}`. Every count
/// under 3 is hidden, and so is any count from which a hidden one could be worked out.
pub async fn stats(
    State(state): State<AppState>,
    principal: Principal,
    Query(parameters): Query<StatsParameters>,
) -> Result<Response, AppError> {
    policy::require(&principal.subject(), Action::ViewAggregates, None)?;
    let (names, published) = published_for(&state, &principal, &parameters).await?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(Json(json!({
        "by": names,
        "rows": published.api_rows(&names),
        "total": published.total,
    }))
    .into_response())
}

/// `GET /api/v1/stats.csv?by=...`: the same published numbers as CSV (`<3` for a hidden count).
pub async fn stats_csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(parameters): Query<StatsParameters>,
) -> Result<Response, AppError> {
    policy::require(&principal.subject(), Action::ViewAggregates, None)?;
    let (names, published) = published_for(&state, &principal, &parameters).await?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let file_name = format!("puente-{}.csv", names.join("-"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        published.to_csv(&names),
    )
        .into_response())
}

async fn published_for(
    state: &AppState,
    principal: &Principal,
    parameters: &StatsParameters,
) -> Result<(Vec<String>, PublishedRows), AppError> {
    match parameters.source.as_deref() {
        None | Some("cases") => {
            let dimensions = dimensions_of(&parameters.by)?;
            let published =
                published_case_stats(state, principal.user.organisation_id, &dimensions).await?;
            Ok((
                dimensions.iter().map(|d| d.code().to_string()).collect(),
                published,
            ))
        }
        Some("ctdc") => {
            let name = parameters.by.trim().to_string();
            let published = published_ctdc_stats(state, &name).await?;
            Ok((vec![name], published))
        }
        Some(other) => Err(AppError::Invalid(format!(
            "`source` is `cases` or `ctdc`, not `{other}`"
        ))),
    }
}

/// A value of a dimension as people read it.
fn value_label(dimension: StatsDimension, value: &str, lang: Lang) -> String {
    use puente_core::htcds::{Gender, MethodOfControl, MethodOfRecruitment, TypeOfExploitation};
    if value == puente_store::case_stats::UNKNOWN {
        return t(lang, "dashboard-unknown");
    }
    let country = |code: &str| {
        Country::from_code(code)
            .map(|country| country.name(lang).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    match dimension {
        StatsDimension::ExploitationType => TypeOfExploitation::from_code(value)
            .map(|v| v.label_in(lang).to_string())
            .unwrap_or_else(|| value.to_string()),
        StatsDimension::Sex => Gender::from_code(value)
            .map(|v| v.label_in(lang).to_string())
            .unwrap_or_else(|| value.to_string()),
        StatsDimension::Nationality | StatsDimension::CountryOfExploitation => country(value),
        StatsDimension::Route => value
            .split('→')
            .map(country)
            .collect::<Vec<_>>()
            .join(" → "),
        StatsDimension::RecruitmentMethod => MethodOfRecruitment::from_code(value)
            .map(|v| v.label_in(lang).to_string())
            .unwrap_or_else(|| value.to_string()),
        StatsDimension::MethodOfControl => MethodOfControl::from_code(value)
            .map(|v| v.label_in(lang).to_string())
            .unwrap_or_else(|| value.to_string()),
        StatsDimension::ReferralOutcome => puente_store::ReferralStatus::from_code(value)
            .map(|status| status.label().get(lang).to_string())
            .unwrap_or_else(|| t(lang, "dashboard-not-referred")),
        StatsDimension::TimeToFirstService => {
            if value == "none" {
                t(lang, "dashboard-no-service-yet")
            } else {
                crate::i18n::translations().text_with(
                    lang,
                    "dashboard-days",
                    &[("days", value.to_string().into())],
                )
            }
        }
        StatsDimension::Month | StatsDimension::AgeGroup => value.to_string(),
    }
}

/// One table and chart of the dashboard.
#[derive(Debug, Serialize)]
pub struct DashboardPanel {
    pub code: String,
    pub title: String,
    pub svg: String,
    pub rows: Vec<(String, String)>,
    pub total: String,
    pub overlapping: bool,
}

/// A gap of the directory, as the page shows it.
#[derive(Debug, Serialize)]
pub struct GapRow {
    pub country: String,
    pub need: String,
    pub population: String,
}

/// `GET /dashboard`: every dimension as an SVG chart with its table and CSV link (counts under 3
/// shown as `<3`), then the directory's service gaps by country and population.
pub async fn dashboard_page(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ViewAggregates, None).in_language(lang)?;
    let organisation_id = user.principal.user.organisation_id;
    let mut panels = Vec::new();
    for dimension in StatsDimension::ALL {
        let published = published_case_stats(&state, organisation_id, &[dimension])
            .await
            .in_language(lang)?;
        let rows: Vec<(String, String)> = published
            .rows
            .iter()
            .map(|row| {
                (
                    value_label(dimension, &row.values[0], lang),
                    row.count.display(),
                )
            })
            .collect();
        let bars: Vec<Bar> = published
            .rows
            .iter()
            .zip(&rows)
            .map(|(row, (label, _))| Bar {
                label: label.clone(),
                count: row.count,
            })
            .collect();
        let title = dimension.label().get(lang).to_string();
        panels.push(DashboardPanel {
            code: dimension.code().to_string(),
            svg: horizontal_bars(&title, &bars),
            title,
            rows,
            total: published.total.display(),
            overlapping: dimension.is_multi_valued(),
        });
    }
    let countries: Vec<Country> = GAP_COUNTRIES
        .iter()
        .filter_map(|code| Country::from_code(code))
        .collect();
    let gaps: Vec<GapRow> = state
        .store
        .service_gaps(&countries)
        .await
        .in_language(lang)?
        .iter()
        .map(|gap| GapRow {
            country: gap.country.name(lang).to_string(),
            need: gap.need.label_in(lang).to_string(),
            population: population_label(gap.population, lang),
        })
        .collect();
    let ctdc_records = state.store.ctdc_count().await.in_language(lang)?;
    let mut ctdc_panels = Vec::new();
    if ctdc_records > 0 {
        for (_, name) in CTDC_DIMENSIONS {
            let published = published_ctdc_stats(&state, name).await.in_language(lang)?;
            let rows: Vec<(String, String)> = published
                .rows
                .iter()
                .map(|row| (row.values[0].clone(), row.count.display()))
                .collect();
            let bars: Vec<Bar> = published
                .rows
                .iter()
                .map(|row| Bar {
                    label: row.values[0].clone(),
                    count: row.count,
                })
                .collect();
            let title = t(lang, &format!("dashboard-ctdc-{name}"));
            ctdc_panels.push(DashboardPanel {
                code: name.to_string(),
                svg: horizontal_bars(&title, &bars),
                title,
                rows,
                total: published.total.display(),
                overlapping: false,
            });
        }
    }
    Ok(page(
        &user,
        "/dashboard",
        "dashboard.html",
        context! {
            panels => panels,
            gaps => gaps,
            ctdc_panels => ctdc_panels,
            ctdc_records => ctdc_records,
            suppression_note => SUPPRESSION_NOTE.get(lang),
        },
    )?
    .into_response())
}

fn population_label(population: Population, lang: Lang) -> String {
    population.label(lang).to_string()
}
