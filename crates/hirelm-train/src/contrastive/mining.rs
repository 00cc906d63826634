//! Hard negatives mined by an encoder: for each pair, a candidate the encoder ranks close to the
//! anchor that is not one of the anchor's answers.
//!
//! In-batch negatives are random concepts, mostly easy to tell apart after a few hundred steps;
//! a mined negative is one the encoder still confuses (`manage staff` for `supervise staff`).
//! The candidates are the run's distinct positives. Because mined neighbours of a concept are
//! often unlisted synonyms, a candidate is only taken when it scores clearly below the pair's
//! own positive (`relative_margin`, as sentence-transformers' `mine_hard_negatives`).

use std::collections::{HashMap, HashSet};

use hirelm_core::EncoderPair;
use hirelm_model::bert::BertModel;
use hirelm_model::burn::tensor::{Device, Tensor, TensorData};

use super::batches::{TextBatch, text_hash};
use super::trainer::embed_batch;

/// Candidates kept per anchor while ranking (the negative is the best eligible among them).
const SHORTLIST: usize = 32;
/// Texts embedded per forward pass.
const EMBED_ROWS: usize = 64;
/// Anchors scored against every candidate per matrix product.
const SCORE_ROWS: usize = 512;

/// One pair's mined negative: a positive text of the run and the concept it stands for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HardNegative {
    /// The text trained as a wrong answer.
    pub text: String,
    /// Its concept (a pair key), so that a batch can drop it where it is some anchor's answer.
    pub key: String,
}

/// Unit-length embeddings of `rows` (token ids), embedded shortest first in chunks so that
/// little padding is computed, returned in the order given.
pub fn embed_token_rows(model: &BertModel, rows: &[&[u32]], device: &Device) -> Vec<Vec<f32>> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (rows[i].len(), i));
    let mut out = vec![Vec::new(); rows.len()];
    for chunk in order.chunks(EMBED_ROWS) {
        let batch: Vec<&[u32]> = chunk.iter().map(|&i| rows[i]).collect();
        let embedded = embed_batch(model, &TextBatch::collate(&batch), device);
        let [_, width] = embedded.dims();
        let values: Vec<f32> = embedded.into_data().iter::<f32>().collect();
        for (row, &i) in values.chunks(width).zip(chunk) {
            out[i] = row.to_vec();
        }
    }
    out
}

