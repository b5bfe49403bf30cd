//! The entity-resolution engine (issue 6).
