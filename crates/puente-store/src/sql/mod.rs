//! The SQL of every area, written once in the dialect both backends accept (`$N` placeholders,
//! `bool` bound as booleans, ISO-8601 text made in Rust, `ON CONFLICT`, `RETURNING`) and compiled
//! once per backend: `src/sqlite.rs` and `src/postgres.rs` each include this module with `#[path]`
//! after naming their store `Backend` and their sqlx database `Db`. What differs between the two
//! (how a write transaction begins, the audit head's lock, JSON aggregation) is a small function or
//! constant of the including module.

#[allow(unused_imports)]
use super::{json_rows_aggregate, Backend, Db, LOCK_AUDIT_HEAD};

/// A row of this backend.
pub(crate) type DbRow = <Db as sqlx::Database>::Row;
/// A connection of this backend (a transaction dereferences to one).
pub(crate) type DbConnection = <Db as sqlx::Database>::Connection;
/// The bound arguments of a query of this backend.
pub(crate) type DbArguments<'q> = <Db as sqlx::Database>::Arguments<'q>;

pub(crate) mod account_security;
pub(crate) mod accounts;
pub(crate) mod annual;
pub(crate) mod attachments;
pub(crate) mod audit;
pub(crate) mod case_access;
pub(crate) mod case_release;
pub(crate) mod case_search;
pub(crate) mod case_stats;
pub(crate) mod cases;
pub(crate) mod consents;
pub(crate) mod ctdc;
pub(crate) mod ctdc_datasets;
pub(crate) mod directory;
pub(crate) mod followup;
pub(crate) mod legal;
pub(crate) mod linkage_unit;
pub(crate) mod matching;
pub(crate) mod perpetrators;
pub(crate) mod person_links;
pub(crate) mod privacy_budgets;
pub(crate) mod referrals;
pub(crate) mod screening_voids;
pub(crate) mod screenings;
pub(crate) mod tasks;
