//! Quantised weights repacked for the dot-product kernels ([`Tiled`]): rows in tiles of four,
//! the tile's blocks interleaved pair by pair, parameters kept as f16. Q8_0 here (34 bytes per
//! 32 values, as in GGUF); Q4_1 in `q4.rs`.
//!
//! Why repack: a decode step streams every weight once, so its speed is the speed at which one
//! core can pull bytes in. Row-major rows with a separate f32 scale array cost 36 bytes per 32
//! values in eight streams per four-row tile; here a tile is one stream of 64-byte aligned
//! quant loads plus one of scales, and the kernel loads a block pair's eight scales (four rows
//! × two blocks) with one instruction.

use super::quant::{BLOCK, Q8Rows};

/// Rows per tile.
pub const TILE_ROWS: usize = 4;

/// Two consecutive blocks of one row (64 quantised values), aligned to a cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
pub struct BlockPair(pub [i8; 2 * BLOCK]);

/// A `[rows, cols]` quantised matrix in tiles of [`TILE_ROWS`] rows, `B` holding one row's
/// block pair ([`BlockPair`] for Q8_0, [`super::NibblePair`] for Q4_1). For each pair of
/// blocks `p` of a tile, `quants[(tile·pairs + p)·4 + row]` is that row's pair, and
/// `params_per_pair` f16 values hold the pair's scales (and minimums), row-major in pairs
/// `[r0 b, r0 b+1, r1 b, …]`. A row count that is not a multiple of four and an odd number of
/// blocks are padded with zero values and zero parameters, which add exactly nothing to any dot
/// product.
#[derive(Debug, Clone)]
pub struct Tiled<B> {
    /// Output features.
    pub rows: usize,
    /// Input features (a multiple of [`BLOCK`]).
    pub cols: usize,
    /// Block pairs per row, padding included.
    pub pairs: usize,
    quants: Vec<B>,
    /// f16 bits.
    params: Vec<u16>,
    params_per_pair: usize,
}

/// Q8_0 weights: one f16 scale per block, eight per block pair of a tile.
pub type Q8Tiles = Tiled<BlockPair>;

/// One tile's operands.
#[derive(Debug)]
pub struct TileRef<'a, B> {
    /// `pairs × 4` block pairs.
    pub quants: &'a [B],
    /// `pairs × params_per_pair` f16 values.
    pub params: &'a [u16],
}

impl<B> Clone for TileRef<'_, B> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B> Copy for TileRef<'_, B> {}

/// A Q8_0 tile.
pub type Tile<'a> = TileRef<'a, BlockPair>;

impl<B: Copy> Tiled<B> {
    /// An all-zero matrix (padding included) with `params_per_pair` parameters per tile pair.
    pub(super) fn zeros(rows: usize, cols: usize, zero: B, params_per_pair: usize) -> Self {
        assert_eq!(
            cols % BLOCK,
            0,
            "quantised rows need a multiple of {BLOCK} values"
        );
        let pairs = (cols / BLOCK).div_ceil(2);
        let tiles = rows.div_ceil(TILE_ROWS);
        Self {
            rows,
            cols,
            pairs,
            quants: vec![zero; tiles * pairs * TILE_ROWS],
            params: vec![0; tiles * pairs * params_per_pair],
            params_per_pair,
        }
    }

    /// Number of tiles.
    pub fn tiles(&self) -> usize {
        self.rows.div_ceil(TILE_ROWS)
    }

    /// Tile `t`'s operands.
    pub fn tile(&self, t: usize) -> TileRef<'_, B> {
        let (p, k) = (self.pairs, self.params_per_pair);
        TileRef {
            quants: &self.quants[t * p * TILE_ROWS..(t + 1) * p * TILE_ROWS],
            params: &self.params[t * p * k..(t + 1) * p * k],
        }
    }

    /// Row `r`'s block pair `p` and the parameters of its tile's pair, to fill.
    pub(super) fn pair_mut(&mut self, r: usize, p: usize) -> (&mut B, &mut [u16]) {
        let at = (r / TILE_ROWS) * self.pairs + p;
        let k = self.params_per_pair;
        (
            &mut self.quants[at * TILE_ROWS + r % TILE_ROWS],
            &mut self.params[at * k..(at + 1) * k],
        )
    }

    /// Bytes held (values and parameters, padding included).
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.quants.as_slice()) + 2 * self.params.len()
    }
}

