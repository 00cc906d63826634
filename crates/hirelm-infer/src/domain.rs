//! [`DomainModel`]: the base model plus hiring adapters, answering tasks with schema-valid JSON.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hirelm_core::{Task, output_schema, user_message, validate};
use hirelm_model::chat::{END_OF_TURN, IM_END};
use hirelm_model::source::{SMOLLM2_GGUF, fetched_model};
use hirelm_model::tokenizer::TextTokenizer;
use hirelm_model::{ChatMessage, ChatTemplate, Role};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::constrain::{ConstrainedDecoder, ConstraintLimits, TokenVocab};
use crate::decode::{DecodeOptions, Decoded, StopReason, decode};
use crate::engine::{EngineWeights, Session};
use crate::error::{InferError, Result};
use crate::few_shot::{Demonstration, prompt_prefix};
use crate::kernels::WeightFormat;
use crate::load::BaseModel;

/// Name of the adapter shipped with this crate.
pub const BUNDLED_ADAPTER: &str = "hirelm-hiring-v2";

/// The adapter shipped with this crate (trained by `hirelm train --config configs/lora-smollm2.toml`):
/// in the nearest hirelm checkout at or above the current directory, else in the one this
/// crate was built from (a build reused across checkouts may name another one, see
/// [`hirelm_model::models_dir`]).
pub fn bundled_adapter_dir() -> PathBuf {
    crate::locate::in_checkout(
        &Path::new("crates/hirelm-infer/adapters").join(BUNDLED_ADAPTER),
        "adapter_config.json",
    )
}

/// A PEFT adapter and the tasks it answers (`None`: every task).
#[derive(Debug, Clone, PartialEq)]
pub struct AdapterSpec {
    /// Name for logs and reports.
    pub name: String,
    /// Directory with `adapter_model.safetensors` and `adapter_config.json`.
    pub dir: PathBuf,
    /// Tasks routed to this adapter; `None` routes every task without a narrower adapter.
    pub tasks: Option<Vec<Task>>,
}

/// Builds a [`DomainModel`].
#[derive(Debug, Clone)]
pub struct DomainModelBuilder {
    base: String,
    adapters: Vec<AdapterSpec>,
    format: WeightFormat,
    max_new_tokens: usize,
    limits: ConstraintLimits,
    name: Option<String>,
    demonstrations: HashMap<Task, Vec<Demonstration>>,
}

/// Answer-sized limits: long enough for a job post's summary, short enough that a confused
/// model cannot spend its whole budget inside one string.
fn answer_limits() -> ConstraintLimits {
    ConstraintLimits {
        max_string_chars: 320,
        max_array_items: 20,
        max_int_digits: 7,
        max_frac_digits: 4,
    }
}

