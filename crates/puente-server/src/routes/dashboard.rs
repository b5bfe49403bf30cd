//! The dashboard for supervisors and analysts: counts of the organisation's cases by the store's
//! [`StatsDimension`]s, as SVG charts, tables, CSV and JSON; and the directory's service gaps.
//!
//! Who sees what (`docs/privacy.md`): a supervisor looking at their own organisation's cases sees
//! exact counts with small-cell suppression (every count under 3 hidden, hidden counts not
//! derivable from the totals). Everyone else (analysts, partners) gets differentially private
//! counts: exact discrete Gaussian noise from the organisation's secret key, so the same question
//! on the same data gets the same answer, charged to the organisation's privacy budget once a
//! period, post-processed to non-negative counts whose rows add up to the total, small ones shown
//! as `<3`. Every answer says which (`"privacy"` in the JSON, a line under each chart). A spent
//! budget is refused with the day it renews. The imported CTDC datasets, published releases
//! already, go through small-cell suppression; each is counted on its own (`dataset=NAME`, the
//! first stored when left out), a Global Dataset by [`CTDC_DIMENSIONS`], a synthetic release by
//! each of its variables.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use puente_core::ctdc::labels as ctdc_labels;
use puente_core::{Country, Lang, Vocabulary};
use puente_directory::Population;
use puente_disclosure::accounting::{
    BudgetPeriod, BudgetSpent, PrivacyBudget, Rho, DEFAULT_DELTA, DEFAULT_RHO_PER_PERIOD,
    DEFAULT_RHO_PER_QUERY,
};
use puente_disclosure::private::{derive_seed, private_rows, rows_fingerprint, NoiseKey};
use puente_disclosure::{publish_rows, PublishedRows, SUPPRESSION_NOTE};
use puente_store::{CtdcDataset, Role, StatsDimension};
use serde::{Deserialize, Serialize};

use crate::auth::{PageUser, Principal};
use crate::charts::{horizontal_bars, Bar};
use crate::error::{AppError, PageError};
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

/// The query of `GET /api/v1/stats` and `GET /api/v1/stats.csv`.
#[derive(Debug, Deserialize)]
pub struct StatsParameters {
    by: String,
    /// `cases` (the organisation's cases, the default) or `ctdc` (an imported CTDC dataset).
    #[serde(default)]
    source: Option<String>,
    /// With `source=ctdc`: the dataset (the first stored when left out).
    #[serde(default)]
    dataset: Option<String>,
    /// `es` or `en`: the CSV for people, with the labels of the values and of the columns in that
    /// language (the dashboard's download links). Without it, the codes, for programs.
    #[serde(default)]
    labels: Option<String>,
}

/// The parameters as the document describes them (written out: their schemas are made from the
/// vocabularies, and a derived description would drop `required`).
impl utoipa::IntoParams for StatsParameters {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::Required;
        let parameter = |name: &str, required, description: &str, schema| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(required)
                .description(Some(description))
                .schema(Some(schema))
                .build()
        };
        vec![
            parameter(
                "by",
                Required::True,
                "One dimension, or two separated by a comma (`month,exploitation_type`). With `source=ctdc`, one of gender, age_group, nationality, country_of_exploitation, year.",
                by_schema(),
            ),
            parameter(
                "source",
                Required::False,
                "`cases` (the organisation's cases, the default) or `ctdc` (the imported CTDC dataset).",
                source_schema(),
            ),
            parameter(
                "labels",
                Required::False,
                "For the CSV: the values and columns by their labels in this language, for people; without it, the codes.",
                labels_schema(),
            ),
        ]
    }
}

/// One dimension, or two separated by a comma, of the case dimensions and the CTDC ones.
fn by_schema() -> utoipa::openapi::Object {
    let mut names: Vec<&str> = StatsDimension::ALL
        .iter()
        .map(|dimension| dimension.code())
        .collect();
    names.extend(CTDC_DIMENSIONS.iter().map(|(_, name)| *name));
    names.sort_unstable();
    names.dedup();
    let one = format!("({})", names.join("|"));
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .pattern(Some(format!("^{one}(,{one})?$")))
        .build()
}

