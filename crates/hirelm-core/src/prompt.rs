//! The prompt of every task: one instruction (system message), the input as the user message and
//! the target as the assistant's answer. Training renders examples with these functions and
//! inference asks with them, so the two can never drift apart.

use serde_json::Value;

use crate::Task;
use crate::schema::output_schema;

/// What the model is asked to do for `task`, in one sentence.
fn task_goal(task: Task) -> &'static str {
    match task {
        Task::DraftJobPost => "Write a job post for the client's brief.",
        Task::ExtractSkills => {
            "List the ESCO skills that the job-ad sentence asks for, most relevant first."
        }
        Task::NormaliseTitle => "Map the job title to its ESCO occupation.",
        Task::ScoreMatch => "Score how well the freelancer profile matches the job.",
        Task::RankCandidates => "Rank the candidate profiles for the job, best first.",
        Task::ScheduleInterview => {
            "Find interview slots that fit both availabilities and the constraints."
        }
        Task::EvaluateCandidate => {
            "Score the candidate against the rubric with short justifications."
        }
    }
}

/// The system message for `task`: the goal and the exact JSON shape of the answer.
pub fn task_instruction(task: Task) -> String {
    let schema = output_schema(task);
    format!(
        "You are hirelm, a hiring assistant. Task: {task}. {} Answer with one JSON object only, valid against this JSON schema: {schema}",
        task_goal(task)
    )
}

/// The user message for an input: text inputs verbatim, records as JSON.
pub fn user_message(input: &Value) -> String {
    match input {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The assistant's answer for a target: compact JSON with sorted keys (serde_json's map order),
/// so there is one canonical answer text per target.
pub fn assistant_message(target: &Value) -> String {
    target.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruction_names_the_task_and_embeds_its_schema() {
        for task in Task::ALL {
            let text = task_instruction(task);
            assert!(text.contains(task.name()), "{text}");
            assert!(text.contains(&output_schema(task).to_string()));
        }
    }

    #[test]
    fn messages_render_text_verbatim_and_records_as_json() {
        assert_eq!(
            user_message(&Value::String("Senior Rust dev".into())),
            "Senior Rust dev"
        );
        let record = serde_json::json!({"title": "Nurse", "skills": ["triage"]});
        assert_eq!(
            user_message(&record),
            r#"{"skills":["triage"],"title":"Nurse"}"#
        );
        assert_eq!(
            assistant_message(&serde_json::json!({"skills": []})),
            r#"{"skills":[]}"#
        );
    }
}
