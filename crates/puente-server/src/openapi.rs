//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers. Each API handler carries
//! `#[utoipa::path]` (its method, path, parameters, body and answers), the server's request and
//! answer types derive `ToSchema` (query types `IntoParams`), and [`crate::routes::api_routes`]
//! adds each handler to the router and to the document in one `routes!` line: a route cannot be
//! served undocumented, nor documented unserved.
//!
//! What the handlers' attributes leave to this module, done once for every operation:
//! - the schemas of the core's types and of the answers made from what the store keeps (a person,
//!   a case, a screening, a referral, an audit entry, ...: `crate::api_types`), written from
//!   their vocabularies and bounds (`puente_core::bounds`), because the core is pure and carries
//!   no OpenAPI dependency;
//! - the error answers every operation can give besides its own (401 and 403 when it needs a
//!   session; 400 when a parameter does not parse; 404 when its address names a record; 400, 413,
//!   415 and 422 when it takes a body; 408 always), each `{"error": {"code", "message", "field"}}`;
//! - the bounds of ids (whole numbers of 64 bits: a larger one is answered 400).

use std::sync::OnceLock;

use serde_json::{json, Value};

/// The operations anyone may call, without a session.
const PUBLIC_OPERATIONS: &[&str] = &["login", "openapi"];

/// The document, built once from the route table.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let (_, generated) = crate::routes::api_routes().split_for_parts();
        let mut document =
            serde_json::to_value(&generated).expect("the OpenAPI document serialises as JSON");
        complete(&mut document);
        document
    })
}

/// The field of `body` that is an array where the documented request body of the operation (its
/// path as routed, its method in lower case) has an object; `Some("")` for the body itself.
pub fn array_instead_of_object(path: &str, method: &str, body: &Value) -> Option<String> {
    let document = document();
    let schema =
        &document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    array_where_object(document, schema, body, String::new(), 0)
}

fn array_where_object(
    document: &Value,
    schema: &Value,
    value: &Value,
    field: String,
    depth: usize,
) -> Option<String> {
    // A schema deeper than any the document holds would be a reference cycle.
    if depth > 32 {
        return None;
    }
    if let Some(name) = schema["$ref"]
        .as_str()
        .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
    {
        return array_where_object(
            document,
            &document["components"]["schemas"][name],
            value,
            field,
            depth + 1,
        );
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        if let Some(found) = array_where_object(document, part, value, field.clone(), depth + 1) {
            return Some(found);
        }
    }
    let allows = |kind: &str| match &schema["type"] {
        Value::String(only) => only == kind,
        Value::Array(kinds) => kinds.iter().any(|each| each == kind),
        _ => false,
    };
    match value {
        Value::Array(items) => {
            if allows("object") && !allows("array") {
                return Some(field);
            }
            for (index, item) in items.iter().enumerate() {
                let found = array_where_object(
                    document,
                    &schema["items"],
                    item,
                    format!("{field}[{index}]"),
                    depth + 1,
                );
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        Value::Object(fields) => fields.iter().find_map(|(name, item)| {
            let property = &schema["properties"][name];
            if property.is_null() {
                return None;
            }
            let path = if field.is_empty() {
                name.clone()
            } else {
                format!("{field}.{name}")
            };
            array_where_object(document, property, item, path, depth + 1)
        }),
        _ => None,
    }
}

/// A `$ref` to a schema of the document's components.
pub fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The JSON error answer, with a description.
fn error_answer(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": reference("ErrorAnswer") } } })
}

/// A code of one of the core's vocabularies.
fn vocabulary_schema<V: puente_core::Vocabulary + 'static>() -> Value {
    let codes: Vec<&str> = V::all().iter().map(|value| value.code()).collect();
    json!({ "type": "string", "enum": codes })
}

/// An ISO 3166-1 alpha-2 country code Puente knows.
pub fn country_schema(nullable: bool) -> Value {
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

/// For `#[schema(schema_with = ...)]` and `params(...)`: a country code (utoipa's form).
pub fn country_code() -> utoipa::openapi::Object {
    let codes: Vec<&str> = puente_core::Country::all()
        .map(|country| country.alpha_2())
        .collect();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(codes))
        .description(Some("ISO 3166-1 alpha-2"))
        .build()
}

/// Stand-ins for the core's types and the answers made from the store's (`CaseAnswer`,
/// `ReferralAnswer`, ...) in `#[utoipa::path]` and `#[schema(value_type = ...)]`: each is a
/// reference to its component, which [`core_schemas`] writes.
macro_rules! schema_written_here {
    ($($stand_in:ident => $name:literal),* $(,)?) => {
        $(
            #[doc = concat!("The `", $name, "` component, written in `core_schemas`.")]
            pub struct $stand_in;

            impl utoipa::PartialSchema for $stand_in {
                fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    utoipa::openapi::Ref::from_schema_name($name).into()
                }
            }

            impl utoipa::ToSchema for $stand_in {
                fn name() -> std::borrow::Cow<'static, str> {
                    std::borrow::Cow::Borrowed($name)
                }
            }
        )*
    };
}

