//! The web application (issue 4).
