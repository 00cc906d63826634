//! A language model that adds to a retriever instead of displacing it: each of the retriever's
//! top candidates keeps its retriever score and gains `weight ×` the model's score for it, and
//! the candidates are reordered by the sum. The weight is a rule fitted on validation cases;
//! [`cross_fit`] measures it honestly, ranking each case with the weight fitted on the *other*
//! half of the cases, so no case is ranked by a weight that saw it.
//!
//! [`FusionReport`] compares the fused ranking with the retriever's own on the same cases
//! (paired tests, [`crate::metrics::paired`]) and says whether the fusion earns the route: it
//! must be significantly better on both RP@5 and MRR.

use serde::{Deserialize, Serialize};

use crate::metrics::Metric;
use crate::metrics::paired::{PairedTest, Verdict, paired_test};

/// Weights the fit tries: 0 (the retriever alone) up to a weight at which the model's score
/// decides nearly every order. Model scores are mean token log-probabilities (nats), retriever
/// scores cosine similarities, hence the wide, log-spaced range.
pub const WEIGHT_GRID: [f64; 14] = [
    0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];

/// The metrics the fit maximises (their mean) and the route requires to rise.
pub const FIT_METRICS: [Metric; 2] = [Metric::RPrecision5, Metric::Mrr];

/// The metrics a [`FusionReport`] compares.
pub const REPORT_METRICS: [Metric; 4] = [
    Metric::RPrecision5,
    Metric::RPrecision10,
    Metric::Mrr,
    Metric::Accuracy1,
];

/// One retrieved candidate with both scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FusionCandidate {
    /// The candidate's id (an ESCO label for skills).
    pub id: String,
    /// The retriever's score (higher is better).
    pub retriever: f64,
    /// The language model's score (higher is better).
    pub lm: f64,
}

/// One validation case: the retriever's top candidates in its order, scored by both, and the
/// rest of its ranking (left in place, so metrics past the reranked depth compare like with
/// like).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FusionCase {
    /// The input text.
    pub text: String,
    /// Gold ids.
    pub gold: Vec<String>,
    /// The reranked candidates, in the retriever's order.
    pub candidates: Vec<FusionCandidate>,
    /// The retriever's ids after them, in its order.
    pub rest: Vec<String>,
}

impl FusionCase {
    /// The ranking at `weight`: candidates by `retriever + weight · lm`, best first (ties keep
    /// the retriever's order), then the rest. Weight 0 gives the retriever's own ranking.
    pub fn ranking(&self, weight: f64) -> Vec<String> {
        let order = self
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.retriever + weight * c.lm, i))
            .collect();
        self.ordered(order)
    }

    /// The candidates by the model's score alone (ties keep the retriever's order), then the
    /// rest: what the model adds on its own, for comparison.
    pub fn model_ranking(&self) -> Vec<String> {
        let order = self
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.lm, i))
            .collect();
        self.ordered(order)
    }

    fn ordered(&self, mut order: Vec<(f64, usize)>) -> Vec<String> {
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        order
            .into_iter()
            .map(|(_, i)| self.candidates[i].id.clone())
            .chain(self.rest.iter().cloned())
            .collect()
    }
}

/// Mean of [`FIT_METRICS`] over `cases` at `weight` (cases without gold count as 0).
pub fn objective<'a>(cases: impl IntoIterator<Item = &'a FusionCase>, weight: f64) -> f64 {
    let (mut total, mut n) = (0.0, 0usize);
    for case in cases {
        let ranked = case.ranking(weight);
        for metric in FIT_METRICS {
            total += metric.score(&ranked, &case.gold).unwrap_or(0.0);
        }
        n += FIT_METRICS.len();
    }
    if n == 0 { 0.0 } else { total / n as f64 }
}

/// The weight of [`WEIGHT_GRID`] that maximises [`objective`] on `cases`; on a tie the smaller
/// weight (the retriever alone when the model adds nothing).
pub fn fit_weight(cases: &[&FusionCase]) -> f64 {
    let mut best = (f64::NEG_INFINITY, 0.0);
    for weight in WEIGHT_GRID {
        let value = objective(cases.iter().copied(), weight);
        if value > best.0 {
            best = (value, weight);
        }
    }
    best.1
}

/// Two-fold cross-fitting: cases at even positions are ranked with the weight fitted on the
/// odd ones, and the other way round.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossFitted {
    /// The weight fitted on the odd cases (ranks the even ones), then on the even cases.
    pub fold_weights: [f64; 2],
    /// Each case's out-of-fold ranking, in case order.
    pub rankings: Vec<Vec<String>>,
}

