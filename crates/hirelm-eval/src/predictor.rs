//! The [`Predictor`] trait: anything that answers a hiring task, from a BM25 index to the tuned LM.
//!
//! Inputs and outputs are JSON values shaped per task (see [`crate::io`]); a predictor returns the
//! *raw* text it produced, so an LM whose output does not parse is scored as a failed case rather
//! than crashing the run.

use hirelm_core::Task;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Result;

/// How an output was decoded. Classical baselines are deterministic: [`DecodingParams::deterministic`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodingParams {
    /// Greedy (argmax) decoding, or a deterministic non-LM method.
    pub greedy: bool,
    /// Sampling temperature; 0 for greedy.
    pub temperature: f32,
    /// Sampling seed, when sampling.
    pub seed: Option<u64>,
    /// Generation budget in tokens, for LMs.
    pub max_new_tokens: Option<usize>,
    /// Candidates returned for ranking tasks.
    pub top_k: Option<usize>,
}

impl DecodingParams {
    /// Parameters of a deterministic method returning `top_k` ranked candidates.
    pub fn deterministic(top_k: usize) -> Self {
        Self {
            greedy: true,
            temperature: 0.0,
            seed: None,
            max_new_tokens: None,
            top_k: Some(top_k),
        }
    }

    /// A stable text form, part of the prediction cache key.
    pub fn cache_key(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Tokens a language model read and wrote for one answer: what a hosted API would bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens (the whole rendered prompt, system turn included, even when a cached
    /// prefix spared the model from reading it again).
    pub prompt_tokens: usize,
    /// Generated tokens.
    pub completion_tokens: usize,
}

/// One answer: the raw output text (JSON when the predictor behaves) and how it was decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The output as produced; parsed and validated by the scorer.
    pub raw: String,
    /// The decoding parameters used.
    pub decoding: DecodingParams,
    /// Tokens read and written, for language models; `None` for methods without tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

impl Prediction {
    /// A prediction from raw text.
    pub fn new(raw: impl Into<String>, decoding: DecodingParams) -> Self {
        Self {
            raw: raw.into(),
            decoding,
            usage: None,
        }
    }

    /// A prediction from a JSON value.
    pub fn json(value: &serde_json::Value, decoding: DecodingParams) -> Self {
        Self::new(value.to_string(), decoding)
    }

    /// The same prediction with its token usage.
    pub fn with_usage(self, usage: Usage) -> Self {
        Self {
            usage: Some(usage),
            ..self
        }
    }
}

/// A model or method that answers hiring tasks.
pub trait Predictor: Send + Sync {
    /// A short name for reports ("bm25", "minilm-nn", "smollm2-135m+lora").
    fn name(&self) -> &str;

    /// A hash of everything that determines the outputs (model weights, adapter, index contents,
    /// options), hex-encoded; predictions are cached under it.
    fn content_hash(&self) -> String;

    /// Whether the predictor answers `task`.
    fn supports(&self, task: Task) -> bool;

    /// Answers one input. `Err` is for failures of the predictor itself (I/O, model errors);
    /// the runner counts them as failed cases too.
    fn predict(&self, task: Task, input: &serde_json::Value) -> Result<Prediction>;

    /// Answers several inputs; the default calls [`predict`](Self::predict) per input.
    /// Predictors that batch (embedding models, LMs) override it.
    fn predict_batch(&self, task: Task, inputs: &[serde_json::Value]) -> Vec<Result<Prediction>> {
        inputs
            .iter()
            .map(|input| self.predict(task, input))
            .collect()
    }
}

/// Hex SHA-256 of several byte strings, each length-prefixed so boundaries matter.
pub fn hash_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_parts_depends_on_boundaries() {
        let a = hash_parts([b"ab".as_slice(), b"c".as_slice()]);
        let b = hash_parts([b"a".as_slice(), b"bc".as_slice()]);
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(a, hash_parts([b"ab".as_slice(), b"c".as_slice()]));
    }
}
