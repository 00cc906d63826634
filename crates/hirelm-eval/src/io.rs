//! The JSON shapes of the tasks' inputs and outputs at this crate's boundary.
//!
//! `hirelm-core` is gaining per-task output schemas; until the evaluation scorer moves onto them
//! these are the shapes the baselines produce and the scorer reads:
//!
//! | task | input | output |
//! | --- | --- | --- |
//! | `extract_skills` | `{"text": "..."}` | `{"skills": [{"label": "...", "score": 0.9}, ...]}` best first |
//! | `normalise_title` | `{"title": "..."}` | `{"occupations": [{"uri": "...", "score": 0.9}, ...]}` best first |
//! | `score_match` | a `hirelm_core::record::MatchInput` | a `hirelm_core::record::MatchScore` (`label`, `score`, `components`); only `label` and `score` are scored |

use hirelm_core::Task;
use serde_json::{Value, json};

/// The input object of `task` for a text.
pub fn input_for(task: Task, text: &str) -> Value {
    match task {
        Task::NormaliseTitle => json!({ "title": text }),
        _ => json!({ "text": text }),
    }
}

/// The text field of an input object, if it has one.
pub fn input_text(task: Task, input: &Value) -> Option<&str> {
    let key = match task {
        Task::NormaliseTitle => "title",
        _ => "text",
    };
    input.get(key)?.as_str()
}

/// The (list key, item key) of a ranked output.
fn ranked_keys(task: Task) -> Option<(&'static str, &'static str)> {
    match task {
        Task::ExtractSkills => Some(("skills", "label")),
        Task::NormaliseTitle => Some(("occupations", "uri")),
        _ => None,
    }
}

/// A ranked output for `task` from `(id, score)` pairs, best first.
pub fn ranked_output(task: Task, items: &[(String, f32)]) -> Value {
    let (list, item) = ranked_keys(task).unwrap_or(("items", "id"));
    let items: Vec<Value> = items
        .iter()
        .map(|(id, s)| json!({ item: id, "score": s }))
        .collect();
    json!({ list: items })
}

/// Why a predictor's answer could not be read: the case counts as failed, and the reason goes
/// into the report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The answer is not JSON.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// A field the answer needs is absent or of another JSON type.
    #[error("missing {kind} `{field}`")]
    Missing {
        /// The field.
        field: String,
        /// The JSON type it must have (`array`, `string`, `number`).
        kind: &'static str,
    },
    /// A field holds a value the task does not allow.
    #[error("`{field}` {reason}")]
    Invalid {
        /// The field, as a path (`skills[2].label`).
        field: String,
        /// What is wrong with its value.
        reason: String,
    },
    /// The task's answers are not ranked lists.
    #[error("task `{0}` has no ranked output")]
    NotRanked(Task),
}

pub(crate) fn not_json(e: serde_json::Error) -> OutputError {
    OutputError::NotJson(e.to_string())
}

/// Parses a ranked output: the ids, best first. `Err` says why the output is invalid.
pub fn parse_ranked(task: Task, raw: &str) -> Result<Vec<String>, OutputError> {
    let (list, item) = ranked_keys(task).ok_or(OutputError::NotRanked(task))?;
    let value: Value = serde_json::from_str(raw).map_err(not_json)?;
    let items = value
        .get(list)
        .and_then(Value::as_array)
        .ok_or_else(|| OutputError::Missing {
            field: list.to_string(),
            kind: "array",
        })?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.get(item)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| OutputError::Invalid {
                    field: format!("{list}[{i}].{item}"),
                    reason: "is not a string".into(),
                })
        })
        .collect()
}

/// The scored part of a `score_match` answer.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchOutput {
    /// One of [`hirelm_core::MATCH_LABELS`].
    pub label: String,
    /// Overall score in [0, 1].
    pub score: f64,
}

