//! The OpenAPI paths of tasks, assigning a case, and messages on a referral.

use serde_json::{json, Value};

use super::{error_response, id_parameter, json_body, json_response, operation, reference};

/// Adds the paths to the document's `paths`.
pub fn add_paths(document: &mut Value) {
    let paths = json!({
        "/api/v1/cases/{id}/tasks": {
            "get": operation("A case's tasks, open ones first, each with its title in the request's language and whether it is overdue", json!({ "200": json_response("Tasks", json!({ "type": "array", "items": { "type": "object" } })), "404": error_response("No such case visible to the user") }), json!({ "parameters": [id_parameter()] })),
            "post": operation("Add a task to a case", json!({ "201": json_response("The task's id", reference("Id")), "404": error_response("No such case visible to the user"), "422": error_response("A title, due date or assignee that cannot be used, named in `field`") }),
                json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "required": ["title", "due_on"], "properties": { "title": { "type": "string", "pattern": "\\S", "maxLength": 200 }, "due_on": { "type": "string", "description": "A day (YYYY-MM-DD) or a date and time (RFC 3339)" }, "assignee": { "type": "integer", "format": "int64", "description": "A user of the organisation who works cases; the creator when absent" } } })) }))
        },
        "/api/v1/tasks": {
            "get": operation("Tasks: the user's own with mine=true (advocates and case workers always), the organisation's for supervisors; due=overdue|today|week lists open tasks due so", json!({ "200": json_response("Tasks by when they are due", json!({ "type": "array", "items": { "type": "object" } })), "403": error_response("The role works no cases"), "422": error_response("A `mine` or `due` value that is not known") }),
                json!({ "parameters": [{ "name": "mine", "in": "query", "schema": { "type": "boolean" } }, { "name": "due", "in": "query", "schema": { "type": "string", "enum": ["overdue", "today", "week"] } }] }))
        },
        "/api/v1/cases/{id}/assign": {
            "post": operation("Give a case to a colleague who works cases, or to no one (supervisors)", json!({
                "200": json_response("The case's id and assignee", json!({ "type": "object", "properties": { "id": { "type": "integer" }, "assignee": { "type": ["integer", "null"] } } })),
                "403": error_response("The role does not assign cases"),
                "404": error_response("No such case visible to the user"),
                "422": error_response("The assignee cannot own cases of this organisation (field `assignee`)")
            }), json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "properties": { "assignee": { "type": ["integer", "null"], "format": "int64" } } })) }))
        },
        "/api/v1/referrals/{id}/messages": {
            "get": operation("The messages of a referral between its two organisations, oldest first", json!({ "200": json_response("Messages", json!({ "type": "array", "items": { "type": "object" } })), "404": error_response("No such referral the organisation is party to") }), json!({ "parameters": [id_parameter()] })),
            "post": operation("Write a message to the other organisation of a referral (notified, audited on both sides)", json!({ "201": json_response("The message's id", reference("Id")), "404": error_response("No such referral the organisation is party to"), "422": error_response("An empty or overlong text (field `text`)") }),
                json!({ "parameters": [id_parameter()], "requestBody": json_body(json!({ "type": "object", "required": ["text"], "properties": { "text": { "type": "string", "pattern": "\\S", "maxLength": 4000 } } })) }))
        },
        "/api/v1/tasks/{id}/complete": {
            "post": operation("Mark a task done", json!({ "200": json_response("The task", json!({ "type": "object" })), "404": error_response("No such task visible to the user"), "409": error_response("The task is done already") }), json!({ "parameters": [id_parameter()] }))
        },
        "/api/v1/tasks/{id}/reopen": {
            "post": operation("Open a done task again", json!({ "200": json_response("The task", json!({ "type": "object" })), "404": error_response("No such task visible to the user"), "409": error_response("The task is open") }), json!({ "parameters": [id_parameter()] }))
        }
    });
    if let (Some(target), Value::Object(added)) = (document["paths"].as_object_mut(), paths) {
        target.extend(added);
    }
}
