//! Schemas that are not linkage schema v3, or name an option it does not have, are errors that
//! say where.

use puente_pprl::{LinkageSchema, SchemaError};

fn schema_with(clk_config: &str, feature: &str) -> String {
    format!(
        "{{\n  \"version\": 3,\n  \"clkConfig\": {clk_config},\n  \"features\": [\n    {{\"identifier\": \"row_id\", \"ignored\": true}},\n    {feature}\n  ]\n}}\n"
    )
}

const CONFIG: &str = r#"{"l": 1024, "kdf": {"type": "HKDF"}}"#;
const NAME: &str = r#"{"identifier": "name", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}}}"#;

fn error_of(text: &str) -> String {
    LinkageSchema::from_json_str(text).unwrap_err().to_string()
}

#[test]
fn a_valid_schema_is_read() {
    let schema = LinkageSchema::from_json_str(&schema_with(CONFIG, NAME)).unwrap();
    assert_eq!(schema.features.len(), 2);
    assert_eq!(schema.l, 1024);
}

#[test]
fn other_versions_are_refused() {
    let text = schema_with(CONFIG, NAME).replace("\"version\": 3", "\"version\": 2");
    assert!(matches!(
        LinkageSchema::from_json_str(&text),
        Err(SchemaError::Version { .. })
    ));
}

#[test]
fn unknown_options_name_the_line_and_the_feature() {
    let feature = NAME.replace("\"n\": 2", "\"n\": 2, \"padding\": true");
    let message = error_of(&schema_with(CONFIG, &feature));
    assert!(
        message.starts_with("line 6, feature 'name' (features[1].hashing.comparison.padding)"),
        "{message}"
    );
    assert!(message.contains("unknown option 'padding'"), "{message}");
}

#[test]
fn xor_folds_under_the_master_schema_name_is_explained() {
    let config = r#"{"l": 1024, "xorFolds": 1, "kdf": {"type": "HKDF"}}"#;
    let message = error_of(&schema_with(config, NAME));
    assert!(message.contains("xor_folds"), "{message}");
    assert!(message.starts_with("line 3"), "{message}");
}

#[test]
fn blake_hash_needs_a_power_of_two() {
    let config = r#"{"l": 1000, "kdf": {"type": "HKDF"}}"#;
    let message = error_of(&schema_with(config, NAME));
    assert!(message.contains("power of two"), "{message}");
    assert!(message.contains("feature 'name'"), "{message}");
}

#[test]
fn bad_values_of_known_options_are_refused() {
    for (from, to, expected) in [
        ("\"bitsPerToken\": 20", "\"bitsPerToken\": 0", "at least 1"),
        (
            "\"bitsPerToken\": 20",
            "\"bitsPerToken\": 20, \"bitsPerFeature\": 3",
            "exactly one",
        ),
        (
            "\"type\": \"ngram\", \"n\": 2",
            "\"type\": \"soundex\"",
            "\"ngram\", \"exact\" or \"numeric\"",
        ),
        (
            "{\"type\": \"string\"}",
            "{\"type\": \"string\", \"pattern\": \"(\"}",
            "invalid regular expression",
        ),
        (
            "{\"type\": \"string\"}",
            "{\"type\": \"date\", \"format\": \"%Y-%Q\"}",
            "%Q",
        ),
        (
            "{\"type\": \"string\"}",
            "{\"type\": \"string\", \"case\": \"title\"}",
            "\"upper\", \"lower\" or \"mixed\"",
        ),
    ] {
        let message = error_of(&schema_with(CONFIG, &NAME.replace(from, to)));
        assert!(message.contains(expected), "{to}: {message}");
        assert!(message.contains("feature 'name'"), "{to}: {message}");
    }
    let text =
        schema_with(CONFIG, NAME).replace("\"version\": 3,", "\"version\": 3, \"extra\": 1,");
    assert!(error_of(&text).contains("unknown option 'extra'"));
    assert!(matches!(
        LinkageSchema::from_json_str("{\"version\": 3,"),
        Err(SchemaError::Json { line: 1, .. })
    ));
}
