//! Storage (issue 2).
