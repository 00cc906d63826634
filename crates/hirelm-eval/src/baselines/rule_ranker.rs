//! The classical `rank_candidates` baseline: every candidate scored by the rule-based matcher
//! ([`super::rule_matcher::rule_match`] on `{job, candidate}`), best first.
//!
//! Ties (the matcher's scores are coarse: coverage steps and a 0/1 rate fit) are broken by the
//! candidate id, not by input order, so the baseline is invariant to the order of the candidate
//! list by construction and the `reorder_fields` pack measures the language models alone. The
//! score of each ranked entry is the matcher's score, so the answer has the task's shape
//! (`{"ranking": [{"profile_id", "score"}]}`). The `rule-matcher` predictor answers this task
//! through [`rule_rank`].

use serde_json::{Value, json};

use super::rule_matcher::rule_match;
use crate::{EvalError, Result};

/// The ranking of a `rank_candidates` input; `Err` names the missing field.
pub fn rule_rank(input: &Value) -> Result<Value> {
    let job = input
        .get("job")
        .ok_or_else(|| EvalError::Invalid("rank_candidates input has no `job`".into()))?;
    let candidates = input
        .get("candidates")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            EvalError::Invalid("rank_candidates input has no `candidates` array".into())
        })?;
    let mut scored: Vec<(String, f64)> = Vec::with_capacity(candidates.len());
    for (i, candidate) in candidates.iter().enumerate() {
        let id = candidate
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| EvalError::Invalid(format!("`candidates[{i}].id` is not a string")))?;
        let answer = rule_match(&json!({"job": job, "candidate": candidate}))?;
        scored.push((id.to_string(), answer["score"].as_f64().unwrap_or(0.0)));
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let ranking: Vec<Value> = scored
        .into_iter()
        .map(|(id, score)| json!({"profile_id": id, "score": score}))
        .collect();
    Ok(json!({ "ranking": ranking }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &str, skills: &[&str], rate: f64) -> Value {
        json!({"id": id, "name": "N", "headline": "h", "skills": skills, "hourly_rate_usd": rate, "time_zone": "UTC", "hours_per_week": 20})
    }

    #[test]
    fn ranks_by_rule_score_then_id() {
        let job = json!({"title": "t", "required_skills": ["SQL", "Go"], "budget": {"kind": "hourly", "min_usd": 20.0, "max_usd": 50.0}, "time_zone": "UTC", "hours_per_week": 20});
        // c: both skills, in budget → 1.0; b and a: one skill, in budget → 0.75 (tie: a before b);
        // d: both skills over budget → 0.8.
        let input = json!({"job": job, "candidates": [candidate("b", &["sql"], 30.0), candidate("c", &["SQL", "go"], 30.0), candidate("a", &["Go"], 30.0), candidate("d", &["SQL", "Go"], 90.0)]});
        let r = rule_rank(&input).expect("ranks");
        let order: Vec<(&str, f64)> = r["ranking"]
            .as_array()
            .expect("list")
            .iter()
            .map(|e| {
                (
                    e["profile_id"].as_str().unwrap_or(""),
                    e["score"].as_f64().unwrap_or(-1.0),
                )
            })
            .collect();
        assert_eq!(order, [("c", 1.0), ("d", 0.8), ("a", 0.75), ("b", 0.75)]);
        hirelm_core::validate(hirelm_core::Task::RankCandidates, &r).expect("schema-valid");
        let mut reversed = input.clone();
        reversed["candidates"]
            .as_array_mut()
            .expect("list")
            .reverse();
        assert_eq!(rule_rank(&reversed).expect("ranks"), r, "order-invariant");
    }

    #[test]
    fn bad_inputs_name_the_field() {
        assert!(
            rule_rank(&json!({"candidates": []}))
                .unwrap_err()
                .to_string()
                .contains("`job`")
        );
        assert!(
            rule_rank(&json!({"job": {}}))
                .unwrap_err()
                .to_string()
                .contains("`candidates`")
        );
        let err = rule_rank(&json!({"job": {}, "candidates": [{"name": "x"}]}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("candidates[0].id"), "{err}");
    }
}