schema_written_here! {
    PersonSchema => "Person",
    CaseSchema => "Case",
    CaseEventSchema => "CaseEvent",
    VictimContextSchema => "VictimContext",
    StoredCaseSchema => "StoredCase",
    ConsentSchema => "Consent",
    ScreeningInputSchema => "ScreeningInput",
    ScreeningResultSchema => "ScreeningResult",
    StoredScreeningSchema => "StoredScreening",
    AuditEntrySchema => "AuditEntry",
    ReferralSchema => "Referral",
    SharedCaseSchema => "SharedCase",
    ServiceMatchSchema => "ServiceMatch",
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

/// The codes of a referral's urgency.
fn referral_urgency_codes() -> Vec<&'static str> {
    use puente_core::Vocabulary;
    puente_core::sharing::ReferralUrgency::all()
        .iter()
        .map(|urgency| urgency.code())
        .collect()
}

/// An id: a whole number of 64 bits (a larger one is answered 400).
fn id_schema() -> Value {
    json!({ "type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX })
}

/// The months and days of a date after its year, its day named: `-MM-DD` with a day the month
/// has (the 29th of February is left out: it exists only in some years).
const MONTH_AND_DAY: &str = "-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|-(0[469]|11)-(0[1-9]|[12][0-9]|30)|-02-(0[1-9]|1[0-9]|2[0-8])";

/// A month after a year (`-MM`), for a partial date that stops at its month.
const MONTH_ONLY: &str = "-(0[1-9]|1[0-2])";

/// How much of a date its field takes: the core's partial dates (`YYYY`, `YYYY-MM` or
/// `YYYY-MM-DD`), or a whole day (`YYYY-MM-DD`, as the legal track's dates).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Precision {
    Partial,
    Day,
}

impl Precision {
    /// What follows a year: a month or a day (or nothing) for a partial date, a day otherwise.
    fn after_year(self) -> String {
        match self {
            Precision::Partial => format!("({MONTH_ONLY}|{MONTH_AND_DAY})?"),
            Precision::Day => format!("({MONTH_AND_DAY})"),
        }
    }

    /// The mark after a group a partial date may leave out.
    fn optional(self) -> &'static str {
        match self {
            Precision::Partial => "?",
            Precision::Day => "",
        }
    }
}

/// An alternation that matches the four-digit years from `first` to `last`, by whole decades
/// where it can.
fn years_pattern(first: i32, last: i32) -> String {
    let mut parts = Vec::new();
    let mut year = first;
    while year <= last {
        if year % 10 == 0 && year + 9 <= last {
            parts.push(format!("{}[0-9]", year / 10));
            year += 10;
        } else {
            parts.push(year.to_string());
            year += 1;
        }
    }
    parts.join("|")
}

/// The days (`DD`) a month has, the 29th of February left out (it exists only in some years).
fn days_of_month(month: u8) -> &'static str {
    match month {
        2 => "(0[1-9]|1[0-9]|2[0-8])",
        4 | 6 | 9 | 11 => "(0[1-9]|[12][0-9]|30)",
        _ => "(0[1-9]|[12][0-9]|3[01])",
    }
}

