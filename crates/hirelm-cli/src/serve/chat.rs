//! `POST /v1/chat/completions`: OpenAI's chat API, with and without streaming (server-sent
//! events), so existing OpenAI clients talk to the domain model unchanged. `response_format`
//! `json_object` / `json_schema` holds the answer to a schema with constrained decoding.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use hirelm_infer::{ChatRequest, Decoded, StopReason};
use hirelm_model::sampling::SamplingParams;
use hirelm_model::{ChatMessage, Role};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use super::api_error::ApiError;
use super::state::AppState;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The request fields we read; others (`user`, `logprobs: false`, …) are accepted and ignored.
#[derive(Debug, Deserialize)]
pub struct CompletionRequest {
    messages: Vec<MessageIn>,
    #[serde(default)]
    stream: bool,
    max_tokens: Option<usize>,
    max_completion_tokens: Option<usize>,
    temperature: Option<f32>,
    top_p: Option<f32>,
    seed: Option<u64>,
    n: Option<usize>,
    response_format: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct MessageIn {
    role: String,
    content: Value,
}

/// Text of a message's `content`: a string, or OpenAI's list of `{"type": "text", "text"}` parts.
fn content_text(content: &Value) -> Result<String, ApiError> {
    match content {
        Value::String(s) => Ok(s.clone()),
        Value::Array(parts) => parts
            .iter()
            .map(|p| {
                match (
                    p.get("type").and_then(Value::as_str),
                    p.get("text").and_then(Value::as_str),
                ) {
                    (Some("text"), Some(t)) => Ok(t.to_string()),
                    _ => Err(ApiError::bad_request(
                        "only text content parts are supported",
                    )),
                }
            })
            .collect(),
        _ => Err(ApiError::bad_request(
            "message content must be a string or a list of text parts",
        )),
    }
}

/// Checks the request against the server's limits and turns it into the model's request.
pub fn to_chat_request(req: &CompletionRequest, state: &AppState) -> Result<ChatRequest, ApiError> {
    if req.n.unwrap_or(1) != 1 {
        return Err(ApiError::bad_request("`n` must be 1"));
    }
    let mut messages = Vec::with_capacity(req.messages.len());
    for (i, m) in req.messages.iter().enumerate() {
        let role = match m.role.as_str() {
            "system" | "developer" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(ApiError::bad_request(format!(
                    "messages[{i}].role: unknown role `{other}`"
                )));
            }
        };
        messages.push(ChatMessage::new(
            role,
            content_text(&m.content).map_err(|e| {
                ApiError::bad_request(format!("messages[{i}].content: {}", e.message))
            })?,
        ));
    }
    if messages.is_empty() {
        return Err(ApiError::bad_request("`messages` is empty"));
    }
    let cap = state.limits.max_new_tokens;
    let max_new_tokens = req.max_completion_tokens.or(req.max_tokens).unwrap_or(cap);
    if max_new_tokens == 0 || max_new_tokens > cap {
        return Err(ApiError::bad_request(format!(
            "max_tokens must be 1 to {cap} on this server"
        )));
    }
    let temperature = req.temperature.unwrap_or(1.0);
    if !(0.0..=2.0).contains(&temperature) {
        return Err(ApiError::bad_request("temperature must be in [0, 2]"));
    }
    if req.top_p.is_some_and(|p| !(p > 0.0 && p <= 1.0)) {
        return Err(ApiError::bad_request("top_p must be in (0, 1]"));
    }
    let schema = match &req.response_format {
        None => None,
        Some(f) => match f.get("type").and_then(Value::as_str) {
            Some("text") => None,
            Some("json_object") => Some(json!({"type": "object"})),
            Some("json_schema") => {
                Some(f.pointer("/json_schema/schema").cloned().ok_or_else(|| {
                    ApiError::bad_request("response_format.json_schema.schema is missing")
                })?)
            }
            _ => {
                return Err(ApiError::bad_request(
                    "response_format.type must be text, json_object or json_schema",
                ));
            }
        },
    };
    let prompt_tokens = state.model.chat_prompt_tokens(&messages)?;
    if prompt_tokens > state.limits.max_prompt_tokens {
        return Err(ApiError::bad_request(format!(
            "the prompt has {prompt_tokens} tokens; this server takes at most {}",
            state.limits.max_prompt_tokens
        )));
    }
    let sampling = SamplingParams {
        temperature,
        top_p: req.top_p,
        seed: req.seed.unwrap_or(0),
        ..SamplingParams::greedy()
    };
    Ok(ChatRequest {
        messages,
        max_new_tokens,
        sampling,
        schema,
        deadline: None,
    })
}

