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
}
