//! The headline claim, row by row: on every entry both ran, the tuned model against the untuned
//! one (zero-shot, and few-shot when configured) on each quality metric and on the invariant
//! flip rate, and against the larger off-the-shelf model on quality and CPU cost. Each check
//! says better, tie or worse; nothing is thresholded, so a row that fails shows as failing.

use serde::{Deserialize, Serialize};

use super::{Bar, EntryResult};

/// How the tuned model's figure compares with the other's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Better in the metric's direction.
    Better,
    /// Equal (within 1e-9).
    Tie,
    /// Worse.
    Worse,
}

impl Outcome {
    fn of(tuned: f64, other: f64, higher_is_better: bool) -> Self {
        let diff = if higher_is_better {
            tuned - other
        } else {
            other - tuned
        };
        if diff.abs() < 1e-9 {
            Outcome::Tie
        } else if diff > 0.0 {
            Outcome::Better
        } else {
            Outcome::Worse
        }
    }

    /// A word for tables.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Better => "better",
            Outcome::Tie => "tie",
            Outcome::Worse => "worse",
        }
    }
}

/// One comparison of the tuned model with another predictor on one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarCheck {
    /// `suite/entry`.
    pub entry: String,
    /// The other predictor.
    pub versus: String,
    /// A metric name, `invariant flip rate` or `CPU $/1k tasks`.
    pub what: String,
    /// The tuned model's figure.
    pub tuned: f64,
    /// The other's figure.
    pub other: f64,
    /// How the tuned figure compares.
    pub outcome: Outcome,
    /// Whether the claim asks for strictly better (the untuned model) or better-or-equal
    /// (quality against the larger model).
    pub needs_strict: bool,
}

impl BarCheck {
    /// Whether this check supports the claim.
    pub fn holds(&self) -> bool {
        match self.outcome {
            Outcome::Better => true,
            Outcome::Tie => !self.needs_strict,
            Outcome::Worse => false,
        }
    }
}

/// All checks of the claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarVerdict {
    /// The configured bar.
    pub bar: Bar,
    /// Whether the larger model ran anywhere.
    pub larger_ran: bool,
    /// The checks, entry by entry.
    pub checks: Vec<BarCheck>,
}

impl BarVerdict {
    /// Checks that hold, and all checks.
    pub fn tally(&self) -> (usize, usize) {
        (
            self.checks.iter().filter(|c| c.holds()).count(),
            self.checks.len(),
        )
    }
}

/// Checks `bar` on `results`.
pub fn verdict(bar: &Bar, results: &[EntryResult]) -> BarVerdict {
    let find = |label: &str, predictor: &str| {
        results
            .iter()
            .find(|r| r.label() == label && r.predictor == predictor)
    };
    let mut checks = Vec::new();
    let labels = super::first_seen(
        results
            .iter()
            .filter(|r| r.predictor == bar.tuned)
            .map(EntryResult::label),
    );
    let mut larger_ran = false;
    for label in &labels {
        let Some(tuned) = find(label, &bar.tuned) else {
            continue;
        };
        let check =
            |versus: &str, what: &str, t: f64, o: f64, higher: bool, strict: bool| BarCheck {
                entry: label.clone(),
                versus: versus.to_string(),
                what: what.to_string(),
                tuned: t,
                other: o,
                outcome: Outcome::of(t, o, higher),
                needs_strict: strict,
            };
        for untuned in bar
            .untuned_predictors()
            .filter_map(|name| find(label, name))
        {
            for (metric, v) in &tuned.metrics {
                if let Some(o) = untuned.metric(metric) {
                    checks.push(check(
                        &untuned.predictor,
                        metric,
                        v.mean,
                        o,
                        v.higher_is_better,
                        true,
                    ));
                }
            }
            if let (Some(t), Some(o)) = (tuned.invariant_flip_rate, untuned.invariant_flip_rate) {
                checks.push(check(
                    &untuned.predictor,
                    "invariant flip rate",
                    t,
                    o,
                    false,
                    true,
                ));
            }
        }
        if let Some(larger) = bar.larger.as_deref().and_then(|l| find(label, l)) {
            larger_ran = true;
            for (metric, v) in &tuned.metrics {
                if let Some(o) = larger.metric(metric) {
                    checks.push(check(
                        &larger.predictor,
                        metric,
                        v.mean,
                        o,
                        v.higher_is_better,
                        false,
                    ));
                }
            }
            if let (Some(t), Some(o)) = (tuned.cpu_usd_per_1000, larger.cpu_usd_per_1000) {
                checks.push(check(
                    &larger.predictor,
                    "CPU $/1k tasks",
                    t,
                    o,
                    false,
                    true,
                ));
            }
        }
    }
    BarVerdict {
        bar: bar.clone(),
        larger_ran,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{CpuPrice, entry_result};

    #[test]
    fn checks_pair_the_same_entry_and_respect_each_metrics_direction() {
        let cpu = CpuPrice {
            cpu_core_hour_usd: 0.05,
            source: String::new(),
            date: String::new(),
        };
        let rows: Vec<EntryResult> = [
            ("tuned", 0.7, [0.1, 0.1]),
            ("base", 0.5, [0.2, 0.4]),
            ("big", 0.7, [0.0, 0.0]),
            ("base-3shot", 0.6, [0.0, 0.0]),
        ]
        .iter()
        .map(|(p, acc, flips)| {
            entry_result(
                "match",
                &crate::compare::tests::report(p, *acc, *flips),
                &cpu,
                &[],
            )
        })
        .collect();
        let bar = Bar {
            tuned: "tuned".into(),
            untuned: "base".into(),
            untuned_few_shot: None,
            larger: Some("big".into()),
        };
        let v = verdict(&bar, &rows);
        assert!(v.larger_ran);
        let get = |versus: &str, what: &str| {
            v.checks
                .iter()
                .find(|c| c.versus == versus && c.what == what)
                .expect(what)
                .clone()
        };
        assert_eq!(get("base", "accuracy").outcome, Outcome::Better);
        // Equal score errors: a tie, which does not beat the untuned model.
        let mae = get("base", "score_mae");
        assert_eq!((mae.outcome, mae.holds()), (Outcome::Tie, false));
        assert_eq!(get("base", "invariant flip rate").outcome, Outcome::Better);
        // Matching the larger model's quality is enough.
        assert!(get("big", "accuracy").holds());
        assert_eq!(
            Outcome::of(0.3, 0.2, false),
            Outcome::Worse,
            "a larger error is worse"
        );
        // The few-shot untuned model gets the same strict checks as the zero-shot one.
        let few_shot = verdict(
            &Bar {
                untuned_few_shot: Some("base-3shot".into()),
                ..bar.clone()
            },
            &rows,
        );
        let get_few = |what: &str| {
            few_shot
                .checks
                .iter()
                .find(|c| c.versus == "base-3shot" && c.what == what)
                .expect(what)
                .clone()
        };
        assert!(
            get_few("accuracy").holds(),
            "0.7 beats the few-shot model's 0.6"
        );
        let flips = get_few("invariant flip rate");
        assert!(
            flips.needs_strict && !flips.holds(),
            "more flips than the few-shot model"
        );
        let against_base = v.checks.iter().filter(|c| c.versus == "base").count();
        assert_eq!(
            few_shot.checks.len(),
            v.checks.len() + against_base,
            "every untuned check again, against the few-shot model"
        );
        let none = verdict(
            &Bar {
                larger: Some("absent".into()),
                ..bar
            },
            &rows,
        );
        assert!(!none.larger_ran);
    }
}
