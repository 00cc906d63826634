//! `hirelm bench compare`: every predictor over every suite, one table of quality, consistency,
//! fairness, speed and cost, and a row-by-row check of the headline claim.
//!
//! The runs themselves are ordinary suite runs ([`crate::runner::run_suite`], one per suite
//! entry and predictor); this module turns their [`EvalReport`]s into a [`Comparison`]
//! (`compare.json`) and renders it ([`render`]: Markdown, the README block, HTML). Costs come
//! from measurements only: CPU seconds of fresh answers × the configured core-hour price, and the
//! language models' counted tokens × each hosted API's token prices. A predictor whose answers
//! were all cached has no latency, so its cost cells stay empty rather than showing a lookup's
//! speed.
//!
//! ```
//! use hirelm_eval::compare::{cpu_usd_per_1000, api_usd_per_1000};
//! // 7,200 CPU-seconds per 1,000 tasks at $0.05 per core-hour: $0.10 per 1,000 tasks.
//! assert!((cpu_usd_per_1000(7200.0, 0.05) - 0.10).abs() < 1e-12);
//! // 500 prompt + 100 generated tokens at $0.15 / $0.60 per million: $0.135 per 1,000 tasks.
//! assert!((api_usd_per_1000(500.0, 100.0, 0.15, 0.60) - 0.135).abs() < 1e-12);
//! ```

mod claim_junit;
mod claim_table;
pub mod config;
mod merge;
mod readme_block;
pub mod render;
pub mod routed;
mod table;
pub mod verdict;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use claim_junit::claim_junit;
pub use config::{ApiPrice, Bar, CompareConfig, CpuPrice, LmSpec, SuiteRun};
pub use merge::merge;
pub use routed::{Routed, RouterSpec, routed_rows};
pub use verdict::{BarCheck, BarVerdict, ClaimVerdict, Outcome, verdict};

use crate::metrics::Metric;
use crate::perturb::Expectation;
use crate::report::{EvalReport, PackSummary};
use crate::runner::CandidateSource;
use crate::timed::Latency;

/// One metric of one entry, original inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    /// Mean over cases.
    pub mean: f64,
    /// 95 % bootstrap interval.
    pub ci95: (f64, f64),
    /// Whether larger is better.
    pub higher_is_better: bool,
    /// The metric per case, in case order: what the claim's paired tests compare.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_case: Vec<f64>,
}

/// One suite entry answered by one predictor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryResult {
    /// Suite name.
    pub suite: String,
    /// Entry name.
    pub entry: String,
    /// Task.
    pub task: String,
    /// The data the cases came from (as the suite names it).
    #[serde(default)]
    pub data: String,
    /// The suite's seed (it draws the cases and the perturbations).
    #[serde(default)]
    pub seed: u64,
    /// Predictor.
    pub predictor: String,
    /// Cases.
    pub cases: usize,
    /// Fingerprint of the cases in order (empty in results written before it existed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cases_digest: String,
    /// Cases whose answer was invalid or failed.
    pub failed: usize,
    /// Metrics on the original inputs, in the suite's order.
    pub metrics: Vec<(String, MetricValue)>,
    /// Mean flip rate over the invariant packs (fairness swaps included).
    pub invariant_flip_rate: Option<f64>,
    /// Per (invariant pack, case) in pack then case order, whether the answer changed (`None`
    /// where the pack did not apply): the flip rate's paired test compares these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invariant_flips: Vec<Option<bool>>,
    /// Mean violation rate over the directional packs.
    pub directional_violation_rate: Option<f64>,
    /// Share of cases right on the original and every perturbation.
    pub worst_case_accuracy: Option<f64>,
    /// Mean max − min of a case's scores across its invariant perturbations (scored tasks).
    #[serde(default)]
    pub score_spread: Option<f64>,
    /// Adverse-impact ratio under `name_swap`, with its 95 % interval.
    pub adverse_impact_ratio: Option<(f64, Option<(f64, f64)>)>,
    /// Repeated and batched greedy answers were identical.
    pub deterministic: Option<bool>,
    /// Latency, CPU time and tokens of the fresh answers.
    pub latency: Option<Latency>,
    /// US dollars of CPU time per 1,000 answers.
    pub cpu_usd_per_1000: Option<f64>,
    /// US dollars per 1,000 answers at each hosted API's prices for the same tokens.
    pub api_usd_per_1000: BTreeMap<String, f64>,
    /// The retriever whose candidates a language model reranked (retrieval tasks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates_from: Option<CandidateSource>,
}

impl EntryResult {
    /// The entry's label in tables: `suite/entry`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.suite, self.entry)
    }

    /// The mean of `metric`, if the entry has it.
    pub fn metric(&self, metric: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|(m, _)| m == metric)
            .map(|(_, v)| v.mean)
    }
}

/// The whole comparison: what `compare.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Config name.
    pub name: String,
    /// When it ran (UTC).
    pub generated: String,
    /// The command that reproduces it.
    pub command: String,
    /// Machine, in words (cores, CPU model, OS).
    pub machine: String,
    /// Software versions.
    pub versions: String,
    /// CPU price used.
    pub cpu_price: CpuPrice,
    /// Hosted-API prices used.
    pub api_prices: Vec<ApiPrice>,
    /// Predictors, in column order.
    pub predictors: Vec<String>,
    /// Results, suite by suite, entry by entry, predictor by predictor.
    pub results: Vec<EntryResult>,
    /// Entries a predictor does not answer.
    pub skipped: Vec<String>,
    /// Entries whose run failed (missing data, a model that would not load), with the error.
    #[serde(default)]
    pub failed: Vec<String>,
    /// The headline claim, checked.
    pub bar: Option<BarVerdict>,
    /// Cases per entry were capped at this (`--limit`): a quick run, not the full suites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// The shipped system's column and what answers each task in it ([`routed`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routed: Option<Routed>,
    /// Entries whose report an earlier run of the same part wrote (`--resume`), with when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumed: Vec<String>,
}

