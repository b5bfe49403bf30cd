//! The API agrees with its OpenAPI document on the operations where Schemathesis found they
//! disagreed: the document says what each handler reads (the body's fields, the parameters'
//! codes, the formats a day takes, the multipart part), and each handler refuses what the
//! document does not allow.

use crate::helpers::*;
use crate::route_table::{served_document, server_sources};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The schema a `$ref` names, or the schema itself.
fn resolved<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"]
        .as_str()
        .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
    {
        Some(name) => &document["components"]["schemas"][name],
        None => schema,
    }
}

/// The documented JSON body of an operation.
fn json_body<'a>(document: &'a Value, path: &str, method: &str) -> &'a Value {
    resolved(
        document,
        &document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"],
    )
}

/// A documented query parameter's schema.
fn query_parameter<'a>(document: &'a Value, path: &str, name: &str) -> &'a Value {
    let parameters = document["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{path} has parameters"));
    &parameters
        .iter()
        .find(|parameter| parameter["name"] == name)
        .unwrap_or_else(|| panic!("{path} documents `{name}`"))["schema"]
}

async fn my_id(app: &TestApp, token: &str) -> i64 {
    let me: Value = app.get(token, "/api/v1/me").await.json().await.unwrap();
    me["id"].as_i64().unwrap()
}

async fn owner_of(app: &TestApp, token: &str, case_id: i64) -> Value {
    let case: Value = app
        .get(token, &format!("/api/v1/cases/{case_id}"))
        .await
        .json()
        .await
        .unwrap();
    case["owner_user_id"].clone()
}

#[tokio::test]
async fn a_case_owner_is_given_by_owner_user_id_and_a_field_of_another_name_changes_nothing() {
    let app = spawn_app().await;
    let document = served_document(&app).await;
    // Each of the two operations documents its own body (they once shared one name, and the
    // document described both with the body of `assign`).
    let owner = json_body(&document, "/api/v1/cases/{id}/owner", "put");
    assert!(owner["properties"]["owner_user_id"].is_object(), "{owner}");
    assert!(owner["properties"]["assignee"].is_null(), "{owner}");
    assert_eq!(owner["additionalProperties"], json!(false), "{owner}");
    let assign = json_body(&document, "/api/v1/cases/{id}/assign", "post");
    assert!(assign["properties"]["assignee"].is_object(), "{assign}");
    assert_eq!(assign["additionalProperties"], json!(false), "{assign}");

    let supervisor = app.token(SUPERVISOR).await;
    let advocate = app.token(ADVOCATE).await;
    let advocate_id = my_id(&app, &advocate).await;
    let case_id = app.create_case(&supervisor, "Eulalia").await;
    let path = format!("/api/v1/cases/{case_id}/owner");
    let put = |body: Value| {
        let (app, supervisor, path) = (&app, &supervisor, &path);
        async move { app.put(supervisor, path, &body).await }
    };
    let given = put(json!({ "owner_user_id": advocate_id })).await;
    assert_eq!(given.status(), StatusCode::OK);
    assert_eq!(
        owner_of(&app, &supervisor, case_id).await,
        json!(advocate_id)
    );
    // `assignee` is the other operation's field: read as no owner, it took the case from its
    // owner. It is refused, naming the field, and the owner stays.
    let refused = put(json!({ "assignee": advocate_id })).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("assignee"), "{body}");
    assert_eq!(
        owner_of(&app, &supervisor, case_id).await,
        json!(advocate_id)
    );
    // Null still gives the case to no one.
    let nobody = put(json!({ "owner_user_id": null })).await;
    assert_eq!(nobody.status(), StatusCode::OK);
    assert_eq!(owner_of(&app, &supervisor, case_id).await, Value::Null);
}

