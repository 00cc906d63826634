//! Dequantisation of GGML tensor data to `f32`, bit-for-bit as ggml's `dequantize_row_*`.
//!
//! Each block format has a kernel `fn(&[u8; TYPE_SIZE], &mut [f32; BLOCK_SIZE])` in
//! [`legacy`] (32-element blocks) or [`kquants`] (256-element super-blocks); [`dequantize`] checks
//! the sizes and runs the kernel over the blocks in parallel with rayon, a few thousand elements
//! per task.
//!
//! The kernels evaluate the same float expressions in the same order as ggml's reference C code
//! (no fused multiply-add), so the results equal ggml's scalar path and gguf-py's numpy path.

pub(crate) mod kquants;
pub(crate) mod legacy;

use half::f16;
use rayon::prelude::*;

use super::types::GgmlType;
use crate::error::{ModelError, Result};

/// Output elements handled by one rayon task (blocks are never split).
const ELEMENTS_PER_TASK: usize = 16 * 1024;

/// Dequantises `n_elements` values of type `ty` from `data` into row-major `f32`.
///
/// `data` must be exactly the tensor's bytes (`ty.bytes_for(n_elements)`); `tensor_name` is used
/// in error messages only.
///
/// # Errors
/// [`ModelError::UnsupportedType`] for types without a dequantiser here (Q8_1, whose ggml has
/// no dequantiser either, the i-quants and integer types); [`ModelError::Gguf`] (at offset 0
/// of the tensor's data) if `n_elements` is not a whole number of blocks or `data` has the wrong
/// length.
pub fn dequantize(
    ty: GgmlType,
    data: &[u8],
    n_elements: usize,
    tensor_name: &str,
) -> Result<Vec<f32>> {
    let unsupported = || ModelError::UnsupportedType {
        name: tensor_name.into(),
        dtype: ty.to_string(),
    };
    if !is_supported(ty) {
        return Err(unsupported());
    }
    let expected = ty.bytes_for(n_elements).ok_or_else(|| {
        ModelError::gguf(
            0,
            format!("tensor `{tensor_name}`.data"),
            format!(
                "{n_elements} elements are not a whole number of {ty} blocks of {}",
                ty.block_size()
            ),
        )
    })?;
    if data.len() != expected {
        return Err(ModelError::gguf(
            0,
            format!("tensor `{tensor_name}`.data"),
            format!(
                "{n_elements} {ty} elements need {expected} bytes, got {}",
                data.len()
            ),
        ));
    }
    let mut out = vec![0.0f32; n_elements];
    match ty {
        GgmlType::F32 => run::<4, 1>(data, &mut out, |b, y| y[0] = f32::from_le_bytes(*b)),
        GgmlType::F16 => {
            run::<2, 1>(data, &mut out, |b, y| {
                y[0] = f16::from_le_bytes(*b).to_f32()
            });
        }
        // ggml_compute_bf16_to_fp32 is a plain shift (NaN payloads kept; `half` would quiet them).
        GgmlType::BF16 => {
            run::<2, 1>(data, &mut out, |b, y| {
                y[0] = f32::from_bits(u32::from(u16::from_le_bytes(*b)) << 16)
            });
        }
        GgmlType::Q4_0 => run(data, &mut out, legacy::q4_0),
        GgmlType::Q4_1 => run(data, &mut out, legacy::q4_1),
        GgmlType::Q5_0 => run(data, &mut out, legacy::q5_0),
        GgmlType::Q5_1 => run(data, &mut out, legacy::q5_1),
        GgmlType::Q8_0 => run(data, &mut out, legacy::q8_0),
        GgmlType::Q2K => run(data, &mut out, kquants::q2_k),
        GgmlType::Q3K => run(data, &mut out, kquants::q3_k),
        GgmlType::Q4K => run(data, &mut out, kquants::q4_k),
        GgmlType::Q5K => run(data, &mut out, kquants::q5_k),
        GgmlType::Q6K => run(data, &mut out, kquants::q6_k),
        GgmlType::Q8K => run(data, &mut out, kquants::q8_k),
        GgmlType::Q8_1 | GgmlType::Other(_) => return Err(unsupported()),
    }
    Ok(out)
}

