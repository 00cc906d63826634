//! Suites: `eval/*.toml` files declaring what to evaluate.
//!
//! ```toml
//! name = "ci"
//! seed = 17              # seeds perturbations, bootstrap and splits
//! significance = 0.05    # one-sided paired-bootstrap level of the regression gate
//! min_drop = 0.01        # a significant drop smaller than this is not a regression
//! min_cases = 200        # optional: refuse an entry, or a pack of it, that measures fewer cases
//!
//! [[eval]]
//! name = "tech-bm25"
//! task = "extract_skills"
//! format = "skill_benchmark_csv"   # or "skillskape_csv", "jobbert_titles", "skillspan_json" (below)
//! data = "../shared/data/skill-extraction-benchmark/tech_validation_annotations.csv"
//! labels = "../shared/data/skill-extraction-benchmark/skills_en_label.txt"
//! predictor = "bm25"               # see runner::PREDICTORS
//! metrics = ["rp@5", "rp@10", "mrr", "acc@1"]
//! perturbations = ["casing", "markdown"]
//! thresholds = { "rp@5" = 0.05 }
//!
//! [[eval]]
//! name = "match"
//! task = "score_match"
//! format = "hirelm_parquet"        # a curated dataset file; rows of other tasks are skipped
//! data = "datasets/hirelm-v2/test.parquet"
//! predictor = "rule-matcher"       # or smollm2-lora / smollm2-base from the CLI
//! metrics = ["accuracy", "macro_f1", "score_mae"]
//! perturbations = ["name_swap", "add_required_skill", "remove_required_skill", "reorder_fields"]
//! thresholds = { "accuracy" = 0.5, "score_mae" = 0.2 }   # score_mae: a maximum
//! limit = 40
//! ```
//!
//! A `skillspan_json` entry (task extract_skills) scores span tagging on SkillSpan with the
//! `span_f1*` metrics; its predictor `span-lexicon` is fitted on `train` (SkillSpan's training
//! split), and it takes no packs.
//!
//! Metrics and packs must fit the task (ranked metrics and text packs for extract_skills and
//! normalise_title; match metrics and structured packs for score_match; for the other curated
//! tasks the metrics of `metrics::tasks` and the packs `perturb::structured` defines for their
//! shapes, see `eval/tasks.toml`), and the curated tasks read only the `hirelm_parquet` format:
//! a mismatch is an error naming the entry.
//!
//! Relative paths resolve against the current directory (run from the repository root); a path
//! starting with `$SHARED/` resolves against [`crate::corpus::shared_data_dir`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hirelm_core::Task;
use serde::Deserialize;

use crate::metrics::Metric;
use crate::perturb::Pack;
use crate::{EvalError, Result};

/// Data formats a suite entry can point to.
pub const FORMATS: [&str; 5] = [
    "skill_benchmark_csv",
    "skillskape_csv",
    "jobbert_titles",
    "hirelm_parquet",
    "skillspan_json",
];

/// A suite file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    name: String,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default = "default_significance")]
    significance: f64,
    #[serde(default = "default_min_drop")]
    min_drop: f64,
    min_cases: Option<usize>,
    #[serde(rename = "eval")]
    evals: Vec<EvalFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalFile {
    name: String,
    task: String,
    format: String,
    data: String,
    labels: Option<String>,
    train: Option<String>,
    predictor: String,
    metrics: Vec<String>,
    #[serde(default)]
    perturbations: Vec<String>,
    #[serde(default)]
    thresholds: BTreeMap<String, f64>,
    #[serde(default = "default_heldout")]
    heldout_percent: u64,
    limit: Option<usize>,
}

fn default_seed() -> u64 {
    17
}
fn default_significance() -> f64 {
    0.05
}
fn default_min_drop() -> f64 {
    0.01
}
fn default_heldout() -> u64 {
    10
}

/// A checked suite.
#[derive(Debug, Clone)]
pub struct Suite {
    /// Suite name.
    pub name: String,
    /// The file it came from.
    pub path: PathBuf,
    /// Seed of perturbations, bootstrap and splits.
    pub seed: u64,
    /// Significance level of the gate's paired bootstrap.
    pub significance: f64,
    /// Smallest mean drop that counts as a regression when significant.
    pub min_drop: f64,
    /// The fewest cases an entry, and each of its packs, may measure
    /// ([`crate::runner::check_min_cases`]); `None`: no floor.
    pub min_cases: Option<usize>,
    /// The entries.
    pub evals: Vec<EvalSpec>,
}

impl Suite {
    /// Lowers every entry's case limit to `cap`: a quick run (`--limit`), which lifts the
    /// suite's `min_cases` floor.
    pub fn cap_limit(&mut self, cap: Option<usize>) {
        if cap.is_some() {
            self.min_cases = None;
        }
        for spec in &mut self.evals {
            spec.cap_limit(cap);
        }
    }
}

