//! Runs a [`Suite`]: loads each entry's cases, builds its predictor, checks it is deterministic,
//! scores the outputs on the original and perturbed inputs, and collects a [`SuiteReport`].
//!
//! Text entries (extract_skills, normalise_title: ranked outputs) run here; `score_match`
//! entries run in [`structured`], the other curated JSON-answer tasks in [`tasks`]; the
//! self-check is in [`determinism`].

mod determinism;
mod spans;
mod structured;
mod tasks;

pub use determinism::{CHECKED, check_determinism};
pub use spans::run_span_eval;
pub use structured::{MatchCase, SCORE_TOLERANCE, run_match_eval};
pub use tasks::{TaskCase, agrees, run_task_eval};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hirelm_core::Task;

use crate::baselines::Document;
use crate::baselines::bm25::{Bm25Options, Bm25Predictor};
use crate::baselines::minilm_match::MiniLmMatcher;
use crate::baselines::nn::{MiniLm, NearestNeighbour};
use crate::baselines::rule_matcher::RuleMatcher;
use crate::corpus::benchmark::{LabelSet, load_skill_benchmark};
use crate::corpus::curated::load_curated;
use crate::corpus::titles::{load_titles, split_titles};
use crate::io::{input_for, parse_match, parse_ranked};
use crate::metrics::Metric;
use crate::metrics::stats::{bootstrap_ci, mean};
use crate::perturb::{Pack, PackContext};
use crate::report::{Consistency, EvalReport, MetricSummary, PackSummary, SuiteReport};
use crate::suite::{EvalSpec, Suite, is_curated_only};
use crate::timed::{LatencyLog, Timed};
use crate::weakened::Weakened;
use crate::{EvalError, Predictor, Result};

/// Predictor names a suite may use.
/// `encoder-nn` is the shipped fine-tuned encoder ([`RunOptions::encoder_dir`]), `minilm-nn`
/// the off-the-shelf MiniLM it was trained from.
pub const PREDICTORS: [&str; 6] = [
    "bm25",
    "minilm-nn",
    "encoder-nn",
    "bm25-weakened",
    "minilm-nn-weakened",
    "rule-matcher",
];

/// Where the shipped fine-tuned encoder lives, relative to the repository root.
pub const DEFAULT_ENCODER_DIR: &str = "shipped/hirelm-encoder-minilm";

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The MiniLM directory (`scripts/fetch-models.sh` puts it in `models/all-minilm-l6-v2`).
    pub minilm_dir: PathBuf,
    /// The fine-tuned encoder of the `encoder-nn` predictor (`hirelm encoder export` writes it).
    pub encoder_dir: PathBuf,
    /// Whether the language-model rerankers choose among the fine-tuned encoder's candidates
    /// (the default) rather than off-the-shelf MiniLM's.
    pub rerank_from_encoder: bool,
    /// Where embeddings are cached.
    pub cache_dir: Option<PathBuf>,
    /// Where predictions are cached ([`crate::cache::Cached`]); `None` predicts afresh.
    pub prediction_cache_dir: Option<PathBuf>,
    /// Use this predictor for every entry instead of the suite's.
    pub predictor_override: Option<String>,
    /// The fetched-data directory (`scripts/fetch-data.sh`), for the packs that need it.
    pub data_dir: PathBuf,
    /// Predictors that rerank MiniLM candidates (the language models of `hirelm-infer`),
    /// selectable by their names like the built-in baselines.
    pub rerankers: Vec<std::sync::Arc<dyn RerankerFactory>>,
    /// Run the determinism self-check (on by default; `hirelm bench compare` skips it, since
    /// its extra answers would double a small entry's time and the eval gate checks it anyway).
    pub check_determinism: bool,
}

