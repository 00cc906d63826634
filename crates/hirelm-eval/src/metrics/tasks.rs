//! Per-case metrics of the curated JSON-answer tasks (`schedule_interview`, `draft_job_post`,
//! `evaluate_candidate`, `rank_candidates`), on the shapes of `hirelm_core::output_schema`.
//!
//! Where [`crate::heldout::score_answer`] already scores a task (slot F1, NDCG@5 with the gold
//! scores as gains, rubric error, skill coverage and budget band), these reuse it, so the
//! generation check of a training run and the evaluation suites cannot drift apart. A failed
//! answer (not JSON, or a predictor error) is `None` here and scores the metric's failure value
//! ([`worst`]): 0, and 4 for `rubric_mae`; for `rubric_spearman` 0 means "no correlation" (not
//! −1, so a failure never scores below an answer that at least parsed).
//!
//! | metric | task | per case |
//! | --- | --- | --- |
//! | `valid_slot_rate` | schedule_interview | share of the predicted slots (distinct) that are gold slots; an empty answer scores 1 when the gold list is empty too and 0 otherwise, so answering nothing is not a perfect score |
//! | `slot_f1` | schedule_interview | F1 of predicted and gold slot sets; two empty sets score 1 |
//! | `schema_validity` | draft_job_post (any task) | 1 when the answer validates against the task's output schema (`hirelm_core::validate`) |
//! | `skill_coverage` | draft_job_post | share of the brief's `must_have` skills in the post's `required_skills` (case-insensitive) |
//! | `budget_in_band` | draft_job_post | 1 when the post's budget has the brief's kind and lies inside its range |
//! | `rubric_spearman` | evaluate_candidate | Spearman's rho of predicted and gold criterion scores over the gold criteria (a missing criterion scores 0); `None` when either side is constant (rho is undefined: the case is left out) |
//! | `rubric_mae` | evaluate_candidate | mean \|predicted − gold\| over the gold criteria, a missing criterion costing 4; lower is better |
//! | `ndcg@5` | rank_candidates | NDCG@5 of the predicted order with the gold scores as gains |

use std::collections::BTreeSet;

use hirelm_core::Task;
use serde_json::{Value, json};

use super::Metric;
use super::correlation::spearman;
use crate::heldout::{budget_in_band, score_answer, skill_coverage};

/// The value a failed answer scores: the metric's worst, except 0 (no correlation) for
/// `rubric_spearman`.
pub fn worst(metric: Metric) -> f64 {
    if metric == Metric::RubricMae {
        4.0
    } else {
        0.0
    }
}

fn slot_set(value: &Value) -> BTreeSet<(String, String)> {
    value["slots"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some((
                s["start"].as_str()?.trim().to_string(),
                s["end"].as_str()?.trim().to_string(),
            ))
        })
        .collect()
}

/// Share of predicted slots that are gold slots (see the module table).
pub fn valid_slot_rate(answer: &Value, target: &Value) -> f64 {
    let (given, gold) = (slot_set(answer), slot_set(target));
    if given.is_empty() {
        return f64::from(u8::from(gold.is_empty()));
    }
    given.intersection(&gold).count() as f64 / given.len() as f64
}

fn criterion_scores(value: &Value) -> Vec<(String, f64)> {
    value["scores"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| Some((s["criterion"].as_str()?.to_string(), s["score"].as_f64()?)))
        .collect()
}

/// Spearman's rho of the criterion scores, over the gold criteria (see the module table).
pub fn rubric_spearman(answer: &Value, target: &Value) -> Option<f64> {
    let (given, gold) = (criterion_scores(answer), criterion_scores(target));
    let predicted: Vec<f64> = gold
        .iter()
        .map(|(c, _)| given.iter().find(|(g, _)| g == c).map_or(0.0, |(_, s)| *s))
        .collect();
    let gold: Vec<f64> = gold.iter().map(|(_, s)| *s).collect();
    spearman(&predicted, &gold)
}

