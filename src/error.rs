//! The one error type of the library: every message says what went wrong and, where there
//! is one, the number that was out of bounds.

use std::path::PathBuf;

/// Everything that can go wrong while reading, cleaning, training or evaluating.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The page has no bytes at all.
    #[error("empty input: the page has no bytes")]
    EmptyInput,
    /// The page exceeds one of the configured ceilings (see `corpus::Limits`).
    #[error("{what} is {found}, over the limit of {limit}")]
    LimitExceeded {
        /// What was measured, e.g. "input size in bytes" or "nesting depth".
        what: &'static str,
        /// What the page has (for gzip: decompressed so far).
        found: u64,
        /// The limit in force.
        limit: u64,
    },
    /// Gzip data that does not decompress.
    #[error("corrupt gzip data: {0}")]
    Gzip(std::io::Error),
    /// The bytes do not look like text at all.
    #[error("not HTML: {0}")]
    NotHtml(String),
    /// The model file is not valid model JSON.
    #[error("model file is not a valid boilerclass model: {0}")]
    ModelParse(#[from] serde_json::Error),
    /// The model was written by an incompatible version.
    #[error("model format version {found} is not supported (this build reads version {expected})")]
    ModelVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// The model's contents are inconsistent with this build or with themselves.
    #[error("invalid model: {0}")]
    ModelInvalid(String),
    /// A JSON line or an input record is not a usable page.
    #[error("{0}")]
    Input(String),
    /// A WARC archive or one of its records is malformed.
    #[error("WARC: {0}")]
    Warc(String),
    /// A gold or labelled corpus is malformed.
    #[error("corpus: {0}")]
    Corpus(String),
    /// Training could not produce a model.
    #[error("training failed: {0}")]
    Training(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
