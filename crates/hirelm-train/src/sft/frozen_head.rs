//! The output head and the masked cross-entropy in one pass, outside the autodiff graph.
//!
//! The head is frozen, so the loss's gradient with respect to the final hidden states has a
//! closed form: `G = (softmax(h·Wᵀ) − onehot(target)) · w / Σw · W`. Computing it directly costs
//! the two matmuls autodiff would do and one pass over the logits. Through autodiff, the same
//! loss keeps `[tokens, vocab]` logits, their log-softmax and the gradients of both alive
//! (200 MB each for a 4 × 256 batch over SmolLM2's 49,152 tokens) and makes about ten passes
//! over them, most into freshly mapped pages.
//!
//! Here logits exist one chunk of rows at a time, only rows that carry loss are projected at all
//! (an SFT batch's prompt tokens cost nothing), and the graph receives `G` through the
//! surrogate `Σ h ⊙ G`, whose gradient with respect to `h` is exactly `G`.

use hirelm_model::burn::tensor::{Tensor, TensorData};
use hirelm_model::linear::transpose;
use hirelm_model::llama::LlamaModel;
use rayon::prelude::*;

use crate::error::{LoraError, Result};

/// Rows projected onto the vocabulary at a time: 256 × 49,152 logits are 50 MB.
const CHUNK_ROWS: usize = 256;

/// A frozen output head, kept in both layouts so both matmuls read row-major operands.
#[derive(Debug, Clone)]
pub struct FrozenHead {
    /// `[vocab, d_model]`: logit gradients × this = hidden-state gradients.
    by_token: Tensor<2>,
    /// `[d_model, vocab]`: hidden states × this = logits.
    by_feature: Tensor<2>,
}

/// The loss of one micro-batch and the tensor to call `backward` on.
#[derive(Debug)]
pub struct HeadLoss {
    /// Mean negative log-likelihood over the weighted positions (unscaled).
    pub loss: f64,
    /// `Σ h ⊙ G`: its gradient with respect to the hidden states is the loss's gradient times
    /// the `scale` given to [`FrozenHead::loss`].
    pub surrogate: Tensor<1>,
}

impl FrozenHead {
    /// The head of `model`, which lives on an autodiff device, copied to the plain device; `None`
    /// when it is not frozen (an untied head with an adapter): the loss must then go through
    /// autodiff.
    pub fn of(model: &LlamaModel) -> Option<Self> {
        let (weight, tied) = match &model.lm_head {
            None => (model.embed_tokens.val(), true),
            Some(head) if head.adapter.is_none() => (head.weight.val(), false),
            Some(_) => return None,
        };
        let weight = weight.inner();
        let device = weight.device();
        let [rows, cols] = weight.dims();
        let data = weight.clone().into_data().try_into_vec_as::<f32>().ok()?;
        let flipped = Tensor::<2>::from_data(
            TensorData::new(transpose(&data, rows, cols), [cols, rows]),
            &device,
        );
        // Tied: the embedding is `[vocab, d]`; an untied head is stored `[d, vocab]`.
        let (by_token, by_feature) = if tied {
            (weight, flipped)
        } else {
            (flipped, weight)
        };
        Some(Self {
            by_token,
            by_feature,
        })
    }

