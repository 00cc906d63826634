//! [`RankFusion`]: reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009) of two ranked
//! retrievers, such as the fine-tuned encoder (meaning) and BM25 (exact wording).
//!
//! Each id scores `Σ 1 / (k + rank)` over the lists it appears in (ranks from 1); `k = 60`, the
//! paper's constant, is not fitted to any data here. An id missing from a list gets nothing from
//! it. Only ranks are used, so the two retrievers' score scales need no calibration.

use std::collections::HashMap;

use hirelm_core::Task;

use crate::io::{parse_ranked, ranked_output};
use crate::predictor::hash_parts;
use crate::{DecodingParams, EvalError, Prediction, Predictor, Result};

/// The constant of reciprocal rank fusion, as published.
pub const RRF_K: f32 = 60.0;

/// Two ranked retrievers fused by reciprocal rank.
pub struct RankFusion<'a> {
    name: String,
    first: Box<dyn Predictor + 'a>,
    second: Box<dyn Predictor + 'a>,
    top_k: usize,
}

impl std::fmt::Debug for RankFusion<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RankFusion")
            .field("name", &self.name)
            .field("first", &self.first.name())
            .field("second", &self.second.name())
            .finish()
    }
}

impl<'a> RankFusion<'a> {
    /// Fuses the rankings of `first` and `second`, answering the best `top_k` ids.
    pub fn new(
        name: impl Into<String>,
        first: Box<dyn Predictor + 'a>,
        second: Box<dyn Predictor + 'a>,
        top_k: usize,
    ) -> Self {
        Self {
            name: name.into(),
            first,
            second,
            top_k,
        }
    }
}

/// The fused ranking of `lists` (ids best first), best first; ties by first appearance.
pub fn fuse_ranks(lists: &[Vec<String>], top_k: usize) -> Vec<(String, f32)> {
    let mut scores: HashMap<&str, (f32, usize)> = HashMap::new();
    let mut order = 0;
    for list in lists {
        for (rank, id) in list.iter().enumerate() {
            let entry = scores.entry(id.as_str()).or_insert_with(|| {
                order += 1;
                (0.0, order)
            });
            entry.0 += 1.0 / (RRF_K + rank as f32 + 1.0);
        }
    }
    let mut fused: Vec<(&str, (f32, usize))> = scores.into_iter().collect();
    fused.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
    fused
        .into_iter()
        .take(top_k)
        .map(|(id, (score, _))| (id.to_string(), score))
        .collect()
}

impl Predictor for RankFusion<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn content_hash(&self) -> String {
        hash_parts([
            self.first.content_hash().as_bytes(),
            self.second.content_hash().as_bytes(),
            format!("rrf {RRF_K} {}", self.top_k).as_bytes(),
        ])
    }

    fn supports(&self, task: Task) -> bool {
        self.first.supports(task) && self.second.supports(task)
    }

    fn predict(&self, task: Task, input: &serde_json::Value) -> Result<Prediction> {
        let ranked = |p: &dyn Predictor| -> Result<Vec<String>> {
            let raw = p.predict(task, input)?.raw;
            parse_ranked(task, &raw)
                .map_err(|e| EvalError::Invalid(format!("{} answered badly: {e}", p.name())))
        };
        let lists = [ranked(self.first.as_ref())?, ranked(self.second.as_ref())?];
        Ok(Prediction::json(
            &ranked_output(task, &fuse_ranks(&lists, self.top_k)),
            DecodingParams::deterministic(self.top_k),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_id_both_lists_rank_well_wins() {
        let fused = fuse_ranks(&[ids(&["a", "b", "c"]), ids(&["c", "b", "d"])], 4);
        let order: Vec<&str> = fused.iter().map(|(id, _)| id.as_str()).collect();
        // b: 1/62 + 1/62; a: 1/61; c: 1/63 + 1/61; d: 1/63.
        assert_eq!(order, ["c", "b", "a", "d"]);
        assert!((fused[1].1 - 2.0 / 62.0).abs() < 1e-6);
        assert_eq!(fuse_ranks(&[ids(&["a", "b"]), ids(&[])], 1)[0].0, "a");
    }
}