impl DomainModelBuilder {
    /// A builder over `base`: a GGUF file, an HF safetensors directory or `hf://owner/repo[/file]`.
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            adapters: Vec::new(),
            format: WeightFormat::Q8_0,
            max_new_tokens: 256,
            limits: answer_limits(),
            name: None,
            demonstrations: HashMap::new(),
        }
    }

    /// Adds an adapter (merged into its own copy of the weights).
    pub fn with_adapter(mut self, spec: AdapterSpec) -> Self {
        self.adapters.push(spec);
        self
    }

    /// Weight format (Q8_0 by default; Q4_1 decodes faster and, on a base without adapters,
    /// computes with a Q4_1 file's own blocks; merged adapters would be requantised to 4 bits;
    /// F32 for reference runs).
    pub fn with_format(mut self, format: WeightFormat) -> Self {
        self.format = format;
        self
    }

    /// Token budget of one answer.
    pub fn with_max_new_tokens(mut self, n: usize) -> Self {
        self.max_new_tokens = n;
        self
    }

    /// Limits of the JSON constraint (string length, array size, digits).
    pub fn with_limits(mut self, limits: ConstraintLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Few-shot prompting: `task`'s prompts show these solved examples before the question
    /// (replacing any given before; see [`crate::few_shot`]).
    pub fn with_demonstrations(mut self, task: Task, demonstrations: Vec<Demonstration>) -> Self {
        self.demonstrations.insert(task, demonstrations);
        self
    }

    /// Name in reports (default: the base file name plus adapter names).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Loads the base, merges each adapter, prepares the constraint vocabulary.
    pub fn build(self) -> Result<DomainModel> {
        let base_path = hirelm_model::source::ModelSource::parse(&self.base)?.resolve()?;
        let base = BaseModel::load(&self.base)?;
        let tokenizer = base.tokenizer().clone();
        let eos = tokenizer
            .token_id(IM_END)
            .or(tokenizer.token_id(END_OF_TURN))
            .or(tokenizer.eos_id)
            .ok_or_else(|| {
                InferError::invalid(
                    "tokenizer",
                    "no <|im_end|>, <end_of_turn> or end-of-sequence token",
                )
            })?;
        let mut hash = Sha256::new();
        hash_path(&base_path, &mut hash)?;
        // The base weights serve the tasks no adapter takes; an adapter for every task makes
        // them unnecessary (and they would cost a second copy of the model).
        let mut routes = Vec::new();
        if self.adapters.iter().all(|a| a.tasks.is_some()) {
            routes.push(Route {
                name: "base".into(),
                tasks: None,
                weights: Arc::new(base.engine_weights(self.format)?),
            });
        }
        for spec in &self.adapters {
            if !spec.dir.join(hirelm_train::ADAPTER_WEIGHTS).is_file() {
                return Err(InferError::invalid(
                    format!("adapter {}", spec.name),
                    format!(
                        "{} has no {}; train one with `hirelm train` or fetch the bundled adapter with the repository",
                        spec.dir.display(),
                        hirelm_train::ADAPTER_WEIGHTS
                    ),
                ));
            }
            hash_path(&spec.dir.join(hirelm_train::ADAPTER_WEIGHTS), &mut hash)?;
            hash_path(&spec.dir.join(hirelm_train::ADAPTER_CONFIG), &mut hash)?;
            let weights = Arc::new(base.engine_weights_with_adapter(&spec.dir, self.format)?);
            routes.push(Route {
                name: spec.name.clone(),
                tasks: spec.tasks.clone(),
                weights,
            });
        }
        // Everything else that changes answers: format, budget, constraint limits, the crate
        // version (prompts, schemas and decoding code ship with it) and any demonstrations.
        hash.update(format!(
            "{:?} {} {:?} hirelm-infer {}",
            self.format,
            self.max_new_tokens,
            self.limits,
            env!("CARGO_PKG_VERSION")
        ));
        for task in Task::ALL {
            for demo in self.demonstrations.get(&task).into_iter().flatten() {
                hash.update(format!("{task} {} {}", demo.input(), demo.answer()));
            }
        }
        let content_hash = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let file_name = base_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = self.name.unwrap_or_else(|| {
            std::iter::once(file_name)
                .chain(self.adapters.iter().map(|a| a.name.clone()))
                .collect::<Vec<_>>()
                .join("+")
        });
        let template = ChatTemplate::for_tokenizer(&tokenizer);
        Ok(DomainModel {
            name,
            content_hash,
            vocab: Arc::new(TokenVocab::from_tokenizer(&tokenizer)),
            tokenizer,
            template,
            eos,
            routes,
            max_new_tokens: self.max_new_tokens,
            limits: self.limits,
            demonstrations: self.demonstrations,
            prefixes: Mutex::new(HashMap::new()),
        })
    }
}

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

/// Feeds a file's bytes into `hash` (streamed: model files are large); a directory (an HF
/// model) contributes its files' names and bytes in sorted order.
fn hash_path(path: &Path, hash: &mut Sha256) -> Result<()> {
    let io = |e: std::io::Error| InferError::invalid(path.display().to_string(), e.to_string());
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            hash.update(
                file.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            hash_path(&file, hash)?;
        }
        return Ok(());
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Ok(());
        }
        hash.update(&buf[..n]);
    }
}
