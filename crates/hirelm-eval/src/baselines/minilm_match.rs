//! [`MiniLmMatcher`]: `score_match` and `rank_candidates` by all-MiniLM-L6-v2 similarity of the
//! job and each candidate, the embedding baseline for matching (`minilm-nn` in suites).
//!
//! | text | built from |
//! | --- | --- |
//! | job | `{title}. Required skills: {required_skills, comma-separated}.` |
//! | candidate | `{headline}. Skills: {skills, comma-separated}.` |
//!
//! The score is the cosine similarity of the two unit embeddings clamped to [0, 1] and rounded to
//! hundredths (rankings sort on the unrounded value); the label uses the rule matcher's cut-offs ([`super::rule_matcher::THRESHOLDS`])
//! unchanged, not fitted to these scores, so it is an untuned baseline. It reads neither rates,
//! time zones, hours nor names: `rate_fit`, `time_zone_overlap` and `availability` are reported
//! as 1 (unread, as the rule matcher does for the parts it does not read), and `skill_coverage`
//! as the score. Rankings sort by similarity, ties by candidate id, so the candidates' order in the
//! input cannot change them. Texts are embedded one at a time: a padded batch changes float sums.

use hirelm_core::Task;
use hirelm_core::match_label as label;
use serde_json::{Value, json};

use super::nn::MiniLm;
use super::rule_matcher::THRESHOLDS;
use crate::predictor::hash_parts;
use crate::{DecodingParams, EvalError, Prediction, Predictor, Result};

/// The embedding matcher over a loaded MiniLM.
#[derive(Debug)]
pub struct MiniLmMatcher<'a> {
    model: &'a MiniLm,
}

fn strings(value: &Value, field: &str) -> Result<Vec<String>> {
    value
        .get(field)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .ok_or_else(|| EvalError::Invalid(format!("`{field}` is not a list of strings")))
}

fn text(value: &Value, field: &str) -> Result<String> {
    value
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| EvalError::Invalid(format!("`{field}` is not a string")))
}

/// The job's text.
pub fn job_text(job: &Value) -> Result<String> {
    Ok(format!(
        "{}. Required skills: {}.",
        text(job, "title")?,
        strings(job, "required_skills")?.join(", ")
    ))
}

/// A candidate's text.
pub fn candidate_text(candidate: &Value) -> Result<String> {
    Ok(format!(
        "{}. Skills: {}.",
        text(candidate, "headline")?,
        strings(candidate, "skills")?.join(", ")
    ))
}

/// Hundredths, as the curated scores are written.
fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl<'a> MiniLmMatcher<'a> {
    /// The matcher over `model`.
    pub fn new(model: &'a MiniLm) -> Self {
        Self { model }
    }

    fn embed(&self, text: &str) -> Result<Vec<f32>> {
        self.model
            .encoder
            .embed(&[text])
            .map_err(|e| EvalError::Invalid(format!("embedding: {e}")))?
            .pop()
            .ok_or_else(|| EvalError::Invalid("embedding: no vector".into()))
    }

    /// Cosine similarity of a job and a candidate, clamped to [0, 1].
    fn similarity(&self, job: &[f32], candidate: &Value) -> Result<f64> {
        let c = self.embed(&candidate_text(candidate)?)?;
        let cosine: f32 = job.iter().zip(&c).map(|(a, b)| a * b).sum();
        Ok(f64::from(cosine).clamp(0.0, 1.0))
    }

    fn answer(&self, task: Task, input: &Value) -> Result<Value> {
        let job = input
            .get("job")
            .ok_or_else(|| EvalError::Invalid(format!("{task} input has no `job`")))?;
        let job = self.embed(&job_text(job)?)?;
        match task {
            Task::ScoreMatch => {
                let candidate = input.get("candidate").ok_or_else(|| {
                    EvalError::Invalid("score_match input has no `candidate`".into())
                })?;
                let score = round(self.similarity(&job, candidate)?);
                Ok(
                    json!({"label": label(score), "score": score, "components": {"skill_coverage": score, "rate_fit": 1.0, "time_zone_overlap": 1.0, "availability": 1.0}}),
                )
            }
            Task::RankCandidates => {
                let candidates = input
                    .get("candidates")
                    .and_then(Value::as_array)
                    .ok_or_else(|| {
                        EvalError::Invalid("rank_candidates input has no `candidates` array".into())
                    })?;
                let mut scored = Vec::with_capacity(candidates.len());
                for c in candidates {
                    scored.push((text(c, "id")?, self.similarity(&job, c)?));
                }
                // Sorted on the raw similarity; rounded only for the answer.
                scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                Ok(
                    json!({"ranking": scored.into_iter().map(|(id, s)| json!({"profile_id": id, "score": round(s)})).collect::<Vec<_>>()}),
                )
            }
            _ => Err(EvalError::UnsupportedTask {
                predictor: "minilm-nn".into(),
                task: task.to_string(),
            }),
        }
    }
}

impl Predictor for MiniLmMatcher<'_> {
    fn name(&self) -> &str {
        "minilm-nn"
    }

    fn content_hash(&self) -> String {
        hash_parts([
            b"minilm-match v1".as_slice(),
            self.model.hash.as_bytes(),
            format!("{THRESHOLDS:?}").as_bytes(),
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

    #[test]
    fn texts_name_the_fields_they_read_and_labels_follow_the_rule_cut_offs() {
        let job = json!({"title": "data engineer", "required_skills": ["SQL", "Rust"]});
        assert_eq!(
            job_text(&job).expect("job"),
            "data engineer. Required skills: SQL, Rust."
        );
        let candidate = json!({"headline": "software developer", "skills": ["Go"]});
        assert_eq!(
            candidate_text(&candidate).expect("candidate"),
            "software developer. Skills: Go."
        );
        let err = job_text(&json!({"title": "x"})).unwrap_err().to_string();
        assert!(err.contains("required_skills"), "{err}");
        assert_eq!(
            [
                label(0.8),
                label(0.79),
                label(0.65),
                label(0.45),
                label(0.44)
            ],
            ["strong", "good", "good", "partial", "poor"]
        );
    }
}
