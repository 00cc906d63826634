//! The BERT encoder: embeddings and a stack of post-LayerNorm layers.

use burn::module::Module;
use burn::tensor::{Bool, Device, Int, Tensor};

use super::BertConfig;
use super::embeddings::BertEmbeddings;
use super::layer::BertLayer;
use super::names::TensorNames;
use crate::Result;
use crate::weights::WeightSource;

/// A BERT encoder without task head (HF `BertModel` without the pooler), returning the last
/// hidden states.
///
/// Build it with [`BertConfig::init`] (random weights) or [`BertModel::load`] (checkpoint).
#[derive(Module, Debug)]
pub struct BertModel {
    /// Input embeddings.
    pub embeddings: BertEmbeddings,
    /// Encoder layers, first to last.
    pub layers: Vec<BertLayer>,
    num_heads: usize,
    max_positions: usize,
}

impl BertConfig {
    /// Builds a randomly initialised model (for tests and training from scratch).
    ///
    /// Fails when the configuration is inconsistent (see [`BertConfig::validate`]).
    pub fn init(&self, device: &Device) -> Result<BertModel> {
        self.validate()?;
        Ok(BertModel {
            embeddings: BertEmbeddings::init(self, device),
            layers: (0..self.num_layers)
                .map(|_| BertLayer::init(self, device))
                .collect(),
            num_heads: self.num_heads,
            max_positions: self.max_position_embeddings,
        })
    }
}

impl BertModel {
    /// Loads every tensor of an HF BERT checkpoint strictly: a missing tensor gives
    /// [`ModelError::MissingTensor`](crate::ModelError::MissingTensor), a wrong shape
    /// [`ModelError::ShapeMismatch`](crate::ModelError::ShapeMismatch), both naming the tensor.
    ///
    /// Tensor names may carry a `bert.` prefix (detected); extra tensors (`position_ids`,
    /// `pooler.*`, heads) are ignored.
    pub fn load(src: &dyn WeightSource, config: &BertConfig, device: &Device) -> Result<Self> {
        config.validate()?;
        let names = TensorNames::detect(src);
        let embeddings = BertEmbeddings::load(src, &names, config, device)?;
        let layers = (0..config.num_layers)
            .map(|i| BertLayer::load(src, &names, i, config, device))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            embeddings,
            layers,
            num_heads: config.num_heads,
            max_positions: config.max_position_embeddings,
        })
    }

    /// The longest sequence [`forward`](Self::forward) accepts.
    pub fn max_positions(&self) -> usize {
        self.max_positions
    }

    /// Encodes a right-padded batch of token ids into contextual embeddings.
    ///
    /// `attention_mask` is `true` on real tokens and `false` on padding; padded keys are
    /// masked out of attention, so the states of real tokens do not depend on the padding.
    /// The states at padded positions are meaningless.
    ///
    /// # Shapes
    ///
    /// - `input_ids`: `[batch, seq]`
    /// - `token_type_ids`: `[batch, seq]`
    /// - `attention_mask`: `[batch, seq]`
    /// - output: `[batch, seq, hidden_size]`
    ///
    /// # Panics
    ///
    /// If `seq` exceeds [`max_positions`](Self::max_positions) or a row is all padding.
    pub fn forward(
        &self,
        input_ids: Tensor<2, Int>,
        token_type_ids: Tensor<2, Int>,
        attention_mask: Tensor<2, Bool>,
    ) -> Tensor<3> {
        let [batch, seq] = input_ids.dims();
        assert!(
            seq <= self.max_positions,
            "sequence of {seq} tokens exceeds the {} positions of the model",
            self.max_positions
        );
        let mask = attention_mask
            .bool_not()
            .reshape([batch, 1, 1, seq])
            .expand([batch, self.num_heads, seq, seq]);
        let mut x = self.embeddings.forward(input_ids, token_type_ids);
        for layer in &self.layers {
            x = layer.forward(x, Some(mask.clone()));
        }
        x
    }
}
