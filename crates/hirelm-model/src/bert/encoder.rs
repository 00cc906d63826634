//! [`SentenceEncoder`]: text → tokenizer → BERT → masked mean pooling → L2 normalisation,
//! the pipeline of sentence-transformers' `all-MiniLM-L6-v2`.

use std::cmp::Reverse;
use std::path::Path;

use burn::tensor::{Bool, Device, Int, Tensor, TensorData};
use tokenizers::{Tokenizer, TruncationParams};

use super::pooling::{l2_normalize, mean_pool};
use super::token_scoring::TokenStates;
use super::{BertConfig, BertModel};
use crate::weights::SafetensorsWeights;
use crate::{ModelError, Result};

/// Options of a [`SentenceEncoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncoderOptions {
    /// Longest input in tokens, `[CLS]` and `[SEP]` included; longer texts are truncated.
    /// sentence-transformers' `max_seq_length` (256 for all-MiniLM-L6-v2).
    pub max_seq_len: usize,
    /// Texts encoded per forward pass.
    pub batch_size: usize,
}

impl Default for EncoderOptions {
    fn default() -> Self {
        Self {
            max_seq_len: 256,
            batch_size: 32,
        }
    }
}

/// A sentence-embedding model: unit-length vectors whose dot product is the cosine similarity.
///
/// Equivalent to the sentence-transformers pipeline `Transformer → Pooling(mean) → Normalize`.
pub struct SentenceEncoder {
    tokenizer: Tokenizer,
    model: BertModel,
    config: BertConfig,
    device: Device,
    options: EncoderOptions,
}

impl std::fmt::Debug for SentenceEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentenceEncoder")
            .field("config", &self.config)
            .field("options", &self.options)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

impl SentenceEncoder {
    /// Loads `dir/{config.json, model.safetensors, tokenizer.json}` with default options.
    pub fn load(dir: &Path, device: &Device) -> Result<Self> {
        Self::load_with(dir, device, EncoderOptions::default())
    }

    /// Loads `dir/{config.json, model.safetensors, tokenizer.json}`.
    pub fn load_with(dir: &Path, device: &Device, options: EncoderOptions) -> Result<Self> {
        let config = BertConfig::from_hf_file(&dir.join("config.json"))?;
        let weights = SafetensorsWeights::open(dir.join("model.safetensors"))?;
        let model = BertModel::load(&weights, &config, device)?;
        let tokenizer_path = dir.join("tokenizer.json");
        let bytes =
            std::fs::read(&tokenizer_path).map_err(|e| ModelError::io(&tokenizer_path, e))?;
        let tokenizer = Tokenizer::from_bytes(bytes)
            .map_err(|e| ModelError::Tokenizer(format!("{}: {e}", tokenizer_path.display())))?;
        Self::from_parts(tokenizer, model, config, device, options)
    }

    /// Assembles an encoder from a tokenizer and a loaded model.
    ///
    /// The tokenizer's own padding is switched off (batches are padded here, and the padding
    /// is masked out of attention and pooling) and its truncation set to
    /// `min(options.max_seq_len, max_position_embeddings)`.
    pub fn from_parts(
        mut tokenizer: Tokenizer,
        model: BertModel,
        config: BertConfig,
        device: &Device,
        options: EncoderOptions,
    ) -> Result<Self> {
        if options.batch_size == 0 || options.max_seq_len < 2 {
            return Err(ModelError::Config(format!(
                "encoder options need batch_size >= 1 and max_seq_len >= 2, got {options:?}"
            )));
        }
        let max_length = options.max_seq_len.min(config.max_position_embeddings);
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length,
                ..TruncationParams::default()
            }))
            .map_err(|e| {
                ModelError::Tokenizer(format!("setting truncation to {max_length}: {e}"))
            })?;
        Ok(Self {
            tokenizer,
            model,
            config,
            device: device.clone(),
            options,
        })
    }

    /// Width of the embeddings (384 for all-MiniLM-L6-v2).
    pub fn dim(&self) -> usize {
        self.config.hidden_size
    }

    /// The underlying BERT model.
    pub fn model(&self) -> &BertModel {
        &self.model
    }

    /// Embeds each text into a unit-length vector of [`dim`](Self::dim) values, in input order.
    ///
    /// Texts are tokenized, sorted by length and encoded `batch_size` at a time; the result does
    /// not depend on how texts are batched (up to float rounding).
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.in_batches(texts, embed_token_batch)
    }

    /// The number of tokens the encoder reads of each text (special tokens included, after
    /// truncation), as [`embed`](Self::embed) tokenizes it.
    pub fn count_tokens(&self, texts: &[&str]) -> Result<Vec<usize>> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        Ok(encodings.iter().map(|e| e.len()).collect())
    }

    /// The contextual token states of each text (for [`Scorer::TokenAttention`]), in input
    /// order, batched as [`embed`](Self::embed).
    ///
    /// [`Scorer::TokenAttention`]: super::Scorer::TokenAttention
    pub fn embed_tokens(&self, texts: &[&str]) -> Result<Vec<TokenStates>> {
        self.in_batches(texts, token_states_batch)
    }

    /// Tokenizes `texts`, runs `run` on length-sorted batches and returns its rows in input
    /// order.
    fn in_batches<T: Clone + Default>(
        &self,
        texts: &[&str],
        run: fn(&BertModel, &TokenBatch, &Device) -> Vec<T>,
    ) -> Result<Vec<T>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        for encoding in &encodings {
            check_ids(encoding.get_ids(), self.config.vocab_size, "token")?;
            check_ids(
                encoding.get_type_ids(),
                self.config.type_vocab_size,
                "token type",
            )?;
        }
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| Reverse(encodings[i].len()));
        let mut out = vec![T::default(); texts.len()];
        for chunk in order.chunks(self.options.batch_size) {
            let batch: Vec<(&[u32], &[u32])> = chunk
                .iter()
                .map(|&i| (encodings[i].get_ids(), encodings[i].get_type_ids()))
                .collect();
            let rows = run(&self.model, &batch, &self.device);
            for (&i, row) in chunk.iter().zip(rows) {
                out[i] = row;
            }
        }
        Ok(out)
    }
}

