//! The per-token operations of a decoder block, shared by batched prefill and the decode team.

use super::config::{EngineConfig, Family};
use super::weights::EngineWeights;
use crate::kernels::DotKernel;

/// GELU with the tanh approximation (`gelu_pytorch_tanh`, llama.cpp's `ggml_gelu`).
fn gelu_tanh(x: f32) -> f32 {
    const SQRT_2_OVER_PI: f32 = 0.797_884_6;
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + 0.044_715 * x * x * x)).tanh())
}

/// `x / sqrt(mean(x²) + eps) · gain`, in place.
pub(super) fn rms_norm(x: &mut [f32], gain: &[f32], eps: f32) {
    let mean_square = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    let inv = 1.0 / (mean_square + eps).sqrt();
    x.iter_mut().zip(gain).for_each(|(v, g)| *v = *v * inv * g);
}

/// cos and sin of every (position, frequency) pair for positions `start..start + n`, computed in
/// f64 like the training model's tables.
fn rope_tables(start: usize, n: usize, head_dim: usize, theta: f64) -> (Vec<f32>, Vec<f32>) {
    let half = head_dim / 2;
    let mut cos = Vec::with_capacity(n * half);
    let mut sin = Vec::with_capacity(n * half);
    for pos in start..start + n {
        for i in 0..half {
            let angle = pos as f64 * theta.powf(-2.0 * i as f64 / head_dim as f64);
            cos.push(angle.cos() as f32);
            sin.push(angle.sin() as f32);
        }
    }
    (cos, sin)
}

/// HF's rotate-half RoPE: pairs `(x_i, x_{i+half})` rotate together.
pub(super) fn apply_rope(head: &mut [f32], cos: &[f32], sin: &[f32]) {
    let half = head.len() / 2;
    for i in 0..half {
        let (a, b) = (head[i], head[i + half]);
        head[i] = a * cos[i] - b * sin[i];
        head[i + half] = b * cos[i] + a * sin[i];
    }
}

/// Attention of one query head over the cached `positions` of its KV head (all earlier ones,
/// or the sliding window), with `kernel`'s f32 products.
#[allow(clippy::too_many_arguments)]
pub(super) fn attend(
    kernel: DotKernel,
    q: &[f32],
    keys: &[f32],
    values: &[f32],
    positions: std::ops::Range<usize>,
    offset: usize,
    kv_dim: usize,
    out: &mut [f32],
) {
    let hd = q.len();
    let scale = 1.0 / (hd as f32).sqrt();
    let first = positions.start;
    let mut scores: Vec<f32> = positions
        .map(|p| kernel.dot_f32(q, &keys[p * kv_dim + offset..p * kv_dim + offset + hd]) * scale)
        .collect();
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut total = 0.0;
    for s in &mut scores {
        *s = (*s - max).exp();
        total += *s;
    }
    out.fill(0.0);
    for (i, s) in scores.iter().enumerate() {
        let p = first + i;
        let weight = s / total;
        kernel.axpy(
            out,
            weight,
            &values[p * kv_dim + offset..p * kv_dim + offset + hd],
        );
    }
}

/// The gated MLP activation of one token: `act(gate) · up` over `gate_up = [gate | up]`, SiLU
/// for Llama and GELU-tanh for Gemma.
pub(super) fn gated_activation(gemma: bool, gate_up: &[f32], out: &mut [f32]) {
    let (g, u) = gate_up.split_at(out.len());
    if gemma {
        out.iter_mut()
            .zip(g)
            .zip(u)
            .for_each(|((a, g), u)| *a = gelu_tanh(*g) * u);
    } else {
        out.iter_mut()
            .zip(g)
            .zip(u)
            .for_each(|((a, g), u)| *a = g / (1.0 + (-g).exp()) * u);
    }
}

/// `x += update`, the update first normalised by `post_norm` where the block has one (Gemma's
/// post-attention and post-MLP norms).
pub(super) fn add_residual(x: &mut [f32], update: &[f32], post_norm: Option<&[f32]>, eps: f32) {
    match post_norm {
        None => x.iter_mut().zip(update).for_each(|(x, p)| *x += p),
        Some(gain) => {
            let mut normed = update.to_vec();
            rms_norm(&mut normed, gain, eps);
            x.iter_mut().zip(&normed).for_each(|(x, p)| *x += p);
        }
    }
}

/// Token `id`'s embedding into `out` (Gemma scales its tied embeddings by √hidden on the way
/// in, not on the way out). The id must be in the vocabulary.
pub(super) fn embed(weights: &EngineWeights, id: u32, out: &mut [f32]) {
    weights.embed.row_f32(id as usize, out);
    if weights.config.family == Family::Gemma3 {
        let scale = (out.len() as f32).sqrt();
        out.iter_mut().for_each(|v| *v *= scale);
    }
}

/// The cosines and sines of one RoPE base over a run of positions.
pub(super) type RopeTable = (Vec<f32>, Vec<f32>);

/// RoPE tables for positions `start..start + n`: one per RoPE base (Gemma has two, for its
/// global and sliding-window layers), and each layer's index into them.
pub(super) fn rope_tables_by_layer(
    config: &EngineConfig,
    start: usize,
    n: usize,
) -> (Vec<RopeTable>, Vec<usize>) {
    let mut thetas: Vec<f64> = Vec::new();
    let rope_of_layer = config
        .layers
        .iter()
        .map(|layer| {
            thetas
                .iter()
                .position(|t| *t == layer.rope_theta)
                .unwrap_or_else(|| {
                    thetas.push(layer.rope_theta);
                    thetas.len() - 1
                })
        })
        .collect();
    let tables = thetas
        .iter()
        .map(|&theta| rope_tables(start, n, config.head_dim, theta))
        .collect();
    (tables, rope_of_layer)
}
