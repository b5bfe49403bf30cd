//! The OpenAPI 3.1 document of `/api/v1`, written by hand as JSON and checked by a test against
//! the router's table of routes ([`crate::routes::API_ROUTES`]): a route without documentation, or
//! documentation without a route, fails the build's tests.

use serde_json::{json, Value};

pub(crate) fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub(crate) fn json_response(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

pub(crate) fn json_body(schema: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}

pub(crate) fn id_parameter() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

pub(crate) fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The common error answers of an authenticated operation.
fn authenticated_errors(responses: &mut serde_json::Map<String, Value>) {
    responses.insert("401".into(), error_response("Not logged in"));
    responses.insert("403".into(), error_response("The role does not allow this"));
}

pub(crate) fn operation(summary: &str, responses: Value, extra: Value) -> Value {
    let mut operation = json!({ "summary": summary, "responses": responses });
    if let (Some(target), Some(extra)) = (operation.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            target.insert(key.clone(), value.clone());
        }
    }
    if let Some(responses) = operation["responses"].as_object_mut() {
        if summary != "Log in" && summary != "This document" {
            authenticated_errors(responses);
        }
    }
    operation
}

/// The paths of issue 5: the directory, referrals, notifications and statistics.
mod directory_and_referrals;

/// The document.
pub fn document() -> Value {
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Puente API",
            "version": "1",
            "description": "Case management and screening for counter-trafficking work. Authenticate with POST /api/v1/login, then send `Authorization: Bearer <token>`. A client that uses the session cookie instead must send the `csrf_token` from the login answer in an `X-CSRF-Token` header on every POST and PUT. Errors are `{\"error\": {\"code\", \"message\"}}`."
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "cookie": { "type": "apiKey", "in": "cookie", "name": "puente_session" }
            },
            "schemas": {
                "Error": {
                    "type": "object", "required": ["error"],
                    "properties": { "error": { "type": "object", "required": ["code", "message"],
                        "properties": { "code": { "type": "string", "examples": ["not_found", "stale_version", "too_many_attempts"] }, "message": { "type": "string" } } } }
                },
                "Id": { "type": "object", "required": ["id"], "properties": { "id": { "type": "integer" } } },
                "Person": {
                    "type": "object",
                    "properties": {
                        "given_name": { "type": "string" }, "middle_name": { "type": ["string", "null"] },
                        "surname": { "type": "string" }, "second_surname": { "type": ["string", "null"] },
                        "alias": { "type": ["string", "null"] },
                        "sex": { "type": ["string", "null"], "description": "HTCDS Gender: Female, Male, Transgender/NonConforming, Unknown (F and M accepted)" },
                        "date_of_birth": { "type": ["string", "null"], "description": "YYYY, YYYY-MM or YYYY-MM-DD" },
                        "estimated_age": { "type": ["integer", "null"] },
                        "nationality": { "type": ["string", "null"], "description": "ISO 3166-1 alpha-2" },
                        "languages": { "type": "array", "items": { "type": "string" } },
                        "phone": { "type": ["string", "null"], "description": "E.164" },
                        "current_country": { "type": ["string", "null"] },
                        "current_place": { "type": ["string", "null"] }
                    }
                },
                "Case": {
                    "type": "object",
                    "description": "A case (HTCDS cas_): person, status, victim context (vic_), perpetrators, events of the route (hte_), support plan, consents.",
                    "properties": {
                        "person": reference("Person"),
                        "status": { "type": "string", "enum": ["Active", "FollowUp", "Closed", "ClosedReferred"] },
                        "victim": { "type": "object" },
                        "perpetrators": { "type": "array", "items": { "type": "object" } },
                        "events": { "type": "array", "items": { "type": "object", "properties": {
                            "kind": { "type": "string", "enum": ["Recruitment", "Transit", "Exploitation"] },
                            "country": { "type": ["string", "null"] }, "place": { "type": ["string", "null"] },
                            "date": { "type": ["string", "null"] }, "description": { "type": ["string", "null"] } } } },
                        "support_plan": { "type": "array", "items": { "type": "object" } },
                        "consents": { "type": "array", "items": { "type": "object" } }
                    }
                },
                "StoredCase": {
                    "allOf": [reference("Case"), { "type": "object", "properties": {
                        "id": { "type": "integer" }, "organisation_id": { "type": "integer" }, "person_id": { "type": "integer" },
                        "owner_user_id": { "type": ["integer", "null"] }, "version": { "type": "integer" },
                        "opened_on": { "type": "string" }, "created_at": { "type": "string" }, "updated_at": { "type": "string" } } }]
                },
                "ScreeningInput": {
                    "type": "object",
                    "description": "shared/docs/screening.md: the person (all optional) and the fact codes.",
                    "properties": {
                        "person": { "type": "object", "properties": {
                            "age": { "type": "integer" }, "sex": { "type": "string", "enum": ["F", "M", "X"] },
                            "nationality": { "type": "string" }, "current_country": { "type": "string" }, "unaccompanied": { "type": "boolean" } } },
                        "facts": { "type": "array", "items": { "type": "string" }, "examples": [["act_recruited", "means_deception", "activity_labour"]] }
                    }
                },
                "ScreeningResult": {
                    "type": "object",
                    "required": ["level", "minor", "frameworks", "smuggling", "urgent", "next_steps", "explanation", "rule_set_version"],
                    "properties": {
                        "level": { "type": "string", "enum": ["strong_indicators", "some_indicators", "no_indicators"] },
                        "minor": { "type": ["boolean", "null"] },
                        "frameworks": { "type": "object" },
                        "smuggling": { "type": "object" },
                        "urgent": { "type": "array", "items": { "type": "string" } },
                        "next_steps": { "type": "array", "items": { "type": "string" } },
                        "explanation": { "type": "array", "items": { "type": "string" } },
                        "rule_set_version": { "type": "string" }
                    }
                },
                "AuditEntry": {
                    "type": "object", "required": ["id", "at", "actor", "action", "record_type"],
                    "properties": {
                        "id": { "type": "integer" }, "at": { "type": "string" }, "actor": { "type": "string", "description": "The user's email" },
                        "organisation_id": { "type": ["integer", "null"] }, "action": { "type": "string" },
                        "record_type": { "type": "string" }, "record_id": { "type": ["string", "null"] }, "detail": { "type": "string" },
                        "previous_hash": { "type": "string" }, "hash": { "type": "string" }
                    }
                },
                "User": {
                    "type": "object",
                    "properties": { "id": { "type": "integer" }, "email": { "type": "string" }, "display_name": { "type": "string" },
                        "role": { "type": "string", "enum": ["advocate", "case_worker", "supervisor", "org_admin", "analyst"] },
                        "organisation_id": { "type": "integer" }, "language": { "type": ["string", "null"] }, "second_factor": { "type": "boolean" } }
                }
            }
        },
        "security": [{ "bearer": [] }, { "cookie": [] }],
        "paths": {
            "/api/v1/login": {
                "post": operation("Log in", json!({
                    "200": json_response("A bearer token; the same session is set as an HttpOnly cookie", json!({
                        "type": "object", "required": ["token"],
                        "properties": { "token": { "type": "string" }, "csrf_token": { "type": "string" }, "expires_in": { "type": "integer" }, "user": reference("User") } })),
                    "401": error_response("Wrong email, password or second-factor code"),
                    "429": error_response("Too many failed logins for the account or from the address")
                }), json!({
                    "security": [],
                    "requestBody": json_body(json!({ "type": "object", "required": ["email", "password"],
                        "properties": { "email": { "type": "string" }, "password": { "type": "string" }, "totp": { "type": "string", "description": "The authenticator app's code, for accounts with a second factor" } } }))
                }))
            },
            "/api/v1/logout": { "post": operation("Log out", json!({ "204": { "description": "The session is ended" } }), json!({})) },
            "/api/v1/me": { "get": operation("The logged-in user", json!({ "200": json_response("The user and organisation", reference("User")) }), json!({})) },
            "/api/v1/cases": {
                "get": operation("The cases in the user's scope", json!({ "200": json_response("Case summaries, newest first", json!({ "type": "array", "items": { "type": "object" } })) }), json!({})),
                "post": operation("Open a case", json!({
                    "201": json_response("The new case's id", reference("Id")),
                    "422": error_response("A field is not valid")
                }), json!({ "requestBody": json_body(json!({ "type": "object", "required": ["person"], "properties": {
                    "person": reference("Person"), "status": { "type": "string" }, "victim": { "type": "object" }, "events": { "type": "array" } } })) }))
            },
            "/api/v1/cases/{id}": {
                "get": operation("A case (audited as a view of identifying data)", json!({
                    "200": json_response("The case", reference("StoredCase")),
                    "404": error_response("No such case visible to the user")
                }), json!({ "parameters": [id_parameter()] })),
                "put": operation("Replace a case, with the version it was read at", json!({
                    "200": json_response("The new version", json!({ "type": "object", "properties": { "id": { "type": "integer" }, "version": { "type": "integer" } } })),
                    "404": error_response("No such case visible to the user"),
                    "409": error_response("Someone else saved the case since that version"),
                    "422": error_response("A field is not valid")
                }), json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "allOf": [reference("Case"), { "type": "object", "required": ["version"], "properties": { "version": { "type": "integer" } } }] })) }))
            },
            "/api/v1/account-notices": {
                "get": operation("Notices of accounts given a privileged role (supervisor, org admin), newest first (supervisors and org admins)", json!({ "200": json_response("Notices, each with its sentence in the request's language", json!({ "type": "array", "items": { "type": "object" } })), "403": error_response("The role does not read the organisation's audit") }), json!({}))
            },
            "/api/v1/cases/{id}/screenings/{screening_id}": {
                "get": operation("One stored screening of a case (the Location of a new screening)", json!({ "200": json_response("The stored screening with input, result and rule-set version", json!({ "type": "object" })), "404": error_response("No such case or screening visible to the user") }),
                    json!({ "parameters": [id_parameter(), { "name": "screening_id", "in": "path", "required": true, "schema": { "type": "integer" } }] }))
            },
            "/api/v1/cases/{id}/notes": {
                "get": operation("A case's notes", json!({ "200": json_response("Notes, oldest first", json!({ "type": "array", "items": { "type": "object" } })), "404": error_response("No such case visible to the user") }), json!({ "parameters": [id_parameter()] })),
                "post": operation("Add a note", json!({ "201": json_response("The note's id", reference("Id")), "404": error_response("No such case visible to the user") }),
                    json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "required": ["text"], "properties": { "text": { "type": "string" } } })) }))
            },
            "/api/v1/cases/{id}/screenings": {
                "get": operation("A case's screenings over time", json!({ "200": json_response("Stored screenings with input, result and rule-set version", json!({ "type": "array", "items": { "type": "object" } })), "404": error_response("No such case visible to the user") }), json!({ "parameters": [id_parameter()] })),
                "post": operation("Screen the case's person and store the result", json!({
                    "201": json_response("The result of shared/docs/screening.md, in the Accept-Language (es or en)", reference("ScreeningResult")),
                    "404": error_response("No such case visible to the user"),
                    "422": error_response("An unknown fact code or a bad person field, named in the message")
                }), json!({ "parameters": [id_parameter()], "requestBody": json_body(reference("ScreeningInput")) }))
            },
            "/api/v1/cases/{id}/history": {
                "get": operation("Every saved version of a case", json!({ "200": json_response("Versions, oldest first", json!({ "type": "array", "items": { "type": "object" } })), "404": error_response("No such case visible to the user") }), json!({ "parameters": [id_parameter()] }))
            },
            "/api/v1/cases/{id}/owner": {
                "put": operation("Give a case to a user of the organisation, or to no one (supervisors)", json!({
                    "200": json_response("The case's id and owner", json!({ "type": "object", "properties": { "id": { "type": "integer" }, "owner_user_id": { "type": ["integer", "null"] } } })),
                    "404": error_response("No such case visible to the user"),
                    "422": error_response("The user cannot own cases of this organisation")
                }), json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "required": ["owner_user_id"], "properties": { "owner_user_id": { "type": ["integer", "null"] } } })) }))
            },
            "/api/v1/audit": {
                "get": operation("Audit entries (supervisors and organisation admins)", json!({
                    "200": json_response("Entries, oldest first", json!({ "type": "array", "items": reference("AuditEntry") })),
                    "404": error_response("No such case visible to the user")
                }), json!({ "parameters": [
                    { "name": "case_id", "in": "query", "required": false, "schema": { "type": "integer" }, "description": "Only the entries about this case" },
                    { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer" } }
                ] }))
            },
            "/api/v1/users": {
                "get": operation("The organisation's users (org admins)", json!({ "200": json_response("Users", json!({ "type": "array", "items": reference("User") })) }), json!({})),
                "post": operation("Create a user (org admins)", json!({
                    "201": json_response("The user's id", reference("Id")),
                    "409": error_response("The email is taken"),
                    "422": error_response("A field is not valid (the password needs 12 characters)")
                }), json!({ "requestBody": json_body(json!({ "type": "object", "required": ["email", "display_name", "role", "password"], "properties": {
                    "email": { "type": "string" }, "display_name": { "type": "string" }, "role": { "type": "string" }, "password": { "type": "string" } } })) }))
            },
            "/api/v1/users/{id}": {
                "put": operation("Give a user of the organisation another role (org admins; not oneself)", json!({
                    "200": json_response("The user's id and role", json!({ "type": "object", "properties": { "id": { "type": "integer" }, "role": { "type": "string" } } })),
                    "404": error_response("No such user in the organisation"),
                    "422": error_response("An unknown role, or one's own role")
                }), json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "required": ["role"], "properties": { "role": { "type": "string", "enum": ["advocate", "case_worker", "supervisor", "org_admin", "analyst"] } } })) }))
            },
            "/api/v1/openapi.json": {
                "get": operation("This document", json!({ "200": { "description": "The OpenAPI document" } }), json!({ "security": [] }))
            }
        }
    });
    directory_and_referrals::add_paths(&mut document);
    document
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::API_ROUTES;
    use std::collections::BTreeSet;

    #[test]
    fn every_route_is_documented_and_every_documented_route_exists() {
        let document = document();
        let mut documented = BTreeSet::new();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for method in operations.as_object().unwrap().keys() {
                documented.insert((method.clone(), path.clone()));
            }
        }
        let routed: BTreeSet<(String, String)> = API_ROUTES
            .iter()
            .map(|(method, path)| (method.to_string(), path.to_string()))
            .collect();
        assert_eq!(documented, routed);
    }

    #[test]
    fn every_reference_resolves_and_every_operation_answers_errors_as_documented() {
        let document = document();
        let text = document.to_string();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap();
            assert!(schemas.contains_key(name), "unresolved reference {name}");
        }
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                assert!(operation["summary"].is_string(), "{method} {path}");
                assert!(
                    !operation["responses"].as_object().unwrap().is_empty(),
                    "{method} {path}"
                );
            }
        }
    }
}