fn source_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(["cases", "ctdc"]))
        .build()
}

fn labels_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(["es", "en"]))
        .build()
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

/// How an answer was protected, as the JSON (`"privacy"`) and the line under each chart say it:
/// differentially private counts (`discrete_gaussian`, with their epsilon, delta and the budget
/// left), or exact counts with small-cell suppression (`exact_with_suppression`, the numbers
/// null).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PrivacyLine {
    /// `discrete_gaussian` (differential privacy) or `exact_with_suppression`.
    #[schema(schema_with = mechanism_schema)]
    pub mechanism: &'static str,
    /// The epsilon this answer costs (zCDP converted at `delta`); null for exact counts.
    #[schema(minimum = 0, required = true)]
    pub epsilon: Option<f64>,
    #[schema(minimum = 0, maximum = 1, required = true)]
    pub delta: Option<f64>,
    /// The epsilon (at the same delta) the organisation has left in this period.
    #[schema(minimum = 0, required = true)]
    pub budget_left: Option<f64>,
    /// What this answer costs in zCDP.
    #[schema(minimum = 0)]
    pub rho: Option<f64>,
    /// The zCDP budget left in this period.
    #[schema(minimum = 0)]
    pub rho_left: Option<f64>,
    /// The day the budget renews (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub renews_on: Option<String>,
}

/// The mechanisms an answer is protected by.
pub const PRIVACY_MECHANISMS: [&str; 2] = ["discrete_gaussian", "exact_with_suppression"];

fn mechanism_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(PRIVACY_MECHANISMS))
        .build()
}

/// The answer of `GET /api/v1/stats`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatsAnswer {
    /// The dimensions counted by (or the CTDC dataset's variable).
    by: Vec<String>,
    /// One row per combination of values: the value of each name in `by`, `count` (null when
    /// hidden) and `"suppressed": true` for a hidden count.
    #[schema(value_type = Vec<StatsRow>)]
    rows: serde_json::Value,
    /// Every case (or record) counted; null when hidden.
    #[schema(minimum = 0, required = true)]
    total: Option<u64>,
    /// How the counts were protected.
    privacy: PrivacyLine,
    /// The CTDC dataset counted (`source=ctdc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    dataset: Option<String>,
}

/// A row of [`StatsAnswer`], as the document describes it (the values are under the names of
/// `by`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct StatsRow {
    /// The count; null when hidden.
    #[schema(minimum = 0)]
    count: Option<u64>,
    /// Present, and true, when the count is hidden.
    suppressed: Option<bool>,
}

impl PrivacyLine {
    fn exact() -> PrivacyLine {
        PrivacyLine {
            mechanism: "exact_with_suppression",
            epsilon: None,
            delta: None,
            budget_left: None,
            rho: None,
            rho_left: None,
            renews_on: None,
        }
    }

    /// The sentence under a chart.
    pub fn sentence(&self, lang: Lang) -> String {
        match (self.epsilon, self.delta, self.budget_left) {
            (Some(epsilon), Some(delta), Some(left)) => {
                let renews = self.renews_on.clone().unwrap_or_default();
                match lang {
                    Lang::Es => format!("Privacidad diferencial (ruido gaussiano discreto exacto): ε = {epsilon:.2}, δ = {delta:.0e}. Presupuesto restante de la organización: ε ≈ {left:.2} hasta el {renews}. Las cifras menores de 3 se muestran como <3."),
                    Lang::En => format!("Differential privacy (exact discrete Gaussian noise): ε = {epsilon:.2}, δ = {delta:.0e}. The organisation's budget left: ε ≈ {left:.2} until {renews}. Counts under 3 show as <3."),
                }
            }
            _ => match lang {
                Lang::Es => "Cifras exactas de la propia organización (supervisión), con las menores de 3 ocultas.".to_string(),
                Lang::En => "Exact counts of your own organisation (supervisor), with those under 3 hidden.".to_string(),
            },
        }
    }
}

