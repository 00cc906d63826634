//! [`Timed`]: wall time and process CPU time of a predictor's fresh answers, for the latency and
//! cost columns of a report.
//!
//! The runner wraps the predictor *inside* the prediction cache, so cached answers are not timed
//! (a cache lookup says nothing about the model): a fully cached run reports no latency rather
//! than a fast one. Answers are timed one at a time.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use hirelm_core::Task;
use serde::{Deserialize, Serialize};

use crate::{Prediction, Predictor, Result, Usage};

/// What [`Timed`] measured: seconds per answer, CPU seconds of the whole process, and the
/// tokens of the answers that report them.
#[derive(Debug, Default)]
pub struct LatencyLog {
    samples: Mutex<Samples>,
}

#[derive(Debug, Default)]
struct Samples {
    seconds: Vec<f64>,
    cpu_s: f64,
    tokens: TokenTotals,
}

/// Sums of [`Usage`] over the answers that reported one, and the wall time they took.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct TokenTotals {
    /// Answers with a usage.
    pub answers: usize,
    /// Prompt tokens, summed.
    pub prompt: usize,
    /// Generated tokens, summed.
    pub completion: usize,
    /// Wall seconds of those answers, summed.
    pub seconds: f64,
}

impl LatencyLog {
    fn record(&self, answers: usize, wall: f64, cpu: f64, usage: &[Usage]) {
        if answers == 0 {
            return;
        }
        let mut guard = self
            .samples
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        guard
            .seconds
            .extend(std::iter::repeat_n(wall / answers as f64, answers));
        guard.cpu_s += cpu;
        let t = &mut guard.tokens;
        t.answers += usage.len();
        t.prompt += usage.iter().map(|u| u.prompt_tokens).sum::<usize>();
        t.completion += usage.iter().map(|u| u.completion_tokens).sum::<usize>();
        t.seconds += wall * usage.len() as f64 / answers as f64;
    }

    /// The summary of everything recorded; `None` when nothing was answered fresh.
    pub fn summary(&self) -> Option<Latency> {
        let guard = self
            .samples
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Latency::from_samples(&guard.seconds, guard.cpu_s).map(|l| l.with_tokens(guard.tokens))
    }
}

/// Latency and CPU cost of an entry's fresh answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Answers timed (cached ones are not).
    pub answers: usize,
    /// Median seconds per answer.
    pub p50_s: f64,
    /// 95th percentile (nearest rank) seconds per answer.
    pub p95_s: f64,
    /// Mean seconds per answer.
    pub mean_s: f64,
    /// Process CPU seconds (all threads) per 1,000 answers, from the kernel's 10 ms ticks (coarse
    /// for sub-millisecond baselines); `None` where the platform does not report CPU time.
    pub cpu_s_per_1000: Option<f64>,
    /// Mean prompt tokens per answer, for predictors that report token usage (language models).
    #[serde(default)]
    pub prompt_tokens_mean: Option<f64>,
    /// Mean generated tokens per answer.
    #[serde(default)]
    pub completion_tokens_mean: Option<f64>,
    /// Generated tokens per wall second, prompt processing included (end-to-end, as a caller
    /// sees it).
    #[serde(default)]
    pub tokens_per_s: Option<f64>,
    /// Answers whose tokens are counted: a failed answer (e.g. one that ran past its token
    /// budget) reports none, so the token means and API prices cover only these.
    #[serde(default)]
    pub answers_with_tokens: Option<usize>,
}

impl Latency {
    /// Summary of per-answer seconds and the CPU seconds they took.
    pub fn from_samples(samples: &[f64], cpu_s: f64) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank =
            |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        let n = sorted.len() as f64;
        Some(Self {
            answers: sorted.len(),
            p50_s: rank(0.5),
            p95_s: rank(0.95),
            mean_s: sorted.iter().sum::<f64>() / n,
            cpu_s_per_1000: process_cpu_seconds().map(|_| cpu_s / n * 1000.0),
            prompt_tokens_mean: None,
            completion_tokens_mean: None,
            tokens_per_s: None,
            answers_with_tokens: None,
        })
    }

    /// The same summary with the token figures of `totals` (unchanged when no answer reported
    /// tokens).
    pub fn with_tokens(self, totals: TokenTotals) -> Self {
        if totals.answers == 0 {
            return self;
        }
        let n = totals.answers as f64;
        Self {
            prompt_tokens_mean: Some(totals.prompt as f64 / n),
            completion_tokens_mean: Some(totals.completion as f64 / n),
            tokens_per_s: (totals.seconds > 0.0).then(|| totals.completion as f64 / totals.seconds),
            answers_with_tokens: Some(totals.answers),
            ..self
        }
    }
}