/// Ranks every case with the weight fitted on the other fold (see [`CrossFitted`]).
pub fn cross_fit(cases: &[FusionCase]) -> CrossFitted {
    let fold =
        |parity: usize| -> Vec<&FusionCase> { cases.iter().skip(parity).step_by(2).collect() };
    // Even cases are ranked by the weight fitted on the odd ones.
    let fold_weights = [fit_weight(&fold(1)), fit_weight(&fold(0))];
    let rankings = cases
        .iter()
        .enumerate()
        .map(|(i, case)| case.ranking(fold_weights[i % 2]))
        .collect();
    CrossFitted {
        fold_weights,
        rankings,
    }
}

/// One metric of the retriever alone against the cross-fitted fusion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FusionMetric {
    /// The metric.
    pub metric: Metric,
    /// Mean over the cases, retriever alone.
    pub retriever: f64,
    /// Mean over the cases, fused (out of fold).
    pub fused: f64,
    /// Mean over the cases with the candidates in the model's order alone.
    pub model_alone: f64,
    /// Paired test of fused − retriever.
    pub test: PairedTest,
}

/// The validation evidence for routing a task to the fusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FusionReport {
    /// Cases compared.
    pub cases: usize,
    /// Cases where the model's scores change the retriever's top-k order at the fitted weight.
    pub reordered: usize,
    /// Cross-fitted weights (see [`CrossFitted::fold_weights`]).
    pub fold_weights: [f64; 2],
    /// The weight fitted on every case: what a route would use.
    pub weight: f64,
    /// Per metric: retriever, fused, paired test.
    pub metrics: Vec<FusionMetric>,
    /// Whether the fusion is significantly better on every one of [`FIT_METRICS`].
    pub route: bool,
}

impl FusionReport {
    /// Compares the cross-fitted fusion with the retriever on `cases` (paired tests at `level`,
    /// with `resamples` bootstrap resamples from `seed`).
    pub fn new(cases: &[FusionCase], level: f64, resamples: usize, seed: u64) -> Self {
        let crossed = cross_fit(cases);
        let all: Vec<&FusionCase> = cases.iter().collect();
        let weight = fit_weight(&all);
        // Each ranking once; every metric reads them.
        let base: Vec<Vec<String>> = cases.iter().map(|c| c.ranking(0.0)).collect();
        let alone: Vec<Vec<String>> = cases.iter().map(FusionCase::model_ranking).collect();
        let metrics: Vec<FusionMetric> = REPORT_METRICS
            .into_iter()
            .filter_map(|metric| {
                let per_case = |rankings: &[Vec<String>]| -> Vec<f64> {
                    rankings
                        .iter()
                        .zip(cases)
                        .map(|(ranked, c)| metric.score(ranked, &c.gold).unwrap_or(0.0))
                        .collect()
                };
                let (retriever, fused) = (per_case(&base), per_case(&crossed.rankings));
                let test = paired_test(&retriever, &fused, true, level, resamples, seed)?;
                let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
                Some(FusionMetric {
                    metric,
                    retriever: mean(&retriever),
                    fused: mean(&fused),
                    model_alone: mean(&per_case(&alone)),
                    test,
                })
            })
            .collect();
        let route = FIT_METRICS.iter().all(|m| {
            metrics
                .iter()
                .any(|r| r.metric == *m && r.test.verdict == Verdict::Better)
        });
        let reordered = cases
            .iter()
            .zip(&base)
            .filter(|(c, base)| {
                let k = c.candidates.len();
                c.ranking(weight)[..k] != base[..k]
            })
            .count();
        Self {
            cases: cases.len(),
            reordered,
            fold_weights: crossed.fold_weights,
            weight,
            metrics,
            route,
        }
    }