/// Builds a predictor that answers from a retriever's candidates: the retriever (nearest
/// neighbours over the entry's documents under the fine-tuned encoder, or MiniLM with
/// `rerank_from_encoder` off) proposes, the predictor selects and ranks. Language
/// models plug in here without this crate depending on them.
pub trait RerankerFactory: Send + Sync + std::fmt::Debug {
    /// The predictor name suites use.
    fn name(&self) -> &str;
    /// Candidates the retriever proposes per input.
    fn candidates(&self) -> usize {
        20
    }
    /// A predictor for `task` over `retriever`.
    fn build<'a>(
        &self,
        task: Task,
        retriever: Box<dyn Predictor + 'a>,
    ) -> Result<Box<dyn Predictor + 'a>>;
    /// A predictor for a structured task (`score_match`) that answers from the input alone, with
    /// no retriever; the default supports none.
    fn build_direct(&self, task: Task) -> Result<Box<dyn Predictor>> {
        Err(EvalError::UnsupportedTask {
            predictor: self.name().to_string(),
            task: task.to_string(),
        })
    }
}

impl RunOptions {
    /// The same options with predictions cached beside the embeddings
    /// (`.cache/hirelm/predictions`).
    pub fn with_prediction_cache(mut self) -> Self {
        self.prediction_cache_dir = self
            .cache_dir
            .as_ref()
            .and_then(|d| d.parent())
            .map(|d| d.join("predictions"));
        self
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            minilm_dir: hirelm_model::models_dir().join(hirelm_model::MINILM_DIR),
            encoder_dir: PathBuf::from(DEFAULT_ENCODER_DIR),
            rerank_from_encoder: true,
            cache_dir: Some(crate::baselines::nn::default_cache_dir()),
            prediction_cache_dir: None,
            predictor_override: None,
            data_dir: crate::perturb::codespell::data_dir(),
            rerankers: Vec::new(),
            check_determinism: true,
        }
    }
}

/// One evaluation case: input text and gold ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Input text.
    pub text: String,
    /// Gold ids (ESCO labels or occupation URIs).
    pub gold: Vec<String>,
}

/// An entry's cases, the documents its baselines index, and notes for the report.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Text cases (ranked tasks).
    pub cases: Vec<Case>,
    /// Structured cases (`score_match`).
    pub match_cases: Vec<MatchCase>,
    /// Cases of the other curated JSON-answer tasks.
    pub task_cases: Vec<TaskCase>,
    /// Index documents.
    pub docs: Vec<Document>,
    /// Notes on the data.
    pub notes: Vec<String>,
}

/// Loads an entry's data.
pub fn prepare(spec: &EvalSpec, seed: u64) -> Result<Prepared> {
    let mut p = Prepared::default();
    match spec.format.as_str() {
        "skill_benchmark_csv" => {
            let labels_path = spec.labels.as_deref().ok_or_else(|| {
                EvalError::Invalid(format!(
                    "eval `{}`: format skill_benchmark_csv needs `labels`",
                    spec.name
                ))
            })?;
            let labels = LabelSet::load(labels_path)?;
            let bench = load_skill_benchmark(&spec.data)?;
            let missing = bench
                .sentences
                .iter()
                .flat_map(|s| &s.gold)
                .filter(|g| labels.lookup(g).is_none())
                .count();
            p.notes.push(format!(
                "{} rows, {} ignored (UNDERSPECIFIED / LABEL NOT PRESENT), {} sentences skipped without usable gold, {} evaluated; {} labels indexed; {missing} gold labels not in the label list",
                bench.rows, bench.ignored_rows, bench.skipped_sentences, bench.sentences.len(), labels.len()
            ));
            p.docs = labels
                .labels()
                .iter()
                .map(|l| Document::new(l.clone(), l.clone()))
                .collect();
            p.cases = bench
                .sentences
                .into_iter()
                .map(|s| Case {
                    text: s.sentence,
                    gold: s.gold,
                })
                .collect();
        }
        "jobbert_titles" => {
            let split = split_titles(&load_titles(&spec.data)?, spec.heldout_percent, seed);
            let known: std::collections::HashSet<&str> =
                split.train.iter().map(|r| r.uri.as_str()).collect();
            let unreachable = split
                .heldout
                .iter()
                .filter(|r| !known.contains(r.uri.as_str()))
                .count();
            p.notes.push(format!(
                "deterministic split (seed {seed}, {}% of distinct titles held out): {} index titles, {} held-out titles evaluated; {unreachable} held-out titles have an occupation with no index title",
                spec.heldout_percent, split.train.len(), split.heldout.len()
            ));
            p.docs = split
                .train
                .into_iter()
                .map(|r| Document::new(r.uri, r.title))
                .collect();
            p.cases = split
                .heldout
                .into_iter()
                .map(|r| Case {
                    text: r.title,
                    gold: vec![r.uri],
                })
                .collect();
        }
        "hirelm_parquet" => {
            let set = load_curated(&spec.data, spec.task)?;
            p.notes.push(format!(
                "{} rows, {} of other tasks, {} {} rows skipped as unusable, {} usable",
                set.total_rows,
                set.other_tasks,
                set.bad_rows,
                spec.task,
                set.rows.len()
            ));
            p.notes
                .extend(set.bad_examples.iter().map(|e| format!("skipped {e}")));
            for row in set.rows {
                if spec.task != Task::ScoreMatch {
                    p.task_cases.push(TaskCase {
                        input: row.input,
                        target: row.target,
                    });
                // load_curated has checked the target's shape for score_match.
                } else if let Ok(target) = parse_match(&row.target.to_string()) {
                    p.match_cases.push(MatchCase {
                        input: row.input,
                        target,
                    });
                }
            }
        }
        other => return Err(EvalError::unknown("format", other, &crate::suite::FORMATS)),
    }
    if let Some(limit) = spec.limit {
        p.cases.truncate(limit);
        p.match_cases.truncate(limit);
        p.task_cases.truncate(limit);
    }
    Ok(p)
}

