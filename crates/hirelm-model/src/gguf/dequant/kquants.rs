//! Kernels for ggml's K-quant super-blocks of 256 elements (`block_q2_K` ... `block_q8_K`).
//!
//! Layouts (from ggml-common.h; `d`/`dmin` little-endian f16 unless noted):
//!
//! | type | bytes | layout |
//! |------|-------|--------|
//! | Q2_K | 84  | `scales[16]` (4-bit scale, 4-bit min), `qs[64]`, `d`, `dmin` |
//! | Q3_K | 110 | `hmask[32]`, `qs[64]`, `scales[12]` (16 × 6 bits), `d` |
//! | Q4_K | 144 | `d`, `dmin`, `scales[12]` (8 scales + 8 mins, 6 bits), `qs[128]` |
//! | Q5_K | 176 | `d`, `dmin`, `scales[12]`, `qh[32]`, `qs[128]` |
//! | Q6_K | 210 | `ql[128]`, `qh[64]`, `scales[16]` (i8), `d` |
//! | Q8_K | 292 | `d` (f32), `qs[256]` (i8), `bsums[16]` (i16, unused here) |

use super::f16_at;
use crate::gguf::types::QK_K;

/// `get_scale_min_k4`: the 6-bit scale and min of sub-block `j` (0..8) from the 12 packed bytes.
#[inline(always)]
fn scale_min_k4(j: usize, q: &[u8]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

/// `dequantize_row_q2_K`.
pub(crate) fn q2_k(b: &[u8; 84], y: &mut [f32; QK_K]) {
    let (scales, rest) = b.split_at(16);
    let qs = &rest[..64];
    let d = f16_at(b, 80);
    let min = f16_at(b, 82);
    let mut is = 0;
    for (n, y) in y.chunks_exact_mut(128).enumerate() {
        let q = &qs[n * 32..n * 32 + 32];
        for (j, y) in y.chunks_exact_mut(32).enumerate() {
            let shift = 2 * j;
            for (half, y) in y.chunks_exact_mut(16).enumerate() {
                let sc = scales[is];
                is += 1;
                let dl = d * f32::from(sc & 0xF);
                let ml = min * f32::from(sc >> 4);
                for (l, y) in y.iter_mut().enumerate() {
                    *y = dl * f32::from((q[l + 16 * half] >> shift) & 3) - ml;
                }
            }
        }
    }
}

/// `dequantize_row_q3_K`.
pub(crate) fn q3_k(b: &[u8; 110], y: &mut [f32; QK_K]) {
    let hm = &b[..32];
    let qs = &b[32..96];
    let packed = &b[96..108];
    let d_all = f16_at(b, 108);
    // The kmask shuffle of the C code, one byte at a time: 16 six-bit scales.
    let mut scales = [0i32; 16];
    for (i, s) in scales.iter_mut().enumerate() {
        let low = if i < 8 {
            packed[i] & 0xF
        } else {
            packed[i - 8] >> 4
        };
        let high = (packed[8 + i % 4] >> (2 * (i / 4))) & 3;
        *s = i32::from(low | (high << 4)) - 32;
    }
    let mut is = 0;
    let mut m = 1u8;
    for (n, y) in y.chunks_exact_mut(128).enumerate() {
        let q = &qs[n * 32..n * 32 + 32];
        for (j, y) in y.chunks_exact_mut(32).enumerate() {
            let shift = 2 * j;
            for (half, y) in y.chunks_exact_mut(16).enumerate() {
                let dl = d_all * scales[is] as f32;
                is += 1;
                for (l, y) in y.iter_mut().enumerate() {
                    let k = l + 16 * half;
                    let low = i32::from((q[k] >> shift) & 3);
                    let sub = if hm[k] & m != 0 { 0 } else { 4 };
                    *y = dl * (low - sub) as f32;
                }
            }
            m <<= 1;
        }
    }
}

/// `dequantize_row_q4_K`.
pub(crate) fn q4_k(b: &[u8; 144], y: &mut [f32; QK_K]) {
    let d = f16_at(b, 0);
    let min = f16_at(b, 2);
    let scales = &b[4..16];
    let qs = &b[16..];
    for (g, y) in y.chunks_exact_mut(64).enumerate() {
        let (sc1, m1) = scale_min_k4(2 * g, scales);
        let (sc2, m2) = scale_min_k4(2 * g + 1, scales);
        let (d1, m1) = (d * f32::from(sc1), min * f32::from(m1));
        let (d2, m2) = (d * f32::from(sc2), min * f32::from(m2));
        let q = &qs[32 * g..32 * g + 32];
        let (lo, hi) = y.split_at_mut(32);
        for l in 0..32 {
            lo[l] = d1 * f32::from(q[l] & 0xF) - m1;
            hi[l] = d2 * f32::from(q[l] >> 4) - m2;
        }
    }
}

/// `dequantize_row_q5_K`.
pub(crate) fn q5_k(b: &[u8; 176], y: &mut [f32; QK_K]) {
    let d = f16_at(b, 0);
    let min = f16_at(b, 2);
    let scales = &b[4..16];
    let qh = &b[16..48];
    let qs = &b[48..];
    for (g, y) in y.chunks_exact_mut(64).enumerate() {
        let (sc1, m1) = scale_min_k4(2 * g, scales);
        let (sc2, m2) = scale_min_k4(2 * g + 1, scales);
        let (d1, m1) = (d * f32::from(sc1), min * f32::from(m1));
        let (d2, m2) = (d * f32::from(sc2), min * f32::from(m2));
        let (u1, u2) = (1u8 << (2 * g), 2u8 << (2 * g));
        let ql = &qs[32 * g..32 * g + 32];
        let (lo, hi) = y.split_at_mut(32);
        for l in 0..32 {
            let h1 = if qh[l] & u1 != 0 { 16 } else { 0 };
            let h2 = if qh[l] & u2 != 0 { 16 } else { 0 };
            lo[l] = d1 * f32::from((ql[l] & 0xF) + h1) - m1;
            hi[l] = d2 * f32::from((ql[l] >> 4) + h2) - m2;
        }
    }
}

/// `dequantize_row_q6_K`.
pub(crate) fn q6_k(b: &[u8; 210], y: &mut [f32; QK_K]) {
    let d = f16_at(b, 208);
    for (n, y) in y.chunks_exact_mut(128).enumerate() {
        let ql = &b[64 * n..64 * n + 64];
        let qh = &b[128 + 32 * n..128 + 32 * n + 32];
        let sc = &b[192 + 8 * n..192 + 8 * n + 8];
        let scale = |i: usize| d * f32::from(sc[i] as i8);
        for l in 0..32 {
            let is = l / 16;
            let q1 = i32::from((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32;
            let q2 = i32::from((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
            let q3 = i32::from((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            let q4 = i32::from((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = scale(is) * q1 as f32;
            y[l + 32] = scale(is + 2) * q2 as f32;
            y[l + 64] = scale(is + 4) * q3 as f32;
            y[l + 96] = scale(is + 6) * q4 as f32;
        }
    }
}

/// `dequantize_row_q8_K`: `y = d * q` with an f32 `d`.
pub(crate) fn q8_k(b: &[u8; 292], y: &mut [f32; QK_K]) {
    let d = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    for (y, &q) in y.iter_mut().zip(&b[4..4 + QK_K]) {
        *y = d * f32::from(q as i8);
    }
}

#[cfg(test)]
mod tests;
