//! How a sentence is scored against a label embedding: the cosine of the two pooled embeddings
//! ([`Scorer::Mean`], sentence-transformers' default), or token-level attention in the style of
//! ConTeXT-match (Decorte et al., 2025; [`Scorer::TokenAttention`]).
//!
//! Token attention keeps the sentence's contextual token states `x_1..x_n` instead of their mean.
//! For a unit-length label embedding `s`, each token is weighted by a softmax over the tokens of
//! `x_i · s` (a token that speaks of the skill dominates), and the score is the weighted sum of
//! the token–label cosines:
//!
//! ```text
//! score(x, s) = Σ_i softmax_i(x_i · s) · cos(x_i, s)
//! ```
//!
//! A sentence naming several skills then scores high against each of them, where its mean
//! embedding sits between them. The same formula is written twice: on plain slices for retrieval
//! ([`token_attention_scores`]) and on tensors for training ([`token_attention_matrix`]), and a
//! test holds them equal.

use std::path::Path;

use burn::tensor::activation::softmax;
use burn::tensor::{Bool, Tensor};

use crate::{ModelError, Result};

/// How sentences are scored against labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scorer {
    /// Cosine of the mean-pooled, unit-length embeddings.
    #[default]
    Mean,
    /// ConTeXT-style token attention (see the module documentation).
    TokenAttention,
}

impl Scorer {
    /// Every scorer, by [`name`](Self::name).
    pub const ALL: [Scorer; 2] = [Scorer::Mean, Scorer::TokenAttention];

    /// The name configs and files use: `mean` or `token-attention`.
    pub fn name(self) -> &'static str {
        match self {
            Scorer::Mean => "mean",
            Scorer::TokenAttention => "token-attention",
        }
    }

    /// The scorer called `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The file of an encoder directory that names the scorer it was trained for
/// (`{"scorer": "token-attention"}`); a directory without it was trained for [`Scorer::Mean`],
/// as every sentence-transformers model is.
pub const SCORER_FILE: &str = "hirelm_scorer.json";

/// The scorer the encoder in `dir` was trained for (see [`SCORER_FILE`]).
pub fn read_scorer(dir: &Path) -> Result<Scorer> {
    let path = dir.join(SCORER_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Scorer::Mean),
        Err(e) => return Err(ModelError::io(&path, e)),
    };
    let bad = |why: String| ModelError::Config(format!("{}: {why}", path.display()));
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let name = value
        .get("scorer")
        .and_then(|v| v.as_str())
        .ok_or_else(|| bad("needs a string field `scorer`".into()))?;
    Scorer::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Scorer::ALL.iter().map(|s| s.name()).collect();
        bad(format!(
            "unknown scorer `{name}`; expected one of {}",
            known.join(", ")
        ))
    })
}

/// The contents of [`SCORER_FILE`] for `scorer`.
pub fn scorer_file_text(scorer: Scorer) -> String {
    format!("{{\"scorer\": \"{}\"}}\n", scorer.name())
}

impl std::fmt::Display for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The contextual token states of one text (the encoder's last hidden states of its real
/// tokens, `[CLS]` and `[SEP]` included, before pooling), row-major `[len, dim]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenStates {
    /// `len * dim` values.
    pub values: Vec<f32>,
    /// Width of a row.
    pub dim: usize,
}

impl TokenStates {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.values.len() / self.dim.max(1)
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tokens' rows.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, f32> {
        self.values.chunks_exact(self.dim.max(1))
    }
}

/// The token-attention score of `tokens` against each row of `labels` (row-major
/// `[n, tokens.dim]`, unit-length rows as [`SentenceEncoder::embed`](super::SentenceEncoder::embed)
/// gives). A text without tokens scores 0 against everything.
///
/// Every token–label dot product comes from one matrix product (the `gemm` crate that burn's
/// CPU backend multiplies with, dispatched at run time), then each label's softmax over its
/// row: about 30 tokens against 13,896 labels is 160 million multiply-adds, which a scalar
/// pass label by label took most of a retrieval's time over. [`token_attention_scores_reference`]
/// is the formula written plainly.
pub fn token_attention_scores(tokens: &TokenStates, labels: &[f32]) -> Vec<f32> {
    let dim = tokens.dim.max(1);
    let count = labels.len() / dim;
    let len = tokens.len();
    if len == 0 {
        return vec![0.0; count];
    }
    let inverse_norms = inverse_norms(tokens);
    let dots = label_token_dots(&labels[..count * dim], &tokens.values[..len * dim], dim);
    dots.chunks_exact(len)
        .map(|row| attend(row, &inverse_norms))
        .collect()
}

