//! What the golden tests share: llama.cpp's recorded top-k logits of one position, and how a
//! row of our logits is scored against them.

use serde::Deserialize;

/// llama.cpp's top-k next-token ids and logits after one position.
#[derive(Debug, Deserialize)]
pub struct Position {
    pub top_ids: Vec<u32>,
    pub top_logits: Vec<f32>,
}

fn softmax(logits: &[f64]) -> Vec<f64> {
    let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = exp.iter().sum();
    exp.into_iter().map(|e| e / total).collect()
}

/// Whether `row`'s argmax is llama.cpp's top-1, and KL(llama.cpp || ours) over llama.cpp's
/// first `top_k` ids, both distributions renormalised over them.
pub fn score_position(row: &[f32], reference: &Position, top_k: usize) -> (bool, f64) {
    let agrees = hirelm_model::sampling::argmax(row) == reference.top_ids[0];
    let k = top_k.min(reference.top_ids.len());
    let p = softmax(
        &reference.top_logits[..k]
            .iter()
            .map(|&l| l as f64)
            .collect::<Vec<_>>(),
    );
    let q = softmax(
        &reference.top_ids[..k]
            .iter()
            .map(|&t| row[t as usize] as f64)
            .collect::<Vec<_>>(),
    );
    (
        agrees,
        p.iter().zip(&q).map(|(p, q)| p * (p / q).ln()).sum(),
    )
}
