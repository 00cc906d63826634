//! The TOML recipe of a fine-tuning run (`configs/lora-smollm2.toml`).

use std::path::{Path, PathBuf};

use hirelm_core::Task;
use serde::{Deserialize, Serialize};

use crate::config::{LoraConfig, TARGET_MODULES};
use crate::error::{LoraError, Result};
use crate::sft::SftOptions;

/// A whole training run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// The base model.
    pub model: ModelSection,
    /// Training and validation data.
    pub data: DataSection,
    /// Adapter shape.
    pub lora: LoraSection,
    /// Optimiser and schedule.
    pub optim: OptimSection,
    /// Output, seeds and cadence.
    pub run: RunSection,
    /// Consistency training: perturbed copies of the training inputs with the clean answers as
    /// targets (unset: the curated examples only).
    #[serde(default)]
    pub consistency: Option<ConsistencySection>,
}

/// `[consistency]`: which perturbation families rewrite training inputs, and which are kept out
/// of training so that the flip rate measured on them shows whether the gain generalises.
///
/// The families are the evaluation's perturbation packs by name (`hirelm_eval::perturb::Pack`);
/// whoever builds the copies (`hirelm train`) checks the names and applies them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencySection {
    /// Families that rewrite training inputs (invariant packs only).
    pub families: Vec<String>,
    /// Families never applied to training data (at least two), reported apart at evaluation.
    pub held_out: Vec<String>,
    /// Perturbed copies per training example, each by another applicable family.
    #[serde(default = "default_one")]
    pub copies: usize,
    /// Where `scripts/fetch-data.sh` put the packs' resources (misspellings, thesaurus, names).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
}

/// `[model]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSection {
    /// GGUF file, HF directory or `hf://owner/repo[/file]`.
    pub base: String,
}

/// `[data]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    /// Training examples (`.parquet` from `hirelm curate`, or `.jsonl` of examples).
    pub train: PathBuf,
    /// Validation examples, same formats.
    pub valid: PathBuf,
    /// Longest training sequence in tokens; longer examples are truncated (and counted).
    #[serde(default = "default_max_len")]
    pub max_len: usize,
    /// At most this many training examples of each task, drawn by `run.seed` (unset: all).
    /// Balances a mix in which a few tasks would otherwise crowd out the rest.
    #[serde(default)]
    pub max_per_task: Option<usize>,
    /// Train (and validate) on these tasks only (unset: every task in the files), e.g. one
    /// adapter per task, routed by `AdapterSpec::tasks` at inference.
    #[serde(default)]
    pub tasks: Option<Vec<Task>>,
    /// Pack several examples into each row of `max_len` positions, attention kept inside each
    /// example by a block mask (see `sft::collate_packed`); `batch_size` then counts rows.
    #[serde(default)]
    pub pack: bool,
}

/// `[lora]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoraSection {
    /// Rank.
    pub rank: usize,
    /// Alpha.
    pub alpha: f64,
    /// Wrapped projections.
    #[serde(default = "default_targets")]
    pub target_modules: Vec<String>,
    /// rsLoRA scaling.
    #[serde(default)]
    pub use_rslora: bool,
    /// Warm start: begin from this PEFT adapter directory (same rank, alpha and target
    /// modules) instead of a fresh initialisation, e.g. to train a shipped adapter further.
    #[serde(default)]
    pub init: Option<PathBuf>,
}

/// `[optim]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimSection {
    /// Peak learning rate.
    pub learning_rate: f64,
    /// Warmup steps.
    pub warmup_steps: usize,
    /// Optimiser steps of the run.
    pub total_steps: usize,
    /// Final learning rate as a fraction of the peak.
    #[serde(default = "default_min_lr_ratio")]
    pub min_lr_ratio: f64,
    /// AdamW weight decay.
    #[serde(default)]
    pub weight_decay: f64,
    /// Global gradient-norm clip.
    pub max_grad_norm: Option<f64>,
    /// Examples per micro-batch.
    pub batch_size: usize,
    /// Micro-batches per optimiser step.
    #[serde(default = "default_one")]
    pub grad_accum: usize,
}

/// `[run]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Output directory: checkpoints, metrics, final adapter, loss curve.
    pub out_dir: PathBuf,
    /// Seed of adapter init and data order.
    pub seed: u64,
    /// Validation every N steps (0: only at the end).
    #[serde(default)]
    pub eval_every: usize,
    /// Checkpoint every N steps (0: only at the end).
    #[serde(default = "default_checkpoint_every")]
    pub checkpoint_every: usize,
    /// Validation examples scored for loss.
    #[serde(default = "default_eval_examples")]
    pub eval_examples: usize,
    /// Validation examples generated greedily to check JSON validity and exact match.
    ///
    /// They are drawn round-robin over the tasks, like the validation-loss examples.
    #[serde(default)]
    pub generate_examples: usize,
}

