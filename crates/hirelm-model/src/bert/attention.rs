//! BERT self-attention block: multi-head attention, output projection, residual, LayerNorm.

use burn::module::Module;
use burn::nn::{LayerNorm, Linear, LinearConfig};
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{Bool, Device, Tensor};

use super::BertConfig;
use super::embeddings::{layer_norm, load_layer_norm};
use super::names::TensorNames;
use crate::Result;
use crate::weights::{WeightSource, load_linear_weight, load_param};

/// Bidirectional multi-head self-attention with the post-LayerNorm residual of BERT
/// (HF `BertAttention`).
#[derive(Module, Debug)]
pub struct BertAttention {
    /// Query projection, `[hidden, hidden]`.
    pub query: Linear,
    /// Key projection, `[hidden, hidden]`.
    pub key: Linear,
    /// Value projection, `[hidden, hidden]`.
    pub value: Linear,
    /// Output projection, `[hidden, hidden]`.
    pub output: Linear,
    /// LayerNorm after the residual sum.
    pub layer_norm: LayerNorm,
    num_heads: usize,
}

impl BertAttention {
    /// Random initialisation.
    pub fn init(config: &BertConfig, device: &Device) -> Self {
        let h = config.hidden_size;
        let proj = || LinearConfig::new(h, h).init(device);
        Self {
            query: proj(),
            key: proj(),
            value: proj(),
            output: proj(),
            layer_norm: layer_norm(config, device),
            num_heads: config.num_heads,
        }
    }

    /// Loads `encoder.layer.{layer}.attention.*`.
    pub fn load(
        src: &dyn WeightSource,
        names: &TensorNames,
        layer: usize,
        config: &BertConfig,
        device: &Device,
    ) -> Result<Self> {
        let h = config.hidden_size;
        let proj = |name: &str| load_linear(src, &names.layer(layer, name), h, h, device);
        Ok(Self {
            query: proj("attention.self.query")?,
            key: proj("attention.self.key")?,
            value: proj("attention.self.value")?,
            output: proj("attention.output.dense")?,
            layer_norm: load_layer_norm(
                src,
                &names.layer(layer, "attention.output.LayerNorm"),
                config,
                device,
            )?,
            num_heads: config.num_heads,
        })
    }

    /// Attends every position to every unmasked position and adds the result to the input.
    ///
    /// # Shapes
    ///
    /// - `x`: `[batch, seq, hidden]`
    /// - `mask`: `[batch, heads, seq, seq]`, `true` where the key position is padding
    /// - output: `[batch, seq, hidden]`
    pub fn forward(&self, x: Tensor<3>, mask: Option<Tensor<4, Bool>>) -> Tensor<3> {
        let [batch, seq, hidden] = x.dims();
        let head_dim = hidden / self.num_heads;
        let heads = |t: Tensor<3>| {
            t.reshape([batch, seq, self.num_heads, head_dim])
                .swap_dims(1, 2)
        };
        let q = heads(self.query.forward(x.clone()));
        let k = heads(self.key.forward(x.clone()));
        let v = heads(self.value.forward(x.clone()));
        let context = attention(q, k, v, mask, None, AttentionModuleOptions::default())
            .swap_dims(1, 2)
            .reshape([batch, seq, hidden]);
        self.layer_norm.forward(x + self.output.forward(context))
    }
}

/// Loads an HF `nn.Linear` (`{prefix}.weight` `[d_out, d_in]`, `{prefix}.bias` `[d_out]`).
pub(crate) fn load_linear(
    src: &dyn WeightSource,
    prefix: &str,
    d_in: usize,
    d_out: usize,
    device: &Device,
) -> Result<Linear> {
    Ok(Linear {
        weight: load_linear_weight(src, &format!("{prefix}.weight"), d_in, d_out, device)?,
        bias: Some(load_param(src, &format!("{prefix}.bias"), [d_out], device)?),
    })
}