/// User plus system CPU seconds of this process so far (Linux `/proc/self/stat`).
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // The kernel reports in USER_HZ, 100 on every Linux platform Rust targets.
    Some(ticks / 100.0)
}

/// Wraps a predictor and records the time of every answer into a shared [`LatencyLog`].
pub struct Timed<'a> {
    inner: Box<dyn Predictor + 'a>,
    log: Arc<LatencyLog>,
}

impl std::fmt::Debug for Timed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timed")
            .field("inner", &self.inner.name())
            .finish()
    }
}

impl<'a> Timed<'a> {
    /// Times `inner` into `log`.
    pub fn new(inner: Box<dyn Predictor + 'a>, log: Arc<LatencyLog>) -> Self {
        Self { inner, log }
    }

    /// One answer, timed and recorded.
    fn time(&self, f: impl FnOnce() -> Result<Prediction>) -> Result<Prediction> {
        let (start, cpu) = (Instant::now(), process_cpu_seconds());
        let out = f();
        let wall = start.elapsed().as_secs_f64();
        let cpu = match (cpu, process_cpu_seconds()) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        };
        let usage: Vec<Usage> = out
            .as_ref()
            .ok()
            .and_then(|p| p.usage)
            .into_iter()
            .collect();
        self.log.record(1, wall, cpu, &usage);
        out
    }
}

impl Predictor for Timed<'_> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn content_hash(&self) -> String {
        self.inner.content_hash()
    }

    fn supports(&self, task: Task) -> bool {
        self.inner.supports(task)
    }

    fn predict(&self, task: Task, input: &serde_json::Value) -> Result<Prediction> {
        self.time(|| self.inner.predict(task, input))
    }

    fn predict_batch(&self, task: Task, inputs: &[serde_json::Value]) -> Vec<Result<Prediction>> {
        // One input at a time, so the percentiles are of single answers rather than of batch
        // means. Every predictor here answers one input at a time inside its batch anyway (a
        // padded batch would change its floats); the determinism self-check still exercises
        // the batched path. An empty batch (everything was a cache hit) records nothing.
        inputs
            .iter()
            .map(|input| self.time(|| self.inner.predict(task, input)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<f64> = (1..=20).map(f64::from).collect();
        let l = Latency::from_samples(&samples, 2.0).expect("samples");
        assert_eq!(
            (l.answers, l.p50_s, l.p95_s, l.mean_s),
            (20, 10.0, 19.0, 10.5)
        );
        if let Some(cpu) = l.cpu_s_per_1000 {
            assert!(
                (cpu - 100.0).abs() < 1e-9,
                "2 CPU seconds over 20 answers: {cpu}"
            );
        }
        assert_eq!(Latency::from_samples(&[], 1.0), None);
        assert_eq!(
            Latency::from_samples(&[0.25], 0.0).map(|l| (l.p50_s, l.p95_s)),
            Some((0.25, 0.25))
        );
    }

    #[test]
    fn a_batch_shares_its_time_and_nothing_is_recorded_for_no_answers() {
        let log = LatencyLog::default();
        log.record(4, 2.0, 0.0, &[]);
        log.record(0, 5.0, 0.0, &[]);
        let l = log.summary().expect("recorded");
        assert_eq!((l.answers, l.p50_s, l.p95_s), (4, 0.5, 0.5));
        assert_eq!(
            (l.prompt_tokens_mean, l.tokens_per_s),
            (None, None),
            "no answer reported tokens"
        );
        assert!(LatencyLog::default().summary().is_none());
    }

    #[test]
    fn token_rates_count_only_the_answers_that_report_usage() {
        let log = LatencyLog::default();
        let usage = |p, c| Usage {
            prompt_tokens: p,
            completion_tokens: c,
        };
        // A batch of 4 answers in 4 s, two of them with usage (1 s each): 30 tokens in 2 s.
        log.record(4, 4.0, 0.0, &[usage(100, 10), usage(300, 20)]);
        let l = log.summary().expect("recorded");
        assert_eq!(
            (
                l.prompt_tokens_mean,
                l.completion_tokens_mean,
                l.tokens_per_s
            ),
            (Some(200.0), Some(15.0), Some(15.0))
        );
    }
}
