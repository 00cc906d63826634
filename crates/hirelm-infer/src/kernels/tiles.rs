//! Q8_0 weights repacked for the dot-product kernels: rows in tiles of four, the tile's blocks
//! interleaved pair by pair, scales kept as f16 (34 bytes per 32 values, as in GGUF).
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

/// A `[rows, cols]` Q8_0 matrix in tiles of [`TILE_ROWS`] rows. A tile's data is, for each
/// pair of blocks `p`, the pair of each of its four rows (`quants[(tile·pairs + p)·4 + row]`)
/// and their eight scales `[r0 b, r0 b+1, r1 b, r1 b+1, …]`. A row count that is not a multiple
/// of four and an odd number of blocks are padded with zero values whose scale is 0, which
/// adds exactly nothing to any dot product.
#[derive(Debug, Clone)]
pub struct Q8Tiles {
    /// Output features.
    pub rows: usize,
    /// Input features (a multiple of [`BLOCK`]).
    pub cols: usize,
    /// Block pairs per row, padding included.
    pub pairs: usize,
    quants: Vec<BlockPair>,
    /// f16 bits.
    scales: Vec<u16>,
}

/// One tile's operands.
#[derive(Debug, Clone, Copy)]
pub struct Tile<'a> {
    /// `pairs × 4` block pairs.
    pub quants: &'a [BlockPair],
    /// `pairs × 8` f16 scales.
    pub scales: &'a [u16],
}

impl Q8Tiles {
    /// Quantises row-major f32 data like [`Q8Rows::quantize`] (a Q8_0 tensor read from GGUF and
    /// dequantised comes back bit-identical) and repacks it.
    pub fn quantize(data: &[f32], rows: usize, cols: usize) -> Self {
        assert_eq!(data.len(), rows * cols, "matrix data does not match its shape");
        assert_eq!(cols % BLOCK, 0, "Q8_0 rows need a multiple of {BLOCK} values");
        let pairs = (cols / BLOCK).div_ceil(2);
        let tiles = rows.div_ceil(TILE_ROWS);
        let mut out = Self {
            rows,
            cols,
            pairs,
            quants: vec![BlockPair([0; 2 * BLOCK]); tiles * pairs * TILE_ROWS],
            scales: vec![0; tiles * pairs * 2 * TILE_ROWS],
        };
        let mut row = Q8Rows::zeros(1, cols);
        for r in 0..rows {
            row.set_row(0, &data[r * cols..(r + 1) * cols]);
            let (tile, i) = (r / TILE_ROWS, r % TILE_ROWS);
            for (b, (q, d)) in row.quants.chunks_exact(BLOCK).zip(&row.scales).enumerate() {
                let at = tile * pairs + b / 2;
                let half = (b % 2) * BLOCK;
                out.quants[at * TILE_ROWS + i].0[half..half + BLOCK].copy_from_slice(q);
                out.scales[at * 2 * TILE_ROWS + 2 * i + b % 2] = half::f16::from_f32(*d).to_bits();
            }
        }
        out
    }

    /// Number of tiles.
    pub fn tiles(&self) -> usize {
        self.rows.div_ceil(TILE_ROWS)
    }

    /// Tile `t`'s operands.
    pub fn tile(&self, t: usize) -> Tile<'_> {
        let p = self.pairs;
        Tile {
            quants: &self.quants[t * p * TILE_ROWS..(t + 1) * p * TILE_ROWS],
            scales: &self.scales[t * p * 2 * TILE_ROWS..(t + 1) * p * 2 * TILE_ROWS],
        }
    }

    /// Row `r` dequantised into `out` (an embedding lookup).
    pub fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        assert_eq!(out.len(), self.cols, "row length does not match the matrix");
        let (tile, i) = (self.tile(r / TILE_ROWS), r % TILE_ROWS);
        for (b, o) in out.chunks_exact_mut(BLOCK).enumerate() {
            let (q, d) = tile.block(i, b);
            o.iter_mut().zip(q).for_each(|(o, q)| *o = f32::from(*q) * d);
        }
    }

    /// Bytes held (quants plus scales, padding included).
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.quants.as_slice()) + 2 * self.scales.len()
    }
}

impl Tile<'_> {
    /// Block `b` of row `i` of the tile: its 32 values and its scale.
    pub fn block(&self, i: usize, b: usize) -> (&[i8], f32) {
        let (p, half) = (b / 2, (b % 2) * BLOCK);
        let q = &self.quants[p * TILE_ROWS + i].0[half..half + BLOCK];
        (q, half::f16::from_bits(self.scales[p * 2 * TILE_ROWS + 2 * i + b % 2]).to_f32())
    }

    /// Block pairs per row.
    pub fn pairs(&self) -> usize {
        self.scales.len() / (2 * TILE_ROWS)
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
        let (tiles, reference) = (Q8Tiles::quantize(&data, rows, cols), Q8Rows::quantize(&data, rows, cols));
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
