//! The one error type of `hirelm-train`.

use std::path::PathBuf;

/// What can go wrong with adapters.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoraError {
    /// The model layer below failed (reading weights, shapes).
    #[error(transparent)]
    Model(#[from] hirelm_model::ModelError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An `adapter_config.json` or LoRA setting is invalid.
    #[error("adapter config {field}: {reason}")]
    Config {
        /// The field (PEFT's name).
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A training checkpoint could not be written or read.
    #[error("checkpoint {path}: {reason}")]
    Checkpoint {
        /// The checkpoint directory or file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// An adapter file lacks a tensor the config implies, or has one with a wrong shape.
    #[error("adapter tensor `{name}`: {reason}")]
    Tensor {
        /// The tensor's PEFT name.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

/// Result alias for this crate.
pub type Result<T, E = LoraError> = std::result::Result<T, E>;

impl LoraError {
    /// A config error for `field`.
    pub fn config(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Config {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
