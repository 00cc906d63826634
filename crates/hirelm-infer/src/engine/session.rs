//! One decoding sequence over [`EngineWeights`]: its KV cache and the forward pass.

use std::sync::Arc;

use rayon::prelude::*;

use super::config::Family;
use super::weights::EngineWeights;
use crate::error::{InferError, Result};
use crate::kernels::{Activations, DotKernel};

/// A sequence being decoded: the tokens seen so far live in the KV cache. Cloning a session
/// copies its cache, so a shared prompt prefix is computed once and reused.
#[derive(Debug, Clone)]
pub struct Session {
    weights: Arc<EngineWeights>,
    kernel: DotKernel,
    /// Per layer, `[position, kv_dim]` keys and values.
    keys: Vec<Vec<f32>>,
    values: Vec<Vec<f32>>,
    len: usize,
    acts: Activations,
    scratch: Vec<f32>,
}

impl Session {
    /// An empty sequence.
    pub fn new(weights: Arc<EngineWeights>) -> Self {
        let layers = weights.config.num_layers();
        Self {
            weights,
            kernel: DotKernel::detect(),
            keys: vec![Vec::new(); layers],
            values: vec![Vec::new(); layers],
            len: 0,
            acts: Activations::default(),
            scratch: Vec::new(),
        }
    }

