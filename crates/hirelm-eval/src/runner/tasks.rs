//! Runs an entry of a curated JSON-answer task (`schedule_interview`, `draft_job_post`,
//! `evaluate_candidate`, `rank_candidates`): the metrics of [`crate::metrics::tasks`] on the
//! original inputs, then each structured pack (see [`crate::perturb::structured`] for what a
//! pack does to each task's input).
//!
//! All packs these tasks take are invariant. *Agreement* compares the answer to the perturbed
//! input with the original answer, per task ([`agrees`]):
//!
//! | task | same answer when |
//! | --- | --- |
//! | rank_candidates | the same top-1 candidate (the order of the rest may legitimately differ on near ties) |
//! | evaluate_candidate | the same score for every criterion |
//! | draft_job_post | the same required skills (as a set, case-insensitive) and the same budget |
//! | schedule_interview | the same set of slots |
//!
//! The consistency block's accuracy (shown as `acc@1` in the Markdown report) is the share of
//! original answers that agree with the *reference* under the same rule, and worst-case accuracy
//! the share that still does under every applicable pack.
//!
//! As for `score_match`, a pack that cannot change an input leaves the case out of that pack
//! (`applicable`), and an answer that is not JSON is a failed case and a disagreement, never a
//! crash.

use std::collections::{BTreeMap, BTreeSet};

use hirelm_core::Task;
use serde_json::Value;

use super::structured::case_seed;
use crate::Predictor;
use crate::metrics::Metric;
use crate::metrics::stats::{bootstrap_ci, mean};
use crate::metrics::tasks::score_task;
use crate::perturb::PackContext;
use crate::report::{Consistency, EvalReport, MetricSummary, PackSummary};
use crate::suite::EvalSpec;

/// One case of a JSON-answer task: the input and the reference answer.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCase {
    /// The input as the model sees it.
    pub input: Value,
    /// The reference answer.
    pub target: Value,
}

type Answer = Result<Value, String>;

fn predict(predictor: &dyn Predictor, task: Task, inputs: &[Value]) -> Vec<Answer> {
    super::predict_parsed(predictor, task, inputs, |raw| {
        serde_json::from_str::<Value>(raw).map_err(crate::io::not_json)
    })
}

fn skill_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| s.trim().to_lowercase())
        .collect()
}

