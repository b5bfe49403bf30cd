//! A case's records: attached documents, voided screenings, the history of changes and the
//! exports, with their role matrix and their refusals.

use puente_store::AuditQuery;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// A multipart body with one file in the field `file`: its content type and bytes.
fn multipart(file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "puente-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    async fn upload(
        &self,
        token: &str,
        case_id: i64,
        file_name: &str,
        content: &[u8],
    ) -> reqwest::Response {
        let (content_type, body) = multipart(file_name, content);
        plain_client()
            .post(self.url(&format!("/api/v1/cases/{case_id}/attachments")))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The JSON answer of a GET.
    async fn get_json(&self, token: &str, path: &str) -> Value {
        self.get(token, path).await.json().await.unwrap()
    }

    /// The audit entries about a case.
    async fn case_audit(&self, case_id: i64) -> Vec<puente_store::AuditEntry> {
        self.store
            .audit_entries(&AuditQuery {
                case_id: Some(case_id),
                ..AuditQuery::default()
            })
            .await
            .unwrap()
    }

    fn attachment_files(&self) -> Vec<std::path::PathBuf> {
        let directory = self.store.file_beside("attachments");
        std::fs::read_dir(directory)
            .map(|entries| entries.map(|entry| entry.unwrap().path()).collect())
            .unwrap_or_default()
    }
}

/// The id of what a request created, checking that it answered 201.
async fn created_id(response: reqwest::Response) -> i64 {
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test]
async fn a_document_is_attached_listed_downloaded_and_kept_encrypted() {
    let (app, advocate, case_id) = spawn_app_with_case(ADVOCATE, "Rosa").await;
    let response = app
        .upload(&advocate, case_id, "contrato de trabajo.pdf", PDF)
        .await;
    let id = created_id(response).await;

    let list: Value = app
        .get_json(&advocate, &format!("/api/v1/cases/{case_id}/attachments"))
        .await;
    let listed = &list["attachments"][0];
    assert_eq!(listed["id"], id);
    assert_eq!(listed["file_name"], "contrato de trabajo.pdf");
    assert_eq!(listed["content_type"], "application/pdf");
    assert_eq!(listed["size_bytes"], PDF.len());
    assert_eq!(listed["uploaded_by"], ADVOCATE);
    assert!(listed.get("storage_name").is_none(), "{listed}");

    let download = app
        .get(
            &advocate,
            &format!("/api/v1/cases/{case_id}/attachments/{id}"),
        )
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);

    // The content lies outside the database, sealed: the file holds none of its bytes.
    let files = app.attachment_files();
    assert_eq!(files.len(), 1, "{files:?}");
    let sealed = std::fs::read(&files[0]).unwrap();
    assert!(!sealed.windows(8).any(|window| window == b"/Catalog"));
    // On SQLite the database is one file that can be read whole (PostgreSQL's is not).
    if let Some(sqlite) = app.store.sqlite() {
        let database = std::fs::read(sqlite.path()).unwrap();
        assert!(!database.windows(8).any(|window| window == b"/Catalog"));
    }

    // The upload and the download are audited, without the file's name.
    let entries = app.case_audit(case_id).await;
    assert!(entries
        .iter()
        .any(|entry| entry.action == "create" && entry.record_type == "case_attachment"));
    assert!(entries
        .iter()
        .any(|entry| entry.action == "view_attachment"));
    assert!(entries
        .iter()
        .all(|entry| !entry.detail.contains("contrato")));
}

