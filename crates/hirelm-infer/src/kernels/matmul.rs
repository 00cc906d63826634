//! `y = W·x` for a weight matrix stored row by row (PyTorch's `[out, in]` layout) and a batch
//! of input vectors, parallel over output rows.

use rayon::prelude::*;

use super::dot::{ActRow, DotKernel};
use super::q4::Q4Tiles;
use super::quant::{BLOCK, Q8Rows};
use super::tiles::{Q8Tiles, TILE_ROWS};

/// How weights are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightFormat {
    /// Full precision: the reference the quantised path is tested against.
    F32,
    /// GGUF's Q8_0 (8-bit values, one scale per 32); activations are quantised the same way.
    Q8_0,
    /// GGUF's Q4_1 (4-bit values, a scale and a minimum per 32); activations as for Q8_0.
    Q4_1,
}

impl WeightFormat {
    /// The format of the token embeddings and the output head when the projections are in
    /// `self`: Q4_1 projections keep an 8-bit head, as llama.cpp's Q4_1 files do (SmolLM2's
    /// stores `token_embd` as Q8_0). The head decides every token; 4 bits there cost SmolLM2
    /// a tenth of its agreement with llama.cpp's greedy choices.
    pub fn for_embeddings(self) -> Self {
        match self {
            Self::Q4_1 => Self::Q8_0,
            other => other,
        }
    }
}

/// A `[rows, cols]` weight matrix.
#[derive(Debug, Clone)]
pub enum Matrix {
    /// Row-major f32 values.
    F32 {
        /// Output features.
        rows: usize,
        /// Input features.
        cols: usize,
        /// `rows × cols` values.
        data: Vec<f32>,
    },
    /// Q8_0 blocks in four-row tiles.
    Q8(Q8Tiles),
    /// Q4_1 blocks in four-row tiles.
    Q4(Q4Tiles),
}

/// A batch of input vectors, prepared for one [`Matrix`] format.
#[derive(Debug, Clone, Default)]
pub struct Activations {
    tokens: usize,
    cols: usize,
    f32: Vec<f32>,
    /// Quantised rows, zero-padded to whole block pairs (as the weight tiles are).
    q8: Q8Rows,
    /// Per token and group of four values, `-128 · Σq` (see [`ActRow`]).
    neg_offset: Vec<i32>,
    /// Per token and block, `d · Σq` (see [`ActRow`]).
    block_sums: Vec<f32>,
}

impl Activations {
    /// Token `t` as a kernel operand (Q8_0 only).
    pub(crate) fn row(&self, t: usize) -> ActRow<'_> {
        let (q, d) = self.q8.row(t);
        let (groups, blocks) = (self.q8.cols / 4, self.q8.cols / BLOCK);
        ActRow {
            q,
            d,
            neg_offset: &self.neg_offset[t * groups..(t + 1) * groups],
            block_sums: &self.block_sums[t * blocks..(t + 1) * blocks],
        }
    }

    /// Prepares `tokens` row-major vectors of width `cols` (quantising them for Q8_0 weights).
    pub fn prepare(&mut self, values: &[f32], tokens: usize, cols: usize, format: WeightFormat) {
        assert_eq!(
            values.len(),
            tokens * cols,
            "activations do not match their shape"
        );
        self.tokens = tokens;
        self.cols = cols;
        match format {
            WeightFormat::F32 => {
                self.f32.clear();
                self.f32.extend_from_slice(values);
            }
            WeightFormat::Q8_0 | WeightFormat::Q4_1 => {
                let padded = cols.next_multiple_of(2 * BLOCK);
                if self.q8.rows != tokens || self.q8.cols != padded {
                    self.q8 = Q8Rows::zeros(tokens, padded);
                }
                self.neg_offset.clear();
                self.block_sums.clear();
                // A zero-padded copy only when the width is not whole block pairs.
                let mut row = vec![0f32; if padded == cols { 0 } else { padded }];
                for t in 0..tokens {
                    let values = &values[t * cols..(t + 1) * cols];
                    if padded == cols {
                        self.q8.set_activation_row(t, values);
                    } else {
                        row[..cols].copy_from_slice(values);
                        self.q8.set_activation_row(t, &row);
                    }
                    let (q, d) = self.q8.row(t);
                    self.neg_offset.extend(
                        q.chunks_exact(4)
                            .map(|g| -128 * g.iter().map(|&v| i32::from(v)).sum::<i32>()),
                    );
                    self.block_sums.extend(
                        q.chunks_exact(BLOCK)
                            .zip(d)
                            .map(|(b, d)| d * b.iter().map(|&v| i32::from(v)).sum::<i32>() as f32),
                    );
                }
            }
        }
    }
}

