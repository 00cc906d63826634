//! Q8_0 · Q8_0 dot products, the hot loop of decoding, with run-time CPU dispatch.
//!
//! Three implementations of one contract, `Σ_blocks (Σ_k w_k·x_k) · (d_w · d_x)`, over a
//! [`Tile`] of four weight rows and `N` activation rows: portable Rust (any CPU), AVX2
//! (`maddubs`/`madd`, the llama.cpp formulation) and AVX-512 VNNI (`vpdpbusd`). Within a block
//! the integer sum is exact in every version, so the three agree to float rounding (tested
//! below). Each implementation computes every (row, token) value with the same instruction
//! sequence whatever `N` is, and each output value is produced by one call, so neither batching
//! nor the thread count ever changes a result.
//!
//! The SIMD intrinsics live in `x86.rs`, entered from here after the CPU has been checked for
//! the features they need: those calls, and `x86.rs`, are the kernels' only `unsafe`.
#![allow(unsafe_code)]

use std::sync::OnceLock;

use super::q4::{Q4Tile, q4_tile_dot_portable};
use super::quant::BLOCK;
use super::tiles::{TILE_ROWS, Tile};

/// One quantised activation vector, padded to whole block pairs: Q8_0 values and scales, plus
/// what the VNNI kernel needs. That kernel multiplies `w + 128` (an unsigned byte) by `x`, so it
/// starts each group of four products from `-128 · Σ x` of the group instead of zero, leaving
/// exactly `Σ w·x`.
#[derive(Debug, Clone, Copy)]
pub struct ActRow<'a> {
    /// Quantised values, `pairs × 64`.
    pub q: &'a [i8],
    /// One scale per block, `pairs × 2`.
    pub d: &'a [f32],
    /// `-128 · (x[4i] + x[4i+1] + x[4i+2] + x[4i+3])` for every group of four values.
    pub neg_offset: &'a [i32],
    /// Per block, `d · Σ q` (the Q4_1 minimum's factor).
    pub block_sums: &'a [f32],
}

/// Which dot-product implementation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotKernel {
    /// Plain Rust; the compiler may vectorise it for the baseline target.
    Portable,
    /// AVX2 + FMA (+ F16C, for the f16 scales).
    Avx2,
    /// AVX-512 VNNI (with AVX-512 F/BW/DQ/VL, AVX2, FMA and F16C).
    Avx512Vnni,
}

impl DotKernel {
    /// The best implementation this CPU supports, detected once. Set `HIRELM_KERNEL=portable`
    /// or `avx2` to force a lesser one (for comparisons and bug reports).
    pub fn detect() -> Self {
        static DETECTED: OnceLock<DotKernel> = OnceLock::new();
        *DETECTED.get_or_init(|| {
            let best = Self::available().last().copied().unwrap_or(Self::Portable);
            match std::env::var("HIRELM_KERNEL").as_deref() {
                Ok("portable") => Self::Portable,
                Ok("avx2") if Self::available().contains(&Self::Avx2) => Self::Avx2,
                Err(_) => best,
                Ok(other) => {
                    tracing::warn!("HIRELM_KERNEL={other} is not one of portable, avx2 (or not supported here); using {}", best.name());
                    best
                }
            }
        })
    }

    /// Whether this CPU can run `self` (checked once). Every entry into SIMD code checks it, so
    /// naming a kernel the CPU lacks falls back to the portable one instead of faulting.
    pub(super) fn supported(self) -> bool {
        static AVAILABLE: OnceLock<Vec<DotKernel>> = OnceLock::new();
        AVAILABLE.get_or_init(Self::available).contains(&self)
    }

    /// Every implementation this CPU can run, worst first.
    pub fn available() -> Vec<Self> {
        let mut out = vec![Self::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
                && is_x86_feature_detected!("f16c")
            {
                out.push(Self::Avx2);
                if is_x86_feature_detected!("avx512vnni")
                    && is_x86_feature_detected!("avx512vl")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("avx512dq")
                    && is_x86_feature_detected!("f16c")
                {
                    out.push(Self::Avx512Vnni);
                }
            }
        }
        out
    }

