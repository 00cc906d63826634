//! Learning-rate schedule: linear warmup, then cosine decay to a floor.

/// `peak` after `warmup` steps, decaying along a half cosine to `peak·min_ratio` at `total`.
pub fn warmup_cosine(step: usize, warmup: usize, total: usize, peak: f64, min_ratio: f64) -> f64 {
    if warmup > 0 && step < warmup {
        return peak * (step + 1) as f64 / warmup as f64;
    }
    let span = total.saturating_sub(warmup).max(1);
    let progress = ((step - warmup.min(step)) as f64 / span as f64).min(1.0);
    let floor = peak * min_ratio;
    floor + (peak - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warms_up_peaks_and_decays_to_the_floor() {
        assert!((warmup_cosine(0, 10, 110, 1.0, 0.1) - 0.1).abs() < 1e-12);
        assert!((warmup_cosine(9, 10, 110, 1.0, 0.1) - 1.0).abs() < 1e-12);
        assert!((warmup_cosine(10, 10, 110, 1.0, 0.1) - 1.0).abs() < 1e-12);
        assert!((warmup_cosine(60, 10, 110, 1.0, 0.1) - 0.55).abs() < 1e-12);
        assert!((warmup_cosine(110, 10, 110, 1.0, 0.1) - 0.1).abs() < 1e-12);
        assert!((warmup_cosine(500, 10, 110, 1.0, 0.1) - 0.1).abs() < 1e-12);
    }
}
