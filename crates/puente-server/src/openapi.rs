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
    json!({ "name": "id", "in": "path", "required": true, "schema": id_schema() })
}

/// A code of one of the core's vocabularies.
fn vocabulary_schema<V: puente_core::Vocabulary + 'static>() -> Value {
    let codes: Vec<&str> = V::all().iter().map(|value| value.code()).collect();
    json!({ "type": "string", "enum": codes })
}

/// An ISO 3166-1 alpha-2 country code Puente knows.
pub(crate) fn country_schema(nullable: bool) -> Value {
    let mut codes: Vec<Value> = puente_core::Country::all()
        .map(|country| json!(country.alpha_2()))
        .collect();
    if nullable {
        codes.push(Value::Null);
    }
    let kind = if nullable {
        json!(["string", "null"])
    } else {
        json!("string")
    };
    json!({ "type": kind, "enum": codes, "description": "ISO 3166-1 alpha-2" })
}

/// A name or short text: at most the core's bound of characters.
fn name_schema(nullable: bool) -> Value {
    let kind = if nullable {
        json!(["string", "null"])
    } else {
        json!("string")
    };
    json!({ "type": kind, "maxLength": puente_core::bounds::MAX_NAME_CHARS })
}

/// An id: a whole number of 64 bits (a larger one is answered 400).
fn id_schema() -> Value {
    json!({ "type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX })
}

/// The error answers every operation can give besides its own, added to each: a parameter of the
/// address that does not parse (400) when it has parameters; a body that is not JSON (400), too
/// large (413), not of type JSON (415) or of the wrong shape or out of bounds (422) when it takes
/// one; a record not found (404) when its address names one; a request that took too long (408).
fn complete_error_answers(document: &mut Value) {
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    for (path, operations) in paths.iter_mut() {
        let Some(operations) = operations.as_object_mut() else {
            continue;
        };
        for operation in operations.values_mut() {
            let has_parameters = operation
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|parameters| !parameters.is_empty());
            let has_body = operation.get("requestBody").is_some();
            // (`get_mut`, not indexing: indexing a missing key would add it as null.)
            if let Some(parameters) = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
            {
                for parameter in parameters {
                    let is_id = parameter["in"] == "path"
                        || parameter["name"]
                            .as_str()
                            .is_some_and(|name| name.ends_with("_id"));
                    if is_id && parameter["schema"]["type"] == "integer" {
                        parameter["schema"] = id_schema();
                    }
                }
            }
            let Some(responses) = operation["responses"].as_object_mut() else {
                continue;
            };
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(description));
            };
            add("408", "The request took too long");
            if has_parameters {
                add(
                    "400",
                    "A parameter of the address does not parse (the error names it in `field`)",
                );
            }
            if path.contains('{') {
                add("404", "No such record visible to the user");
            }
            if has_body {
                add("400", "The body is not JSON");
                add("413", "The body is too large");
                add("415", "The body is not of type application/json");
                add("422", "A field of the body is of the wrong type or out of its bounds (named in `field`)");
            }
        }
    }
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

/// The paths of the directory, referrals, notifications and statistics.
mod directory_and_referrals;
/// The paths of a case's documents, voided screenings and exports.
mod records;

