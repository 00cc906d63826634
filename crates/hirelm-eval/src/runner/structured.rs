//! Runs a `score_match` entry: structured inputs, label-and-score answers, structured packs,
//! directional checks and the name-swap fairness summary.
//!
//! Agreement under an invariant pack is *exact for the label, with a tolerance for the score*:
//! the label is unchanged and the score moved by at most [`SCORE_TOLERANCE`]. Under a
//! directional pack it is agreement with the expectation: the score did not move the forbidden
//! way. A pack that does
//! not apply to a case (see [`crate::perturb::structured`]) leaves it out of that pack's
//! agreement and violation rate. An invalid answer counts as a failed case and as a disagreement,
//! never a crash.

use std::collections::BTreeMap;

use hirelm_core::Task;
use serde_json::Value;

use crate::Predictor;
use crate::io::{MatchOutput, parse_match};
use crate::metrics::Metric;
use crate::metrics::fairness::{SwapPair, fairness};
use crate::metrics::matching::{label_hits, macro_f1, macro_f1_at, score_errors};
use crate::metrics::stats::{bootstrap_ci, bootstrap_ci_by, mean};
use crate::perturb::{Direction, Expectation, Pack, PackContext};
use crate::report::{Consistency, EvalReport, MetricSummary, PackSummary};
use crate::suite::EvalSpec;

/// Largest score change that still counts as agreement.
pub const SCORE_TOLERANCE: f64 = 0.05;
/// Smallest score change that counts as a directional violation (float noise is not one).
const EPSILON: f64 = 1e-9;

/// One `score_match` case: the input and the reference answer.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchCase {
    /// The input (a `MatchInput` as JSON).
    pub input: Value,
    /// The reference label and score.
    pub target: MatchOutput,
}

type Answer = Result<MatchOutput, String>;

fn predict(predictor: &dyn Predictor, task: Task, inputs: &[Value]) -> Vec<Answer> {
    super::predict_parsed(predictor, task, inputs, parse_match)
}

/// A metric over gold and (possibly invalid) predictions.
fn summarise(
    metric: Metric,
    gold: &[MatchOutput],
    pred: &[Option<MatchOutput>],
    seed: u64,
) -> MetricSummary {
    let per_case = match metric {
        Metric::Accuracy => label_hits(gold, pred),
        Metric::ScoreMae => score_errors(gold, pred),
        _ => Vec::new(),
    };
    if metric == Metric::MacroF1 {
        let ci95 = bootstrap_ci_by(gold.len(), 0.95, 1000, seed, |idx| {
            macro_f1_at(gold, pred, idx)
        })
        .unwrap_or((0.0, 0.0));
        return MetricSummary {
            mean: macro_f1(gold, pred).unwrap_or(0.0),
            ci95,
            per_case,
        };
    }
    let ci95 = bootstrap_ci(&per_case, 0.95, 1000, seed).unwrap_or((0.0, 0.0));
    MetricSummary {
        mean: mean(&per_case).unwrap_or(0.0),
        ci95,
        per_case,
    }
}

fn violates(direction: Direction, delta: f64) -> bool {
    match direction {
        Direction::NotDown => delta < -EPSILON,
        Direction::NotUp => delta > EPSILON,
    }
}

/// The seed of case `i` under the suite seed (the same as the text packs use).
pub(crate) fn case_seed(seed: u64, i: usize) -> u64 {
    seed.wrapping_mul(1_000_003).wrapping_add(i as u64)
}

