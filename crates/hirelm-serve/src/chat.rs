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
use hirelm_infer::{Decoded, StopReason};
use serde_json::{Value, json};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use crate::api_error::ApiError;
use crate::chat_request::{CompletionRequest, Delivery, delivery, to_chat_request};
use crate::metrics::Tokens;
use crate::state::AppState;
use crate::stop::StopScan;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

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
    let tokens = result
        .as_ref()
        .ok()
        .and_then(|r| r.extensions().get::<Tokens>().copied());
    state
        .metrics
        .finish("chat", "/v1/chat/completions", status, started, tokens);
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn completions_inner(
    state: &Arc<AppState>,
    body: Result<Json<CompletionRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(ApiError::from_rejection)?;
    let mut chat = to_chat_request(&req, state)?;
    let Delivery {
        stops,
        include_usage,
    } = delivery(&req)?;
    let seed = chat.sampling.seed;
    let slot = state.acquire().await?;
    chat.deadline = Some(slot.deadline);
    let id = format!("chatcmpl-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let model_name = chat
        .route
        .clone()
        .unwrap_or_else(|| state.model.name().to_string());
    let model = Arc::clone(&state.model);
    let mut scan = StopScan::new(stops);
    let usage = |d: &Decoded| json!({"prompt_tokens": d.prompt_tokens, "completion_tokens": d.tokens.len(), "total_tokens": d.prompt_tokens + d.tokens.len()});
    if !req.stream {
        let (decoded, text, stopped) = tokio::task::spawn_blocking(move || {
            let mut text = String::new();
            let result = model.chat(&chat, |piece| {
                text.push_str(&scan.push(piece));
                if scan.hit() {
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            });
            drop(slot);
            text.push_str(&scan.finish());
            result.map(|decoded| (decoded, text, scan.hit()))
        })
        .await
        .map_err(|e| ApiError::internal(format!("the chat task failed: {e}")))??;
        count(state, &decoded);
        if decoded.stop == StopReason::Cancelled && !stopped {
            return Err(ApiError::timeout(format!(
                "no complete answer within {:?}",
                state.limits.timeout
            )));
        }
        let (content, finish) = if stopped {
            (text, "stop")
        } else {
            (decoded.text.clone(), finish_reason(decoded.stop))
        };
        let body = json!({
            "id": id, "object": "chat.completion", "created": now(), "model": model_name, "seed": seed,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": usage(&decoded),
        });
        let mut response = Json(body).into_response();
        response.extensions_mut().insert(Tokens {
            prompt: decoded.prompt_tokens as u64,
            completion: decoded.tokens.len() as u64,
        });
        return Ok(response);
    }
    // Streaming: the blocking decode sends pieces through a channel; a client that hangs up
    // closes it, which stops the decode at the next token.
    let (tx, rx) = tokio::sync::mpsc::channel::<Value>(64);
    let chunk = move |delta: Value, finish: Option<&str>| {
        json!({"id": id, "object": "chat.completion.chunk", "created": now(), "model": model_name, "seed": seed,
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
        let send = |text: String| {
            text.is_empty()
                || tx
                    .blocking_send(chunk(json!({"content": text}), None))
                    .is_ok()
        };
        let result = model.chat(&chat, |piece| {
            if send(scan.push(piece)) && !scan.hit() {
                std::ops::ControlFlow::Continue(())
            } else {
                std::ops::ControlFlow::Break(())
            }
        });
        let last = match result {
            Ok(decoded) => {
                count(&state2, &decoded);
                let finish = if scan.hit() {
                    "stop"
                } else {
                    if !send(scan.finish()) {
                        return;
                    }
                    finish_reason(decoded.stop)
                };
                if tx.blocking_send(chunk(json!({}), Some(finish))).is_err() {
                    return;
                }
                if !include_usage {
                    return;
                }
                // OpenAI's usage chunk: no choices, the whole answer's token counts.
                let mut tail = chunk(json!({}), None);
                tail["choices"] = json!([]);
                tail["usage"] = usage(&decoded);
                tail
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
