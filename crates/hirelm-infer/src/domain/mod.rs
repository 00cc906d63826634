//! [`DomainModel`]: the base model plus hiring adapters, answering tasks with schema-valid JSON
//! (built by [`DomainModelBuilder`], in `builder.rs`).

mod builder;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hirelm_core::{Task, output_schema, user_message, validate};
use hirelm_model::source::{SMOLLM2_GGUF, fetched_model};
use hirelm_model::tokenizer::TextTokenizer;
use hirelm_model::{ChatMessage, ChatTemplate, Role};
use serde_json::Value;

use crate::constrain::{ConstrainedDecoder, ConstraintLimits, TokenVocab};
use crate::decode::{DecodeOptions, Decoded, StopReason, decode};
use crate::engine::{EngineWeights, Session};
use crate::error::{InferError, Result};
use crate::few_shot::{Demonstration, prompt_prefix};

pub use builder::{AdapterSpec, BUNDLED_ADAPTER, DomainModelBuilder, bundled_adapter_dir};

/// Prompt-prefix KV caches by (route, task): the system message and any demonstrations, as ids
/// and the session holding them.
type PrefixCache = Mutex<HashMap<(usize, Task), (Vec<u32>, Session)>>;

/// Weights serving some tasks.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) name: String,
    pub(crate) tasks: Option<Vec<Task>>,
    pub(crate) weights: Arc<EngineWeights>,
}

/// One task's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskAnswer {
    /// The task.
    pub task: Task,
    /// The answer, valid against the task's output schema.
    pub value: Value,
    /// Name of the weights that answered (`base` or an adapter).
    pub route: String,
    /// Tokens of the whole prompt, the cached prefix (system turn and demonstrations) included
    /// (`decoded.prompt_tokens` counts only those fed in this call).
    pub prompt_tokens: usize,
    /// The decode, with timings.
    pub decoded: Decoded,
}

/// The base model with its hiring adapters: every answer is JSON valid against the task's schema.
#[derive(Debug)]
pub struct DomainModel {
    name: String,
    content_hash: String,
    pub(crate) tokenizer: TextTokenizer,
    pub(crate) template: ChatTemplate,
    pub(crate) vocab: Arc<TokenVocab>,
    pub(crate) eos: u32,
    pub(crate) routes: Vec<Route>,
    pub(crate) max_new_tokens: usize,
    pub(crate) limits: ConstraintLimits,
    /// Solved examples shown before the question, by task (none: zero-shot).
    demonstrations: HashMap<Task, Vec<Demonstration>>,
    /// KV caches of each (route, task) prompt prefix, computed once.
    prefixes: PrefixCache,
}

impl DomainModel {
    /// The fetched SmolLM2-135M-Instruct with the shipped adapters, routed per task as
    /// `shipped/routes.toml` says ([`crate::ShippedRoutes`]).
    pub fn load_default() -> Result<Self> {
        let base = fetched_model(SMOLLM2_GGUF)?;
        let routes = crate::ShippedRoutes::shipped()?;
        routes
            .adapters
            .into_iter()
            .fold(DomainModelBuilder::new(base.to_string_lossy()), |b, a| {
                b.with_adapter(a)
            })
            .build()
    }

    /// Name for reports.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// SHA-256 over the base weights, adapters, format, token budget, constraint limits and
    /// demonstrations: whatever changes an answer.
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    /// The weights that answer `task`: the first adapter naming it, else the last adapter for
    /// every task, else the base (built exactly when no adapter takes every task).
    pub(crate) fn route(&self, task: Task) -> usize {
        let narrow = self
            .routes
            .iter()
            .position(|r| r.tasks.as_ref().is_some_and(|t| t.contains(&task)));
        narrow.unwrap_or_else(|| self.general_route())
    }

    /// The weights for requests no narrow adapter claims: the last adapter for every task, else
    /// the base.
    pub(crate) fn general_route(&self) -> usize {
        self.routes
            .iter()
            .rposition(|r| r.tasks.is_none())
            .unwrap_or(0)
    }

    /// Answers `task` for `input` under the task's full output schema.
    pub fn answer(&self, task: Task, input: &Value) -> Result<TaskAnswer> {
        self.answer_with_schema(task, input, &output_schema(task))
    }

    /// Answers under a narrower `schema` (e.g. `enum`s of retrieved candidates); the answer must
    /// still validate against the task's own schema.
    pub fn answer_with_schema(
        &self,
        task: Task,
        input: &Value,
        schema: &Value,
    ) -> Result<TaskAnswer> {
        self.answer_before(task, input, schema, None)
    }