impl Comparison {
    /// Adds the shipped system's rows (and column) for `routed`, replacing any it had.
    pub fn add_routed(&mut self, routed: Routed) {
        self.results.retain(|r| r.predictor != routed.name);
        let rows = routed_rows(&routed, &self.results);
        if !rows.is_empty() && !self.predictors.contains(&routed.name) {
            self.predictors.insert(0, routed.name.clone());
        }
        self.results.extend(rows);
        self.routed = Some(routed);
    }
}

/// US dollars of CPU time per 1,000 tasks.
pub fn cpu_usd_per_1000(cpu_s_per_1000: f64, core_hour_usd: f64) -> f64 {
    cpu_s_per_1000 / 3600.0 * core_hour_usd
}

/// US dollars per 1,000 tasks of `prompt` and `completion` tokens each, at per-million prices.
pub fn api_usd_per_1000(
    prompt: f64,
    completion: f64,
    input_per_mtok: f64,
    output_per_mtok: f64,
) -> f64 {
    1000.0 * (prompt * input_per_mtok + completion * output_per_mtok) / 1e6
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = values.collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Flip rate over every (case, invariant pack) pair the packs applied to: each pack weighted by
/// the cases it changed, so a pack that touched 2 cases counts less than one that touched 40.
fn weighted_flip_rate(report: &EvalReport) -> Option<f64> {
    let (mut flips, mut pairs) = (0.0, 0.0);
    for p in report
        .perturbations
        .iter()
        .filter(|p| p.expectation == Expectation::Invariant)
    {
        let n = p.applicable.unwrap_or(report.cases) as f64;
        flips += p.flip_rate * n;
        pairs += n;
    }
    (pairs > 0.0).then(|| flips / pairs)
}

/// Every invariant pack's per-case flips, pack after pack; empty unless every pack kept one
/// value per case (so that two predictors' lists line up).
fn invariant_flips(report: &EvalReport) -> Vec<Option<bool>> {
    let packs: Vec<&PackSummary> = report
        .perturbations
        .iter()
        .filter(|p| p.expectation == Expectation::Invariant)
        .collect();
    if packs.iter().any(|p| p.case_flips.len() != report.cases) {
        return Vec::new();
    }
    packs
        .iter()
        .flat_map(|p| p.case_flips.iter().copied())
        .collect()
}

/// The comparison row of one entry's report.
pub fn entry_result(
    suite: &str,
    report: &EvalReport,
    cpu: &CpuPrice,
    apis: &[ApiPrice],
) -> EntryResult {
    let metrics = report
        .metrics
        .iter()
        .map(|(name, m)| {
            let higher_is_better = Metric::parse(name).map_or(true, Metric::higher_is_better);
            (
                name.clone(),
                MetricValue {
                    mean: m.mean,
                    ci95: m.ci95,
                    higher_is_better,
                    per_case: m.per_case.clone(),
                },
            )
        })
        .collect();
    let packs = |e: Expectation| {
        report
            .perturbations
            .iter()
            .filter(move |p| p.expectation == e)
    };
    let latency = report.latency.clone();
    let cpu_usd = latency
        .as_ref()
        .and_then(|l| l.cpu_s_per_1000)
        .map(|s| cpu_usd_per_1000(s, cpu.cpu_core_hour_usd));
    let api_usd_per_1000 = match latency
        .as_ref()
        .and_then(|l| l.prompt_tokens_mean.zip(l.completion_tokens_mean))
    {
        Some((p, c)) => apis
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    api_usd_per_1000(p, c, a.input_usd_per_mtok, a.output_usd_per_mtok),
                )
            })
            .collect(),
        None => BTreeMap::new(),
    };
    EntryResult {
        suite: suite.to_string(),
        entry: report.name.clone(),
        task: report.task.clone(),
        data: report.data.clone(),
        seed: 0,
        predictor: report.predictor.clone(),
        cases: report.cases,
        cases_digest: report.cases_digest.clone(),
        failed: report.failed,
        metrics,
        invariant_flip_rate: weighted_flip_rate(report),
        invariant_flips: invariant_flips(report),
        directional_violation_rate: mean(
            packs(Expectation::Directional).filter_map(|p| p.violation_rate),
        ),
        worst_case_accuracy: report.consistency.as_ref().map(|c| c.worst_case_accuracy),
        score_spread: report.consistency.as_ref().and_then(|c| c.score_spread),
        adverse_impact_ratio: report
            .fairness
            .as_ref()
            .and_then(|f| f.adverse_impact_ratio.map(|r| (r, f.adverse_impact_ci95))),
        deterministic: report
            .determinism
            .as_ref()
            .map(|d| d.repeat_identical && d.batch_identical),
        latency,
        cpu_usd_per_1000: cpu_usd,
        api_usd_per_1000,
        candidates_from: report.candidates_from,
    }
}

/// Predictors in first-seen order over the config's suites.
pub fn predictor_columns(config: &CompareConfig) -> Vec<String> {
    first_seen(
        config
            .suite
            .iter()
            .flat_map(|s| s.predictors.iter().cloned()),
    )
}

/// `items` without repeats, each where it first appears (tables keep the config's order).
pub(crate) fn first_seen<T: PartialEq>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests;
