//! Shared server state and admission: a bounded queue in front of the model.
//!
//! The engine already uses every core for one request, so requests run one (or `workers`) at a
//! time; up to `max_queue` more wait, and the next one is refused at once with 503 rather than
//! piling up. Every request has a deadline covering its wait and its generation.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hirelm_infer::DomainModel;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::api_error::ApiError;
use crate::metrics::Metrics;

/// Request limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest answer, in tokens (task answers and chat `max_tokens`).
    pub max_new_tokens: usize,
    /// Largest chat prompt, in tokens.
    pub max_prompt_tokens: usize,
    /// How long a request may take, waiting for a worker included.
    pub timeout: Duration,
    /// Requests on the model at once.
    pub workers: usize,
    /// Requests that may wait for a worker; more are refused with 503.
    pub max_queue: usize,
}

impl Limits {
    /// Refuses limits under which no request could run: no worker or no answer token.
    pub fn check(&self) -> Result<(), crate::ServeError> {
        if self.workers == 0 || self.max_new_tokens == 0 {
            return Err(crate::ServeError::Config(
                "workers and max_new_tokens must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// What every handler sees.
#[derive(Debug)]
pub struct AppState {
    /// The language model with its adapters, routed per task.
    pub model: Arc<DomainModel>,
    /// The request limits.
    pub limits: Limits,
    /// The key every endpoint but `/health` requires, if any.
    pub api_key: Option<String>,
    pub(crate) metrics: Metrics,
    /// Answers `extract_skills` and `normalise_title` by retrieval where it has their
    /// retriever.
    pub(crate) retrieval: Arc<crate::Retrieval>,
    /// Answers the tasks shipped/routes.toml gives the rule-based matcher.
    pub(crate) rules: crate::RuleRoute,
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
}

/// Permission to run on the model, held until the work ends (also inside blocking tasks).
#[derive(Debug)]
pub(crate) struct Slot {
    _admitted: OwnedSemaphorePermit,
    _running: OwnedSemaphorePermit,
    pub deadline: Instant,
}

impl AppState {
    /// The state of a server answering with `model` within `limits`; with `api_key`, requests
    /// must carry it. No task is answered by retrieval or the rule matcher until
    /// [`with_retrieval`](Self::with_retrieval) and [`with_rules`](Self::with_rules) say so.
    pub fn new(model: DomainModel, limits: Limits, api_key: Option<String>) -> Self {
        let admitted = Arc::new(Semaphore::new(limits.workers + limits.max_queue));
        let running = Arc::new(Semaphore::new(limits.workers));
        Self {
            model: Arc::new(model),
            limits,
            api_key,
            metrics: Metrics::default(),
            retrieval: Arc::default(),
            rules: Default::default(),
            admitted,
            running,
        }
    }

    /// The same state, answering by `retrieval` the tasks it has a retriever for.
    pub fn with_retrieval(mut self, retrieval: crate::Retrieval) -> Self {
        self.retrieval = Arc::new(retrieval);
        self
    }

    /// The same state, answering by the rule-based matcher the tasks `rules` names.
    pub fn with_rules(mut self, rules: crate::RuleRoute) -> Self {
        self.rules = rules;
        self
    }

    /// Joins the queue (or is refused when it is full) and waits for a worker until the deadline.
    pub(crate) async fn acquire(&self) -> Result<Slot, ApiError> {
        let deadline = Instant::now() + self.limits.timeout;
        let admitted = Arc::clone(&self.admitted)
            .try_acquire_owned()
            .map_err(|_| {
                self.metrics
                    .busy_rejections
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                ApiError::busy(format!(
                    "the request queue is full ({} waiting); retry later",
                    self.limits.max_queue
                ))
            })?;
        let wait =
            tokio::time::timeout_at(deadline.into(), Arc::clone(&self.running).acquire_owned());
        let running = wait
            .await
            .map_err(|_| {
                ApiError::timeout(format!(
                    "no worker became free within {:?}",
                    self.limits.timeout
                ))
            })?
            .map_err(|_| ApiError::internal("the server is shutting down"))?;
        Ok(Slot {
            _admitted: admitted,
            _running: running,
            deadline,
        })
    }

    /// Requests admitted and not yet running, and requests running.
    pub(crate) fn load(&self) -> (usize, usize) {
        let total = self.limits.workers + self.limits.max_queue;
        let in_system = total - self.admitted.available_permits();
        let running = self.limits.workers - self.running.available_permits();
        (in_system.saturating_sub(running), running)
    }
}
