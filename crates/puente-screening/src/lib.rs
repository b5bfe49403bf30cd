//! Puente's screening engine: an explainable identification of trafficking, smuggling and related
//! harms (the normative text is `shared/docs/screening.md`).
//!
//! This crate is pure: no I/O, no async, no file system. It takes data and returns data plus
//! diagnostics. The CLI (`puente screen`) and the web app are glue around it.
//!
//! # A guided tour
//!
//! - The facts are [`Fact`] codes, defined once in `puente_core::screening_facts`. An input is a
//!   [`ScreeningInput`]: a [`PersonContext`] (age, sex, nationality, current country,
//!   unaccompanied; all optional) and a set of facts. [`ScreeningInput::from_json`] reads
//!   screening.md's JSON and refuses an unknown code or a non-numeric age with an error naming it.
//! - [`screen`] (or [`screen_with`], for extra hotlines) applies the [`rules`] and returns a
//!   [`ScreeningResult`] that serialises exactly as screening.md shows, plus `rule_set_version`.
//!   Each rule lives in its own file under `rules/`, reads like the law it encodes, and cites
//!   itself by a stable identifier in the explanation.
//! - The [`catalogue`] is the indicator catalogue as data: for every fact, its group, its HTCDS
//!   MethodsOfControl code, its sources and the question a screener asks, in Spanish and English,
//!   in adult and child-appropriate wording.
//! - The [`questionnaire`] module builds the quick screen, the full assessment and the child
//!   screen on the catalogue, as a pure state machine that a terminal or a web page drives one
//!   question at a time; answers become facts, and the engine never sees raw answers.
//!
//! ```
//! use puente_screening::{screen, Level, ScreeningInput};
//! use puente_core::Lang;
//!
//! let input = ScreeningInput::from_json(
//!     r#"{"person": {"age": 16, "current_country": "US"},
//!         "facts": ["act_recruited", "activity_labour", "cond_excessive_hours"]}"#,
//! ).unwrap();
//! let result = screen(&input, Lang::En);
//! assert_eq!(result.level, Level::StrongIndicators);
//! assert!(result.frameworks.palermo.met);     // a child: no means required
//! assert!(!result.frameworks.tvpa_labor.met); // US law: no minor exception for labour
//! assert_eq!(result.minor, Some(true));
//! ```
//!
//! Driving a questionnaire (the web app does the same over HTTP, one question per page):
//!
//! ```
//! use puente_screening::questionnaire::{Answer, Answers, Audience, Questionnaire};
//! use puente_core::Lang;
//!
//! let questionnaire = Questionnaire::quick();
//! let mut answers = Answers::default();
//! while let Some(question) = questionnaire.next_question(&answers) {
//!     let _text = question.text(Lang::Es, questionnaire.audience(&answers));
//!     let answer = if question.key.is_age() { Answer::Number(34) } else { Answer::No };
//!     answers.record(question, answer).unwrap();
//! }
//! let outcome = questionnaire.outcome(&answers);
//! assert!(outcome.input.facts.is_empty());
//! assert_eq!(outcome.input.person.age, Some(34));
//! ```
//!
//! # For the web app
//!
//! A page drives a questionnaire with four calls, keeping only the [`questionnaire::Answers`]
//! (a JSON object of question key to `"yes"`, `"no"`, `"unknown"` or a number) between requests:
//!
//! 1. [`questionnaire::Questionnaire::of_kind`] (`quick`, `full` or `child`);
//! 2. [`questionnaire::Questionnaire::next_question`] with the answers so far: `None` when done;
//!    show [`questionnaire::Question::text`] in the user's language and
//!    [`questionnaire::Questionnaire::audience`] (child wording for a child), its section and
//!    [`questionnaire::Questionnaire::progress`];
//! 3. [`questionnaire::Answers::set`] with the key (`QuestionKey` parses from its string) and the
//!    answer; the person may stop at any time;
//! 4. [`questionnaire::Questionnaire::outcome`], then fill in what the page knows of the person
//!    (current country, nationality), and [`screen_with`] with the service directory's hotlines.
//!
//! Store the [`ScreeningInput`] and the [`ScreeningResult`]'s codes (it carries
//! `rule_set_version`); never re-derive an old result with a newer rule set. To show a stored
//! result, [`explain`] writes its explanation and next steps in the reader's language from the
//! stored input and verdicts: facts by their labels (worded for the person's sex in Spanish),
//! rules by their names; the codes stay in the JSON fields.

/// The indicator catalogue: group, HTCDS code, sources and questions for every fact.
pub mod catalogue;
/// The statutory clocks a screening starts (the TVPRA's 48 and 72 hours).
pub mod clocks;
/// The groups of facts the rules are written in (FORCE, FRAUD, COERCION, LABOUR_LIKE, ...).
pub mod groups;
/// Hotline numbers for next steps.
pub mod hotlines;
/// The questionnaires: quick, full and child, as pure state machines.
pub mod questionnaire;
/// The relief screener of `shared/docs/relief.md`: immigration relief and victim protections.
pub mod relief;
/// The rules, one per file, and their registry with the rule-set version.
pub mod rules;
/// How facts are worded for a reader: labels in the reader's language, by the person's sex.
pub mod wording;

mod engine;
mod input;
mod result;

pub use engine::{explain, screen, screen_with, Explanation, ScreeningOptions};
pub use input::{InputError, PersonContext, ScreeningInput, Sex, AGE_OF_MAJORITY};
pub use puente_core::screening_facts::{Fact, FactGroup};
pub use result::{
    ConversionSign, ConversionSignKind, Frameworks, IloVerdict, Level, Missing, PalermoVerdict,
    ScreeningResult, SmugglingAssessment, TvpaVerdict,
};
pub use rules::{rule_set, RuleInfo, RuleSet, RULE_SET_VERSION};