/// The budget an organisation starts each period with: `PUENTE_PRIVACY_RHO_PER_MONTH` when set,
/// else the crate's default (see `docs/privacy.md`).
fn default_budget(today: time::Date) -> PrivacyBudget {
    let rho = std::env::var("PUENTE_PRIVACY_RHO_PER_MONTH")
        .ok()
        .and_then(|value| value.parse::<f64>().ok())
        .filter(|rho| rho.is_finite() && *rho > 0.0)
        .map(Rho)
        .unwrap_or(DEFAULT_RHO_PER_PERIOD);
    let first_of_month = today.replace_day(1).unwrap_or(today);
    PrivacyBudget::new(rho, BudgetPeriod::Months(1), first_of_month)
}

/// The `rho` of one chart of the dashboard page (the page shows eleven).
const RHO_PER_DASHBOARD_CHART: Rho = Rho(0.02);

/// Whether `principal` sees exact counts: a supervisor, on their own organisation's cases.
fn sees_exact_counts(principal: &Principal) -> bool {
    principal.user.role == Role::Supervisor
}

/// The organisation's case counts by `dimensions`, as `principal` may see them: exact with
/// suppression for a supervisor, differentially private (costing `rho`) for anyone else.
async fn published_case_stats(
    state: &AppState,
    principal: &Principal,
    dimensions: &[StatsDimension],
    rho: Rho,
) -> Result<Result<(PublishedRows, PrivacyLine), BudgetSpent>, AppError> {
    let organisation_id = principal.user.organisation_id;
    let stats = state.store.case_stats(organisation_id, dimensions).await?;
    let rows: Vec<(Vec<String>, u64)> = stats
        .rows
        .iter()
        .map(|row| (row.values.clone(), row.count))
        .collect();
    if sees_exact_counts(principal) {
        return Ok(Ok((
            publish_rows(&rows, stats.overlapping, stats.cases),
            PrivacyLine::exact(),
        )));
    }
    let today = time::OffsetDateTime::now_utc().date();
    let defaults = default_budget(today);
    let fresh_key: [u8; 32] = rand::random();
    let account = state
        .store
        .privacy_account(organisation_id, &defaults, fresh_key)
        .await?;
    let key = NoiseKey::new(account.noise_key.clone());
    let codes: Vec<&str> = dimensions.iter().map(|d| d.code()).collect();
    let canonical_query = format!("cases;by={};rho={}", codes.join(","), rho.0);
    let seed = derive_seed(
        &key,
        &canonical_query,
        &rows_fingerprint(&rows, stats.cases),
    );
    let budget = match state
        .store
        .charge_privacy(
            organisation_id,
            &hex::encode(seed),
            rho,
            today,
            &defaults,
            fresh_key,
        )
        .await?
    {
        Ok(budget) => budget,
        Err(spent) => return Ok(Err(spent)),
    };
    let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::from_seed(seed);
    let (published, statement) = private_rows(
        &rows,
        stats.overlapping,
        stats.cases,
        rho,
        DEFAULT_DELTA,
        &mut rng,
    )
    .map_err(AppError::internal)?;
    let left = budget.rho_left(today);
    Ok(Ok((
        published,
        PrivacyLine {
            mechanism: statement.mechanism,
            epsilon: Some(statement.epsilon),
            delta: Some(statement.delta),
            budget_left: Some(left.epsilon(DEFAULT_DELTA)),
            rho: Some(statement.rho),
            rho_left: Some(left.0),
            renews_on: Some(budget.renews_on().to_string()),
        },
    )))
}

/// The refusal of an answer the budget cannot pay for.
fn budget_spent_error(spent: &BudgetSpent) -> AppError {
    AppError::Conflict(format!(
        "the organisation's privacy budget for this period is spent (rho {:.3} left, this answer needs {:.3}); it renews on {}",
        spent.left, spent.needed, spent.renews_on
    ))
}

