//! The projection layer of every transformer block, built so a LoRA adapter can wrap it.
//!
//! The base weight is frozen (it never requires gradients). An optional low-rank adapter adds
//! `x·A·B·scale` beside it, so fine-tuning trains only `A` and `B` and never materialises a dense
//! weight gradient; removing the adapter gives back the base model, with no second copy of it.

use burn::module::{Module, Param};
use burn::tensor::module::linear;
use burn::tensor::{Device, Tensor, TensorData};

/// A low-rank update `x·A·B·scale` attached to an [`AdaptableLinear`].
#[derive(Module, Debug)]
pub struct LowRankAdapter {
    /// Down projection, `[d_input, rank]`.
    pub a: Param<Tensor<2>>,
    /// Up projection, `[rank, d_output]`; zero-initialised so a fresh adapter changes nothing.
    pub b: Param<Tensor<2>>,
    /// `alpha / rank` (or `alpha / sqrt(rank)` for rsLoRA).
    #[module(skip)]
    pub scale: f64,
}

impl LowRankAdapter {
    /// The adapter's rank.
    pub fn rank(&self) -> usize {
        self.a.dims()[1]
    }

    /// The dense update `A·B·scale`, `[d_input, d_output]`, for merging into the base weight.
    pub fn delta(&self) -> Tensor<2> {
        self.a.val().matmul(self.b.val()).mul_scalar(self.scale)
    }
}

/// A bias-free linear layer `y = x·W` with a frozen `W` and an optional LoRA adapter.
#[derive(Module, Debug)]
pub struct AdaptableLinear {
    /// Base weight, `[d_input, d_output]` (the transpose of PyTorch's layout). Frozen.
    pub weight: Param<Tensor<2>>,
    /// The LoRA adapter, when one is attached.
    pub adapter: Option<LowRankAdapter>,
}

impl AdaptableLinear {
    /// Builds the layer from a row-major PyTorch-layout weight `[d_output, d_input]`.
    pub fn from_torch_layout(
        weight: &[f32],
        d_output: usize,
        d_input: usize,
        device: &Device,
    ) -> Self {
        let transposed = transpose(weight, d_output, d_input);
        let tensor =
            Tensor::<2>::from_data(TensorData::new(transposed, [d_input, d_output]), device);
        Self::from_weight(tensor)
    }

    /// Builds the layer from a weight already in `[d_input, d_output]` layout.
    pub fn from_weight(weight: Tensor<2>) -> Self {
        Self {
            weight: Param::from_tensor(weight).set_require_grad(false),
            adapter: None,
        }
    }

    /// `[d_input, d_output]`.
    pub fn dims(&self) -> [usize; 2] {
        self.weight.dims()
    }

    /// Applies the layer.
    ///
    /// # Shapes
    /// - input: `[..., d_input]`
    /// - output: `[..., d_output]`
    pub fn forward<const D: usize>(&self, input: Tensor<D>) -> Tensor<D> {
        match &self.adapter {
            None => linear(input, self.weight.val(), None),
            Some(lora) => {
                // Scaling the rank-wide `x·A` rather than the full-width update touches
                // `rank / d_output` as many values, forward and backward.
                let low = linear(input.clone(), lora.a.val(), None).mul_scalar(lora.scale);
                let update = linear(low, lora.b.val(), None);
                linear(input, self.weight.val(), None) + update
            }
        }
    }

    /// The weight back in PyTorch layout `[d_output, d_input]`, row-major, with any adapter
    /// merged; `name` names it in an error.
    pub fn to_torch_layout(&self, name: &str) -> crate::Result<Vec<f32>> {
        let merged = match &self.adapter {
            Some(lora) => self.weight.val() + lora.delta(),
            None => self.weight.val(),
        };
        let [d_input, d_output] = merged.dims();
        let data = crate::weights::f32_values(merged.into_data(), name)?;
        Ok(transpose(&data, d_input, d_output))
    }
}

/// Transposes a row-major `[rows, cols]` matrix (PyTorch `[out, in]` ↔ burn `[in, out]`).
pub fn transpose(data: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; data.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = data[r * cols + c];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch_layout_round_trips_and_matches_matmul() {
        let device = Device::flex();
        // W (torch) = [[1, 2, 3], [4, 5, 6]]: d_output 2, d_input 3.
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let layer = AdaptableLinear::from_torch_layout(&w, 2, 3, &device);
        assert_eq!(layer.dims(), [3, 2]);
        let x = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 0.0, -1.0], [1, 3]), &device);
        let y = layer
            .forward(x)
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32");
        assert_eq!(y, vec![1.0 - 3.0, 4.0 - 6.0]);
        assert_eq!(layer.to_torch_layout("w").expect("f32"), w.to_vec());
    }

    #[test]
    fn zero_b_adapter_changes_nothing_and_nonzero_b_does() {
        let device = Device::flex();
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut layer = AdaptableLinear::from_torch_layout(&w, 2, 3, &device);
        let x = Tensor::<2>::from_data(TensorData::new(vec![0.5f32, -1.0, 2.0], [1, 3]), &device);
        let base = layer
            .forward(x.clone())
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32");
        let a = Tensor::<2>::ones([3, 1], &device);
        layer.adapter = Some(LowRankAdapter {
            a: Param::from_tensor(a.clone()),
            b: Param::from_tensor(Tensor::zeros([1, 2], &device)),
            scale: 2.0,
        });
        let same = layer
            .forward(x.clone())
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32");
        assert_eq!(base, same);
        layer.adapter = Some(LowRankAdapter {
            a: Param::from_tensor(a),
            b: Param::from_tensor(Tensor::ones([1, 2], &device)),
            scale: 2.0,
        });
        let moved = layer
            .forward(x)
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32");
        // x·A = 1.5, ·B·2 = 3 added to each output.
        assert!((moved[0] - base[0] - 3.0).abs() < 1e-5 && (moved[1] - base[1] - 3.0).abs() < 1e-5);
    }
}
