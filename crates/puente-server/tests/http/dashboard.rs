//! The statistics API and the dashboard as a supervisor sees them (exact counts of their own
//! organisation): every count under 3 suppressed, and no suppressed count derivable from the total.
//! What analysts see, with differential privacy, is tested in `private_stats.rs`.

use crate::helpers::*;
use puente_store::StatsDimension;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Adds one hotline case of a nationality the demo data does not use, so that a small cell exists.
async fn add_a_lone_case(app: &TestApp, token: &str) {
    let response = app
        .post(
            token,
            "/api/v1/cases",
            &json!({ "person": { "given_name": "Ana", "surname": "Lopez", "sex": "F",
                                 "date_of_birth": "2001", "nationality": "BZ" } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn stats_by_nationality_suppress_small_counts_so_that_no_hidden_count_follows_from_the_total()
{
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    add_a_lone_case(&app, &advocate).await;
    let supervisor = app.token(SUPERVISOR).await;
    let response = app.get(&supervisor, "/api/v1/stats?by=nationality").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["by"], json!(["nationality"]));
    let rows = body["rows"].as_array().unwrap();
    // The raw counts, read straight from the store, to check what the API hid.
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
    let raw_count = |value: &str| {
        raw.rows
            .iter()
            .find(|row| row.values[0] == value)
            .map(|row| row.count)
            .unwrap()
    };
    let belize = rows.iter().find(|row| row["nationality"] == "BZ").unwrap();
    assert_eq!(belize["count"], Value::Null, "{belize}");
    assert_eq!(belize["suppressed"], true, "{belize}");
    let mut hidden = Vec::new();
    let mut shown_sum = 0;
    for row in rows {
        let value = row["nationality"].as_str().unwrap();
        let raw = raw_count(value);
        match row["count"].as_u64() {
            Some(count) => {
                assert!(count >= 3, "{row}");
                assert_eq!(count, raw, "{row}");
                assert!(row.get("suppressed").is_none(), "{row}");
                shown_sum += count;
            }
            None => {
                assert_eq!(row["suppressed"], true, "{row}");
                hidden.push(raw);
            }
        }
        if raw < 3 {
            assert!(row["count"].is_null(), "a count under 3 was shown: {row}");
        }
    }
    // An attacker who subtracts the shown counts from the total learns only the sum of the
    // hidden ones; with a single hidden count that would be the count itself.
    assert!(hidden.len() >= 2, "{rows:?}");
    if let Some(total) = body["total"].as_u64() {
        let hidden_sum = total - shown_sum;
        assert_eq!(hidden_sum, hidden.iter().sum::<u64>());
        // Each hidden count could still be something else: the sum does not pin them down.
        let smallest_possible = hidden.len() as u64;
        assert!(
            hidden_sum > smallest_possible && hidden_sum < 2 * smallest_possible
                || hidden.iter().any(|count| *count >= 3),
            "the hidden counts {hidden:?} follow from their sum {hidden_sum}"
        );
    }
}

#[tokio::test]
async fn stats_take_every_dimension_of_the_store_and_refuse_unknown_ones_and_the_wrong_roles() {
    let app = spawn_app().await;
    let supervisor = app.token(SUPERVISOR).await;
    for dimension in StatsDimension::ALL {
        let response = app
            .get(
                &supervisor,
                &format!("/api/v1/stats?by={}", dimension.code()),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{}", dimension.code());
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["by"], json!([dimension.code()]));
        for row in body["rows"].as_array().unwrap() {
            assert!(row[dimension.code()].is_string(), "{row}");
            assert!(
                row["count"].as_u64().is_some_and(|count| count >= 3) || row["suppressed"] == true,
                "{row}"
            );
        }
    }
    let response = app
        .get(&supervisor, "/api/v1/stats?by=month,exploitation_type")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["by"], json!(["month", "exploitation_type"]));
    let response = app.get(&supervisor, "/api/v1/stats?by=shoe_size").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let advocate = app.token(ADVOCATE).await;
    let response = app.get(&advocate, "/api/v1/stats?by=sex").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_csv_carries_the_same_published_numbers() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    add_a_lone_case(&app, &advocate).await;
    let analyst = app.token(ANALYST).await;
    let response = app.get(&analyst, "/api/v1/stats.csv?by=nationality").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("nationality,count"));
    // The analyst's counts are private: BZ's single case is listed, its count noisy; the CSV and
    // the JSON are the same answer to the same question.
    assert!(csv.lines().any(|line| line.starts_with("BZ,")), "{csv}");
    assert!(csv.lines().last().unwrap().starts_with("total,"), "{csv}");
    let json: Value = app
        .get(&analyst, "/api/v1/stats?by=nationality")
        .await
        .json()
        .await
        .unwrap();
    for row in json["rows"].as_array().unwrap() {
        let shown = row["count"]
            .as_u64()
            .map(|count| count.to_string())
            .unwrap_or_else(|| "<3".into());
        let line = format!("{},{shown}", row["nationality"].as_str().unwrap());
        assert!(csv.lines().any(|l| l == line), "{line} not in {csv}");
    }
}

#[tokio::test]
async fn the_dashboard_draws_svg_charts_with_tables_and_the_service_gaps() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    add_a_lone_case(&app, &advocate).await;
    let client = app.logged_in(SUPERVISOR).await;
    let page = app.page(&client, "/dashboard", StatusCode::OK).await;
    assert!(page.contains("<svg"), "{page}");
    assert!(page.contains("Nacionalidad"), "{page}");
    assert!(page.contains("Belice"), "{page}");
    assert!(page.contains("&lt;3"), "{page}");
    assert!(page.contains("/api/v1/stats.csv?by=nationality"), "{page}");
    // The download link works with the page's session.
    let csv = client
        .get(app.url("/api/v1/stats.csv?by=nationality"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.text().await.unwrap().contains("BZ,<3"));
    assert!(page.contains("Brechas de servicios"), "{page}");
    // The demo directory has gaps (few services for men and boys).
    assert!(!page.contains("No se encontraron brechas"), "{page}");
    // Light enough for a 3G phone: no scripts, and well under 200 kB before compression.
    assert!(!page.contains("<script"), "{page}");
    assert!(page.len() < 200_000, "{}", page.len());
    let analyst = app.logged_in(ANALYST).await;
    app.page(&analyst, "/dashboard", StatusCode::OK).await;
    let advocate = app.logged_in(ADVOCATE).await;
    app.page(&advocate, "/dashboard", StatusCode::FORBIDDEN)
        .await;
}

#[tokio::test]
async fn the_imported_ctdc_dataset_is_counted_with_the_same_suppression() {
    use puente_core::ctdc::{parse_cell, CtdcRecord};
    use puente_store::Actor;
    let app = spawn_app().await;
    let record = |gender: &str| {
        let mut record = CtdcRecord::empty();
        record.cells[0] = parse_cell(0, "2019").unwrap();
        record.cells[2] = parse_cell(2, gender).unwrap();
        record
    };
    let mut records: Vec<CtdcRecord> = (0..10).map(|_| record("Female")).collect();
    records.extend((0..5).map(|_| record("Male")));
    records.push(record("Transgender/NonConforming"));
    app.store
        .import_ctdc(
            &Actor::command_line(),
            "global-dataset",
            "global-dataset",
            "test.csv",
            "hash",
            &records,
            false,
        )
        .await
        .unwrap();
    let analyst = app.token(ANALYST).await;
    let response = app
        .get(&analyst, "/api/v1/stats?source=ctdc&by=gender")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let rows = body["rows"].as_array().unwrap();
    let count_of = |gender: &str| {
        rows.iter()
            .find(|row| row["gender"] == gender)
            .unwrap_or_else(|| panic!("{gender} in {rows:?}"))["count"]
            .clone()
    };
    assert_eq!(count_of("Female"), json!(10));
    assert_eq!(count_of("Transgender/NonConforming"), Value::Null);
    // The lone small count takes another with it, or the total would give it away.
    assert_eq!(count_of("Male"), Value::Null);
    assert_eq!(body["total"], json!(16));
    let response = app
        .get(&analyst, "/api/v1/stats?source=ctdc&by=shoe_size")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let client = app.logged_in(ANALYST).await;
    let page = app.page(&client, "/dashboard", StatusCode::OK).await;
    assert!(page.contains("id=\"ctdc\""), "{page}");
    assert!(page.contains("(16 registros)"), "{page}");
}

#[tokio::test]
async fn each_ctdc_dataset_is_counted_on_its_own_and_shown_with_labels() {
    use puente_core::ctdc::{parse_cell, CtdcRecord};
    use puente_store::Actor;
    let app = spawn_app().await;
    let mut record = CtdcRecord::empty();
    record.cells[0] = parse_cell(0, "2019").unwrap();
    record.cells[2] = parse_cell(2, "Female").unwrap();
    app.store
        .import_ctdc(
            &Actor::command_line(),
            "global-dataset",
            "global-dataset",
            "global.csv",
            "hash-global",
            &vec![record; 7],
            false,
        )
        .await
        .unwrap();
    let columns: Vec<String> = ["gender", "ageBroad", "meansThreats", "IP_Gender"]
        .map(String::from)
        .to_vec();
    let row = |gender: &str, age: &str, threats: Option<&str>, perpetrators: &str| {
        vec![
            Some(gender.to_string()),
            Some(age.to_string()),
            threats.map(String::from),
            Some(perpetrators.to_string()),
        ]
    };
    let mut rows = vec![row("Man", "9--17", Some("1"), "Male;Female"); 6];
    rows.extend(vec![row("Woman", "18--20", None, "Male"); 4]);
    app.store
        .import_ctdc_dataset(
            &Actor::command_line(),
            "perpetrators-2024",
            "victim-perpetrator-synthetic",
            "vp.csv",
            "hash-vp",
            &columns,
            &rows,
            false,
        )
        .await
        .unwrap();
    let analyst = app.token(ANALYST).await;
    // Without `dataset`, the first stored (the Global Dataset); with it, the one named.
    let global: Value = app
        .get(&analyst, "/api/v1/stats?source=ctdc&by=gender")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(global["dataset"], "global-dataset");
    assert_eq!(global["total"], json!(7));
    let response = app
        .get(
            &analyst,
            "/api/v1/stats?source=ctdc&dataset=perpetrators-2024&by=meansThreats",
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let threats: Value = response.json().await.unwrap();
    assert_eq!(threats["dataset"], "perpetrators-2024");
    assert_eq!(
        threats["rows"],
        json!([{"meansThreats": "1", "count": 6}, {"meansThreats": "", "count": 4}])
    );
    // A multi-valued variable counts a record under each of its values.
    let perpetrators: Value = app
        .get(
            &analyst,
            "/api/v1/stats?source=ctdc&dataset=perpetrators-2024&by=IP_Gender",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        perpetrators["rows"],
        json!([{"IP_Gender": "Male", "count": 10}, {"IP_Gender": "Female", "count": 6}])
    );
    assert_eq!(perpetrators["total"], json!(10));
    for (query, status) in [
        (
            "dataset=nothing-of-that-name&by=gender",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "dataset=perpetrators-2024&by=citizenship",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let response = app
            .get(&analyst, &format!("/api/v1/stats?source=ctdc&{query}"))
            .await;
        assert_eq!(response.status(), status, "{query}");
    }
    let csv = app
        .get(
            &analyst,
            "/api/v1/stats.csv?source=ctdc&dataset=perpetrators-2024&by=ageBroad&labels=es",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("Grupo de edad,"), "{csv}");
    assert!(csv.contains("9 a 17 años,6"), "{csv}");

    let client = app.logged_in(ANALYST).await;
    let page = app
        .page(
            &client,
            "/dashboard?dataset=perpetrators-2024",
            StatusCode::OK,
        )
        .await;
    assert!(
        page.contains("<select id=\"dataset\" name=\"dataset\">"),
        "{page}"
    );
    assert!(page.contains("value=\"global-dataset\""), "{page}");
    assert!(
        page.contains("<option value=\"perpetrators-2024\" selected>"),
        "{page}"
    );
    assert!(page.contains("(10 registros)"), "{page}");
    for label in [
        "Control: amenazas",
        "Género del perpetrador",
        "Hombre",
        "9 a 17 años",
        "Sí",
    ] {
        assert!(page.contains(label), "{label} in {page}");
    }
    let ctdc_part = &page[page.find("id=\"ctdc\"").unwrap()..];
    for code in [">meansThreats<", ">IP_Gender<", ">Man<", ">9--17<"] {
        assert!(!ctdc_part.contains(code), "{code} shown as a code");
    }
    // The Global Dataset's charts, chosen from the same page.
    let page = app
        .page(&client, "/dashboard?dataset=global-dataset", StatusCode::OK)
        .await;
    assert!(page.contains("(7 registros)"), "{page}");
}