#[tokio::test]
async fn the_case_list_exports_read_every_sort_code_they_document_and_the_searchs() {
    let app = spawn_app().await;
    let document = served_document(&app).await;
    let supervisor = app.token(SUPERVISOR).await;
    let first = app.create_case(&supervisor, "Primera").await;
    let second = app.create_case(&supervisor, "Segunda").await;
    let names = |path: &str| -> Vec<String> {
        document["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} has parameters"))
            .iter()
            .map(|parameter| parameter["name"].as_str().unwrap().to_string())
            .collect()
    };
    for path in ["/api/v1/cases/export.csv", "/api/v1/cases/export.xlsx"] {
        // The search's parameters, without the page: an export holds every page.
        let searched: Vec<String> = names("/api/v1/cases")
            .into_iter()
            .filter(|name| !["page", "per_page", "cursor"].contains(&name.as_str()))
            .collect();
        assert_eq!(names(path), searched, "{path}");
        let sort = query_parameter(&document, path, "sort");
        let codes: Vec<&str> = sort["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: `sort` is a list of codes: {sort}"))
            .iter()
            .map(|code| code.as_str().unwrap())
            .collect();
        // The search's codes are the export's too: the same filters as the list.
        for search_code in ["newest", "oldest", "updated"] {
            assert!(codes.contains(&search_code), "{path}: {codes:?}");
        }
        for code in &codes {
            let response = app.get(&supervisor, &format!("{path}?sort={code}")).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}?sort={code}");
        }
        let refused = app.get(&supervisor, &format!("{path}?sort=sideways")).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{path}");
        // The other filters are codes and days the document names.
        let status = query_parameter(&document, path, "status");
        assert!(
            status["enum"]
                .as_array()
                .is_some_and(|codes| codes.contains(&json!("Active"))),
            "{path}: {status}"
        );
        let nationality = query_parameter(&document, path, "nationality");
        assert!(
            nationality["enum"]
                .as_array()
                .is_some_and(|codes| codes.contains(&json!("GT"))),
            "{path}: {nationality}"
        );
        // A day, or a blank (the filter left out), as the list's own.
        for day in ["opened_from", "opened_to"] {
            let forms = &query_parameter(&document, path, day)["anyOf"];
            assert_eq!(forms[0]["format"], "date", "{path}: {day}");
            assert_eq!(forms[1]["maxLength"], 0, "{path}: {day}");
            assert_eq!(
                &query_parameter(&document, "/api/v1/cases", day)["anyOf"],
                forms
            );
        }
        let blank = app
            .get(&supervisor, &format!("{path}?opened_from=&opened_to="))
            .await;
        assert_eq!(blank.status(), StatusCode::OK, "{path}");
    }
    // Opened the same day: oldest first goes by id up, newest first by id down.
    let position = |text: &str, id: i64| text.find(&format!("\n{id},")).unwrap();
    for (sort, first_before_second) in [("oldest", true), ("newest", false)] {
        let text = app
            .get(
                &supervisor,
                &format!("/api/v1/cases/export.csv?sort={sort}"),
            )
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            position(&text, first) < position(&text, second),
            first_before_second,
            "{sort}: {text}"
        );
    }
}

