//! Synthetic, realistic data for Puente's demo, tests and benchmarks. Never real people.
//!
//! Everything here is deterministic for a seed. Pure: no I/O.

/// Synthetic cases for the demo, with the demo organisations.
pub mod demo;
/// The legal track of demo cases: reports, proceedings, certifications, relief applications.
pub mod demo_legal;
/// The perpetrators of demo cases, with a recruiter who appears in three cases.
pub mod demo_perpetrators;
/// The demo's service directory across the region, with its deliberate gaps and national hotlines.
pub mod directory;
/// A Latin American record-linkage test set with known duplicates (for `puente-linkage`'s benchmark).
pub mod linkage_set;
/// Weighted Latin American given names and surnames.
pub mod names;
