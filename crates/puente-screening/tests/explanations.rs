//! Snapshot tests (insta) of the explanations and next steps of every vignette, in Spanish and
//! English. A change of wording shows up as a snapshot diff to review.

mod common;

use common::load_vignettes;
use puente_core::Lang;
use puente_screening::screen;

#[test]
fn explanations_and_next_steps_in_both_languages() {
    for (name, vignette, input) in load_vignettes() {
        let mut text = format!("story: {}\n", vignette.story);
        for lang in Lang::ALL {
            let result = screen(&input, lang);
            text.push_str(&format!("\n== {lang}: {} ==\nexplanation:\n", result.level));
            for line in &result.explanation {
                text.push_str(&format!("- {line}\n"));
            }
            text.push_str("next_steps:\n");
            for step in &result.next_steps {
                text.push_str(&format!("- {step}\n"));
            }
        }
        insta::assert_snapshot!(name, text);
    }
}
