//! Quantisation to Q8_0, as ggml's reference `quantize_row_q8_0_ref`.

use half::f16;
use rayon::prelude::*;

/// Elements per Q8_0 block.
pub const Q8_0_BLOCK: usize = 32;
/// Bytes per Q8_0 block: f16 scale and 32 signed bytes.
const Q8_0_BYTES: usize = 2 + Q8_0_BLOCK;

/// Quantises `x` to Q8_0 blocks, exactly as `quantize_row_q8_0_ref`: per block of 32,
/// `d = max|x| / 127` (stored as f16, round to nearest even) and `q = round(x / d)` (half away from
/// zero) computed as `x * (1 / d)` in f32.
///
/// Trailing elements that do not fill a block are ignored; callers check `x.len() % 32 == 0`.
pub fn quantize_q8_0(x: &[f32]) -> Vec<u8> {
    let (blocks, _) = x.as_chunks::<Q8_0_BLOCK>();
    let mut out = vec![0u8; blocks.len() * Q8_0_BYTES];
    let (outs, _) = out.as_chunks_mut::<Q8_0_BYTES>();
    outs.par_iter_mut()
        .zip(blocks)
        .for_each(|(y, x)| quantize_block(x, y));
    out
}

fn quantize_block(x: &[f32; Q8_0_BLOCK], y: &mut [u8; Q8_0_BYTES]) {
    // `MAX(amax, fabsf(v))` with ggml's macro `((a) > (b) ? (a) : (b))`, NaN behaviour included.
    let amax = x.iter().fold(
        0.0f32,
        |amax, v| if amax > v.abs() { amax } else { v.abs() },
    );
    let d = amax / 127.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    y[..2].copy_from_slice(&f16::from_f32(d).to_le_bytes());
    for (q, &v) in y[2..].iter_mut().zip(x) {
        // `roundf` rounds half away from zero, as `f32::round`; the result is within ±127.
        *q = ((v * id).round() as i8) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::GgmlType;
    use crate::gguf::dequantize;

    #[test]
    fn known_answer_block() {
        // max |x| = 127 -> d = 1 exactly; values are then rounded half away from zero.
        let mut x = [0.0f32; 32];
        x[0] = 127.0;
        x[1] = -127.0;
        x[2] = 2.5;
        x[3] = -2.5;
        x[4] = 0.49;
        x[5] = 100.0;
        let q = quantize_q8_0(&x);
        assert_eq!(q.len(), 34);
        assert_eq!(&q[..2], &[0x00, 0x3c]); // f16 1.0
        let qs: Vec<i8> = q[2..8].iter().map(|&b| b as i8).collect();
        assert_eq!(qs, [127, -127, 3, -3, 0, 100]);
        assert!(q[8..].iter().all(|&b| b == 0));
    }

    #[test]
    fn zero_block_has_zero_scale() {
        let q = quantize_q8_0(&[0.0; 64]);
        assert!(q.iter().all(|&b| b == 0));
    }

    #[test]
    fn round_trip_within_half_a_step() -> crate::Result<()> {
        let x: Vec<f32> = (0..256)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.013)
            .collect();
        let q = quantize_q8_0(&x);
        let y = dequantize(GgmlType::Q8_0, &q, x.len(), "t")?;
        for (block, (xs, ys)) in x.chunks(32).zip(y.chunks(32)).enumerate() {
            let amax = xs.iter().fold(0.0f32, |a, v| a.max(v.abs()));
            // Half a quantisation step, plus the f16 rounding of d (relative 2^-11) at 127 steps.
            let tol = amax / 127.0 * 0.5 + amax * 2f32.powi(-11) + 1e-7;
            for (a, b) in xs.iter().zip(ys) {
                assert!(
                    (a - b).abs() <= tol,
                    "block {block}: {a} vs {b} (tol {tol})"
                );
            }
        }
        Ok(())
    }
}
