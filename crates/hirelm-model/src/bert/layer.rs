//! One BERT encoder layer: self-attention block, then the GELU feed-forward block.

use burn::module::Module;
use burn::nn::{LayerNorm, Linear, LinearConfig};
use burn::tensor::activation::{gelu, gelu_approximate};
use burn::tensor::{Bool, Device, Tensor};

use super::attention::{BertAttention, load_linear};
use super::embeddings::{layer_norm, load_layer_norm};
use super::names::TensorNames;
use super::{BertActivation, BertConfig};
use crate::Result;
use crate::weights::WeightSource;

/// A post-LayerNorm transformer encoder layer (HF `BertLayer`).
#[derive(Module, Debug)]
pub struct BertLayer {
    /// Self-attention with its residual and LayerNorm.
    pub attention: BertAttention,
    /// Feed-forward up-projection, `[hidden, intermediate]`.
    pub intermediate: Linear,
    /// Feed-forward down-projection, `[intermediate, hidden]`.
    pub output: Linear,
    /// LayerNorm after the feed-forward residual sum.
    pub layer_norm: LayerNorm,
    #[module(skip)]
    activation: BertActivation,
}

impl BertLayer {
    /// Random initialisation.
    pub fn init(config: &BertConfig, device: &Device) -> Self {
        Self {
            attention: BertAttention::init(config, device),
            intermediate: LinearConfig::new(config.hidden_size, config.intermediate_size)
                .init(device),
            output: LinearConfig::new(config.intermediate_size, config.hidden_size).init(device),
            layer_norm: layer_norm(config, device),
            activation: config.activation,
        }
    }

    /// Loads `encoder.layer.{layer}.*`.
    pub fn load(
        src: &dyn WeightSource,
        names: &TensorNames,
        layer: usize,
        config: &BertConfig,
        device: &Device,
    ) -> Result<Self> {
        let (h, ff) = (config.hidden_size, config.intermediate_size);
        Ok(Self {
            attention: BertAttention::load(src, names, layer, config, device)?,
            intermediate: load_linear(
                src,
                &names.layer(layer, "intermediate.dense"),
                h,
                ff,
                device,
            )?,
            output: load_linear(src, &names.layer(layer, "output.dense"), ff, h, device)?,
            layer_norm: load_layer_norm(
                src,
                &names.layer(layer, "output.LayerNorm"),
                config,
                device,
            )?,
            activation: config.activation,
        })
    }

    /// Applies the layer.
    ///
    /// # Shapes
    ///
    /// - `x`: `[batch, seq, hidden]`
    /// - `mask`: `[batch, heads, seq, seq]`, `true` where the key position is padding
    /// - output: `[batch, seq, hidden]`
    pub fn forward(&self, x: Tensor<3>, mask: Option<Tensor<4, Bool>>) -> Tensor<3> {
        let x = self.attention.forward(x, mask);
        let up = self.intermediate.forward(x.clone());
        let up = match self.activation {
            BertActivation::Gelu => gelu(up),
            BertActivation::GeluTanh => gelu_approximate(up),
        };
        self.layer_norm.forward(x + self.output.forward(up))
    }
}
