//! The SIMD implementations behind [`super::DotKernel`] and the f32 helpers. Every function
//! here is entered only after the CPU has been checked for the features it is compiled for.
#![allow(unsafe_code)]

use std::arch::x86_64::*;

use super::dot::ActRow;
use super::q4::Q4Tile;
use super::quant::BLOCK;
use super::tiles::{TILE_ROWS, Tile};

/// # Safety
/// The CPU must support AVX-512F; `a` and `b` have the same length.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn dot_f32_avx512(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len() / 16 * 16;
    let mut acc = _mm512_setzero_ps();
    for i in (0..n).step_by(16) {
        // SAFETY: i + 16 <= n <= len of both slices.
        let (x, y) = unsafe {
            (
                _mm512_loadu_ps(a.as_ptr().add(i)),
                _mm512_loadu_ps(b.as_ptr().add(i)),
            )
        };
        acc = _mm512_fmadd_ps(x, y, acc);
    }
    _mm512_reduce_add_ps(acc) + a[n..].iter().zip(&b[n..]).map(|(x, y)| x * y).sum::<f32>()
}

/// # Safety
/// The CPU must support AVX-512F; `out` and `v` have the same length.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn axpy_avx512(out: &mut [f32], w: f32, v: &[f32]) {
    let n = out.len() / 16 * 16;
    let wv = _mm512_set1_ps(w);
    for i in (0..n).step_by(16) {
        // SAFETY: i + 16 <= n <= len of both slices.
        unsafe {
            let o = _mm512_loadu_ps(out.as_ptr().add(i));
            _mm512_storeu_ps(
                out.as_mut_ptr().add(i),
                _mm512_fmadd_ps(wv, _mm512_loadu_ps(v.as_ptr().add(i)), o),
            );
        }
    }
    out[n..]
        .iter_mut()
        .zip(&v[n..])
        .for_each(|(o, v)| *o += w * v);
}

/// # Safety
/// The CPU must support AVX2 and FMA; `a` and `b` have the same length.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn dot_f32_avx2(a: &[f32], b: &[f32]) -> f32 {
    // Two accumulators hide the FMA latency; the tail is added in order, as in the other paths.
    let n = a.len() / 16 * 16;
    let (mut acc0, mut acc1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    for i in (0..n).step_by(16) {
        // SAFETY: i + 16 <= n <= len of both slices.
        unsafe {
            acc0 = _mm256_fmadd_ps(
                _mm256_loadu_ps(a.as_ptr().add(i)),
                _mm256_loadu_ps(b.as_ptr().add(i)),
                acc0,
            );
            acc1 = _mm256_fmadd_ps(
                _mm256_loadu_ps(a.as_ptr().add(i + 8)),
                _mm256_loadu_ps(b.as_ptr().add(i + 8)),
                acc1,
            );
        }
    }
    hsum(_mm256_add_ps(acc0, acc1)) + a[n..].iter().zip(&b[n..]).map(|(x, y)| x * y).sum::<f32>()
}

/// # Safety
/// The CPU must support AVX2 and FMA; `out` and `v` have the same length.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn axpy_avx2(out: &mut [f32], w: f32, v: &[f32]) {
    let n = out.len() / 8 * 8;
    let wv = _mm256_set1_ps(w);
    for i in (0..n).step_by(8) {
        // SAFETY: i + 8 <= n <= len of both slices.
        unsafe {
            let o = _mm256_loadu_ps(out.as_ptr().add(i));
            _mm256_storeu_ps(
                out.as_mut_ptr().add(i),
                _mm256_fmadd_ps(wv, _mm256_loadu_ps(v.as_ptr().add(i)), o),
            );
        }
    }
    out[n..]
        .iter_mut()
        .zip(&v[n..])
        .for_each(|(o, v)| *o += w * v);
}