#[tokio::test]
async fn a_document_over_the_limit_or_of_a_refused_kind_is_refused_and_nothing_is_stored() {
    let config = puente_server::ServerConfig {
        attachments: puente_server::attachments::AttachmentSettings {
            directory: None,
            max_bytes: 1024,
        },
        ..puente_server::ServerConfig::default()
    };
    let app = spawn_app_with(config).await;
    let advocate = app.token(ADVOCATE).await;
    let case_id = app.create_case(&advocate, "Rosa").await;

    let mut large = PDF.to_vec();
    large.extend(std::iter::repeat_n(b' ', 2048));
    let response = app.upload(&advocate, case_id, "grande.pdf", &large).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(response).await, "payload_too_large");

    // Much larger than the body limit: refused before the body is read whole.
    let huge = vec![b'a'; 512 * 1024];
    let response = app.upload(&advocate, case_id, "enorme.txt", &huge).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    for (name, content) in [
        ("programa.exe", b"MZ\x90\x00\x03\x00\x00\x00".as_slice()),
        ("hoja.pdf", b"PK\x03\x04 not a word document".as_slice()),
        ("binario.txt", b"hola\0mundo".as_slice()),
    ] {
        let response = app.upload(&advocate, case_id, name, content).await;
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{name}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unsupported_media_type", "{body}");
    }
    let response = app.upload(&advocate, case_id, "x.exe", b"MZ\x90\x00").await;
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nothing was stored"),
        "{body}"
    );
    // From the case page, the refusal is a page in the user's language.
    let browser = app.logged_in(ADVOCATE).await;
    let page = app
        .page(&browser, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    let csrf = csrf_token_of(&page);
    let (content_type, body) = multipart("x.exe", b"MZ\x90\x00");
    let refused = browser
        .post(app.url(&format!("/cases/{case_id}/attachments?csrf_token={csrf}")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let text = refused.text().await.unwrap();
    assert!(text.contains("no se guardó nada"), "{text}");

    let list: Value = app
        .get_json(&advocate, &format!("/api/v1/cases/{case_id}/attachments"))
        .await;
    assert_eq!(list["attachments"], json!([]));
    assert!(app.attachment_files().is_empty());
}

#[tokio::test]
async fn documents_follow_the_role_matrix() {
    let (app, advocate, case_id) = spawn_app_with_case(ADVOCATE, "Rosa").await;
    let response = app
        .upload(
            &advocate,
            case_id,
            "nota.txt",
            "Carta del empleador: José Pérez".as_bytes(),
        )
        .await;
    let id = created_id(response).await;
    let path = format!("/api/v1/cases/{case_id}/attachments/{id}");
    for (user, expected) in [
        (SUPERVISOR, StatusCode::OK),
        (ADMIN, StatusCode::FORBIDDEN),
        (ANALYST, StatusCode::FORBIDDEN),
        // Another organisation's user does not learn the case exists.
        (CASE_WORKER, StatusCode::NOT_FOUND),
    ] {
        let token = app.token(user).await;
        assert_eq!(app.get(&token, &path).await.status(), expected, "{user}");
        let upload = app.upload(&token, case_id, "x.txt", b"texto").await;
        let expected_upload = if expected == StatusCode::OK {
            StatusCode::CREATED
        } else {
            expected
        };
        assert_eq!(upload.status(), expected_upload, "{user} upload");
    }
}

#[tokio::test]
async fn a_receiver_sees_documents_only_when_the_consent_covers_documents() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let worker = app.token(CASE_WORKER).await;
    let case_id = app.create_case(&advocate, "Rosa").await;
    let id = created_id(app.upload(&advocate, case_id, "pasaporte.pdf", PDF).await).await;
    let refer = |share: Value| {
        let app = &app;
        let advocate = advocate.clone();
        async move {
            let response = app
                .post(
                    &advocate,
                    &format!("/api/v1/cases/{case_id}/referrals"),
                    &json!({ "to_org": "shelter-demo", "share": share, "consent": true }),
                )
                .await;
            created_id(response).await
        }
    };
    // Shared without documents: the receiver sees none and cannot download one.
    let without = refer(json!(["identity"])).await;
    let shared: Value = app
        .get_json(&worker, &format!("/api/v1/referrals/{without}/case"))
        .await;
    assert!(shared.get("documents").is_none(), "{shared}");
    let download = app
        .get(
            &worker,
            &format!("/api/v1/referrals/{without}/attachments/{id}"),
        )
        .await;
    assert_eq!(download.status(), StatusCode::NOT_FOUND);
    app.post(
        &advocate,
        &format!("/api/v1/referrals/{without}/revoke"),
        &json!({}),
    )
    .await;

    // Shared with documents, under the person's consent: listed and downloadable.
    let with = refer(json!(["identity", "documents"])).await;
    let shared: Value = app
        .get_json(&worker, &format!("/api/v1/referrals/{with}/case"))
        .await;
    assert_eq!(
        shared["documents"][0]["file_name"], "pasaporte.pdf",
        "{shared}"
    );
    let download = app
        .get(
            &worker,
            &format!("/api/v1/referrals/{with}/attachments/{id}"),
        )
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
    // The referral's page lists it with its download link.
    let browser = app.logged_in(CASE_WORKER).await;
    let page = app
        .page(&browser, &format!("/referrals/{with}"), StatusCode::OK)
        .await;
    assert!(
        page.contains(&format!(
            "href=\"/api/v1/referrals/{with}/attachments/{id}\""
        )),
        "{page}"
    );
    // The receiver cannot reach the sender's case directly.
    let direct = app
        .get(
            &worker,
            &format!("/api/v1/cases/{case_id}/attachments/{id}"),
        )
        .await;
    assert_eq!(direct.status(), StatusCode::NOT_FOUND);
}

async fn screen(app: &TestApp, token: &str, case_id: i64) -> i64 {
    let response = app
        .post(
            token,
            &format!("/api/v1/cases/{case_id}/screenings"),
            &json!({ "person": { "age": 16, "sex": "F", "nationality": "GT", "current_country": "US" },
                     "facts": ["act_recruited", "means_deception", "activity_labour"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    location.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_voided_screening_is_kept_shown_as_void_and_never_shared() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let worker = app.token(CASE_WORKER).await;
    let case_id = app.create_case(&advocate, "Rosa").await;
    let kept = screen(&app, &advocate, case_id).await;
    let voided = screen(&app, &advocate, case_id).await;
    let path = format!("/api/v1/cases/{case_id}/screenings/{voided}/void");

    // Without a reason: refused, nothing changed.
    let response = app.post(&advocate, &path, &json!({ "reason": "  " })).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Roles: an analyst never, another organisation's user does not see the case.
    let analyst = app.token(ANALYST).await;
    let response = app.post(&analyst, &path, &json!({ "reason": "x" })).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app.post(&worker, &path, &json!({ "reason": "x" })).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let response = app
        .post(
            &advocate,
            &path,
            &json!({ "reason": "Se registró en el caso equivocado" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["void_reason"], "Se registró en el caso equivocado");
    assert_eq!(body["voided_by"], ADVOCATE);
    // Twice: refused.
    let response = app
        .post(&advocate, &path, &json!({ "reason": "otra vez" }))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    // Kept and shown as void.
    let stored: Value = app
        .get_json(&advocate, &format!("/api/v1/cases/{case_id}/screenings"))
        .await;
    assert_eq!(stored.as_array().unwrap().len(), 2);
    assert!(stored[1]["voided_at"].is_string() && stored[0]["voided_at"].is_null());
    let browser = app.logged_in(ADVOCATE).await;
    let page = app
        .page(
            &browser,
            &format!("/cases/{case_id}/screenings/{voided}"),
            StatusCode::OK,
        )
        .await;
    assert!(page.contains("screening-void-notice"), "{page}");
    assert!(page.contains("Se registró en el caso equivocado"));

    // Never shared through a referral.
    let referral = app
        .post(
            &advocate,
            &format!("/api/v1/cases/{case_id}/referrals"),
            &json!({ "to_org": "shelter-demo", "share": ["identity", "screening"], "consent": true }),
        )
        .await;
    let referral = created_id(referral).await;
    let shared: Value = app
        .get_json(&worker, &format!("/api/v1/referrals/{referral}/case"))
        .await;
    let ids: Vec<i64> = shared["screenings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|screening| screening["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [kept], "{shared}");

    // Audited, without the reason (free text).
    let entries = app.case_audit(case_id).await;
    let entry = entries
        .iter()
        .find(|entry| entry.action == "void_screening")
        .expect("the void is audited");
    assert!(!entry.detail.contains("equivocado"));
}

#[tokio::test]
async fn a_screening_is_voided_from_its_page_only_with_the_confirmation() {
    let (app, advocate, case_id) = spawn_app_with_case(ADVOCATE, "Rosa").await;
    let screening = screen(&app, &advocate, case_id).await;
    let browser = app.logged_in(ADVOCATE).await;
    let path = format!("/cases/{case_id}/screenings/{screening}");
    let page = app.page(&browser, &path, StatusCode::OK).await;
    assert!(page.contains(&format!("action=\"{path}/void\"")), "{page}");
    let csrf = csrf_token_of(&page);
    let unconfirmed = app
        .post_form(
            &browser,
            &format!("{path}/void"),
            &[("csrf_token", csrf.as_str()), ("reason", "duplicada")],
        )
        .await;
    assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let confirmed = app
        .post_form(
            &browser,
            &format!("{path}/void"),
            &[
                ("csrf_token", csrf.as_str()),
                ("reason", "duplicada"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    let page = app.page(&browser, &path, StatusCode::OK).await;
    assert!(page.contains("screening-void-notice"));
    assert!(!page.contains(&format!("action=\"{path}/void\"")));
}

#[tokio::test]
async fn the_history_lists_what_changed_with_labels_and_audits_identifying_fields() {
    let (app, advocate, case_id) = spawn_app_with_case(ADVOCATE, "Jorge").await;
    let case: Value = app
        .get_json(&advocate, &format!("/api/v1/cases/{case_id}"))
        .await;
    let mut edit = json!({
        "version": case["version"],
        "person": case["person"],
        "status": "FollowUp",
        "victim": case["victim"],
        "events": case["events"],
    });
    edit["person"]["surname"] = json!("Hernández");
    edit["person"]["nationality"] = json!("HN");
    let response = app
        .put(&advocate, &format!("/api/v1/cases/{case_id}"), &edit)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let history: Value = plain_client()
        .get(app.url(&format!("/api/v1/cases/{case_id}/history")))
        .bearer_auth(&advocate)
        .header("accept-language", "es")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let latest = &history[1];
    assert_eq!(latest["version"], 2, "{history}");
    assert_eq!(latest["changed_by"], ADVOCATE);
    let changes = latest["changes"].as_array().unwrap();
    let change = |field: &str| {
        changes
            .iter()
            .find(|change| change["field"] == field)
            .unwrap_or_else(|| panic!("{field} in {changes:?}"))
            .clone()
    };
    assert_eq!(change("person.surname")["before"], "Pérez");
    assert_eq!(change("person.surname")["after"], "Hernández");
    assert_eq!(change("person.surname")["label"], "Primer apellido");
    assert_eq!(change("person.nationality")["before"], "Guatemala");
    assert_eq!(change("person.nationality")["after"], "Honduras");
    assert_eq!(change("status")["after"], "Seguimiento");
    assert_eq!(changes.len(), 3, "{changes:?}");

    let entries = app.case_audit(case_id).await;
    let read = entries
        .iter()
        .rev()
        .find(|entry| entry.action == "view_history")
        .expect("the history read is audited");
    assert!(read.detail.contains("person.surname"), "{}", read.detail);
    assert!(!read.detail.contains("Hernández"));

    // The case page shows the change as labels and values.
    let browser = app.logged_in(ADVOCATE).await;
    let page = app
        .page(&browser, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(
        page.contains("<del>Pérez</del> → <ins>Hernández</ins>"),
        "{page}"
    );
    assert!(page.contains("Seguimiento"));
}

/// The text of every page of a PDF.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).expect("a PDF that opens");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).expect("the text of the PDF")
}

#[tokio::test]
async fn the_case_file_pdf_holds_the_case_in_the_readers_language() {
    let (app, advocate, case_id) = spawn_app_with_case(ADVOCATE, "Begoña").await;
    screen(&app, &advocate, case_id).await;
    app.post(
        &advocate,
        &format!("/api/v1/cases/{case_id}/notes"),
        &json!({ "text": "Llamó desde Choluteca; pidió que no se le llame después de las seis." }),
    )
    .await;
    app.upload(&advocate, case_id, "carta.txt", "Carta".as_bytes())
        .await;
    let response = plain_client()
        .get(app.url(&format!("/api/v1/cases/{case_id}/export.pdf")))
        .bearer_auth(&advocate)
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // Kept for a person to look at (`pdftoppm` turns it into pictures).
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("puente-case-file-es.pdf"),
        &bytes,
    )
    .unwrap();
    // The font is embedded.
    assert!(
        bytes.windows(12).any(|window| window == b"/FontFile2 ")
            || bytes.windows(10).any(|window| window == b"/FontFile2")
    );
    let text = pdf_text(&bytes);
    for expected in [
        "Begoña Pérez",
        "Persona",
        "Evaluaciones",
        "Choluteca",
        "Remisiones",
        "carta.txt",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // In English on request.
    let english = plain_client()
        .get(app.url(&format!("/api/v1/cases/{case_id}/export.pdf")))
        .bearer_auth(&advocate)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf_text(&english).contains("Referrals"));

    // The role matrix: an analyst never, another organisation never sees it; audited.
    let analyst = app.token(ANALYST).await;
    let path = format!("/api/v1/cases/{case_id}/export.pdf");
    assert_eq!(
        app.get(&analyst, &path).await.status(),
        StatusCode::FORBIDDEN
    );
    let worker = app.token(CASE_WORKER).await;
    assert_eq!(
        app.get(&worker, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    let entries = app.case_audit(case_id).await;
    assert_eq!(
        entries
            .iter()
            .filter(|entry| entry.action == "export")
            .count(),
        2
    );
}

#[tokio::test]
async fn the_case_list_exports_as_xlsx_and_csv_with_formulas_neutralised() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let supervisor = app.token(SUPERVISOR).await;
    let case_id = app
        .create_case(&advocate, "=HYPERLINK(\"http://x\",\"y\")")
        .await;
    let other = app.create_case(&advocate, "Zoila").await;

    // Only a supervisor exports the list.
    for user in [ADVOCATE, ADMIN, ANALYST, CASE_WORKER] {
        let token = app.token(user).await;
        assert_eq!(
            app.get(&token, "/api/v1/cases/export.xlsx").await.status(),
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    let xlsx = plain_client()
        .get(app.url("/api/v1/cases/export.xlsx?q=hyperlink"))
        .bearer_auth(&supervisor)
        .header("accept-language", "es")
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX that opens");
    let sheet = workbook.worksheet_range("Casos").expect("the sheet Casos");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| row.iter().map(|cell| cell.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "Caso");
    assert_eq!(rows[0][1], "Nombre");
    assert_eq!(rows.len(), 2, "the filter keeps one case: {rows:?}");
    assert_eq!(rows[1][0], case_id.to_string());
    assert!(rows[1][1].starts_with("'=HYPERLINK"), "{rows:?}");
    assert_eq!(rows[1][5], "Guatemala");
    let formulas = workbook.worksheet_formula("Casos").unwrap();
    assert!(formulas
        .used_cells()
        .all(|(_, _, formula)| formula.is_empty()));

    let csv = plain_client()
        .get(app.url("/api/v1/cases/export.csv?sort=updated"))
        .bearer_auth(&supervisor)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let text = text.trim_start_matches('\u{feff}');
    assert!(text.starts_with("Case,Name,Status"), "{text}");
    assert!(text.contains(&format!("{other},Zoila Pérez")), "{text}");
    assert!(text.contains("\"'=HYPERLINK"), "{text}");
    assert!(!text.contains("\n=") && !text.contains(",="), "{text}");

    // A filter that cannot be read names the parameter.
    let response = app
        .get(&supervisor, "/api/v1/cases/export.csv?opened_from=ayer")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Every export is audited.
    let entries = app
        .store
        .audit_entries(&AuditQuery::default())
        .await
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|entry| entry.action == "export" && entry.detail.starts_with("case list"))
            .count(),
        2
    );
}

#[tokio::test]
async fn a_document_is_attached_from_the_case_page() {
    let (app, _, case_id) = spawn_app_with_case(ADVOCATE, "Rosa").await;
    let browser = app.logged_in(ADVOCATE).await;
    let page = app
        .page(&browser, &format!("/cases/{case_id}"), StatusCode::OK)
        .await;
    assert!(page.contains("type=\"file\""), "{page}");
    let csrf = csrf_token_of(&page);
    let (content_type, body) = multipart("recibo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    // Without the token in the address: refused.
    let refused = browser
        .post(app.url(&format!("/cases/{case_id}/attachments")))
        .header("content-type", content_type.clone())
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let response = browser
        .post(app.url(&format!("/cases/{case_id}/attachments?csrf_token={csrf}")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app
        .page(
            &browser,
            &format!("/cases/{case_id}?done=attached"),
            StatusCode::OK,
        )
        .await;
    assert!(page.contains("recibo.png"), "{page}");
    assert!(page.contains("Documento adjuntado") || page.contains("Document attached"));
}
