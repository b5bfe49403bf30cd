//! Typed answers and bodies of the JSON API that several route modules use, with their schemas
//! (`ToSchema`): the OpenAPI document describes them from these types.

use serde::Serialize;
use utoipa::ToSchema;

/// The id of what was created: `{"id"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdAnswer {
    pub id: i64,
}

/// A role of a user, by its code.
pub fn role_schema() -> utoipa::openapi::Object {
    code_schema(
        puente_store::accounts::Role::ALL
            .iter()
            .map(|role| role.code()),
    )
}

/// A string that is one of `codes`.
pub fn code_schema<'a>(codes: impl IntoIterator<Item = &'a str>) -> utoipa::openapi::Object {
    let codes: Vec<&str> = codes.into_iter().collect();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(codes))
        .build()
}

/// A code of one of the core's vocabularies.
pub fn vocabulary_codes<V: puente_core::Vocabulary + 'static>() -> utoipa::openapi::Object {
    code_schema(V::all().iter().map(|value| value.code()))
}

/// A case status, by its code (HTCDS CaseStatus), or null (the default).
pub fn optional_case_status_schema() -> utoipa::openapi::Object {
    optional(vocabulary_codes::<puente_core::htcds::CaseStatus>())
}

/// A code, or null.
pub fn optional(codes: utoipa::openapi::Object) -> utoipa::openapi::Object {
    let mut values = codes.enum_values.clone().unwrap_or_default();
    values.push(serde_json::Value::Null);
    utoipa::openapi::ObjectBuilder::from(codes)
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::Type::String,
            utoipa::openapi::Type::Null,
        ]))
        .enum_values(Some(values))
        .build()
}

/// A code, or nothing (an empty value, as a form sends a choice left blank).
pub fn code_or_blank(codes: utoipa::openapi::Object) -> utoipa::openapi::Object {
    let mut values = codes.enum_values.clone().unwrap_or_default();
    values.push(serde_json::Value::from(""));
    utoipa::openapi::ObjectBuilder::from(codes)
        .enum_values(Some(values))
        .build()
}

/// A consent scope, by its code (HTCDS ConsentScope).
pub fn consent_scope_schema() -> utoipa::openapi::Object {
    vocabulary_codes::<puente_core::htcds::ConsentScope>()
}

/// A day (`YYYY-MM-DD`), or nothing (an empty value, as a form sends a day left blank).
pub fn day_or_blank() -> utoipa::openapi::schema::AnyOfBuilder {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
    utoipa::openapi::schema::AnyOfBuilder::new()
        .item(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
        .item(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .max_length(Some(0)),
        )
}