    /// [`answer_with_schema`](Self::answer_with_schema) that stops with
    /// [`InferError::Timeout`] once `deadline` passes (servers bound every request).
    pub fn answer_before(
        &self,
        task: Task,
        input: &Value,
        schema: &Value,
        deadline: Option<Instant>,
    ) -> Result<TaskAnswer> {
        let route = self.route(task);
        let (full, fed, mut session) = self.prompt_session(route, task, input)?;
        let prompt = &full[fed..];
        let mut constraint = ConstrainedDecoder::with_limits(
            schema,
            Arc::clone(&self.vocab),
            self.eos,
            self.limits,
        )?;
        let options = DecodeOptions::greedy(self.max_new_tokens, &self.tokenizer);
        let decoded = decode(
            &mut session,
            prompt,
            &self.tokenizer,
            &options,
            Some(&mut constraint),
            |_| until(deadline),
        )?;
        if decoded.stop == StopReason::Cancelled {
            return Err(InferError::Timeout {
                tokens: decoded.tokens.len(),
            });
        }
        if decoded.stop == StopReason::MaxTokens && !constraint.is_complete() {
            return Err(InferError::Answer {
                task,
                reason: format!(
                    "the answer did not finish within {} tokens",
                    self.max_new_tokens
                ),
            });
        }
        let value: Value = serde_json::from_str(&decoded.text).map_err(|e| InferError::Answer {
            task,
            reason: format!("not JSON ({e}): {}", decoded.text),
        })?;
        validate(task, &value).map_err(|e| InferError::Answer {
            task,
            reason: e.to_string(),
        })?;
        Ok(TaskAnswer {
            task,
            value,
            route: self.routes[route].name.clone(),
            prompt_tokens: full.len(),
            decoded,
        })
    }

    /// The whole prompt of `task` for `input` (up to the assistant's turn) as ids, how many of
    /// them `session` already holds (the cached system turn and demonstrations, else none), and
    /// that session on `route`'s weights.
    pub(crate) fn prompt_session(
        &self,
        route: usize,
        task: Task,
        input: &Value,
    ) -> Result<(Vec<u32>, usize, Session)> {
        let prefix_messages = prompt_prefix(task, self.demonstrations(task));
        let mut messages = prefix_messages.clone();
        messages.push(ChatMessage::new(Role::User, user_message(input)));
        let full = self.template.encode(&self.tokenizer, &messages, true)?.ids;
        let (prefix, mut session) = self.prefix_session(route, task, &prefix_messages)?;
        // The template encodes turn by turn, so the prefix turns' ids are a prefix of the whole
        // prompt; checked anyway, since reusing a wrong cache would silently change answers.
        if full.len() > prefix.len() && full.starts_with(&prefix) {
            return Ok((full, prefix.len(), session));
        }
        session.truncate(0);
        Ok((full, 0, session))
    }

    /// The demonstrations `task`'s prompts show (empty: zero-shot).
    pub fn demonstrations(&self, task: Task) -> &[Demonstration] {
        self.demonstrations.get(&task).map_or(&[], Vec::as_slice)
    }

    /// A session holding the prompt prefix of `task` (system message and demonstrations) on
    /// `route` (cached after the first call).
    fn prefix_session(
        &self,
        route: usize,
        task: Task,
        prefix: &[ChatMessage],
    ) -> Result<(Vec<u32>, Session)> {
        let poisoned = |_| InferError::invalid("prefix cache", "poisoned by a panic");
        if let Some(cached) = self.prefixes.lock().map_err(poisoned)?.get(&(route, task)) {
            return Ok(cached.clone());
        }
        // Computed without holding the lock: the forward pass runs on the thread pool, where a
        // waiting worker may pick up another answer() that needs the lock.
        let ids = self.template.encode(&self.tokenizer, prefix, false)?.ids;
        let mut session = Session::new(Arc::clone(&self.routes[route].weights));
        session.forward(&ids)?;
        let entry = (ids, session);
        self.prefixes
            .lock()
            .map_err(poisoned)?
            .entry((route, task))
            .or_insert_with(|| entry.clone());
        Ok(entry)
    }
}

/// Continue until `deadline` (if any) passes.
pub(crate) fn until(deadline: Option<Instant>) -> std::ops::ControlFlow<()> {
    match deadline {
        Some(d) if Instant::now() >= d => std::ops::ControlFlow::Break(()),
        _ => std::ops::ControlFlow::Continue(()),
    }
}