/// A date from `earliest` up to `today`, as much of it as `precision` takes: any day of the
/// earlier years, and this year's earlier months and days up to today (the core reads a partial
/// date as its first day: this month is not after today).
fn past_date_pattern(earliest: i32, today: time::Date, precision: Precision) -> String {
    let past = years_pattern(earliest, today.year() - 1);
    let optional = precision.optional();
    let this_month = u8::from(today.month());
    let mut months: Vec<String> = (1..this_month)
        .map(|month| format!("{month:02}(-{}){optional}", days_of_month(month)))
        .collect();
    let days_so_far: Vec<String> = (1..=today.day()).map(|day| format!("{day:02}")).collect();
    months.push(format!(
        "{this_month:02}(-({})){optional}",
        days_so_far.join("|")
    ));
    format!(
        "^(({past}){}|{}(-({})){optional})$",
        precision.after_year(),
        today.year(),
        months.join("|")
    )
}

/// A string schema with a pattern and its description, or null when `nullable`.
fn pattern_schema(pattern: String, description: &str, nullable: bool) -> utoipa::openapi::Object {
    let kind = if nullable {
        utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::Type::String,
            utoipa::openapi::Type::Null,
        ])
    } else {
        utoipa::openapi::schema::SchemaType::Type(utoipa::openapi::Type::String)
    };
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(kind)
        .pattern(Some(pattern))
        .description(Some(description))
        .build()
}

/// For `#[schema(schema_with = ...)]`: a partial date from 1880 (the core's earliest year) to
/// today, as a consent's `given_on`.
pub fn past_date_schema() -> utoipa::openapi::Object {
    pattern_schema(
        past_date_pattern(
            1880,
            time::OffsetDateTime::now_utc().date(),
            Precision::Partial,
        ),
        "YYYY, YYYY-MM or YYYY-MM-DD, not after today",
        false,
    )
}

/// For `#[schema(schema_with = ...)]`: a day (YYYY-MM-DD) from 1880 to today, as a report's
/// `reported_on`.
pub fn past_day_schema() -> utoipa::openapi::Object {
    pattern_schema(
        past_date_pattern(1880, time::OffsetDateTime::now_utc().date(), Precision::Day),
        "YYYY-MM-DD, not after today",
        false,
    )
}

/// [`past_day_schema`], or null (a day not given).
pub fn optional_past_day_schema() -> utoipa::openapi::Object {
    pattern_schema(
        past_date_pattern(1880, time::OffsetDateTime::now_utc().date(), Precision::Day),
        "YYYY-MM-DD, not after today",
        true,
    )
}

/// For `#[schema(schema_with = ...)]`: a day (YYYY-MM-DD) in the past or the future, as a
/// stage's `stage_on` (a trial set for a day).
pub fn any_day_schema() -> utoipa::openapi::Object {
    pattern_schema(any_date_pattern(Precision::Day), "YYYY-MM-DD", false)
}

/// A date the core reads, in the past or the future (the years it knows: 1880 to 2200), as much
/// of it as `precision` takes.
fn any_date_pattern(precision: Precision) -> String {
    format!(
        "^({}){}$",
        years_pattern(1880, 2200),
        precision.after_year()
    )
}

/// A phone number as the core reads one without a country: `+` or `00`, the country calling code
/// and the number, 8 to 15 digits in all, spaces and `- . ( ) /` allowed between them.
const PHONE_PATTERN: &str =
    r"^[ \t\r\n]*(\+|00)[ ./()+-]*[1-9]([ ./()+-]*[0-9]){7,14}[ ./()+-]*[ \t\r\n]*$";

/// A list of codes of one vocabulary, each at most the core's bound of codes.
fn codes_schema<V: puente_core::Vocabulary + 'static>() -> Value {
    json!({ "type": "array", "maxItems": puente_core::bounds::MAX_CODES, "items": vocabulary_schema::<V>() })
}

/// A nullable code of one vocabulary.
fn nullable_code_schema<V: puente_core::Vocabulary + 'static>() -> Value {
    let mut codes: Vec<Value> = V::all().iter().map(|value| json!(value.code())).collect();
    codes.push(Value::Null);
    json!({ "type": ["string", "null"], "enum": codes })
}

