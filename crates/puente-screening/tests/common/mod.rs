//! Loading the vignettes of `tests/vignettes/`, shared by the test binaries.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use puente_screening::ScreeningInput;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vignette {
    pub story: String,
    pub person: serde_json::Value,
    pub facts: serde_json::Value,
    pub expect: Expectation,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub level: String,
    pub minor: Option<bool>,
    pub palermo: bool,
    pub tvpa_sex: bool,
    pub tvpa_labor: bool,
    pub ilo_forced_labour: bool,
    pub smuggling: bool,
    pub conversion_signs: Vec<String>,
    #[serde(default)]
    pub urgent: Option<Vec<String>>,
}

pub fn vignette_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vignettes")
}

/// Every vignette file, sorted by name, with its parsed content.
pub fn load_vignettes() -> Vec<(String, Vignette, ScreeningInput)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(vignette_dir())
        .expect("tests/vignettes exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let vignette: Vignette =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let input_json =
                serde_json::json!({"person": vignette.person, "facts": vignette.facts});
            let input = ScreeningInput::from_json(&input_json.to_string())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, vignette, input)
        })
        .collect()
}
