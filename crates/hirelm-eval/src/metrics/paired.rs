//! Paired comparisons of two predictors on the same cases: a bootstrap interval of the mean
//! per-case difference for continuous metrics, and McNemar's exact test for per-case
//! correctness. A difference counts as real only when it is significant in its direction.

use serde::{Deserialize, Serialize};

use super::stats::{bootstrap_means, paired_differences, percentile_interval};

/// Whether a candidate beats a baseline, judged on paired per-case values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significantly better in the metric's direction.
    Better,
    /// Significantly worse.
    Worse,
    /// Not distinguishable at the chosen level.
    Undecided,
}

impl Verdict {
    /// A word for tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Undecided => "undecided",
        }
    }
}

/// The paired difference `candidate − baseline` of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedDifference {
    /// Cases compared.
    pub cases: usize,
    /// Mean of the per-case differences.
    pub mean: f64,
    /// Percentile-bootstrap interval of that mean at the requested level.
    pub ci: (f64, f64),
    /// Two-sided bootstrap p-value of "no difference" (twice the smaller tail at zero).
    pub p_value: f64,
    /// Better when the interval lies wholly on the good side of zero, worse on the bad side.
    pub verdict: Verdict,
}

/// Paired bootstrap of `candidate − baseline` (same cases, same order). `higher_is_better`
/// says which side is good. `None` when the lengths differ or there are no cases.
pub fn paired_difference(
    baseline: &[f64],
    candidate: &[f64],
    higher_is_better: bool,
    level: f64,
    resamples: usize,
    seed: u64,
) -> Option<PairedDifference> {
    let diffs = paired_differences(baseline, candidate)?;
    let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
    // Sorted, as bootstrap_means returns them.
    let means = bootstrap_means(&diffs, resamples, seed);
    let ci = percentile_interval(&means, level);
    let share = |f: &dyn Fn(f64) -> bool| {
        means.iter().filter(|m| f(**m)).count() as f64 / means.len() as f64
    };
    let p_value = if diffs.iter().all(|d| *d == 0.0) {
        1.0
    } else {
        (2.0 * share(&|m| m <= 0.0).min(share(&|m| m >= 0.0))).min(1.0)
    };
    let (good, bad) = if higher_is_better {
        (ci.0 > 0.0, ci.1 < 0.0)
    } else {
        (ci.1 < 0.0, ci.0 > 0.0)
    };
    let verdict = if good {
        Verdict::Better
    } else if bad {
        Verdict::Worse
    } else {
        Verdict::Undecided
    };
    Some(PairedDifference {
        cases: diffs.len(),
        mean,
        ci,
        p_value,
        verdict,
    })
}

/// How a [`PairedTest`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestMethod {
    /// The percentile-bootstrap interval of the mean difference excludes zero (continuous).
    Bootstrap,
    /// McNemar's exact test on the discordant cases (per-case right or wrong, flipped or not).
    McNemar,
}

/// A paired comparison of one metric: the difference with its bootstrap interval, and the
/// verdict of the test that fits the metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedTest {
    /// The bootstrap of the mean per-case difference (candidate − baseline).
    pub difference: PairedDifference,
    /// The test that gave the verdict.
    pub method: TestMethod,
    /// Its two-sided p-value.
    pub p_value: f64,
    /// Better or worse (for the candidate) only when significant at the level asked for.
    pub verdict: Verdict,
}

/// The paired test of a metric: McNemar's exact test when every per-case value of both sides
/// is 0 or 1 (correctness, a flip), else the bootstrap interval of the mean difference.
/// `None` when the lengths differ or there are no cases.
pub fn paired_test(
    baseline: &[f64],
    candidate: &[f64],
    higher_is_better: bool,
    level: f64,
    resamples: usize,
    seed: u64,
) -> Option<PairedTest> {
    let difference = paired_difference(
        baseline,
        candidate,
        higher_is_better,
        level,
        resamples,
        seed,
    )?;
    let binary = |v: &[f64]| v.iter().all(|x| *x == 0.0 || *x == 1.0);
    if !(binary(baseline) && binary(candidate)) {
        return Some(PairedTest {
            difference,
            method: TestMethod::Bootstrap,
            p_value: difference.p_value,
            verdict: difference.verdict,
        });
    }
    let only = |x: &[f64], y: &[f64]| x.iter().zip(y).filter(|(a, b)| **a > **b).count();
    let p_value = mcnemar_exact(only(candidate, baseline), only(baseline, candidate));
    let gained = if higher_is_better {
        difference.mean > 0.0
    } else {
        difference.mean < 0.0
    };
    let verdict = match (p_value < 1.0 - level, gained) {
        (false, _) => Verdict::Undecided,
        (true, true) => Verdict::Better,
        (true, false) => Verdict::Worse,
    };
    Some(PairedTest {
        difference,
        method: TestMethod::McNemar,
        p_value,
        verdict,
    })
}

