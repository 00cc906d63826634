//! Q8_0 · Q8_0 row dot products, the hot loop of decoding, with run-time CPU dispatch.
//!
//! Three implementations of one contract, `Σ_blocks (Σ_k w_k·x_k) · d_w · d_x`:
//! portable Rust (any CPU), AVX2 (`maddubs`/`madd`, the llama.cpp formulation) and AVX-512 VNNI
//! (`vpdpbusd` on 256-bit lanes). Within a block the integer sum is exact in every version and the
//! blocks are accumulated in the same lane order by the two SIMD versions, so results agree to
//! float rounding (tested below); each output value is produced by one call, so the thread count
//! never changes a result.
//!
//! The only `unsafe` in the crate lives here: SIMD intrinsics, entered after the CPU has been
//! checked for the features they need.
#![allow(unsafe_code)]

use std::sync::OnceLock;

use super::quant::BLOCK;

/// One quantised activation vector: Q8_0 values and scales, plus what the VNNI kernel needs.
/// That kernel multiplies `w + 128` (an unsigned byte) by `x`, so it starts each group of four
/// products from `-128 · Σ x` of the group instead of zero, leaving exactly `Σ w·x`.
#[derive(Debug, Clone, Copy)]
pub struct ActRow<'a> {
    /// Quantised values.
    pub q: &'a [i8],
    /// One scale per block.
    pub d: &'a [f32],
    /// `-128 · (x[4i] + x[4i+1] + x[4i+2] + x[4i+3])` for every group of four values.
    pub neg_offset: &'a [i32],
    /// Each block scale repeated 8 times (one per 32-bit lane of the block's sums), so the
    /// SIMD kernel loads a block pair's scales with one instruction.
    pub d_lanes: &'a [f32],
}

/// Which dot-product implementation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotKernel {
    /// Plain Rust; the compiler may vectorise it for the baseline target.
    Portable,
    /// AVX2 + FMA.
    Avx2,
    /// AVX-512 VNNI (with AVX-512 F/BW/DQ/VL and AVX2/FMA).
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
    fn supported(self) -> bool {
        static AVAILABLE: OnceLock<Vec<DotKernel>> = OnceLock::new();
        AVAILABLE.get_or_init(Self::available).contains(&self)
    }

    /// Every implementation this CPU can run, worst first.
    pub fn available() -> Vec<Self> {
        let mut out = vec![Self::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                out.push(Self::Avx2);
                if is_x86_feature_detected!("avx512vnni")
                    && is_x86_feature_detected!("avx512vl")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("avx512dq")
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

    /// `Σ_blocks (w·x) · w_scale · x_scale` over one row. Panics if the lengths disagree
    /// (a programming error: shapes are checked when a model is built).
    pub fn dot(self, wq: &[i8], wd: &[f32], x: ActRow<'_>) -> f32 {
        check(wq, wd, &x);
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `supported()` checked that the CPU has the features this kernel is compiled
            // for, and the lengths were checked above.
            Self::Avx2 if self.supported() => unsafe { x86::dot_avx2(wq, wd, x.q, x.d) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Self::Avx512Vnni if self.supported() => unsafe { x86::dot_vnni::<1>(wq, wd, &[x])[0] },
            _ => dot_portable(wq, wd, x.q, x.d),
        }
    }

    /// One weight row against four activation rows (the batched-prefill tile). Each result is
    /// bit-identical to [`dot`](Self::dot) of that row, so batching never changes an output.
    pub fn dot4(self, wq: &[i8], wd: &[f32], xs: &[ActRow<'_>; 4]) -> [f32; 4] {
        xs.iter().for_each(|x| check(wq, wd, x));
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as in `dot`.
            Self::Avx512Vnni if self.supported() => unsafe { x86::dot_vnni::<4>(wq, wd, xs) },
            _ => xs.map(|x| self.dot(wq, wd, x)),
        }
    }
}

impl DotKernel {
    /// Four weight rows against one activation row (the decode tile). Each result is
    /// bit-identical to [`dot`](Self::dot) of that row.
    pub fn dot_rows4(self, rows: [(&[i8], &[f32]); 4], x: ActRow<'_>) -> [f32; 4] {
        rows.iter().for_each(|(wq, wd)| check(wq, wd, &x));
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as in `dot`.
            Self::Avx512Vnni if self.supported() => unsafe { x86::dot_rows_vnni(rows, &x) },
            _ => rows.map(|(wq, wd)| self.dot(wq, wd, x)),
        }
    }
}

