//! The one error type of `hirelm-core`.

/// Errors of parsing hirelm's shared vocabulary.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A task name that is not one of [`crate::Task::ALL`].
    #[error("unknown task `{name}`; expected one of: {expected}")]
    UnknownTask {
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        expected: String,
    },
    /// A task output that does not follow the task's output schema.
    #[error("invalid {task} output at {path}: {reason}")]
    InvalidOutput {
        /// The task whose schema was checked.
        task: crate::Task,
        /// JSON path of the failing value, e.g. `$.budget.min_usd` or `$.skills[2]`.
        path: String,
        /// What is wrong there.
        reason: String,
    },
    /// A task input that is not of the shape the task reads.
    #[error("{task} input is not {expected}: {reason}")]
    InvalidInput {
        /// The task.
        task: crate::Task,
        /// The record type (or shape) it reads.
        expected: &'static str,
        /// What serde or the shape check found.
        reason: String,
    },
    /// A data file that cannot be read or holds a malformed record.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What failed, with the line where one applies.
        reason: String,
    },
}