/// One checked suite entry.
#[derive(Debug, Clone)]
pub struct EvalSpec {
    /// Entry name, unique in the suite.
    pub name: String,
    /// The task.
    pub task: Task,
    /// One of [`FORMATS`].
    pub format: String,
    /// The data file.
    pub data: PathBuf,
    /// The ESCO label list (`extract_skills`).
    pub labels: Option<PathBuf>,
    /// The data a learned baseline is fitted on (`skillspan_json`: SkillSpan's training split).
    pub train: Option<PathBuf>,
    /// Predictor name.
    pub predictor: String,
    /// Metrics reported.
    pub metrics: Vec<Metric>,
    /// Perturbation packs run.
    pub packs: Vec<Pack>,
    /// Minimum acceptable mean per metric.
    pub thresholds: BTreeMap<Metric, f64>,
    /// Percent of titles held out (`jobbert_titles`).
    pub heldout_percent: u64,
    /// Evaluate only the first N cases.
    pub limit: Option<usize>,
}

impl EvalSpec {
    /// Lowers the entry's case limit to `cap` when that is smaller (a run-wide `--limit`).
    pub fn cap_limit(&mut self, cap: Option<usize>) {
        self.limit = [self.limit, cap].into_iter().flatten().min();
    }
}

/// Whether `task` is evaluated only on curated dataset files (`hirelm_parquet`): every task but
/// the two text tasks with public benchmarks.
pub fn is_curated_only(task: Task) -> bool {
    !matches!(task, Task::ExtractSkills | Task::NormaliseTitle)
}

fn resolve(path: &str) -> PathBuf {
    match path.strip_prefix("$SHARED/") {
        Some(rest) => crate::corpus::shared_data_dir().join(rest),
        None => PathBuf::from(path),
    }
}

impl Suite {
    /// Reads and checks a suite file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses and checks suite text; `path` is for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let file: SuiteFile =
            toml::from_str(text).map_err(|e| EvalError::config(path, e.to_string()))?;
        let ctx = |name: &str, e: EvalError| EvalError::config(path, format!("eval `{name}`: {e}"));
        let mut evals = Vec::new();
        for e in file.evals {
            let task: Task = e.task.parse().map_err(|err: hirelm_core::CoreError| {
                EvalError::config(path, format!("eval `{}`: {err}", e.name))
            })?;
            if !FORMATS.contains(&e.format.as_str()) {
                return Err(ctx(
                    &e.name,
                    EvalError::unknown("format", &e.format, &FORMATS),
                ));
            }
            if is_curated_only(task) != (e.format == "hirelm_parquet") {
                return Err(EvalError::config(
                    path,
                    format!(
                        "eval `{}`: task `{task}` cannot read format `{}` (score_match, rank_candidates, evaluate_candidate, draft_job_post and schedule_interview read hirelm_parquet, and only they do so far)",
                        e.name, e.format
                    ),
                ));
            }
            let metrics = e
                .metrics
                .iter()
                .map(|m| Metric::parse(m))
                .collect::<Result<Vec<_>>>()
                .map_err(|err| ctx(&e.name, err))?;
            let packs = e
                .perturbations
                .iter()
                .map(|p| Pack::parse(p))
                .collect::<Result<Vec<_>>>()
                .map_err(|err| ctx(&e.name, err))?;
            if let Some(m) = metrics.iter().find(|m| !m.fits(task)) {
                return Err(EvalError::config(
                    path,
                    format!(
                        "eval `{}`: metric `{}` does not score task `{task}`",
                        e.name,
                        m.name()
                    ),
                ));
            }
            let spans = e.format == "skillspan_json";
            if let Some(m) = metrics.iter().find(|m| Metric::SPAN.contains(m) != spans) {
                return Err(EvalError::config(
                    path,
                    format!(
                        "eval `{}`: metric `{}` {} format skillspan_json",
                        e.name,
                        m.name(),
                        if spans { "does not score" } else { "needs" }
                    ),
                ));
            }
            if spans && !packs.is_empty() {
                return Err(EvalError::config(
                    path,
                    format!(
                        "eval `{}`: skillspan_json takes no perturbation packs (perturbed text loses its token alignment with the gold tags)",
                        e.name
                    ),
                ));
            }
            if let Some(p) = packs.iter().find(|p| !p.fits(task)) {
                return Err(EvalError::config(
                    path,
                    format!(
                        "eval `{}`: perturbation pack `{}` does not apply to task `{task}` inputs",
                        e.name,
                        p.name()
                    ),
                ));
            }
            let mut thresholds = BTreeMap::new();
            for (m, v) in &e.thresholds {
                thresholds.insert(Metric::parse(m).map_err(|err| ctx(&e.name, err))?, *v);
            }
            if evals.iter().any(|x: &EvalSpec| x.name == e.name) {
                return Err(EvalError::config(
                    path,
                    format!("eval name `{}` used twice", e.name),
                ));
            }
            evals.push(EvalSpec {
                name: e.name,
                task,
                format: e.format,
                data: resolve(&e.data),
                labels: e.labels.as_deref().map(resolve),
                train: e.train.as_deref().map(resolve),
                predictor: e.predictor,
                metrics,
                packs,
                thresholds,
                heldout_percent: e.heldout_percent.clamp(1, 99),
                limit: e.limit,
            });
        }
        if evals.is_empty() {
            return Err(EvalError::config(path, "no [[eval]] entries"));
        }
        Ok(Self {
            name: file.name,
            path: path.to_path_buf(),
            seed: file.seed,
            significance: file.significance,
            min_drop: file.min_drop,
            min_cases: file.min_cases,
            evals,
        })
    }
}

#[cfg(test)]
mod tests;
