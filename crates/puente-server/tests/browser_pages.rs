//! Every page on a 360 px phone, in Spanish and in English: each demo role visits the pages it
//! may see, and every page is checked (see `browser_support::page_problems`): nothing scrolls
//! sideways, no raw vocabulary code is shown where a label belongs, and checkboxes, radio
//! buttons and navigation links are at least 24x24 px. A screenshot of every page is saved under
//! `target/tmp` (`puente-page-{language}-{role}-{page}.png`).
//!
//! Like `browser.rs`, it needs Debian's `chromium` and `chromium-driver`, and FAILS without them
//! unless `PUENTE_SKIP_BROWSER_TESTS=1` is set.

mod browser_support;
#[allow(dead_code)]
#[path = "http/helpers.rs"]
mod helpers;

use std::time::Duration;

use browser_support::{browser_session_in, check_page, leaf_codes, raw_codes, Step};
use fantoccini::Locator;
use helpers::{spawn_app, TestApp, ADMIN, ADVOCATE, ANALYST, CASE_WORKER, PASSWORD, SUPERVISOR};
use serde_json::{json, Value};

/// What the tour visits: a screened case with events, a note and a referral to the shelter.
struct Fixture {
    case_id: i64,
    screening_id: i64,
    referral_id: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    let token = app.token(ADVOCATE).await;
    let response = app
        .post(
            &token,
            "/api/v1/cases",
            &json!({
                "person": { "given_name": "Rosa", "surname": "Xicará", "sex": "F",
                            "date_of_birth": "2011-03", "nationality": "GT",
                            "phone": "+50255551234", "current_country": "MX",
                            "current_place": "Finca cafetalera, Tapachula, Chiapas" },
                "events": [{ "kind": "Exploitation", "country": "MX", "place": "Finca cafetalera, Tapachula, Chiapas" }]
            }),
        )
        .await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    let case_id = body["id"].as_i64().unwrap();
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{case_id}/screenings"),
            &json!({ "facts": ["act_recruited", "means_debt_bondage", "activity_labour",
                               "cond_excessive_hours", "migr_crossed_border", "migr_irregular_entry",
                               "migr_paid_smuggler"] }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let screening_id: i64 = response.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{case_id}/notes"),
            &json!({ "text": "Primera llamada." }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let response = app
        .post(
            &token,
            &format!("/api/v1/cases/{case_id}/referrals"),
            &json!({ "to_org": "shelter-demo", "services": ["shelter-demo-casa-ninas"],
                     "share": ["identity", "events", "screening"], "consent": true }),
        )
        .await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    let referral_id = body["id"].as_i64().unwrap();
    import_ctdc_datasets(app).await;
    Fixture {
        case_id,
        screening_id,
        referral_id,
    }
}

/// A Global Dataset and a Victim-Perpetrator synthetic dataset, for the dashboard's chooser.
async fn import_ctdc_datasets(app: &TestApp) {
    use puente_core::ctdc::releases::VICTIM_PERPETRATOR_COLUMNS;
    use puente_core::ctdc::{parse_cell, CtdcRecord};
    use puente_store::Actor;
    let mut record = CtdcRecord::empty();
    record.cells[0] = parse_cell(0, "2020").unwrap();
    record.cells[2] = parse_cell(2, "Female").unwrap();
    app.store
        .import_ctdc(
            &Actor::command_line(),
            "global-dataset",
            "global-dataset",
            "global.csv",
            "hash-global",
            &vec![record; 12],
            false,
        )
        .await
        .unwrap();
    let columns: Vec<String> = VICTIM_PERPETRATOR_COLUMNS.map(String::from).to_vec();
    let values = [
        "2014-2018",
        "Woman",
        "Minor",
        "1",
        "",
        "Americas",
        "Americas",
        "1",
        "Male;Female",
        "30--38",
        "Americas",
        "FamilyIntimatePartner",
        "No;Yes",
        "1",
        "",
        "1",
    ];
    let row: Vec<Option<String>> = values
        .iter()
        .map(|value| (!value.is_empty()).then(|| value.to_string()))
        .collect();
    app.store
        .import_ctdc_dataset(
            &Actor::command_line(),
            "victim-perpetrator-synthetic",
            "victim-perpetrator-synthetic",
            "vp.csv",
            "hash-vp",
            &columns,
            &vec![row; 9],
            false,
        )
        .await
        .unwrap();
}

async fn log_in(client: &fantoccini::Client, base: &str, email: &str) -> Step<()> {
    browser_support::log_in(client, base, email, PASSWORD).await
}

/// The pages of each role, by a short name for the screenshot.
fn tour(fixture: &Fixture) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let case = fixture.case_id;
    let screening = fixture.screening_id;
    let referral = fixture.referral_id;
    vec![
        (
            ADVOCATE,
            vec![
                ("cases", "/cases".into()),
                ("new-case", "/cases/new".into()),
                ("case", format!("/cases/{case}")),
                ("case-edit", format!("/cases/{case}/edit")),
                (
                    "question",
                    format!("/cases/{case}/screenings/new?kind=child"),
                ),
                ("screening", format!("/cases/{case}/screenings/{screening}")),
                ("services", format!("/cases/{case}/services")),
                ("refer", format!("/cases/{case}/refer")),
                ("directory", "/directory".into()),
                ("referrals", "/referrals".into()),
                ("referral", format!("/referrals/{referral}")),
                ("notifications", "/notifications".into()),
                ("account", "/account".into()),
                ("not-found", "/cases/abc".into()),
            ],
        ),
        (
            SUPERVISOR,
            vec![
                ("case-audit", format!("/cases/{case}/audit")),
                ("duplicates", format!("/cases/{case}/duplicates")),
                ("audit", "/audit".into()),
                ("dashboard", "/dashboard".into()),
            ],
        ),
        (
            ADMIN,
            vec![("admin", "/admin".into()), ("account", "/account".into())],
        ),
        (
            ANALYST,
            vec![
                ("dashboard", "/dashboard".into()),
                (
                    "dashboard-synthetic",
                    "/dashboard?dataset=victim-perpetrator-synthetic".into(),
                ),
            ],
        ),
        (
            CASE_WORKER,
            vec![
                ("referrals", "/referrals".into()),
                ("shared-case", format!("/referrals/{referral}")),
                ("notifications", "/notifications".into()),
            ],
        ),
    ]
}

async fn visit_every_page(
    client: &fantoccini::Client,
    app: &TestApp,
    fixture: &Fixture,
    language: &str,
) -> Step<Vec<String>> {
    let mut problems = Vec::new();
    client.goto(&app.url("/login")).await?;
    check_page(client, &format!("{language}-login"), &mut problems).await?;
    for (email, pages) in tour(fixture) {
        log_in(client, &app.address, email).await?;
        let role = email.split('@').next().unwrap_or_default();
        for (name, path) in pages {
            client.goto(&app.url(&path)).await?;
            client
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("main"))
                .await?;
            let lang = client
                .find(Locator::Css("html"))
                .await?
                .attr("lang")
                .await?
                .unwrap_or_default();
            if lang != language {
                problems.push(format!("{path}: in {lang:?}, not {language}"));
            }
            check_page(client, &format!("{language}-{role}-{name}"), &mut problems).await?;
        }
    }
    Ok(problems)
}

