//! `score_match` metrics over gold answers and predictions that may be invalid (`None`).
//!
//! An invalid answer is never skipped, since skipping would reward a model for failing on hard
//! cases: it is wrong for accuracy, a false negative of its gold label (and no class of its own)
//! for macro-F1, and the largest possible error, 1, for the score.

use std::collections::BTreeSet;

use crate::io::MatchOutput;

/// Per-case label correctness: 1 or 0.
pub fn label_hits(gold: &[MatchOutput], pred: &[Option<MatchOutput>]) -> Vec<f64> {
    gold.iter()
        .zip(pred)
        .map(|(g, p)| f64::from(u8::from(p.as_ref().is_some_and(|p| p.label == g.label))))
        .collect()
}

/// Per-case absolute score error, 1 for an invalid answer.
pub fn score_errors(gold: &[MatchOutput], pred: &[Option<MatchOutput>]) -> Vec<f64> {
    gold.iter()
        .zip(pred)
        .map(|(g, p)| p.as_ref().map_or(1.0, |p| (p.score - g.score).abs()))
        .collect()
}

/// Macro-F1 over the labels of the cases `idx` (indices may repeat, for the bootstrap): the
/// unweighted mean of per-class F1 over every class in the gold or the valid predictions.
/// `None` when `idx` is empty.
pub fn macro_f1_at(
    gold: &[MatchOutput],
    pred: &[Option<MatchOutput>],
    idx: &[usize],
) -> Option<f64> {
    if idx.is_empty() {
        return None;
    }
    let classes: BTreeSet<&str> = idx
        .iter()
        .flat_map(|&i| {
            std::iter::once(gold[i].label.as_str())
                .chain(pred[i].as_ref().map(|p| p.label.as_str()))
        })
        .collect();
    let mut sum = 0.0;
    for class in &classes {
        let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
        for &i in idx {
            let g = gold[i].label == *class;
            let p = pred[i].as_ref().is_some_and(|p| p.label == *class);
            match (g, p) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                (false, false) => {}
            }
        }
        if tp > 0 {
            sum += 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64;
        }
    }
    Some(sum / classes.len() as f64)
}

/// Macro-F1 over every case.
pub fn macro_f1(gold: &[MatchOutput], pred: &[Option<MatchOutput>]) -> Option<f64> {
    macro_f1_at(
        gold,
        pred,
        &(0..gold.len().min(pred.len())).collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(label: &str, score: f64) -> MatchOutput {
        MatchOutput {
            label: label.into(),
            score,
        }
    }

    #[test]
    fn hand_computed_match_metrics() {
        // gold: strong good good poor; pred: strong poor (invalid) poor
        let gold = [
            m("strong", 0.9),
            m("good", 0.7),
            m("good", 0.66),
            m("poor", 0.2),
        ];
        let pred = [
            Some(m("strong", 0.8)),
            Some(m("poor", 0.3)),
            None,
            Some(m("poor", 0.2)),
        ];
        assert_eq!(label_hits(&gold, &pred), [1.0, 0.0, 0.0, 1.0]);
        let err = score_errors(&gold, &pred);
        for (got, want) in err.iter().zip([0.1, 0.4, 1.0, 0.0]) {
            assert!((got - want).abs() < 1e-12, "{err:?}");
        }
        // strong: tp1 → F1 1. good: tp0 → 0. poor: tp1 fp1 fn0 → 2/3. No class for the invalid
        // answer: (1 + 0 + 2/3) / 3.
        let f1 = macro_f1(&gold, &pred).expect("f1");
        assert!((f1 - (1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-12, "{f1}");
        // Only cases 0 and 0 again: one class, perfect.
        assert_eq!(macro_f1_at(&gold, &pred, &[0, 0]), Some(1.0));
        assert_eq!(macro_f1_at(&gold, &pred, &[]), None);
    }
}
