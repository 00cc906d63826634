//! The regression gate: every metric against its threshold, and against a stored baseline with a
//! one-sided paired bootstrap over per-case scores (significance and minimum drop from the suite);
//! and every entry's determinism self-check.
//!
//! For a lower-is-better metric (`score_mae`) the threshold is a maximum and a rise is the
//! regression. A corpus-level metric without per-case values (`macro_f1`) cannot be paired, so
//! against a baseline any drop of at least the minimum drop fails it.

use serde::{Deserialize, Serialize};

use crate::metrics::Metric;
use crate::metrics::paired::paired_difference;
use crate::metrics::stats::paired_drop_p_value;
use crate::report::SuiteReport;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within threshold and not significantly below the baseline.
    Pass,
    /// Below the suite's threshold.
    BelowThreshold,
    /// Significantly below the baseline by at least the minimum drop.
    Regressed,
    /// The determinism self-check found different outputs for the same input.
    Nondeterministic,
}

/// One (entry, metric) check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Entry name.
    pub eval: String,
    /// Metric name.
    pub metric: String,
    /// Current mean.
    pub value: f64,
    /// Threshold, if any.
    pub threshold: Option<f64>,
    /// Baseline mean, if the baseline has this entry and metric.
    pub baseline: Option<f64>,
    /// Paired-bootstrap p-value of a drop, when paired data exist.
    pub p_value: Option<f64>,
    /// 95 % paired-bootstrap interval of `value − baseline` on the same cases, when paired data
    /// exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference_ci95: Option<(f64, f64)>,
    /// Outcome.
    pub status: Status,
}

impl Check {
    /// One readable line: `eval metric: value (baseline b, Δ d, p) threshold t → STATUS`.
    pub fn line(&self) -> String {
        let mut s = format!("{} {}: {:.4}", self.eval, self.metric, self.value);
        if let Some(b) = self.baseline {
            s.push_str(&format!(" (baseline {b:.4}, Δ {:+.4}", self.value - b));
            if let Some((lo, hi)) = self.difference_ci95 {
                s.push_str(&format!(" [{lo:+.4}, {hi:+.4}]"));
            }
            if let Some(p) = self.p_value {
                s.push_str(&format!(", p {p:.3}"));
            }
            s.push(')');
        }
        if let Some(t) = self.threshold {
            s.push_str(&format!(" threshold {t:.4}"));
        }
        let status = match self.status {
            Status::Pass => "ok",
            Status::BelowThreshold if !higher_is_better(&self.metric) => "FAIL above threshold",
            Status::BelowThreshold => "FAIL below threshold",
            Status::Regressed => "FAIL regressed",
            Status::Nondeterministic => {
                "FAIL not deterministic (see the entry's determinism in the report)"
            }
        };
        format!("{s} → {status}")
    }
}

fn higher_is_better(metric: &str) -> bool {
    Metric::parse(metric).map_or(true, Metric::higher_is_better)
}

/// Checks `current` against its thresholds and, when given, a baseline.
pub fn gate(current: &SuiteReport, baseline: Option<&SuiteReport>) -> Vec<Check> {
    let mut checks = Vec::new();
    for e in &current.evals {
        let base = baseline.and_then(|b| b.evals.iter().find(|x| x.name == e.name));
        for (name, m) in &e.metrics {
            // Lower-is-better metrics are gated on their negation.
            let sign = if higher_is_better(name) { 1.0 } else { -1.0 };
            let signed = |v: &[f64]| v.iter().map(|x| sign * x).collect::<Vec<f64>>();
            let threshold = e.thresholds.get(name).copied();
            let base_m = base.and_then(|b| b.metrics.get(name));
            let p_value = base_m.and_then(|b| {
                paired_drop_p_value(
                    &signed(&b.per_case),
                    &signed(&m.per_case),
                    2000,
                    current.seed,
                )
            });
            let difference_ci95 = base_m.and_then(|b| {
                paired_difference(
                    &b.per_case,
                    &m.per_case,
                    sign > 0.0,
                    0.95,
                    2000,
                    current.seed,
                )
                .map(|d| d.ci)
            });
            let drop = base_m.map_or(0.0, |b| sign * (b.mean - m.mean));
            let significant = match p_value {
                Some(p) => p < current.significance,
                // Case sets differ: no pairing, so only the size of the drop decides.
                None => base_m.is_some(),
            };
            let status = if threshold.is_some_and(|t| sign * m.mean < sign * t) {
                Status::BelowThreshold
            } else if significant && drop >= current.min_drop {
                Status::Regressed
            } else {
                Status::Pass
            };
            checks.push(Check {
                eval: e.name.clone(),
                metric: name.clone(),
                value: m.mean,
                threshold,
                baseline: base_m.map(|b| b.mean),
                p_value,
                difference_ci95,
                status,
            });
        }
        if let Some(d) = &e.determinism {
            let ok = d.repeat_identical && d.batch_identical;
            let status = if ok {
                Status::Pass
            } else {
                Status::Nondeterministic
            };
            checks.push(Check {
                eval: e.name.clone(),
                metric: "determinism".into(),
                value: f64::from(u8::from(ok)),
                threshold: Some(1.0),
                baseline: None,
                p_value: None,
                difference_ci95: None,
                status,
            });
        }
    }
    checks
}

