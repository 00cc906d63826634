//! The one error type of `hirelm-eval`.

use std::path::PathBuf;

/// Errors of loading evaluation data, suites and baselines, and of running predictors.
///
/// A predictor that answers with output that does not parse is *not* an error: the runner counts
/// it as a failed case. These errors are for things that stop a run from being meaningful.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A data row or field that does not parse.
    #[error("{}:{line}: field `{field}`: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line (or record) number; 0 when unknown.
        line: usize,
        /// The field or column.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A suite or baseline file that is not valid.
    #[error("{}: {message}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A name (metric, pack, predictor, format) that is not known.
    #[error("unknown {kind} `{name}`; expected one of: {expected}")]
    UnknownName {
        /// What kind of name: "metric", "perturbation pack", "predictor", "format".
        kind: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        expected: String,
    },
    /// A predictor asked for a task it does not do.
    #[error("predictor `{predictor}` does not support task `{task}`")]
    UnsupportedTask {
        /// The predictor's name.
        predictor: String,
        /// The task.
        task: String,
    },
    /// A data source (titles, SkillSpan) that does not read, from `hirelm-curate`'s readers.
    #[error(transparent)]
    Source(#[from] hirelm_curate::CurateError),
    /// The embedding model failed.
    #[error("embedding model: {0}")]
    Model(#[from] hirelm_model::ModelError),
    /// Invalid arguments to a metric or transform.
    #[error("{0}")]
    Invalid(String),
}

impl EvalError {
    /// An [`EvalError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`EvalError::Parse`].
    pub fn parse(
        path: impl Into<PathBuf>,
        line: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::Parse {
            path: path.into(),
            line,
            field: field.into(),
            message: message.into(),
        }
    }

    /// An [`EvalError::Config`].
    pub fn config(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::Config {
            path: path.into(),
            message: message.into(),
        }
    }

    /// An [`EvalError::UnknownName`].
    pub fn unknown(kind: &'static str, name: &str, expected: &[&str]) -> Self {
        Self::UnknownName {
            kind,
            name: name.to_string(),
            expected: expected.join(", "),
        }
    }
}

/// `Result` with [`EvalError`].
pub type Result<T, E = EvalError> = std::result::Result<T, E>;
