//! The one error type of `hirelm-curate`.

use std::path::PathBuf;

/// Errors of reading sources, generating examples and writing datasets. Every variant names
/// the file, and the line or field where one applies.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CurateError {
    /// A source file is absent.
    #[error("{path}: missing source file ({hint})")]
    MissingSource {
        /// The path looked for.
        path: PathBuf,
        /// How to get it, e.g. "run scripts/fetch-data.sh".
        hint: String,
    },
    /// An I/O error on a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A malformed record in a text source (CSV row, JSON line, dictionary line).
    #[error("{path}:{line}: {field}: {reason}")]
    Record {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The field or column at fault.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// An SQLite source that cannot be read as expected.
    #[error("{path}: sqlite: {reason}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What failed (query and error).
        reason: String,
    },
    /// A Parquet file that cannot be written or read, or has the wrong schema.
    #[error("{path}: parquet: {reason}")]
    Parquet {
        /// The Parquet file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// An invalid configuration value.
    #[error("{path}: config field `{field}`: {reason}")]
    Config {
        /// The config file (or `<memory>`).
        path: PathBuf,
        /// The field at fault.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A generated example whose target fails its task schema.
    #[error("generated example ({source_name}) is invalid: {error}")]
    InvalidExample {
        /// The source the example came from.
        source_name: String,
        /// The schema error, naming the JSON path.
        error: hirelm_core::CoreError,
    },
    /// The sentence embedder failed.
    #[error("embedding failed: {0}")]
    Embed(String),
}

impl CurateError {
    /// An [`CurateError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CurateError::Io {
            path: path.into(),
            source,
        }
    }

    /// A CSV reader error on `path`, at the line the reader reports.
    pub fn csv_row(path: impl Into<PathBuf>, e: &csv::Error) -> Self {
        Self::record(
            path,
            e.position().map(|p| p.line()).unwrap_or(0),
            "row",
            e.to_string(),
        )
    }

    /// A [`CurateError::Record`] error.
    pub fn record(
        path: impl Into<PathBuf>,
        line: u64,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        CurateError::Record {
            path: path.into(),
            line,
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Opens a source file, mapping a missing file to [`CurateError::MissingSource`] that names the
/// script to run.
pub fn open_source(path: &std::path::Path, hint: &str) -> Result<std::fs::File, CurateError> {
    std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CurateError::MissingSource {
            path: path.to_path_buf(),
            hint: hint.to_string(),
        },
        _ => CurateError::io(path, e),
    })
}

/// The hint for sources fetched by `scripts/fetch-data.sh`.
pub const FETCH_HINT: &str = "run scripts/fetch-data.sh first";
/// The hint for files of the shared data folder.
pub const SHARED_HINT: &str =
    "expected ../shared/data (see its PROVENANCE.md) or set the path in the config";
