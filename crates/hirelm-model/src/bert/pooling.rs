//! Sentence pooling: masked mean over tokens and L2 normalisation (sentence-transformers'
//! `Pooling(mode='mean')` and `Normalize` modules).

use burn::tensor::{Bool, Tensor};

/// Averages the token states of each sequence over its real (unmasked) tokens.
///
/// Padding contributes nothing; a row without real tokens gives zeros.
///
/// # Shapes
///
/// - `hidden`: `[batch, seq, hidden]`
/// - `attention_mask`: `[batch, seq]`, `true` on real tokens
/// - output: `[batch, hidden]`
pub fn mean_pool(hidden: Tensor<3>, attention_mask: Tensor<2, Bool>) -> Tensor<2> {
    let [batch, seq, width] = hidden.dims();
    let mask = attention_mask.float().reshape([batch, seq, 1]);
    let summed = (hidden * mask.clone()).sum_dim(1); // [batch, 1, hidden]
    let counts = mask.sum_dim(1).clamp_min(1e-9); // [batch, 1, 1]
    (summed / counts).reshape([batch, width])
}

/// Scales each row to unit Euclidean norm (rows of norm below 1e-12 are divided by 1e-12,
/// as `torch.nn.functional.normalize`).
///
/// # Shapes
///
/// - `x`: `[batch, dim]`
/// - output: `[batch, dim]`
pub fn l2_normalize(x: Tensor<2>) -> Tensor<2> {
    let norm = (x.clone() * x.clone()).sum_dim(1).sqrt().clamp_min(1e-12);
    x / norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn padding_is_excluded_from_the_mean() {
        let device = Device::default();
        // Batch of 2, seq 3, width 2. Row 0 has one padding token holding huge values.
        let hidden = Tensor::<3>::from_data(
            TensorData::new(
                vec![
                    1.0f32, 2.0, 3.0, 4.0, 1000.0, -1000.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0,
                ],
                [2, 3, 2],
            ),
            &device,
        );
        let mask = Tensor::<2, Bool>::from_data(
            TensorData::new(vec![true, true, false, true, true, true], [2, 3]),
            &device,
        );
        let pooled = mean_pool(hidden, mask)
            .into_data()
            .iter::<f32>()
            .collect::<Vec<f32>>();
        assert_eq!(pooled, vec![2.0, 3.0, 2.0, 2.0]);
    }

    #[test]
    fn normalised_rows_have_unit_norm() {
        let device = Device::default();
        let x = Tensor::<2>::from_data(
            TensorData::new(vec![3.0f32, 4.0, 0.0, 0.0], [2, 2]),
            &device,
        );
        let y = l2_normalize(x)
            .into_data()
            .iter::<f32>()
            .collect::<Vec<f32>>();
        assert_eq!(y, vec![0.6, 0.8, 0.0, 0.0]);
    }
}
