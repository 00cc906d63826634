//! The hot kernels of CPU decoding, behind a small interface: Q8_0 and Q4_1 weights in
//! four-row tiles ([`Q8Tiles`], [`Q4Tiles`]), tile dot products with run-time SIMD dispatch ([`DotKernel`]) and a batched,
//! multi-threaded matrix-vector product ([`Matrix::matmul`]).
//!
//! burn's flex backend runs the training path; for decoding a 135M model one token at a time its
//! per-op overhead and f32-only matmuls dominate, so inference uses these kernels instead.

mod dot;
mod f32;
mod matmul;
mod q4;
mod quant;
mod tiles;
#[cfg(target_arch = "x86_64")]
mod x86;

pub use dot::{ActRow, DotKernel};
pub use matmul::{Activations, Matrix, ROWS_PER_TASK, WeightFormat};
pub use q4::{NibblePair, Q4Tile, Q4Tiles};
pub use quant::{BLOCK, Q8Rows};
pub use tiles::{BlockPair, Q8Tiles, TILE_ROWS, Tile, TileRef, Tiled};

/// Deterministic pseudo-random values in [-1, 1) for kernel tests.
#[cfg(test)]
pub(crate) fn test_values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}
