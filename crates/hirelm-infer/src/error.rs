//! The one error type of `hirelm-infer`.

use hirelm_core::Task;

/// What can go wrong when loading or running the domain model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InferError {
    /// Loading or tokenising failed in the model layer.
    #[error(transparent)]
    Model(#[from] hirelm_model::ModelError),
    /// An adapter could not be loaded or merged.
    #[error(transparent)]
    Lora(#[from] hirelm_train::LoraError),
    /// The output schema cannot be enforced, or decoding broke the constraint.
    #[error(transparent)]
    Constraint(#[from] crate::constrain::ConstraintError),
    /// A weight tensor is missing or has the wrong shape.
    #[error("weight `{name}`: {reason}")]
    Tensor {
        /// HF name of the tensor.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The prompt plus the answer would not fit the context window.
    #[error("sequence of {needed} tokens exceeds the context window of {limit}")]
    ContextFull {
        /// Tokens the request needs.
        needed: usize,
        /// The window.
        limit: usize,
    },
    /// A token id outside the vocabulary.
    #[error("token id {id} is outside the vocabulary of {vocab}")]
    TokenOutOfRange {
        /// The id.
        id: u32,
        /// Vocabulary size.
        vocab: usize,
    },
    /// The model's answer does not fit the task's record type.
    #[error("{task} answer does not fit its record: {reason}")]
    Answer {
        /// The task.
        task: Task,
        /// What is wrong.
        reason: String,
    },
    /// The deadline passed before the answer was complete.
    #[error("no answer within the deadline ({tokens} tokens generated)")]
    Timeout {
        /// Tokens generated before stopping.
        tokens: usize,
    },
    /// A request or configuration value is invalid.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field or argument.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

impl InferError {
    pub(crate) fn tensor(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Tensor {
            name: name.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Result with [`InferError`].
pub type Result<T, E = InferError> = std::result::Result<T, E>;