    /// Tokens in the cache.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no token has been fed yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every token after the first `len` (to reuse a prompt prefix).
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            let kv_dim = self.weights.config.kv_dim();
            for (k, v) in self.keys.iter_mut().zip(&mut self.values) {
                k.truncate(len * kv_dim);
                v.truncate(len * kv_dim);
            }
            self.len = len;
        }
    }

    /// Feeds `tokens` (all at once: batched prefill) and returns the logits after the last one.
    ///
    /// # Shapes
    /// `tokens: [T]` → `[vocab]`.
    pub fn forward(&mut self, tokens: &[u32]) -> Result<Vec<f32>> {
        let hidden = self.forward_in_pool(tokens)?;
        let d = self.weights.config.hidden_size;
        let last = &hidden[hidden.len() - d..];
        Ok(self.logits(last))
    }

    /// Feeds `tokens` and returns the logits after every one of them (`[T, vocab]`, row-major),
    /// for scoring a continuation in one pass.
    pub fn forward_all(&mut self, tokens: &[u32]) -> Result<Vec<f32>> {
        let hidden = self.forward_in_pool(tokens)?;
        let d = self.weights.config.hidden_size;
        Ok(hidden.chunks_exact(d).flat_map(|h| self.logits(h)).collect())
    }

    /// Runs the pass on a worker of the thread pool. Called from outside the pool, each of the
    /// ~120 parallel products of a decode step would otherwise park the caller and wake a
    /// worker (futex round trips that cost a sixth of a decode step); inside it, the caller's
    /// own worker takes part and the other one steals.
    fn forward_in_pool(&mut self, tokens: &[u32]) -> Result<Vec<f32>> {
        if rayon::current_thread_index().is_some() {
            return self.forward_hidden(tokens);
        }
        rayon::scope(|_| self.forward_hidden(tokens))
    }

    fn logits(&mut self, hidden: &[f32]) -> Vec<f32> {
        let w = Arc::clone(&self.weights);
        let c = &w.config;
        let mut normed = hidden.to_vec();
        rms_norm(&mut normed, &w.norm, c.rms_norm_eps as f32);
        let head = w.output_head();
        self.acts.prepare(&normed, 1, c.hidden_size, head.format());
        let mut logits = vec![0f32; c.vocab_size];
        head.matmul(&self.acts, &mut logits, self.kernel, &mut self.scratch);
        logits
    }

    /// The final hidden states (before the last norm) of `tokens`, `[T, hidden]`.
    fn forward_hidden(&mut self, tokens: &[u32]) -> Result<Vec<f32>> {
        let w = Arc::clone(&self.weights);
        let c = &w.config;
        let (t_len, d) = (tokens.len(), c.hidden_size);
        if t_len == 0 {
            return Err(InferError::invalid("tokens", "forward needs at least one token"));
        }
        if self.len + t_len > c.max_seq_len {
            return Err(InferError::ContextFull { needed: self.len + t_len, limit: c.max_seq_len });
        }
        let mut x = vec![0f32; t_len * d];
        for (&id, row) in tokens.iter().zip(x.chunks_exact_mut(d)) {
            if id as usize >= c.vocab_size {
                return Err(InferError::TokenOutOfRange { id, vocab: c.vocab_size });
            }
            w.embed.row_f32(id as usize, row);
        }
        let gemma = c.family == Family::Gemma3;
        if gemma {
            // Gemma scales its (tied) embeddings by √hidden on the way in, not on the way out.
            let scale = (d as f32).sqrt();
            x.iter_mut().for_each(|v| *v *= scale);
        }
        let hd = c.head_dim;
        let (q_dim, kv_dim) = (c.q_dim(), c.kv_dim());
        let eps = c.rms_norm_eps as f32;
        // One table per RoPE base (Gemma has two: global and sliding-window layers), and each
        // layer's index into them.
        let mut thetas: Vec<f64> = Vec::new();
        let rope_of_layer: Vec<usize> = c
            .layers
            .iter()
            .map(|layer| {
                thetas.iter().position(|t| *t == layer.rope_theta).unwrap_or_else(|| {
                    thetas.push(layer.rope_theta);
                    thetas.len() - 1
                })
            })
            .collect();
        let ropes: Vec<(Vec<f32>, Vec<f32>)> = thetas.iter().map(|&theta| rope_tables(self.len, t_len, hd, theta)).collect();
        let mut h = vec![0f32; t_len * d];
        let mut qkv = vec![0f32; t_len * (q_dim + 2 * kv_dim)];
        let mut attn = vec![0f32; t_len * q_dim];
        let mut proj = vec![0f32; t_len * d];
        let mut gate_up = vec![0f32; t_len * 2 * c.intermediate_size];
        let mut act = vec![0f32; t_len * c.intermediate_size];
        for (layer, lw) in w.layers.iter().enumerate() {
            let (attention, rope) = (c.layers[layer], &ropes[rope_of_layer[layer]]);
            // Attention block.
            h.copy_from_slice(&x);
            h.chunks_exact_mut(d).for_each(|row| rms_norm(row, &lw.attn_norm, eps));
            self.acts.prepare(&h, t_len, d, lw.qkv.format());
            lw.qkv.matmul(&self.acts, &mut qkv, self.kernel, &mut self.scratch);
            for (t, row) in qkv.chunks_exact_mut(q_dim + 2 * kv_dim).enumerate() {
                let (q, kv) = row.split_at_mut(q_dim);
                let (k, v) = kv.split_at_mut(kv_dim);
                if let Some((q_gain, k_gain)) = &lw.qk_norm {
                    q.chunks_exact_mut(hd).for_each(|head| rms_norm(head, q_gain, eps));
                    k.chunks_exact_mut(hd).for_each(|head| rms_norm(head, k_gain, eps));
                }
                let (cos, sin) = (&rope.0[t * hd / 2..(t + 1) * hd / 2], &rope.1[t * hd / 2..(t + 1) * hd / 2]);
                q.chunks_exact_mut(hd).for_each(|head| apply_rope(head, cos, sin));
                k.chunks_exact_mut(hd).for_each(|head| apply_rope(head, cos, sin));
                self.keys[layer].extend_from_slice(k);
                self.values[layer].extend_from_slice(v);
            }
            let (keys, values) = (&self.keys[layer], &self.values[layer]);
            let group = c.num_heads / c.num_kv_heads;
            let start = self.len;
            let attend_head = |(i, out): (usize, &mut [f32])| {
                let (t, head) = (i / c.num_heads, i % c.num_heads);
                let row = &qkv[t * (q_dim + 2 * kv_dim)..];
                let q = &row[head * hd..(head + 1) * hd];
                let end = start + t + 1;
                let first = attention.window.map_or(0, |window| end.saturating_sub(window));
                attend(q, keys, values, first..end, (head / group) * hd, kv_dim, out);
            };
            // A short context's heads are too little work to share between threads.
            if t_len == 1 && start < 64 {
                attn.chunks_mut(hd).enumerate().for_each(attend_head);
            } else {
                attn.par_chunks_mut(hd).enumerate().for_each(attend_head);
            }
            self.acts.prepare(&attn, t_len, q_dim, lw.o.format());
            lw.o.matmul(&self.acts, &mut proj, self.kernel, &mut self.scratch);
            if let Some(gain) = &lw.post_attn_norm {
                proj.chunks_exact_mut(d).for_each(|row| rms_norm(row, gain, eps));
            }
            x.iter_mut().zip(&proj).for_each(|(x, p)| *x += p);
            // MLP block (gated: SiLU for Llama, GELU-tanh for Gemma).
            h.copy_from_slice(&x);
            h.chunks_exact_mut(d).for_each(|row| rms_norm(row, &lw.mlp_norm, eps));
            self.acts.prepare(&h, t_len, d, lw.gate_up.format());
            lw.gate_up.matmul(&self.acts, &mut gate_up, self.kernel, &mut self.scratch);
            let ff = c.intermediate_size;
            for (gu, a) in gate_up.chunks_exact(2 * ff).zip(act.chunks_exact_mut(ff)) {
                let (g, u) = gu.split_at(ff);
                if gemma {
                    a.iter_mut().zip(g).zip(u).for_each(|((a, g), u)| *a = gelu_tanh(*g) * u);
                } else {
                    a.iter_mut().zip(g).zip(u).for_each(|((a, g), u)| *a = g / (1.0 + (-g).exp()) * u);
                }
            }
            self.acts.prepare(&act, t_len, ff, lw.down.format());
            lw.down.matmul(&self.acts, &mut proj, self.kernel, &mut self.scratch);
            if let Some(gain) = &lw.post_mlp_norm {
                proj.chunks_exact_mut(d).for_each(|row| rms_norm(row, gain, eps));
            }
            x.iter_mut().zip(&proj).for_each(|(x, p)| *x += p);
        }
        self.len += t_len;
        Ok(x)
    }
}

/// GELU with the tanh approximation (`gelu_pytorch_tanh`, llama.cpp's `ggml_gelu`).
fn gelu_tanh(x: f32) -> f32 {
    const SQRT_2_OVER_PI: f32 = 0.797_884_6;
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + 0.044_715 * x * x * x)).tanh())
}

/// `x / sqrt(mean(x²) + eps) · gain`, in place.
fn rms_norm(x: &mut [f32], gain: &[f32], eps: f32) {
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
fn apply_rope(head: &mut [f32], cos: &[f32], sin: &[f32]) {
    let half = head.len() / 2;
    for i in 0..half {
        let (a, b) = (head[i], head[i + half]);
        head[i] = a * cos[i] - b * sin[i];
        head[i + half] = b * cos[i] + a * sin[i];
    }
}

/// Attention of one query head over the cached `positions` of its KV head (all earlier ones,
/// or the sliding window).
fn attend(
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
        .map(|p| crate::kernels::dot_f32(q, &keys[p * kv_dim + offset..p * kv_dim + offset + hd]) * scale)
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
        crate::kernels::axpy(out, weight, &values[p * kv_dim + offset..p * kv_dim + offset + hd]);
    }
}