/// A nullable text of at most `max` characters.
fn text_schema(max: usize) -> Value {
    json!({ "type": ["string", "null"], "maxLength": max })
}

/// The schemas of the core's types and of the answers made from the store's, that the API reads
/// and answers.
fn core_schemas() -> Value {
    use puente_core::bounds::{
        EARLIEST_BIRTH_YEAR, EARLIEST_EVENT_YEAR, MAX_AGE_YEARS, MAX_CODES, MAX_FREE_TEXT_CHARS,
        MAX_LANGUAGE_CHARS, MAX_LIST_ENTRIES, MAX_NAME_CHARS,
    };
    use puente_core::htcds as vocabulary;
    let today = time::OffsetDateTime::now_utc().date();
    json!({
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
                "date_of_birth": { "type": ["string", "null"], "pattern": past_date_pattern(i32::from(EARLIEST_BIRTH_YEAR), today, Precision::Partial), "description": "YYYY, YYYY-MM or YYYY-MM-DD, from 1900 to today" },
                "estimated_age": { "type": ["integer", "null"], "minimum": 0, "maximum": MAX_AGE_YEARS },
                "nationality": country_schema(true),
                "languages": { "type": "array", "maxItems": MAX_CODES, "items": { "type": "string", "maxLength": MAX_LANGUAGE_CHARS } },
                "phone": { "type": ["string", "null"], "pattern": PHONE_PATTERN, "description": "E.164 (`+50255551234`); spaces and - . ( ) / between the digits are accepted, and `00` for `+`" },
                "current_country": country_schema(true),
                "current_place": name_schema(true)
            }
        },
        "CaseEvent": {
            "type": "object", "required": ["kind"],
            "properties": {
                "kind": vocabulary_schema::<vocabulary::TraffickingEventType>(),
                "country": country_schema(true), "place": text_schema(MAX_NAME_CHARS),
                "date": { "type": ["string", "null"], "pattern": past_date_pattern(i32::from(EARLIEST_EVENT_YEAR), today, Precision::Partial), "description": "YYYY, YYYY-MM or YYYY-MM-DD, from 1900 to today" },
                "description": text_schema(MAX_FREE_TEXT_CHARS)
            }
        },
        "Perpetrator": {
            "type": "object",
            "properties": {
                "roles": codes_schema::<vocabulary::PerpetratorRole>(),
                "description": text_schema(MAX_FREE_TEXT_CHARS),
                "nationality": country_schema(true)
            }
        },
        "SupportPlanItem": {
            "type": "object", "required": ["kind", "status"],
            "properties": {
                "kind": vocabulary_schema::<vocabulary::SupportType>(),
                "status": vocabulary_schema::<vocabulary::SupportStatus>(),
                "provider": text_schema(MAX_NAME_CHARS),
                "due": { "type": ["string", "null"], "pattern": any_date_pattern(Precision::Partial) },
                "notes": text_schema(MAX_FREE_TEXT_CHARS)
            }
        },
        "VictimContext": {
            "type": "object",
            "description": "The victim context (HTCDS vic_): codes of the HTCDS vocabularies.",
            "properties": {
                "trafficking_status": nullable_code_schema::<vocabulary::TraffickingStatus>(),
                "status_decided_by": nullable_code_schema::<vocabulary::TraffickingStatusDecidedBy>(),
                "recruitment_methods": codes_schema::<vocabulary::MethodOfRecruitment>(),
                "methods_of_control": codes_schema::<vocabulary::MethodOfControl>(),
                "types_of_exploitation": codes_schema::<vocabulary::TypeOfExploitation>(),
                "types_of_labour": codes_schema::<vocabulary::TypeOfLabour>(),
                "labour_industries": codes_schema::<vocabulary::LabourIndustry>(),
                "types_of_sex_exploitation": codes_schema::<vocabulary::TypeOfSexExploitation>(),
                "relationship_to_trafficker": codes_schema::<vocabulary::RelationshipToTrafficker>(),
                "vulnerabilities": codes_schema::<vocabulary::Vulnerability>(),
                "agreement_to_manage_personal_data": { "type": "boolean" }
            }
        },
        "Case": {
            "type": "object",
            "description": "A case (HTCDS cas_): person, status, victim context (vic_), perpetrators, events of the route (hte_), support plan. Consents are given and withdrawn through their own operations.",
            "required": ["person", "status"],
            "properties": {
                "person": reference("Person"),
                "status": vocabulary_schema::<vocabulary::CaseStatus>(),
                "victim": reference("VictimContext"),
                "perpetrators": { "type": "array", "maxItems": MAX_LIST_ENTRIES, "items": reference("Perpetrator") },
                "events": { "type": "array", "maxItems": MAX_LIST_ENTRIES, "items": reference("CaseEvent") },
                "support_plan": { "type": "array", "maxItems": MAX_LIST_ENTRIES, "items": reference("SupportPlanItem") }
            }
        },
        "StoredCase": {
            "allOf": [reference("Case"), { "type": "object", "properties": {
                "id": { "type": "integer" }, "organisation_id": { "type": "integer" }, "person_id": { "type": "integer" },
                "owner_user_id": { "type": ["integer", "null"] }, "version": { "type": "integer" },
                "consents": { "type": "array", "items": reference("Consent") },
                "opened_on": { "type": "string" }, "created_at": { "type": "string" }, "updated_at": { "type": "string" } } }]
        },
        "Consent": {
            "type": "object",
            "properties": {
                "id": { "type": "integer" },
                "scopes": { "type": "array", "items": vocabulary_schema::<puente_core::htcds::ConsentScope>() },
                "with_organisation": { "type": ["string", "null"] },
                "given_on": { "type": "string" },
                "recorded_by": { "type": "string" },
                "withdrawn_on": { "type": ["string", "null"] },
                "case_id": { "type": "integer" },
                "recorded_at": { "type": "string", "description": "When it was recorded (ISO 8601, UTC)" },
                "withdrawn_by": { "type": ["string", "null"] },
                "withdrawn_at": { "type": ["string", "null"] }
            }
        },
        "ScreeningInput": {
            "type": "object",
            "additionalProperties": false,
            "description": "shared/docs/screening.md: the person (all optional) and the fact codes.",
            "properties": {
                "person": { "type": "object", "additionalProperties": false, "properties": {
                    "age": { "type": ["integer", "null"], "minimum": 0, "maximum": 130, "description": "Years; the screening engine reads ages up to 130" },
                    "sex": { "type": ["string", "null"], "enum": ["F", "M", "X", null] },
                    "nationality": country_schema(true), "current_country": country_schema(true),
                    "unaccompanied": { "type": ["boolean", "null"] } } },
                "facts": { "type": "array", "items": vocabulary_schema::<puente_core::screening_facts::Fact>(), "examples": [["act_recruited", "means_deception", "activity_labour"]] }
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
        "StoredScreening": stored_screening_schema(),
        "SharedScreening": shared_screening_schema(),
        "AuditEntry": {
            "type": "object", "required": ["id", "at", "actor", "action", "record_type"],
            "properties": {
                "id": { "type": "integer" }, "at": { "type": "string" }, "actor": { "type": "string", "description": "The user's email" },
                "organisation_id": { "type": ["integer", "null"] }, "action": { "type": "string" },
                "record_type": { "type": "string" }, "record_id": { "type": ["string", "null"] }, "detail": { "type": "string" },
                "previous_hash": { "type": "string" }, "hash": { "type": "string" },
                "case_id": { "type": ["integer", "null"], "description": "The case the entry is about" },
                "key_id": { "type": ["integer", "null"], "description": "The key that chained the entry" }
            }
        },
        "Referral": referral_schema(),
        "SharedCase": {
            "type": "object", "description": "Exactly the shared parts of a referred case that an active consent covers; an unshared part is absent.",
            "properties": {
                "referral": reference("Referral"), "shared": { "type": "array", "items": { "type": "string" } },
                "identity": { "type": ["object", "null"] }, "contact": { "type": ["object", "null"] },
                "screenings": { "type": ["array", "null"], "items": reference("SharedScreening") },
                "events": { "type": ["array", "null"], "items": { "type": "object" } },
                "notes": { "type": ["array", "null"], "items": { "type": "object" } }
            }
        },
        "ServiceMatch": {
            "type": "object",
            "properties": {
                "id": { "type": "integer" }, "organisation_id": { "type": "integer" },
                "organisation": { "type": ["string", "null"], "description": "The organisation's slug" },
                "score": { "type": "integer" },
                "reasons": { "type": "array", "items": { "type": "object", "properties": {
                    "code": { "type": "string" }, "favourable": { "type": "boolean" }, "es": { "type": "string" }, "en": { "type": "string" } } } },
                "why": { "type": "array", "items": { "type": "string" }, "description": "The reasons in the request's language (Accept-Language)" },
                "service": { "type": "object" }
            }
        }
    })
}