async fn every_page_fits_a_phone_and_shows_labels_in(language: &str) {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    let Some((client, driver, _profile)) = browser_session_in(language).await else {
        return;
    };
    let outcome = visit_every_page(&client, &app, &fixture, language).await;
    let _ = client.close().await;
    drop(driver);
    let problems = outcome.expect("the browser visits every page");
    assert!(
        problems.is_empty(),
        "{} problems on a 360 px phone in {language}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_360_px_phone_and_shows_labels_in_spanish() {
    every_page_fits_a_phone_and_shows_labels_in("es").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_360_px_phone_and_shows_labels_in_english() {
    every_page_fits_a_phone_and_shows_labels_in("en").await;
}

#[test]
fn the_raw_code_check_finds_codes_and_leaves_labels_alone() {
    assert_eq!(
        raw_codes(
            "Estado: not_referred · Sexo: Female · Correo: ana_p@x.org",
            "es"
        ),
        ["not_referred"]
    );
    assert_eq!(
        leaf_codes(
            &[
                "Female",
                "Mujer",
                "Línea (National Human Trafficking Hotline)"
            ],
            "es"
        ),
        ["Female"]
    );
    assert!(leaf_codes(&["Female"], "en").is_empty());
    assert_eq!(
        raw_codes("Sex: Female. Organisation: LawEnforcement.", "en"),
        ["LawEnforcement"]
    );
    assert!(raw_codes("Sexo: Mujer. Acto: «Reclutada»", "es").is_empty());
}
