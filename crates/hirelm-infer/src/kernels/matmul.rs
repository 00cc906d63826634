//! `y = W·x` for a weight matrix stored row by row (PyTorch's `[out, in]` layout) and a batch
//! of input vectors, parallel over output rows.

use rayon::prelude::*;

use super::dot::{ActRow, DotKernel, dot_f32};
use super::quant::{BLOCK, Q8Rows};

/// How weights are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightFormat {
    /// Full precision: the reference the quantised path is tested against.
    F32,
    /// GGUF's Q8_0 (8-bit values, one scale per 32); activations are quantised the same way.
    Q8_0,
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
    /// Q8_0 blocks.
    Q8(Q8Rows),
}

/// A batch of input vectors, prepared for one [`Matrix`] format.
#[derive(Debug, Clone, Default)]
pub struct Activations {
    tokens: usize,
    cols: usize,
    f32: Vec<f32>,
    q8: Q8Rows,
    /// Per token and group of four values, `-128 · Σq` (see [`ActRow`]).
    neg_offset: Vec<i32>,
    /// Per token and block, the scale repeated 8 times (see [`ActRow`]).
    d_lanes: Vec<f32>,
}

impl Activations {
    /// Token `t` as a kernel operand (Q8_0 only).
    fn row(&self, t: usize) -> ActRow<'_> {
        let (q, d) = self.q8.row(t);
        let blocks = self.cols / BLOCK;
        let lanes = 8 * t * blocks..8 * (t + 1) * blocks;
        ActRow { q, d, neg_offset: &self.neg_offset[lanes.clone()], d_lanes: &self.d_lanes[lanes] }
    }

    /// Prepares `tokens` row-major vectors of width `cols` (quantising them for Q8_0 weights).
    pub fn prepare(&mut self, values: &[f32], tokens: usize, cols: usize, format: WeightFormat) {
        self.tokens = tokens;
        self.cols = cols;
        match format {
            WeightFormat::F32 => {
                self.f32.clear();
                self.f32.extend_from_slice(values);
            }
            WeightFormat::Q8_0 => {
                if self.q8.rows != tokens || self.q8.cols != cols {
                    self.q8 = Q8Rows::zeros(tokens, cols);
                }
                self.neg_offset.clear();
                self.d_lanes.clear();
                for t in 0..tokens {
                    self.q8.set_row(t, &values[t * cols..(t + 1) * cols]);
                    let (q, d) = self.q8.row(t);
                    self.neg_offset.extend(q.chunks_exact(4).map(|g| -128 * g.iter().map(|&v| i32::from(v)).sum::<i32>()));
                    self.d_lanes.extend(d.iter().flat_map(|&d| [d; 8]));
                }
            }
        }
    }
}

/// Rows per parallel task: small enough for both cores to share a decode-sized matrix, large
/// enough that scheduling stays a small fraction of the work.
const ROWS_PER_TASK: usize = 64;

/// Tokens whose activations are reused across a task's weight rows while they sit in cache.
const TOKENS_PER_BLOCK: usize = 32;

impl Matrix {
    /// Builds a matrix in `format` from row-major f32 values.
    pub fn from_f32(data: Vec<f32>, rows: usize, cols: usize, format: WeightFormat) -> Self {
        assert_eq!(data.len(), rows * cols, "matrix data does not match its shape");
        match format {
            WeightFormat::F32 => Self::F32 { rows, cols, data },
            WeightFormat::Q8_0 => {
                assert_eq!(cols % BLOCK, 0, "Q8_0 needs a multiple of {BLOCK} columns");
                Self::Q8(Q8Rows::quantize(&data, rows, cols))
            }
        }
    }

    /// `[rows, cols]`.
    pub fn shape(&self) -> (usize, usize) {
        match self {
            Self::F32 { rows, cols, .. } => (*rows, *cols),
            Self::Q8(q) => (q.rows, q.cols),
        }
    }

    /// The storage format.
    pub fn format(&self) -> WeightFormat {
        match self {
            Self::F32 { .. } => WeightFormat::F32,
            Self::Q8(_) => WeightFormat::Q8_0,
        }
    }

    /// Bytes of weight data.
    pub fn bytes(&self) -> usize {
        match self {
            Self::F32 { data, .. } => 4 * data.len(),
            Self::Q8(q) => q.bytes(),
        }
    }

    /// Row `r` as f32 (an embedding lookup).
    pub fn row_f32(&self, r: usize, out: &mut [f32]) {
        match self {
            Self::F32 { cols, data, .. } => out.copy_from_slice(&data[r * cols..(r + 1) * cols]),
            Self::Q8(q) => q.dequantize_row(r, out),
        }
    }

