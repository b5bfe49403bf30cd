//! Snapshot tests (insta) of the relief explanations, next steps and deadlines of every relief
//! vignette, in Spanish and English. A change of wording shows up as a snapshot diff to review.

mod relief_common;

use puente_core::Lang;
use puente_screening::relief::assess_relief;
use relief_common::{load_relief_vignettes, today};

#[test]
fn relief_explanations_and_next_steps_in_both_languages() {
    for (name, vignette, input) in load_relief_vignettes() {
        let mut text = format!("story: {}\n", vignette.story);
        for lang in Lang::ALL {
            let result = assess_relief(&input, today(), lang);
            text.push_str(&format!("\n== {lang}: {} ==\n", result.trafficking.level));
            for option in &result.options {
                text.push_str(&format!("\n[{}] {}\n", option.id, option.status));
                text.push_str(&format!("{}\n", option.explanation));
                for step in &option.next_steps {
                    text.push_str(&format!("- {step}\n"));
                }
            }
        }
        insta::assert_snapshot!(name, text);
    }
}
