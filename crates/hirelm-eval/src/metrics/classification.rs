//! Label metrics: accuracy and macro-F1.

use std::collections::BTreeSet;

/// Fraction of positions where `pred` equals `gold`; `None` when empty or lengths differ.
pub fn accuracy(gold: &[String], pred: &[String]) -> Option<f64> {
    if gold.is_empty() || gold.len() != pred.len() {
        return None;
    }
    let right = gold.iter().zip(pred).filter(|(g, p)| g == p).count();
    Some(right as f64 / gold.len() as f64)
}

/// Unweighted mean of per-class F1 over every class seen in `gold` or `pred` (scikit-learn's
/// `f1_score(average="macro")`); a class with no true positive has F1 0.
pub fn macro_f1(gold: &[String], pred: &[String]) -> Option<f64> {
    if gold.is_empty() || gold.len() != pred.len() {
        return None;
    }
    let classes: BTreeSet<&String> = gold.iter().chain(pred).collect();
    let mut sum = 0.0;
    for class in &classes {
        let tp = gold
            .iter()
            .zip(pred)
            .filter(|(g, p)| g == class && p == class)
            .count();
        let fp = pred.iter().filter(|p| p == class).count() - tp;
        let fn_ = gold.iter().filter(|g| g == class).count() - tp;
        if tp > 0 {
            sum += 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64;
        }
    }
    Some(sum / classes.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn accuracy_counts_exact_matches() {
        assert_eq!(
            accuracy(&s(&["a", "b", "c", "a"]), &s(&["a", "b", "a", "c"])),
            Some(0.5)
        );
        assert_eq!(accuracy(&s(&["a"]), &[]), None);
    }

    #[test]
    fn macro_f1_matches_a_hand_computed_case() {
        // gold a a b c, pred a b b b:
        // a: tp 1 fp 0 fn 1 → 2/3; b: tp 1 fp 2 fn 0 → 2/4; c: tp 0 → 0. Mean = (2/3 + 1/2) / 3.
        let got = macro_f1(&s(&["a", "a", "b", "c"]), &s(&["a", "b", "b", "b"])).expect("scores");
        assert!((got - (2.0 / 3.0 + 0.5) / 3.0).abs() < 1e-12, "{got}");
        assert_eq!(macro_f1(&s(&["x", "y"]), &s(&["x", "y"])), Some(1.0));
    }
}
