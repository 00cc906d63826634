//! One pre-norm decoder block: attention and SwiGLU, each behind an RMSNorm and a residual.

use burn::module::Module;
use burn::tensor::{Bool, Tensor};

use super::attention::Attention;
use super::cache::LayerCache;
use super::mlp::Mlp;
use super::rope::RotaryEmbedding;
use crate::norm::RmsNorm;

/// A Llama decoder block.
#[derive(Module, Debug)]
pub struct DecoderBlock {
    /// Norm before attention.
    pub input_layernorm: RmsNorm,
    /// Self-attention.
    pub self_attn: Attention,
    /// Norm before the MLP.
    pub post_attention_layernorm: RmsNorm,
    /// Feed-forward network.
    pub mlp: Mlp,
}

impl DecoderBlock {
    /// # Shapes
    /// - x: `[batch, seq, d_model]`
    /// - output: `[batch, seq, d_model]`
    pub fn forward(
        &self,
        x: Tensor<3>,
        rope: &RotaryEmbedding,
        cache: Option<&mut LayerCache>,
        mask: Option<Tensor<4, Bool>>,
    ) -> Tensor<3> {
        let h = x.clone()
            + self
                .self_attn
                .forward(self.input_layernorm.forward(x), rope, cache, mask);
        h.clone() + self.mlp.forward(self.post_attention_layernorm.forward(h))
    }
}