#[tokio::test]
async fn a_task_is_due_on_a_day_or_a_moment_and_its_title_is_more_than_spaces() {
    let app = spawn_app().await;
    let document = served_document(&app).await;
    let request = json_body(&document, "/api/v1/cases/{id}/tasks", "post");
    let formats: Vec<&Value> = request["properties"]["due_on"]["anyOf"]
        .as_array()
        .unwrap_or_else(|| panic!("`due_on` is one of two forms: {request}"))
        .iter()
        .map(|form| &form["format"])
        .collect();
    assert_eq!(formats, [&json!("date"), &json!("date-time")]);
    assert_eq!(request["properties"]["title"]["pattern"], json!("\\S"));

    let advocate = app.token(ADVOCATE).await;
    let case_id = app.create_case(&advocate, "Marta").await;
    let path = format!("/api/v1/cases/{case_id}/tasks");
    let add = |title: &'static str, due_on: &'static str| {
        let (app, advocate, path) = (&app, &advocate, &path);
        async move {
            let body = json!({ "title": title, "due_on": due_on });
            app.post(advocate, path, &body).await.status()
        }
    };
    for due_on in ["2026-12-24", "2026-12-24T15:00:00-06:00", "0001-01-01"] {
        assert_eq!(add("Llamar", due_on).await, StatusCode::CREATED, "{due_on}");
    }
    // What neither form takes: a day no month has, a day written another way.
    for due_on in ["0000-00-00", "2026-02-30", "24/12/2026"] {
        let status = add("Llamar", due_on).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{due_on}");
    }
    let spaces = add("   ", "2026-12-24").await;
    assert_eq!(spaces, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A multipart body of the given parts (name, file name, content).
fn multipart_body(parts: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "puente-document-boundary-3f9c";
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_document_is_the_one_part_file_and_comes_back_with_a_documented_media_type() {
    let app = spawn_app().await;
    let document = served_document(&app).await;
    let upload = &document["paths"]["/api/v1/cases/{id}/attachments"]["post"]["requestBody"]
        ["content"]["multipart/form-data"]["schema"];
    let upload = resolved(&document, upload);
    assert_eq!(upload["required"], json!(["file"]), "{upload}");
    assert_eq!(upload["properties"]["file"]["format"], "binary", "{upload}");
    assert_eq!(upload["additionalProperties"], json!(false), "{upload}");

    let advocate = app.token(ADVOCATE).await;
    let case_id = app.create_case(&advocate, "Celia").await;
    let path = format!("/api/v1/cases/{case_id}/attachments");
    let send = |parts: &[(&str, &str, &[u8])]| {
        let (content_type, body) = multipart_body(parts);
        plain_client()
            .post(app.url(&path))
            .bearer_auth(&advocate)
            .header("content-type", content_type)
            .body(body)
    };
    // Another part beside the document is refused, naming it, and nothing is stored.
    let refused = send(&[
        ("file", "nota.txt", b"Llamar el lunes"),
        ("comment", "", b"x"),
    ])
    .send()
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["field"], "comment", "{body}");
    let listed: Value = app.get(&advocate, &path).await.json().await.unwrap();
    assert_eq!(listed["attachments"], json!([]), "{listed}");

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let stored = send(&[("file", "recibo.png", png)]).send().await.unwrap();
    assert_eq!(stored.status(), StatusCode::CREATED);
    let id = stored.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let download = app.get(&advocate, &format!("{path}/{id}")).await;
    assert_eq!(download.status(), StatusCode::OK);
    let media_type = download.headers()["content-type"].to_str().unwrap();
    for path in [
        "/api/v1/cases/{id}/attachments/{attachment_id}",
        "/api/v1/referrals/{id}/attachments/{attachment_id}",
    ] {
        let documented = document["paths"][path]["get"]["responses"]["200"]["content"]
            .as_object()
            .unwrap();
        assert!(documented.contains_key(media_type), "{path}: {media_type}");
        for kind in ["application/pdf", "image/jpeg", "text/plain"] {
            assert!(documented.contains_key(kind), "{path}: {kind}");
        }
    }
}

#[tokio::test]
async fn every_answer_with_counts_documents_and_carries_its_privacy() {
    let app = spawn_app().await;
    let document = served_document(&app).await;
    let answer = resolved(
        &document,
        &document["paths"]["/api/v1/stats"]["get"]["responses"]["200"]["content"]
            ["application/json"]["schema"],
    );
    let privacy = resolved(&document, &answer["properties"]["privacy"]);
    for field in ["mechanism", "epsilon", "delta", "budget_left"] {
        assert!(
            privacy["properties"][field].is_object(),
            "`privacy.{field}` is documented: {privacy}"
        );
    }
    let mechanisms = privacy["properties"]["mechanism"]["enum"].clone();
    assert_eq!(
        mechanisms,
        json!(["discrete_gaussian", "exact_with_suppression"])
    );
    let required = answer["required"].as_array().unwrap();
    for field in ["by", "rows", "total", "privacy"] {
        assert!(required.contains(&json!(field)), "{field}: {answer}");
    }
    // The analyst's counts are private; the supervisor's exact, and both say so.
    for (user, mechanism) in [
        (ANALYST, "discrete_gaussian"),
        (SUPERVISOR, "exact_with_suppression"),
    ] {
        let token = app.token(user).await;
        let response = app.get(&token, "/api/v1/stats?by=nationality").await;
        assert_eq!(response.status(), StatusCode::OK, "{user}");
        let body: Value = response.json().await.unwrap();
        let privacy = body["privacy"].as_object().unwrap();
        for field in ["mechanism", "epsilon", "delta", "budget_left"] {
            assert!(privacy.contains_key(field), "{user}: {field} in {body}");
        }
        assert_eq!(privacy["mechanism"], mechanism, "{user}");
        assert!(mechanisms
            .as_array()
            .unwrap()
            .contains(&privacy["mechanism"]));
        if mechanism == "discrete_gaussian" {
            assert!(
                privacy["epsilon"].as_f64().is_some_and(|e| e > 0.0),
                "{body}"
            );
            assert!(privacy["budget_left"].as_f64().is_some(), "{body}");
        }
    }
}

/// Two types of the server with the same schema name would be one component of the document,
/// the one written last describing both (as `PUT /owner` once had `assign`'s body).
#[test]
fn no_two_types_of_the_server_share_a_schema_name() {
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut clashes = Vec::new();
    for (place, text) in server_sources() {
        let mut deriving = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                deriving = true;
            } else if deriving && !line.starts_with('#') && !line.starts_with("///") {
                let name = line
                    .trim_start_matches("pub(crate) ")
                    .trim_start_matches("pub ")
                    .trim_start_matches("struct ")
                    .trim_start_matches("enum ")
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                if let Some(first) = seen.insert(name.clone(), place.clone()) {
                    clashes.push(format!("{name}: {first} and {place}"));
                }
                deriving = false;
            }
        }
    }
    assert!(seen.len() > 20, "{} schema types found", seen.len());
    assert!(clashes.is_empty(), "{clashes:?}");
}

