//! HF tensor names of a BERT checkpoint, with or without the `bert.` prefix.

use super::BertConfig;
use crate::weights::WeightSource;

/// Maps HF BERT tensor names (`embeddings.word_embeddings.weight`, ...) to the names in one
/// checkpoint, which may prefix them with `bert.` (a `BertForXxx` export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorNames {
    prefix: String,
}

impl TensorNames {
    /// Names without a prefix, as in `sentence-transformers` exports of a bare `BertModel`.
    pub fn bare() -> Self {
        Self {
            prefix: String::new(),
        }
    }

    /// Names under `prefix` (e.g. `"bert."`).
    pub fn with_prefix(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    /// Detects the naming of `src`: `bert.` when `bert.embeddings.word_embeddings.weight`
    /// exists, bare otherwise (a missing tensor is then reported under its bare name).
    pub fn detect(src: &dyn WeightSource) -> Self {
        if !src.contains("embeddings.word_embeddings.weight")
            && src.contains("bert.embeddings.word_embeddings.weight")
        {
            Self::with_prefix("bert.")
        } else {
            Self::bare()
        }
    }

    /// The checkpoint name of the HF tensor `name`.
    pub fn get(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The checkpoint name of `encoder.layer.{layer}.{name}`.
    pub fn layer(&self, layer: usize, name: &str) -> String {
        format!("{}encoder.layer.{layer}.{name}", self.prefix)
    }

    /// Every tensor a [`BertModel`](super::BertModel) of `config` reads, with its shape as
    /// stored by PyTorch (`nn.Linear` weights are `[out, in]`), in load order.
    pub fn expected(&self, config: &BertConfig) -> Vec<(String, Vec<usize>)> {
        let h = config.hidden_size;
        let ff = config.intermediate_size;
        let mut out = vec![
            (
                self.get("embeddings.word_embeddings.weight"),
                vec![config.vocab_size, h],
            ),
            (
                self.get("embeddings.position_embeddings.weight"),
                vec![config.max_position_embeddings, h],
            ),
            (
                self.get("embeddings.token_type_embeddings.weight"),
                vec![config.type_vocab_size, h],
            ),
            (self.get("embeddings.LayerNorm.weight"), vec![h]),
            (self.get("embeddings.LayerNorm.bias"), vec![h]),
        ];
        for i in 0..config.num_layers {
            for proj in [
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
                "attention.output.dense",
            ] {
                out.push((self.layer(i, &format!("{proj}.weight")), vec![h, h]));
                out.push((self.layer(i, &format!("{proj}.bias")), vec![h]));
            }
            out.push((self.layer(i, "attention.output.LayerNorm.weight"), vec![h]));
            out.push((self.layer(i, "attention.output.LayerNorm.bias"), vec![h]));
            out.push((self.layer(i, "intermediate.dense.weight"), vec![ff, h]));
            out.push((self.layer(i, "intermediate.dense.bias"), vec![ff]));
            out.push((self.layer(i, "output.dense.weight"), vec![h, ff]));
            out.push((self.layer(i, "output.dense.bias"), vec![h]));
            out.push((self.layer(i, "output.LayerNorm.weight"), vec![h]));
            out.push((self.layer(i, "output.LayerNorm.bias"), vec![h]));
        }
        out
    }
}
