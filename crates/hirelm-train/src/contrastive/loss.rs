//! InfoNCE with in-batch negatives (multiple-negatives ranking loss).

use hirelm_model::burn::tensor::activation::log_softmax;
use hirelm_model::burn::tensor::{Device, Tensor};

/// The InfoNCE loss of unit-length anchor and candidate embeddings.
///
/// Row `i` of `anchors` `[b, d]` should score highest against row `i` of `candidates` `[c, d]`
/// (`c >= b`): the first `b` candidates are the positives, each the other anchors' negative, and
/// rows after `b` are extra (hard) negatives. Scores are cosines over `temperature`. With
/// `symmetric`, the loss of finding each positive's anchor among the anchors is averaged in
/// (CLIP's loss; sentence-transformers' `MultipleNegativesSymmetricRankingLoss`).
///
/// # Panics
///
/// If the candidates are fewer than the anchors or the widths differ.
pub fn info_nce(
    anchors: Tensor<2>,
    candidates: Tensor<2>,
    temperature: f64,
    symmetric: bool,
) -> Tensor<1> {
    let [b, d] = anchors.dims();
    let [c, d2] = candidates.dims();
    assert!(
        c >= b && d == d2,
        "info_nce needs candidates [c >= {b}, {d}], got [{c}, {d2}]"
    );
    info_nce_of_scores(
        anchors.matmul(candidates.transpose()),
        temperature,
        symmetric,
    )
}

/// The InfoNCE loss of a score matrix `[b, c]` (`c >= b`) whose diagonal holds the positives'
/// scores: [`info_nce`] for any scorer, token attention included.
///
/// # Panics
///
/// If the candidates are fewer than the anchors.
pub fn info_nce_of_scores(scores: Tensor<2>, temperature: f64, symmetric: bool) -> Tensor<1> {
    let [b, c] = scores.dims();
    assert!(c >= b, "info_nce needs scores [b, c >= b], got [{b}, {c}]");
    let device = scores.device();
    let scores = scores.div_scalar(temperature);
    let forward = -(log_softmax(scores.clone(), 1) * diagonal(b, c, &device))
        .sum()
        .div_scalar(b as f64);
    if !symmetric {
        return forward;
    }
    let square = scores.slice([0..b, 0..b]).transpose(); // [positive, anchor]
    let backward = -(log_softmax(square, 1) * diagonal(b, b, &device))
        .sum()
        .div_scalar(b as f64);
    (forward + backward).div_scalar(2.0)
}

/// A `[rows, cols]` matrix with ones at `(i, i)`.
fn diagonal(rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    let mut values = vec![0.0f32; rows * cols];
    for i in 0..rows.min(cols) {
        values[i * cols + i] = 1.0;
    }
    Tensor::from_data(
        hirelm_model::burn::tensor::TensorData::new(values, [rows, cols]),
        device,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hirelm_model::burn::tensor::TensorData;

    fn matrix(values: Vec<f32>, rows: usize, cols: usize) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values, [rows, cols]), &Device::flex())
    }

    fn value(t: Tensor<1>) -> f64 {
        f64::from(t.into_data().iter::<f32>().next().expect("scalar"))
    }

    #[test]
    fn matches_the_formula_and_rewards_aligned_pairs() {
        // Two anchors, two positives, one hard negative; unit vectors in 2-D.
        let a = matrix(vec![1.0, 0.0, 0.0, 1.0], 2, 2);
        let c = matrix(vec![0.8, 0.6, 0.6, 0.8, 1.0, 0.0], 3, 2);
        let t = 0.5;
        let loss = value(info_nce(a.clone(), c.clone(), t, false));
        // Row 0: scores (0.8, 0.6, 1.0)/t, target 0. Row 1: (0.6, 0.8, 0.0)/t, target 1.
        let lse = |s: [f64; 3]| s.iter().map(|x| (x / t).exp()).sum::<f64>().ln();
        let expected = ((lse([0.8, 0.6, 1.0]) - 0.8 / t) + (lse([0.6, 0.8, 0.0]) - 0.8 / t)) / 2.0;
        assert!((loss - expected).abs() < 1e-5, "{loss} vs {expected}");
        // Swapping the positives makes every anchor's target the wrong one: a higher loss.
        let swapped = matrix(vec![0.6, 0.8, 0.8, 0.6, 1.0, 0.0], 3, 2);
        assert!(value(info_nce(a.clone(), swapped, t, false)) > loss + 0.1);
        let symmetric = value(info_nce(a, c.slice([0..2, 0..2]), t, true));
        let two = |s: [f64; 2]| s.iter().map(|x| (x / t).exp()).sum::<f64>().ln();
        let forward = ((two([0.8, 0.6]) - 0.8 / t) + (two([0.6, 0.8]) - 0.8 / t)) / 2.0;
        assert!(
            (symmetric - forward).abs() < 1e-5,
            "a symmetric score matrix gives the same loss both ways"
        );
    }
}