#[tokio::test]
async fn every_documented_path_parameter_is_in_its_path_and_a_merge_names_its_records_in_the_query()
{
    let app = spawn_app().await;
    let document = served_document(&app).await;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                if parameter["in"] == "path" {
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: `{name}` is not in the path"
                    );
                }
            }
        }
    }
    let parameters = document["paths"]["/api/v1/persons/merge"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let placed: Vec<(&str, &str, bool)> = parameters
        .iter()
        .map(|parameter| {
            (
                parameter["name"].as_str().unwrap(),
                parameter["in"].as_str().unwrap(),
                parameter["required"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        placed,
        [
            ("kept_person_id", "query", true),
            ("merged_person_id", "query", true),
            ("case_id", "query", false)
        ]
    );
}

#[tokio::test]
async fn the_legal_tracks_documented_days_are_the_days_its_handlers_take() {
    let app = spawn_app().await;
    let document = served_document(&app).await;
    let report = json_body(&document, "/api/v1/cases/{id}/legal/reports", "post");
    let pattern = report["properties"]["reported_on"]["pattern"]
        .as_str()
        .unwrap_or_else(|| panic!("`reported_on` has a pattern: {report}"));
    let documented = regex::Regex::new(pattern).unwrap();
    let stage = json_body(
        &document,
        "/api/v1/cases/{id}/legal/proceedings/{proceeding_id}/stages",
        "post",
    );
    let stage_pattern =
        regex::Regex::new(stage["properties"]["stage_on"]["pattern"].as_str().unwrap()).unwrap();
    assert!(stage_pattern.is_match("2199-06-15"));
    assert!(!stage_pattern.is_match("0000-00-00"));
    let steps = json_body(
        &document,
        "/api/v1/cases/{id}/legal/applications/{application_id}/steps",
        "post",
    );
    let step_codes = steps["properties"]["status"]["enum"].as_array().unwrap();
    assert!(!step_codes.contains(&json!("preparing")), "{steps}");
    assert!(step_codes.contains(&json!("filed")), "{steps}");
    let perpetrator = json_body(&document, "/api/v1/cases/{id}/perpetrators", "post");
    assert_eq!(perpetrator["anyOf"].as_array().map(Vec::len), Some(3));

    let advocate = app.token(ADVOCATE).await;
    let case_id = app.create_case(&advocate, "Marta").await;
    let path = format!("/api/v1/cases/{case_id}/legal/reports");
    let tomorrow = (time::OffsetDateTime::now_utc().date() + time::Duration::days(1)).to_string();
    for (reported_on, taken) in [
        ("2024-02-28", true),
        ("1880-01-01", true),
        ("0000-00-00", false),
        ("2025-02-30", false),
        ("2024", false),
        (tomorrow.as_str(), false),
    ] {
        let body =
            json!({ "authority": "police", "agency": "Fiscalía", "reported_on": reported_on });
        let status = app.post(&advocate, &path, &body).await.status();
        assert_eq!(documented.is_match(reported_on), taken, "{reported_on}");
        let expected = if taken {
            StatusCode::CREATED
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_eq!(status, expected, "{reported_on}");
    }
    let blank_agency =
        json!({ "authority": "police", "agency": "  ", "reported_on": "2024-02-28" });
    let status = app.post(&advocate, &path, &blank_agency).await.status();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(report["properties"]["agency"]["pattern"], json!("\\S"));
}

/// The `/api/v1` operations whose 2xx answer carries no JSON to type, each with why.
const ANSWERS_WITHOUT_A_JSON_SCHEMA: &[(&str, &str, &str)] = &[
    (
        "get",
        "/api/v1/cases/export.csv",
        "the case list as a CSV file",
    ),
    (
        "get",
        "/api/v1/cases/export.xlsx",
        "the case list as a spreadsheet (XLSX)",
    ),
    (
        "get",
        "/api/v1/cases/{id}/export.pdf",
        "the case file as a PDF file",
    ),
    ("get", "/api/v1/stats.csv", "the counts as a CSV file"),
    (
        "get",
        "/api/v1/cases/{id}/attachments/{attachment_id}",
        "a document, of the media type it was attached with",
    ),
    (
        "get",
        "/api/v1/referrals/{id}/attachments/{attachment_id}",
        "a shared document, of the media type it was attached with",
    ),
];

/// Whether a schema says something of the JSON it describes: a `$ref`, a type, or a combination
/// (`{}`, what `serde_json::Value` documents, says nothing). An array's items must say something
/// too.
fn schema_says_something(document: &Value, schema: &Value) -> bool {
    let schema = resolved(document, schema);
    let Some(object) = schema.as_object() else {
        return false;
    };
    if let Some(items) = object.get("items") {
        return schema_says_something(document, items);
    }
    [
        "$ref",
        "type",
        "oneOf",
        "anyOf",
        "allOf",
        "properties",
        "enum",
    ]
    .iter()
    .any(|key| object.contains_key(*key))
}

/// The 2xx answers of `document`'s `/api/v1` operations that have no typed JSON schema (and
/// are not 204s): `"METHOD PATH STATUS"`.
fn untyped_answers(document: &Value) -> Vec<String> {
    let mut untyped = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1") {
            continue;
        }
        for (method, operation) in operations.as_object().unwrap() {
            let Some(responses) = operation["responses"].as_object() else {
                continue;
            };
            for (status, response) in responses {
                if !status.starts_with('2') || status == "204" {
                    continue;
                }
                if ANSWERS_WITHOUT_A_JSON_SCHEMA
                    .iter()
                    .any(|(m, p, _)| m == method && p == path)
                {
                    continue;
                }
                let schema = &response["content"]["application/json"]["schema"];
                if !schema_says_something(document, schema) {
                    untyped.push(format!("{} {path} {status}", method.to_uppercase()));
                }
            }
        }
    }
    untyped
}

#[test]
fn every_api_answer_with_a_body_has_a_typed_schema() {
    let document = puente_server::openapi::document();
    // Each exception is a documented answer that is not JSON.
    for (method, path, why) in ANSWERS_WITHOUT_A_JSON_SCHEMA {
        let content = &document["paths"][path][method]["responses"]["200"]["content"];
        assert!(
            content.is_object() && content.get("application/json").is_none(),
            "{method} {path} ({why}) answers something other than JSON: {content}"
        );
    }
    let untyped = untyped_answers(document);
    assert!(
        untyped.is_empty(),
        "answers without a typed schema: {untyped:#?}"
    );
    let unit = serde_json::to_value(puente_server::linkage_unit::unit_document()).unwrap();
    let untyped = untyped_answers(&unit);
    assert!(
        untyped.is_empty(),
        "the linkage unit's answers without a typed schema: {untyped:#?}"
    );
}

#[test]
fn an_untyped_answer_is_seen() {
    let document = json!({
        "paths": {
            "/api/v1/things": { "get": { "responses": {
                "200": { "content": { "application/json": { "schema": {} } } },
            } } },
            "/api/v1/lists": { "get": { "responses": {
                "200": { "content": { "application/json": { "schema": { "type": "array", "items": {} } } } },
            } } },
            "/api/v1/typed": { "post": { "responses": {
                "201": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                "204": { "description": "nothing" },
            } } },
            "/api/v1/none": { "get": { "responses": { "200": { "description": "no content" } } } },
        },
        "components": { "schemas": { "Thing": { "type": "object" } } },
    });
    assert_eq!(
        untyped_answers(&document),
        [
            "GET /api/v1/things 200",
            "GET /api/v1/lists 200",
            "GET /api/v1/none 200"
        ]
    );
}

/// The properties a schema documents for an object, through `$ref` and `allOf`.
fn documented_properties(document: &Value, schema: &Value) -> serde_json::Map<String, Value> {
    let schema = resolved(document, schema);
    let mut properties = serde_json::Map::new();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        properties.extend(documented_properties(document, part));
    }
    if let Some(own) = schema["properties"].as_object() {
        properties.extend(own.clone());
    }
    properties
}

/// The fields of `value` its schema does not document, each by where it is (`.referral.status`).
/// A free-form object (`{"type": "object"}` without properties) documents whatever it holds.
fn undocumented_fields(
    document: &Value,
    schema: &Value,
    value: &Value,
    place: &str,
) -> Vec<String> {
    let schema = resolved(document, schema);
    match value {
        Value::Array(items) => match schema.get("items") {
            Some(item_schema) => items
                .iter()
                .flat_map(|item| {
                    undocumented_fields(document, item_schema, item, &format!("{place}[]"))
                })
                .collect(),
            None => Vec::new(),
        },
        Value::Object(fields) => {
            let properties = documented_properties(document, schema);
            if properties.is_empty() {
                return Vec::new();
            }
            let mut undocumented = Vec::new();
            for (name, field) in fields {
                match properties.get(name) {
                    Some(field_schema) => undocumented.extend(undocumented_fields(
                        document,
                        field_schema,
                        field,
                        &format!("{place}.{name}"),
                    )),
                    None => undocumented.push(format!("{place}.{name}")),
                }
            }
            undocumented
        }
        _ => Vec::new(),
    }
}

/// The fields of the JSON answer to `GET path` that its documented 200 answer leaves out.
async fn undocumented_fields_of(
    app: &TestApp,
    token: &str,
    template: &str,
    path: &str,
) -> Vec<String> {
    let document = puente_server::openapi::document();
    let response = app.get(token, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let value: Value = response.json().await.unwrap();
    let schema = &document["paths"][template]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    assert!(schema.is_object(), "{template} documents its answer");
    undocumented_fields(document, schema, &value, template)
}

#[tokio::test]
async fn every_field_an_answer_carries_is_in_its_documented_schema() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let supervisor = app.token(SUPERVISOR).await;
    let worker = app.token(CASE_WORKER).await;
    let case_id = crate::referrals::hotline_case(&app, &advocate).await;
    let screened = app
        .post(
            &advocate,
            &format!("/api/v1/cases/{case_id}/screenings"),
            &json!({ "person": { "age": 15, "sex": "F", "nationality": "GT", "current_country": "GT" },
                     "facts": ["act_recruited", "means_deception", "activity_commercial_sex"] }),
        )
        .await;
    assert_eq!(screened.status(), StatusCode::CREATED);
    let referred = app
        .post(
            &advocate,
            &format!("/api/v1/cases/{case_id}/referrals"),
            &json!({ "to_org": "shelter-demo", "services": ["shelter-demo-casa-ninas"],
                     "share": ["identity", "events", "screening"], "consent": true }),
        )
        .await;
    assert_eq!(referred.status(), StatusCode::CREATED);
    let referral_id = referred.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let screenings: Value = app
        .get(&advocate, &format!("/api/v1/cases/{case_id}/screenings"))
        .await
        .json()
        .await
        .unwrap();
    let screening_id = screenings[0]["id"].as_i64().unwrap();
    let mut undocumented = Vec::new();
    for (token, template, path) in [
        (&advocate, "/api/v1/cases", "/api/v1/cases".to_string()),
        (
            &advocate,
            "/api/v1/cases/{id}",
            format!("/api/v1/cases/{case_id}"),
        ),
        (
            &advocate,
            "/api/v1/cases/{id}/notes",
            format!("/api/v1/cases/{case_id}/notes"),
        ),
        (
            &advocate,
            "/api/v1/cases/{id}/history",
            format!("/api/v1/cases/{case_id}/history"),
        ),
        (
            &advocate,
            "/api/v1/cases/{id}/consents",
            format!("/api/v1/cases/{case_id}/consents"),
        ),
        (
            &advocate,
            "/api/v1/cases/{id}/screenings",
            format!("/api/v1/cases/{case_id}/screenings"),
        ),
        (
            &advocate,
            "/api/v1/cases/{id}/screenings/{screening_id}",
            format!("/api/v1/cases/{case_id}/screenings/{screening_id}"),
        ),
        (
            &advocate,
            "/api/v1/cases/{id}/referrals",
            format!("/api/v1/cases/{case_id}/referrals"),
        ),
        (
            &advocate,
            "/api/v1/cases/{id}/tasks",
            format!("/api/v1/cases/{case_id}/tasks"),
        ),
        (
            &advocate,
            "/api/v1/cases/{id}/attachments",
            format!("/api/v1/cases/{case_id}/attachments"),
        ),
        (
            &advocate,
            "/api/v1/cases/{id}/matches",
            format!("/api/v1/cases/{case_id}/matches"),
        ),
        (
            &advocate,
            "/api/v1/referrals",
            "/api/v1/referrals".to_string(),
        ),
        (
            &advocate,
            "/api/v1/referrals/{id}",
            format!("/api/v1/referrals/{referral_id}"),
        ),
        (
            &worker,
            "/api/v1/referrals/{id}/case",
            format!("/api/v1/referrals/{referral_id}/case"),
        ),
        (
            &worker,
            "/api/v1/notifications",
            "/api/v1/notifications".to_string(),
        ),
        (&advocate, "/api/v1/tasks", "/api/v1/tasks".to_string()),
        (
            &advocate,
            "/api/v1/services",
            "/api/v1/services?country=GT".to_string(),
        ),
        (
            &supervisor,
            "/api/v1/audit",
            format!("/api/v1/audit?case_id={case_id}"),
        ),
        (
            &supervisor,
            "/api/v1/account-notices",
            "/api/v1/account-notices".to_string(),
        ),
        (
            &supervisor,
            "/api/v1/matching/runs",
            "/api/v1/matching/runs".to_string(),
        ),
        (&advocate, "/api/v1/me", "/api/v1/me".to_string()),
    ] {
        undocumented.extend(undocumented_fields_of(&app, token, template, &path).await);
    }
    assert!(
        undocumented.is_empty(),
        "fields the document does not state: {undocumented:#?}"
    );
}

#[test]
fn a_field_the_schema_leaves_out_is_seen() {
    let document = json!({ "components": { "schemas": {
        "Thing": { "type": "object", "properties": { "id": { "type": "integer" },
                   "parts": { "type": "array", "items": { "type": "object", "properties": { "name": {} } } },
                   "free": { "type": "object" } } },
    } } });
    let schema = json!({ "$ref": "#/components/schemas/Thing" });
    let value = json!({ "id": 1, "secret": "x", "parts": [{ "name": "a", "hidden": 2 }], "free": { "anything": 1 } });
    assert_eq!(
        undocumented_fields(&document, &schema, &value, ""),
        [".secret", ".parts[].hidden"]
    );
}
