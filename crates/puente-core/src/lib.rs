//! Puente's domain model and every controlled vocabulary.
//!
//! This crate is pure: no I/O, no async, no database. Every code Puente stores or exchanges is defined
//! here once, with its Spanish and English labels; other crates refer to these types and never
//! redefine a code.

/// ISO 3166-1 countries with es/en names and E.164 calling codes.
pub mod bounds;
/// What changed between two versions of a case, field by field, with labels and shown values.
pub mod case_changes;
/// Statistics bucketing: what each case is counted under in every dashboard dimension, and the one
/// tabulation of cases into raw counts (published only through `puente-disclosure`).
pub mod case_stats;
pub mod country;
/// The CTDC Global Dataset's 63-column record and its mapping to HTCDS codes.
pub mod ctdc;
/// The case-management domain model on HTCDS 2.0: organisations, persons, cases, events, consent.
pub mod domain;
/// The HTCDS 2.0 vocabularies (trafficking status, methods of control, types of exploitation, ...).
pub mod htcds;
/// The two user-facing languages and bilingual labels.
pub mod lang;
/// The legal track: reports to authorities, proceedings, participation, certifications, relief
/// applications.
pub mod legal;
/// Merging two records of one person: the field-by-field choice and its preset.
pub mod person_merge;
/// The one phone normaliser (on the `phonenumber` crate, a libphonenumber port).
pub mod phone;
/// The relief facts and relief options of `shared/docs/relief.md`.
pub mod relief_facts;
/// The screening facts vocabulary of `shared/docs/screening.md`.
pub mod screening_facts;
/// The rules of sharing a case between organisations: shareable parts, consent coverage, the
/// referral state machine and what the receiver sees.
pub mod sharing;
/// The trait and macro behind every controlled vocabulary.
pub mod vocabulary;

pub use country::Country;
pub use lang::{Label, Lang};
pub use vocabulary::{UnknownCode, Vocabulary};

#[doc(hidden)]
pub use serde as __serde;
