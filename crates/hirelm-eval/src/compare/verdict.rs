//! The headline claim, row by row: on every entry both ran, the tuned model against the untuned
//! one (zero-shot, and few-shot when configured) on each quality metric and on the invariant
//! flip rate, and against the larger off-the-shelf model on quality and CPU cost.
//!
//! Each check is a paired test on the same cases ([`paired_test`]: McNemar's exact test for
//! per-case right/wrong and flipped/kept, a bootstrap interval of the mean difference for
//! continuous metrics), so a difference within the noise of a 60-case suite is `undecided`
//! rather than a win. A check against the untuned model holds only when the tuned model is
//! significantly better; one against the larger model (parity) holds unless it is
//! significantly worse. Figures measured once rather than per case (CPU cost) compare as they
//! are.

use serde::{Deserialize, Serialize};

use super::{Bar, EntryResult};
use crate::metrics::paired::{PairedTest, Verdict, paired_test};

/// Confidence level of the claim's tests.
pub const LEVEL: f64 = 0.95;
/// Bootstrap resamples of the claim's intervals.
pub const RESAMPLES: usize = 10_000;
/// Seed of the resampling: a comparison's verdicts are reproducible.
pub const SEED: u64 = 17;

/// What one check says about the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimVerdict {
    /// The evidence supports it.
    Holds,
    /// The evidence goes against it.
    DoesNotHold,
    /// The cases cannot tell (the difference is within the test's noise).
    Undecided,
}

impl ClaimVerdict {
    /// A phrase for tables.
    pub fn word(self) -> &'static str {
        match self {
            ClaimVerdict::Holds => "holds",
            ClaimVerdict::DoesNotHold => "does not hold",
            ClaimVerdict::Undecided => "undecided",
        }
    }
}

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
    /// The paired test of the tuned model (candidate) against the other (baseline) on the same
    /// cases; absent for figures that are not per case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<PairedTest>,
}

impl BarCheck {
    /// What this check says: from the paired test where there is one. Without one (a metric
    /// that is not a mean over cases, such as macro F1, or entries whose cases differ) a higher
    /// figure is not shown to be better, so a strict check is undecided unless the figure is
    /// worse; the cost check, a measurement rather than a sample of cases, goes by its figures.
    pub fn verdict(&self) -> ClaimVerdict {
        let by_figures = self.what == COST_CHECK || !self.needs_strict;
        match (self.test.map(|t| t.verdict), self.needs_strict) {
            (Some(Verdict::Better), _) => ClaimVerdict::Holds,
            (Some(Verdict::Worse), _) => ClaimVerdict::DoesNotHold,
            (Some(Verdict::Undecided), true) => ClaimVerdict::Undecided,
            (Some(Verdict::Undecided), false) => ClaimVerdict::Holds,
            (None, strict) => match self.outcome {
                Outcome::Better if by_figures => ClaimVerdict::Holds,
                Outcome::Better => ClaimVerdict::Undecided,
                Outcome::Tie if !strict => ClaimVerdict::Holds,
                _ => ClaimVerdict::DoesNotHold,
            },
        }
    }

    /// Whether this check supports the claim.
    pub fn holds(&self) -> bool {
        self.verdict() == ClaimVerdict::Holds
    }
}

/// The `what` of the check of CPU cost per 1,000 tasks against the larger model.
pub const COST_CHECK: &str = "CPU $/1k tasks";

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

    /// Checks that hold, do not hold, and are undecided.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |v: ClaimVerdict| self.checks.iter().filter(|c| c.verdict() == v).count();
        (
            count(ClaimVerdict::Holds),
            count(ClaimVerdict::DoesNotHold),
            count(ClaimVerdict::Undecided),
        )
    }

    /// Whether the claim holds: some check ran and every one holds.
    pub fn claim_holds(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(BarCheck::holds)
    }
}

/// The paired test of two per-case lists, `None` when either is missing or they differ in
/// length (entries that ran on different cases are not compared case by case).
fn test_cases(tuned: &[f64], other: &[f64], higher_is_better: bool) -> Option<PairedTest> {
    if tuned.is_empty() || tuned.len() != other.len() {
        return None;
    }
    paired_test(other, tuned, higher_is_better, LEVEL, RESAMPLES, SEED)
}

/// Flips (1) and kept answers (0) of the (pack, case) pairs both entries were perturbed on.
fn paired_flips(tuned: &[Option<bool>], other: &[Option<bool>]) -> (Vec<f64>, Vec<f64>) {
    if tuned.len() != other.len() {
        return (Vec::new(), Vec::new());
    }
    tuned
        .iter()
        .zip(other)
        .filter_map(|(t, o)| Some((f64::from(u8::from((*t)?)), f64::from(u8::from((*o)?)))))
        .unzip()
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
        let check = |versus: &str,
                     what: &str,
                     (t, o): (f64, f64),
                     higher: bool,
                     strict: bool,
                     test: Option<PairedTest>| BarCheck {
            entry: label.clone(),
            versus: versus.to_string(),
            what: what.to_string(),
            tuned: t,
            other: o,
            outcome: Outcome::of(t, o, higher),
            needs_strict: strict,
            test,
        };
        for untuned in bar
            .untuned_predictors()
            .filter_map(|name| find(label, name))
        {
            checks.extend(metric_checks(tuned, untuned, true, &check));
            if let (Some(t), Some(o)) = (tuned.invariant_flip_rate, untuned.invariant_flip_rate) {
                let (tf, of) = paired_flips(&tuned.invariant_flips, &untuned.invariant_flips);
                checks.push(check(
                    &untuned.predictor,
                    "invariant flip rate",
                    (t, o),
                    false,
                    true,
                    test_cases(&tf, &of, false),
                ));
            }
        }
        if let Some(larger) = bar.larger.as_deref().and_then(|l| find(label, l)) {
            larger_ran = true;
            checks.extend(metric_checks(tuned, larger, false, &check));
            if let (Some(t), Some(o)) = (tuned.cpu_usd_per_1000, larger.cpu_usd_per_1000) {
                checks.push(check(
                    &larger.predictor,
                    COST_CHECK,
                    (t, o),
                    false,
                    true,
                    None,
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

/// Builds a check of one entry: (versus, what, (tuned, other), higher is better, strict, test).
type MakeCheck<'a> =
    dyn Fn(&str, &str, (f64, f64), bool, bool, Option<PairedTest>) -> BarCheck + 'a;

/// One check per quality metric both entries have, each with its paired test.
fn metric_checks(
    tuned: &EntryResult,
    other: &EntryResult,
    strict: bool,
    check: &MakeCheck<'_>,
) -> Vec<BarCheck> {
    tuned
        .metrics
        .iter()
        .filter_map(|(metric, t)| {
            let (_, o) = other.metrics.iter().find(|(m, _)| m == metric)?;
            let test = test_cases(&t.per_case, &o.per_case, t.higher_is_better);
            Some(check(
                &other.predictor,
                metric,
                (t.mean, o.mean),
                t.higher_is_better,
                strict,
                test,
            ))
        })
        .collect()
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
        assert_eq!(
            get_few("accuracy").verdict(),
            ClaimVerdict::Undecided,
            "0.7 against the few-shot model's 0.6, without per-case values to test it"
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