/// The CTDC dataset named, or the first stored (Global Datasets first), with every dataset stored;
/// `None` when none is.
async fn chosen_ctdc_dataset(
    state: &AppState,
    named: Option<&str>,
) -> Result<(Vec<CtdcDataset>, Option<CtdcDataset>), AppError> {
    let datasets = state.store.ctdc_datasets().await?;
    let chosen = match named.map(str::trim).filter(|name| !name.is_empty()) {
        None => datasets.first().cloned(),
        Some(name) => Some(
            datasets
                .iter()
                .find(|dataset| dataset.name == name)
                .cloned()
                .ok_or_else(|| {
                    let names: Vec<&str> = datasets.iter().map(|d| d.name.as_str()).collect();
                    AppError::Invalid(format!(
                        "`dataset`: no CTDC dataset `{name}`; the datasets are: {}",
                        names.join(", ")
                    ))
                })?,
        ),
    };
    Ok((datasets, chosen))
}

/// What the dashboard counts a dataset by: a Global Dataset by [`CTDC_DIMENSIONS`] (their API
/// names), a synthetic release by every one of its variables.
fn ctdc_variables(dataset: &CtdcDataset) -> Vec<String> {
    if dataset.is_global() {
        CTDC_DIMENSIONS
            .iter()
            .map(|(_, api)| api.to_string())
            .collect()
    } else {
        dataset.columns.clone()
    }
}

/// The column a CTDC variable of the dashboard counts: the column of an API name of
/// [`CTDC_DIMENSIONS`], else the name itself.
fn ctdc_column_of(name: &str) -> &str {
    CTDC_DIMENSIONS
        .iter()
        .find(|(_, api)| *api == name)
        .map_or(name, |(column, _)| column)
}

/// A CTDC dataset's counts by one variable, published.
async fn published_ctdc_stats(
    state: &AppState,
    dataset: &CtdcDataset,
    name: &str,
) -> Result<PublishedRows, AppError> {
    if !dataset.is_global() {
        let rows = state.store.ctdc_dataset_rows(&dataset.name).await?;
        return synthetic_ctdc_stats(dataset, &rows, name);
    }
    let Some((column, _)) = CTDC_DIMENSIONS.iter().find(|(_, api)| *api == name) else {
        let known: Vec<&str> = CTDC_DIMENSIONS.iter().map(|(_, api)| *api).collect();
        return Err(AppError::Invalid(format!(
            "`by` for the CTDC dataset `{}` takes one of {}",
            dataset.name,
            known.join(", ")
        )));
    };
    let index = puente_core::ctdc::COLUMNS
        .iter()
        .position(|(header, _)| header == column)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown CTDC column {column}")))?;
    let stored = state.store.ctdc_stats(&dataset.name, &[index]).await?;
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

/// The counts of a synthetic dataset's rows by one of its variables, published. A multi-valued
/// cell counts its row once under each of its values (the rows then overlap); an empty cell is
/// counted under the empty value (for a flag: not set).
fn synthetic_ctdc_stats(
    dataset: &CtdcDataset,
    rows: &[Vec<Option<String>>],
    name: &str,
) -> Result<PublishedRows, AppError> {
    let Some(position) = dataset.columns.iter().position(|column| column == name) else {
        return Err(AppError::Invalid(format!(
            "`by`: `{name}` is not a variable of the CTDC dataset `{}`; its variables are: {}",
            dataset.name,
            dataset.columns.join(", ")
        )));
    };
    let multi_valued = puente_core::ctdc::CtdcRelease::from_code(&dataset.release)
        .is_some_and(|release| release.is_multi_valued(name));
    let flag = ctdc_labels::is_flag_column(name);
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    for row in rows {
        let cell = row.get(position).cloned().flatten().unwrap_or_default();
        let mut values: Vec<String> = if multi_valued {
            cell.split(puente_core::ctdc::releases::MULTI_VALUE_SEPARATOR)
                .map(|value| value.trim().to_string())
                .filter(|value| !value.is_empty())
                .collect()
        } else {
            vec![cell.trim().to_string()]
        };
        values.sort();
        values.dedup();
        if values.is_empty() {
            values.push(String::new());
        }
        for value in values {
            // A flag's 0 means the same as empty.
            let value = if flag && value == "0" {
                String::new()
            } else {
                value
            };
            *counts.entry(value).or_default() += 1;
        }
    }
    let mut counted: Vec<(Vec<String>, u64)> = counts
        .into_iter()
        .map(|(value, count)| (vec![value], count))
        .collect();
    counted.sort_by(|a, b| puente_core::case_stats::largest_first((&a.0, a.1), (&b.0, b.1)));
    Ok(publish_rows(&counted, multi_valued, rows.len() as u64))
}

/// `GET /api/v1/stats?by=nationality` (or `by=month,exploitation_type`; `&source=ctdc` for the
/// imported CTDC dataset): `{"by": [...], "rows": [{"nationality": "GT", "count": 12},
/// {"nationality": "NI", "count": null, "suppressed": true}, ...], "total": n}`. Every count
/// under 3 is hidden, and so is any count from which a hidden one could be worked out.
#[utoipa::path(get, path = "/api/v1/stats", params(StatsParameters), responses(
    (status = 200, description = "Rows by the dimensions, and how they were protected", body = StatsAnswer),
    (status = 422, description = "An unknown dimension, or one the source does not have", body = crate::error::ErrorAnswer),
))]
pub async fn stats(
    State(state): State<AppState>,
    principal: Principal,
    Query(parameters): Query<StatsParameters>,
) -> Result<Response, AppError> {
    policy::require(&principal.subject(), Action::ViewAggregates, None)?;
    let (names, published, privacy, dataset) =
        published_for(&state, &principal, &parameters).await?;
    let rows = {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        published.api_rows(&names)
    };
    Ok(Json(StatsAnswer {
        by: names,
        rows,
        total: published.total.count(),
        privacy,
        dataset,
    })
    .into_response())
}