/// The matching tasks, which the rule matcher and the MiniLM matcher answer.
fn is_matching(task: Task) -> bool {
    matches!(task, Task::ScoreMatch | Task::RankCandidates)
}

/// Tasks a MiniLM predictor answers: retrieval over documents, or matching.
fn minilm_answers(task: Task) -> bool {
    !is_curated_only(task) || is_matching(task)
}

/// Builds the named baseline over `docs`.
pub fn build_predictor<'a>(
    name: &str,
    task: Task,
    docs: &[Document],
    minilm: Option<&'a MiniLm>,
    cache_dir: Option<&Path>,
) -> Result<Box<dyn Predictor + 'a>> {
    let match_task = is_matching(task);
    let answers = match name {
        "rule-matcher" => match_task,
        "minilm-nn" => minilm_answers(task),
        _ => !is_curated_only(task),
    };
    if !answers {
        return match PREDICTORS.contains(&name) {
            true => Err(EvalError::UnsupportedTask {
                predictor: name.to_string(),
                task: task.to_string(),
            }),
            false => Err(EvalError::unknown("predictor", name, &PREDICTORS)),
        };
    }
    match (name, match_task) {
        ("rule-matcher", _) => return Ok(Box::new(RuleMatcher)),
        ("minilm-nn", true) => {
            let model = minilm
                .ok_or_else(|| EvalError::Invalid("minilm-nn needs the MiniLM model".into()))?;
            return Ok(Box::new(MiniLmMatcher::new(model)));
        }
        _ => {}
    }
    let base = name.strip_suffix("-weakened").unwrap_or(name);
    let inner: Box<dyn Predictor + 'a> = match base {
        "bm25" => Box::new(Bm25Predictor::new(task, docs, Bm25Options::default())?),
        "minilm-nn" => {
            let model = minilm
                .ok_or_else(|| EvalError::Invalid("minilm-nn needs the MiniLM model".into()))?;
            Box::new(NearestNeighbour::new(model, task, docs, 100, cache_dir)?)
        }
        _ => return Err(EvalError::unknown("predictor", name, &PREDICTORS)),
    };
    Ok(if base == name {
        inner
    } else {
        Box::new(Weakened::new(inner, 3))
    })
}

