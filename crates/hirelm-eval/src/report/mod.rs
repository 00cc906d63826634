//! Reports: the complete JSON record of a run ([`SuiteReport`]), a Markdown summary, JUnit XML and
//! a self-contained HTML page with SVG charts.

mod html;
mod junit;
mod markdown;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub(crate) use html::bar_chart;
pub use html::to_html;
pub use junit::to_junit;
pub use markdown::to_markdown;

pub use crate::metrics::fairness::Fairness;
use crate::perturb::{Expectation, Pack};
use crate::{EvalError, Result};

/// A metric over the cases of one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    /// Mean over cases.
    pub mean: f64,
    /// 95 % percentile-bootstrap interval of the mean.
    pub ci95: (f64, f64),
    /// The metric per case, in case order (the gate pairs on it).
    pub per_case: Vec<f64>,
}

/// Results under one perturbation pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackSummary {
    /// Pack name.
    pub pack: String,
    /// What the pack expects.
    pub expectation: Expectation,
    /// Metric means on the perturbed inputs (invariant packs; a case the pack does not apply to
    /// keeps its original answer).
    pub metrics: BTreeMap<String, f64>,
    /// Fraction of cases whose top answer is unchanged; for `score_match`, of applicable cases
    /// whose label is unchanged and score moved by at most 0.05 (invariant packs) or whose score
    /// did not move the forbidden way (directional packs). An invalid answer never agrees.
    pub agreement: f64,
    /// 1 − agreement.
    pub flip_rate: f64,
    /// Perturbed cases whose output was invalid.
    pub failed: usize,
    /// Cases the pack changed (structured packs; `None` for text packs, which apply to all).
    #[serde(default)]
    pub applicable: Option<usize>,
    /// Directional packs: share of applicable cases, both answers valid, whose score moved the
    /// forbidden way.
    #[serde(default)]
    pub violation_rate: Option<f64>,
    /// Structured packs: mean score(perturbed) − score(original) over applicable valid pairs.
    #[serde(default)]
    pub mean_score_delta: Option<f64>,
    /// Per case, whether its answer changed under the pack (`None` where the pack did not
    /// apply): what `flip_rate` averages, kept so that two predictors can be tested case by
    /// case on the same perturbations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub case_flips: Vec<Option<bool>>,
}

impl PackSummary {
    /// A pack's summary with the fields every runner fills (flip rate derived from agreement);
    /// structured runners add applicability, violations and score deltas.
    pub fn new(pack: Pack, metrics: BTreeMap<String, f64>, agreement: f64, failed: usize) -> Self {
        Self {
            pack: pack.name().to_string(),
            expectation: pack.expectation(),
            metrics,
            agreement,
            flip_rate: 1.0 - agreement,
            failed,
            applicable: None,
            violation_rate: None,
            mean_score_delta: None,
            case_flips: Vec::new(),
        }
    }
}

/// The determinism self-check of one entry: the first `checked` inputs answered one at a time
/// twice, and once as a batch; raw outputs compared byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Determinism {
    /// Inputs checked (at most 8).
    pub checked: usize,
    /// The two one-at-a-time passes gave identical outputs.
    pub repeat_identical: bool,
    /// The batch gave the same outputs as the first one-at-a-time pass.
    pub batch_identical: bool,
}

/// Consistency of one entry across all its packs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consistency {
    /// Mean over cases of the fraction of packs under which the top answer is unchanged.
    pub mean_case_agreement: f64,
    /// Fraction of (case, pack) pairs whose top answer changed.
    pub flip_rate: f64,
    /// acc@1 on the unperturbed inputs.
    pub accuracy: f64,
    /// Fraction of cases whose top answer is right on the original *and* every perturbation.
    pub worst_case_accuracy: f64,
    /// Scored tasks (`score_match`): mean over cases of max − min of the valid scores on the
    /// original and its invariant perturbations; `None` for unscored tasks.
    #[serde(default)]
    pub score_spread: Option<f64>,
}

impl Consistency {
    /// From the mean per-case agreement (the flip rate is its complement).
    pub fn new(mean_case_agreement: f64, accuracy: f64, worst_case_accuracy: f64) -> Self {
        Self {
            mean_case_agreement,
            flip_rate: 1.0 - mean_case_agreement,
            accuracy,
            worst_case_accuracy,
            score_spread: None,
        }
    }