/// Whether [`dequantize`] handles type `ty`.
pub fn is_supported(ty: GgmlType) -> bool {
    !matches!(ty, GgmlType::Q8_1 | GgmlType::Other(_))
}

/// Runs `kernel` over every block of `data`, writing the matching block of `out`, in parallel.
///
/// The caller has checked that `data` holds exactly `out.len() / BS` blocks of `TS` bytes.
fn run<const TS: usize, const BS: usize>(
    data: &[u8],
    out: &mut [f32],
    kernel: impl Fn(&[u8; TS], &mut [f32; BS]) + Sync,
) {
    let (blocks, _) = data.as_chunks::<TS>();
    let (outs, _) = out.as_chunks_mut::<BS>();
    let per_task = (ELEMENTS_PER_TASK / BS).max(1);
    blocks
        .par_chunks(per_task)
        .zip(outs.par_chunks_mut(per_task))
        .for_each(|(blocks, outs)| {
            for (block, y) in blocks.iter().zip(outs) {
                kernel(block, y);
            }
        });
}

/// The little-endian f16 at `bytes[at..at + 2]`, widened to f32 (exact).
#[inline(always)]
pub(crate) fn f16_at<const N: usize>(bytes: &[u8; N], at: usize) -> f32 {
    f16::from_le_bytes([bytes[at], bytes[at + 1]]).to_f32()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_types_known_answers() -> Result<()> {
        let f32_bytes: Vec<u8> = [1.5f32, -0.0, f32::MAX]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let got = dequantize(GgmlType::F32, &f32_bytes, 3, "t")?;
        assert_eq!(
            got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            [1.5f32, -0.0, f32::MAX].map(f32::to_bits)
        );
        // f16 0x3c00 = 1.0, 0xc000 = -2.0, 0x0001 = 2^-24 (smallest subnormal).
        let got = dequantize(GgmlType::F16, &[0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00], 3, "t")?;
        assert_eq!(got, [1.0, -2.0, 2f32.powi(-24)]);
        // bf16 0x3f80 = 1.0, 0xc0a0 = -5.0, 0x7f81 = a signalling NaN, kept bit for bit as ggml.
        let got = dequantize(
            GgmlType::BF16,
            &[0x80, 0x3f, 0xa0, 0xc0, 0x81, 0x7f],
            3,
            "t",
        )?;
        assert_eq!(got[..2], [1.0, -5.0]);
        assert_eq!(got[2].to_bits(), 0x7f81_0000);
        Ok(())
    }

    #[test]
    fn parallel_split_covers_every_block() -> Result<()> {
        // More elements than one task, not a multiple of the task size.
        let n = ELEMENTS_PER_TASK * 3 + 7;
        let values: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(dequantize(GgmlType::F32, &bytes, n, "t")?, values);
        Ok(())
    }

    #[test]
    fn size_mismatches_are_errors() {
        let err = dequantize(GgmlType::Q8_0, &[0; 34], 33, "w").expect_err("partial block");
        assert!(err.to_string().contains("tensor `w`.data"), "{err}");
        let err = dequantize(GgmlType::Q8_0, &[0; 33], 32, "w").expect_err("short data");
        assert!(err.to_string().contains("need 34 bytes, got 33"), "{err}");
        let err = dequantize(GgmlType::F32, &[0; 4], usize::MAX, "w").expect_err("overflow");
        assert!(matches!(err, ModelError::Gguf { .. }), "{err}");
    }

    #[test]
    fn unsupported_types_name_the_tensor() {
        for ty in [GgmlType::Q8_1, GgmlType::Other(20), GgmlType::Other(99)] {
            match dequantize(ty, &[], 0, "w") {
                Err(ModelError::UnsupportedType { name, dtype }) => {
                    assert_eq!((name.as_str(), dtype), ("w", ty.to_string()));
                }
                other => panic!("{ty}: expected UnsupportedType, got {other:?}"),
            }
        }
    }

    #[test]
    fn empty_tensor() -> Result<()> {
        assert!(dequantize(GgmlType::Q4K, &[], 0, "t")?.is_empty());
        Ok(())
    }
}
