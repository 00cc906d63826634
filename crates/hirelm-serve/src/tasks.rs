//! `POST /v1/tasks/{task}`: the typed hiring APIs over HTTP. The body is the task's input record
//! (`hirelm-core`), checked before the model runs; the answer is valid against the task's schema.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, State};
use hirelm_core::{Task, canonical_input};
use hirelm_infer::tasks::task_schema;
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::state::AppState;

/// Longest text input (characters) of the text tasks.
const MAX_TEXT_CHARS: usize = 4000;

/// The input as the model sees it ([`canonical_input`], the one reading every caller shares),
/// and the schema its answer must meet.
pub fn read_task_input(task: Task, body: Value) -> Result<(Value, Value), ApiError> {
    let input = canonical_input(task, &body).map_err(|e| ApiError::bad_request(e.to_string()))?;
    match task {
        Task::ExtractSkills | Task::NormaliseTitle => {
            let text = input.as_str().unwrap_or_default();
            if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
                return Err(ApiError::bad_request(format!(
                    "{task} input: text must be 1 to {MAX_TEXT_CHARS} characters"
                )));
            }
        }
        // Only the given candidates can be ranked, so there must be some.
        Task::RankCandidates if input["candidates"].as_array().is_none_or(Vec::is_empty) => {
            return Err(ApiError::bad_request(format!(
                "{task} input: `candidates` is empty"
            )));
        }
        _ => {}
    }
    let schema = task_schema(task, &input);
    Ok((input, schema))
}

pub async fn answer(
    State(state): State<Arc<AppState>>,
    Path(task): Path<String>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let started = Instant::now();
    let result = answer_inner(&state, &task, body).await;
    let status = result.as_ref().map_or_else(|e| e.status.as_u16(), |_| 200);
    let tokens = result.as_ref().ok().map(|Json(answer)| {
        let count = |field: &str| answer["usage"][field].as_u64().unwrap_or(0);
        crate::metrics::Tokens {
            prompt: count("prompt_tokens"),
            completion: count("completion_tokens"),
        }
    });
    let path = format!("/v1/tasks/{task}");
    state
        .metrics
        .finish("tasks", &path, status, started, tokens);
    result
}

async fn answer_inner(
    state: &Arc<AppState>,
    task: &str,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let task: Task = task
        .parse()
        .map_err(|e: hirelm_core::CoreError| ApiError::not_found(e.to_string()))?;
    let Json(body) = body.map_err(ApiError::from_rejection)?;
    let (input, schema) = read_task_input(task, body)?;
    // The rule matcher answers in microseconds: no worker slot needed.
    if let Some(answer) = state.rules.answer(task, &input) {
        let value = answer.map_err(|e| ApiError::bad_request(format!("{task} input: {e}")))?;
        return Ok(Json(json!({
            "task": task.name(),
            "answer": value,
            "route": "rule",
            "usage": {"prompt_tokens": 0, "completion_tokens": 0},
        })));
    }
    let slot = state.acquire().await?;
    if state.retrieval.source(task).is_some() {
        let retrieval = Arc::clone(&state.retrieval);
        let text = input.as_str().unwrap_or_default().to_string();
        let answer = tokio::task::spawn_blocking(move || {
            let result = retrieval.answer(task, &text);
            drop(slot);
            result
        })
        .await
        .map_err(|e| ApiError::internal(format!("the retrieval task failed: {e}")))?;
        let (value, _) = answer
            .ok_or_else(|| ApiError::internal(format!("{task}: no retriever")))?
            .map_err(|e| ApiError::internal(format!("retrieval: {e}")))?;
        return Ok(Json(json!({
            "task": task.name(),
            "answer": value,
            "route": "encoder",
            "usage": {"prompt_tokens": 0, "completion_tokens": 0},
        })));
    }
    let model = Arc::clone(&state.model);
    let answer = tokio::task::spawn_blocking(move || {
        let result = model.answer_before(task, &input, &schema, Some(slot.deadline));
        drop(slot);
        result
    })
    .await
    .map_err(|e| ApiError::internal(format!("the answer task failed: {e}")))??;
    let d = &answer.decoded;
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    state
        .metrics
        .prompt_tokens
        .fetch_add(d.prompt_tokens as u64, relaxed);
    state
        .metrics
        .completion_tokens
        .fetch_add(d.tokens.len() as u64, relaxed);
    Ok(Json(json!({
        "task": task.name(),
        "answer": answer.value,
        "route": answer.route,
        "usage": {"prompt_tokens": d.prompt_tokens, "completion_tokens": d.tokens.len()},
        "timings": {"prefill_seconds": d.prefill_seconds, "decode_seconds": d.decode_seconds},
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_checked_against_their_records() {
        let (input, _) = read_task_input(Task::ExtractSkills, json!({"text": "Python and SQL"}))
            .expect("text object");
        assert_eq!(input, json!("Python and SQL"));
        let err = read_task_input(Task::ExtractSkills, json!(3)).expect_err("number");
        assert!(
            err.message.contains("is not a JSON string or {\"text\""),
            "{}",
            err.message
        );
        let err = read_task_input(Task::ScoreMatch, json!({"job": {}})).expect_err("incomplete");
        assert!(
            err.message
                .starts_with("score_match input is not MatchInput: missing field"),
            "{}",
            err.message
        );
        let err = read_task_input(Task::NormaliseTitle, json!("  ")).expect_err("blank");
        assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
    }
}
