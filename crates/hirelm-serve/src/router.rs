//! The HTTP routes: which handler answers each endpoint, behind the body deadline, the body
//! size limit and the API key check.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::api_error::ApiError;
use crate::body_deadline::{self, BodyLimits};
use crate::state::AppState;
use crate::{chat, embeddings, tasks};

/// The router over `state`, with limits and authentication.
pub fn router(state: Arc<AppState>, body: BodyLimits) -> Router {
    let api = Router::new()
        .route("/v1/chat/completions", post(chat::completions))
        .route("/v1/models", get(models))
        .route("/v1/embeddings", post(embeddings::embeddings))
        .route("/v1/tasks/{task}", post(tasks::answer))
        .route("/metrics", get(metrics))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            authenticate,
        ));
    Router::new()
        .route("/health", get(health))
        .merge(api)
        .fallback(|| async {
            ApiError::not_found(
                "no such endpoint; see /health, /metrics, /v1/models, /v1/chat/completions, /v1/embeddings, /v1/tasks/{task}",
            )
        })
        .layer(DefaultBodyLimit::max(body.max_bytes))
        .layer(axum::middleware::from_fn_with_state(
            body,
            body_deadline::read_body_within,
        ))
        .with_state(state)
}

/// Compares key digests, so the comparison takes the same time whatever the key.
fn same_key(given: &str, expected: &str) -> bool {
    Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes())
}

async fn authenticate(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(key) = &state.api_key {
        let given = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| same_key(g, key)) {
            return ApiError::unauthorized().into_response();
        }
    }
    next.run(request).await
}

async fn health(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let (queued, running) = state.load();
    axum::Json(json!({
        "status": "ok",
        "model": state.model.name(),
        "content_hash": state.model.content_hash(),
        "chat_route": state.model.chat_route(),
        "queued": queued,
        "running": running,
    }))
}

/// OpenAI's model list: the served model (routed per task; chat runs on its general weights),
/// then each set of weights it holds, which a chat request may name to run on them. Each entry
/// says which tasks its weights answer in task routing.
async fn models(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let entry = |id: &str, tasks: Value| json!({"id": id, "object": "model", "created": 0, "owned_by": "hirelm", "tasks": tasks});
    let mut data = vec![entry(
        state.model.name(),
        json!(format!(
            "every task, routed by shipped/routes.toml; chat on `{}`",
            state.model.chat_route()
        )),
    )];
    for route in state.model.chat_routes() {
        let tasks = match &route.tasks {
            Some(tasks) => json!(tasks.iter().map(ToString::to_string).collect::<Vec<_>>()),
            None => json!("every task no narrower adapter takes"),
        };
        data.push(entry(&route.name, tasks));
    }
    axum::Json(json!({"object": "list", "data": data}))
}

async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let (queued, running) = state.load();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(queued, running),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_comparison() {
        assert!(same_key("k3y", "k3y"));
        assert!(!same_key("k3y", "k3y ") && !same_key("", "k3y"));
    }
}