#[target_feature(enable = "avx2,fma")]
fn hsum(v: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    let s = _mm_hadd_ps(s, s);
    _mm_cvtss_f32(_mm_hadd_ps(s, s))
}

/// A tile pair's f16 parameters `params[8·k..8·k + 8]` as f32.
#[target_feature(enable = "avx2,fma,f16c")]
fn params8(params: &[u16], k: usize) -> [f32; 8] {
    let mut out = [0f32; 8];
    let eight = &params[8 * k..8 * k + 8];
    // SAFETY: `eight` holds 8 u16 (16 bytes) and `out` 8 f32.
    unsafe {
        _mm256_storeu_ps(
            out.as_mut_ptr(),
            _mm256_cvtph_ps(_mm_loadu_si128(eight.as_ptr().cast())),
        )
    };
    out
}

/// One activation row against a tile's four rows, block by block.
///
/// # Safety
/// The CPU must support AVX2, FMA and F16C; the operands' lengths agree (checked by the caller).
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn tile_dot_avx2(tile: Tile<'_>, x: ActRow<'_>) -> [f32; TILE_ROWS] {
    let ones = _mm256_set1_epi16(1);
    let mut acc = [_mm256_setzero_ps(); TILE_ROWS];
    for p in 0..tile.pairs() {
        let scales = params8(tile.params, p);
        for (i, acc) in acc.iter_mut().enumerate() {
            for half in 0..2 {
                let b = 2 * p + half;
                // SAFETY: both blocks hold 32 values (the caller checked the lengths).
                let (w, xv) = unsafe {
                    (
                        _mm256_loadu_si256(
                            tile.quants[TILE_ROWS * p + i]
                                .0
                                .as_ptr()
                                .add(half * BLOCK)
                                .cast(),
                        ),
                        _mm256_loadu_si256(x.q.as_ptr().add(b * BLOCK).cast()),
                    )
                };
                // |w| as unsigned times x with w's sign: maddubs needs one unsigned operand.
                let products =
                    _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(xv, w));
                let sums = _mm256_madd_epi16(products, ones);
                *acc = _mm256_fmadd_ps(
                    _mm256_cvtepi32_ps(sums),
                    _mm256_set1_ps(scales[2 * i + half] * x.d[b]),
                    *acc,
                );
            }
        }
    }
    acc.map(|a| hsum(a))
}

/// One activation row against a Q4_1 tile's four rows, block by block: the unsigned 4-bit
/// values go to `maddubs` as they are (15 · 127 · 2 cannot saturate), and the minimum's term
/// `m · d_x·Σ q_x` is added per block.
///
/// # Safety
/// The CPU must support AVX2, FMA and F16C; the operands' lengths agree (checked by the caller).
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn q4_tile_dot_avx2(tile: Q4Tile<'_>, x: ActRow<'_>) -> [f32; TILE_ROWS] {
    let (ones, nibble) = (_mm256_set1_epi16(1), _mm256_set1_epi8(0x0F));
    let mut acc = [_mm256_setzero_ps(); TILE_ROWS];
    let mut mins = [0f32; TILE_ROWS];
    for p in 0..tile.pairs() {
        let (scales, minimums) = (params8(tile.params, 2 * p), params8(tile.params, 2 * p + 1));
        for (i, (acc, mins)) in acc.iter_mut().zip(mins.iter_mut()).enumerate() {
            // SAFETY: the tile has `pairs` nibble pairs per row (the caller checked the lengths).
            let bytes =
                unsafe { _mm256_loadu_si256(tile.quants[TILE_ROWS * p + i].0.as_ptr().cast()) };
            let halves = [
                _mm256_and_si256(bytes, nibble),
                _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble),
            ];
            for (half, w) in halves.into_iter().enumerate() {
                let b = 2 * p + half;
                // SAFETY: the activation row has two blocks per pair (checked by the caller).
                let xv = unsafe { _mm256_loadu_si256(x.q.as_ptr().add(b * BLOCK).cast()) };
                let sums = _mm256_madd_epi16(_mm256_maddubs_epi16(w, xv), ones);
                *acc = _mm256_fmadd_ps(
                    _mm256_cvtepi32_ps(sums),
                    _mm256_set1_ps(scales[2 * i + half] * x.d[b]),
                    *acc,
                );
                *mins += minimums[2 * i + half] * x.block_sums[b];
            }
        }
    }
    let mut out = [0f32; TILE_ROWS];
    for ((o, a), m) in out.iter_mut().zip(acc).zip(mins) {
        *o = hsum(a) + m;
    }
    out
}

