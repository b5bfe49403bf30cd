//! The OpenAPI paths of a case's records: attached documents, voided screenings, the history of
//! changes and the exports.

use serde_json::{json, Value};

use super::{error_response, id_parameter, json_body, json_response, operation, reference};

fn path_id(name: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "integer" } })
}

/// The case list's filters, shared with `GET /api/v1/cases`.
fn list_filters() -> Value {
    let text = |name: &str, description: &str| json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" }, "description": description });
    json!([
        text("q", "Words of the person's name (accents and case ignored) or the case number"),
        text("status", "A case status code (Active, FollowUp, Closed, ClosedReferred)"),
        { "name": "assignee", "in": "query", "required": false, "schema": { "type": "integer" }, "description": "The owner's user id" },
        text("nationality", "An ISO 3166-1 country code"),
        { "name": "opened_from", "in": "query", "required": false, "schema": { "type": "string", "format": "date" } },
        { "name": "opened_to", "in": "query", "required": false, "schema": { "type": "string", "format": "date" } },
        { "name": "sort", "in": "query", "required": false, "schema": { "type": "string", "enum": ["updated", "opened", "-opened", "name"] } }
    ])
}

fn file_answer(description: &str, media_type: &str) -> Value {
    json!({ "description": description, "content": { media_type: { "schema": { "type": "string", "format": "binary" } } } })
}

/// Adds the schemas and paths to the document.
pub fn add_paths(document: &mut Value) {
    let schemas = json!({
        "Attachment": { "type": "object", "properties": {
            "id": { "type": "integer" }, "case_id": { "type": "integer" }, "organisation_id": { "type": "integer" },
            "file_name": { "type": "string" },
            "content_type": { "type": "string", "description": "The kind read from the bytes: application/pdf, image/jpeg, image/png, text/plain, or the DOCX type" },
            "size_bytes": { "type": "integer" }, "sha256": { "type": "string" },
            "uploaded_by": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" }
        } },
        "FieldChange": { "type": "object", "properties": {
            "field": { "type": "string", "description": "The field's stable path, such as person.surname" },
            "label": { "type": "string", "description": "The field's label in the request's language" },
            "before": { "type": ["string", "null"] }, "after": { "type": ["string", "null"] },
            "identifying": { "type": "boolean", "description": "Its values identify the person (reading them is audited)" }
        } }
    });
    let paths = json!({
        "/api/v1/cases/{id}/attachments": {
            "get": operation("A case's attached documents", json!({
                "200": json_response("What each document is, who attached it and when", json!({ "type": "object", "properties": { "attachments": { "type": "array", "items": reference("Attachment") } } })),
                "404": error_response("No such case visible to the user")
            }), json!({ "parameters": [id_parameter()] })),
            "post": operation("Attach a document (multipart, in the field `file`): PDF, JPEG, PNG, plain text or DOCX, checked by its bytes; kept encrypted outside the database", json!({
                "201": json_response("The document's id", reference("Id")),
                "404": error_response("No such case visible to the user"),
                "413": error_response("The document is larger than the limit (25 MB unless configured); nothing is stored"),
                "415": error_response("The document is not of an accepted kind; nothing is stored"),
                "422": error_response("No field `file` in the body")
            }), json!({ "parameters": [id_parameter()], "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                "type": "object", "required": ["file"], "properties": { "file": { "type": "string", "format": "binary" } } } } } } }))
        },
        "/api/v1/cases/{id}/attachments/{attachment_id}": {
            "get": operation("Download a document (audited as a read of identifying data)", json!({
                "200": file_answer("The document, as attached", "application/octet-stream"),
                "404": error_response("No such document of a case visible to the user")
            }), json!({ "parameters": [id_parameter(), path_id("attachment_id")] }))
        },
        "/api/v1/referrals/{id}/attachments/{attachment_id}": {
            "get": operation("Download a document of a referred case (the receiving organisation, when the referral shares `documents` under an active consent)", json!({
                "200": file_answer("The document, as attached", "application/octet-stream"),
                "404": error_response("No such referral, or the document is not shared by it")
            }), json!({ "parameters": [id_parameter(), path_id("attachment_id")] }))
        },
        "/api/v1/cases/{id}/screenings/{screening_id}/void": {
            "post": operation("Void a screening with a reason: kept and shown as void, never shared or counted (audited)", json!({
                "200": json_response("The screening, now void", json!({ "type": "object" })),
                "404": error_response("No such screening of a case visible to the user"),
                "409": error_response("The screening was voided already"),
                "422": error_response("No reason given")
            }), json!({ "parameters": [id_parameter(), path_id("screening_id")], "requestBody": json_body(json!({ "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string", "pattern": "\\S" } } })) }))
        },
        "/api/v1/cases/{id}/export.pdf": {
            "get": operation("The case file as PDF in the request's language: person, route, screenings with their explanation, consents, referrals, notes, documents (audited)", json!({
                "200": file_answer("The case file", "application/pdf"),
                "404": error_response("No such case visible to the user")
            }), json!({ "parameters": [id_parameter()] }))
        },
        "/api/v1/cases/export.xlsx": {
            "get": operation("The case list as XLSX, with the list's filters, labels in the request's language, formulas neutralised (supervisors; audited)", json!({
                "200": file_answer("The workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            }), json!({ "parameters": list_filters() }))
        },
        "/api/v1/cases/export.csv": {
            "get": operation("The case list as CSV (UTF-8 with a byte-order mark), with the list's filters, labels in the request's language, formulas neutralised (supervisors; audited)", json!({
                "200": file_answer("The table", "text/csv")
            }), json!({ "parameters": list_filters() }))
        }
    });
    if let (Some(target), Some(source)) = (
        document["components"]["schemas"].as_object_mut(),
        schemas.as_object(),
    ) {
        for (name, schema) in source {
            target.insert(name.clone(), schema.clone());
        }
    }
    if let (Some(target), Some(source)) = (document["paths"].as_object_mut(), paths.as_object()) {
        for (path, operations) in source {
            target.insert(path.clone(), operations.clone());
        }
    }
}
