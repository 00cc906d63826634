//! Q8_0 storage: rows of 32-value blocks, each an f32 scale and 32 signed bytes, the format of
//! GGUF's `Q8_0` (scales widened from f16 to f32 so the hot loop never converts them).

/// Values per quantisation block.
pub const BLOCK: usize = 32;

/// Row-major Q8_0 data: `rows × cols` values, `cols` a multiple of [`BLOCK`].
#[derive(Debug, Clone, Default)]
pub struct Q8Rows {
    /// Number of rows.
    pub rows: usize,
    /// Values per row.
    pub cols: usize,
    /// Quantised values, `rows × cols`.
    pub quants: Vec<i8>,
    /// One scale per block, `rows × cols / BLOCK`.
    pub scales: Vec<f32>,
}

impl Q8Rows {
    /// Space for `rows × cols` values; `cols` must be a multiple of [`BLOCK`].
    pub fn zeros(rows: usize, cols: usize) -> Self {
        assert_eq!(
            cols % BLOCK,
            0,
            "Q8_0 rows need a multiple of {BLOCK} values"
        );
        Self {
            rows,
            cols,
            quants: vec![0; rows * cols],
            scales: vec![0.0; rows * cols / BLOCK],
        }
    }

    /// Quantises row-major f32 data (`data.len() == rows × cols`).
    pub fn quantize(data: &[f32], rows: usize, cols: usize) -> Self {
        let mut out = Self::zeros(rows, cols);
        for r in 0..rows {
            out.set_row(r, &data[r * cols..(r + 1) * cols]);
        }
        out
    }

    /// Quantises `values` into row `r` like llama.cpp's `quantize_row_q8_0` (scale = max |x| / 127,
    /// values rounded to nearest), except that values are divided by the f16-rounded scale: a
    /// Q8_0 tensor read from GGUF and dequantised then comes back bit-identical (fresh f32 input
    /// can differ from llama.cpp's by one step). For weights.
    pub fn set_row(&mut self, r: usize, values: &[f32]) {
        self.set_row_with(r, values, |block, amax, q| {
            // GGUF stores the scale as f16: round it the same way so requantising is lossless.
            let d = half::f16::from_f32(amax / 127.0).to_f32();
            let inv = if d > 0.0 { 1.0 / d } else { 0.0 };
            for (q, v) in q.iter_mut().zip(block) {
                // Round half away from zero like C's roundf, without its library call.
                let scaled = (v * inv).clamp(-127.0, 127.0);
                *q = (scaled + 0.5f32.copysign(scaled)) as i8;
            }
            d
        });
    }

    /// Quantises activations into row `r` exactly as llama.cpp's x86 `quantize_row_q8_0` does
    /// (values times `127 / max |x|`, rounded half to even; the scale rounded to f16 for the
    /// dot product), so that decoding a Q8_0 file follows llama.cpp's arithmetic as closely as
    /// possible. Weights use [`set_row`](Self::set_row), which requantises losslessly instead.
    pub fn set_activation_row(&mut self, r: usize, values: &[f32]) {
        self.set_row_with(r, values, |block, amax, q| {
            let inv = if amax > 0.0 { 127.0 / amax } else { 0.0 };
            for (q, v) in q.iter_mut().zip(block) {
                *q = (v * inv).round_ties_even() as i8;
            }
            half::f16::from_f32(amax / 127.0).to_f32()
        });
    }

    /// Row `r`, block by block: `block(values, max |value|, quants)` fills the quants and
    /// returns the scale.
    fn set_row_with(
        &mut self,
        r: usize,
        values: &[f32],
        block: impl Fn(&[f32], f32, &mut [i8]) -> f32,
    ) {
        assert_eq!(
            values.len(),
            self.cols,
            "row length does not match the matrix"
        );
        let blocks_per_row = self.cols / BLOCK;
        let quants = &mut self.quants[r * self.cols..(r + 1) * self.cols];
        let scales = &mut self.scales[r * blocks_per_row..(r + 1) * blocks_per_row];
        for ((values, q), scale) in values
            .chunks_exact(BLOCK)
            .zip(quants.chunks_exact_mut(BLOCK))
            .zip(scales)
        {
            let amax = values.iter().fold(0f32, |m, v| m.max(v.abs()));
            *scale = block(values, amax, q);
        }
    }

    /// Quantised values and scales of row `r`.
    pub fn row(&self, r: usize) -> (&[i8], &[f32]) {
        let blocks_per_row = self.cols / BLOCK;
        (
            &self.quants[r * self.cols..(r + 1) * self.cols],
            &self.scales[r * blocks_per_row..(r + 1) * blocks_per_row],
        )
    }

    /// Row `r` dequantised into `out`.
    pub fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        let (quants, scales) = self.row(r);
        for ((o, q), d) in out
            .chunks_exact_mut(BLOCK)
            .zip(quants.chunks_exact(BLOCK))
            .zip(scales)
        {
            for (o, q) in o.iter_mut().zip(q) {
                *o = f32::from(*q) * d;
            }
        }
    }

    /// Bytes held (quants plus scales).
    pub fn bytes(&self) -> usize {
        self.quants.len() + 4 * self.scales.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_then_dequantize_is_close_and_requantizing_is_lossless() {
        let data: Vec<f32> = (0..128)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 17.0)
            .collect();
        let q = Q8Rows::quantize(&data, 2, 64);
        let mut back = vec![0.0; 128];
        q.dequantize_row(0, &mut back[..64]);
        q.dequantize_row(1, &mut back[64..]);
        for (a, b) in data.iter().zip(&back) {
            assert!((a - b).abs() <= 3.0 / 127.0 / 2.0 + 1e-6, "{a} vs {b}");
        }
        let again = Q8Rows::quantize(&back, 2, 64);
        assert_eq!(again.quants, q.quants);
        assert_eq!(again.scales, q.scales);
    }

    #[test]
    fn activations_round_like_llama_cpp() {
        // max |x| = 127: the multiplier is exactly 1, and halves go to the even neighbour.
        let mut values = vec![0.0f32; 32];
        values[..6].copy_from_slice(&[127.0, 2.5, 3.5, -2.5, -3.5, 0.49]);
        let mut q = Q8Rows::zeros(1, 32);
        q.set_activation_row(0, &values);
        assert_eq!(&q.quants[..6], &[127, 2, 4, -2, -4, 0]);
        assert_eq!(q.scales, vec![1.0]);
        // Weights round half away from zero instead (C's roundf).
        q.set_row(0, &values);
        assert_eq!(&q.quants[..6], &[127, 3, 4, -3, -4, 0]);
    }

    #[test]
    fn zero_block_has_zero_scale() {
        let q = Q8Rows::quantize(&[0.0; 32], 1, 32);
        assert_eq!(q.scales, vec![0.0]);
        assert!(q.quants.iter().all(|&v| v == 0));
    }
}