impl<B> TileRef<'_, B> {
    /// Block pairs per row (the kernels also check that `params` has as many pairs).
    pub fn pairs(&self) -> usize {
        self.quants.len() / TILE_ROWS
    }
}

impl Q8Tiles {
    /// Quantises row-major f32 data like [`Q8Rows::quantize`] (a Q8_0 tensor read from GGUF and
    /// dequantised comes back bit-identical) and repacks it.
    pub fn quantize(data: &[f32], rows: usize, cols: usize) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "matrix data does not match its shape"
        );
        let mut out = Self::zeros(rows, cols, BlockPair([0; 2 * BLOCK]), 2 * TILE_ROWS);
        let mut row = Q8Rows::zeros(1, cols);
        for r in 0..rows {
            row.set_row(0, &data[r * cols..(r + 1) * cols]);
            for (b, (q, d)) in row.quants.chunks_exact(BLOCK).zip(&row.scales).enumerate() {
                let (pair, scales) = out.pair_mut(r, b / 2);
                let half = (b % 2) * BLOCK;
                pair.0[half..half + BLOCK].copy_from_slice(q);
                scales[2 * (r % TILE_ROWS) + b % 2] = half::f16::from_f32(*d).to_bits();
            }
        }
        out
    }

    /// Row `r` dequantised into `out` (an embedding lookup).
    pub fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        assert_eq!(out.len(), self.cols, "row length does not match the matrix");
        let (tile, i) = (self.tile(r / TILE_ROWS), r % TILE_ROWS);
        for (b, o) in out.chunks_exact_mut(BLOCK).enumerate() {
            let (q, d) = tile.block(i, b);
            o.iter_mut()
                .zip(q)
                .for_each(|(o, q)| *o = f32::from(*q) * d);
        }
    }
}

impl Tile<'_> {
    /// Block `b` of row `i` of the tile: its 32 values and its scale.
    pub fn block(&self, i: usize, b: usize) -> (&[i8], f32) {
        let (p, half) = (b / 2, (b % 2) * BLOCK);
        let q = &self.quants[p * TILE_ROWS + i].0[half..half + BLOCK];
        (
            q,
            half::f16::from_bits(self.params[p * 2 * TILE_ROWS + 2 * i + b % 2]).to_f32(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_values as sample;

    #[test]
    fn tiles_hold_exactly_the_row_major_values() {
        // 6 rows (a padded tile) of 19 blocks (a padded pair).
        let (rows, cols) = (6, 19 * BLOCK);
        let data = sample(rows * cols, 9);
        let (tiles, reference) = (
            Q8Tiles::quantize(&data, rows, cols),
            Q8Rows::quantize(&data, rows, cols),
        );
        assert_eq!((tiles.tiles(), tiles.pairs), (2, 10));
        for r in 0..rows {
            let (mut a, mut b) = (vec![0.0; cols], vec![0.0; cols]);
            tiles.dequantize_row(r, &mut a);
            reference.dequantize_row(r, &mut b);
            assert_eq!(a, b, "row {r}");
        }
        // The padding is zeros with zero scales.
        let last = tiles.tile(1);
        assert_eq!(last.block(3, 5), (&[0i8; BLOCK][..], 0.0));
        assert_eq!(tiles.tile(0).block(0, 19), (&[0i8; BLOCK][..], 0.0));
        assert_eq!(tiles.bytes(), 2 * 10 * 4 * (64 + 4));
    }
}
