//! Task metrics, each tested on hand-computed cases, and the named [`Metric`] list suites use.
//!
//! - [`ranking`]: R-Precision@K, reciprocal rank, accuracy@1, NDCG@K.
//! - [`classification`]: accuracy, macro-F1.
//! - [`span`]: BIO span F1 (SkillSpan).
//! - [`correlation`]: Spearman rank correlation.
//! - [`stats`]: means and bootstrap confidence intervals.

pub mod classification;
pub mod correlation;
pub mod ranking;
pub mod span;
pub mod stats;

use serde::{Deserialize, Serialize};

use crate::{EvalError, Result};

/// A per-case metric of a ranked output, averaged over cases by the runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// R-Precision@5.
    #[serde(rename = "rp@5")]
    RPrecision5,
    /// R-Precision@10.
    #[serde(rename = "rp@10")]
    RPrecision10,
    /// Mean reciprocal rank.
    #[serde(rename = "mrr")]
    Mrr,
    /// Accuracy@1: the top prediction is gold.
    #[serde(rename = "acc@1")]
    Accuracy1,
    /// NDCG@5 with binary gains.
    #[serde(rename = "ndcg@5")]
    Ndcg5,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 5] =
        [Metric::RPrecision5, Metric::RPrecision10, Metric::Mrr, Metric::Accuracy1, Metric::Ndcg5];

    /// The metric's name in suites and reports.
    pub fn name(self) -> &'static str {
        match self {
            Metric::RPrecision5 => "rp@5",
            Metric::RPrecision10 => "rp@10",
            Metric::Mrr => "mrr",
            Metric::Accuracy1 => "acc@1",
            Metric::Ndcg5 => "ndcg@5",
        }
    }

    /// Parses a metric name.
    pub fn parse(name: &str) -> Result<Self> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| EvalError::unknown("metric", name, &Metric::ALL.map(Metric::name)))
    }

    /// The metric of one case; `None` when the case has no gold (it is skipped).
    pub fn score(self, ranked: &[String], gold: &[String]) -> Option<f64> {
        match self {
            Metric::RPrecision5 => ranking::r_precision_at_k(ranked, gold, 5),
            Metric::RPrecision10 => ranking::r_precision_at_k(ranked, gold, 10),
            Metric::Mrr => ranking::reciprocal_rank(ranked, gold),
            Metric::Accuracy1 => ranking::hit_at_1(ranked, gold),
            Metric::Ndcg5 => {
                let gains: Vec<f64> =
                    ranked.iter().take(5).map(|r| f64::from(u8::from(gold.contains(r)))).collect();
                ranking::ndcg_at_k(&gains, &vec![1.0; gold.len()], 5)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_unknown_names_list_the_valid_ones() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.name()).expect("parses"), m);
        }
        let err = Metric::parse("f2").unwrap_err().to_string();
        assert!(err.contains("unknown metric `f2`") && err.contains("rp@5"), "{err}");
    }

    #[test]
    fn score_of_a_failed_output_is_zero_not_skipped() {
        let gold = vec!["a".to_string()];
        for m in Metric::ALL {
            assert_eq!(m.score(&[], &gold), Some(0.0), "{m:?}");
        }
    }
}