/// A screening as stored: its input, the result's codes (with the words in the reader's
/// language), who performed it and whether it was voided.
fn stored_screening_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": { "type": "integer" }, "case_id": { "type": "integer" },
            "organisation_id": { "type": "integer" },
            "questionnaire": { "type": "string", "description": "The questionnaire it was made with" },
            "input": reference("ScreeningInput"), "result": reference("ScreeningResult"),
            "level": { "type": "string", "description": "The result's level, by its code" },
            "rule_set_version": { "type": "string" },
            "lang": { "type": "string", "description": "The language it was performed in" },
            "performed_by": { "type": "string" },
            "created_at": { "type": "string" },
            "voided_at": { "type": ["string", "null"] }, "voided_by": { "type": ["string", "null"] },
            "void_reason": { "type": ["string", "null"] }
        }
    })
}

/// A screening as a referral shares it: the result only (never its input).
fn shared_screening_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": { "type": "integer" }, "level": { "type": "string" },
            "rule_set_version": { "type": "string" }, "created_at": { "type": "string" },
            "result": reference("ScreeningResult")
        }
    })
}

/// A referral as the store keeps it: no survivor data, both sides may see all of it.
fn referral_schema() -> Value {
    json!({
        "type": "object", "description": "A referral (no survivor data), with its HTCDS referral fields.",
        "properties": {
            "id": { "type": "integer" }, "case_id": { "type": "integer" },
            "from_organisation_id": { "type": "integer" }, "to_organisation_id": { "type": "integer" },
            "services": { "type": "array", "items": { "type": "integer" } },
            "share": { "type": "array", "items": { "type": "string" } },
            "status": { "type": "string", "enum": ["pending", "accepted", "rejected", "completed", "revoked", "consent_withdrawn"] },
            "reason": { "type": "string" },
            "urgency": { "type": "string", "enum": referral_urgency_codes() },
            "reason_note": { "type": ["string", "null"] },
            "contact_person": { "type": "object", "properties": { "name": { "type": "string" }, "details": { "type": ["string", "null"] } } },
            "htcds": { "type": "object" },
            "from_organisation": { "type": "string" }, "to_organisation": { "type": "string" },
            "consent_recorded_here": { "type": "boolean" },
            "case_version": { "type": "integer", "description": "The case's version the receiver sees" },
            "created_by": { "type": "string" }, "created_at": { "type": "string" },
            "answered_by": { "type": ["string", "null"] }, "answered_at": { "type": ["string", "null"] },
            "answer_note": { "type": ["string", "null"] },
            "completed_by": { "type": ["string", "null"] }, "completed_at": { "type": ["string", "null"] },
            "revoked_by": { "type": ["string", "null"] }, "revoked_at": { "type": ["string", "null"] },
            "withdrawn_consent_id": { "type": ["integer", "null"] },
            "consent_withdrawn_at": { "type": ["string", "null"] },
            "updated_at": { "type": "string" }
        }
    })
}

