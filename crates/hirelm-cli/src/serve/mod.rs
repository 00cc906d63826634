//! `hirelm serve`: the domain model over HTTP (axum).
//!
//! | endpoint | what |
//! | --- | --- |
//! | `POST /v1/chat/completions` | OpenAI-compatible chat, `stream: true` for server-sent events |
//! | `GET /v1/models` | the served model and each set of weights it holds (a chat may name one) |
//! | `POST /v1/embeddings` | OpenAI-compatible embeddings by the shipped sentence encoder |
//! | `POST /v1/tasks/{task}` | a typed hiring task: the input record in, a schema-valid answer out |
//! | `GET /health` | liveness and the model's name and content hash |
//! | `GET /metrics` | Prometheus counters: requests by endpoint and status, tokens, queue, a latency histogram |
//!
//! Limits: body size, prompt and answer tokens, a per-request deadline covering queueing and
//! generation, a bounded queue (503 when full), a header-read deadline and a connection cap
//! ([`listen`]), a body-read deadline ([`body_deadline`]). With `--api-key` (or `HIRELM_API_KEY`) every
//! endpoint but `/health` needs `Authorization: Bearer <key>`. Each answered request writes a
//! log line to stderr (method, path, status, tokens, seconds); SIGTERM or SIGINT stops
//! accepting, lets the requests in flight finish, and exits 0.

mod api_error;
mod body_deadline;
mod chat;
mod chat_request;
mod embeddings;
mod listen;
mod metrics;
mod state;
mod stop;
mod tasks;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Args;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use api_error::ApiError;
use state::{AppState, Limits};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed on stderr).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub model: crate::cmd::model_args::DomainModelArgs,
    #[command(flatten)]
    pub retrieval: crate::cmd::retrieval_args::RetrievalArgs,
    /// Require `Authorization: Bearer KEY` on every endpoint but /health.
    #[arg(long, env = "HIRELM_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Largest answer, in tokens (task answers and chat `max_tokens`).
    #[arg(long, default_value_t = 256)]
    pub max_new_tokens: usize,
    /// Largest chat prompt, in tokens.
    #[arg(long, default_value_t = 2048)]
    pub max_prompt_tokens: usize,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds a request may take, waiting included.
    #[arg(long, default_value_t = 60)]
    pub timeout_secs: u64,
    /// Requests on the model at once (each already uses every core).
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// Requests that may wait for a worker; more are refused with 503.
    #[arg(long, default_value_t = 32)]
    pub max_queue: usize,
    /// Open connections at most; more are closed on accept.
    #[arg(long, default_value_t = 256)]
    pub max_connections: usize,
    /// Seconds a client has to send its request headers (slow clients are cut off).
    #[arg(long, default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a client has, after its headers, to send the whole request body (a slower one
    /// gets 408 and its connection is closed).
    #[arg(long, default_value_t = 10)]
    pub body_timeout_secs: u64,
}

/// The router over `state`, with limits and authentication.
pub fn router(state: Arc<AppState>, body: body_deadline::BodyLimits) -> Router {
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

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    if args.workers == 0 || args.max_new_tokens == 0 {
        anyhow::bail!("--workers and --max-new-tokens must be at least 1");
    }
    // Read once: which tasks the encoders and the rule matcher answer, and the adapters.
    let routes = hirelm_infer::ShippedRoutes::shipped()?;
    let model = args
        .model
        .build(args.max_new_tokens, &routes)
        .with_context(|| format!("loading {}", args.model.base))?;
    let limits_timeout = Duration::from_secs(args.timeout_secs.max(1));
    let limits = Limits {
        max_new_tokens: args.max_new_tokens,
        max_prompt_tokens: args.max_prompt_tokens,
        timeout: limits_timeout,
        workers: args.workers,
        max_queue: args.max_queue,
    };
    let retrieval = args.retrieval.build(
        &[
            hirelm_core::Task::ExtractSkills,
            hirelm_core::Task::NormaliseTitle,
        ],
        &routes,
    )?;
    let rules = args.retrieval.rules(&routes);
    let state = Arc::new(
        AppState::new(model, limits, args.api_key.clone())
            .with_retrieval(retrieval)
            .with_rules(rules),
    );
    let body = body_deadline::BodyLimits {
        timeout: Duration::from_secs(args.body_timeout_secs.max(1)),
        max_bytes: args.max_body_bytes,
    };
    let app = router(state, body);
    // Few async threads: the model work runs on blocking threads and rayon's pool.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("binding {}", args.listen))?;
        let addr = listener.local_addr()?;
        let auth = if args.api_key.is_some() {
            "API key"
        } else {
            "none"
        };
        let _ = writeln!(
            std::io::stderr(),
            "listening on http://{addr} (auth: {auth})"
        );
        let connections = listen::ConnectionLimits {
            max_connections: args.max_connections.max(1),
            header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
            // A request already admitted has its own deadline; give it that and a little more.
            drain_timeout: limits_timeout + Duration::from_secs(5),
        };
        listen::serve(listener, app, connections, shutdown_signal()).await;
        let _ = writeln!(std::io::stderr(), "shut down");
        Ok(())
    })
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (what `docker stop` and systemd send).
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
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
