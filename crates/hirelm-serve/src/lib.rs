//! hirelm's HTTP server: the routed domain model behind an OpenAI-compatible API and typed
//! hiring-task endpoints (axum over hyper). `hirelm serve` is a thin caller of [`run`].
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
//! Each task goes to what `shipped/routes.toml` gives it: the tuned encoder ([`Retrieval`]), the
//! rule matcher ([`RuleRoute`]) or the language model with its adapter.
//!
//! Limits: body size, prompt and answer tokens, a per-request deadline covering queueing and
//! generation, a bounded queue (503 when full), a header-read deadline that is also the idle
//! limit of a kept-alive connection, and a connection cap (the accept loop in `listen.rs`), a
//! body-read deadline ([`BodyLimits`]). With an API key every endpoint but `/health` needs
//! `Authorization: Bearer <key>`. Each answered request writes a log line to standard error
//! (method, path, status, tokens, seconds); SIGTERM or SIGINT stops accepting, lets the requests
//! in flight finish, and [`run`] returns.
//!
//! # Example
//!
//! The shipped model, routed per task, on port 8080 (needs `scripts/fetch-models.sh`):
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use hirelm_infer::{DomainModel, ShippedRoutes};
//! use hirelm_serve::{AppState, BodyLimits, Limits, RuleRoute, ServerConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let routes = ShippedRoutes::shipped()?;
//! let limits = Limits {
//!     max_new_tokens: 256,
//!     max_prompt_tokens: 2048,
//!     timeout: Duration::from_secs(60),
//!     workers: 1,
//!     max_queue: 32,
//! };
//! // Without a `Retrieval`, the language model answers extract_skills and normalise_title too.
//! let state = AppState::new(DomainModel::load_default()?, limits, None)
//!     .with_rules(RuleRoute::from_routes(&routes, false));
//! let config = ServerConfig {
//!     listen: "127.0.0.1:8080".parse()?,
//!     body: BodyLimits { timeout: Duration::from_secs(10), max_bytes: 64 * 1024 },
//!     max_connections: 256,
//!     header_timeout: Duration::from_secs(10),
//! };
//! hirelm_serve::run(state, config)?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod api_error;
mod body_deadline;
mod chat;
mod chat_request;
mod embeddings;
mod error;
mod listen;
mod metrics;
mod retrieval;
mod router;
mod rule_route;
mod server;
mod state;
mod stop;
mod tasks;

pub use api_error::ApiError;
pub use body_deadline::BodyLimits;
pub use chat_request::{CompletionRequest, Delivery, delivery, read_chat_request};
pub use error::ServeError;
pub use retrieval::Retrieval;
pub use router::router;
pub use rule_route::RuleRoute;
pub use server::{ServerConfig, run, serve, shutdown_signal};
pub use state::{AppState, Limits};
pub use tasks::read_task_input;