/// Completes the generated document: security, the core's schemas, ids and the common errors.
fn complete(document: &mut Value) {
    document["info"]["description"] = json!(
        "Case management and screening for counter-trafficking work. Authenticate with POST /api/v1/login, then send `Authorization: Bearer <token>`. A client that uses the session cookie instead must send the `csrf_token` from the login answer in an `X-CSRF-Token` header on every POST and PUT. Errors are `{\"error\": {\"code\", \"message\", \"field\"}}`, the message in the request's language (Accept-Language, es or en)."
    );
    document["components"]["securitySchemes"] = json!({
        "bearer": { "type": "http", "scheme": "bearer" },
        "cookie": { "type": "apiKey", "in": "cookie", "name": "puente_session" }
    });
    document["security"] = json!([{ "bearer": [] }, { "cookie": [] }]);
    if let (Some(schemas), Some(core)) = (
        document["components"]["schemas"].as_object_mut(),
        core_schemas().as_object(),
    ) {
        for (name, schema) in core {
            schemas.insert(name.clone(), schema.clone());
        }
    }
    // A perpetrator needs a name, a surname or an alias, written with more than spaces: a rule on
    // three fields together, which the request's derived schema cannot state by itself.
    if let Some(perpetrator) = document["components"]["schemas"].get_mut("PerpetratorRequest") {
        let named = |field: &str| json!({ "required": [field], "properties": { (field): { "type": "string", "pattern": "\\S" } } });
        perpetrator["anyOf"] = json!([named("given_name"), named("surname"), named("alias")]);
    }
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    for (path, operations) in paths.iter_mut() {
        let Some(operations) = operations.as_object_mut() else {
            continue;
        };
        for operation in operations.values_mut() {
            complete_operation(path, operation);
        }
    }
}

