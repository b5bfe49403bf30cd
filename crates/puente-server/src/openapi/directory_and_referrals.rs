//! The OpenAPI paths of the service directory, referrals, notifications and statistics,
//! and of likely duplicate persons.

use serde_json::{json, Value};

use super::{error_response, id_parameter, json_body, json_response, operation, reference};

fn query_parameter(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" }, "description": description })
}

/// One dimension, or two separated by a comma, of the case dimensions and the CTDC ones.
fn by_pattern(dimensions: &[&str]) -> String {
    let mut names: Vec<&str> = dimensions.to_vec();
    names.extend([
        "gender",
        "age_group",
        "nationality",
        "country_of_exploitation",
        "year",
    ]);
    names.sort_unstable();
    names.dedup();
    let one = format!("({})", names.join("|"));
    format!("^{one}(,{one})?$")
}

fn stats_parameters() -> Value {
    let dimensions: Vec<&str> = puente_store::StatsDimension::ALL
        .iter()
        .map(|dimension| dimension.code())
        .collect();
    json!({ "parameters": [
        { "name": "by", "in": "query", "required": true, "schema": { "type": "string", "pattern": by_pattern(&dimensions) },
          "description": format!("One dimension, or two separated by a comma, of: {}. With source=ctdc: gender, age_group, nationality, country_of_exploitation, year.", dimensions.join(", ")) },
        { "name": "source", "in": "query", "required": false, "schema": { "type": "string", "enum": ["cases", "ctdc"] } },
        { "name": "labels", "in": "query", "required": false, "schema": { "type": "string", "enum": ["es", "en"] },
          "description": "For the CSV: the values and columns by their labels in this language, for people; without it, the codes." }
    ] })
}

fn referral_answer(summary: &str) -> Value {
    operation(
        summary,
        json!({
            "200": json_response("The referral after the change", reference("Referral")),
            "404": error_response("No such referral of the user's organisation"),
            "409": error_response("The wrong side or the wrong status for this change")
        }),
        json!({ "parameters": [id_parameter()] }),
    )
}

