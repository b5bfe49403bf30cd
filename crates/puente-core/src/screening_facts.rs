//! The screening facts vocabulary of `shared/docs/screening.md`. Owned by the screening work.
