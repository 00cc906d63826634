//! Q4_1 weights (GGUF's 4-bit format: per block of 32, an f16 scale `d`, an f16 minimum `m` and
//! values `q` in 0..=15, so `w = d·q + m`), in four-row tiles like [`super::Q8Tiles`]: 20 bytes
//! per 32 values instead of 34, so a decode step pulls 40% fewer bytes through the core.
//!
//! Against a Q8_0 activation block (`x = d_x · q_x`), `Σ w·x = d·d_x·Σ q·q_x + m·(d_x·Σ q_x)`:
//! the unsigned 4-bit values suit `vpdpbusd` as they are, and `d_x·Σ q_x` is computed once per
//! activation block ([`super::ActRow::block_sums`]).

use super::quant::BLOCK;
use super::tiles::{TILE_ROWS, TileRef, Tiled};

/// The 4-bit values of one row's block pair: byte `k` holds value `k` of the first block in its
/// low nibble and value `k` of the second in its high nibble.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
pub struct NibblePair(pub [u8; BLOCK]);

/// Q4_1 weights in tiles ([`Tiled`]): per tile pair, 16 f16 parameters, the eight scales
/// `[r0 b, r0 b+1, r1 b, …]` and then the eight minimums in the same order.
pub type Q4Tiles = Tiled<NibblePair>;

/// A Q4_1 tile.
pub type Q4Tile<'a> = TileRef<'a, NibblePair>;

/// Quantises one block like llama.cpp's `quantize_row_q4_1`, except that values are mapped with
/// the f16-rounded scale and minimum: a Q4_1 block read from GGUF and dequantised comes back
/// bit-identical. Returns `(d, m, q)`.
fn quantize_block(values: &[f32]) -> (half::f16, half::f16, [u8; BLOCK]) {
    let (min, max) = values
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (d, m) = (
        half::f16::from_f32((max - min) / 15.0),
        half::f16::from_f32(min),
    );
    let inv = if d.to_f32() > 0.0 {
        1.0 / d.to_f32()
    } else {
        0.0
    };
    let mut q = [0u8; BLOCK];
    for (q, v) in q.iter_mut().zip(values) {
        *q = ((v - m.to_f32()) * inv + 0.5).clamp(0.0, 15.0) as u8;
    }
    (d, m, q)
}

impl Q4Tiles {
    /// Quantises row-major f32 data (`cols` a multiple of [`BLOCK`]) and packs it in tiles.
    pub fn quantize(data: &[f32], rows: usize, cols: usize) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "matrix data does not match its shape"
        );
        let mut out = Self::zeros(rows, cols, NibblePair([0; BLOCK]), 4 * TILE_ROWS);
        for r in 0..rows {
            for (b, block) in data[r * cols..(r + 1) * cols]
                .chunks_exact(BLOCK)
                .enumerate()
            {
                let (d, m, q) = quantize_block(block);
                let (pair, params) = out.pair_mut(r, b / 2);
                let (shift, slot) = (4 * (b % 2), 2 * (r % TILE_ROWS) + b % 2);
                for (byte, q) in pair.0.iter_mut().zip(q) {
                    *byte |= q << shift;
                }
                params[slot] = d.to_bits();
                params[2 * TILE_ROWS + slot] = m.to_bits();
            }
        }
        out
    }

    /// Row `r` dequantised into `out` (`d·q + m`, as llama.cpp dequantises Q4_1).
    pub fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        assert_eq!(out.len(), self.cols, "row length does not match the matrix");
        let (tile, i) = (self.tile(r / TILE_ROWS), r % TILE_ROWS);
        for (b, o) in out.chunks_exact_mut(BLOCK).enumerate() {
            let (q, d, m) = tile.block(i, b);
            o.iter_mut()
                .zip(q)
                .for_each(|(o, q)| *o = f32::from(q) * d + m);
        }
    }
}

