//! One decoding sequence over [`EngineWeights`]: its KV cache and the forward pass.

use std::sync::Arc;

use rayon::prelude::*;

use super::config::Family;
use super::ops::{
    add_residual, apply_rope, attend, embed, gated_activation, rms_norm, rope_tables_by_layer,
};
use super::weights::EngineWeights;
use crate::error::{InferError, Result};
use crate::kernels::{Activations, DotKernel};

/// A sequence being decoded: the tokens seen so far live in the KV cache. Cloning a session
/// copies its cache, so a shared prompt prefix is computed once and reused.
#[derive(Debug, Clone)]
pub struct Session {
    pub(super) weights: Arc<EngineWeights>,
    pub(super) kernel: DotKernel,
    /// Per layer, `[position, kv_dim]` keys and values.
    keys: Vec<Vec<f32>>,
    values: Vec<Vec<f32>>,
    pub(super) len: usize,
    acts: Activations,
    scratch: Vec<f32>,
}

impl Session {
    /// An empty sequence, computed with the best kernels this CPU has ([`DotKernel::detect`]).
    pub fn new(weights: Arc<EngineWeights>) -> Self {
        Self::with_kernel(weights, DotKernel::detect())
    }

    /// An empty sequence whose every product runs on `kernel` (one of
    /// [`DotKernel::available`]; one the CPU lacks falls back to the portable code), so tests
    /// and comparisons can run each SIMD path on a machine that has a better one.
    pub fn with_kernel(weights: Arc<EngineWeights>, kernel: DotKernel) -> Self {
        let layers = weights.config.num_layers();
        Self {
            weights,
            kernel,
            keys: vec![Vec::new(); layers],
            values: vec![Vec::new(); layers],
            len: 0,
            acts: Activations::default(),
            scratch: Vec::new(),
        }
    }

    /// The kernel this session computes with.
    pub fn kernel(&self) -> DotKernel {
        self.kernel
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
        if let [token] = tokens {
            return self.decode_step(*token, None);
        }
        let hidden = self.forward_in_pool(tokens)?;
        let d = self.weights.config.hidden_size;
        let last = &hidden[hidden.len() - d..];
        Ok(self.logits(last))
    }

    /// Feeds one token and returns the logits after it for the ids `allowed` marks (`allowed[id]`,
    /// as a constrained decoder's mask): those are exactly what [`forward`](Self::forward)
    /// returns; the others are −∞ or, where they share a four-row tile of the output head with
    /// an allowed id, computed anyway. Decoding under a grammar skips most of the head this way.
    pub fn forward_within(&mut self, token: u32, allowed: &[bool]) -> Result<Vec<f32>> {
        self.decode_step(token, Some(allowed))
    }

    /// Feeds `tokens` and returns the logits after every one of them (`[T, vocab]`, row-major),
    /// for scoring a continuation in one pass.
    pub fn forward_all(&mut self, tokens: &[u32]) -> Result<Vec<f32>> {
        if let [token] = tokens {
            return self.decode_step(*token, None);
        }
        let hidden = self.forward_in_pool(tokens)?;
        let d = self.weights.config.hidden_size;
        Ok(hidden
            .chunks_exact(d)
            .flat_map(|h| self.logits(h))
            .collect())
    }

    /// Runs a batched pass on a worker of the thread pool: called from outside the pool, each
    /// parallel product would otherwise park the caller and wake a worker; inside it, the
    /// caller's own worker takes part and the other one steals. (Single tokens take
    /// [`decode_step`](Self::decode_step), on its own team of threads.)
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

    /// Each layer's keys and values, grown by one zeroed position for the decode step to fill.
    pub(super) fn cache_with_room_for_one(&mut self) -> (&mut [Vec<f32>], &mut [Vec<f32>]) {
        let room = (self.len + 1) * self.weights.config.kv_dim();
        self.keys
            .iter_mut()
            .chain(&mut self.values)
            .for_each(|cache| cache.resize(room, 0.0));
        (&mut self.keys, &mut self.values)
    }

    /// Refuses an empty batch, a token outside the vocabulary and a batch past the context.
    pub(super) fn check_tokens(&self, tokens: &[u32]) -> Result<()> {
        let c = &self.weights.config;
        if tokens.is_empty() {
            return Err(InferError::invalid(
                "tokens",
                "forward needs at least one token",
            ));
        }
        if self.len + tokens.len() > c.max_seq_len {
            return Err(InferError::ContextFull {
                needed: self.len + tokens.len(),
                limit: c.max_seq_len,
            });
        }
        match tokens.iter().find(|&&id| id as usize >= c.vocab_size) {
            Some(&id) => Err(InferError::TokenOutOfRange {
                id,
                vocab: c.vocab_size,
            }),
            None => Ok(()),
        }
    }