/// Whether every check passed.
pub fn passed(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.status == Status::Pass)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::report::{Determinism, EvalReport, MetricSummary};

    fn report(mae: &[f64], threshold: f64, deterministic: bool) -> SuiteReport {
        let summary = MetricSummary {
            mean: mae.iter().sum::<f64>() / mae.len() as f64,
            ci95: (0.0, 1.0),
            per_case: mae.to_vec(),
        };
        SuiteReport {
            suite: "s".into(),
            seed: 1,
            significance: 0.05,
            min_drop: 0.01,
            limit: None,
            evals: vec![EvalReport {
                name: "m".into(),
                task: "score_match".into(),
                predictor: "p".into(),
                predictor_hash: "h".into(),
                data: "d".into(),
                cases: mae.len(),
                cases_digest: String::new(),
                failed: 0,
                failure_examples: Vec::new(),
                notes: Vec::new(),
                metrics: BTreeMap::from([("score_mae".to_string(), summary)]),
                thresholds: BTreeMap::from([("score_mae".to_string(), threshold)]),
                perturbations: Vec::new(),
                consistency: None,
                determinism: Some(Determinism {
                    checked: 2,
                    repeat_identical: true,
                    batch_identical: deterministic,
                }),
                fairness: None,
                latency: None,
                candidates_from: None,
            }],
            finished: None,
        }
    }

    #[test]
    fn lower_is_better_metrics_gate_on_a_rise_and_a_maximum() {
        let base = report(&[0.1; 40], 0.5, true);
        let checks = gate(&base, Some(&base));
        assert!(passed(&checks), "{checks:#?}");
        assert_eq!(checks.len(), 2, "metric and determinism");
        // The error rises on every case: a regression; a lower error is not.
        let worse = report(&[0.3; 40], 0.5, true);
        let regressed = &gate(&worse, Some(&base))[0];
        assert_eq!(regressed.status, Status::Regressed);
        // The interval is of value − baseline: +0.2 on every case.
        let (lo, hi) = regressed.difference_ci95.expect("paired");
        assert!(
            (lo - 0.2).abs() < 1e-9 && (hi - 0.2).abs() < 1e-9,
            "{lo} {hi}"
        );
        assert!(
            regressed.line().contains("[+0.2000, +0.2000]"),
            "{}",
            regressed.line()
        );
        assert_eq!(gate(&base, Some(&worse))[0].status, Status::Pass);
        // The threshold is a maximum.
        let over = report(&[0.3; 40], 0.2, true);
        let c = &gate(&over, None)[0];
        assert_eq!(c.status, Status::BelowThreshold);
        assert!(c.line().contains("FAIL above threshold"), "{}", c.line());
    }

    #[test]
    fn a_nondeterministic_entry_fails_the_gate() {
        let checks = gate(&report(&[0.1; 4], 0.5, false), None);
        let d = checks
            .iter()
            .find(|c| c.metric == "determinism")
            .expect("check");
        assert_eq!((d.status, d.value), (Status::Nondeterministic, 0.0));
        assert!(!passed(&checks));
    }
}