/// A tile's four rows against `N` activation rows. `vpdpbusd` multiplies unsigned by signed
/// bytes: the weights are read as `w + 128` (one xor) and each lane starts from
/// `x.neg_offset`, so the integer sums are exact. Per block pair, the eight weight scales are
/// multiplied by the two activation scales at once and each row picks its two products.
///
/// # Safety
/// The CPU must support AVX-512 F/BW/DQ/VL/VNNI, AVX2, FMA and F16C; the operands' lengths
/// agree (checked by the caller).
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")]
pub(super) unsafe fn tile_dot_vnni<const N: usize>(
    tile: Tile<'_>,
    xs: &[ActRow<'_>; N],
) -> [[f32; TILE_ROWS]; N] {
    let flip = _mm512_set1_epi8(-128);
    // Row i's lanes 0..8 (block b) take scale product 2i, lanes 8..16 (block b + 1) 2i + 1.
    let mut pick = [_mm512_setzero_si512(); TILE_ROWS];
    for (i, pick) in pick.iter_mut().enumerate() {
        *pick = _mm512_inserti64x4(
            _mm512_set1_epi32(2 * i as i32),
            _mm256_set1_epi32(2 * i as i32 + 1),
            1,
        );
    }
    let mut acc = [[_mm512_setzero_ps(); TILE_ROWS]; N];
    let mut w = [_mm512_setzero_si512(); TILE_ROWS];
    for p in 0..tile.pairs() {
        // SAFETY (every load below): the caller checked that the tile has `pairs` block pairs
        // per row and 8 scales per pair, and that every activation row has `pairs` pairs of
        // values, two scales and 16 offsets per pair. Block pairs are 64-byte aligned.
        let w_scales =
            _mm256_cvtph_ps(unsafe { _mm_loadu_si128(tile.params.as_ptr().add(8 * p).cast()) });
        for (i, w) in w.iter_mut().enumerate() {
            let quants =
                unsafe { _mm512_load_si512(tile.quants[TILE_ROWS * p + i].0.as_ptr().cast()) };
            *w = _mm512_xor_si512(quants, flip);
        }
        for (x, acc) in xs.iter().zip(acc.iter_mut()) {
            let (xv, offset, d_pair) = unsafe {
                (
                    _mm512_loadu_si512(x.q.as_ptr().add(2 * BLOCK * p).cast()),
                    _mm512_loadu_si512(x.neg_offset.as_ptr().add(BLOCK / 2 * p).cast()),
                    std::ptr::read_unaligned(x.d.as_ptr().add(2 * p).cast::<f64>()),
                )
            };
            // [d_b, d_b+1] four times, times the eight weight scales.
            let scales = _mm512_castps256_ps512(_mm256_mul_ps(
                w_scales,
                _mm256_castpd_ps(_mm256_set1_pd(d_pair)),
            ));
            for i in 0..TILE_ROWS {
                let sums = _mm512_dpbusd_epi32(offset, w[i], xv);
                let scale = _mm512_permutexvar_ps(pick[i], scales);
                acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), scale, acc[i]);
            }
        }
    }
    let mut out = [[0f32; TILE_ROWS]; N];
    for (out, acc) in out.iter_mut().zip(acc) {
        for (o, a) in out.iter_mut().zip(acc) {
            *o = _mm512_reduce_add_ps(a);
        }
    }
    out
}

