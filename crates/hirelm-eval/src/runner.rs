//! Runs a [`Suite`]: loads each entry's cases, builds its predictor, checks it is deterministic,
//! scores the outputs on the original and perturbed inputs, and collects a [`SuiteReport`].
//!
//! Text entries (extract_skills, normalise_title: ranked outputs) run here; `score_match`
//! entries run in [`structured`], the other curated JSON-answer tasks in [`tasks`]; the
//! self-check is in [`determinism`]; each entry's data is read by [`prepare()`].

mod determinism;
mod min_cases;
mod options;
mod predictors;
mod prepare;
mod spans;
mod structured;
mod tasks;

pub use determinism::{CHECKED, check_determinism};
pub use min_cases::{check_min_cases, pack_sizes};
pub use options::{
    CandidateSource, DEFAULT_ENCODER_DIR, RerankerFactory, RunOptions, TunedEncoderDirs,
};
pub use predictors::{PREDICTORS, build_predictor};

use predictors::{Encoders, candidate_source, entry_predictor, predictor_name};
pub use prepare::{Case, Prepared, prepare};
pub use spans::run_span_eval;
pub use structured::{MatchCase, SCORE_TOLERANCE, run_match_eval};
pub use tasks::{TaskCase, agrees, run_task_eval};

use std::collections::BTreeMap;

use hirelm_core::Task;

use crate::io::{input_for, parse_ranked};
use crate::metrics::Metric;
use crate::metrics::stats::{bootstrap_ci, mean};
use crate::perturb::{Pack, PackContext};
use crate::report::{Consistency, EvalReport, MetricSummary, PackSummary, SuiteReport};
use crate::suite::{EvalSpec, Suite, is_curated_only};
use crate::timed::{LatencyLog, Timed};
use crate::{EvalError, Predictor, Result};

/// Runs every entry of a suite.
pub fn run_suite(suite: &Suite, options: &RunOptions) -> Result<SuiteReport> {
    let encoders = Encoders::load(suite, options)?;
    let packs: Vec<Pack> = suite
        .evals
        .iter()
        .flat_map(|s| s.packs.iter().copied())
        .collect();
    let ctx = PackContext::load(&packs, &options.data_dir)?;
    let mut evals = Vec::new();
    for spec in &suite.evals {
        let name = predictor_name(spec, options);
        if spec.format == "skillspan_json" {
            evals.push(spans::span_entry(spec, &name, suite.seed)?);
            continue;
        }
        let prepared = prepare(spec, suite.seed)?;
        check_min_cases(suite, spec, &prepared, &ctx)?;
        let mut predictor = entry_predictor(&name, spec, &prepared.docs, &encoders, options)?;
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
        report.cases_digest = prepared.digest();
        report.notes = prepared.notes;
        report.determinism = determinism;
        report.latency = latency.summary();
        report.candidates_from = candidate_source(&name, spec, options);
        evals.push(report);
    }
    Ok(SuiteReport {
        suite: suite.name.clone(),
        seed: suite.seed,
        significance: suite.significance,
        min_drop: suite.min_drop,
        limit: None,
        evals,
        finished: None,
    })
}

/// What identifies the run of `spec` (an entry of `suite`) under `options` before any answer:
/// the predictor's content hash (model, adapters, index, decoding) and the digest of the cases,
/// as [`run_suite`]'s report records them (`predictor_hash`, `cases_digest`). A report whose
/// two fields match was made by the same predictor on the same cases (`hirelm bench compare
/// --resume` reuses such reports).
pub fn entry_identity(
    suite: &Suite,
    spec: &EvalSpec,
    options: &RunOptions,
) -> Result<(String, String)> {
    let one = Suite {
        evals: vec![spec.clone()],
        ..suite.clone()
    };
    let encoders = Encoders::load(&one, options)?;
    let prepared = prepare(spec, suite.seed)?;
    let name = predictor_name(spec, options);
    let predictor = entry_predictor(&name, spec, &prepared.docs, &encoders, options)?;
    Ok((predictor.content_hash(), prepared.digest()))
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
pub(crate) fn predict_parsed<T, E: std::fmt::Display>(
    predictor: &dyn Predictor,
    task: Task,
    inputs: &[serde_json::Value],
    parse: impl Fn(&str) -> Result<T, E>,
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
        cases_digest: String::new(),
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
        candidates_from: None,
    }
}
