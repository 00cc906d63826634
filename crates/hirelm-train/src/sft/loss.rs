//! Cross-entropy on the assistant's tokens only.

use hirelm_model::burn::tensor::activation::log_softmax;
use hirelm_model::burn::tensor::{Int, Tensor};

/// Mean negative log-likelihood of `targets` over the positions where `weights` is 1.
///
/// # Shapes
/// - logits: `[batch, seq, vocab]`
/// - targets: `[batch, seq]`
/// - weights: `[batch, seq]`
/// - output: `[1]`
pub fn masked_cross_entropy(
    logits: Tensor<3>,
    targets: Tensor<2, Int>,
    weights: Tensor<2>,
) -> Tensor<1> {
    let [batch, seq, _] = logits.dims();
    let log_probs = log_softmax(logits, 2);
    let picked = log_probs
        .gather(2, targets.unsqueeze_dim::<3>(2))
        .reshape([batch, seq]);
    let count = weights.clone().sum().clamp_min(1.0);
    (picked * weights).sum().neg() / count
}

#[cfg(test)]
mod tests {
    use super::*;
    use hirelm_model::burn::tensor::{Device, TensorData};

    #[test]
    fn matches_hand_computed_value_and_ignores_masked_positions() {
        let device = Device::flex();
        // Two positions over a vocabulary of 2; only the first carries loss.
        let logits = Tensor::<3>::from_data(
            TensorData::new(vec![0.0f32, 0.0, 5.0, -5.0], [1, 2, 2]),
            &device,
        );
        let targets = Tensor::<2, Int>::from_data(TensorData::new(vec![1i64, 1], [1, 2]), &device);
        let weights = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 0.0], [1, 2]), &device);
        let loss = masked_cross_entropy(logits, targets, weights)
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32")[0];
        assert!((loss - std::f32::consts::LN_2).abs() < 1e-6, "{loss}");
    }
}
