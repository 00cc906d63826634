//! The one error type of `hirelm-model`.

use std::path::PathBuf;

/// Everything that can go wrong while reading, building or running a model.
///
/// Every variant carries the context a user needs to fix the input: the file, the byte offset and
/// field of a malformed header, the tensor or metadata key that is missing or wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// Reading or mapping a file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A GGUF file is malformed or truncated at `offset`, in `field`.
    #[error("malformed GGUF at byte offset {offset}, field `{field}`: {reason}")]
    Gguf {
        /// Byte offset from the start of the file where the problem was found.
        offset: u64,
        /// The header field, metadata key or tensor being read.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A metadata key is missing or has the wrong type or value.
    #[error("metadata `{key}`: {reason}")]
    Metadata {
        /// The metadata key (GGUF) or config field (HF `config.json`).
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A tensor the architecture needs is not in the file.
    #[error("missing tensor `{name}`")]
    MissingTensor {
        /// The tensor's name in the file's naming scheme.
        name: String,
    },
    /// A tensor has a different shape than the configuration implies.
    #[error("tensor `{name}` has shape {got:?}, expected {expected:?}")]
    ShapeMismatch {
        /// The tensor's name.
        name: String,
        /// The shape the configuration implies (row-major, outermost first).
        expected: Vec<usize>,
        /// The shape in the file.
        got: Vec<usize>,
    },
    /// A tensor's storage type is not supported.
    #[error("tensor `{name}`: unsupported type {dtype}")]
    UnsupportedType {
        /// The tensor's name.
        name: String,
        /// The storage type as the file names it.
        dtype: String,
    },
    /// A safetensors file could not be parsed.
    #[error("safetensors {path}: {reason}")]
    Safetensors {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A configuration is inconsistent (e.g. heads do not divide the hidden size).
    #[error("invalid model config: {0}")]
    Config(String),
    /// Building or running the tokenizer failed.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// A model source (path or `hf://owner/repo`) could not be resolved.
    #[error("model source `{source_name}`: {reason}")]
    Source {
        /// The source as given by the user.
        source_name: String,
        /// Why it could not be resolved, and how to fix it.
        reason: String,
    },
    /// Generation was asked for something impossible (e.g. a prompt longer than the context).
    #[error("generation: {0}")]
    Generation(String),
}

/// Result alias for this crate.
pub type Result<T, E = ModelError> = std::result::Result<T, E>;

impl ModelError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// A GGUF format error at `offset` in `field`.
    pub fn gguf(offset: u64, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Gguf {
            offset,
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A metadata error for `key`.
    pub fn metadata(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Metadata {
            key: key.into(),
            reason: reason.into(),
        }
    }
}
