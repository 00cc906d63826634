//! Ranking metrics: R-Precision@K and reciprocal rank as the skill-extraction benchmark defines
//! them, accuracy@1, and NDCG@K.
//!
//! Per case, with `ranked` the predicted ids best first and `gold` the distinct gold ids:
//! - `RP@K = |top-K ∩ gold| / min(K, |gold|)` (Decorte et al. 2023, eq. for RP@K);
//! - `RR = 1 / rank of the first gold id` (0 when none is returned); MRR is its mean;
//! - `acc@1 = 1` when the top id is gold.
//!
//! A predicted id counts once even if a predictor repeats it.

use std::collections::HashSet;

/// R-Precision@K of one case; `None` when there is no gold label (the case is skipped) or K = 0.
pub fn r_precision_at_k(ranked: &[String], gold: &[String], k: usize) -> Option<f64> {
    let gold: HashSet<&str> = gold.iter().map(String::as_str).collect();
    if gold.is_empty() || k == 0 {
        return None;
    }
    let mut seen = HashSet::new();
    let hits = ranked
        .iter()
        .filter(|r| seen.insert(r.as_str()))
        .take(k)
        .filter(|r| gold.contains(r.as_str()))
        .count();
    Some(hits as f64 / k.min(gold.len()) as f64)
}

/// Reciprocal rank of the first gold id; `None` without gold.
pub fn reciprocal_rank(ranked: &[String], gold: &[String]) -> Option<f64> {
    if gold.is_empty() {
        return None;
    }
    let mut seen = HashSet::new();
    let rank = ranked
        .iter()
        .filter(|r| seen.insert(r.as_str()))
        .position(|r| gold.contains(r));
    Some(rank.map_or(0.0, |p| 1.0 / (p + 1) as f64))
}

/// 1 when the first ranked id is gold, else 0; `None` without gold.
pub fn hit_at_1(ranked: &[String], gold: &[String]) -> Option<f64> {
    if gold.is_empty() {
        return None;
    }
    Some(f64::from(u8::from(
        ranked.first().is_some_and(|r| gold.contains(r)),
    )))
}

/// NDCG@K with linear gains: `DCG = Σ_{i=1..K} gain_i / log2(i + 1)` over the predicted order,
/// divided by the DCG of the ideal order (`all_gains` sorted descending). `None` when the ideal
/// DCG is 0 (no relevant item).
pub fn ndcg_at_k(ranked_gains: &[f64], all_gains: &[f64], k: usize) -> Option<f64> {
    let dcg = |gains: &[f64]| -> f64 {
        gains
            .iter()
            .take(k)
            .enumerate()
            .map(|(i, g)| g / ((i + 2) as f64).log2())
            .sum()
    };
    let mut ideal = all_gains.to_vec();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg = dcg(&ideal);
    (idcg > 0.0).then(|| dcg(ranked_gains) / idcg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn r_precision_divides_by_min_of_k_and_gold() {
        let ranked = s(&["a", "x", "b", "y", "z", "c", "w"]);
        // Two gold in the top 5 of 3 gold: 2 / min(5, 3).
        assert_eq!(
            r_precision_at_k(&ranked, &s(&["a", "b", "c"]), 5),
            Some(2.0 / 3.0)
        );
        // All three within the top 10: 3 / 3.
        assert_eq!(
            r_precision_at_k(&ranked, &s(&["a", "b", "c"]), 10),
            Some(1.0)
        );
        // Seven gold, K = 5: 3 hits in top 5 ("a", "b", "y") / 5.
        let gold = s(&["a", "b", "y", "q1", "q2", "q3", "q4"]);
        assert_eq!(r_precision_at_k(&ranked, &gold, 5), Some(0.6));
        assert_eq!(r_precision_at_k(&ranked, &[], 5), None);
    }

    #[test]
    fn repeated_predictions_count_once() {
        let ranked = s(&["a", "a", "a", "a", "a", "b"]);
        assert_eq!(r_precision_at_k(&ranked, &s(&["a", "b"]), 2), Some(1.0));
        assert_eq!(reciprocal_rank(&s(&["x", "x", "b"]), &s(&["b"])), Some(0.5));
    }

    #[test]
    fn reciprocal_rank_and_hit_at_1() {
        assert_eq!(
            reciprocal_rank(&s(&["x", "y", "b", "a"]), &s(&["a", "b"])),
            Some(1.0 / 3.0)
        );
        assert_eq!(reciprocal_rank(&s(&["x"]), &s(&["a"])), Some(0.0));
        assert_eq!(hit_at_1(&s(&["a", "x"]), &s(&["a"])), Some(1.0));
        assert_eq!(hit_at_1(&s(&["x", "a"]), &s(&["a"])), Some(0.0));
        assert_eq!(hit_at_1(&[], &s(&["a"])), Some(0.0));
    }

    #[test]
    fn ndcg_matches_a_hand_computed_case() {
        // Gains 3,2,3,0,1,2 (the textbook example): DCG@6 = 3 + 2/log2 3 + 3/2 + 0 + 1/log2 6
        // + 2/log2 7 = 6.861; the ideal order 3,3,2,2,1,0 gives 7.141.
        let ranked = [3.0, 2.0, 3.0, 0.0, 1.0, 2.0];
        let dcg = 3.0 + 2.0 / 3f64.log2() + 1.5 + 1.0 / 6f64.log2() + 2.0 / 7f64.log2();
        let idcg = 3.0 + 3.0 / 3f64.log2() + 1.0 + 2.0 / 5f64.log2() + 1.0 / 6f64.log2();
        let got = ndcg_at_k(&ranked, &ranked, 6).expect("relevant items");
        assert!(
            (got - dcg / idcg).abs() < 1e-12 && (got - 0.9608).abs() < 1e-3,
            "{got}"
        );
        assert_eq!(ndcg_at_k(&[1.0, 0.0], &[1.0, 0.0], 5), Some(1.0));
        assert_eq!(ndcg_at_k(&[0.0], &[0.0], 5), None);
    }
}