/// Evaluates `predictor` on `cases`. Never fails: invalid answers are counted and scored as
/// wrong (label) and maximally wrong (score error 1).
pub fn run_match_eval(
    spec: &EvalSpec,
    predictor: &dyn Predictor,
    cases: &[MatchCase],
    seed: u64,
    ctx: &PackContext,
) -> EvalReport {
    let (task, n) = (spec.task, cases.len());
    let inputs: Vec<Value> = cases.iter().map(|c| c.input.clone()).collect();
    let gold: Vec<MatchOutput> = cases.iter().map(|c| c.target.clone()).collect();
    let original = predict(predictor, task, &inputs);
    let valid: Vec<Option<MatchOutput>> =
        original.iter().map(|o| o.as_ref().ok().cloned()).collect();
    let failures: Vec<&String> = original.iter().filter_map(|o| o.as_ref().err()).collect();
    let metrics: BTreeMap<String, MetricSummary> = spec
        .metrics
        .iter()
        .map(|&m| (m.name().to_string(), summarise(m, &gold, &valid, seed)))
        .collect();

    let hits = label_hits(&gold, &valid);
    let mut right_everywhere: Vec<bool> = hits.iter().map(|&h| h > 0.5).collect();
    let (mut agree_per_case, mut applicable_per_case) = (vec![0usize; n], vec![0usize; n]);
    // Valid scores per case on the original and its invariant perturbations, for the spread.
    let mut scores: Vec<Vec<f64>> = valid
        .iter()
        .map(|v| v.iter().map(|o| o.score).collect())
        .collect();
    let mut perturbations = Vec::new();
    let mut fair = None;
    for &pack in &spec.packs {
        let invariant = pack.expectation() == Expectation::Invariant;
        let (idx, batch): (Vec<usize>, Vec<Value>) = inputs
            .iter()
            .enumerate()
            .filter_map(|(i, v)| pack.apply_json(v, case_seed(seed, i), ctx).map(|p| (i, p)))
            .unzip();
        let outputs = predict(predictor, task, &batch);
        let (mut agree, mut pairs, mut violations) = (0usize, 0usize, 0usize);
        let mut deltas = Vec::new();
        let mut swaps = Vec::new();
        let mut perturbed_valid = valid.clone();
        // Disagreement as the pack's agreement counts it: an invalid answer never agrees.
        let mut case_flips = vec![None; n];
        for (&i, out) in idx.iter().zip(&outputs) {
            case_flips[i] = Some(true);
            perturbed_valid[i] = out.as_ref().ok().cloned();
            if invariant {
                applicable_per_case[i] += 1;
                right_everywhere[i] &= out.as_ref().is_ok_and(|o| o.label == gold[i].label);
                scores[i].extend(out.as_ref().ok().map(|o| o.score));
            }
            let (Ok(o), Ok(p)) = (&original[i], out) else {
                continue;
            };
            pairs += 1;
            let delta = p.score - o.score;
            deltas.push(delta);
            match pack.direction() {
                Some(d) if violates(d, delta) => violations += 1,
                Some(_) => {
                    agree += 1;
                    case_flips[i] = Some(false);
                }
                None if o.label == p.label && delta.abs() <= SCORE_TOLERANCE => {
                    agree += 1;
                    agree_per_case[i] += 1;
                    case_flips[i] = Some(false);
                }
                None => {}
            }
            if pack == Pack::NameSwap
                && let Some(female) = cases[i]
                    .input
                    .pointer("/candidate/name")
                    .and_then(Value::as_str)
                    .and_then(|name| ctx.names.as_ref()?.is_female(name))
            {
                swaps.push(SwapPair {
                    female,
                    original: o.clone(),
                    swapped: p.clone(),
                });
            }
        }
        if pack == Pack::NameSwap {
            fair = Some(fairness(&swaps, n - swaps.len(), seed));
        }
        let agreement = if idx.is_empty() {
            1.0
        } else {
            agree as f64 / idx.len() as f64
        };
        let pack_metrics = if invariant {
            spec.metrics
                .iter()
                .map(|&m| {
                    (
                        m.name().to_string(),
                        summarise(m, &gold, &perturbed_valid, seed).mean,
                    )
                })
                .collect()
        } else {
            BTreeMap::new()
        };
        let failed = outputs.iter().filter(|o| o.is_err()).count();
        perturbations.push(PackSummary {
            applicable: Some(idx.len()),
            case_flips,
            violation_rate: pack.direction().map(|_| {
                if pairs == 0 {
                    0.0
                } else {
                    violations as f64 / pairs as f64
                }
            }),
            mean_score_delta: mean(&deltas),
            ..PackSummary::new(pack, pack_metrics, agreement, failed)
        });
    }
    let spreads: Vec<f64> = scores
        .iter()
        .filter(|s| s.len() > 1)
        .map(|s| {
            s.iter().copied().fold(f64::MIN, f64::max) - s.iter().copied().fold(f64::MAX, f64::min)
        })
        .collect();
    let consistency = Consistency::over_applicable(
        &agree_per_case,
        &applicable_per_case,
        mean(&hits).unwrap_or(0.0),
        &right_everywhere,
    )
    .map(|c| Consistency {
        score_spread: mean(&spreads),
        ..c
    });
    EvalReport {
        metrics,
        perturbations,
        consistency,
        fairness: fair,
        ..super::report_header(spec, predictor, n, &failures)
    }
}