/// Adds the schemas and paths to the document.
pub fn add_paths(document: &mut Value) {
    let schemas = json!({
        "ServiceMatch": { "type": "object", "properties": {
            "id": { "type": "integer" }, "organisation_id": { "type": "integer" },
            "organisation": { "type": ["string", "null"], "description": "The organisation's slug" },
            "score": { "type": "integer" },
            "reasons": { "type": "array", "items": { "type": "object", "properties": {
                "code": { "type": "string" }, "favourable": { "type": "boolean" }, "es": { "type": "string" }, "en": { "type": "string" } } } },
            "why": { "type": "array", "items": { "type": "string" }, "description": "The reasons in the request's language (Accept-Language)" },
            "service": { "type": "object" } } },
        "Referral": { "type": "object", "description": "A referral (no survivor data), with its HTCDS referral fields.", "properties": {
            "id": { "type": "integer" }, "case_id": { "type": "integer" },
            "from_organisation_id": { "type": "integer" }, "to_organisation_id": { "type": "integer" },
            "services": { "type": "array", "items": { "type": "integer" } },
            "share": { "type": "array", "items": { "type": "string" } },
            "status": { "type": "string", "enum": ["pending", "accepted", "rejected", "completed", "revoked", "consent_withdrawn"] },
            "htcds": { "type": "object" } } },
        "SharedCase": { "type": "object", "description": "Exactly the shared parts of a referred case that an active consent covers; an unshared part is absent.", "properties": {
            "referral": reference("Referral"), "shared": { "type": "array", "items": { "type": "string" } },
            "identity": { "type": "object" }, "contact": { "type": "object" },
            "screenings": { "type": "array", "items": { "type": "object" } },
            "events": { "type": "array", "items": { "type": "object" } },
            "notes": { "type": "array", "items": { "type": "object" } } } },
        "Notification": { "type": "object", "properties": {
            "id": { "type": "integer" }, "kind": { "type": "string" }, "referral_id": { "type": "integer" },
            "message": { "type": "string" }, "created_at": { "type": "string" }, "read_at": { "type": ["string", "null"] } } },
        "LikelyDuplicate": { "type": "object", "properties": {
            "person_id": { "type": "integer" }, "case_ids": { "type": "array", "items": { "type": "integer" } },
            "name": { "type": ["string", "null"], "description": "Only when the user may open one of its cases" },
            "probability": { "type": "number" },
            "explanation": { "type": "array", "items": { "type": "object", "properties": {
                "field": { "type": "string" }, "level": { "type": "string" }, "weight": { "type": "number" } } } } } },
        "Stats": { "type": "object", "properties": {
            "by": { "type": "array", "items": { "type": "string" } },
            "rows": { "type": "array", "items": { "type": "object", "properties": {
                "count": { "type": ["integer", "null"] }, "suppressed": { "type": "boolean" } } } },
            "total": { "type": ["integer", "null"] } } }
    });
    let paths = json!({
        "/api/v1/services": {
            "get": operation("Search the service directory: matching services, best first, with why each matches", json!({
                "200": json_response("Matches", json!({ "type": "array", "items": reference("ServiceMatch") })),
                "422": error_response("A parameter that cannot be read, or an unknown one")
            }), json!({ "parameters": [
                query_parameter("need", "shelter, medical, psychological, legal, immigration, return, livelihood, education"),
                { "name": "country", "in": "query", "required": false, "schema": crate::openapi::country_schema(false) },
                query_parameter("place", "A town or department"),
                { "name": "age", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 0, "maximum": puente_core::bounds::MAX_AGE_YEARS } },
                { "name": "sex", "in": "query", "required": false, "schema": { "type": "string", "enum": ["F", "M", "X"] } },
                query_parameter("language", "ISO 639-1, comma-separated"),
                { "name": "rural", "in": "query", "required": false, "schema": { "type": "boolean" } }
            ] }))
        },
        "/api/v1/orgs": {
            "get": operation("Every organisation", json!({
                "200": json_response("Organisations", json!({ "type": "array", "items": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "slug": { "type": "string" }, "name": { "type": "string" },
                    "kind": { "type": "string" }, "country": { "type": ["string", "null"] } } } }))
            }), json!({}))
        },
        "/api/v1/cases/{id}/referrals": {
            "get": operation("The referrals of one of the organisation's cases", json!({
                "200": json_response("Referrals, oldest first", json!({ "type": "array", "items": reference("Referral") })),
                "404": error_response("No such case visible to the user")
            }), json!({ "parameters": [id_parameter()] })),
            "post": operation("Refer the case to another organisation, sharing what the person consents to", json!({
                "201": json_response("The referral's id and status", reference("Id")),
                "404": error_response("No such case visible to the user"),
                "409": error_response("No consent covers what is shared, or an open referral to the organisation exists"),
                "422": error_response("A part that cannot be shared, an unknown organisation or service")
            }), json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "required": ["to_org", "share"], "properties": {
                "to_org": { "type": ["integer", "string"], "description": "The receiving organisation's id or slug" },
                "services": { "type": "array", "items": { "type": ["integer", "string"] }, "description": "Services of the receiving organisation, by id or slug" },
                "share": { "type": "array", "minItems": 1, "uniqueItems": true, "items": { "type": "string", "enum": ["identity", "contact", "screening", "events", "notes"] } },
                "consent": { "type": "boolean", "description": "The person consents now to sharing these parts with the organisation (recorded on the case)" },
                "reason": { "type": "string", "enum": ["AdditionalServicesRequired", "MigrationOrChangeOfLocation", "Other"] } } })) }))
        },
        "/api/v1/referrals": {
            "get": operation("The organisation's referrals, received and sent", json!({
                "200": json_response("Referrals", json!({ "type": "object", "properties": {
                    "received": { "type": "array", "items": reference("Referral") },
                    "sent": { "type": "array", "items": reference("Referral") } } }))
            }), json!({}))
        },
        "/api/v1/referrals/{id}": {
            "get": operation("A referral, from either side", json!({
                "200": json_response("The referral", reference("Referral")),
                "404": error_response("No such referral of the user's organisation")
            }), json!({ "parameters": [id_parameter()] }))
        },
        "/api/v1/referrals/{id}/case": {
            "get": operation("The shared parts of a referred case (the receiving organisation; audited on both sides)", json!({
                "200": json_response("The shared case", reference("SharedCase")),
                "404": error_response("No such referral to the user's organisation"),
                "409": error_response("The referral was rejected or revoked, or the consent withdrawn")
            }), json!({ "parameters": [id_parameter()] }))
        },
        "/api/v1/referrals/{id}/accept": { "post": referral_answer("Accept a pending referral (the receiver); with {\"open_case\": true} also open a case of the receiving organisation from the shared parts only, linked to the referral: the answer then carries its case_id") },
        "/api/v1/referrals/{id}/reject": { "post": referral_answer("Reject a pending referral, with an optional {\"note\"} (the receiver)") },
        "/api/v1/referrals/{id}/complete": { "post": referral_answer("Record that an accepted referral's services were delivered (the receiver)") },
        "/api/v1/referrals/{id}/revoke": { "post": referral_answer("Revoke a pending or accepted referral, ending the receiver's access (the sender)") },
        "/api/v1/notifications": {
            "get": operation("The organisation's notifications, newest first", json!({
                "200": json_response("Notifications", json!({ "type": "array", "items": reference("Notification") }))
            }), json!({ "parameters": [{ "name": "unread", "in": "query", "required": false, "schema": { "type": "boolean" } }] }))
        },
        "/api/v1/notifications/{id}/read": {
            "post": operation("Mark a notification read", json!({
                "204": { "description": "Marked" },
                "404": error_response("No such notification of the organisation")
            }), json!({ "parameters": [id_parameter()] }))
        },
        "/api/v1/notifications/read": {
            "post": operation("Mark every notification read", json!({
                "200": json_response("How many were unread", json!({ "type": "object", "properties": { "marked": { "type": "integer" } } }))
            }), json!({}))
        },
        "/api/v1/stats": {
            "get": operation("De-identified counts of the organisation's cases (or the imported CTDC dataset); every count under 3 suppressed, and none derivable from the totals", json!({
                "200": json_response("Rows by the dimensions", reference("Stats")),
                "422": error_response("An unknown dimension")
            }), stats_parameters())
        },
        "/api/v1/persons/duplicates": {
            "post": operation("The organisation's likely duplicates of a person being entered (never another organisation's), with the match explained per field", json!({
                "200": json_response("Likely duplicates, most likely first", json!({ "type": "object", "properties": {
                    "duplicates": { "type": "array", "items": reference("LikelyDuplicate") } } })),
                "404": error_response("No such case visible to the user (case_id)"),
                "422": error_response("A person field is not valid")
            }), json!({ "requestBody": json_body(json!({ "type": "object", "required": ["person"], "properties": {
                "person": reference("Person"),
                "case_id": { "type": "integer", "description": "The case being edited: its own person is left out" } } })) }))
        },
        "/api/v1/persons/merge": {
            "post": operation("Merge a person record into another (supervisors): the merged record is kept with merged_into set, its cases move, with history", json!({
                "200": json_response("What moved", json!({ "type": "object", "properties": {
                    "kept_person_id": { "type": "integer" }, "merged_person_id": { "type": "integer" },
                    "moved_cases": { "type": "array", "items": { "type": "integer" } } } })),
                "404": error_response("No such person in the organisation"),
                "409": error_response("A record was already merged")
            }), json!({ "requestBody": json_body(json!({ "type": "object", "required": ["merged_person_id", "kept_person_id"], "properties": {
                "merged_person_id": { "type": "integer" }, "kept_person_id": { "type": "integer" } } })) }))
        },
        "/api/v1/persons/distinct": {
            "post": operation("Mark two person records as different people (supervisors): never suggested again", json!({
                "204": { "description": "Remembered" },
                "404": error_response("No such person in the organisation")
            }), json!({ "requestBody": json_body(json!({ "type": "object", "required": ["person_a", "person_b"], "properties": {
                "person_a": { "type": "integer" }, "person_b": { "type": "integer" } } })) }))
        },
        "/api/v1/stats.csv": {
            "get": operation("The same counts as CSV, `<3` for a suppressed count", json!({
                "200": { "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } },
                "422": error_response("An unknown dimension")
            }), stats_parameters())
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
    // Creating and editing a case answer the organisation's likely duplicates of its person too.
    for (path, method, status) in [
        ("/api/v1/cases", "post", "201"),
        ("/api/v1/cases/{id}", "put", "200"),
    ] {
        let response = &mut document["paths"][path][method]["responses"][status];
        if response.is_object() {
            response["description"] = json!(format!(
                "{}; with `likely_duplicates` (see LikelyDuplicate): the organisation's records that are probably the same person",
                response["description"].as_str().unwrap_or_default()
            ));
        }
    }
    if let (Some(target), Some(source)) = (document["paths"].as_object_mut(), paths.as_object()) {
        for (path, operations) in source {
            target.insert(path.clone(), operations.clone());
        }
    }
}