/// Runs every entry of a suite.
pub fn run_suite(suite: &Suite, options: &RunOptions) -> Result<SuiteReport> {
    let name_of = |spec: &EvalSpec| {
        options
            .predictor_override
            .clone()
            .unwrap_or_else(|| spec.predictor.clone())
    };
    let reranker = |name: &str| options.rerankers.iter().find(|r| r.name() == name).cloned();
    let reranks = |s: &EvalSpec| reranker(&name_of(s)).is_some() && !is_curated_only(s.task);
    let needs_minilm = |s: &EvalSpec| {
        let name = name_of(s);
        (name.starts_with("minilm") && minilm_answers(s.task))
            || (reranks(s) && !options.rerank_from_encoder)
    };
    let minilm = if suite.evals.iter().any(needs_minilm) {
        Some(MiniLm::load(&options.minilm_dir)?)
    } else {
        None
    };
    let needs_tuned = |s: &EvalSpec| {
        (name_of(s) == "encoder-nn" && !is_curated_only(s.task))
            || (reranks(s) && options.rerank_from_encoder)
    };
    let tuned = if suite.evals.iter().any(needs_tuned) {
        Some(MiniLm::load(&options.encoder_dir)?)
    } else {
        None
    };
    let packs: Vec<Pack> = suite
        .evals
        .iter()
        .flat_map(|s| s.packs.iter().copied())
        .collect();
    let ctx = PackContext::load(&packs, &options.data_dir)?;
    let mut evals = Vec::new();
    for spec in &suite.evals {
        let name = name_of(spec);
        if spec.format == "skillspan_json" {
            evals.push(spans::span_entry(spec, &name, suite.seed)?);
            continue;
        }
        let prepared = prepare(spec, suite.seed)?;
        let mut predictor = match reranker(&name) {
            Some(factory) if is_curated_only(spec.task) => factory.build_direct(spec.task)?,
            Some(factory) => {
                let retriever = if options.rerank_from_encoder {
                    tuned.as_ref()
                } else {
                    minilm.as_ref()
                };
                let model = retriever
                    .ok_or_else(|| EvalError::Invalid(format!("{name} needs a retriever")))?;
                let retriever = NearestNeighbour::new(
                    model,
                    spec.task,
                    &prepared.docs,
                    factory.candidates(),
                    options.cache_dir.as_deref(),
                )?;
                factory.build(spec.task, Box::new(retriever))?
            }
            None if name == "encoder-nn" => match &tuned {
                Some(model) if !is_curated_only(spec.task) => Box::new(
                    NearestNeighbour::new(
                        model,
                        spec.task,
                        &prepared.docs,
                        100,
                        options.cache_dir.as_deref(),
                    )?
                    .with_name("encoder-nn"),
                ),
                _ => {
                    return Err(EvalError::UnsupportedTask {
                        predictor: name.clone(),
                        task: spec.task.to_string(),
                    });
                }
            },
            None => build_predictor(
                &name,
                spec.task,
                &prepared.docs,
                minilm.as_ref(),
                options.cache_dir.as_deref(),
            )?,
        };
        let inputs: Vec<serde_json::Value> = match spec.task {
            Task::ScoreMatch => prepared
                .match_cases
                .iter()
                .take(CHECKED)
                .map(|c| c.input.clone())
                .collect(),
            task if is_curated_only(task) => prepared
                .task_cases
                .iter()
                .take(CHECKED)
                .map(|c| c.input.clone())
                .collect(),
            task => prepared
                .cases
                .iter()
                .take(CHECKED)
                .map(|c| input_for(task, &c.text))
                .collect(),
        };
        let determinism = options
            .check_determinism
            .then(|| check_determinism(predictor.as_ref(), spec.task, &inputs));
        // Timed inside the cache: only fresh answers are timed.
        let latency = std::sync::Arc::new(LatencyLog::default());
        predictor = Box::new(Timed::new(predictor, latency.clone()));
        if let Some(dir) = &options.prediction_cache_dir {
            predictor = Box::new(crate::cache::Cached::new(predictor, dir)?);
        }
        tracing::info!(eval = %spec.name, cases = prepared.cases.len() + prepared.match_cases.len() + prepared.task_cases.len(), predictor = predictor.name(), "evaluating");
        let mut report = match spec.task {
            Task::ScoreMatch => run_match_eval(
                spec,
                predictor.as_ref(),
                &prepared.match_cases,
                suite.seed,
                &ctx,
            ),
            task if is_curated_only(task) => run_task_eval(
                spec,
                predictor.as_ref(),
                &prepared.task_cases,
                suite.seed,
                &ctx,
            ),
            _ => run_eval_with(spec, predictor.as_ref(), &prepared.cases, suite.seed, &ctx),
        };
        report.notes = prepared.notes;
        report.determinism = determinism;
        report.latency = latency.summary();
        evals.push(report);
    }
    Ok(SuiteReport {
        suite: suite.name.clone(),
        seed: suite.seed,
        significance: suite.significance,
        min_drop: suite.min_drop,
        evals,
    })
}

