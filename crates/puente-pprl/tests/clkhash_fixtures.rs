//! Byte-for-byte agreement with clkhash 0.18.3 and anonlink on the fixtures that
//! `tools/pprl/gen_fixtures.py` made with them (synthetic records only).

use std::path::PathBuf;

use puente_linkage::NoProgress;
use puente_pprl::matching::{match_datasets, Blocking, EncodingMatrix, Threshold};
use puente_pprl::{clk_file, EncodeError, Encoder, LinkageSchema};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn secret() -> String {
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&fixtures().join("manifest.json"))).unwrap();
    manifest["secret"].as_str().unwrap().to_string()
}

/// Encodes a CSV text (header first), as `puente pprl encode` does.
fn encode_csv(encoder: &Encoder, text: &str) -> Result<Vec<Vec<u8>>, EncodeError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = records.next().unwrap().unwrap();
    encoder.check_header(&header.iter().collect::<Vec<_>>())?;
    let mut out = Vec::new();
    for record in records {
        let record = record.unwrap();
        let line = record.position().unwrap().line() as usize;
        out.push(encoder.encode_record(&record.iter().collect::<Vec<_>>(), line)?);
    }
    Ok(out)
}

#[test]
fn every_row_of_every_fixture_encodes_to_clkhash_bytes() {
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&fixtures().join("manifest.json"))).unwrap();
    let cases = manifest["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    let mut rows = 0;
    for case in cases {
        let directory = fixtures().join(case.as_str().unwrap());
        let schema = LinkageSchema::from_json_str(&read(&directory.join("schema.json"))).unwrap();
        let encoder = Encoder::new(schema, secret().as_bytes()).unwrap();
        let expected = clk_file::from_json(&read(&directory.join("clks.json"))).unwrap();
        let encoded = encode_csv(&encoder, &read(&directory.join("data.csv"))).unwrap();
        assert_eq!(encoded.len(), expected.len(), "{case}");
        for (row, (ours, theirs)) in encoded.iter().zip(&expected).enumerate() {
            assert_eq!(ours, theirs, "{case}, row {row}");
        }
        rows += encoded.len();
    }
    assert_eq!(rows, 96);
}

#[test]
fn values_clkhash_refuses_are_errors_naming_the_same_line_and_feature() {
    let invalid: serde_json::Value =
        serde_json::from_str(&read(&fixtures().join("invalid.json"))).unwrap();
    for case in invalid.as_array().unwrap() {
        let name = case["schema"].as_str().unwrap();
        let schema =
            LinkageSchema::from_json_str(&read(&fixtures().join(name).join("schema.json")))
                .unwrap();
        let encoder = Encoder::new(schema, secret().as_bytes()).unwrap();
        let error = encode_csv(&encoder, case["csv"].as_str().unwrap()).unwrap_err();
        let EncodeError::InvalidEntry { line, feature, .. } = &error else {
            panic!("{}: {error:?}", case["what"]);
        };
        assert_eq!(
            *line as u64,
            case["line"].as_u64().unwrap(),
            "{}",
            case["what"]
        );
        assert_eq!(
            feature,
            case["feature"].as_str().unwrap(),
            "{}",
            case["what"]
        );
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("line {line}, feature '{feature}': ")),
            "{message}"
        );
    }
}

#[test]
fn three_parties_are_grouped_as_anonlink_groups_them() {
    let directory = fixtures().join("multiparty");
    let datasets: Vec<EncodingMatrix> = (0..3)
        .map(|party| {
            let clks =
                clk_file::from_json(&read(&directory.join(format!("party{party}.json")))).unwrap();
            EncodingMatrix::from_encodings(&clks)
        })
        .collect();
    let expected: serde_json::Value =
        serde_json::from_str(&read(&directory.join("anonlink_groups.json"))).unwrap();
    let threshold = Threshold::new(expected["threshold"].as_f64().unwrap()).unwrap();
    let result = match_datasets(&datasets, threshold, Blocking::AllPairs, &NoProgress).unwrap();
    assert_eq!(
        result.diagnostics.candidate_pairs as u64,
        expected["candidate_pairs"].as_u64().unwrap()
    );
    let groups: Vec<Vec<(usize, usize)>> = expected["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| {
            group
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r[0].as_u64().unwrap() as usize,
                        r[1].as_u64().unwrap() as usize,
                    )
                })
                .collect()
        })
        .collect();
    assert!(groups.iter().any(|g| g.len() == 3));
    assert_eq!(result.groups, groups);
}