    /// The final hidden states (before the last norm) of `tokens`, `[T, hidden]`.
    fn forward_hidden(&mut self, tokens: &[u32]) -> Result<Vec<f32>> {
        let w = Arc::clone(&self.weights);
        let c = &w.config;
        let (t_len, d) = (tokens.len(), c.hidden_size);
        self.check_tokens(tokens)?;
        // The cache holds exactly `len` positions (a decode step that panicked may have left
        // the room it made for one more).
        let kv = self.len * c.kv_dim();
        self.keys
            .iter_mut()
            .chain(&mut self.values)
            .for_each(|cache| cache.truncate(kv));
        let mut x = vec![0f32; t_len * d];
        for (&id, row) in tokens.iter().zip(x.chunks_exact_mut(d)) {
            embed(&w, id, row);
        }
        let gemma = c.family == Family::Gemma3;
        let hd = c.head_dim;
        let (q_dim, kv_dim) = (c.q_dim(), c.kv_dim());
        let eps = c.rms_norm_eps as f32;
        let (ropes, rope_of_layer) = rope_tables_by_layer(c, self.len, t_len);
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
            h.chunks_exact_mut(d)
                .for_each(|row| rms_norm(row, &lw.attn_norm, eps));
            self.acts.prepare(&h, t_len, d, lw.qkv.format());
            lw.qkv
                .matmul(&self.acts, &mut qkv, self.kernel, &mut self.scratch);
            for (t, row) in qkv.chunks_exact_mut(q_dim + 2 * kv_dim).enumerate() {
                let (q, kv) = row.split_at_mut(q_dim);
                let (k, v) = kv.split_at_mut(kv_dim);
                if let Some((q_gain, k_gain)) = &lw.qk_norm {
                    q.chunks_exact_mut(hd)
                        .for_each(|head| rms_norm(head, q_gain, eps));
                    k.chunks_exact_mut(hd)
                        .for_each(|head| rms_norm(head, k_gain, eps));
                }
                let (cos, sin) = (
                    &rope.0[t * hd / 2..(t + 1) * hd / 2],
                    &rope.1[t * hd / 2..(t + 1) * hd / 2],
                );
                q.chunks_exact_mut(hd)
                    .for_each(|head| apply_rope(head, cos, sin));
                k.chunks_exact_mut(hd)
                    .for_each(|head| apply_rope(head, cos, sin));
                self.keys[layer].extend_from_slice(k);
                self.values[layer].extend_from_slice(v);
            }
            let (keys, values) = (&self.keys[layer], &self.values[layer]);
            let group = c.num_heads / c.num_kv_heads;
            let (start, kernel) = (self.len, self.kernel);
            let attend_head = |(i, out): (usize, &mut [f32])| {
                let (t, head) = (i / c.num_heads, i % c.num_heads);
                let row = &qkv[t * (q_dim + 2 * kv_dim)..];
                let q = &row[head * hd..(head + 1) * hd];
                let end = start + t + 1;
                let first = attention
                    .window
                    .map_or(0, |window| end.saturating_sub(window));
                attend(
                    kernel,
                    q,
                    keys,
                    values,
                    first..end,
                    (head / group) * hd,
                    kv_dim,
                    out,
                );
            };
            // A short context's heads are too little work to share between threads.
            if t_len == 1 && start < 64 {
                attn.chunks_mut(hd).enumerate().for_each(attend_head);
            } else {
                attn.par_chunks_mut(hd).enumerate().for_each(attend_head);
            }
            self.acts.prepare(&attn, t_len, q_dim, lw.o.format());
            lw.o.matmul(&self.acts, &mut proj, self.kernel, &mut self.scratch);
            for (x, p) in x.chunks_exact_mut(d).zip(proj.chunks_exact(d)) {
                add_residual(x, p, lw.post_attn_norm.as_deref(), eps);
            }
            // MLP block (gated: SiLU for Llama, GELU-tanh for Gemma).
            h.copy_from_slice(&x);
            h.chunks_exact_mut(d)
                .for_each(|row| rms_norm(row, &lw.mlp_norm, eps));
            self.acts.prepare(&h, t_len, d, lw.gate_up.format());
            lw.gate_up
                .matmul(&self.acts, &mut gate_up, self.kernel, &mut self.scratch);
            let ff = c.intermediate_size;
            for (gu, a) in gate_up.chunks_exact(2 * ff).zip(act.chunks_exact_mut(ff)) {
                gated_activation(gemma, gu, a);
            }
            self.acts.prepare(&act, t_len, ff, lw.down.format());
            lw.down
                .matmul(&self.acts, &mut proj, self.kernel, &mut self.scratch);
            for (x, p) in x.chunks_exact_mut(d).zip(proj.chunks_exact(d)) {
                add_residual(x, p, lw.post_mlp_norm.as_deref(), eps);
            }
        }
        self.len += t_len;
        Ok(x)
    }
}
