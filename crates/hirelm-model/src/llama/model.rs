//! The Llama decoder: token embedding, decoder blocks, final norm and (tied) output head.

use burn::module::{Module, Param};
use burn::tensor::module::embedding;
use burn::tensor::{Bool, Int, Tensor};

use super::block::DecoderBlock;
use super::cache::KvCache;
use super::config::LlamaConfig;
use super::rope::RotaryEmbedding;
use crate::linear::AdaptableLinear;
use crate::norm::RmsNorm;

/// A Llama-architecture causal language model (SmolLM2 and relatives).
///
/// Build it with [`LlamaModel::load`](crate::llama::LlamaModel::load) from GGUF or safetensors
/// weights; every projection is an [`AdaptableLinear`] so LoRA adapters attach in place.
#[derive(Module, Debug)]
pub struct LlamaModel {
    /// Token embedding, `[vocab, d_model]`; also the output head when embeddings are tied.
    pub embed_tokens: Param<Tensor<2>>,
    /// The decoder blocks.
    pub layers: Vec<DecoderBlock>,
    /// Final RMSNorm.
    pub norm: RmsNorm,
    /// Untied output head `[d_model, vocab]`; `None` when it is the embedding.
    pub lm_head: Option<AdaptableLinear>,
    /// RoPE tables.
    #[module(skip)]
    pub rope: RotaryEmbedding,
    /// The configuration the model was built from.
    #[module(skip)]
    pub config: LlamaConfig,
}

impl LlamaModel {
    /// Hidden states after the final norm.
    ///
    /// With a cache, `tokens` continue the cached sequence; without one they start at position 0.
    ///
    /// # Shapes
    /// - tokens: `[batch, seq]`
    /// - mask: `[batch, 1, seq, past + seq]` (true = blocked), replacing the causal mask
    /// - output: `[batch, seq, d_model]`
    pub fn forward_hidden(
        &self,
        tokens: Tensor<2, Int>,
        mut cache: Option<&mut KvCache>,
        mask: Option<Tensor<4, Bool>>,
    ) -> Tensor<3> {
        let mut x = embedding(self.embed_tokens.val(), tokens);
        for (index, layer) in self.layers.iter().enumerate() {
            let layer_cache = cache.as_deref_mut().map(|c| c.layer_mut(index));
            x = layer.forward(x, &self.rope, layer_cache, mask.clone());
        }
        self.norm.forward(x)
    }

    /// Projects hidden states to vocabulary logits.
    ///
    /// # Shapes
    /// - hidden: `[batch, seq, d_model]`
    /// - output: `[batch, seq, vocab]`
    pub fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        match &self.lm_head {
            Some(head) => head.forward(hidden),
            None => {
                // `E·hᵀ` reads the `[vocab, d_model]` embedding row-major as stored; `h·Eᵀ`
                // would hand the matmul a transposed view that is copied on every call.
                let [batch, seq, width] = hidden.dims();
                let rows = hidden.reshape([batch * seq, width]).transpose();
                let scores = self.embed_tokens.val().matmul(rows);
                scores
                    .transpose()
                    .reshape([batch, seq, self.config.vocab_size])
            }
        }
    }

    /// Logits for every position.
    ///
    /// # Shapes
    /// - tokens: `[batch, seq]`
    /// - output: `[batch, seq, vocab]`
    pub fn forward(&self, tokens: Tensor<2, Int>, cache: Option<&mut KvCache>) -> Tensor<3> {
        self.logits(self.forward_hidden(tokens, cache, None))
    }

    /// Logits of the last position only: what decoding needs, without projecting every prompt
    /// position onto the vocabulary.
    ///
    /// # Shapes
    /// - tokens: `[batch, seq]`
    /// - output: `[batch, vocab]`
    pub fn forward_last(&self, tokens: Tensor<2, Int>, cache: Option<&mut KvCache>) -> Tensor<2> {
        let hidden = self.forward_hidden(tokens, cache, None);
        let [batch, seq, _] = hidden.dims();
        let last = hidden.narrow(1, seq - 1, 1);
        self.logits(last).reshape([batch, self.config.vocab_size])
    }

    /// A new, empty KV cache sized for this model.
    pub fn new_cache(&self) -> KvCache {
        KvCache::new(self.config.num_layers)
    }
}