    /// Short name for logs and benchmark labels.
    pub fn name(self) -> &'static str {
        match self {
            Self::Portable => "portable",
            Self::Avx2 => "avx2",
            Self::Avx512Vnni => "avx512-vnni",
        }
    }

    /// The four rows of `tile` against `N` activation rows: `out[t][i]` is row `i` · `xs[t]`.
    /// Panics if the operands disagree in length (a programming error: shapes are checked when
    /// a model is built).
    pub fn tile_dot<const N: usize>(
        self,
        tile: Tile<'_>,
        xs: &[ActRow<'_>; N],
    ) -> [[f32; TILE_ROWS]; N] {
        let pairs = tile.pairs();
        assert!(
            tile.params.len() == pairs * 2 * TILE_ROWS && fits(xs, pairs),
            "dot product operands disagree in length"
        );
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `supported()` checked that the CPU has the features this kernel is compiled
            // for, and the lengths were checked above.
            Self::Avx512Vnni if self.supported() => unsafe { super::x86::tile_dot_vnni(tile, xs) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Self::Avx2 if self.supported() => {
                xs.map(|x| unsafe { super::x86::tile_dot_avx2(tile, x) })
            }
            _ => xs.map(|x| tile_dot_portable(tile, x)),
        }
    }
}

impl DotKernel {
    /// [`tile_dot`](Self::tile_dot) for a Q4_1 tile.
    pub fn q4_tile_dot<const N: usize>(
        self,
        tile: Q4Tile<'_>,
        xs: &[ActRow<'_>; N],
    ) -> [[f32; TILE_ROWS]; N] {
        let pairs = tile.pairs();
        assert!(
            tile.params.len() == pairs * 4 * TILE_ROWS && fits(xs, pairs),
            "dot product operands disagree in length"
        );
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as in `tile_dot`.
            Self::Avx512Vnni if self.supported() => unsafe {
                super::x86::q4_tile_dot_vnni(tile, xs)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as in `tile_dot`.
            Self::Avx2 if self.supported() => {
                xs.map(|x| unsafe { super::x86::q4_tile_dot_avx2(tile, x) })
            }
            _ => xs.map(|x| q4_tile_dot_portable(tile, x)),
        }
    }
}

/// Whether every activation row holds `pairs` block pairs.
fn fits(xs: &[ActRow<'_>], pairs: usize) -> bool {
    xs.iter().all(|x| {
        x.q.len() == pairs * 2 * BLOCK
            && x.d.len() == 2 * pairs
            && x.block_sums.len() == 2 * pairs
            && x.neg_offset.len() == pairs * BLOCK / 2
    })
}

/// Reference implementation: exact integer block sums, f32 accumulation in block order.
fn tile_dot_portable(tile: Tile<'_>, x: ActRow<'_>) -> [f32; TILE_ROWS] {
    std::array::from_fn(|i| {
        let mut acc = 0f32;
        for (b, (xq, xd)) in x.q.chunks_exact(BLOCK).zip(x.d).enumerate() {
            let (wq, wd) = tile.block(i, b);
            let sum: i32 = wq
                .iter()
                .zip(xq)
                .map(|(&a, &b)| i32::from(a) * i32::from(b))
                .sum();
            acc += sum as f32 * (wd * xd);
        }
        acc
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::WeightFormat;
    use crate::kernels::matmul::Activations;
    use crate::kernels::test_values as sample;
    use crate::kernels::tiles::Q8Tiles;

    /// Activations for `tokens` rows of `cols` values.
    fn activations(values: &[f32], tokens: usize, cols: usize) -> Activations {
        let mut a = Activations::default();
        a.prepare(values, tokens, cols, WeightFormat::Q8_0);
        a
    }

    #[test]
    fn every_available_kernel_matches_the_portable_one_and_batching_changes_nothing() {
        // 18 blocks (whole pairs) and 19 blocks (a padded pair).
        for cols in [576, 608] {
            let (w, x) = (sample(4 * cols, 1), sample(4 * cols, 2));
            let tiles = Q8Tiles::quantize(&w, 4, cols);
            let acts = activations(&x, 4, cols);
            let xs: [ActRow<'_>; 4] = std::array::from_fn(|t| acts.row(t));
            let reference = DotKernel::Portable.tile_dot(tiles.tile(0), &xs);
            for (t, row) in reference.iter().enumerate() {
                for (i, value) in row.iter().enumerate() {
                    let exact: f32 = w[i * cols..(i + 1) * cols]
                        .iter()
                        .zip(&x[t * cols..(t + 1) * cols])
                        .map(|(a, b)| a * b)
                        .sum();
                    // 8-bit weights and activations over ~600 products: a few hundredths.
                    assert!(
                        (value - exact).abs() < 0.1 + 0.02 * exact.abs(),
                        "{value} vs {exact}"
                    );
                }
            }
            for kernel in DotKernel::available() {
                let four = kernel.tile_dot(tiles.tile(0), &xs);
                for t in 0..4 {
                    let one = kernel.tile_dot(tiles.tile(0), &[xs[t]])[0];
                    assert!(
                        one.iter()
                            .zip(&four[t])
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "{}: batch of 4 vs 1",
                        kernel.name()
                    );
                    for (got, want) in one.iter().zip(&reference[t]) {
                        assert!(
                            (got - want).abs() <= 1e-4 * want.abs().max(1.0),
                            "{}: {got} vs {want}",
                            kernel.name()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn q4_kernels_match_the_portable_one_and_batching_changes_nothing() {
        for cols in [576, 608] {
            let (w, x) = (sample(4 * cols, 5), sample(4 * cols, 6));
            let tiles = crate::kernels::q4::Q4Tiles::quantize(&w, 4, cols);
            let acts = activations(&x, 4, cols);
            let xs: [ActRow<'_>; 4] = std::array::from_fn(|t| acts.row(t));
            let reference = DotKernel::Portable.q4_tile_dot(tiles.tile(0), &xs);
            for (t, row) in reference.iter().enumerate() {
                for (i, value) in row.iter().enumerate() {
                    // Against the 4-bit weights as stored: only the activations' rounding remains.
                    let mut stored = vec![0f32; cols];
                    tiles.dequantize_row(i, &mut stored);
                    let exact: f32 = stored
                        .iter()
                        .zip(&x[t * cols..(t + 1) * cols])
                        .map(|(a, b)| a * b)
                        .sum();
                    assert!(
                        (value - exact).abs() < 0.1 + 0.02 * exact.abs(),
                        "{value} vs {exact}"
                    );
                }
            }
            for kernel in DotKernel::available() {
                let four = kernel.q4_tile_dot(tiles.tile(0), &xs);
                for t in 0..4 {
                    let one = kernel.q4_tile_dot(tiles.tile(0), &[xs[t]])[0];
                    assert!(
                        one.iter()
                            .zip(&four[t])
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "{}: batch of 4 vs 1",
                        kernel.name()
                    );
                    for (got, want) in one.iter().zip(&reference[t]) {
                        assert!(
                            (got - want).abs() <= 1e-4 * want.abs().max(1.0),
                            "{}: {got} vs {want}",
                            kernel.name()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn extreme_values_do_not_saturate() {
        // maddubs saturates at ±32767: 127·127·2 = 32258 must stay exact.
        let cols = 64;
        let weights: Vec<f32> = [
            vec![127.0; cols],
            vec![-127.0; cols],
            vec![127.0; cols],
            vec![0.0; cols],
        ]
        .concat();
        let tiles = Q8Tiles::quantize(&weights, 4, cols);
        let alternating: Vec<f32> = (0..cols)
            .map(|i| if i % 2 == 0 { -127.0 } else { 127.0 })
            .collect();
        let x = activations(&[alternating, vec![127.0; cols]].concat(), 2, cols);
        for kernel in DotKernel::available() {
            let [alt, full] = kernel.tile_dot(tiles.tile(0), &[x.row(0), x.row(1)]);
            assert_eq!(alt, [0.0; 4], "{}", kernel.name());
            let square = 64.0 * 127.0 * 127.0;
            assert_eq!(full, [square, -square, square, 0.0], "{}", kernel.name());
        }
    }
}
