//! The SwiGLU feed-forward network of a Llama block.

use burn::module::Module;
use burn::tensor::Tensor;
use burn::tensor::activation::silu;

use crate::linear::AdaptableLinear;

/// `down(silu(gate(x)) · up(x))`.
#[derive(Module, Debug)]
pub struct Mlp {
    /// Gate projection, `[d_model, d_ff]`.
    pub gate_proj: AdaptableLinear,
    /// Up projection, `[d_model, d_ff]`.
    pub up_proj: AdaptableLinear,
    /// Down projection, `[d_ff, d_model]`.
    pub down_proj: AdaptableLinear,
}

impl Mlp {
    /// # Shapes
    /// - x: `[batch, seq, d_model]`
    /// - output: `[batch, seq, d_model]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let gate = silu(self.gate_proj.forward(x.clone()));
        self.down_proj.forward(gate * self.up_proj.forward(x))
    }
}
