//! [`DomainModelBuilder`]: which base weights, adapters (each with the tasks it answers),
//! weight format, budgets and demonstrations make a [`DomainModel`], and its content hash.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hirelm_core::Task;
use hirelm_model::ChatTemplate;
use hirelm_model::chat::{END_OF_TURN, IM_END};
use sha2::{Digest, Sha256};

use super::{DomainModel, Route};
use crate::constrain::{ConstraintLimits, TokenVocab};
use crate::error::{InferError, Result};
use crate::few_shot::Demonstration;
use crate::kernels::WeightFormat;
use crate::load::BaseModel;

/// Name of the shipped adapter for every task without a narrower one.
pub const BUNDLED_ADAPTER: &str = "hirelm-hiring-v2";

/// The shipped adapter for every task (trained by `hirelm train --config configs/lora-smollm2.toml`),
/// in `shipped/adapters/` of the nearest hirelm checkout at or above the current directory, else
/// of the one this crate was built from (a build reused across checkouts may name another one, see
/// [`hirelm_model::models_dir`]).
pub fn bundled_adapter_dir() -> PathBuf {
    crate::locate::in_checkout(
        &Path::new("shipped/adapters").join(BUNDLED_ADAPTER),
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
