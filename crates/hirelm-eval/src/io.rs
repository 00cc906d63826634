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

/// Parses a ranked output: the ids, best first. `Err` says why the output is invalid.
pub fn parse_ranked(task: Task, raw: &str) -> Result<Vec<String>, String> {
    let (list, item) =
        ranked_keys(task).ok_or_else(|| format!("task `{task}` has no ranked output"))?;
    let value: Value = serde_json::from_str(raw).map_err(|e| format!("not JSON: {e}"))?;
    let items = value
        .get(list)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("missing array `{list}`"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.get(item)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("`{list}[{i}].{item}` is not a string"))
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
pub fn parse_match(raw: &str) -> Result<MatchOutput, String> {
    let value: Value = serde_json::from_str(raw).map_err(|e| format!("not JSON: {e}"))?;
    let label = value
        .get("label")
        .and_then(Value::as_str)
        .ok_or("missing string `label`")?;
    if !hirelm_core::MATCH_LABELS.contains(&label) {
        return Err(format!(
            "`label` `{label}` is not one of {}",
            hirelm_core::MATCH_LABELS.join(", ")
        ));
    }
    let score = value
        .get("score")
        .and_then(Value::as_f64)
        .ok_or("missing number `score`")?;
    if !(0.0..=1.0).contains(&score) {
        return Err(format!("`score` {score} is outside [0, 1]"));
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
                .contains("not JSON")
        );
        assert!(
            parse_match(r#"{"label":"great","score":0.7}"#)
                .unwrap_err()
                .contains("`great`")
        );
        assert!(
            parse_match(r#"{"label":"good"}"#)
                .unwrap_err()
                .contains("score")
        );
        assert!(
            parse_match(r#"{"label":"good","score":1.5}"#)
                .unwrap_err()
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
                .contains("not JSON")
        );
        assert!(
            parse_ranked(Task::ExtractSkills, "{}")
                .unwrap_err()
                .contains("skills")
        );
        let bad = r#"{"skills":[{"label":3}]}"#;
        assert!(
            parse_ranked(Task::ExtractSkills, bad)
                .unwrap_err()
                .contains("skills[0].label")
        );
    }
}