fn finish_reason(stop: StopReason) -> &'static str {
    match stop {
        StopReason::EndOfTurn | StopReason::Complete => "stop",
        StopReason::MaxTokens | StopReason::Cancelled => "length",
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub async fn completions(
    State(state): State<Arc<AppState>>,
    body: Result<Json<CompletionRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let started = Instant::now();
    let result = completions_inner(&state, body).await;
    let status = result
        .as_ref()
        .map_or_else(|e| e.status.as_u16(), |r| r.status().as_u16());
    state
        .metrics
        .record("chat", status, started.elapsed().as_secs_f64());
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn completions_inner(
    state: &Arc<AppState>,
    body: Result<Json<CompletionRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(ApiError::from_rejection)?;
    let mut chat = to_chat_request(&req, state)?;
    let slot = state.acquire().await?;
    chat.deadline = Some(slot.deadline);
    let id = format!("chatcmpl-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let model_name = state.model.name().to_string();
    let model = Arc::clone(&state.model);
    if !req.stream {
        let decoded = tokio::task::spawn_blocking(move || {
            let result = model.chat(&chat, |_| std::ops::ControlFlow::Continue(()));
            drop(slot);
            result
        })
        .await
        .map_err(|e| ApiError::internal(format!("the chat task failed: {e}")))??;
        count(state, &decoded);
        if decoded.stop == StopReason::Cancelled {
            return Err(ApiError::timeout(format!(
                "no complete answer within {:?}",
                state.limits.timeout
            )));
        }
        let body = json!({
            "id": id, "object": "chat.completion", "created": now(), "model": model_name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": decoded.text}, "finish_reason": finish_reason(decoded.stop)}],
            "usage": {"prompt_tokens": decoded.prompt_tokens, "completion_tokens": decoded.tokens.len(), "total_tokens": decoded.prompt_tokens + decoded.tokens.len()},
        });
        return Ok(Json(body).into_response());
    }
    // Streaming: the blocking decode sends pieces through a channel; a client that hangs up
    // closes it, which stops the decode at the next token.
    let (tx, rx) = tokio::sync::mpsc::channel::<Value>(64);
    let chunk = move |delta: Value, finish: Option<&str>| {
        json!({"id": id, "object": "chat.completion.chunk", "created": now(), "model": model_name,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let state2 = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        if tx
            .blocking_send(chunk(json!({"role": "assistant", "content": ""}), None))
            .is_err()
        {
            return;
        }
        let result = model.chat(&chat, |piece| {
            match tx.blocking_send(chunk(json!({"content": piece}), None)) {
                Ok(()) => std::ops::ControlFlow::Continue(()),
                Err(_) => std::ops::ControlFlow::Break(()),
            }
        });
        let last = match result {
            Ok(decoded) => {
                count(&state2, &decoded);
                chunk(json!({}), Some(finish_reason(decoded.stop)))
            }
            Err(e) => json!({"error": {"message": e.to_string(), "type": ApiError::from(e).kind}}),
        };
        let _ = tx.blocking_send(last);
    });
    let events = ReceiverStream::new(rx)
        .map(|v| Ok::<Event, Infallible>(Event::default().data(v.to_string())))
        .chain(tokio_stream::once(Ok(Event::default().data("[DONE]"))));
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}

fn count(state: &AppState, decoded: &Decoded) {
    state
        .metrics
        .prompt_tokens
        .fetch_add(decoded.prompt_tokens as u64, Ordering::Relaxed);
    state
        .metrics
        .completion_tokens
        .fetch_add(decoded.tokens.len() as u64, Ordering::Relaxed);
}
