//! `configs/compare.toml`: which predictors run over which suites, the prices that turn
//! measured CPU time and tokens into cost, and which rows the headline bar compares.
//!
//! ```toml
//! name = "hirelm-compare"
//! out = "benches/results"          # compare.json, compare.md, compare.html
//! readme = "README.md"             # its <!-- compare:begin --> … <!-- compare:end --> block is regenerated
//!
//! [cost]
//! cpu_core_hour_usd = 0.0446       # one CPU core for one hour
//! source = "AWS EC2 c7i.large on-demand, us-east-1: $0.08925/h for 2 vCPUs"
//! date = "2025-06-01"
//!
//! [[api]]                          # hosted models, billed per million tokens
//! name = "gpt-4o-mini"
//! input_usd_per_mtok = 0.15
//! output_usd_per_mtok = 0.60
//! source = "https://openai.com/api/pricing/"
//! date = "2024-07-18"
//!
//! [[lm]]                           # a language-model predictor: base + adapters routed by task
//! name = "smollm2-v2"
//! adapters = [ { dir = "shipped/adapters/hirelm-hiring-v2" } ]
//!
//! [[lm]]                           # or the adapters of a routes file: what `hirelm serve` ships
//! name = "smollm2-hiring"
//! routes = "shipped/routes.toml"
//!
//! [[lm]]                           # few-shot: k training examples of each task before the question
//! name = "smollm2-base-3shot"
//! few_shot = { k = 3, data = "datasets/hirelm-v2/train.parquet", seed = 17 }
//!
//! [[suite]]
//! path = "eval/match.toml"
//! predictors = ["rule-matcher", "smollm2-base", "smollm2-hiring"]
//! limit = 40                       # optional: at most this many cases per entry
//!
//! [router]                         # the shipped system's column (compare::routed)
//! name = "hirelm"
//! routes = "shipped/routes.toml"
//! lm = "smollm2-hiring"
//! encoder = "encoder-nn"
//! rule = "rule-matcher"
//!
//! [bar]                            # the headline claim, checked row by row
//! tuned = "smollm2-hiring"
//! untuned = "smollm2-base"
//! untuned_few_shot = "smollm2-base-3shot"   # optional; held to the same strict checks
//! larger = "gemma3-270m"           # optional; reported as not run when no suite has it
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::runner::PREDICTORS;
use crate::{EvalError, Result};

/// The base model of `[[lm]]` entries that name none.
pub const DEFAULT_BASE: &str = "models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf";

/// A whole comparison config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareConfig {
    /// Name in reports.
    pub name: String,
    /// Directory of `compare.json`, `compare.md` and `compare.html`.
    #[serde(default = "default_out")]
    pub out: PathBuf,
    /// A Markdown file whose compare block is regenerated (none when absent).
    #[serde(default)]
    pub readme: Option<PathBuf>,
    /// The price of CPU time.
    pub cost: CpuPrice,
    /// Hosted APIs to price the language models' tokens at.
    #[serde(default)]
    pub api: Vec<ApiPrice>,
    /// Language-model predictors.
    #[serde(default)]
    pub lm: Vec<LmSpec>,
    /// Suites and the predictors each runs.
    pub suite: Vec<SuiteRun>,
    /// The rows the headline claim compares.
    #[serde(default)]
    pub bar: Option<Bar>,
    /// The shipped system's column ([`super::routed`]).
    #[serde(default)]
    pub router: Option<super::routed::RouterSpec>,
}

fn default_out() -> PathBuf {
    PathBuf::from("benches/results")
}

/// Price of one CPU core for one hour, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpuPrice {
    /// US dollars per core-hour.
    pub cpu_core_hour_usd: f64,
    /// Where the price comes from.
    pub source: String,
    /// When it was read there.
    pub date: String,
}

/// A hosted API's token prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiPrice {
    /// Model name.
    pub name: String,
    /// US dollars per million prompt tokens.
    pub input_usd_per_mtok: f64,
    /// US dollars per million generated tokens.
    pub output_usd_per_mtok: f64,
    /// Where the prices come from.
    pub source: String,
    /// When they were published or read.
    pub date: String,
}

/// A language-model predictor: a base model and adapters (routed per task, like
/// `hirelm_infer::AdapterSpec`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LmSpec {
    /// The predictor name suites refer to.
    pub name: String,
    /// Base model file or `hf://` repository.
    #[serde(default = "default_base")]
    pub base: String,
    /// Adapters; none for the untuned model.
    #[serde(default)]
    pub adapters: Vec<AdapterRoute>,
    /// A routes file (`shipped/routes.toml`, `hirelm_infer::ShippedRoutes`) whose adapters this
    /// model uses instead of `adapters`: the shipped model, measured as it is served.
    #[serde(default)]
    pub routes: Option<PathBuf>,
    /// Few-shot prompting; absent for zero-shot.
    #[serde(default)]
    pub few_shot: Option<FewShot>,
}

/// Solved examples shown before each question (`hirelm_infer::few_shot`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FewShot {
    /// Examples per task.
    pub k: usize,
    /// A curated Parquet file to draw them from: a training split, never the data a suite
    /// measures on.
    pub data: PathBuf,
    /// Seed of the draw (one generator per task), so a rerun shows the same examples.
    #[serde(default)]
    pub seed: u64,
}

/// Most demonstrations per task: more would crowd a 135M model's context.
pub const MAX_FEW_SHOT: usize = 8;

fn default_base() -> String {
    DEFAULT_BASE.to_string()
}

/// One adapter of an [`LmSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdapterRoute {
    /// The adapter directory (PEFT layout).
    pub dir: PathBuf,
    /// Tasks it answers; absent for every task the other adapters do not claim.
    #[serde(default)]
    pub tasks: Option<Vec<String>>,
}

