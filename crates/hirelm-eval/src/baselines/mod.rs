//! Classical baselines: predictors that need no language model.
//!
//! - [`bm25::Bm25Predictor`]: Okapi BM25 over documents (ESCO labels, plus descriptions when
//!   given; or index titles), `k1 = 1.2`, `b = 0.75` (the textbook defaults; not tuned).
//! - [`nn::NearestNeighbour`]: cosine nearest neighbour with all-MiniLM-L6-v2 embeddings, the
//!   document embeddings cached on disk under a key of model and documents.
//! - [`fusion::RankFusion`]: reciprocal rank fusion of two retrievers (the fine-tuned encoder
//!   and BM25).
//! - [`minilm_match::MiniLmMatcher`]: `score_match` and `rank_candidates` by MiniLM similarity
//!   of the job and each candidate profile.
//! - [`rule_matcher::RuleMatcher`]: `score_match` from skill coverage and rate against budget,
//!   and `rank_candidates` by that score ([`rule_ranker`]).
//! - [`span_lexicon::SpanLexicon`]: SkillSpan tagging by longest match against the spans of the
//!   training split.
//!
//! Both index *documents* `(id, text)`; several documents may share an id (index titles of one
//! occupation), and an id scores as its best document.

pub mod bm25;
pub mod fusion;
pub mod minilm_match;
pub mod nn;
pub mod rule_matcher;
pub mod rule_ranker;
pub mod span_lexicon;

/// A document of an index: the id a prediction returns, and the text it is matched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Output id (an ESCO label or occupation URI).
    pub id: String,
    /// Text matched against the input.
    pub text: String,
}

impl Document {
    /// A document.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            text: text.into(),
        }
    }
}

/// Distinct ids, and the id index of each document.
pub(crate) fn intern_ids(docs: &[Document]) -> (Vec<String>, Vec<u32>) {
    let mut ids = Vec::new();
    let mut index = std::collections::HashMap::new();
    let doc_ids = docs
        .iter()
        .map(|d| {
            *index.entry(d.id.clone()).or_insert_with(|| {
                ids.push(d.id.clone());
                (ids.len() - 1) as u32
            })
        })
        .collect();
    (ids, doc_ids)
}

/// The `k` best `(index, score)` of `scores`, best first; ties broken by lower index. NaN and
/// `-inf` scores are never returned.
pub(crate) fn top_k(scores: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut idx: Vec<usize> = (0..scores.len())
        .filter(|&i| scores[i] > f32::NEG_INFINITY)
        .collect();
    let cmp = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    if idx.len() > k {
        idx.select_nth_unstable_by(k, cmp);
        idx.truncate(k);
    }
    idx.sort_by(cmp);
    idx.into_iter().map(|i| (i, scores[i])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_is_sorted_and_breaks_ties_by_index() {
        let scores = [0.1, 0.9, 0.5, 0.9, f32::NEG_INFINITY, f32::NAN];
        let got: Vec<usize> = top_k(&scores, 3).into_iter().map(|(i, _)| i).collect();
        assert_eq!(got, [1, 3, 2]);
        assert_eq!(top_k(&scores, 10).len(), 4, "NaN and -inf dropped");
    }

    #[test]
    fn ids_are_interned_in_first_seen_order() {
        let docs = [
            Document::new("b", "x"),
            Document::new("a", "y"),
            Document::new("b", "z"),
        ];
        assert_eq!(
            intern_ids(&docs),
            (vec!["b".to_string(), "a".to_string()], vec![0, 1, 0])
        );
    }
}