fn check(wq: &[i8], wd: &[f32], x: &ActRow<'_>) {
    assert!(
        wq.len() == x.q.len()
            && wd.len() == x.d.len()
            && 8 * wd.len() == x.neg_offset.len()
            && 8 * wd.len() == x.d_lanes.len()
            && wq.len() == wd.len() * BLOCK,
        "dot product operands disagree in length"
    );
}

/// Reference implementation: exact integer block sums, f32 accumulation in block order.
pub fn dot_portable(wq: &[i8], wd: &[f32], xq: &[i8], xd: &[f32]) -> f32 {
    let mut acc = 0f32;
    for ((w, x), (dw, dx)) in wq.chunks_exact(BLOCK).zip(xq.chunks_exact(BLOCK)).zip(wd.iter().zip(xd)) {
        let sum: i32 = w.iter().zip(x).map(|(&a, &b)| i32::from(a) * i32::from(b)).sum();
        acc += sum as f32 * (dw * dx);
    }
    acc
}

/// f32 dot product (attention scores, f32 weights): AVX-512 where [`DotKernel::detect`] chose
/// the AVX-512 kernels, else eight independent accumulators.
pub fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "dot product operands disagree in length");
    #[cfg(target_arch = "x86_64")]
    if DotKernel::detect() == DotKernel::Avx512Vnni && DotKernel::Avx512Vnni.supported() {
        // SAFETY: the CPU has AVX-512F (checked); lengths checked above.
        return unsafe { x86::dot_f32_avx512(a, b) };
    }
    dot_f32_portable(a, b)
}

/// `out += w · v` (attention's weighted sum of values), AVX-512 when available.
pub fn axpy(out: &mut [f32], w: f32, v: &[f32]) {
    assert_eq!(out.len(), v.len(), "axpy operands disagree in length");
    #[cfg(target_arch = "x86_64")]
    if DotKernel::detect() == DotKernel::Avx512Vnni && DotKernel::Avx512Vnni.supported() {
        // SAFETY: as in `dot_f32`.
        return unsafe { x86::axpy_avx512(out, w, v) };
    }
    out.iter_mut().zip(v).for_each(|(o, v)| *o += w * v);
}