/// The document.
pub fn document() -> Value {
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Puente API",
            "version": "1",
            "description": "Case management and screening for counter-trafficking work. Authenticate with POST /api/v1/login, then send `Authorization: Bearer <token>`. A client that uses the session cookie instead must send the `csrf_token` from the login answer in an `X-CSRF-Token` header on every POST and PUT. Errors are `{\"error\": {\"code\", \"message\", \"field\"}}`."
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
                        "properties": { "code": { "type": "string", "examples": ["not_found", "stale_version", "too_many_attempts", "invalid_parameter"] }, "message": { "type": "string", "description": "In the request's language (Accept-Language, es or en)" },
                            "field": { "type": ["string", "null"], "description": "The parameter or body field the error is about (`person.estimated_age`), when there is one" } } } }
                },
                "Id": { "type": "object", "required": ["id"], "properties": { "id": { "type": "integer" } } },
                "Person": {
                    "type": "object",
                    "description": "A person needs a given name or an alias.",
                    "anyOf": [
                        { "required": ["given_name"], "properties": { "given_name": { "type": "string", "pattern": "\\S" } } },
                        { "required": ["alias"], "properties": { "alias": { "type": "string", "pattern": "\\S" } } }
                    ],
                    "properties": {
                        "given_name": name_schema(false), "middle_name": name_schema(true),
                        "surname": name_schema(false), "second_surname": name_schema(true),
                        "alias": name_schema(true),
                        "sex": { "type": ["string", "null"], "enum": ["Female", "Male", "Transgender/NonConforming", "Unknown", "F", "M", null], "description": "HTCDS Gender (F and M accepted)" },
                        "date_of_birth": { "type": ["string", "null"], "pattern": "^(19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$", "description": "YYYY, YYYY-MM or YYYY-MM-DD, from 1900 to today" },
                        "estimated_age": { "type": ["integer", "null"], "minimum": 0, "maximum": puente_core::bounds::MAX_AGE_YEARS },
                        "nationality": country_schema(true),
                        "languages": { "type": "array", "maxItems": puente_core::bounds::MAX_CODES, "items": { "type": "string", "maxLength": puente_core::bounds::MAX_LANGUAGE_CHARS } },
                        "phone": { "type": ["string", "null"], "description": "E.164" },
                        "current_country": country_schema(true),
                        "current_place": name_schema(true)
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
                        "events": { "type": "array", "maxItems": puente_core::bounds::MAX_LIST_ENTRIES, "items": { "type": "object", "required": ["kind"], "properties": {
                            "kind": { "type": "string", "enum": ["Recruitment", "Transit", "Exploitation"] },
                            "country": country_schema(true), "place": name_schema(true),
                            "date": { "type": ["string", "null"] }, "description": { "type": ["string", "null"], "maxLength": puente_core::bounds::MAX_FREE_TEXT_CHARS } } } },
                        "support_plan": { "type": "array", "items": { "type": "object", "required": ["kind", "status"] } },
                        "consents": { "type": "array", "maxItems": puente_core::bounds::MAX_LIST_ENTRIES, "items": { "type": "object", "required": ["scopes", "given_on"], "properties": {
                            "scopes": { "type": "array", "items": vocabulary_schema::<puente_core::htcds::ConsentScope>() },
                            "with_organisation": name_schema(true),
                            "given_on": { "type": "string", "pattern": "^(19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$", "description": "YYYY, YYYY-MM or YYYY-MM-DD, not in the future" },
                            "recorded_by": { "type": "string", "description": "Ignored: a consent is recorded by the user who adds it" },
                            "withdrawn_on": { "type": ["string", "null"] } } } }
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
                    "additionalProperties": false,
                    "description": "shared/docs/screening.md: the person (all optional) and the fact codes.",
                    "properties": {
                        "person": { "type": "object", "additionalProperties": false, "properties": {
                            "age": { "type": "integer", "minimum": 0, "maximum": puente_core::bounds::MAX_AGE_YEARS }, "sex": { "type": "string", "enum": ["F", "M", "X"] },
                            "nationality": country_schema(false), "current_country": country_schema(false), "unaccompanied": { "type": "boolean" } } },
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
                        "next_step_needs": { "type": "array", "items": { "type": ["string", "null"] }, "description": "One per next step: the support need it asks for (null for none)" },
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
                    "422": error_response("A field is not valid, or the body carries consents (named in `field`): they have their own endpoints")
                }), json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "allOf": [reference("Case"), { "type": "object", "required": ["version"], "properties": { "version": { "type": "integer" } } }] })) }))
            },
            "/api/v1/cases/{id}/consents": {
                "get": operation("The case's consents, each with its id, oldest first", json!({ "200": json_response("Consents as recorded, with when they were given and withdrawn", json!({ "type": "array", "items": { "type": "object" } })), "404": error_response("No such case visible to the user") }), json!({ "parameters": [id_parameter()] })),
                "post": operation("Record a consent: what may be shared, with which organisation, given when", json!({
                    "201": json_response("The consent's id", reference("Id")),
                    "404": error_response("No such case visible to the user"),
                    "422": error_response("No scopes, an unknown scope or organisation, or a date still to come")
                }), json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "required": ["scopes", "given_on"], "properties": {
                    "with_organisation": { "type": ["string", "null"], "description": "The organisation's slug; absent for consent to the recording organisation" },
                    "scopes": { "type": "array", "items": { "type": "string" } },
                    "given_on": { "type": "string", "description": "YYYY, YYYY-MM or YYYY-MM-DD" } } })) }))
            },
            "/api/v1/cases/{id}/consents/{consent_id}/withdraw": {
                "post": operation("Withdraw a consent today; ends the referrals that shared under it and tells their receivers", json!({
                    "200": json_response("The withdrawn consent and the ids of the referrals it ended", json!({ "type": "object" })),
                    "404": error_response("No such consent of a case visible to the user"),
                    "409": error_response("The consent was withdrawn already")
                }), json!({ "parameters": [id_parameter(), { "name": "consent_id", "in": "path", "required": true, "schema": { "type": "integer" } }] }))
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
                    json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "required": ["text"], "properties": { "text": { "type": "string", "pattern": "\\S", "maxLength": puente_core::bounds::MAX_FREE_TEXT_CHARS } } })) }))
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
                "get": operation("Every saved version of a case, oldest first, with what changed (reading identifying values is audited)", json!({ "200": json_response("Versions, oldest first: version, changed_by, changed_at, snapshot and changes (FieldChange, in the request's language)", json!({ "type": "array", "items": { "type": "object", "properties": { "changes": { "type": "array", "items": reference("FieldChange") } } } })), "404": error_response("No such case visible to the user") }), json!({ "parameters": [id_parameter()] }))
            },
            "/api/v1/cases/{id}/owner": {
                "put": operation("Give a case to a user of the organisation, or to no one (supervisors)", json!({
                    "200": json_response("The case's id and owner", json!({ "type": "object", "properties": { "id": { "type": "integer" }, "owner_user_id": { "type": ["integer", "null"] } } })),
                    "404": error_response("No such case visible to the user"),
                    "422": error_response("The user cannot own cases of this organisation")
                }), json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "properties": { "owner_user_id": { "type": ["integer", "null"], "format": "int64", "description": "The new owner; null or absent: no one" } } })) }))
            },
            "/api/v1/audit": {
                "get": operation("Audit entries (supervisors and organisation admins)", json!({
                    "200": json_response("Entries, oldest first", json!({ "type": "array", "items": reference("AuditEntry") })),
                    "404": error_response("No such case visible to the user")
                }), json!({ "parameters": [
                    { "name": "case_id", "in": "query", "required": false, "schema": { "type": "integer" }, "description": "Only the entries about this case" },
                    { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 0, "maximum": u32::MAX } }
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
    records::add_paths(&mut document);
    complete_error_answers(&mut document);
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
    fn every_operation_lists_the_error_answers_the_server_can_give() {
        let document = document();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                let responses = operation["responses"].as_object().unwrap();
                let has = |status: &str| responses.contains_key(status);
                assert!(has("408"), "{method} {path}");
                if path.contains('{') {
                    assert!(has("400") && has("404"), "{method} {path}");
                }
                if operation.get("requestBody").is_some() {
                    for status in ["400", "413", "415", "422"] {
                        assert!(has(status), "{method} {path}: {status}");
                    }
                }
                for parameter in operation
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if parameter["in"] == "path" && parameter["schema"]["type"] == "integer" {
                        assert_eq!(parameter["schema"]["maximum"], json!(i64::MAX), "{path}");
                    }
                }
                assert!(operation.get("parameters") != Some(&Value::Null), "{path}");
            }
        }
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