    /// Masked cross-entropy of `hidden` (final-norm output, `[batch, seq, d_model]`) against
    /// `targets`, weighted by `weights` (row-major `[batch, seq]`), as `masked_cross_entropy`
    /// defines it; the surrogate's gradient is the loss's times `scale`.
    pub fn loss(
        &self,
        hidden: Tensor<3>,
        targets: &[i64],
        weights: &[f32],
        scale: f64,
    ) -> Result<HeadLoss> {
        let [batch, seq, width] = hidden.dims();
        let n = batch * seq;
        if targets.len() != n || weights.len() != n {
            return Err(LoraError::config(
                "batch",
                format!(
                    "{n} positions but {} targets and {} weights",
                    targets.len(),
                    weights.len()
                ),
            ));
        }
        let vocab = self.by_token.dims()[0];
        let rows: Vec<usize> = (0..n).filter(|&i| weights[i] != 0.0).collect();
        if let Some(&bad) = rows
            .iter()
            .find(|&&i| !(0..vocab as i64).contains(&targets[i]))
        {
            return Err(LoraError::config(
                "batch",
                format!(
                    "target id {} at position {bad} is outside the vocabulary of {vocab}",
                    targets[bad]
                ),
            ));
        }
        let count = f64::from(weights.iter().sum::<f32>()).max(1.0);
        let flat = hidden.reshape([n, width]);
        let device = flat.device();
        let plain = flat.clone().inner();
        let plain_device = plain.device();
        let mut gradient = vec![0.0f32; n * width];
        let mut loss = 0.0f64;
        for chunk in rows.chunks(CHUNK_ROWS) {
            let index: Vec<i64> = chunk.iter().map(|&i| i as i64).collect();
            let index = Tensor::from_data(TensorData::new(index, [chunk.len()]), &plain_device);
            let logits = plain
                .clone()
                .select(0, index)
                .matmul(self.by_feature.clone());
            let mut values = logits
                .into_data()
                .try_into_vec::<f32>()
                .map_err(|e| LoraError::config("logits", format!("{e:?}")))?;
            let coefficients: Vec<(usize, f32)> = chunk
                .iter()
                .map(|&i| {
                    (
                        targets[i] as usize,
                        (f64::from(weights[i]) * scale / count) as f32,
                    )
                })
                .collect();
            loss += values
                .par_chunks_mut(vocab)
                .zip(coefficients.par_iter())
                .zip(chunk.par_iter())
                .map(|((row, &(target, coefficient)), &i)| {
                    f64::from(weights[i]) * softmax_gradient_in_place(row, target, coefficient)
                })
                .sum::<f64>();
            let logit_grads = Tensor::<2>::from_data(
                TensorData::new(values, [chunk.len(), vocab]),
                &plain_device,
            );
            let hidden_grads = logit_grads.matmul(self.by_token.clone());
            let hidden_grads = hidden_grads
                .into_data()
                .try_into_vec::<f32>()
                .map_err(|e| LoraError::config("gradient", format!("{e:?}")))?;
            for (k, &i) in chunk.iter().enumerate() {
                gradient[i * width..(i + 1) * width]
                    .copy_from_slice(&hidden_grads[k * width..(k + 1) * width]);
            }
        }
        let gradient = Tensor::<2>::from_data(TensorData::new(gradient, [n, width]), &device);
        Ok(HeadLoss {
            loss: loss / count,
            surrogate: (flat * gradient).sum(),
        })
    }
}

/// Replaces a row of logits by `coefficient · (softmax − onehot(target))` and returns the
/// negative log-likelihood of `target`.
fn softmax_gradient_in_place(row: &mut [f32], target: usize, coefficient: f32) -> f64 {
    let target_logit = row[target];
    // Sixteen independent lanes let the compiler vectorise both reductions, which a single
    // running f32 maximum or sum (a strict dependency chain) would not.
    let mut lanes = [f32::NEG_INFINITY; LANES];
    for block in row.chunks(LANES) {
        for (lane, &value) in lanes.iter_mut().zip(block) {
            *lane = lane.max(value);
        }
    }
    let max = lanes.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sums = [0.0f32; LANES];
    for block in row.chunks_mut(LANES) {
        for (sum, value) in sums.iter_mut().zip(block) {
            *value = (*value - max).exp();
            *sum += *value;
        }
    }
    let sum: f32 = sums.iter().sum();
    let norm = coefficient / sum;
    for value in row.iter_mut() {
        *value *= norm;
    }
    row[target] -= coefficient;
    f64::from(max) + f64::from(sum).ln() - f64::from(target_logit)
}

const LANES: usize = 16;