/// [`token_attention_scores`] computed label by label with plain loops: the definition the fast
/// form is tested and benchmarked against.
pub fn token_attention_scores_reference(tokens: &TokenStates, labels: &[f32]) -> Vec<f32> {
    let dim = tokens.dim.max(1);
    let inverse_norms = inverse_norms(tokens);
    let mut dots = vec![0.0f32; inverse_norms.len()];
    labels
        .chunks_exact(dim)
        .map(|label| {
            if dots.is_empty() {
                return 0.0;
            }
            for (dot, row) in dots.iter_mut().zip(tokens.rows()) {
                *dot = row.iter().zip(label).map(|(a, b)| a * b).sum();
            }
            attend(&dots, &inverse_norms)
        })
        .collect()
}

/// `1 / |x_i|` of each token.
fn inverse_norms(tokens: &TokenStates) -> Vec<f32> {
    tokens
        .rows()
        .map(|row| 1.0 / row.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12))
        .collect()
}

/// One label's score from its dot products with the tokens: `Σ softmax_i(d_i) · d_i / |x_i|`.
fn attend(dots: &[f32], inverse_norms: &[f32]) -> f32 {
    let max = dots.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let (mut weight_sum, mut weighted) = (0.0f32, 0.0f32);
    for (dot, inverse_norm) in dots.iter().zip(inverse_norms) {
        let weight = (dot - max).exp();
        weight_sum += weight;
        weighted += weight * dot * inverse_norm;
    }
    weighted / weight_sum
}

/// `labels · tokensᵀ`, row-major `[labels, tokens]`: each label's dot products with every
/// token, side by side for its softmax.
#[allow(unsafe_code)]
fn label_token_dots(labels: &[f32], tokens: &[f32], dim: usize) -> Vec<f32> {
    let (count, len) = (labels.len() / dim, tokens.len() / dim);
    assert_eq!(labels.len(), count * dim, "label rows of {dim} values");
    assert_eq!(tokens.len(), len * dim, "token rows of {dim} values");
    let mut dots = vec![0.0f32; count * len];
    let (dim, len_stride) = (dim as isize, len as isize);
    // SAFETY: every index gemm forms lies inside its slice, by the strides and the lengths
    // asserted above: the destination `[count, len]` row-major (column stride 1, row stride
    // len) in `dots`; the left operand `[count, dim]` row-major in `labels`; the right operand
    // tokensᵀ `[dim, len]`, element (k, j) at `tokens[j * dim + k]` (column stride dim, row
    // stride 1). `read_dst` is false, so the destination is only written.
    unsafe {
        gemm::gemm(
            count,
            len,
            dim as usize,
            dots.as_mut_ptr(),
            1,
            len_stride,
            false,
            labels.as_ptr(),
            1,
            dim,
            tokens.as_ptr(),
            dim,
            1,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::Rayon(0),
        );
    }
    dots
}

