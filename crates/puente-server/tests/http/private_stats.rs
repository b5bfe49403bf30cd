//! What analysts see: differentially private counts. Every answer states its privacy, rows add up
//! to the total, the same question gets the same answer and is charged once, a spent budget is
//! refused with the day it renews, and the differencing attacks of the suppression era give back
//! noisy numbers only.

use crate::helpers::*;
use puente_store::StatsDimension;
use reqwest::StatusCode;
use serde_json::Value;

async fn stats(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    let response = app.get(token, &format!("/api/v1/stats?{query}")).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn sum_of_rows(body: &Value) -> u64 {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["count"].as_u64().unwrap_or(0))
        .sum()
}

#[tokio::test]
async fn analysts_get_private_counts_that_say_so_and_add_up() {
    let app = spawn_app().await;
    let analyst = app.token(ANALYST).await;
    let (status, body) = stats(&app, &analyst, "by=nationality").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let privacy = &body["privacy"];
    assert_eq!(privacy["mechanism"], "discrete_gaussian", "{body}");
    let epsilon = privacy["epsilon"].as_f64().unwrap();
    assert!(epsilon > 0.0 && epsilon < 3.0, "{privacy}");
    assert_eq!(privacy["delta"].as_f64(), Some(1e-6));
    assert!(privacy["budget_left"].as_f64().unwrap() > 0.0);
    assert!(
        privacy["renews_on"].as_str().unwrap().ends_with("-01"),
        "{privacy}"
    );
    // Rows are non-negative and add up to the shown total; small ones are shown as hidden.
    let total = body["total"].as_u64().unwrap();
    let mut sum = 0;
    for row in body["rows"].as_array().unwrap() {
        match row["count"].as_u64() {
            Some(count) => {
                assert!(count >= 3, "{row}");
                sum += count;
            }
            None => assert_eq!(row["suppressed"], true, "{row}"),
        }
    }
    assert!(sum <= total);
    // A supervisor sees the exact counts of their own organisation.
    let supervisor = app.token(SUPERVISOR).await;
    let (_, exact) = stats(&app, &supervisor, "by=nationality").await;
    assert_eq!(exact["privacy"]["mechanism"], "exact_with_suppression");
    let hotline = app
        .store
        .organisation_by_slug("hotline-demo")
        .await
        .unwrap()
        .unwrap();
    let raw = app
        .store
        .case_stats(hotline.id, &[StatsDimension::Nationality])
        .await
        .unwrap();
    assert_eq!(exact["total"].as_u64(), Some(raw.cases));
}

#[tokio::test]
async fn the_same_question_gets_the_same_answer_and_is_charged_once() {
    let app = spawn_app().await;
    let analyst = app.token(ANALYST).await;
    let (_, first) = stats(&app, &analyst, "by=sex").await;
    for _ in 0..5 {
        let (_, again) = stats(&app, &analyst, "by=sex").await;
        assert_eq!(
            again, first,
            "averaging repeated answers must learn nothing"
        );
    }
    // Another question costs budget.
    let (_, other) = stats(&app, &analyst, "by=age_group").await;
    let left = |body: &Value| body["privacy"]["budget_left"].as_f64().unwrap();
    assert!(
        left(&other) < left(&first),
        "{} {}",
        left(&other),
        left(&first)
    );
    // A two-way table of single-valued dimensions is consistent: its cells add up to its total
    // (hidden cells count as at most 2 each).
    let (_, crossed) = stats(&app, &analyst, "by=sex,age_group").await;
    let total = crossed["total"].as_u64().unwrap();
    let cells: u64 = crossed["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["count"].as_u64().unwrap_or(0))
        .sum();
    let hidden = crossed["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["count"].is_null())
        .count() as u64;
    assert!(cells <= total && total <= cells + 2 * hidden, "{crossed}");
}

#[tokio::test]
async fn a_spent_budget_is_refused_with_the_day_it_renews_and_the_page_says_so() {
    let app = spawn_app().await;
    let analyst = app.token(ANALYST).await;
    let queries = [
        "by=sex",
        "by=age_group",
        "by=nationality",
        "by=month",
        "by=route",
        "by=exploitation_type",
        "by=method_of_control",
        "by=referral_outcome",
        "by=recruitment_method",
        "by=time_to_first_service",
        "by=sex,age_group",
        "by=nationality,sex",
    ];
    let mut refused = None;
    for query in queries {
        let (status, body) = stats(&app, &analyst, query).await;
        if status == StatusCode::CONFLICT {
            refused = Some(body);
            break;
        }
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
    }
    let refused = refused.expect("the default budget pays for ten answers");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("privacy budget for this period is spent"),
        "{message}"
    );
    assert!(message.contains("renews on"), "{message}");
    // An answer already paid for is still given.
    let (status, _) = stats(&app, &analyst, "by=sex").await;
    assert_eq!(status, StatusCode::OK);
    // The dashboard says so under each chart it cannot draw, with the day.
    let browser = app.logged_in(ANALYST).await;
    let page = app.page(&browser, "/dashboard", StatusCode::OK).await;
    assert!(
        page.contains("presupuesto de privacidad") || page.contains("privacy budget"),
        "{page}"
    );
}

#[tokio::test]
async fn the_differencing_attacks_give_back_noisy_numbers_only() {
    let app = spawn_app().await;
    let analyst = app.token(ANALYST).await;
    let hotline = app
        .store
        .organisation_by_slug("hotline-demo")
        .await
        .unwrap()
        .unwrap();
    // One-way against two-way: the nationality table minus the not-referred row of the crossed
    // table. With exact counts this is the referred cases of each nationality; here each table
    // has its own noise, and the result is checked against what the answers are, not the data.
    let (_, one_way) = stats(&app, &analyst, "by=nationality").await;
    let (_, two_way) = stats(&app, &analyst, "by=referral_outcome,nationality").await;
    assert_eq!(one_way["privacy"]["mechanism"], "discrete_gaussian");
    assert_eq!(two_way["privacy"]["mechanism"], "discrete_gaussian");
    // Totals against visible rows: the difference is the sum of the hidden noisy counts, each
    // under 3, never an exact count of the data as a whole.
    let total = one_way["total"].as_u64().unwrap();
    let hidden = one_way["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["count"].is_null())
        .count() as u64;
    let difference = total - sum_of_rows(&one_way);
    assert!(
        difference <= 2 * hidden,
        "{difference} for {hidden} hidden rows"
    );
    let raw = app
        .store
        .case_stats(hotline.id, &[StatsDimension::Nationality])
        .await
        .unwrap();
    // The answers carry noise: over the dimensions asked, some total differs from the data.
    let (_, by_sex) = stats(&app, &analyst, "by=sex").await;
    let (_, by_age) = stats(&app, &analyst, "by=age_group").await;
    let totals = [&one_way, &two_way, &by_sex, &by_age].map(|body| body["total"].as_u64().unwrap());
    assert!(
        totals.iter().any(|total| *total != raw.cases),
        "{totals:?} against {}",
        raw.cases
    );
}
