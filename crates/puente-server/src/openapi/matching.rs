//! The OpenAPI paths of "match with partners": runs at a linkage unit, a case's matches and the
//! coordination requests they open.

use serde_json::{json, Value};

use super::{error_response, id_parameter, json_body, json_response, operation};

pub fn add_paths(document: &mut Value) {
    let request = json!({ "type": "object", "properties": {
        "id": { "type": "integer" }, "run_id": { "type": "integer" }, "case_id": { "type": "integer" },
        "project_reference": { "type": "string", "description": "The linkage unit's project" },
        "match_reference": { "type": "string", "description": "The match's opaque reference at the unit, through which the partner finds its own record; never a name" },
        "partner_organisation": { "type": "string" },
        "similarity": { "type": "number" },
        "status": { "type": "string", "enum": ["open", "refer", "decline"] },
        "partner_decision": { "type": ["string", "null"], "enum": ["refer", "decline", null] },
        "label": { "type": "string", "description": "\"Puede ser conocida también por: Albergue Demo (similitud 0,87)\" in the request's language" }
    } });
    let paths = json!({
        "/api/v1/matching/runs": {
            "get": operation("The organisation's matching runs and its partnerships (names and units, never the secrets; supervisors)", json!({
                "200": json_response("Runs, newest first, and partnerships", json!({ "type": "object" }))
            }), json!({})),
            "post": operation("Match with partners: encode the persons whose consent covers `matching` with the `latam` profile under the partnership's secret (which stays here) and upload the encodings to the linkage unit with the party's token (supervisors)", json!({
                "201": json_response("The run, how many persons were encoded and how many were left out for want of consent", json!({ "type": "object" })),
                "422": error_response("An unknown partnership or project, or the unit refused the upload (a wrong token, a second upload), in the user's language")
            }), json!({ "requestBody": json_body(json!({ "type": "object", "required": ["partnership", "project", "upload_token"], "properties": {
                "partnership": { "type": "string" }, "project": { "type": "string" }, "upload_token": { "type": "string" } } })) }))
        },
        "/api/v1/matching/runs/{id}/refresh": {
            "post": operation("Fetch the run's result from the linkage unit; when it is in, each match opens a coordination request on its case (supervisors)", json!({
                "200": json_response("`waiting` while partners have not uploaded, else `done` with the matches and the requests opened", json!({ "type": "object" })),
                "422": error_response("The unit refused or cannot be reached")
            }), json!({ "parameters": [id_parameter()] }))
        },
        "/api/v1/cases/{id}/matches": {
            "get": operation("Who else may know the case's person: the coordination requests of its matches", json!({
                "200": json_response("Coordination requests, newest first", json!({ "type": "array", "items": request.clone() }))
            }), json!({ "parameters": [id_parameter()] }))
        },
        "/api/v1/coordination-requests/{id}/decision": {
            "post": operation("Decide a coordination request with the survivor: refer (with her consent) or decline; the unit tells the partner", json!({
                "200": json_response("The decided request", request),
                "422": error_response("Referring without the survivor's consent, an unknown decision, a request decided already, or the unit refused")
            }), json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "required": ["decision"], "properties": {
                "decision": { "type": "string", "enum": ["refer", "decline"] },
                "survivor_consents": { "type": "boolean", "description": "The survivor agreed to be referred" } } })) }))
        }
    });
    if let (Some(target), Some(source)) = (document["paths"].as_object_mut(), paths.as_object()) {
        for (path, operations) in source {
            target.insert(path.clone(), operations.clone());
        }
    }
}
