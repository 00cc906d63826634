//! One token through the decoder on a [`team`](super::team) of threads: the decode step.
//!
//! It computes exactly what [`Session::forward`] computes for a batch of one (the same kernels
//! and per-token operations, each output value from one dot product), so decoding token by
//! token equals batched prefill bit for bit, with any number of threads.

use std::sync::Arc;

use super::config::Family;
use super::ops::{
    add_residual, apply_rope, attend, embed, gated_activation, rms_norm, rope_tables_by_layer,
};
use super::session::Session;
use super::team::{self, Member, View};
use crate::error::Result;
use crate::kernels::{Activations, DotKernel, Matrix, ROWS_PER_TASK, TILE_ROWS};

impl Session {
    /// Feeds one token and returns the logits after it. The step runs on a team of as many
    /// threads as the current rayon pool has. With `allowed`, the output head computes only
    /// the four-row tiles holding an allowed id and sets the other logits to −∞: under a
    /// grammar that allows a few tokens, most of a large vocabulary's head (two thirds of Gemma
    /// 3's weights) is never read. Each computed logit is the same dot product either way.
    pub(super) fn decode_step(&mut self, token: u32, allowed: Option<&[bool]>) -> Result<Vec<f32>> {
        self.check_tokens(&[token])?;
        let w = Arc::clone(&self.weights);
        let c = &w.config;
        let (d, hd, ff) = (c.hidden_size, c.head_dim, c.intermediate_size);
        let (q_dim, kv_dim) = (c.q_dim(), c.kv_dim());
        let (pos, eps, kernel) = (self.len, c.rms_norm_eps as f32, self.kernel);
        let gemma = c.family == Family::Gemma3;
        let (ropes, rope_of_layer) = rope_tables_by_layer(c, pos, 1);
        let (keys, values) = self.cache_with_room_for_one();
        let layers = keys.len();
        let mut buffers =
            [q_dim + 2 * kv_dim, q_dim, d, 2 * ff, c.vocab_size].map(|n| vec![0f32; n]);
        let shared: Vec<&mut [f32]> = buffers
            .iter_mut()
            .chain(keys)
            .chain(values)
            .map(|b| b.as_mut_slice())
            .collect();
        team::run(rayon::current_num_threads(), shared, |m, mut views| {
            let caches = views.split_off(5);
            let Ok([mut qkv, mut attn, mut proj, mut gate_up, mut logits]) =
                <[View<'_>; 5]>::try_from(views)
            else {
                unreachable!("five buffers before the caches")
            };
            let (mut keys, mut values): (Vec<View<'_>>, Vec<View<'_>>) = {
                let mut caches = caches;
                let values = caches.split_off(layers);
                (caches, values)
            };
            let mut x = vec![0f32; d];
            embed(&w, token, &mut x);
            let (mut h, mut act, mut acts) =
                (vec![0f32; d], vec![0f32; ff], Activations::default());
            for (layer, lw) in w.layers.iter().enumerate() {
                let (cos, sin) = &ropes[rope_of_layer[layer]];
                h.copy_from_slice(&x);
                rms_norm(&mut h, &lw.attn_norm, eps);
                acts.prepare(&h, 1, d, lw.qkv.format());
                product(m, &lw.qkv, &acts, &mut qkv, kernel, None);
                let qkv = qkv.read();
                // The new position's key and value, into the cache.
                m.fill(&mut keys[layer], kv_dim, pos..pos + 1, |_, key| {
                    key.copy_from_slice(&qkv[q_dim..q_dim + kv_dim]);
                    if let Some((_, k_gain)) = &lw.qk_norm {
                        key.chunks_exact_mut(hd)
                            .for_each(|head| rms_norm(head, k_gain, eps));
                    }
                    key.chunks_exact_mut(hd)
                        .for_each(|head| apply_rope(head, cos, sin));
                });
                m.fill(&mut values[layer], kv_dim, pos..pos + 1, |_, value| {
                    value.copy_from_slice(&qkv[q_dim + kv_dim..])
                });
                let (layer_keys, layer_values) = (keys[layer].read(), values[layer].read());
                let group = c.num_heads / c.num_kv_heads;
                let first = c.layers[layer]
                    .window
                    .map_or(0, |window| (pos + 1).saturating_sub(window));
                m.fill(&mut attn, hd, 0..c.num_heads, |head, out| {
                    let mut q = qkv[head * hd..(head + 1) * hd].to_vec();
                    if let Some((q_gain, _)) = &lw.qk_norm {
                        rms_norm(&mut q, q_gain, eps);
                    }
                    apply_rope(&mut q, cos, sin);
                    attend(
                        kernel,
                        &q,
                        layer_keys,
                        layer_values,
                        first..pos + 1,
                        (head / group) * hd,
                        kv_dim,
                        out,
                    );
                });
                acts.prepare(attn.read(), 1, q_dim, lw.o.format());
                product(m, &lw.o, &acts, &mut proj, kernel, None);
                add_residual(&mut x, proj.read(), lw.post_attn_norm.as_deref(), eps);
                h.copy_from_slice(&x);
                rms_norm(&mut h, &lw.mlp_norm, eps);
                acts.prepare(&h, 1, d, lw.gate_up.format());
                product(m, &lw.gate_up, &acts, &mut gate_up, kernel, None);
                gated_activation(gemma, gate_up.read(), &mut act);
                acts.prepare(&act, 1, ff, lw.down.format());
                product(m, &lw.down, &acts, &mut proj, kernel, None);
                add_residual(&mut x, proj.read(), lw.post_mlp_norm.as_deref(), eps);
            }
            rms_norm(&mut x, &w.norm, eps);
            let head = w.output_head();
            acts.prepare(&x, 1, d, head.format());
            product(m, head, &acts, &mut logits, kernel, allowed);
        });
        self.len += 1;
        let [_, _, _, _, logits] = buffers;
        Ok(logits)
    }
}

/// `out = W·x` for one token, its rows claimed by the team's members in tasks of
/// [`ROWS_PER_TASK`]; with `allowed`, only the rows [`matvec_allowed`] keeps.
fn product(
    m: &Member<'_>,
    matrix: &Matrix,
    x: &Activations,
    out: &mut View<'_>,
    kernel: DotKernel,
    allowed: Option<&[bool]>,
) {
    let rows = matrix.shape().0;
    m.fill(
        out,
        ROWS_PER_TASK,
        0..rows.div_ceil(ROWS_PER_TASK),
        |task, values| match allowed {
            None => matrix.matvec_rows(x, task * ROWS_PER_TASK, values, kernel),
            Some(allowed) => {
                matvec_allowed(matrix, x, task * ROWS_PER_TASK, values, kernel, allowed)
            }
        },
    );
}

/// Rows `first..` of `W·x` as [`Matrix::matvec_rows`] computes them, but only in the four-row
/// tiles that hold a row `allowed` marks (rows past `allowed` count as not allowed); the rest
/// are −∞. Consecutive wanted tiles are one call, so a fully allowed part costs what
/// `matvec_rows` does.
fn matvec_allowed(
    matrix: &Matrix,
    x: &Activations,
    first: usize,
    values: &mut [f32],
    kernel: DotKernel,
    allowed: &[bool],
) {
    let wanted = |tile: usize| {
        let start = first + tile * TILE_ROWS;
        allowed
            .get(start..(start + TILE_ROWS).min(allowed.len()))
            .is_some_and(|ids| ids.contains(&true))
    };
    let tiles = values.len().div_ceil(TILE_ROWS);
    let mut tile = 0;
    while tile < tiles {
        let (run_start, on) = (tile, wanted(tile));
        while tile < tiles && wanted(tile) == on {
            tile += 1;
        }
        let run = run_start * TILE_ROWS..(tile * TILE_ROWS).min(values.len());
        match on {
            true => matrix.matvec_rows(x, first + run.start, &mut values[run], kernel),
            false => values[run].fill(f32::NEG_INFINITY),
        }
    }
}
