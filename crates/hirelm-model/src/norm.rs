//! RMSNorm, as in Llama: `x / sqrt(mean(x²) + eps) · weight`.

use burn::module::{Module, Param};
use burn::tensor::Tensor;

/// Root-mean-square layer normalisation with a learned per-channel gain.
#[derive(Module, Debug)]
pub struct RmsNorm {
    /// Per-channel gain, `[d_model]`.
    pub weight: Param<Tensor<1>>,
    /// Added to the mean square before the square root.
    #[module(skip)]
    pub eps: f64,
}

impl RmsNorm {
    /// A norm with the given gain.
    pub fn new(weight: Tensor<1>, eps: f64) -> Self {
        Self {
            weight: Param::from_tensor(weight).set_require_grad(false),
            eps,
        }
    }

    /// Normalises over the last dimension.
    ///
    /// # Shapes
    /// - input: `[..., d_model]`
    /// - output: `[..., d_model]`
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let mean_square = x.clone().powi_scalar(2).mean_dim(D - 1);
        let inv_rms = mean_square.add_scalar(self.eps).sqrt().recip();
        x * inv_rms * self.weight.val().unsqueeze()
    }
}