/// Ranked outputs of `texts`; an invalid output or predictor error is `Err(reason)`.
fn predict_all(
    predictor: &dyn Predictor,
    task: Task,
    texts: &[String],
) -> Vec<Result<Vec<String>, String>> {
    let inputs: Vec<serde_json::Value> = texts.iter().map(|t| input_for(task, t)).collect();
    predict_parsed(predictor, task, &inputs, |raw| parse_ranked(task, raw))
}

/// Every input's answer read by `parse`; a predictor error or an answer `parse` refuses is
/// `Err(reason)`, a counted failure of that case rather than of the run.
pub(crate) fn predict_parsed<T>(
    predictor: &dyn Predictor,
    task: Task,
    inputs: &[serde_json::Value],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Vec<Result<T, String>> {
    let mut out = predictor.predict_batch(task, inputs);
    out.resize_with(inputs.len(), || {
        Err(EvalError::Invalid(
            "predictor returned too few outputs".into(),
        ))
    });
    out.into_iter()
        .map(|r| {
            r.map_err(|e| format!("predictor error: {e}"))
                .and_then(|p| parse(&p.raw).map_err(|e| format!("invalid output: {e}")))
        })
        .collect()
}

fn score(metric: Metric, outputs: &[Result<Vec<String>, String>], cases: &[Case]) -> Vec<f64> {
    outputs
        .iter()
        .zip(cases)
        .filter_map(|(o, c)| metric.score(o.as_deref().unwrap_or(&[]), &c.gold))
        .collect()
}

/// Evaluates one predictor on cases: metrics on the originals, then each pack's metrics and
/// agreement. Never fails: invalid outputs are counted and scored 0.
pub fn run_eval(
    spec: &EvalSpec,
    predictor: &dyn Predictor,
    cases: &[Case],
    seed: u64,
) -> EvalReport {
    run_eval_with(spec, predictor, cases, seed, &PackContext::default())
}

/// [`run_eval`] with the fetched resources of the packs that need them.
pub fn run_eval_with(
    spec: &EvalSpec,
    predictor: &dyn Predictor,
    cases: &[Case],
    seed: u64,
    ctx: &PackContext,
) -> EvalReport {
    let task = spec.task;
    let texts: Vec<String> = cases.iter().map(|c| c.text.clone()).collect();
    let original = predict_all(predictor, task, &texts);
    let failures: Vec<&String> = original.iter().filter_map(|o| o.as_ref().err()).collect();
    let mut metrics = BTreeMap::new();
    for &m in &spec.metrics {
        let per_case = score(m, &original, cases);
        let ci95 = bootstrap_ci(&per_case, 0.95, 1000, seed).unwrap_or((0.0, 0.0));
        metrics.insert(
            m.name().to_string(),
            MetricSummary {
                mean: mean(&per_case).unwrap_or(0.0),
                ci95,
                per_case,
            },
        );
    }
    let top1 = |o: &Result<Vec<String>, String>| o.as_ref().ok().and_then(|r| r.first().cloned());
    let correct =
        |o: &Result<Vec<String>, String>, c: &Case| top1(o).is_some_and(|t| c.gold.contains(&t));
    let mut agree_per_case = vec![0usize; cases.len()];
    let mut right_everywhere: Vec<bool> = original
        .iter()
        .zip(cases)
        .map(|(o, c)| correct(o, c))
        .collect();
    let mut perturbations = Vec::new();
    for &pack in &spec.packs {
        let perturbed: Vec<String> = cases
            .iter()
            .enumerate()
            .map(|(i, c)| pack.apply_case(&c.text, &c.gold, structured::case_seed(seed, i), ctx))
            .collect();
        // Dictionary packs leave many texts unchanged: only the changed ones are predicted and
        // count towards the pack's agreement; an unchanged case keeps its original answer.
        let changed: Vec<bool> = perturbed
            .iter()
            .zip(&texts)
            .map(|(p, t)| !pack.reports_applicability() || p != t)
            .collect();
        let to_predict: Vec<String> = perturbed
            .iter()
            .zip(&changed)
            .filter(|(_, c)| **c)
            .map(|(p, _)| p.clone())
            .collect();
        let mut predicted = predict_all(predictor, task, &to_predict).into_iter();
        let outputs: Vec<Result<Vec<String>, String>> = changed
            .iter()
            .zip(&original)
            .map(|(&c, o)| {
                if c {
                    predicted
                        .next()
                        .unwrap_or_else(|| Err("missing output".into()))
                } else {
                    o.clone()
                }
            })
            .collect();
        let applicable = changed.iter().filter(|&&c| c).count();
        let mut agree = 0;
        let mut case_flips = Vec::with_capacity(cases.len());
        for (i, (o, p)) in original.iter().zip(&outputs).enumerate() {
            let same = o.is_ok() && p.is_ok() && top1(o) == top1(p);
            if same {
                agree += usize::from(changed[i]);
                agree_per_case[i] += 1;
            }
            case_flips.push(changed[i].then_some(!same));
            right_everywhere[i] &= correct(p, &cases[i]);
        }
        let agreement = if applicable == 0 {
            1.0
        } else {
            agree as f64 / applicable as f64
        };
        let pack_metrics = spec
            .metrics
            .iter()
            .map(|&m| {
                (
                    m.name().to_string(),
                    mean(&score(m, &outputs, cases)).unwrap_or(0.0),
                )
            })
            .collect();
        let failed = outputs
            .iter()
            .zip(&changed)
            .filter(|(o, c)| **c && o.is_err())
            .count();
        perturbations.push(PackSummary {
            applicable: pack.reports_applicability().then_some(applicable),
            case_flips,
            ..PackSummary::new(pack, pack_metrics, agreement, failed)
        });
    }
    let consistency = (!spec.packs.is_empty() && !cases.is_empty()).then(|| {
        let n = cases.len() as f64;
        let per_case: Vec<f64> = agree_per_case
            .iter()
            .map(|&a| a as f64 / spec.packs.len() as f64)
            .collect();
        let mean_case_agreement = per_case.iter().sum::<f64>() / n;
        let accuracy = original
            .iter()
            .zip(cases)
            .filter(|(o, c)| correct(o, c))
            .count() as f64
            / n;
        Consistency::new(
            mean_case_agreement,
            accuracy,
            right_everywhere.iter().filter(|&&r| r).count() as f64 / n,
        )
    });
    EvalReport {
        metrics,
        perturbations,
        consistency,
        ..report_header(spec, predictor, cases.len(), &failures)
    }
}

/// A report with what every runner fills the same way: names, sizes, failures and thresholds.
pub(crate) fn report_header(
    spec: &EvalSpec,
    predictor: &dyn Predictor,
    cases: usize,
    failures: &[&String],
) -> EvalReport {
    EvalReport {
        name: spec.name.clone(),
        task: spec.task.to_string(),
        predictor: predictor.name().to_string(),
        predictor_hash: predictor.content_hash(),
        data: spec.data.display().to_string(),
        cases,
        failed: failures.len(),
        // Failure reasons quote model output, which may echo personal data from the input.
        failure_examples: failures
            .iter()
            .take(5)
            .map(|s| hirelm_core::pii::redact(s))
            .collect(),
        notes: Vec::new(),
        metrics: BTreeMap::new(),
        thresholds: spec
            .thresholds
            .iter()
            .map(|(m, v)| (m.name().to_string(), *v))
            .collect(),
        perturbations: Vec::new(),
        consistency: None,
        determinism: None,
        fairness: None,
        latency: None,
    }
}