/// Tokenized texts as `(ids, type_ids)` rows.
type TokenBatch<'a> = [(&'a [u32], &'a [u32])];

fn check_ids(ids: &[u32], limit: usize, what: &str) -> Result<()> {
    match ids.iter().find(|&&id| id as usize >= limit) {
        Some(id) => Err(ModelError::Tokenizer(format!(
            "{what} id {id} is outside the model's table of {limit}; tokenizer and model do not match"
        ))),
        None => Ok(()),
    }
}

/// Embeds a batch of tokenized texts `(ids, type_ids)`: right-pads to the longest, runs the
/// model, mean-pools over real tokens and L2-normalises. Returns one row per text.
///
/// Every sequence must be non-empty, no longer than the model's positions, with ids in range.
pub(crate) fn embed_token_batch(
    model: &BertModel,
    batch: &[(&[u32], &[u32])],
    device: &Device,
) -> Vec<Vec<f32>> {
    let Some((hidden, mask)) = forward_token_batch(model, batch, device) else {
        return vec![Vec::new(); batch.len()];
    };
    let pooled = l2_normalize(mean_pool(hidden, mask));
    let [_, dim] = pooled.dims();
    let values: Vec<f32> = pooled.into_data().iter::<f32>().collect();
    values.chunks_exact(dim).map(<[f32]>::to_vec).collect()
}

/// The last hidden states of each tokenized text's real tokens (see [`TokenStates`]).
fn token_states_batch(
    model: &BertModel,
    batch: &[(&[u32], &[u32])],
    device: &Device,
) -> Vec<TokenStates> {
    let Some((hidden, _)) = forward_token_batch(model, batch, device) else {
        return Vec::new();
    };
    let [_, seq, dim] = hidden.dims();
    let values: Vec<f32> = hidden.into_data().iter::<f32>().collect();
    values
        .chunks_exact(seq * dim)
        .zip(batch)
        .map(|(row, (ids, _))| TokenStates {
            values: row[..ids.len() * dim].to_vec(),
            dim,
        })
        .collect()
}

/// Right-pads a batch of tokenized texts to the longest and runs the model: the hidden states
/// `[rows, seq, dim]` and the mask of real tokens, or `None` for an empty batch.
fn forward_token_batch(
    model: &BertModel,
    batch: &[(&[u32], &[u32])],
    device: &Device,
) -> Option<(Tensor<3>, Tensor<2, Bool>)> {
    let rows = batch.len();
    let seq = batch.iter().map(|(ids, _)| ids.len()).max().unwrap_or(0);
    if rows == 0 || seq == 0 {
        return None;
    }
    let mut ids = vec![0i64; rows * seq];
    let mut types = vec![0i64; rows * seq];
    let mut mask = vec![false; rows * seq];
    for (r, (row_ids, row_types)) in batch.iter().enumerate() {
        for (t, (&id, &ty)) in row_ids.iter().zip(row_types.iter()).enumerate() {
            ids[r * seq + t] = i64::from(id);
            types[r * seq + t] = i64::from(ty);
            mask[r * seq + t] = true;
        }
    }
    let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [rows, seq]), device);
    let types = Tensor::<2, Int>::from_data(TensorData::new(types, [rows, seq]), device);
    let mask = Tensor::<2, Bool>::from_data(TensorData::new(mask, [rows, seq]), device);
    Some((model.forward(ids, types, mask.clone()), mask))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bert::BertActivation;

    fn tiny_config() -> BertConfig {
        BertConfig {
            vocab_size: 50,
            hidden_size: 16,
            num_layers: 2,
            num_heads: 4,
            intermediate_size: 32,
            max_position_embeddings: 64,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            activation: BertActivation::Gelu,
        }
    }

    fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn padding_does_not_change_the_embedding() {
        let device = Device::default();
        let model = tiny_config().init(&device).expect("valid config");
        let short: Vec<u32> = vec![1, 7, 9, 2];
        let long: Vec<u32> = (0..40).map(|i| (i * 7 % 49) + 1).collect();
        let zeros = vec![0u32; 64];
        let alone = embed_token_batch(&model, &[(&short, &zeros[..short.len()])], &device);
        let padded = embed_token_batch(
            &model,
            &[
                (&long, &zeros[..long.len()]),
                (&short, &zeros[..short.len()]),
            ],
            &device,
        );
        assert_eq!(alone[0].len(), 16);
        let diff = max_abs_diff(&alone[0], &padded[1]);
        assert!(diff < 1e-5, "padding changed the embedding by {diff}");
        // The long text's embedding is genuinely different (the test could fail).
        assert!(max_abs_diff(&padded[0], &padded[1]) > 1e-3);
        let norm: f32 = padded[1].iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
    }

    #[test]
    fn out_of_vocabulary_ids_are_rejected() {
        assert!(check_ids(&[1, 2, 3], 4, "token").is_ok());
        let err = check_ids(&[1, 9], 4, "token").expect_err("9 >= 4");
        assert!(err.to_string().contains("token id 9"), "{err}");
    }
}
