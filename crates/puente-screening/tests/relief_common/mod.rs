//! Loading the relief vignettes of `tests/relief_vignettes/`, shared by the relief test binaries.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use puente_core::relief_facts::ReliefFact;
use puente_core::screening_facts::Fact;
use puente_core::Vocabulary;
use puente_screening::relief::{ReliefInput, ReliefOption};
use serde::Deserialize;

/// One vignette: a story, the input of relief.md, and what is expected of some options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReliefVignette {
    pub story: String,
    pub input: serde_json::Value,
    /// Option id to what is expected of it; options not named are not checked by this vignette.
    pub expect: BTreeMap<String, OptionExpectation>,
}

/// What a vignette expects of one option. A list given is compared exactly, in order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionExpectation {
    pub status: String,
    pub met: Option<Vec<String>>,
    pub missing: Option<Vec<String>>,
    pub blocking: Option<Vec<String>>,
    pub deadline: Option<serde_json::Value>,
}

pub fn vignette_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/relief_vignettes")
}

/// The date the vignettes are assessed on when they carry no `as_of`.
pub fn today() -> time::Date {
    time::macros::date!(2026 - 12 - 01)
}

/// Every relief vignette, sorted by name, with its parsed input.
pub fn load_relief_vignettes() -> Vec<(String, ReliefVignette, ReliefInput)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(vignette_dir())
        .expect("tests/relief_vignettes exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let vignette: ReliefVignette =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let input = ReliefInput::from_json(&vignette.input.to_string())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, vignette, input)
        })
        .collect()
}

/// The codes that must never appear in the words of an explanation or a next step: every fact
/// code, every option id and the terms of relief.md.
pub fn codes_never_in_words() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = Vec::new();
    codes.extend(Fact::all().iter().map(|fact| fact.code()));
    codes.extend(ReliefFact::all().iter().map(|fact| fact.code()));
    codes.extend(
        puente_core::relief_facts::ReliefOptionKind::all()
            .iter()
            .map(|option| option.code()),
    );
    codes.extend([
        "TRAFFICKED",
        "IN_US",
        "FOREIGN",
        "MINOR",
        "UNDER_21",
        "UNDER_16",
        "CONTINUED_PRESENCE_OR_T_VISA",
        "current_country",
        "date_of_birth",
        "us_arrival",
        "not_indicated",
    ]);
    codes
}

/// The codes found in an option's words.
pub fn codes_in_words(option: &ReliefOption) -> Vec<String> {
    let mut texts = vec![option.explanation.clone()];
    texts.extend(option.next_steps.iter().cloned());
    if let Some(deadline) = &option.deadline {
        texts.push(deadline.text.clone());
    }
    let mut found = Vec::new();
    for code in codes_never_in_words() {
        if texts.iter().any(|text| text.contains(code)) {
            found.push(code.to_string());
        }
    }
    found
}