/// Token-attention scores of a padded batch of texts against every candidate: the training
/// form of [`token_attention_scores`], differentiable through both sides.
///
/// # Shapes
///
/// - `hidden`: `[batch, seq, dim]`, the last hidden states
/// - `attention_mask`: `[batch, seq]`, `true` on real tokens (every row has one)
/// - `candidates`: `[c, dim]`, unit-length rows
/// - output: `[batch, c]`
pub fn token_attention_matrix(
    hidden: Tensor<3>,
    attention_mask: Tensor<2, Bool>,
    candidates: Tensor<2>,
) -> Tensor<2> {
    let [batch, seq, dim] = hidden.dims();
    let [c, _] = candidates.dims();
    let dots = hidden
        .clone()
        .reshape([batch * seq, dim])
        .matmul(candidates.transpose())
        .reshape([batch, seq, c]);
    // Padding gets a large negative logit rather than -inf, so that no row ever divides 0 by 0.
    let padding = attention_mask
        .bool_not()
        .float()
        .mul_scalar(-1e4)
        .reshape([batch, seq, 1]);
    let weights = softmax(dots.clone() + padding, 1);
    let norms = (hidden.clone() * hidden).sum_dim(2).sqrt().clamp_min(1e-12); // [batch, seq, 1]
    (weights * dots / norms).sum_dim(1).reshape([batch, c])
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn unit(v: [f32; 3]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn the_token_that_speaks_of_the_label_dominates() {
        // Two tokens: one along the label, one orthogonal to it.
        let tokens = TokenStates {
            values: vec![4.0, 0.0, 0.0, 0.0, 4.0, 0.0],
            dim: 3,
        };
        let labels: Vec<f32> = [unit([1.0, 0.0, 0.0]), unit([1.0, 1.0, 0.0])].concat();
        let scores = token_attention_scores(&tokens, &labels);
        // Label 0: dots (4, 0), weights softmax = (e^4, 1)/(e^4 + 1), cosines (1, 0).
        let expected = 4f32.exp() / (4f32.exp() + 1.0);
        assert!((scores[0] - expected).abs() < 1e-5, "{scores:?}");
        // Label 1 sits between the tokens: equal weights, both cosines 1/sqrt(2).
        assert!((scores[1] - 0.5f32.sqrt()).abs() < 1e-5, "{scores:?}");
        // The mean embedding would score label 1 above label 0; attention reverses that.
        assert!(scores[0] > scores[1]);
        let none = TokenStates {
            values: vec![],
            dim: 3,
        };
        assert_eq!(token_attention_scores(&none, &labels), vec![0.0, 0.0]);
    }

    #[test]
    fn the_tensor_form_matches_the_slice_form_and_ignores_padding() {
        let device = Device::default();
        // Batch of 2, seq 3, dim 3; row 1 has a huge padding token that must not count.
        let values = vec![
            1.0f32, 2.0, 0.5, -1.0, 0.3, 2.0, 0.2, 0.1, 1.5, //
            0.7, -0.4, 1.0, 2.0, 1.0, -1.0, 900.0, 900.0, 900.0,
        ];
        let hidden = Tensor::<3>::from_data(TensorData::new(values.clone(), [2, 3, 3]), &device);
        let mask = Tensor::<2, Bool>::from_data(
            TensorData::new(vec![true, true, true, true, true, false], [2, 3]),
            &device,
        );
        let labels: Vec<f32> = [unit([1.0, 0.0, 0.0]), unit([0.2, 1.0, -0.5])].concat();
        let candidates = Tensor::<2>::from_data(TensorData::new(labels.clone(), [2, 3]), &device);
        let matrix: Vec<f32> = token_attention_matrix(hidden, mask, candidates)
            .into_data()
            .iter::<f32>()
            .collect();
        let row0 = TokenStates {
            values: values[..9].to_vec(),
            dim: 3,
        };
        let row1 = TokenStates {
            values: values[9..15].to_vec(),
            dim: 3,
        };
        let expected = [
            token_attention_scores(&row0, &labels),
            token_attention_scores(&row1, &labels),
        ]
        .concat();
        for (got, want) in matrix.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-5, "{matrix:?} vs {expected:?}");
        }
    }

    #[test]
    fn the_matrix_product_form_matches_the_reference() {
        // Deterministic pseudo-random values; sizes off the kernels' tile multiples.
        let mut state = 0x2545_f491_u32;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32) * 2.0 - 1.0
        };
        let dim = 37;
        for len in [1, 5, 19] {
            let tokens = TokenStates {
                values: (0..len * dim).map(|_| next() * 3.0).collect(),
                dim,
            };
            let labels: Vec<f32> = (0..101)
                .flat_map(|_| {
                    let row: Vec<f32> = (0..dim).map(|_| next()).collect();
                    let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
                    row.into_iter().map(move |v| v / norm)
                })
                .collect();
            let fast = token_attention_scores(&tokens, &labels);
            let reference = token_attention_scores_reference(&tokens, &labels);
            assert_eq!(fast.len(), 101);
            for (f, r) in fast.iter().zip(&reference) {
                assert!((f - r).abs() < 1e-5, "{len} tokens: {f} vs {r}");
            }
        }
    }

    #[test]
    fn the_scorer_file_round_trips_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(read_scorer(dir.path()).expect("absent"), Scorer::Mean);
        let path = dir.path().join(SCORER_FILE);
        std::fs::write(&path, scorer_file_text(Scorer::TokenAttention)).expect("write");
        assert_eq!(
            read_scorer(dir.path()).expect("read"),
            Scorer::TokenAttention
        );
        std::fs::write(&path, r#"{"scorer": "max"}"#).expect("write");
        let err = read_scorer(dir.path()).expect_err("unknown").to_string();
        assert!(err.contains(SCORER_FILE) && err.contains("max"), "{err}");
    }

    #[test]
    fn names_round_trip() {
        for scorer in Scorer::ALL {
            assert_eq!(Scorer::from_name(scorer.name()), Some(scorer));
        }
        assert_eq!(Scorer::from_name("max"), None);
    }
}
