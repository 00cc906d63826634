//! Rotary position embedding in the HF ("rotate half") layout.
//!
//! GGUF files store Q and K rows permuted for llama.cpp's interleaved RoPE; the loader undoes that
//! permutation (see `load.rs`), so one RoPE serves GGUF and safetensors weights alike.

use burn::tensor::{Device, Tensor, TensorData};

/// Precomputed cosine and sine tables for every position up to `max_seq_len`.
#[derive(Debug, Clone)]
pub struct RotaryEmbedding {
    cos: Tensor<2>,
    sin: Tensor<2>,
    head_dim: usize,
}

impl RotaryEmbedding {
    /// Tables for `head_dim`-wide heads, base frequency `theta`.
    pub fn new(head_dim: usize, max_seq_len: usize, theta: f64, device: &Device) -> Self {
        let half = head_dim / 2;
        let mut cos = Vec::with_capacity(max_seq_len * head_dim);
        let mut sin = Vec::with_capacity(max_seq_len * head_dim);
        for pos in 0..max_seq_len {
            let row: Vec<f64> = (0..half)
                .map(|i| pos as f64 * theta.powf(-2.0 * i as f64 / head_dim as f64))
                .collect();
            // The row is duplicated: [f0..f_{half-1}, f0..f_{half-1}], matching rotate_half.
            for _ in 0..2 {
                cos.extend(row.iter().map(|a| a.cos() as f32));
                sin.extend(row.iter().map(|a| a.sin() as f32));
            }
        }
        Self {
            cos: Tensor::from_data(TensorData::new(cos, [max_seq_len, head_dim]), device),
            sin: Tensor::from_data(TensorData::new(sin, [max_seq_len, head_dim]), device),
            head_dim,
        }
    }

    /// Longest sequence the tables cover.
    pub fn max_seq_len(&self) -> usize {
        self.cos.dims()[0]
    }

    /// Rotates `x` whose first token sits at position `offset`.
    ///
    /// # Shapes
    /// - x: `[batch, heads, seq, head_dim]`
    /// - output: `[batch, heads, seq, head_dim]`
    pub fn apply(&self, x: Tensor<4>, offset: usize) -> Tensor<4> {
        let [_, _, seq, _] = x.dims();
        let cos = self.cos.clone().narrow(0, offset, seq).unsqueeze::<4>();
        let sin = self.sin.clone().narrow(0, offset, seq).unsqueeze::<4>();
        let half = self.head_dim / 2;
        let x1 = x.clone().narrow(3, 0, half);
        let x2 = x.clone().narrow(3, half, half);
        let rotated = Tensor::cat(vec![x2.neg(), x1], 3);
        x * cos + rotated * sin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_zero_is_identity_and_rotation_preserves_norm() {
        let device = Device::flex();
        let rope = RotaryEmbedding::new(4, 8, 10_000.0, &device);
        let data: Vec<f32> = vec![1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0];
        let x = Tensor::<4>::from_data(TensorData::new(data.clone(), [1, 1, 2, 4]), &device);
        let y = rope
            .apply(x, 0)
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32");
        assert_eq!(&y[..4], &data[..4], "position 0 must not rotate");
        // Position 1: pairs (x_i, x_{i+half}) rotate by angle 1 * theta^(-2i/d).
        let a0 = 1.0f64;
        let expect0 = 1.0 * a0.cos() - 3.0 * a0.sin();
        assert!(
            (y[4] as f64 - expect0).abs() < 1e-5,
            "{} vs {expect0}",
            y[4]
        );
        let n_in: f32 = data[4..].iter().map(|v| v * v).sum();
        let n_out: f32 = y[4..].iter().map(|v| v * v).sum();
        assert!((n_in - n_out).abs() < 1e-4);
    }
}
