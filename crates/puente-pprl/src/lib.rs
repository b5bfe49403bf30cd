//! Privacy-preserving record linkage for Puente: organisations learn which of their records belong
//! to the same person without exchanging names. A pure engine: data in, data and diagnostics out;
//! no I/O, no async.
//!
//! - [`schema`]: linkage schema version 3 as clkhash 0.18.3 reads it.
//! - [`encode`]: CLK encodings byte for byte as clkhash 0.18.3 writes them, plus hardening.
//! - [`clk_file`]: the `{"clks": [...]}` files of base64 encodings.
//! - [`matching`]: Dice similarity on bit vectors, LSH blocking and anonlink's greedy solver.
//! - [`latam`]: the built-in profile for Latin American records, normalised and hardened.

pub mod clk_file;
mod date_format;
pub mod encode;
mod error;
mod keys;
pub mod latam;
pub mod matching;
pub mod schema;

pub use date_format::DateFormat;
pub use encode::{Encoder, Hardening, RecordFields};
pub use error::{ClkFileError, EncodeError, MatchError, SchemaError, Text};
pub use schema::LinkageSchema;
