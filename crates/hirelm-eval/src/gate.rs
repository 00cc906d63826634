//! The regression gate: every metric against its threshold, and against a stored baseline with a
//! one-sided paired bootstrap over per-case scores (significance and minimum drop from the suite).

use serde::{Deserialize, Serialize};

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
    /// Outcome.
    pub status: Status,
}

impl Check {
    /// One readable line: `eval metric: value (baseline b, Δ d, p) threshold t → STATUS`.
    pub fn line(&self) -> String {
        let mut s = format!("{} {}: {:.4}", self.eval, self.metric, self.value);
        if let Some(b) = self.baseline {
            s.push_str(&format!(" (baseline {b:.4}, Δ {:+.4}", self.value - b));
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
            Status::BelowThreshold => "FAIL below threshold",
            Status::Regressed => "FAIL regressed",
        };
        format!("{s} → {status}")
    }
}

/// Checks `current` against its thresholds and, when given, a baseline.
pub fn gate(current: &SuiteReport, baseline: Option<&SuiteReport>) -> Vec<Check> {
    let mut checks = Vec::new();
    for e in &current.evals {
        let base = baseline.and_then(|b| b.evals.iter().find(|x| x.name == e.name));
        for (name, m) in &e.metrics {
            let threshold = e.thresholds.get(name).copied();
            let base_m = base.and_then(|b| b.metrics.get(name));
            let p_value = base_m.and_then(|b| {
                paired_drop_p_value(&b.per_case, &m.per_case, 2000, current.seed)
            });
            let drop = base_m.map_or(0.0, |b| b.mean - m.mean);
            let significant = match p_value {
                Some(p) => p < current.significance,
                // Case sets differ: no pairing, so only the size of the drop decides.
                None => base_m.is_some(),
            };
            let status = if threshold.is_some_and(|t| m.mean < t) {
                Status::BelowThreshold
            } else if significant && drop >= current.min_drop {
                Status::Regressed
            } else {
                Status::Pass
            };
            checks.push(Check { eval: e.name.clone(), metric: name.clone(), value: m.mean, threshold, baseline: base_m.map(|b| b.mean), p_value, status });
        }
    }
    checks
}

/// Whether every check passed.
pub fn passed(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.status == Status::Pass)
}
