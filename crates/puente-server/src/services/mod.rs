//! Operations that several route modules share, between the routes and the store and engines.
//! A route module calls a service, never another route module.

/// The notices of privileged roles given in an organisation.
pub mod account_notices;
/// One's own account and an admin's care of others': passwords, one-time links, deactivation,
/// the second factor, recovery codes and notification e-mails.
pub mod accounts;
/// The audit entries about one case.
pub mod audit;
/// A case's rows as its reader sees them: labels in the reader's language.
pub mod case_rows;
/// The service directory's matches in the reader's language.
pub mod directory;
/// Likely duplicates of a person among the organisation's records.
pub mod duplicates;
/// The receiver's own case opened from an accepted referral.
pub mod handover;
/// The legal track's writes (API and pages alike) and the tasks their dates become.
pub mod legal;
/// "Match with partners": encoding, uploading to a linkage unit, results and decisions.
pub mod matching;
/// The organisation's settings as the admin page's form sends them.
pub mod organisation_settings;
/// Perpetrators linked across the organisation's cases with the linkage engine.
pub mod perpetrators;
/// The organisation's users: creating them and changing their roles.
pub mod users;
