//! Few-shot prompting: solved examples placed before the question, as earlier user and assistant
//! turns after the task's system message. They are rendered with the same prompt functions that
//! training uses (`hirelm_core::user_message`, `assistant_message`), so a demonstration reads
//! exactly like a training example, and they sit in the per-task prompt prefix whose KV cache is
//! computed once: their cost is one prefill per task, plus longer attention for every answer.
//!
//! This is how an off-the-shelf model is given the task's format without fine-tuning, the
//! baseline a tuned model has to beat besides the zero-shot one.

use hirelm_core::{Task, assistant_message, task_instruction, user_message, validate};
use hirelm_model::{ChatMessage, Role};
use serde_json::Value;

use crate::error::{InferError, Result};

/// One solved example of a task: an input and the answer it should get (built by
/// [`Demonstration::new`], which checks the answer).
#[derive(Debug, Clone, PartialEq)]
pub struct Demonstration {
    input: Value,
    answer: Value,
}

impl Demonstration {
    /// A demonstration of `task`; the answer must validate against the task's output schema (a
    /// demonstration of an invalid answer would teach the wrong format).
    pub fn new(task: Task, input: Value, answer: Value) -> Result<Self> {
        validate(task, &answer)
            .map_err(|e| InferError::invalid(format!("{task} demonstration"), e.to_string()))?;
        Ok(Self { input, answer })
    }

    /// The task's input, as a prediction would receive it.
    pub fn input(&self) -> &Value {
        &self.input
    }

    /// The answer, valid against the task's output schema.
    pub fn answer(&self) -> &Value {
        &self.answer
    }
}

/// The messages before the question: the task's system message, then each demonstration as a
/// user turn and the assistant's answer.
pub(crate) fn prompt_prefix(task: Task, demonstrations: &[Demonstration]) -> Vec<ChatMessage> {
    let mut messages = vec![ChatMessage::new(Role::System, task_instruction(task))];
    for demo in demonstrations {
        messages.push(ChatMessage::new(Role::User, user_message(&demo.input)));
        messages.push(ChatMessage::new(
            Role::Assistant,
            assistant_message(&demo.answer),
        ));
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn demonstrations_follow_the_system_message_as_turn_pairs() {
        let demo = Demonstration::new(
            Task::ExtractSkills,
            json!("Knowledge of SQL."),
            json!({"skills": ["SQL"]}),
        )
        .expect("valid");
        let messages = prompt_prefix(Task::ExtractSkills, &[demo.clone(), demo]);
        let roles: Vec<Role> = messages.iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                Role::System,
                Role::User,
                Role::Assistant,
                Role::User,
                Role::Assistant
            ]
        );
        assert_eq!(messages[1].content, "Knowledge of SQL.");
        assert_eq!(messages[2].content, r#"{"skills":["SQL"]}"#);
        assert_eq!(
            prompt_prefix(Task::ExtractSkills, &[]).len(),
            1,
            "zero-shot: the system message alone"
        );
    }

    #[test]
    fn an_answer_outside_the_schema_is_refused() {
        let err = Demonstration::new(Task::ExtractSkills, json!("x"), json!({"skill": "SQL"}))
            .unwrap_err();
        assert!(
            err.to_string().contains("extract_skills demonstration"),
            "{err}"
        );
    }
}
