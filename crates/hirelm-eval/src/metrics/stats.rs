//! Means and percentile-bootstrap confidence intervals (seeded, reproducible).

/// Mean of `values`; `None` when empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// A small deterministic generator (SplitMix64), so resamples are the same on every platform and
/// `rand` version.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform index below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Shuffles `items` in place (Fisher-Yates, last position first).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Means of `resamples` bootstrap resamples of `values`, sorted ascending.
pub fn bootstrap_means(values: &[f64], resamples: usize, seed: u64) -> Vec<f64> {
    if values.is_empty() {
        return Vec::new();
    }
    let mut rng = SplitMix64::new(seed);
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            (0..values.len())
                .map(|_| values[rng.below(values.len())])
                .sum::<f64>()
                / values.len() as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    means
}

/// Percentile bootstrap interval `(low, high)` of the mean at `level` (e.g. 0.95).
pub fn bootstrap_ci(values: &[f64], level: f64, resamples: usize, seed: u64) -> Option<(f64, f64)> {
    let means = bootstrap_means(values, resamples, seed);
    if means.is_empty() {
        return None;
    }
    Some(percentile_interval(&means, level))
}

/// The central `level` interval of sorted, non-empty `values` (nearest-rank percentiles).
pub(crate) fn percentile_interval(sorted: &[f64], level: f64) -> (f64, f64) {
    let tail = (1.0 - level) / 2.0;
    let at =
        |q: f64| sorted[((q * (sorted.len() - 1) as f64).round() as usize).min(sorted.len() - 1)];
    (at(tail), at(1.0 - tail))
}

/// Per-case `candidate − baseline`, with differences below 1e-9 (float noise of a JSON round
/// trip) as 0; `None` when the lengths differ or there are no cases.
pub(crate) fn paired_differences(baseline: &[f64], candidate: &[f64]) -> Option<Vec<f64>> {
    if baseline.len() != candidate.len() || baseline.is_empty() {
        return None;
    }
    Some(
        candidate
            .iter()
            .zip(baseline)
            .map(|(c, b)| if (c - b).abs() < 1e-9 { 0.0 } else { c - b })
            .collect(),
    )
}

/// Percentile bootstrap interval `(low, high)` at `level` of a statistic that is not a mean
/// (macro-F1, a ratio of rates): `stat` gets the resampled case indices (with repeats) and may
/// return `None` for a resample where it is undefined (skipped). `None` when `n` is 0 or every
/// resample is undefined.
pub fn bootstrap_ci_by(
    n: usize,
    level: f64,
    resamples: usize,
    seed: u64,
    stat: impl Fn(&[usize]) -> Option<f64>,
) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let mut rng = SplitMix64::new(seed);
    let mut idx = vec![0usize; n];
    let mut values: Vec<f64> = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for slot in idx.iter_mut() {
            *slot = rng.below(n);
        }
        values.extend(stat(&idx).filter(|v| v.is_finite()));
    }
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(percentile_interval(&values, level))
}

/// One-sided paired bootstrap p-value that `candidate` is *worse* than `baseline` on average:
/// the fraction of resamples of the per-case differences `candidate - baseline` whose mean is
/// `>= 0`. Small means a significant drop. Identical inputs give 1; differences below 1e-9
/// (float noise of a JSON round trip) count as 0.
pub fn paired_drop_p_value(
    baseline: &[f64],
    candidate: &[f64],
    resamples: usize,
    seed: u64,
) -> Option<f64> {
    let diffs = paired_differences(baseline, candidate)?;
    let means = bootstrap_means(&diffs, resamples, seed);
    Some(means.iter().filter(|&&m| m >= 0.0).count() as f64 / means.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_interval() {
        assert_eq!(mean(&[1.0, 2.0, 3.0]), Some(2.0));
        assert_eq!(mean(&[]), None);
        let v: Vec<f64> = (0..100).map(|i| f64::from(i % 2)).collect();
        let (lo, hi) = bootstrap_ci(&v, 0.95, 2000, 7).expect("ci");
        assert!(lo < 0.5 && hi > 0.5 && lo > 0.35 && hi < 0.65, "{lo} {hi}");
        assert_eq!(bootstrap_ci(&v, 0.95, 2000, 7), Some((lo, hi)), "seeded");
    }

    #[test]
    fn bootstrap_by_index_matches_the_mean_bootstrap() {
        let v: Vec<f64> = (0..50).map(|i| f64::from(i % 3 == 0)).collect();
        let by = bootstrap_ci_by(v.len(), 0.95, 500, 3, |idx| {
            Some(idx.iter().map(|&i| v[i]).sum::<f64>() / idx.len() as f64)
        });
        assert_eq!(
            by,
            bootstrap_ci(&v, 0.95, 500, 3),
            "same generator, same resamples"
        );
        assert_eq!(bootstrap_ci_by(0, 0.95, 10, 1, |_| Some(1.0)), None);
        assert_eq!(bootstrap_ci_by(5, 0.95, 10, 1, |_| None), None);
    }

    #[test]
    fn paired_bootstrap_flags_a_real_drop_only() {
        let base: Vec<f64> = (0..60).map(|i| f64::from(i % 3 != 0)).collect();
        assert_eq!(paired_drop_p_value(&base, &base, 1000, 1), Some(1.0));
        let noisy: Vec<f64> = base.iter().map(|v| v - 1e-15).collect();
        assert_eq!(
            paired_drop_p_value(&base, &noisy, 1000, 1),
            Some(1.0),
            "float noise is no drop"
        );
        let mut worse = base.clone();
        for v in worse.iter_mut().take(30) {
            *v = 0.0;
        }
        assert!(paired_drop_p_value(&base, &worse, 1000, 1).expect("p") < 0.01);
        let mut one = base.clone();
        one[1] = 0.0;
        assert!(paired_drop_p_value(&base, &one, 1000, 1).expect("p") > 0.05);
    }
}