    /// The report as a Markdown table with a verdict line.
    pub fn markdown(&self, retriever: &str, model: &str) -> String {
        let mut out = format!(
            "Retriever `{retriever}` alone against the retriever fused with `{model}`'s scores, on the same {} cases. Each case is ranked with the weight fitted on the other half of the cases (weights {} and {}); the weight fitted on all cases is {} and reorders the retriever's candidates in {} cases. Paired tests: bootstrap interval of the mean difference, McNemar's exact test for acc@1. *Model alone* orders the retriever's candidates by the model's score only.\n\n| metric | {retriever} | fused | difference | 95% interval | p | verdict | model alone |\n|---|---:|---:|---:|---|---:|---|---:|\n",
            self.cases, self.fold_weights[0], self.fold_weights[1], self.weight, self.reordered
        );
        for m in &self.metrics {
            let d = m.test.difference;
            out.push_str(&format!(
                "| {} | {:.3} | {:.3} | {:+.3} | [{:+.3}, {:+.3}] | {:.2e} | {} | {:.3} |\n",
                m.metric.name(),
                m.retriever,
                m.fused,
                d.mean,
                d.ci.0,
                d.ci.1,
                m.test.p_value,
                m.test.verdict.word(),
                m.model_alone
            ));
        }
        out.push_str(match self.route {
            true => "\nVerdict: the fusion is significantly better on RP@5 and MRR; it earns the route.\n",
            false => "\nVerdict: the fusion is not significantly better on both RP@5 and MRR; the retriever keeps the route.\n",
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(gold: &str, candidates: &[(&str, f64, f64)]) -> FusionCase {
        FusionCase {
            text: String::new(),
            gold: vec![gold.into()],
            candidates: candidates
                .iter()
                .map(|(id, retriever, lm)| FusionCandidate {
                    id: (*id).into(),
                    retriever: *retriever,
                    lm: *lm,
                })
                .collect(),
            rest: vec!["z".into()],
        }
    }

    #[test]
    fn weight_zero_keeps_the_retriever_order_and_a_large_weight_follows_the_model() {
        let c = case("b", &[("a", 0.9, -3.0), ("b", 0.8, -0.5), ("c", 0.7, -1.0)]);
        assert_eq!(c.ranking(0.0), ["a", "b", "c", "z"]);
        assert_eq!(c.ranking(10.0), ["b", "c", "a", "z"]);
        assert_eq!(c.model_ranking(), ["b", "c", "a", "z"]);
    }

    #[test]
    fn the_fit_finds_a_weight_that_helps_and_zero_when_the_model_only_hurts() {
        // The model knows the gold: any weight that lifts it helps.
        let helpful: Vec<FusionCase> = (0..10)
            .map(|_| case("b", &[("a", 0.9, -3.0), ("b", 0.85, -0.1)]))
            .collect();
        let refs: Vec<&FusionCase> = helpful.iter().collect();
        assert!(fit_weight(&refs) > 0.0);
        // The model prefers the wrong candidate: the retriever alone is best.
        let harmful: Vec<FusionCase> = (0..10)
            .map(|_| case("a", &[("a", 0.9, -3.0), ("b", 0.85, -0.1)]))
            .collect();
        let refs: Vec<&FusionCase> = harmful.iter().collect();
        assert_eq!(fit_weight(&refs), 0.0);
    }

    #[test]
    fn cross_fitting_ranks_each_fold_with_the_other_folds_weight() {
        // Even cases: the model helps; odd cases: it hurts. Each fold's weight comes from the
        // other, so the even cases get weight 0 and the odd ones a positive weight.
        let cases: Vec<FusionCase> = (0..20)
            .map(|i| match i % 2 {
                0 => case("b", &[("a", 0.9, -3.0), ("b", 0.85, -0.1)]),
                _ => case("a", &[("a", 0.9, -3.0), ("b", 0.85, -0.1)]),
            })
            .collect();
        let crossed = cross_fit(&cases);
        assert_eq!(crossed.fold_weights[0], 0.0);
        assert!(crossed.fold_weights[1] > 0.0);
        assert_eq!(crossed.rankings[0][0], "a");
        assert_eq!(crossed.rankings[1][0], "b");
    }

    #[test]
    fn the_report_routes_only_on_a_significant_gain() {
        // The gold is the retriever's sixth candidate (outside its top 5) in three cases of
        // four, and the model's favourite in all: fused, RP@5 and MRR both rise.
        let six = |gold: &str, lm_of: &dyn Fn(&str) -> f64| {
            let ids = ["a", "b", "c", "d", "e", "f"];
            let scored: Vec<(&str, f64, f64)> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| (*id, 0.9 - 0.01 * i as f64, lm_of(id)))
                .collect();
            case(gold, &scored)
        };
        let helpful: Vec<FusionCase> = (0..200)
            .map(|i| {
                let gold = if i % 4 == 0 { "a" } else { "f" };
                six(gold, &|id| if id == gold { -0.1 } else { -3.0 })
            })
            .collect();
        let report = FusionReport::new(&helpful, 0.95, 2000, 17);
        assert!(report.route, "{report:?}");
        assert!(report.markdown("enc", "lm").contains("earns the route"));
        let useless: Vec<FusionCase> = (0..200)
            .map(|_| case("a", &[("a", 0.9, -1.0), ("b", 0.85, -1.0)]))
            .collect();
        let report = FusionReport::new(&useless, 0.95, 2000, 17);
        assert!(!report.route);
        assert_eq!(report.weight, 0.0);
        assert_eq!(report.reordered, 0);
    }
}
