//! BERT input embeddings: word + absolute position + token type, then LayerNorm.

use burn::module::{Module, Param};
use burn::nn::{LayerNorm, LayerNormConfig};
use burn::tensor::module::embedding;
use burn::tensor::{Device, Distribution, Int, Tensor};

use super::BertConfig;
use super::names::TensorNames;
use crate::Result;
use crate::weights::{WeightSource, load_param};

/// The embedding block of a [`BertModel`](super::BertModel).
#[derive(Module, Debug)]
pub struct BertEmbeddings {
    /// Word (WordPiece) embeddings, `[vocab_size, hidden_size]`.
    pub word: Param<Tensor<2>>,
    /// Absolute position embeddings, `[max_position_embeddings, hidden_size]`.
    pub position: Param<Tensor<2>>,
    /// Token-type (segment) embeddings, `[type_vocab_size, hidden_size]`.
    pub token_type: Param<Tensor<2>>,
    /// LayerNorm applied to the sum.
    pub layer_norm: LayerNorm,
}

impl BertEmbeddings {
    /// Random initialisation (normal, std 0.02, as HF's `initializer_range`).
    pub fn init(config: &BertConfig, device: &Device) -> Self {
        let table = |rows: usize| {
            Param::from_tensor(Tensor::<2>::random(
                [rows, config.hidden_size],
                Distribution::Normal(0.0, 0.02),
                device,
            ))
        };
        Self {
            word: table(config.vocab_size),
            position: table(config.max_position_embeddings),
            token_type: table(config.type_vocab_size),
            layer_norm: layer_norm(config, device),
        }
    }

    /// Loads the HF tensors `embeddings.*`, checking every shape.
    pub fn load(
        src: &dyn WeightSource,
        names: &TensorNames,
        config: &BertConfig,
        device: &Device,
    ) -> Result<Self> {
        let h = config.hidden_size;
        Ok(Self {
            word: load_param(
                src,
                &names.get("embeddings.word_embeddings.weight"),
                [config.vocab_size, h],
                device,
            )?,
            position: load_param(
                src,
                &names.get("embeddings.position_embeddings.weight"),
                [config.max_position_embeddings, h],
                device,
            )?,
            token_type: load_param(
                src,
                &names.get("embeddings.token_type_embeddings.weight"),
                [config.type_vocab_size, h],
                device,
            )?,
            layer_norm: load_layer_norm(src, &names.get("embeddings.LayerNorm"), config, device)?,
        })
    }

    /// Embeds token ids.
    ///
    /// # Shapes
    ///
    /// - `input_ids`: `[batch, seq]`
    /// - `token_type_ids`: `[batch, seq]`
    /// - output: `[batch, seq, hidden_size]`
    ///
    /// # Panics
    ///
    /// If `seq` exceeds `max_position_embeddings` or an id is out of range of its table.
    pub fn forward(&self, input_ids: Tensor<2, Int>, token_type_ids: Tensor<2, Int>) -> Tensor<3> {
        let [_, seq] = input_ids.dims();
        let [_, hidden] = self.position.dims();
        let words = embedding(self.word.val(), input_ids);
        let types = embedding(self.token_type.val(), token_type_ids);
        let positions = self
            .position
            .val()
            .narrow(0, 0, seq)
            .reshape([1, seq, hidden]);
        self.layer_norm.forward(words + types + positions)
    }
}

/// A LayerNorm of width `hidden_size` with the config's epsilon (weight 1, bias 0).
pub(crate) fn layer_norm(config: &BertConfig, device: &Device) -> LayerNorm {
    LayerNormConfig::new(config.hidden_size)
        .with_epsilon(config.layer_norm_eps)
        .init(device)
}

/// Loads the HF LayerNorm `{prefix}.weight` / `{prefix}.bias`.
pub(crate) fn load_layer_norm(
    src: &dyn WeightSource,
    prefix: &str,
    config: &BertConfig,
    device: &Device,
) -> Result<LayerNorm> {
    let h = config.hidden_size;
    let mut norm = layer_norm(config, device);
    norm.gamma = load_param(src, &format!("{prefix}.weight"), [h], device)?;
    norm.beta = Some(load_param(src, &format!("{prefix}.bias"), [h], device)?);
    Ok(norm)
}
