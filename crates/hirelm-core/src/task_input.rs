//! One reading of a task's input, shared by the server, the evaluation predictors and the fuzz
//! target: the structured tasks' inputs as their [`crate::record`] type (read and written back,
//! so field order and defaults are the typed API's: what the prompt carries), the text tasks'
//! as their text.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Task;
use crate::error::CoreError;
use crate::record::{ClientBrief, EvaluationInput, InterviewRequest, MatchInput, RankInput};

/// The record type each structured task reads, by name (for messages).
pub fn input_type(task: Task) -> &'static str {
    match task {
        Task::ScoreMatch => "MatchInput",
        Task::RankCandidates => "RankInput",
        Task::EvaluateCandidate => "EvaluationInput",
        Task::DraftJobPost => "ClientBrief",
        Task::ScheduleInterview => "InterviewRequest",
        Task::ExtractSkills | Task::NormaliseTitle => "a JSON string or {\"text\": \"...\"}",
    }
}

/// `input` as `task` reads it: a structured task's record type read and written back; a text
/// task's text (a JSON string, or an object's `text` field) as a JSON string. An input of
/// another shape is [`CoreError::InvalidInput`], naming the type expected.
pub fn canonical_input(task: Task, input: &Value) -> Result<Value, CoreError> {
    match task {
        Task::ScoreMatch => record::<MatchInput>(task, input),
        Task::RankCandidates => record::<RankInput>(task, input),
        Task::EvaluateCandidate => record::<EvaluationInput>(task, input),
        Task::DraftJobPost => record::<ClientBrief>(task, input),
        Task::ScheduleInterview => record::<InterviewRequest>(task, input),
        Task::ExtractSkills | Task::NormaliseTitle => {
            let text = match input {
                Value::String(text) => Some(text),
                Value::Object(object) => object.get("text").and_then(|t| match t {
                    Value::String(text) => Some(text),
                    _ => None,
                }),
                _ => None,
            };
            text.map(|t| Value::String(t.clone()))
                .ok_or_else(|| invalid(task, "no text".into()))
        }
    }
}

fn record<T: DeserializeOwned + Serialize>(task: Task, input: &Value) -> Result<Value, CoreError> {
    let record: T = T::deserialize(input).map_err(|e| invalid(task, e.to_string()))?;
    serde_json::to_value(record).map_err(|e| invalid(task, e.to_string()))
}

fn invalid(task: Task, reason: String) -> CoreError {
    CoreError::InvalidInput {
        task,
        expected: input_type(task),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_tasks_take_a_string_or_a_text_field() {
        for input in [json!("Rust and SQL"), json!({"text": "Rust and SQL"})] {
            assert_eq!(
                canonical_input(Task::ExtractSkills, &input).expect("text"),
                json!("Rust and SQL")
            );
        }
        let e = canonical_input(Task::NormaliseTitle, &json!({"title": 3})).expect_err("shape");
        assert!(e.to_string().contains("normalise_title"), "{e}");
    }

    #[test]
    fn structured_inputs_are_read_as_their_record_and_are_canonical_once_read() {
        // Keys out of the record's order: reading and writing back puts them in its order.
        let input = json!({
            "candidate": {"skills": ["Rust"], "name": "Ada", "id": "c1", "headline": "developer",
                "hourly_rate_usd": 80.0, "time_zone": "Europe/Paris", "hours_per_week": 30},
            "job": {"title": "developer", "required_skills": ["Rust"], "time_zone": "Europe/Paris",
                "budget": {"kind": "hourly", "min_usd": 60.0, "max_usd": 90.0}, "hours_per_week": 20},
        });
        let once = canonical_input(Task::ScoreMatch, &input).expect("a MatchInput");
        assert_eq!(
            canonical_input(Task::ScoreMatch, &once).expect("again"),
            once
        );
        let e = canonical_input(Task::ScoreMatch, &json!({"job": 3})).expect_err("not one");
        assert!(e.to_string().contains("MatchInput"), "{e}");
    }
}