/// The error answers every operation can give besides its own (see the module's words).
fn complete_operation(path: &str, operation: &mut Value) {
    let public = operation["operationId"]
        .as_str()
        .is_some_and(|id| PUBLIC_OPERATIONS.contains(&id));
    if public {
        operation["security"] = json!([]);
    }
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
        return;
    };
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_string())
            .or_insert_with(|| error_answer(description));
    };
    add("408", "The request took too long");
    if !public {
        add("401", "Not logged in");
        add("403", "The role does not allow this");
    }
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
        add(
            "422",
            "A field of the body is of the wrong type or out of its bounds (named in `field`)",
        );
    }
}

/// `GET /api/v1/openapi.json`: this document.
#[utoipa::path(get, path = "/api/v1/openapi.json", responses(
    (status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)
))]
pub async fn openapi() -> axum::Json<&'static Value> {
    axum::Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

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
                let public = operation["security"] == json!([]);
                if !public {
                    assert!(has("401") && has("403"), "{method} {path}");
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
    fn every_reference_resolves_and_every_operation_has_a_summary_and_answers() {
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
                assert!(operation["operationId"].is_string(), "{method} {path}");
                assert!(
                    !operation["responses"].as_object().unwrap().is_empty(),
                    "{method} {path}"
                );
            }
        }
    }

    #[test]
    fn an_array_where_the_document_has_an_object_is_found_and_named() {
        let body = json!({ "person": { "given_name": "Ana" }, "victim": [null, null] });
        assert_eq!(
            array_instead_of_object("/api/v1/cases", "post", &body).as_deref(),
            Some("victim")
        );
        let events = json!({ "person": { "given_name": "Ana" }, "events": [{ "kind": "Transit" }, ["Transit"]] });
        assert_eq!(
            array_instead_of_object("/api/v1/cases", "post", &events).as_deref(),
            Some("events[1]")
        );
        let update = json!({ "version": 1, "status": "Active", "person": [] });
        assert_eq!(
            array_instead_of_object("/api/v1/cases/{id}", "put", &update).as_deref(),
            Some("person")
        );
        let fine = json!({ "person": { "given_name": "Ana", "languages": ["es"] }, "events": [] });
        assert_eq!(
            array_instead_of_object("/api/v1/cases", "post", &fine),
            None
        );
        assert_eq!(
            array_instead_of_object("/api/v1/cases", "post", &json!([])).as_deref(),
            Some("")
        );
    }

    #[test]
    fn the_bounds_written_in_the_handlers_attributes_are_the_cores() {
        use puente_core::bounds::{MAX_FREE_TEXT_CHARS, MAX_LIST_ENTRIES};
        let schemas = &document()["components"]["schemas"];
        assert_eq!(
            schemas["NewCaseRequest"]["properties"]["events"]["maxItems"],
            json!(MAX_LIST_ENTRIES)
        );
        assert_eq!(
            schemas["NoteRequest"]["properties"]["text"]["maxLength"],
            json!(MAX_FREE_TEXT_CHARS)
        );
        assert_eq!(
            schemas["ReferralNote"]["properties"]["note"]["maxLength"],
            json!(MAX_FREE_TEXT_CHARS)
        );
    }

    #[test]
    fn a_date_pattern_takes_past_days_and_refuses_days_to_come_and_days_no_month_has() {
        let today = time::macros::date!(2026 - 12 - 01);
        let pattern = past_date_pattern(1900, today, Precision::Partial);
        let regex = regex::Regex::new(&pattern).unwrap();
        let matches = |text: &str| regex.is_match(text);
        for accepted in [
            "1900",
            "1999-02-28",
            "2025-12-31",
            "2026",
            "2026-11",
            "2026-09-30",
            "2026-12",
            "2026-12-01",
        ] {
            assert!(matches(accepted), "{accepted}");
        }
        for refused in [
            "1899",
            "2027",
            "2026-12-02",
            "2026-11-31",
            "2026-13",
            "2025-02-30",
            "2025-13",
            "20250",
        ] {
            assert!(!matches(refused), "{refused}");
        }
    }

    #[test]
    fn a_day_pattern_takes_whole_past_days_the_legal_track_reads_and_refuses_partial_dates() {
        let today = time::macros::date!(2026 - 12 - 01);
        let past = regex::Regex::new(&past_date_pattern(1880, today, Precision::Day)).unwrap();
        let any = regex::Regex::new(&any_date_pattern(Precision::Day)).unwrap();
        for accepted in ["1880-01-01", "1999-02-28", "2026-11-30", "2026-12-01"] {
            assert!(past.is_match(accepted), "{accepted}");
            assert!(any.is_match(accepted), "{accepted}");
            assert!(
                puente_screening::relief::parse_date(accepted).is_some(),
                "{accepted}"
            );
        }
        for refused in ["2026", "2026-11", "2026-12-02", "0000-00-00", "2025-02-30"] {
            assert!(!past.is_match(refused), "{refused}");
        }
        assert!(any.is_match("2031-06-15"));
        for refused in ["2031", "2031-06", "0269-70-02", "2031-04-31"] {
            assert!(!any.is_match(refused), "{refused}");
        }
    }

    #[test]
    fn the_phone_pattern_takes_what_the_core_reads_without_a_country() {
        let regex = regex::Regex::new(PHONE_PATTERN).unwrap();
        for text in [
            "+50255551234",
            "+502 5555-1234",
            "00502 5555 1234",
            "+1 (555) 010-0199",
        ] {
            assert!(regex.is_match(text), "{text}");
            assert!(
                puente_core::domain::PhoneNumber::parse(text, None).is_ok(),
                "{text}"
            );
        }
        for text in [
            "",
            "5555-1234",
            "+0502555512",
            "+5025",
            "+50255551234567890",
            "+502 abc",
        ] {
            assert!(!regex.is_match(text), "{text}");
            assert!(
                puente_core::domain::PhoneNumber::parse(text, None).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn the_required_query_parameters_are_required() {
        for path in ["/api/v1/stats", "/api/v1/stats.csv"] {
            let parameters = document()["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap();
            let by = parameters
                .iter()
                .find(|parameter| parameter["name"] == "by")
                .unwrap();
            assert_eq!(by["required"], json!(true), "{path}: {by}");
        }
    }

    #[test]
    fn only_logging_in_and_this_document_are_public() {
        let document = document();
        let mut public = Vec::new();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                if operation["security"] == json!([]) {
                    public.push(format!("{method} {path}"));
                }
            }
        }
        assert_eq!(public, ["post /api/v1/login", "get /api/v1/openapi.json"]);
    }
}