impl Q4Tile<'_> {
    /// Block `b` of row `i`: its 32 values, scale and minimum.
    pub fn block(&self, i: usize, b: usize) -> ([u8; BLOCK], f32, f32) {
        let (p, shift, slot) = (b / 2, 4 * (b % 2), 2 * i + b % 2);
        let q = self.quants[p * TILE_ROWS + i]
            .0
            .map(|byte| (byte >> shift) & 0x0F);
        let f = |bits: u16| half::f16::from_bits(bits).to_f32();
        (
            q,
            f(self.params[p * 16 + slot]),
            f(self.params[p * 16 + 8 + slot]),
        )
    }
}

/// Reference implementation: exact integer block sums, f32 accumulation in block order.
pub(super) fn q4_tile_dot_portable(tile: Q4Tile<'_>, x: super::ActRow<'_>) -> [f32; TILE_ROWS] {
    std::array::from_fn(|i| {
        let mut acc = 0f32;
        for (b, ((xq, xd), xs)) in
            x.q.chunks_exact(BLOCK)
                .zip(x.d)
                .zip(x.block_sums)
                .enumerate()
        {
            let (wq, wd, wm) = tile.block(i, b);
            let sum: i32 = wq
                .iter()
                .zip(xq)
                .map(|(&a, &b)| i32::from(a) * i32::from(b))
                .sum();
            acc += sum as f32 * (wd * xd) + wm * xs;
        }
        acc
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_values as sample;

    #[test]
    fn q4_1_values_read_from_gguf_come_back_bit_identical() {
        // Values as a Q4_1 tensor dequantises: each block d·q + m with f16 d and m, q in 0..=15
        // including 0 and 15 (llama.cpp maps a block's minimum to 0 and its maximum to 15).
        let (rows, cols) = (5, 3 * BLOCK);
        let noise = sample(rows * cols, 4);
        let mut data = vec![0f32; rows * cols];
        for (b, (block, noise)) in data
            .chunks_exact_mut(BLOCK)
            .zip(noise.chunks_exact(BLOCK))
            .enumerate()
        {
            let d = half::f16::from_f32(0.01 + 0.003 * b as f32).to_f32();
            let m = half::f16::from_f32(-0.05 * b as f32 + noise[0]).to_f32();
            for (k, (v, n)) in block.iter_mut().zip(noise).enumerate() {
                let q = match k {
                    0 => 0,
                    1 => 15,
                    _ => ((n + 1.0) * 7.5) as u8 % 16,
                };
                *v = f32::from(q) * d + m;
            }
        }
        let tiles = Q4Tiles::quantize(&data, rows, cols);
        assert_eq!((tiles.tiles(), tiles.pairs), (2, 2));
        let mut back = vec![0f32; cols];
        for r in 0..rows {
            tiles.dequantize_row(r, &mut back);
            assert_eq!(back, data[r * cols..(r + 1) * cols], "row {r}");
        }
        assert_eq!(tiles.tile(1).block(3, 3), ([0; BLOCK], 0.0, 0.0), "padding");
    }

    #[test]
    fn fresh_values_stay_within_half_a_step() {
        let (rows, cols) = (4, 2 * BLOCK);
        let data = sample(rows * cols, 8);
        let tiles = Q4Tiles::quantize(&data, rows, cols);
        let mut back = vec![0f32; cols];
        for r in 0..rows {
            tiles.dequantize_row(r, &mut back);
            for (block, original) in back
                .chunks_exact(BLOCK)
                .zip(data[r * cols..].chunks_exact(BLOCK))
            {
                let (lo, hi) = original
                    .iter()
                    .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
                let step = (hi - lo) / 15.0;
                for (a, b) in block.iter().zip(original) {
                    assert!(
                        (a - b).abs() <= 0.5 * step + 2e-3,
                        "{a} vs {b} (step {step})"
                    );
                }
            }
        }
    }
}
