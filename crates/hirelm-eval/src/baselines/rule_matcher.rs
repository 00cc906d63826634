//! [`RuleMatcher`]: the classical `score_match` baseline, a two-factor rule that needs no model.
//!
//! It reads only the required skills, the candidate's skills, the rate and the budget:
//!
//! | part | definition |
//! | --- | --- |
//! | `skill_coverage` | required skills the candidate lists (case-insensitive labels) ÷ required skills; 1 when none are required |
//! | `rate_fit` | 1 when the hourly rate is at most the budget maximum, else 0 |
//! | `score` | 0.5 · skill_coverage + 0.2 · rate_fit + 0.3, rounded to hundredths |
//! | `label` | `strong` from 0.80, `good` from 0.65, `partial` from 0.45, else `poor` |
//!
//! The constant 0.3 stands for the time-zone and availability parts, which the matcher does not
//! read and assumes fully met (and reports as 1), so its scores sit on the same scale as the
//! curated targets. It is deliberately simpler than the rule that labels the data
//! (`hirelm-curate`'s `match_rule.rs`: graded rate fit, time-zone overlap, availability, a cap on
//! low coverage), so it is a baseline to beat, not an oracle: it shares only the label
//! thresholds with it ([`hirelm_core::MATCH_THRESHOLDS`]).

use hirelm_core::Task;
use serde_json::{Value, json};

use crate::predictor::hash_parts;
use crate::{DecodingParams, EvalError, Prediction, Predictor, Result};

/// Weights of skill coverage and rate fit; the rest of 1 is the constant for unread parts.
pub const WEIGHTS: (f64, f64) = (0.5, 0.2);
/// Lowest scores of `strong`, `good` and `partial`: [`hirelm_core::MATCH_THRESHOLDS`] as
/// fractions (the labels come from [`hirelm_core::match_label`]; this form enters the
/// predictor's fingerprint, as it always has).
pub const THRESHOLDS: [f64; 3] = {
    let [strong, good, partial] = hirelm_core::MATCH_THRESHOLDS;
    [
        strong as f64 / 100.0,
        good as f64 / 100.0,
        partial as f64 / 100.0,
    ]
};

/// The rule-based matcher (`rule-matcher` in suites).
#[derive(Debug, Clone, Default)]
pub struct RuleMatcher;

impl RuleMatcher {
    /// The matcher's answer to `task` (score_match, or rank_candidates by its score), valid
    /// against the task's schema; `Err` for another task or an input field it cannot read.
    pub fn answer(&self, task: Task, input: &Value) -> Result<Value> {
        match task {
            Task::ScoreMatch => rule_match(input),
            Task::RankCandidates => super::rule_ranker::rule_rank(input),
            _ => Err(EvalError::UnsupportedTask {
                predictor: self.name().into(),
                task: task.to_string(),
            }),
        }
    }
}

fn labels(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_lowercase)
        .collect()
}

/// The matcher's answer for a `score_match` input; `Err` names the missing field.
pub fn rule_match(input: &Value) -> Result<Value> {
    let field = |pointer: &str| {
        input
            .pointer(pointer)
            .ok_or_else(|| EvalError::Invalid(format!("score_match input has no `{pointer}`")))
    };
    let required = labels(Some(field("/job/required_skills")?));
    let listed = labels(Some(field("/candidate/skills")?));
    let rate = field("/candidate/hourly_rate_usd")?
        .as_f64()
        .ok_or_else(|| EvalError::Invalid("`/candidate/hourly_rate_usd` is not a number".into()))?;
    let max = field("/job/budget/max_usd")?
        .as_f64()
        .ok_or_else(|| EvalError::Invalid("`/job/budget/max_usd` is not a number".into()))?;
    let coverage = if required.is_empty() {
        1.0
    } else {
        required.iter().filter(|r| listed.contains(r)).count() as f64 / required.len() as f64
    };
    let rate_fit = if rate <= max { 1.0 } else { 0.0 };
    let score = ((WEIGHTS.0 * coverage + WEIGHTS.1 * rate_fit + (1.0 - WEIGHTS.0 - WEIGHTS.1))
        * 100.0)
        .round()
        / 100.0;
    let label = hirelm_core::match_label(score);
    let round = |x: f64| (x * 100.0).round() / 100.0;
    Ok(json!({
        "label": label,
        "score": score,
        "components": {"skill_coverage": round(coverage), "rate_fit": rate_fit, "time_zone_overlap": 1.0, "availability": 1.0},
    }))
}

impl Predictor for RuleMatcher {
    fn name(&self) -> &str {
        "rule-matcher"
    }

    fn content_hash(&self) -> String {
        hash_parts([
            b"rule-matcher".as_slice(),
            format!("{WEIGHTS:?}{THRESHOLDS:?}").as_bytes(),
        ])
    }

    fn supports(&self, task: Task) -> bool {
        matches!(task, Task::ScoreMatch | Task::RankCandidates)
    }

    fn predict(&self, task: Task, input: &Value) -> Result<Prediction> {
        Ok(Prediction::json(
            &self.answer(task, input)?,
            DecodingParams {
                top_k: None,
                ..DecodingParams::deterministic(0)
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(required: &[&str], skills: &[&str], rate: f64) -> Value {
        json!({
            "job": {"title": "t", "required_skills": required, "budget": {"kind": "hourly", "min_usd": 20.0, "max_usd": 50.0}, "time_zone": "UTC", "hours_per_week": 20},
            "candidate": {"id": "c", "name": "Ann", "headline": "h", "skills": skills, "hourly_rate_usd": rate, "time_zone": "UTC", "hours_per_week": 20},
        })
    }

    #[test]
    fn hand_computed_scores_and_labels() {
        let m = RuleMatcher;
        let answer = |i: &Value| {
            crate::io::parse_match(&m.predict(Task::ScoreMatch, i).expect("answers").raw)
                .expect("valid")
        };
        // 2 of 3 covered (case-insensitive), rate within budget: 0.5·2/3 + 0.2 + 0.3 = 0.8333 → 0.83 strong.
        let a = answer(&input(
            &["SQL", "Rust", "Go"],
            &["sql", "rust", "Excel"],
            50.0,
        ));
        assert_eq!((a.label.as_str(), a.score), ("strong", 0.83));
        // Same coverage, rate over budget: 0.6333 → 0.63 partial.
        let b = answer(&input(&["SQL", "Rust", "Go"], &["sql", "rust"], 50.01));
        assert_eq!((b.label.as_str(), b.score), ("partial", 0.63));
        // Nothing covered, within budget: 0.5 partial; over budget: 0.3 poor.
        assert_eq!(answer(&input(&["SQL"], &[], 10.0)).label, "partial");
        assert_eq!(answer(&input(&["SQL"], &[], 99.0)).score, 0.3);
        // Half covered, within budget: 0.75 good; no required skills: 1.0 strong.
        assert_eq!(answer(&input(&["SQL", "Go"], &["Go"], 10.0)).label, "good");
        assert_eq!(answer(&input(&[], &[], 10.0)).score, 1.0);
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let m = RuleMatcher;
        let err = m
            .predict(Task::ScoreMatch, &json!({"job": {}}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("required_skills"), "{err}");
        assert!(
            m.predict(Task::ExtractSkills, &json!({"text": "x"}))
                .is_err()
        );
    }
}