/// A Q4_1 tile's four rows against `N` activation rows: the 4-bit values are unsigned, so
/// `vpdpbusd` takes them as they are, and the minimums' term `m · d_x·Σ q_x` accumulates
/// separately, eight (row, block) lanes at a time.
///
/// # Safety
/// As for [`tile_dot_vnni`].
#[target_feature(enable = "avx2,fma,f16c,avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")]
pub(super) unsafe fn q4_tile_dot_vnni<const N: usize>(
    tile: Q4Tile<'_>,
    xs: &[ActRow<'_>; N],
) -> [[f32; TILE_ROWS]; N] {
    let nibble = _mm256_set1_epi8(0x0F);
    let mut pick = [_mm512_setzero_si512(); TILE_ROWS];
    for (i, pick) in pick.iter_mut().enumerate() {
        *pick = _mm512_inserti64x4(
            _mm512_set1_epi32(2 * i as i32),
            _mm256_set1_epi32(2 * i as i32 + 1),
            1,
        );
    }
    let mut acc = [[_mm512_setzero_ps(); TILE_ROWS]; N];
    let mut min_acc = [_mm256_setzero_ps(); N];
    let mut w = [_mm512_setzero_si512(); TILE_ROWS];
    for p in 0..tile.pairs() {
        // SAFETY (every load below): the caller checked the lengths (`pairs` nibble pairs per row
        // and 16 parameters per pair; `pairs` pairs of values, scales and sums per activation
        // row). Nibble pairs are 32-byte aligned.
        let params = unsafe { _mm256_loadu_si256(tile.params.as_ptr().add(16 * p).cast()) };
        let (w_scales, w_mins) = (
            _mm256_cvtph_ps(_mm256_castsi256_si128(params)),
            _mm256_cvtph_ps(_mm256_extracti128_si256(params, 1)),
        );
        for (i, w) in w.iter_mut().enumerate() {
            let bytes =
                unsafe { _mm256_load_si256(tile.quants[TILE_ROWS * p + i].0.as_ptr().cast()) };
            let (low, high) = (
                _mm256_and_si256(bytes, nibble),
                _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble),
            );
            *w = _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
        }
        for ((x, acc), min_acc) in xs.iter().zip(acc.iter_mut()).zip(min_acc.iter_mut()) {
            let (xv, d_pair, sum_pair) = unsafe {
                (
                    _mm512_loadu_si512(x.q.as_ptr().add(2 * BLOCK * p).cast()),
                    std::ptr::read_unaligned(x.d.as_ptr().add(2 * p).cast::<f64>()),
                    std::ptr::read_unaligned(x.block_sums.as_ptr().add(2 * p).cast::<f64>()),
                )
            };
            let scales = _mm512_castps256_ps512(_mm256_mul_ps(
                w_scales,
                _mm256_castpd_ps(_mm256_set1_pd(d_pair)),
            ));
            *min_acc =
                _mm256_fmadd_ps(w_mins, _mm256_castpd_ps(_mm256_set1_pd(sum_pair)), *min_acc);
            for i in 0..TILE_ROWS {
                let sums = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[i], xv);
                let scale = _mm512_permutexvar_ps(pick[i], scales);
                acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), scale, acc[i]);
            }
        }
    }
    let mut out = [[0f32; TILE_ROWS]; N];
    for ((out, acc), min_acc) in out.iter_mut().zip(acc).zip(min_acc) {
        let mut mins = [0f32; 2 * TILE_ROWS];
        // SAFETY: `mins` holds eight f32.
        unsafe { _mm256_storeu_ps(mins.as_mut_ptr(), min_acc) };
        for (i, (o, a)) in out.iter_mut().zip(acc).enumerate() {
            *o = _mm512_reduce_add_ps(a) + (mins[2 * i] + mins[2 * i + 1]);
        }
    }
    out
}
