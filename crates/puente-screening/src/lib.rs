//! The screening engine (issue 3).