    /// `out[t][r] = Σ_c W[r][c] · x[t][c]` for every token `t` of `x`; `out` is `tokens × rows`.
    /// Each output value is one dot product computed by one thread, so results do not depend on
    /// the number of threads or on how many tokens are in the batch. `scratch` is reused
    /// between calls (batched products are computed row-major, then transposed).
    pub fn matmul(&self, x: &Activations, out: &mut [f32], kernel: DotKernel, scratch: &mut Vec<f32>) {
        let (rows, cols) = self.shape();
        assert_eq!(x.cols, cols, "activation width does not match the matrix");
        assert_eq!(out.len(), x.tokens * rows, "output buffer has the wrong size");
        if x.tokens == 0 {
            return;
        }
        let acts: Vec<ActRow<'_>> = match self {
            Self::Q8(_) => (0..x.tokens).map(|t| x.row(t)).collect(),
            Self::F32 { .. } => Vec::new(),
        };
        // Tokens `t0..t0 + values.len()` against weight row `r`, four at a time on the Q8_0 path.
        let row_dots = |r: usize, t0: usize, values: &mut [f32]| match self {
            Self::F32 { data, .. } => {
                for (t, v) in (t0..).zip(values.iter_mut()) {
                    *v = dot_f32(&data[r * cols..(r + 1) * cols], &x.f32[t * cols..(t + 1) * cols]);
                }
            }
            Self::Q8(w) => {
                let (wq, wd) = w.row(r);
                let acts = &acts[t0..t0 + values.len()];
                let mut groups = values.chunks_exact_mut(4);
                let mut tiles = acts.chunks_exact(4);
                for (four, tile) in (&mut groups).zip(&mut tiles) {
                    if let Ok(tile) = <&[ActRow<'_>; 4]>::try_from(tile) {
                        four.copy_from_slice(&kernel.dot4(wq, wd, tile));
                    }
                }
                for (v, a) in groups.into_remainder().iter_mut().zip(tiles.remainder()) {
                    *v = kernel.dot(wq, wd, *a);
                }
            }
        };
        if x.tokens == 1 {
            out.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(chunk, values)| {
                let first = chunk * ROWS_PER_TASK;
                match self {
                    // Decode: four weight rows per activation load.
                    Self::Q8(w) => {
                        let done = values.len() / 4 * 4;
                        let mut fours = values.chunks_exact_mut(4);
                        for (i, four) in (&mut fours).enumerate() {
                            let r = first + 4 * i;
                            four.copy_from_slice(&kernel.dot_rows4([w.row(r), w.row(r + 1), w.row(r + 2), w.row(r + 3)], acts[0]));
                        }
                        for (i, v) in fours.into_remainder().iter_mut().enumerate() {
                            *v = kernel.dot(w.row(first + done + i).0, w.row(first + done + i).1, acts[0]);
                        }
                    }
                    Self::F32 { .. } => {
                        for (i, v) in values.iter_mut().enumerate() {
                            row_dots(first + i, 0, std::slice::from_mut(v));
                        }
                    }
                }
            });
            return;
        }
        // Batched: each task owns a block of weight rows and walks the tokens in blocks, so both
        // its weight rows and one token block's activations stay in cache (walking all tokens
        // per row would stream every activation through the cache once per weight row).
        let tokens = x.tokens;
        scratch.resize(rows * tokens, 0.0);
        scratch.par_chunks_mut(ROWS_PER_TASK * tokens).enumerate().for_each(|(chunk, values)| {
            for t0 in (0..tokens).step_by(TOKENS_PER_BLOCK) {
                let t1 = (t0 + TOKENS_PER_BLOCK).min(tokens);
                for (i, row_values) in values.chunks_exact_mut(tokens).enumerate() {
                    row_dots(chunk * ROWS_PER_TASK + i, t0, &mut row_values[t0..t1]);
                }
            }
        });
        // Transpose in 16-token strips: each weight row's 16 values are one cache line.
        let by_row = &*scratch;
        out.par_chunks_mut(rows * 16).enumerate().for_each(|(strip, strip_out)| {
            let t0 = strip * 16;
            let n = strip_out.len() / rows;
            for r in 0..rows {
                for (i, v) in by_row[r * tokens + t0..r * tokens + t0 + n].iter().enumerate() {
                    strip_out[i * rows + r] = *v;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_values as sample;


    #[test]
    fn batched_matmul_equals_one_token_at_a_time_exactly() {
        let (rows, cols, tokens) = (150, 96, 5);
        let x = sample(tokens * cols, 7);
        for format in [WeightFormat::F32, WeightFormat::Q8_0] {
            let w = Matrix::from_f32(sample(rows * cols, 3), rows, cols, format);
            let mut batch = Activations::default();
            batch.prepare(&x, tokens, cols, format);
            let mut all = vec![0.0; tokens * rows];
            w.matmul(&batch, &mut all, DotKernel::detect(), &mut Vec::new());
            for t in 0..tokens {
                let mut one = Activations::default();
                one.prepare(&x[t * cols..(t + 1) * cols], 1, cols, format);
                let mut out = vec![0.0; rows];
                w.matmul(&one, &mut out, DotKernel::detect(), &mut Vec::new());
                assert_eq!(out, all[t * rows..(t + 1) * rows], "{format:?} token {t}");
            }
        }
    }

    #[test]
    fn q8_matmul_is_close_to_f32() {
        let (rows, cols) = (64, 128);
        let (w, x) = (sample(rows * cols, 11), sample(cols, 12));
        let mut outs = Vec::new();
        for format in [WeightFormat::F32, WeightFormat::Q8_0] {
            let m = Matrix::from_f32(w.clone(), rows, cols, format);
            let mut a = Activations::default();
            a.prepare(&x, 1, cols, format);
            let mut out = vec![0.0; rows];
            m.matmul(&a, &mut out, DotKernel::detect(), &mut Vec::new());
            outs.push(out);
        }
        for (a, b) in outs[0].iter().zip(&outs[1]) {
            // 8-bit weights and activations: about 1% relative error.
            assert!((a - b).abs() < 0.05 + 0.02 * a.abs(), "{a} vs {b}");
        }
    }

    #[test]
    fn thread_count_does_not_change_results() {
        let (rows, cols) = (300, 64);
        let w = Matrix::from_f32(sample(rows * cols, 5), rows, cols, WeightFormat::Q8_0);
        let mut a = Activations::default();
        a.prepare(&sample(cols, 6), 1, cols, WeightFormat::Q8_0);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            let mut out = vec![0.0; rows];
            pool.install(|| w.matmul(&a, &mut out, DotKernel::detect(), &mut Vec::new()));
            out
        };
        assert_eq!(run(1), run(2));
    }
}