impl MatchOutput {
    /// Whether the label counts as a selection (`strong` or `good`) for the adverse-impact ratio.
    pub fn selected(&self) -> bool {
        matches!(self.label.as_str(), "strong" | "good")
    }
}

/// Parses a `score_match` answer: a JSON object with a known `label` and a `score` in [0, 1].
/// `Err` says why the output is invalid (the runner counts it as a failed case).
pub fn parse_match(raw: &str) -> Result<MatchOutput, OutputError> {
    let value: Value = serde_json::from_str(raw).map_err(not_json)?;
    let missing = |field: &str, kind| OutputError::Missing {
        field: field.into(),
        kind,
    };
    let label = value
        .get("label")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("label", "string"))?;
    if !hirelm_core::MATCH_LABELS.contains(&label) {
        return Err(OutputError::Invalid {
            field: "label".into(),
            reason: format!(
                "`{label}` is not one of {}",
                hirelm_core::MATCH_LABELS.join(", ")
            ),
        });
    }
    let score = value
        .get("score")
        .and_then(Value::as_f64)
        .ok_or_else(|| missing("score", "number"))?;
    if !(0.0..=1.0).contains(&score) {
        return Err(OutputError::Invalid {
            field: "score".into(),
            reason: format!("{score} is outside [0, 1]"),
        });
    }
    Ok(MatchOutput {
        label: label.to_string(),
        score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_outputs_parse_or_say_why() {
        let ok = parse_match(r#"{"label":"good","score":0.7,"components":{}}"#).expect("parses");
        assert_eq!(
            ok,
            MatchOutput {
                label: "good".into(),
                score: 0.7
            }
        );
        assert!(
            ok.selected()
                && !parse_match(r#"{"label":"partial","score":0.5}"#)
                    .expect("parses")
                    .selected()
        );
        assert!(
            parse_match("Strong match!")
                .unwrap_err()
                .to_string()
                .contains("not JSON")
        );
        assert!(
            parse_match(r#"{"label":"great","score":0.7}"#)
                .unwrap_err()
                .to_string()
                .contains("`great`")
        );
        assert!(
            parse_match(r#"{"label":"good"}"#)
                .unwrap_err()
                .to_string()
                .contains("score")
        );
        assert!(
            parse_match(r#"{"label":"good","score":1.5}"#)
                .unwrap_err()
                .to_string()
                .contains("outside")
        );
    }

    #[test]
    fn ranked_output_round_trips() {
        let items = vec![
            ("Java (computer programming)".to_string(), 0.5),
            ("SQL".to_string(), 0.25),
        ];
        let raw = ranked_output(Task::ExtractSkills, &items).to_string();
        let ids = parse_ranked(Task::ExtractSkills, &raw).expect("parses");
        assert_eq!(ids, ["Java (computer programming)", "SQL"]);
    }

    #[test]
    fn invalid_outputs_say_why() {
        assert!(
            parse_ranked(Task::ExtractSkills, "{not json")
                .unwrap_err()
                .to_string()
                .contains("not JSON")
        );
        assert!(
            parse_ranked(Task::ExtractSkills, "{}")
                .unwrap_err()
                .to_string()
                .contains("skills")
        );
        let bad = r#"{"skills":[{"label":3}]}"#;
        assert!(
            parse_ranked(Task::ExtractSkills, bad)
                .unwrap_err()
                .to_string()
                .contains("skills[0].label")
        );
        // The reasons read as they always have in reports.
        assert_eq!(
            parse_ranked(Task::ExtractSkills, bad)
                .unwrap_err()
                .to_string(),
            "`skills[0].label` is not a string"
        );
        assert_eq!(
            parse_match(r#"{"label":"good"}"#).unwrap_err().to_string(),
            "missing number `score`"
        );
        assert_eq!(
            parse_ranked(Task::ScoreMatch, "{}")
                .unwrap_err()
                .to_string(),
            "task `score_match` has no ranked output"
        );
    }
}