/// `GET /api/v1/stats.csv?by=...`: the same published numbers as CSV (`<3` for a hidden count).
#[utoipa::path(get, path = "/api/v1/stats.csv", params(StatsParameters), responses(
    (status = 200, description = "The same counts as CSV, `<3` for a suppressed count", body = String, content_type = "text/csv"),
    (status = 422, description = "An unknown dimension, or one the source does not have", body = crate::error::ErrorAnswer),
))]
pub async fn stats_csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(parameters): Query<StatsParameters>,
) -> Result<Response, AppError> {
    policy::require(&principal.subject(), Action::ViewAggregates, None)?;
    let (names, mut published, _, _) = published_for(&state, &principal, &parameters).await?;
    let file_name = format!("puente-{}.csv", names.join("-"));
    let labels =
        match parameters.labels.as_deref() {
            None => None,
            Some(tag) => Some(Lang::from_tag(tag).ok_or_else(|| {
                AppError::Invalid(format!("`labels` is `es` or `en`, not `{tag}`"))
            })?),
        };
    let csv = match labels {
        None => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            published.to_csv(&names)
        }
        Some(lang) => labelled_csv(&names, &mut published, lang),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// The CSV for people: every value by its label, the columns by their names, in `lang`. A
/// dimension of the CTDC dataset keeps its values (they are the dataset's own).
fn labelled_csv(names: &[String], published: &mut PublishedRows, lang: Lang) -> String {
    let dimensions: Vec<Option<StatsDimension>> = names
        .iter()
        .map(|name| StatsDimension::from_code(name))
        .collect();
    let label = |index: usize, value: &str| match dimensions.get(index).copied().flatten() {
        Some(dimension) => value_label(dimension, value, lang),
        None => ctdc_value_label(&names[index], value, lang),
    };
    for row in &mut published.rows {
        for (index, value) in row.values.iter_mut().enumerate() {
            *value = label(index, value);
        }
    }
    for (value, _) in &mut published.first_totals {
        *value = label(0, value);
    }
    for (value, _) in &mut published.second_totals {
        *value = label(1, value);
    }
    let titles: Vec<String> = names
        .iter()
        .zip(&dimensions)
        .map(|(name, dimension)| match dimension {
            Some(dimension) => dimension.label().get(lang).to_string(),
            None => ctdc_variable_title(name, lang),
        })
        .collect();
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    let csv = published.to_csv(&titles);
    // The words the CSV writer puts in English: the count column and the total row.
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    if let Some(header) = lines.first_mut() {
        if let Some(start) = header.strip_suffix(",count") {
            *header = format!("{start},{}", t(lang, "dashboard-cases"));
        }
    }
    for line in lines.iter_mut().skip(1) {
        if let Some(rest) = line.strip_prefix("total,") {
            *line = format!("{},{rest}", t(lang, "dashboard-total"));
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// The names counted by, the published rows, how they were protected, and the CTDC dataset
/// counted (for `source=ctdc`).
type PublishedAnswer = (Vec<String>, PublishedRows, PrivacyLine, Option<String>);

async fn published_for(
    state: &AppState,
    principal: &Principal,
    parameters: &StatsParameters,
) -> Result<PublishedAnswer, AppError> {
    // The JSON has no labels, but a `labels` the CSV would refuse is refused here too: the same
    // parameters mean the same thing on both.
    if let Some(tag) = parameters.labels.as_deref() {
        if Lang::from_tag(tag).is_none() {
            return Err(AppError::Invalid(format!(
                "`labels` is `es` or `en`, not `{tag}`"
            )));
        }
    }
    match parameters.source.as_deref() {
        None | Some("cases") => {
            let dimensions = dimensions_of(&parameters.by)?;
            let (published, privacy) =
                published_case_stats(state, principal, &dimensions, DEFAULT_RHO_PER_QUERY)
                    .await?
                    .map_err(|spent| budget_spent_error(&spent))?;
            Ok((
                dimensions.iter().map(|d| d.code().to_string()).collect(),
                published,
                privacy,
                None,
            ))
        }
        Some("ctdc") => {
            let name = parameters.by.trim().to_string();
            let (_, dataset) = chosen_ctdc_dataset(state, parameters.dataset.as_deref()).await?;
            let dataset = dataset
                .ok_or_else(|| AppError::Invalid("no CTDC dataset is imported".to_string()))?;
            let published = published_ctdc_stats(state, &dataset, &name).await?;
            Ok((
                vec![name],
                published,
                PrivacyLine::exact(),
                Some(dataset.name),
            ))
        }
        Some(other) => Err(AppError::Invalid(format!(
            "`source` is `cases` or `ctdc`, not `{other}`"
        ))),
    }
}

/// The dashboard page's query: the CTDC dataset shown (the first stored when left out).
#[derive(Debug, Default, Deserialize)]
pub struct DashboardParameters {
    #[serde(default)]
    dataset: Option<String>,
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

/// A value of a CTDC variable as people read it: a sex by its label, a country by its name, a
/// flag as yes or no, an age band, a region or a range of years in words.
fn ctdc_value_label(name: &str, value: &str, lang: Lang) -> String {
    if value == puente_store::case_stats::UNKNOWN {
        return t(lang, "dashboard-unknown");
    }
    let known = match name {
        "gender" => puente_core::htcds::Gender::from_code(value)
            .map(|gender| gender.label_in(lang).to_string()),
        "nationality" | "country_of_exploitation" => {
            Country::from_code(value).map(|country| country.name(lang).to_string())
        }
        _ => None,
    };
    known.unwrap_or_else(|| ctdc_labels::value_text(ctdc_column_of(name), value, lang))
}

/// The title of a CTDC variable in `lang`.
fn ctdc_variable_title(name: &str, lang: Lang) -> String {
    if CTDC_DIMENSIONS.iter().any(|(_, api)| *api == name) {
        t(lang, &format!("dashboard-ctdc-{name}"))
    } else {
        ctdc_labels::variable_text(name, lang)
    }
}

/// A dataset of the chooser on the dashboard.
#[derive(Debug, Serialize)]
pub struct DatasetChoice {
    pub name: String,
    pub label: String,
    pub chosen: bool,
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
    /// The line under the chart: how its counts were protected, or why there are none.
    pub privacy: String,
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
    Query(parameters): Query<DashboardParameters>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ViewAggregates, None)?;
    let mut panels = Vec::new();
    for dimension in StatsDimension::ALL {
        let title = dimension.label().get(lang).to_string();
        let (published, privacy) = match published_case_stats(
            &state,
            &user.principal,
            &[dimension],
            RHO_PER_DASHBOARD_CHART,
        )
        .await?
        {
            Ok(answer) => answer,
            Err(spent) => {
                // A spent budget: the chart says so, and when the budget renews.
                panels.push(DashboardPanel {
                    code: dimension.code().to_string(),
                    svg: String::new(),
                    title: title.clone(),
                    rows: Vec::new(),
                    total: String::new(),
                    overlapping: dimension.is_multi_valued(),
                    privacy: budget_spent_sentence(&spent, lang),
                });
                continue;
            }
        };
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
        panels.push(DashboardPanel {
            code: dimension.code().to_string(),
            svg: horizontal_bars(&title, &bars),
            title,
            rows,
            total: published.total.display(),
            overlapping: dimension.is_multi_valued(),
            privacy: privacy.sentence(lang),
        });
    }
    let countries: Vec<Country> = GAP_COUNTRIES
        .iter()
        .filter_map(|code| Country::from_code(code))
        .collect();
    let gaps: Vec<GapRow> = state
        .store
        .service_gaps(&countries)
        .await?
        .iter()
        .map(|gap| GapRow {
            country: gap.country.name(lang).to_string(),
            need: gap.need.label_in(lang).to_string(),
            population: population_label(gap.population, lang),
        })
        .collect();
    let (datasets, chosen) = chosen_ctdc_dataset(&state, parameters.dataset.as_deref()).await?;
    let mut ctdc_panels = Vec::new();
    let mut ctdc_records = 0;
    if let Some(dataset) = &chosen {
        ctdc_records = dataset.records;
        // A synthetic dataset's rows are read once for all its variables.
        let rows = if dataset.is_global() {
            Vec::new()
        } else {
            state.store.ctdc_dataset_rows(&dataset.name).await?
        };
        for name in ctdc_variables(dataset) {
            let published = if dataset.is_global() {
                published_ctdc_stats(&state, dataset, &name).await?
            } else {
                synthetic_ctdc_stats(dataset, &rows, &name)?
            };
            let rows: Vec<(String, String)> = published
                .rows
                .iter()
                .map(|row| {
                    (
                        ctdc_value_label(&name, &row.values[0], lang),
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
            let title = ctdc_variable_title(&name, lang);
            let overlapping = puente_core::ctdc::CtdcRelease::from_code(&dataset.release)
                .is_some_and(|release| release.is_multi_valued(&name));
            ctdc_panels.push(DashboardPanel {
                svg: horizontal_bars(&title, &bars),
                code: name,
                title,
                rows,
                total: published.total.display(),
                overlapping,
                privacy: String::new(),
            });
        }
    }
    let dataset_choices: Vec<DatasetChoice> = datasets
        .iter()
        .map(|dataset| DatasetChoice {
            name: dataset.name.clone(),
            label: format!(
                "{} ({}, {})",
                dataset.name,
                puente_core::ctdc::CtdcRelease::from_code(&dataset.release)
                    .map(|release| ctdc_labels::release_label(release).get(lang).to_string())
                    .unwrap_or_else(|| dataset.release.clone()),
                crate::i18n::translations().text_with(
                    lang,
                    "dashboard-ctdc-records",
                    &[("count", (dataset.records as i64).into())],
                )
            ),
            chosen: chosen.as_ref().is_some_and(|c| c.name == dataset.name),
        })
        .collect();
    Ok(page(
        &user,
        "/dashboard",
        "dashboard.html",
        context! {
            panels => panels,
            gaps => gaps,
            ctdc_panels => ctdc_panels,
            ctdc_records => ctdc_records,
            ctdc_dataset => chosen.as_ref().map(|dataset| dataset.name.clone()),
            ctdc_datasets => dataset_choices,
            suppression_note => SUPPRESSION_NOTE.get(lang),
        },
    )?
    .into_response())
}

/// The line shown instead of a chart when the budget is spent, with the day it renews.
fn budget_spent_sentence(spent: &BudgetSpent, lang: Lang) -> String {
    let renews = spent.renews_on;
    match lang {
        Lang::Es => format!("El presupuesto de privacidad de la organización para este periodo está agotado: estas cifras vuelven el {renews}."),
        Lang::En => format!("The organisation's privacy budget for this period is spent: these counts come back on {renews}."),
    }
}

fn population_label(population: Population, lang: Lang) -> String {
    population.label(lang).to_string()
}