    /// Over the cases some pack applied to: each case's share of its applicable packs under
    /// which the answer held; `None` when no pack applied to any case.
    pub fn over_applicable(
        agree: &[usize],
        applicable: &[usize],
        accuracy: f64,
        right_everywhere: &[bool],
    ) -> Option<Self> {
        let per_case: Vec<f64> = agree
            .iter()
            .zip(applicable)
            .filter(|(_, n)| **n > 0)
            .map(|(a, n)| *a as f64 / *n as f64)
            .collect();
        let n = right_everywhere.len().max(1) as f64;
        let worst = right_everywhere.iter().filter(|&&r| r).count() as f64 / n;
        crate::metrics::stats::mean(&per_case).map(|m| Self::new(m, accuracy, worst))
    }
}

/// Results of one suite entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Entry name.
    pub name: String,
    /// Task name.
    pub task: String,
    /// Predictor name.
    pub predictor: String,
    /// Predictor content hash.
    pub predictor_hash: String,
    /// Data file.
    pub data: String,
    /// Cases evaluated.
    pub cases: usize,
    /// Fingerprint of the cases in order ([`crate::runner::Prepared::digest`]; empty where the
    /// runner does not fill it, and in reports written before it existed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cases_digest: String,
    /// Cases whose output was invalid or whose predictor failed (scored 0).
    pub failed: usize,
    /// Up to 5 failure reasons.
    pub failure_examples: Vec<String>,
    /// Notes on the data (skipped rows, split sizes).
    pub notes: Vec<String>,
    /// Metrics on the unperturbed inputs.
    pub metrics: BTreeMap<String, MetricSummary>,
    /// Minimum acceptable means.
    pub thresholds: BTreeMap<String, f64>,
    /// Per-pack results.
    pub perturbations: Vec<PackSummary>,
    /// Consistency across packs; `None` without packs.
    pub consistency: Option<Consistency>,
    /// The determinism self-check (`None` in reports written before it existed).
    #[serde(default)]
    pub determinism: Option<Determinism>,
    /// Fairness under `name_swap`; `None` without that pack.
    #[serde(default)]
    pub fairness: Option<Fairness>,
    /// Wall and CPU time of the fresh (uncached) answers; `None` when every answer was cached.
    #[serde(default)]
    pub latency: Option<crate::timed::Latency>,
    /// The retriever whose candidates a language model reranked (retrieval tasks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates_from: Option<crate::runner::CandidateSource>,
}

/// Results of a suite run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteReport {
    /// Suite name.
    pub suite: String,
    /// Seed used.
    pub seed: u64,
    /// Gate significance level.
    pub significance: f64,
    /// Gate minimum drop.
    pub min_drop: f64,
    /// The cap on cases per entry of a quick run (`hirelm eval --limit`), which the headings
    /// of every report then state; `None` for a run of the whole suite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// The entries.
    pub evals: Vec<EvalReport>,
    /// When the run finished (UTC, `YYYY-MM-DDTHH:MMZ`), where the caller records it
    /// (`hirelm bench compare` does, for the entries `--resume` may reuse later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
}

impl SuiteReport {
    /// The line a report of a quick run carries under its heading.
    pub fn quick_run_note(&self) -> Option<String> {
        self.limit.map(|n| {
            format!("Quick run: at most {n} cases per entry (`--limit {n}`), not the whole suite.")
        })
    }
}

impl SuiteReport {
    /// Writes the report as pretty JSON.
    pub fn write_json(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| EvalError::io(dir, e))?;
        }
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| EvalError::config(path, e.to_string()))?;
        // Atomically: an interrupted run leaves the earlier report or none, never half of one
        // (`hirelm bench compare --resume` reuses these files).
        hirelm_core::fs::write_atomic(path, text.as_bytes()).map_err(|e| EvalError::io(path, e))
    }

    /// Reads a report (or stored baseline) written by [`write_json`](Self::write_json).
    pub fn read_json(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
        serde_json::from_str(&text)
            .map_err(|e| EvalError::parse(path, e.line(), "report", e.to_string()))
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for XML and HTML.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}
