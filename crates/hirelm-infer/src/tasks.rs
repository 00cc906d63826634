//! Typed hiring APIs: `hirelm-core` records in, `hirelm-core` records out. Each call is one
//! constrained answer ([`DomainModel::answer_with_schema`]); where the caller knows the valid
//! choices (candidate ids, retrieved skills or occupations) the schema is narrowed to them, so the
//! model can only pick among them.

use hirelm_core::record::{
    ClientBrief, Evaluation, EvaluationInput, InterviewRequest, JobPost, MatchInput, MatchScore,
    Occupation, RankInput, RankedCandidate, Skill, Slot,
};
use hirelm_core::{Task, output_schema};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::domain::DomainModel;
use crate::error::{InferError, Result};

/// `schema` with the string at `pointer` (a JSON pointer into the schema) restricted to `choices`,
/// e.g. `narrow(output_schema(Task::ExtractSkills), "/properties/skills/items", &labels)`.
pub fn narrow(mut schema: Value, pointer: &str, choices: &[String]) -> Value {
    if let Some(node) = schema.pointer_mut(pointer) {
        *node = json!({"type": "string", "enum": choices});
    }
    schema
}

/// The schema a task's answer is decoded under for `input`: the task's output schema, with
/// `rank_candidates`' `profile_id` narrowed to the input's candidate ids (the typed
/// [`DomainModel::rank_candidates`] and evaluation predictors use the same narrowing).
pub fn task_schema(task: Task, input: &Value) -> Value {
    let schema = output_schema(task);
    if task != Task::RankCandidates {
        return schema;
    }
    let ids: Vec<String> = input["candidates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .map(str::to_string)
        .collect();
    narrow(
        schema,
        "/properties/ranking/items/properties/profile_id",
        &ids,
    )
}

fn to_input<T: serde::Serialize>(task: Task, record: &T) -> Result<Value> {
    serde_json::to_value(record)
        .map_err(|e| InferError::invalid(format!("{task} input"), e.to_string()))
}

fn from_answer<T: DeserializeOwned>(task: Task, value: Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| InferError::Answer {
        task,
        reason: e.to_string(),
    })
}

fn ensure_choices(task: Task, what: &str, n: usize) -> Result<()> {
    if n == 0 {
        return Err(InferError::invalid(
            format!("{task} {what}"),
            "needs at least one",
        ));
    }
    Ok(())
}

impl DomainModel {
    /// A structured job post for a client's brief.
    pub fn draft_job_post(&self, brief: &ClientBrief) -> Result<JobPost> {
        let task = Task::DraftJobPost;
        from_answer(task, self.answer(task, &to_input(task, brief)?)?.value)
    }

    /// The skills a job-ad sentence asks for, most relevant first, as free ESCO-style labels.
    pub fn extract_skills(&self, sentence: &str) -> Result<Vec<String>> {
        let answer = self.answer(Task::ExtractSkills, &Value::String(sentence.to_string()))?;
        Ok(answer.value["skills"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect())
    }

    /// The skills a sentence asks for, chosen among `candidates` (e.g. MiniLM's nearest ESCO
    /// skills), most relevant first, with their URIs.
    pub fn extract_skills_among(&self, sentence: &str, candidates: &[Skill]) -> Result<Vec<Skill>> {
        let task = Task::ExtractSkills;
        ensure_choices(task, "candidates", candidates.len())?;
        let labels: Vec<String> = candidates.iter().map(|s| s.label.clone()).collect();
        let schema = narrow(output_schema(task), "/properties/skills/items", &labels);
        let answer =
            self.answer_with_schema(task, &Value::String(sentence.to_string()), &schema)?;
        let chosen = answer.value["skills"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut out: Vec<Skill> = Vec::new();
        for label in chosen.iter().filter_map(Value::as_str) {
            if let Some(skill) = candidates.iter().find(|s| s.label == label)
                && !out.contains(skill)
            {
                out.push(skill.clone());
            }
        }
        Ok(out)
    }

    /// The ESCO occupation of a job title, chosen among `candidates` (e.g. retrieved by MiniLM):
    /// a 135M model cannot recall ESCO URIs, so it picks a candidate's label.
    pub fn normalise_title(&self, title: &str, candidates: &[Occupation]) -> Result<Occupation> {
        let task = Task::NormaliseTitle;
        ensure_choices(task, "candidates", candidates.len())?;
        let uris: Vec<String> = candidates.iter().map(|o| o.esco_uri.clone()).collect();
        let labels: Vec<String> = candidates.iter().map(|o| o.label.clone()).collect();
        let schema = narrow(
            narrow(output_schema(task), "/properties/esco_uri", &uris),
            "/properties/label",
            &labels,
        );
        let answer = self.answer_with_schema(task, &Value::String(title.to_string()), &schema)?;
        // The label is the model's informed choice; the URI comes from the taxonomy.
        let label = answer.value["label"].as_str().unwrap_or_default();
        candidates
            .iter()
            .find(|o| o.label == label)
            .cloned()
            .ok_or_else(|| InferError::Answer {
                task,
                reason: format!("label `{label}` is not a candidate"),
            })
    }

    /// How well a candidate fits a job: label, score and its four components.
    pub fn score_match(&self, input: &MatchInput) -> Result<MatchScore> {
        let task = Task::ScoreMatch;
        from_answer(task, self.answer(task, &to_input(task, input)?)?.value)
    }

    /// The candidates ranked for the job, best first; every id is one of the input's.
    pub fn rank_candidates(&self, input: &RankInput) -> Result<Vec<RankedCandidate>> {
        let task = Task::RankCandidates;
        ensure_choices(task, "candidates", input.candidates.len())?;
        let input = to_input(task, input)?;
        let answer = self.answer_with_schema(task, &input, &task_schema(task, &input))?;
        from_answer(task, answer.value["ranking"].clone())
    }

    /// Rubric scores (1–5) with short justifications, from the job, profile and interview notes.
    pub fn evaluate_candidate(&self, input: &EvaluationInput) -> Result<Evaluation> {
        let task = Task::EvaluateCandidate;
        from_answer(task, self.answer(task, &to_input(task, input)?)?.value)
    }

    /// Interview slots (UTC) that fit both availabilities.
    pub fn schedule_interview(&self, request: &InterviewRequest) -> Result<Vec<Slot>> {
        let task = Task::ScheduleInterview;
        from_answer(
            task,
            self.answer(task, &to_input(task, request)?)?.value["slots"].clone(),
        )
    }
}
