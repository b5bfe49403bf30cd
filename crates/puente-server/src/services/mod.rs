//! Operations that several route modules share, between the routes and the store and engines.
//! A route module calls a service, never another route module.

/// The audit entries about one case.
pub mod audit;
/// Likely duplicates of a person among the organisation's records.
pub mod duplicates;
/// The organisation's users: creating them and changing their roles.
pub mod users;