fn dot_f32_portable(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::BLOCK;

    /// # Safety
    /// The CPU must support AVX-512F; `a` and `b` have the same length.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn dot_f32_avx512(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len() / 16 * 16;
        let mut acc = _mm512_setzero_ps();
        for i in (0..n).step_by(16) {
            // SAFETY: i + 16 <= n <= len of both slices.
            let (x, y) = unsafe { (_mm512_loadu_ps(a.as_ptr().add(i)), _mm512_loadu_ps(b.as_ptr().add(i))) };
            acc = _mm512_fmadd_ps(x, y, acc);
        }
        _mm512_reduce_add_ps(acc) + a[n..].iter().zip(&b[n..]).map(|(x, y)| x * y).sum::<f32>()
    }

    /// # Safety
    /// The CPU must support AVX-512F; `out` and `v` have the same length.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn axpy_avx512(out: &mut [f32], w: f32, v: &[f32]) {
        let n = out.len() / 16 * 16;
        let wv = _mm512_set1_ps(w);
        for i in (0..n).step_by(16) {
            // SAFETY: i + 16 <= n <= len of both slices.
            unsafe {
                let o = _mm512_loadu_ps(out.as_ptr().add(i));
                _mm512_storeu_ps(out.as_mut_ptr().add(i), _mm512_fmadd_ps(wv, _mm512_loadu_ps(v.as_ptr().add(i)), o));
            }
        }
        out[n..].iter_mut().zip(&v[n..]).for_each(|(o, v)| *o += w * v);
    }

    #[target_feature(enable = "avx2,fma")]
    fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let s = _mm_hadd_ps(s, s);
        _mm_cvtss_f32(_mm_hadd_ps(s, s))
    }

    /// # Safety
    /// The CPU must support AVX2 and FMA; `wq`/`xq` hold `wd.len() * 32` values.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_avx2(wq: &[i8], wd: &[f32], xq: &[i8], xd: &[f32]) -> f32 {
        let ones = _mm256_set1_epi16(1);
        let mut acc = _mm256_setzero_ps();
        for b in 0..wd.len() {
            // SAFETY: b * BLOCK + 32 <= wq.len() == xq.len() by the caller's contract.
            let (w, x) = unsafe {
                (
                    _mm256_loadu_si256(wq.as_ptr().add(b * BLOCK).cast()),
                    _mm256_loadu_si256(xq.as_ptr().add(b * BLOCK).cast()),
                )
            };
            // |w| as unsigned times x with w's sign: maddubs needs one unsigned operand.
            let products = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
            let sums = _mm256_madd_epi16(products, ones);
            let scale = _mm256_set1_ps(wd[b] * xd[b]);
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums), scale, acc);
        }
        hsum(acc)
    }

    /// `N` activation rows against one weight row. `vpdpbusd` multiplies unsigned by
    /// signed bytes: the weight row is read as `w + 128` (one xor) and each lane starts from
    /// `x.neg_offset`, so the integer sums are exact. Every row goes through the same
    /// instruction sequence whatever `N` is, so results do not depend on batching.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F/BW/DQ/VL/VNNI, AVX2 and FMA; every `xs[i]` must hold
    /// `wd.len()` blocks like `wq`/`wd`.
    #[target_feature(enable = "avx2,fma,avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")]
    pub unsafe fn dot_vnni<const N: usize>(wq: &[i8], wd: &[f32], xs: &[super::ActRow<'_>; N]) -> [f32; N] {
        let flip = _mm512_set1_epi8(-128);
        let mut acc = [_mm512_setzero_ps(); N];
        let pairs = wd.len() / 2;
        for p in 0..pairs {
            let b = 2 * p;
            // SAFETY: (b + 2) * BLOCK <= wq.len() by the caller's contract.
            let w = _mm512_xor_si512(unsafe { _mm512_loadu_si512(wq.as_ptr().add(b * BLOCK).cast()) }, flip);
            // Lanes 0..8 belong to block b, lanes 8..16 to block b + 1.
            let w_scale = _mm512_insertf32x8(_mm512_set1_ps(wd[b]), _mm256_set1_ps(wd[b + 1]), 1);
            for (x, acc) in xs.iter().zip(acc.iter_mut()) {
                // SAFETY: each activation row has the weight row's length (checked by the caller).
                let (xv, x_scale, offset) = unsafe {
                    (
                        _mm512_loadu_si512(x.q.as_ptr().add(b * BLOCK).cast()),
                        _mm512_loadu_ps(x.d_lanes.as_ptr().add(b * 8)),
                        _mm512_loadu_si512(x.neg_offset.as_ptr().add(b * 8).cast()),
                    )
                };
                let sums = _mm512_dpbusd_epi32(offset, w, xv);
                let scale = _mm512_mul_ps(w_scale, x_scale);
                *acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), scale, *acc);
            }
        }
        let mut out = [0f32; N];
        for ((x, acc), out) in xs.iter().zip(acc).zip(out.iter_mut()) {
            let mut total = _mm512_reduce_add_ps(acc);
            if wd.len() % 2 == 1 {
                let b = wd.len() - 1;
                let start = b * BLOCK;
                let sum: i32 = wq[start..].iter().zip(&x.q[start..]).map(|(&w, &v)| i32::from(w) * i32::from(v)).sum();
                total += sum as f32 * (wd[b] * x.d[b]);
            }
            *out = total;
        }
        out
    }

    /// Four weight rows against one activation row, with exactly the per-row instruction
    /// sequence of [`dot_vnni`] (so decode and batched prefill agree bit for bit); the
    /// activation's loads are shared by the four rows.
    ///
    /// # Safety
    /// As for [`dot_vnni`]; every row has the activation's length.
    #[target_feature(enable = "avx2,fma,avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")]
    pub unsafe fn dot_rows_vnni(rows: [(&[i8], &[f32]); 4], x: &super::ActRow<'_>) -> [f32; 4] {
        let flip = _mm512_set1_epi8(-128);
        let mut acc = [_mm512_setzero_ps(); 4];
        let blocks = x.d.len();
        for p in 0..blocks / 2 {
            let b = 2 * p;
            // SAFETY: every operand holds `blocks` blocks (checked by the caller).
            let (xv, x_scale, offset) = unsafe {
                (
                    _mm512_loadu_si512(x.q.as_ptr().add(b * BLOCK).cast()),
                    _mm512_loadu_ps(x.d_lanes.as_ptr().add(b * 8)),
                    _mm512_loadu_si512(x.neg_offset.as_ptr().add(b * 8).cast()),
                )
            };
            for ((wq, wd), acc) in rows.iter().zip(acc.iter_mut()) {
                // SAFETY: as above.
                let w = _mm512_xor_si512(unsafe { _mm512_loadu_si512(wq.as_ptr().add(b * BLOCK).cast()) }, flip);
                let w_scale = _mm512_insertf32x8(_mm512_set1_ps(wd[b]), _mm256_set1_ps(wd[b + 1]), 1);
                let sums = _mm512_dpbusd_epi32(offset, w, xv);
                let scale = _mm512_mul_ps(w_scale, x_scale);
                *acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), scale, *acc);
            }
        }
        let mut out = [0f32; 4];
        for (((wq, wd), acc), out) in rows.iter().zip(acc).zip(out.iter_mut()) {
            let mut total = _mm512_reduce_add_ps(acc);
            if blocks % 2 == 1 {
                let b = blocks - 1;
                let start = b * BLOCK;
                let sum: i32 = wq[start..].iter().zip(&x.q[start..]).map(|(&w, &v)| i32::from(w) * i32::from(v)).sum();
                total += sum as f32 * (wd[b] * x.d[b]);
            }
            *out = total;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_values as sample;
    use crate::kernels::quant::Q8Rows;


    fn offsets(q: &[i8]) -> Vec<i32> {
        q.chunks_exact(4).map(|g| -128 * g.iter().map(|&v| i32::from(v)).sum::<i32>()).collect()
    }

    #[test]
    fn every_available_kernel_matches_the_portable_one() {
        // 18 blocks (even) and 19 blocks (odd tail).
        for cols in [576, 608] {
            let (w, x) = (sample(cols, 1), sample(cols, 2));
            let (wq, xq) = (Q8Rows::quantize(&w, 1, cols), Q8Rows::quantize(&x, 1, cols));
            let offset = offsets(&xq.quants);
            let lanes: Vec<f32> = xq.scales.iter().flat_map(|&d| [d; 8]).collect();
            let act = ActRow { q: &xq.quants, d: &xq.scales, neg_offset: &offset, d_lanes: &lanes };
            let reference = dot_portable(&wq.quants, &wq.scales, &xq.quants, &xq.scales);
            let exact: f32 = w.iter().zip(&x).map(|(a, b)| a * b).sum();
            assert!((reference - exact).abs() < 0.05 * exact.abs().max(1.0), "{reference} vs {exact}");
            for kernel in DotKernel::available() {
                let got = kernel.dot(&wq.quants, &wq.scales, act);
                assert!((got - reference).abs() <= 1e-4 * reference.abs().max(1.0), "{}: {got} vs {reference}", kernel.name());
                let tile = kernel.dot4(&wq.quants, &wq.scales, &[act; 4]);
                assert!(tile.iter().all(|&v| v.to_bits() == got.to_bits()), "{}: dot4 {tile:?} vs dot {got}", kernel.name());
                let row = (wq.quants.as_slice(), wq.scales.as_slice());
                let rows = kernel.dot_rows4([row; 4], act);
                assert!(rows.iter().all(|&v| v.to_bits() == got.to_bits()), "{}: dot_rows4 {rows:?} vs dot {got}", kernel.name());
            }
        }
    }

    #[test]
    fn extreme_values_do_not_saturate() {
        // maddubs saturates at ±32767: 127·127·2 = 32258 must stay exact.
        let wq = vec![127i8; 64];
        let alternating: Vec<i8> = (0..64).map(|i| if i % 2 == 0 { -127 } else { 127 }).collect();
        let wd = vec![1.0; 2];
        let full = vec![127i8; 64];
        let (c_alt, c_full) = (offsets(&alternating), offsets(&full));
        let lanes = vec![1.0; 16];
        for kernel in DotKernel::available() {
            let alt = ActRow { q: &alternating, d: &wd, neg_offset: &c_alt, d_lanes: &lanes };
            assert_eq!(kernel.dot(&wq, &wd, alt), 0.0, "{}", kernel.name());
            let full = ActRow { q: &full, d: &wd, neg_offset: &c_full, d_lanes: &lanes };
            assert_eq!(kernel.dot(&wq, &wd, full), 64.0 * 127.0 * 127.0, "{}", kernel.name());
            let negative: Vec<i8> = vec![-127; 64];
            assert_eq!(kernel.dot(&negative, &wd, full), -64.0 * 127.0 * 127.0, "{}", kernel.name());
        }
    }

    #[test]
    fn f32_dot_and_axpy_handle_tails() {
        for n in [5, 21, 64, 75] {
            let (a, b) = (sample(n, 3), sample(n, 4));
            let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot_f32(&a, &b) - exact).abs() < 1e-5, "n = {n}");
            let mut out = a.clone();
            axpy(&mut out, 0.5, &b);
            for ((o, x), y) in out.iter().zip(&a).zip(&b) {
                assert!((o - (x + 0.5 * y)).abs() < 1e-6, "n = {n}");
            }
        }
    }
}