/// The metric of one case: `answer` is the parsed answer (`None`: not JSON), `input` the case's
/// input and `target` its reference answer. `None` when the metric does not score `task` or is
/// undefined for the case.
pub fn score_task(
    metric: Metric,
    task: Task,
    input: &Value,
    answer: Option<&Value>,
    target: &Value,
) -> Option<f64> {
    if !metric.fits(task) {
        return None;
    }
    let Some(answer) = answer else {
        return Some(worst(metric));
    };
    let quality = || score_answer(task, answer, target).quality;
    match metric {
        Metric::ValidSlotRate => Some(valid_slot_rate(answer, target)),
        Metric::SlotF1 | Metric::Ndcg5 => Some(quality()),
        Metric::SchemaValidity => Some(f64::from(u8::from(
            hirelm_core::validate(task, answer).is_ok(),
        ))),
        Metric::SkillCoverage | Metric::BudgetInBand => {
            // Scored against the brief itself (its must-haves and budget), not the gold post.
            let brief = json!({"required_skills": input["must_have"], "budget": input["budget"]});
            Some(match metric {
                Metric::SkillCoverage => skill_coverage(answer, &brief),
                _ => f64::from(u8::from(budget_in_band(answer, &brief))),
            })
        }
        Metric::RubricSpearman => rubric_spearman(answer, target),
        // heldout's rubric quality is 1 − MAE / 4.
        Metric::RubricMae => Some(4.0 * (1.0 - quality())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(pairs: &[(&str, &str)]) -> Value {
        json!({"slots": pairs.iter().map(|(s, e)| json!({"start": s, "end": e})).collect::<Vec<_>>()})
    }

    #[test]
    fn slot_metrics() {
        let gold = slots(&[("a", "b"), ("c", "d")]);
        let answer = slots(&[("a", "b"), ("x", "y"), ("a", "b")]);
        // Distinct predicted {ab, xy}: 1 of 2 valid; F1 with gold {ab, cd}: p = r = 1/2.
        assert_eq!(valid_slot_rate(&answer, &gold), 0.5);
        assert_eq!(
            score_task(
                Metric::ValidSlotRate,
                Task::ScheduleInterview,
                &json!({}),
                Some(&answer),
                &gold
            ),
            Some(0.5)
        );
        assert_eq!(
            score_task(
                Metric::SlotF1,
                Task::ScheduleInterview,
                &json!({}),
                Some(&answer),
                &gold
            ),
            Some(0.5)
        );
        assert_eq!(valid_slot_rate(&slots(&[]), &slots(&[])), 1.0);
        assert_eq!(
            valid_slot_rate(&slots(&[]), &gold),
            0.0,
            "answering nothing when slots exist"
        );
        assert_eq!(
            score_task(
                Metric::ValidSlotRate,
                Task::ScheduleInterview,
                &json!({}),
                None,
                &gold
            ),
            Some(0.0)
        );
        assert_eq!(
            score_task(
                Metric::ValidSlotRate,
                Task::DraftJobPost,
                &json!({}),
                Some(&answer),
                &gold
            ),
            None
        );
    }

    #[test]
    fn post_metrics_read_the_brief() {
        let brief = json!({"must_have": ["SQL", "Python", "Rust"], "budget": {"kind": "hourly", "min_usd": 40.0, "max_usd": 60.0}});
        let post = json!({"title": "t", "summary": "s", "responsibilities": ["r"], "required_skills": ["sql", "Rust", "Go"],
                          "nice_to_have_skills": [], "budget": {"kind": "hourly", "min_usd": 45.0, "max_usd": 60.4}});
        let s = |m| score_task(m, Task::DraftJobPost, &brief, Some(&post), &json!({}));
        assert_eq!(s(Metric::SchemaValidity), Some(1.0));
        assert!((s(Metric::SkillCoverage).expect("scored") - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            s(Metric::BudgetInBand),
            Some(1.0),
            "60.4 is within half a dollar"
        );
        let mut fixed = post.clone();
        fixed["budget"]["kind"] = json!("fixed");
        assert_eq!(
            score_task(
                Metric::BudgetInBand,
                Task::DraftJobPost,
                &brief,
                Some(&fixed),
                &json!({})
            ),
            Some(0.0)
        );
        let mut wide = post.clone();
        wide["budget"]["min_usd"] = json!(30.0);
        assert_eq!(
            score_task(
                Metric::BudgetInBand,
                Task::DraftJobPost,
                &brief,
                Some(&wide),
                &json!({})
            ),
            Some(0.0)
        );
        let mut invalid = post.clone();
        invalid["title"] = json!("");
        assert_eq!(
            score_task(
                Metric::SchemaValidity,
                Task::DraftJobPost,
                &brief,
                Some(&invalid),
                &json!({})
            ),
            Some(0.0)
        );
        assert_eq!(
            score_task(
                Metric::SchemaValidity,
                Task::DraftJobPost,
                &brief,
                None,
                &json!({})
            ),
            Some(0.0)
        );
    }

    fn rubric(scores: &[(&str, u8)]) -> Value {
        json!({"scores": scores.iter().map(|(c, s)| json!({"criterion": c, "score": s, "justification": "x"})).collect::<Vec<_>>(), "overall": 3.0})
    }

    #[test]
    fn rubric_metrics() {
        let gold = rubric(&[("skill_fit", 5), ("rate_fit", 1), ("availability", 3)]);
        let s = |m, a: &Value| score_task(m, Task::EvaluateCandidate, &json!({}), Some(a), &gold);
        // Same order, different values: rho = 1; errors 1, 1, 0 → MAE 2/3.
        let close = rubric(&[("skill_fit", 4), ("rate_fit", 2), ("availability", 3)]);
        assert!((s(Metric::RubricSpearman, &close).expect("defined") - 1.0).abs() < 1e-12);
        assert!((s(Metric::RubricMae, &close).expect("scored") - 2.0 / 3.0).abs() < 1e-12);
        // Reversed: rho = −1. Missing availability scores 0 for rho and costs 4 for MAE:
        // predicted (5, 1, 0) vs gold (5, 1, 3): ranks (3, 2, 1) vs (3, 1, 2) → rho = 0.5.
        let reversed = rubric(&[("skill_fit", 1), ("rate_fit", 5), ("availability", 3)]);
        assert!((s(Metric::RubricSpearman, &reversed).expect("defined") + 1.0).abs() < 1e-12);
        let missing = rubric(&[("skill_fit", 5), ("rate_fit", 1)]);
        assert!((s(Metric::RubricSpearman, &missing).expect("defined") - 0.5).abs() < 1e-12);
        assert!((s(Metric::RubricMae, &missing).expect("scored") - 4.0 / 3.0).abs() < 1e-12);
        // A constant side leaves rho undefined; an invalid answer scores the worst MAE.
        assert_eq!(
            s(
                Metric::RubricSpearman,
                &rubric(&[("skill_fit", 3), ("rate_fit", 3), ("availability", 3)])
            ),
            None
        );
        assert_eq!(
            score_task(
                Metric::RubricMae,
                Task::EvaluateCandidate,
                &json!({}),
                None,
                &gold
            ),
            Some(4.0)
        );
    }

    #[test]
    fn rankings_reuse_heldout_ndcg() {
        let gold = json!({"ranking": [{"profile_id": "a", "score": 0.9}, {"profile_id": "b", "score": 0.5}]});
        let swapped = json!({"ranking": [{"profile_id": "b", "score": 0.9}, {"profile_id": "a", "score": 0.5}]});
        // DCG = 0.5 + 0.9 / log2 3; IDCG = 0.9 + 0.5 / log2 3.
        let l3 = 3f64.log2();
        let got = score_task(
            Metric::Ndcg5,
            Task::RankCandidates,
            &json!({}),
            Some(&swapped),
            &gold,
        )
        .expect("scored");
        assert!((got - (0.5 + 0.9 / l3) / (0.9 + 0.5 / l3)).abs() < 1e-12);
    }
}
