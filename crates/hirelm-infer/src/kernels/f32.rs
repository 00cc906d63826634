//! The f32 helpers of decoding (attention scores and weighted sums, f32 weight matrices), with
//! the same run-time dispatch as the quantised products: each [`DotKernel`] has its own f32
//! path, so forcing a kernel (in tests, or with `HIRELM_KERNEL`) runs all of its code.
#![allow(unsafe_code)]

use super::dot::DotKernel;

impl DotKernel {
    /// `Σ a_i·b_i`. Panics if the lengths differ (a programming error).
    pub fn dot_f32(self, a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len(), "dot product operands disagree in length");
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `supported()` checked that the CPU has AVX-512F; lengths checked above.
            Self::Avx512Vnni if self.supported() => unsafe { super::x86::dot_f32_avx512(a, b) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `supported()` checked AVX2 and FMA; lengths checked above.
            Self::Avx2 if self.supported() => unsafe { super::x86::dot_f32_avx2(a, b) },
            _ => dot_f32_portable(a, b),
        }
    }

    /// `out += w · v`. Panics if the lengths differ.
    pub fn axpy(self, out: &mut [f32], w: f32, v: &[f32]) {
        assert_eq!(out.len(), v.len(), "axpy operands disagree in length");
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as in `dot_f32`.
            Self::Avx512Vnni if self.supported() => unsafe { super::x86::axpy_avx512(out, w, v) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as in `dot_f32`.
            Self::Avx2 if self.supported() => unsafe { super::x86::axpy_avx2(out, w, v) },
            _ => out.iter_mut().zip(v).for_each(|(o, v)| *o += w * v),
        }
    }
}

/// Eight independent accumulators, which the compiler vectorises for the baseline target.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_values as sample;

    #[test]
    fn every_kernel_path_computes_dots_and_axpys_with_tails() {
        for kernel in DotKernel::available() {
            for n in [5, 21, 64, 75, 576] {
                let (a, b) = (sample(n, 3), sample(n, 4));
                let exact: f64 = a
                    .iter()
                    .zip(&b)
                    .map(|(x, y)| f64::from(*x) * f64::from(*y))
                    .sum();
                let got = kernel.dot_f32(&a, &b);
                assert!(
                    (f64::from(got) - exact).abs() < 1e-5 * (n as f64).sqrt(),
                    "{} n = {n}: {got} vs {exact}",
                    kernel.name()
                );
                let mut out = a.clone();
                kernel.axpy(&mut out, 0.5, &b);
                for ((o, x), y) in out.iter().zip(&a).zip(&b) {
                    assert!(
                        (o - (x + 0.5 * y)).abs() < 1e-6,
                        "{} n = {n}",
                        kernel.name()
                    );
                }
            }
        }
    }
}
