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
    let codes: Vec<&str> = puente_store::accounts::Role::ALL
        .iter()
        .map(|role| role.code())
        .collect();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(codes))
        .build()
}

/// A code of one of the core's vocabularies.
pub fn vocabulary_codes<V: puente_core::Vocabulary + 'static>() -> utoipa::openapi::Object {
    let codes: Vec<&str> = V::all().iter().map(|value| value.code()).collect();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(codes))
        .build()
}

/// A case status, by its code (HTCDS CaseStatus).
pub fn case_status_schema() -> utoipa::openapi::Object {
    vocabulary_codes::<puente_core::htcds::CaseStatus>()
}

/// A consent scope, by its code (HTCDS ConsentScope).
pub fn consent_scope_schema() -> utoipa::openapi::Object {
    vocabulary_codes::<puente_core::htcds::ConsentScope>()
}