/// McNemar's exact test on per-case correctness: `only_candidate` cases the candidate gets
/// right and the baseline wrong, `only_baseline` the reverse. Returns the two-sided p-value of
/// the binomial test that both kinds of disagreement are equally likely.
pub fn mcnemar_exact(only_candidate: usize, only_baseline: usize) -> f64 {
    let n = only_candidate + only_baseline;
    if n == 0 {
        return 1.0;
    }
    let k = only_candidate.min(only_baseline);
    // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n stays finite.
    let ln_half_n = n as f64 * 0.5f64.ln();
    let mut ln_choose = 0.0f64; // ln C(n, 0)
    let mut tail = 0.0f64;
    for i in 0..=k {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        tail += (ln_choose + ln_half_n).exp();
    }
    (2.0 * tail).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_gain_is_better_and_noise_is_undecided() {
        let base: Vec<f64> = (0..200).map(|i| f64::from(i % 2)).collect();
        let gain: Vec<f64> = base
            .iter()
            .enumerate()
            .map(|(i, v)| if i % 4 == 0 { 1.0 } else { *v })
            .collect();
        let d = paired_difference(&base, &gain, true, 0.95, 2000, 1).expect("diff");
        assert_eq!(d.verdict, Verdict::Better);
        assert!(
            (d.mean - 0.25).abs() < 1e-12 && d.ci.0 > 0.0 && d.p_value < 0.01,
            "{d:?}"
        );
        // The same gain on a lower-is-better metric is a loss.
        assert_eq!(
            paired_difference(&base, &gain, false, 0.95, 2000, 1)
                .expect("diff")
                .verdict,
            Verdict::Worse
        );
        // Two swaps in opposite directions: nothing to tell apart.
        let mut swapped = base.clone();
        swapped.swap(0, 1);
        let d = paired_difference(&base, &swapped, true, 0.95, 2000, 1).expect("diff");
        assert_eq!(d.verdict, Verdict::Undecided);
        assert_eq!(
            paired_difference(&base, &base, true, 0.95, 100, 1)
                .expect("same")
                .p_value,
            1.0
        );
        assert!(paired_difference(&base, &base[1..], true, 0.95, 100, 1).is_none());
    }

    #[test]
    fn binary_values_are_tested_by_mcnemar_and_the_direction_follows_the_metric() {
        // 12 cases the candidate alone gets right, 1 the baseline alone: p = 2·14/8192.
        let base: Vec<f64> = (0..40).map(|i| f64::from(u8::from(i < 11))).collect();
        let mut cand = vec![0.0; 40];
        cand[1..11].fill(1.0);
        cand[11..23].fill(1.0);
        let t = paired_test(&base, &cand, true, 0.95, 1000, 3).expect("test");
        assert_eq!(t.method, TestMethod::McNemar);
        assert!((t.p_value - mcnemar_exact(12, 1)).abs() < 1e-15, "{t:?}");
        assert_eq!(t.verdict, Verdict::Better);
        // The same values as flips (lower is better): the candidate flips more, so worse.
        let flips = paired_test(&base, &cand, false, 0.95, 1000, 3).expect("test");
        assert_eq!(flips.verdict, Verdict::Worse);
        // Continuous values go to the bootstrap.
        let scores: Vec<f64> = base.iter().map(|v| v * 0.5 + 0.25).collect();
        let t = paired_test(&scores, &cand, true, 0.95, 1000, 3).expect("test");
        assert_eq!(t.method, TestMethod::Bootstrap);
        assert_eq!(t.p_value, t.difference.p_value);
    }

    #[test]
    fn mcnemar_matches_the_binomial() {
        // 10 disagreements, all one way: p = 2 · 0.5^10.
        assert!((mcnemar_exact(10, 0) - 2.0 * 0.5f64.powi(10)).abs() < 1e-15);
        // 6 vs 4: P(X <= 4) for n = 10 is 386/1024; two-sided 0.754.
        assert!((mcnemar_exact(6, 4) - 2.0 * 386.0 / 1024.0).abs() < 1e-12);
        assert_eq!(mcnemar_exact(5, 5), 1.0);
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        assert!(mcnemar_exact(600, 400) < 1e-9 && mcnemar_exact(600, 400) > 0.0);
    }
}