/// For every pair, the highest-scoring candidate among the distinct positives of `pairs` whose
/// concept is none of the anchor's answers and whose cosine is below `(1 - relative_margin)`
/// times that of the pair's own positive; `None` where no shortlisted candidate qualifies.
///
/// `anchor_ids` and `positive_ids` are the pairs' token ids, row for row. Deterministic for a
/// given model and pairs.
pub fn mine_hard_negatives(
    model: &BertModel,
    device: &Device,
    pairs: &[EncoderPair],
    anchor_ids: &[Vec<u32>],
    positive_ids: &[Vec<u32>],
    relative_margin: f64,
) -> Vec<Option<HardNegative>> {
    // Distinct anchors and distinct candidates (positive text, key), each embedded once.
    let mut anchor_index: HashMap<&str, usize> = HashMap::new();
    let mut anchor_rows: Vec<&[u32]> = Vec::new();
    let mut candidate_index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut candidate_rows: Vec<&[u32]> = Vec::new();
    let mut candidates: Vec<(&str, &str)> = Vec::new();
    // The answer keys of each distinct anchor, by its index.
    let mut answers: Vec<HashSet<u64>> = Vec::new();
    for (i, pair) in pairs.iter().enumerate() {
        let anchor = *anchor_index.entry(&pair.anchor).or_insert_with(|| {
            anchor_rows.push(&anchor_ids[i]);
            answers.push(HashSet::new());
            anchor_rows.len() - 1
        });
        candidate_index
            .entry((&pair.positive, &pair.key))
            .or_insert_with(|| {
                candidate_rows.push(&positive_ids[i]);
                candidates.push((&pair.positive, &pair.key));
                candidates.len() - 1
            });
        answers[anchor].insert(text_hash(&pair.key));
    }
    let anchor_vectors = embed_token_rows(model, &anchor_rows, device);
    let candidate_vectors = embed_token_rows(model, &candidate_rows, device);
    let width = candidate_vectors.first().map_or(0, Vec::len);
    let candidate_matrix: Tensor<2> = Tensor::from_data(
        TensorData::new(candidate_vectors.concat(), [candidate_vectors.len(), width]),
        device,
    )
    .transpose();
    let candidate_keys: Vec<u64> = candidates.iter().map(|(_, k)| text_hash(k)).collect();
    // The shortlist of each distinct anchor: its best-scoring candidates that are not answers.
    let mut shortlists: Vec<Vec<(f32, usize)>> = Vec::with_capacity(anchor_rows.len());
    for (block_start, block) in anchor_vectors
        .chunks(SCORE_ROWS)
        .enumerate()
        .map(|(b, block)| (b * SCORE_ROWS, block))
    {
        let rows = Tensor::<2>::from_data(
            TensorData::new(block.concat(), [block.len(), width]),
            device,
        );
        let scores: Vec<f32> = rows
            .matmul(candidate_matrix.clone())
            .into_data()
            .iter::<f32>()
            .collect();
        for (r, row) in scores.chunks(candidates.len()).enumerate() {
            let own = &answers[block_start + r];
            let mut ranked: Vec<(f32, usize)> = row
                .iter()
                .enumerate()
                .filter(|(c, _)| !own.contains(&candidate_keys[*c]))
                .map(|(c, &s)| (s, c))
                .collect();
            let keep = SHORTLIST.min(ranked.len());
            if keep > 0 && keep < ranked.len() {
                ranked.select_nth_unstable_by(keep - 1, |a, b| b.0.total_cmp(&a.0));
            }
            ranked.truncate(keep);
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            shortlists.push(ranked);
        }
    }

    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    pairs
        .iter()
        .map(|pair| {
            let anchor = anchor_index[pair.anchor.as_str()];
            let positive = candidate_index[&(pair.positive.as_str(), pair.key.as_str())];
            let own = dot(&anchor_vectors[anchor], &candidate_vectors[positive]);
            let ceiling = (1.0 - relative_margin) as f32 * own;
            shortlists[anchor]
                .iter()
                .find(|(score, _)| *score < ceiling)
                .map(|&(_, c)| HardNegative {
                    text: candidates[c].0.to_string(),
                    key: candidates[c].1.to_string(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::test_pair as pair;

    #[test]
    fn a_negative_is_never_an_answer_and_never_scores_near_the_positive() {
        let device = Device::flex();
        let model = super::super::tiny_bert().init(&device).expect("tiny model");
        // "s" has two answers (k1, k2). k3's text is token for token s's anchor: for s it
        // scores a cosine of 1, above any positive, so it is s's best non-answer, and only a
        // margin that lets everything through may pick it.
        let pairs = vec![
            pair("s", "k1"),
            pair("s", "k2"),
            pair("t", "k3"),
            pair("u", "k4"),
        ];
        let anchors: Vec<Vec<u32>> =
            vec![vec![1, 5, 2], vec![1, 5, 2], vec![1, 6, 2], vec![1, 7, 2]];
        let positives: Vec<Vec<u32>> =
            vec![vec![1, 8, 2], vec![1, 9, 2], vec![1, 5, 2], vec![1, 11, 2]];
        let open = mine_hard_negatives(&model, &device, &pairs, &anchors, &positives, -2.0);
        for (p, negative) in pairs.iter().zip(&open) {
            let negative = negative.as_ref().expect("every candidate qualifies");
            let answers: Vec<&str> = pairs
                .iter()
                .filter(|q| q.anchor == p.anchor)
                .map(|q| q.key.as_str())
                .collect();
            assert!(
                !answers.contains(&negative.key.as_str()),
                "{p:?} got {negative:?}"
            );
            assert_eq!(negative.text, negative.key);
        }
        assert_eq!(open[0].as_ref().map(|n| n.key.as_str()), Some("k3"));
        assert_eq!(
            open[0], open[1],
            "pairs of one anchor share its best candidate"
        );
        let margin = mine_hard_negatives(&model, &device, &pairs, &anchors, &positives, 0.05);
        for negative in margin[..2].iter().flatten() {
            assert_ne!(
                negative.key, "k3",
                "a candidate above the positive is skipped"
            );
        }
    }
}