/// Rows per parallel task: small enough for both cores to share a decode-sized matrix, large
/// enough that scheduling stays a small fraction of the work. A multiple of [`TILE_ROWS`].
pub const ROWS_PER_TASK: usize = 64;

/// Tokens whose activations are reused across a task's weight rows while they sit in cache.
const TOKENS_PER_BLOCK: usize = 32;

/// Tokens per kernel call in batched products: four rows × four tokens keep 16 accumulators
/// in registers.
const TOKENS_PER_TILE: usize = 4;

impl Matrix {
    /// Builds a matrix in `format` from row-major f32 values.
    pub fn from_f32(data: Vec<f32>, rows: usize, cols: usize, format: WeightFormat) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "matrix data does not match its shape"
        );
        match format {
            WeightFormat::F32 => Self::F32 { rows, cols, data },
            WeightFormat::Q8_0 => Self::Q8(Q8Tiles::quantize(&data, rows, cols)),
            WeightFormat::Q4_1 => Self::Q4(Q4Tiles::quantize(&data, rows, cols)),
        }
    }

    /// `[rows, cols]`.
    pub fn shape(&self) -> (usize, usize) {
        match self {
            Self::F32 { rows, cols, .. } => (*rows, *cols),
            Self::Q8(q) => (q.rows, q.cols),
            Self::Q4(q) => (q.rows, q.cols),
        }
    }

    /// The storage format.
    pub fn format(&self) -> WeightFormat {
        match self {
            Self::F32 { .. } => WeightFormat::F32,
            Self::Q8(_) => WeightFormat::Q8_0,
            Self::Q4(_) => WeightFormat::Q4_1,
        }
    }

    /// Bytes of weight data.
    pub fn bytes(&self) -> usize {
        match self {
            Self::F32 { data, .. } => 4 * data.len(),
            Self::Q8(q) => q.bytes(),
            Self::Q4(q) => q.bytes(),
        }
    }

    /// Row `r` as f32 (an embedding lookup).
    pub fn row_f32(&self, r: usize, out: &mut [f32]) {
        match self {
            Self::F32 { cols, data, .. } => out.copy_from_slice(&data[r * cols..(r + 1) * cols]),
            Self::Q8(q) => q.dequantize_row(r, out),
            Self::Q4(q) => q.dequantize_row(r, out),
        }
    }

    /// Rows `first..first + out.len()` of `W·x` for a single token `x` (the decode product,
    /// split between threads by its callers); `first` is a multiple of [`TILE_ROWS`]. Each
    /// value is computed exactly as in [`matmul`](Self::matmul).
    pub fn matvec_rows(&self, x: &Activations, first: usize, out: &mut [f32], kernel: DotKernel) {
        let (rows, cols) = self.shape();
        assert!(
            x.tokens == 1 && x.cols == cols,
            "matvec_rows needs one token of the matrix's width"
        );
        assert!(
            first.is_multiple_of(TILE_ROWS) && first + out.len() <= rows,
            "row range not tile-aligned or past the matrix"
        );
        match self {
            Self::F32 { data, .. } => {
                for (r, v) in (first..).zip(out.iter_mut()) {
                    *v = kernel.dot_f32(&data[r * cols..(r + 1) * cols], &x.f32[..cols]);
                }
            }
            Self::Q8(_) | Self::Q4(_) => {
                let act = [x.row(0)];
                for (i, values) in out.chunks_mut(TILE_ROWS).enumerate() {
                    let [tile] = self.tile_dot(kernel, first / TILE_ROWS + i, &act);
                    values.copy_from_slice(&tile[..values.len()]);
                }
            }
        }
    }

    /// Tile `t` of a quantised matrix against `N` activation rows.
    fn tile_dot<const N: usize>(
        &self,
        kernel: DotKernel,
        t: usize,
        xs: &[ActRow<'_>; N],
    ) -> [[f32; TILE_ROWS]; N] {
        match self {
            Self::Q8(w) => kernel.tile_dot(w.tile(t), xs),
            Self::Q4(w) => kernel.q4_tile_dot(w.tile(t), xs),
            Self::F32 { .. } => unreachable!("f32 matrices have no tiles"),
        }
    }

    /// `out[t][r] = Σ_c W[r][c] · x[t][c]` for every token `t` of `x`; `out` is `tokens × rows`.
    /// Each output value is one dot product computed by one thread, so results do not depend on
    /// the number of threads or on how many tokens are in the batch. `scratch` is reused
    /// between calls (batched products are computed row-major, then transposed).
    pub fn matmul(
        &self,
        x: &Activations,
        out: &mut [f32],
        kernel: DotKernel,
        scratch: &mut Vec<f32>,
    ) {
        let (rows, cols) = self.shape();
        assert_eq!(x.cols, cols, "activation width does not match the matrix");
        assert_eq!(
            out.len(),
            x.tokens * rows,
            "output buffer has the wrong size"
        );
        if x.tokens == 0 {
            return;
        }
        if x.tokens == 1 {
            out.par_chunks_mut(ROWS_PER_TASK)
                .enumerate()
                .for_each(|(chunk, values)| {
                    self.matvec_rows(x, chunk * ROWS_PER_TASK, values, kernel)
                });
            return;
        }
        // Batched: each task owns a block of weight rows and walks the tokens in blocks, so both
        // its weight rows and one token block's activations stay in cache (walking all tokens
        // per row would stream every activation through the cache once per weight row).
        let tokens = x.tokens;
        let acts: Vec<ActRow<'_>> = match self {
            Self::F32 { .. } => Vec::new(),
            Self::Q8(_) | Self::Q4(_) => (0..tokens).map(|t| x.row(t)).collect(),
        };
        scratch.resize(rows * tokens, 0.0);
        scratch
            .par_chunks_mut(ROWS_PER_TASK * tokens)
            .enumerate()
            .for_each(|(chunk, values)| {
                let first = chunk * ROWS_PER_TASK;
                for t0 in (0..tokens).step_by(TOKENS_PER_BLOCK) {
                    let t1 = (t0 + TOKENS_PER_BLOCK).min(tokens);
                    match self {
                        Self::F32 { data, .. } => {
                            for (r, row_values) in (first..).zip(values.chunks_exact_mut(tokens)) {
                                for (t, v) in (t0..t1).zip(&mut row_values[t0..t1]) {
                                    *v = kernel.dot_f32(
                                        &data[r * cols..(r + 1) * cols],
                                        &x.f32[t * cols..(t + 1) * cols],
                                    );
                                }
                            }
                        }
                        Self::Q8(_) | Self::Q4(_) => {
                            for (i, tile_values) in
                                values.chunks_mut(TILE_ROWS * tokens).enumerate()
                            {
                                let tile = first / TILE_ROWS + i;
                                let mut put = |t: usize, dots: [f32; TILE_ROWS]| {
                                    for (row_values, v) in
                                        tile_values.chunks_exact_mut(tokens).zip(dots)
                                    {
                                        row_values[t] = v;
                                    }
                                };
                                let block = &acts[t0..t1];
                                let mut groups = block.chunks_exact(TOKENS_PER_TILE);
                                for (g, group) in (&mut groups).enumerate() {
                                    if let Ok(group) =
                                        <&[ActRow<'_>; TOKENS_PER_TILE]>::try_from(group)
                                    {
                                        for (k, dots) in self
                                            .tile_dot(kernel, tile, group)
                                            .into_iter()
                                            .enumerate()
                                        {
                                            put(t0 + g * TOKENS_PER_TILE + k, dots);
                                        }
                                    }
                                }
                                let done = t1 - groups.remainder().len();
                                for (k, act) in groups.remainder().iter().enumerate() {
                                    let [dots] = self.tile_dot(kernel, tile, &[*act]);
                                    put(done + k, dots);
                                }
                            }
                        }
                    }
                }
            });
        // Transpose in 16-token strips: each weight row's 16 values are one cache line.
        let by_row = &*scratch;
        out.par_chunks_mut(rows * 16)
            .enumerate()
            .for_each(|(strip, strip_out)| {
                let t0 = strip * 16;
                let n = strip_out.len() / rows;
                for r in 0..rows {
                    for (i, v) in by_row[r * tokens + t0..r * tokens + t0 + n]
                        .iter()
                        .enumerate()
                    {
                        strip_out[i * rows + r] = *v;
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests;
