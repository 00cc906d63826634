//! `hirelm serve`: the options of `hirelm_serve`'s server, the model and retrievers they
//! choose, and the call that runs it.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use hirelm_core::Task;
use hirelm_serve::{AppState, BodyLimits, Limits, ServerConfig};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed on stderr).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub model: super::model_args::DomainModelArgs,
    #[command(flatten)]
    pub retrieval: super::retrieval_args::RetrievalArgs,
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
    /// Seconds a client has to send its request headers, from the connection's start or the end
    /// of its previous response: slow clients are cut off, and a kept-alive connection idle
    /// this long is closed.
    #[arg(long, default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a client has, after its headers, to send the whole request body (a slower one
    /// gets 408 and its connection is closed).
    #[arg(long, default_value_t = 10)]
    pub body_timeout_secs: u64,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let limits = Limits {
        max_new_tokens: args.max_new_tokens,
        max_prompt_tokens: args.max_prompt_tokens,
        timeout: Duration::from_secs(args.timeout_secs.max(1)),
        workers: args.workers,
        max_queue: args.max_queue,
    };
    // Before the model loads, so impossible limits fail at once.
    limits.check()?;
    // Read once: which tasks the encoders and the rule matcher answer, and the adapters.
    let routes = hirelm_infer::ShippedRoutes::shipped()?;
    let model = args
        .model
        .build(args.max_new_tokens, &routes)
        .with_context(|| format!("loading {}", args.model.base))?;
    let retrieval = args
        .retrieval
        .build(&[Task::ExtractSkills, Task::NormaliseTitle], &routes)?;
    let state = AppState::new(model, limits, args.api_key.clone())
        .with_retrieval(retrieval)
        .with_rules(args.retrieval.rules(&routes));
    let config = ServerConfig {
        listen: args.listen,
        body: BodyLimits {
            timeout: Duration::from_secs(args.body_timeout_secs.max(1)),
            max_bytes: args.max_body_bytes,
        },
        max_connections: args.max_connections,
        header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
    };
    Ok(hirelm_serve::run(state, config)?)
}