/// Whether two answers of `task` agree (see the module table).
pub fn agrees(task: Task, a: &Value, b: &Value) -> bool {
    match task {
        Task::RankCandidates => {
            let top = |v: &Value| {
                v.pointer("/ranking/0/profile_id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            top(a).is_some() && top(a) == top(b)
        }
        Task::EvaluateCandidate => {
            let scores = |v: &Value| -> BTreeMap<String, i64> {
                v["scores"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| {
                        Some((s["criterion"].as_str()?.to_string(), s["score"].as_i64()?))
                    })
                    .collect()
            };
            !scores(a).is_empty() && scores(a) == scores(b)
        }
        Task::DraftJobPost => {
            skill_set(&a["required_skills"]) == skill_set(&b["required_skills"])
                && a["budget"] == b["budget"]
        }
        Task::ScheduleInterview => {
            let slots = |v: &Value| -> BTreeSet<String> {
                v["slots"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(Value::to_string)
                    .collect()
            };
            a.get("slots").is_some() && slots(a) == slots(b)
        }
        _ => a == b,
    }
}

/// Per-case values of `metric` (undefined cases left out) and their summary.
fn summarise(
    metric: Metric,
    task: Task,
    cases: &[TaskCase],
    answers: &[Answer],
    seed: u64,
) -> MetricSummary {
    let per_case: Vec<f64> = cases
        .iter()
        .zip(answers)
        .filter_map(|(c, a)| score_task(metric, task, &c.input, a.as_ref().ok(), &c.target))
        .collect();
    let ci95 = bootstrap_ci(&per_case, 0.95, 1000, seed).unwrap_or((0.0, 0.0));
    MetricSummary {
        mean: mean(&per_case).unwrap_or(0.0),
        ci95,
        per_case,
    }
}

/// Evaluates `predictor` on `cases`. Never fails: invalid answers are counted and score each
/// metric's worst value.
pub fn run_task_eval(
    spec: &EvalSpec,
    predictor: &dyn Predictor,
    cases: &[TaskCase],
    seed: u64,
    ctx: &PackContext,
) -> EvalReport {
    let (task, n) = (spec.task, cases.len());
    let inputs: Vec<Value> = cases.iter().map(|c| c.input.clone()).collect();
    let original = predict(predictor, task, &inputs);
    let failures: Vec<&String> = original.iter().filter_map(|o| o.as_ref().err()).collect();
    let metrics: BTreeMap<String, MetricSummary> = spec
        .metrics
        .iter()
        .map(|&m| {
            (
                m.name().to_string(),
                summarise(m, task, cases, &original, seed),
            )
        })
        .collect();
    // "Right" for worst-case accuracy: the answer agrees with the reference the same way.
    let right = |i: usize, a: &Answer| a.as_ref().is_ok_and(|a| agrees(task, a, &cases[i].target));
    let mut right_everywhere: Vec<bool> = original
        .iter()
        .enumerate()
        .map(|(i, a)| right(i, a))
        .collect();
    let (mut agree_per_case, mut applicable_per_case) = (vec![0usize; n], vec![0usize; n]);
    let mut perturbations = Vec::new();
    for &pack in &spec.packs {
        let (idx, batch): (Vec<usize>, Vec<Value>) = inputs
            .iter()
            .enumerate()
            .filter_map(|(i, v)| pack.apply_json(v, case_seed(seed, i), ctx).map(|p| (i, p)))
            .unzip();
        let outputs = predict(predictor, task, &batch);
        let mut perturbed = original.clone();
        let mut agree = 0usize;
        let mut case_flips = vec![None; n];
        for (&i, out) in idx.iter().zip(&outputs) {
            perturbed[i] = out.clone();
            applicable_per_case[i] += 1;
            right_everywhere[i] &= right(i, out);
            case_flips[i] = Some(true);
            if let (Ok(o), Ok(p)) = (&original[i], out)
                && agrees(task, o, p)
            {
                agree += 1;
                agree_per_case[i] += 1;
                case_flips[i] = Some(false);
            }
        }
        let agreement = if idx.is_empty() {
            1.0
        } else {
            agree as f64 / idx.len() as f64
        };
        let pack_metrics = spec
            .metrics
            .iter()
            .map(|&m| {
                (
                    m.name().to_string(),
                    summarise(m, task, cases, &perturbed, seed).mean,
                )
            })
            .collect();
        let failed = outputs.iter().filter(|o| o.is_err()).count();
        perturbations.push(PackSummary {
            applicable: Some(idx.len()),
            case_flips,
            ..PackSummary::new(pack, pack_metrics, agreement, failed)
        });
    }
    let accuracy = original
        .iter()
        .enumerate()
        .filter(|(i, a)| right(*i, a))
        .count() as f64
        / n as f64;
    let consistency = Consistency::over_applicable(
        &agree_per_case,
        &applicable_per_case,
        accuracy,
        &right_everywhere,
    );
    EvalReport {
        metrics,
        perturbations,
        consistency,
        ..super::report_header(spec, predictor, n, &failures)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::predictor::hash_parts;
    use crate::{DecodingParams, Prediction};

    /// Ranks candidates by id, except that it answers garbage for a candidate list starting
    /// with `z` (an order-sensitive failure).
    struct ById;

    impl Predictor for ById {
        fn name(&self) -> &str {
            "by-id"
        }
        fn content_hash(&self) -> String {
            hash_parts([b"by-id".as_slice()])
        }
        fn supports(&self, task: Task) -> bool {
            task == Task::RankCandidates
        }
        fn predict(&self, _task: Task, input: &Value) -> crate::Result<Prediction> {
            let mut ids: Vec<String> = input["candidates"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["id"].as_str().map(str::to_string))
                .collect();
            if ids.first().is_some_and(|i| i.starts_with('z')) {
                return Ok(Prediction::new(
                    "not json",
                    DecodingParams::deterministic(0),
                ));
            }
            ids.sort();
            let ranking: Vec<Value> = ids
                .iter()
                .map(|id| json!({"profile_id": id, "score": 0.5}))
                .collect();
            Ok(Prediction::json(
                &json!({ "ranking": ranking }),
                DecodingParams::deterministic(0),
            ))
        }
    }

    fn spec() -> EvalSpec {
        let text = "name = \"t\"\n[[eval]]\nname = \"r\"\ntask = \"rank_candidates\"\nformat = \"hirelm_parquet\"\ndata = \"x.parquet\"\npredictor = \"rule-matcher\"\nmetrics = [\"ndcg@5\", \"schema_validity\"]\nperturbations = [\"reorder_fields\"]\n";
        crate::suite::Suite::parse(text, std::path::Path::new("t.toml"))
            .expect("parses")
            .evals
            .remove(0)
    }

    #[test]
    fn scores_rankings_and_counts_order_sensitive_failures() {
        let cand = |id: &str| json!({"id": id, "name": "N"});
        let gold = |first: &str, second: &str| json!({"ranking": [{"profile_id": first, "score": 0.9}, {"profile_id": second, "score": 0.1}]});
        let cases = vec![
            // by-id answers a, b: perfect. Reordered to b, a: still a, b.
            TaskCase {
                input: json!({"job": {}, "candidates": [cand("a"), cand("b")]}),
                target: gold("a", "b"),
            },
            // by-id answers a, z: reversed gold. Reordered, the list starts with z: invalid.
            TaskCase {
                input: json!({"job": {}, "candidates": [cand("a"), cand("z")]}),
                target: gold("z", "a"),
            },
            // One candidate: reorder does not apply.
            TaskCase {
                input: json!({"job": {}, "candidates": [cand("c")]}),
                target: json!({"ranking": [{"profile_id": "c", "score": 0.5}]}),
            },
        ];
        let r = run_task_eval(&spec(), &ById, &cases, 1, &PackContext::default());
        assert_eq!((r.cases, r.failed), (3, 0));
        let l3 = 3f64.log2();
        let reversed = (0.1 + 0.9 / l3) / (0.9 + 0.1 / l3);
        assert!((r.metrics["ndcg@5"].mean - (1.0 + reversed + 1.0) / 3.0).abs() < 1e-12);
        assert_eq!(r.metrics["schema_validity"].mean, 1.0);
        let p = &r.perturbations[0];
        assert_eq!((p.applicable, p.failed, p.agreement), (Some(2), 1, 0.5));
        // Under the pack the invalid answer scores 0: (1 + 0 + 1) / 3.
        assert!((p.metrics["ndcg@5"] - 2.0 / 3.0).abs() < 1e-12);
        let c = r.consistency.expect("packs ran");
        assert_eq!(c.mean_case_agreement, 0.5);
        // Right (same top-1 as gold): cases 1 and 3; case 1 stays right under the pack.
        assert!(
            (c.accuracy - 2.0 / 3.0).abs() < 1e-12
                && (c.worst_case_accuracy - 2.0 / 3.0).abs() < 1e-12
        );
    }

    #[test]
    fn agreement_per_task() {
        let post = |skills: Value, max: f64| json!({"required_skills": skills, "budget": {"kind": "hourly", "min_usd": 1.0, "max_usd": max}});
        assert!(agrees(
            Task::DraftJobPost,
            &post(json!(["SQL", "Go"]), 5.0),
            &post(json!(["go", "sql"]), 5.0)
        ));
        assert!(!agrees(
            Task::DraftJobPost,
            &post(json!(["SQL"]), 5.0),
            &post(json!(["SQL"]), 6.0)
        ));
        let rub = |s: u8| json!({"scores": [{"criterion": "skill_fit", "score": s, "justification": "a"}]});
        assert!(agrees(
            Task::EvaluateCandidate,
            &rub(3),
            &json!({"scores": [{"criterion": "skill_fit", "score": 3, "justification": "other words"}]})
        ));
        assert!(!agrees(Task::EvaluateCandidate, &rub(3), &rub(4)));
        let slots = json!({"slots": [{"start": "a", "end": "b"}, {"start": "c", "end": "d"}]});
        let reordered = json!({"slots": [{"start": "c", "end": "d"}, {"start": "a", "end": "b"}]});
        assert!(agrees(Task::ScheduleInterview, &slots, &reordered));
        assert!(!agrees(
            Task::ScheduleInterview,
            &slots,
            &json!({"slots": []})
        ));
    }
}