/// A suite and the predictors that run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteRun {
    /// The suite file.
    pub path: PathBuf,
    /// Predictors, in column order; each runs the entries whose task it supports.
    pub predictors: Vec<String>,
    /// At most this many cases per entry (overrides the suite's `limit` when smaller).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Which predictors the headline claim compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bar {
    /// The fine-tuned model.
    pub tuned: String,
    /// The same model untuned.
    pub untuned: String,
    /// The same model untuned with few-shot prompts, held to the same strict checks.
    #[serde(default)]
    pub untuned_few_shot: Option<String>,
    /// A larger off-the-shelf model it should match at lower cost.
    #[serde(default)]
    pub larger: Option<String>,
}

impl Bar {
    /// The untuned predictors the claim is checked against: zero-shot, then few-shot.
    pub fn untuned_predictors(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.untuned.as_str()).chain(self.untuned_few_shot.as_deref())
    }
}

impl CompareConfig {
    /// Reads and checks a config: every predictor is a built-in baseline or an `[[lm]]`, prices
    /// are finite and non-negative, names are unique.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
        let config: Self =
            toml::from_str(&text).map_err(|e| EvalError::config(path, e.to_string()))?;
        config
            .check()
            .map_err(|message| EvalError::config(path, message))?;
        Ok(config)
    }

    fn check(&self) -> std::result::Result<(), String> {
        let price_ok = |v: f64| v.is_finite() && v >= 0.0;
        if !price_ok(self.cost.cpu_core_hour_usd) {
            return Err(format!(
                "cost.cpu_core_hour_usd must be a non-negative number, not {}",
                self.cost.cpu_core_hour_usd
            ));
        }
        for (i, api) in self.api.iter().enumerate() {
            if !price_ok(api.input_usd_per_mtok) || !price_ok(api.output_usd_per_mtok) {
                return Err(format!(
                    "api[{i}] ({}): prices must be non-negative numbers",
                    api.name
                ));
            }
            if self.api[..i].iter().any(|a| a.name == api.name) {
                return Err(format!("api[{i}]: the name `{}` is used twice", api.name));
            }
        }
        let mut lm_names: Vec<&str> = Vec::new();
        for (i, lm) in self.lm.iter().enumerate() {
            if PREDICTORS.contains(&lm.name.as_str()) || lm_names.contains(&lm.name.as_str()) {
                return Err(format!("lm[{i}]: the name `{}` is already taken", lm.name));
            }
            if lm.routes.is_some() && !lm.adapters.is_empty() {
                return Err(format!(
                    "lm[{i}] ({}): give `adapters` or `routes`, not both",
                    lm.name
                ));
            }
            if let Some(few) = &lm.few_shot
                && !(1..=MAX_FEW_SHOT).contains(&few.k)
            {
                return Err(format!(
                    "lm[{i}] ({}): few_shot.k must be 1 to {MAX_FEW_SHOT}, not {}",
                    lm.name, few.k
                ));
            }
            lm_names.push(&lm.name);
        }
        let known = |name: &str| PREDICTORS.contains(&name) || lm_names.contains(&name);
        if self.suite.is_empty() {
            return Err("no [[suite]]: nothing to compare".into());
        }
        for (i, run) in self.suite.iter().enumerate() {
            if run.predictors.is_empty() {
                return Err(format!(
                    "suite[{i}] ({}): `predictors` is empty",
                    run.path.display()
                ));
            }
            if let Some(bad) = run.predictors.iter().find(|p| !known(p)) {
                return Err(format!(
                    "suite[{i}] ({}): unknown predictor `{bad}`; built-in: {}; [[lm]]: {}",
                    run.path.display(),
                    PREDICTORS.join(", "),
                    lm_names.join(", ")
                ));
            }
            if let Some((j, p)) = run
                .predictors
                .iter()
                .enumerate()
                .find(|(j, p)| run.predictors[..*j].contains(p))
            {
                return Err(format!(
                    "suite[{i}] ({}): predictor `{p}` is listed twice (position {j})",
                    run.path.display()
                ));
            }
            if run.limit == Some(0) {
                return Err(format!(
                    "suite[{i}] ({}): `limit` must be at least 1",
                    run.path.display()
                ));
            }
        }
        if let Some(router) = &self.router {
            if known(&router.name) {
                return Err(format!(
                    "router.name: `{}` is already a predictor",
                    router.name
                ));
            }
            for (field, name) in [
                ("lm", &router.lm),
                ("encoder", &router.encoder),
                ("rule", &router.rule),
            ] {
                if !known(name) {
                    return Err(format!("router.{field}: unknown predictor `{name}`"));
                }
            }
        }
        let known =
            |name: &str| known(name) || self.router.as_ref().is_some_and(|r| r.name == name);
        if let Some(bar) = &self.bar {
            let few_shot = bar
                .untuned_few_shot
                .iter()
                .map(|name| ("untuned_few_shot", name));
            for (field, name) in [("tuned", &bar.tuned), ("untuned", &bar.untuned)]
                .into_iter()
                .chain(few_shot)
            {
                if !known(name) {
                    return Err(format!("bar.{field}: unknown predictor `{name}`"));
                }
            }
            if let Some(name) = &bar.untuned_few_shot {
                if [&bar.tuned, &bar.untuned].contains(&name) {
                    return Err(format!(
                        "bar.untuned_few_shot: `{name}` is already the bar's tuned or untuned model"
                    ));
                }
                if !self
                    .lm
                    .iter()
                    .any(|lm| &lm.name == name && lm.few_shot.is_some())
                {
                    return Err(format!(
                        "bar.untuned_few_shot: `{name}` is not an [[lm]] with few_shot"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
