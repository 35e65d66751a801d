#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// Hostile input must never panic: no unwrap/expect outside tests.
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod clean;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod features;
pub mod input;
pub mod label;
pub mod lexicon;
pub mod markdown;
pub mod model;
pub mod prescan;
pub mod progress;
pub mod segment;
pub mod tokens;
pub mod train;
pub mod trees;

pub use clean::{Cleaned, Cleaner, Keep};
pub use error::{Error, Result};
pub use model::Model;
