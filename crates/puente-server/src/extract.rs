//! Extractors of the JSON API: a request's body read as the OpenAPI document describes it, its
//! problems answered in the API's error format. A leaf module: it uses the error type and the
//! document, never a route module.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, MatchedPath, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::AppError;

/// A JSON body whose problems are answered in the API's error format: 415 when it is not of type
/// JSON, 413 when it is too large, 400 when it is not JSON, 422 when it is JSON of the wrong shape
/// (the error names the field).
///
/// It is read as the document describes it: a whole number written with a decimal point (`19.0`)
/// is the whole number JSON Schema says it is, and an array where the document says object is
/// refused (the framework alone would read an object's fields from an array, in order).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_json_content_type(request.headers()) {
            return Err(AppError::UnsupportedMediaType);
        }
        let operation = operation_of(&request);
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else if crate::error::is_body_timeout(&rejection) {
                    AppError::RequestTimeout
                } else {
                    AppError::BadRequest(rejection.body_text())
                }
            })?;
        let value = documented_json(&bytes, operation.as_ref())?;
        match Json::<T>::from_bytes(&bytes) {
            Ok(Json(read)) => Ok(ApiJson(read)),
            Err(JsonRejection::JsonDataError(error)) => {
                let mut whole = value;
                if whole_numbers(&mut whole) {
                    if let Ok(read) = serde_json::from_value::<T>(whole) {
                        return Ok(ApiJson(read));
                    }
                }
                // The error about the body as sent: its line and column are the client's.
                Err(json_data_error(&error.body_text()))
            }
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

/// The operation a request is routed to: its documented path and its method.
#[derive(Clone, Debug)]
pub struct Operation {
    pub path: String,
    pub method: String,
}

/// The operation of a request, when it is routed.
pub fn operation_of(request: &Request) -> Option<Operation> {
    request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| Operation {
            path: path.as_str().to_string(),
            method: request.method().as_str().to_ascii_lowercase(),
        })
}

/// Whether the request says its body is JSON (`application/json`, or `application/...+json`).
fn has_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a body as JSON (400 when it is not) and refuses an array where the operation's
/// documented body has an object (422 naming the field).
pub fn documented_json(bytes: &[u8], operation: Option<&Operation>) -> Result<Value, AppError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|error| AppError::BadRequest(error.to_string()))?;
    if let Some(operation) = operation {
        if let Some(field) =
            crate::openapi::array_instead_of_object(&operation.path, &operation.method, &value)
        {
            return Err(AppError::InvalidField {
                field: if field.is_empty() {
                    "body".to_string()
                } else {
                    field
                },
                detail: "an object is expected here, not an array".to_string(),
            });
        }
    }
    Ok(value)
}

/// Writes every whole number written with a decimal point (`19.0`) as the integer it is; whether
/// there was any.
pub fn whole_numbers(value: &mut Value) -> bool {
    /// The largest integer a double holds exactly.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            match number.as_f64() {
                Some(float) if float.fract() == 0.0 && float.abs() <= EXACT => {
                    // Within the exact range the conversion is lossless.
                    *value = Value::from(float as i64);
                    true
                }
                _ => false,
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| whole_numbers(item) | changed),
        Value::Object(fields) => fields
            .values_mut()
            .fold(false, |changed, item| whole_numbers(item) | changed),
        _ => false,
    }
}

/// A body of the wrong shape, named by the field it is about: the framework's words are
/// "Failed to deserialize the JSON body into the target type: person.estimated_age: invalid
/// value ... at line 1 column 30".
pub fn json_data_error(text: &str) -> AppError {
    let detail = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text);
    match detail.split_once(": ") {
        Some((field, rest))
            if !field.is_empty()
                && field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c)) =>
        {
            AppError::InvalidField {
                field: field.to_string(),
                detail: rest.to_string(),
            }
        }
        _ => AppError::Invalid(detail.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_numbers_with_a_decimal_point_become_integers_and_others_stay() {
        let mut value = json!({ "age": 19.0, "list": [1.5, 2.0, -3.0], "id": 7, "big": 1e300 });
        assert!(whole_numbers(&mut value));
        assert_eq!(
            value,
            json!({ "age": 19, "list": [1.5, 2, -3], "id": 7, "big": 1e300 })
        );
        let mut integers = json!({ "id": 7, "name": "Ana" });
        assert!(!whole_numbers(&mut integers));
    }

    #[test]
    fn the_field_of_a_body_of_the_wrong_shape_is_named() {
        let error = json_data_error(
            "Failed to deserialize the JSON body into the target type: person.estimated_age: invalid type at line 1 column 30",
        );
        assert_eq!(error.field(), Some("person.estimated_age"));
    }
}