fn default_max_len() -> usize {
    512
}
fn default_targets() -> Vec<String> {
    TARGET_MODULES.iter().map(|s| s.to_string()).collect()
}
fn default_min_lr_ratio() -> f64 {
    0.1
}
fn default_one() -> usize {
    1
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_checkpoint_every() -> usize {
    50
}
fn default_eval_examples() -> usize {
    32
}

impl TrainConfig {
    /// Reads and checks a TOML recipe.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| LoraError::Io {
            path: path.into(),
            source,
        })?;
        let config: Self = toml::from_str(&text)
            .map_err(|e| LoraError::config(path.display().to_string(), e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values that TOML typing cannot.
    pub fn validate(&self) -> Result<()> {
        self.lora_config().validate()?;
        let o = &self.optim;
        if o.total_steps == 0 || o.batch_size == 0 || o.grad_accum == 0 {
            return Err(LoraError::config(
                "optim",
                "total_steps, batch_size and grad_accum must be positive",
            ));
        }
        if !(o.learning_rate > 0.0 && o.learning_rate.is_finite()) {
            return Err(LoraError::config("optim.learning_rate", "must be positive"));
        }
        if self.data.max_per_task == Some(0) {
            return Err(LoraError::config(
                "data.max_per_task",
                "must be positive when set",
            ));
        }
        if self.data.tasks.as_ref().is_some_and(|t| t.is_empty()) {
            return Err(LoraError::config(
                "data.tasks",
                "must name at least one task when set",
            ));
        }
        if self.data.max_len < 8 {
            return Err(LoraError::config(
                "data.max_len",
                "must be at least 8 tokens",
            ));
        }
        if let Some(c) = &self.consistency {
            c.validate()?;
        }
        Ok(())
    }

    /// The adapter settings.
    pub fn lora_config(&self) -> LoraConfig {
        LoraConfig {
            rank: self.lora.rank,
            alpha: self.lora.alpha,
            dropout: 0.0,
            target_modules: self.lora.target_modules.clone(),
            use_rslora: self.lora.use_rslora,
            base_model: self.model.base.clone(),
        }
    }

    /// The optimiser settings.
    pub fn sft_options(&self) -> SftOptions {
        let o = &self.optim;
        SftOptions {
            learning_rate: o.learning_rate,
            warmup_steps: o.warmup_steps,
            total_steps: o.total_steps,
            min_lr_ratio: o.min_lr_ratio,
            weight_decay: o.weight_decay,
            max_grad_norm: o.max_grad_norm,
        }
    }
}

impl ConsistencySection {
    /// Checks what a name-blind reading can: families given, at least two held out, and no
    /// family both trained on and held out.
    pub fn validate(&self) -> Result<()> {
        if self.families.is_empty() {
            return Err(LoraError::config(
                "consistency.families",
                "must name at least one perturbation family",
            ));
        }
        if self.held_out.len() < 2 {
            return Err(LoraError::config(
                "consistency.held_out",
                "must name at least two families kept out of training, so the flip rate on \
                 unseen perturbations can be reported",
            ));
        }
        if let Some(both) = self.families.iter().find(|f| self.held_out.contains(f)) {
            return Err(LoraError::config(
                "consistency",
                format!("`{both}` is both a training family and held out"),
            ));
        }
        if self.copies == 0 {
            return Err(LoraError::config("consistency.copies", "must be positive"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every LoRA recipe in `configs/` reads and validates, so a misspelt key or a bad value
    /// surfaces in the tests, not an hour into someone's run.
    #[test]
    fn every_lora_recipe_in_configs_validates() {
        let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs");
        let mut checked = Vec::new();
        for entry in std::fs::read_dir(&configs).expect("configs/") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("lora-") && name.ends_with(".toml") {
                let config = TrainConfig::from_file(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                checked.push((name.to_string(), config.data.tasks.clone()));
            }
        }
        assert!(checked.len() >= 4, "{checked:?}");
        assert!(
            checked.iter().any(|(name, tasks)| name.contains("choose")
                && tasks.as_deref() == Some(&[Task::ExtractSkills][..])),
            "{checked:?}"
        );
    }
}
