//! The TOML recipe of a contrastive encoder run (`configs/encoder-minilm.toml`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hirelm_core::PairSource;
use serde::{Deserialize, Serialize};

use hirelm_model::bert::Scorer;

use crate::contrastive::ContrastiveOptions;
use crate::error::{LoraError, Result};

/// A whole encoder training run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncoderTrainConfig {
    /// The encoder to start from.
    pub model: EncoderModelSection,
    /// The training pairs.
    pub data: PairDataSection,
    /// Optimiser, schedule and loss.
    pub optim: ContrastiveOptimSection,
    /// Output, seed and cadence.
    pub run: EncoderRunSection,
    /// Mined hard negatives (none when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hard_negatives: Option<HardNegativeSection>,
}

/// `[hard_negatives]`: one extra negative per pair, mined by the starting encoder at the start
/// of a fresh run (`out_dir/hard-negatives.json`, reused on resume): the best-ranked distinct
/// positive of the run that is not one of the anchor's answers and scores below
/// `(1 - relative_margin)` times the pair's own positive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardNegativeSection {
    /// How far below the positive's cosine a candidate must score, as a fraction of it: a
    /// candidate scoring nearly as well as the positive is more likely an unlisted synonym.
    #[serde(default = "default_relative_margin")]
    pub relative_margin: f64,
}

/// `[model]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncoderModelSection {
    /// A sentence-encoder directory (`config.json`, `model.safetensors`, `tokenizer.json`).
    pub base: PathBuf,
}

/// `[data]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairDataSection {
    /// `pairs.jsonl` written by `hirelm encoder pairs`.
    pub pairs: PathBuf,
    /// Longest text in tokens, `[CLS]` and `[SEP]` included; longer ones are truncated.
    #[serde(default = "default_max_len")]
    pub max_len: usize,
    /// At most this many pairs of a source (`esco_alternative = 20000`), drawn by `run.seed`;
    /// a source absent here keeps all its pairs, one set to 0 none.
    #[serde(default)]
    pub max_per_source: BTreeMap<String, usize>,
}

/// `[optim]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContrastiveOptimSection {
    /// Pairs per step (each pair's positive is a negative of every other anchor).
    pub batch_size: usize,
    /// Peak learning rate.
    pub learning_rate: f64,
    /// Linear warmup steps.
    pub warmup_steps: usize,
    /// Steps of the run.
    pub total_steps: usize,
    /// Final learning rate as a fraction of the peak.
    #[serde(default = "default_min_lr_ratio")]
    pub min_lr_ratio: f64,
    /// AdamW weight decay.
    #[serde(default)]
    pub weight_decay: f64,
    /// Global gradient-norm clip.
    pub max_grad_norm: Option<f64>,
    /// Temperature of the cosine scores.
    #[serde(default = "default_temperature")]
    pub temperature: f64,
    /// Symmetric InfoNCE (default true).
    #[serde(default = "default_true")]
    pub symmetric: bool,
    /// How anchors are scored against labels: `mean` (pooled cosine, the default) or
    /// `token-attention` (ConTeXT-style; see `hirelm_model::bert::token_scoring`). Validation
    /// scores with the same, and the exported encoder records it.
    #[serde(default = "default_scorer")]
    pub scorer: String,
}

/// `[run]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncoderRunSection {
    /// Checkpoints, metrics, curves, the best and the final encoder.
    pub out_dir: PathBuf,
    /// Seed of the pair order and the per-source caps.
    pub seed: u64,
    /// Validate every N steps (and at the end; 0: only at the end).
    #[serde(default)]
    pub eval_every: usize,
    /// Checkpoint every N steps (and at the end).
    #[serde(default = "default_checkpoint_every")]
    pub checkpoint_every: usize,
    /// The validation figure that picks the shipped encoder (higher is better).
    #[serde(default = "default_select_metric")]
    pub select_metric: String,
}

fn default_true() -> bool {
    true
}
fn default_scorer() -> String {
    Scorer::Mean.name().into()
}

fn default_max_len() -> usize {
    64
}
fn default_min_lr_ratio() -> f64 {
    0.1
}
fn default_temperature() -> f64 {
    0.05
}
fn default_relative_margin() -> f64 {
    0.05
}
fn default_checkpoint_every() -> usize {
    50
}
fn default_select_metric() -> String {
    "skillskape_dev_rp@5".into()
}

impl EncoderTrainConfig {
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
        let o = &self.optim;
        if o.total_steps == 0 || o.batch_size < 2 {
            return Err(LoraError::config(
                "optim",
                "total_steps must be positive and batch_size at least 2",
            ));
        }
        if !(o.learning_rate > 0.0 && o.learning_rate.is_finite()) {
            return Err(LoraError::config("optim.learning_rate", "must be positive"));
        }
        if !(o.temperature > 0.0 && o.temperature.is_finite()) {
            return Err(LoraError::config("optim.temperature", "must be positive"));
        }
        for name in self.data.max_per_source.keys() {
            if !PairSource::ALL.iter().any(|s| s.name() == name) {
                let known: Vec<&str> = PairSource::ALL.iter().map(|s| s.name()).collect();
                return Err(LoraError::config(
                    format!("data.max_per_source.{name}"),
                    format!("unknown source; expected one of {}", known.join(", ")),
                ));
            }
        }
        if let Some(h) = &self.hard_negatives
            && !(h.relative_margin >= 0.0 && h.relative_margin < 1.0)
        {
            return Err(LoraError::config(
                "hard_negatives.relative_margin",
                format!("must be in [0, 1), got {}", h.relative_margin),
            ));
        }
        if Scorer::from_name(&o.scorer).is_none() {
            let known: Vec<&str> = Scorer::ALL.iter().map(|s| s.name()).collect();
            return Err(LoraError::config(
                "optim.scorer",
                format!(
                    "unknown scorer `{}`; expected one of {}",
                    o.scorer,
                    known.join(", ")
                ),
            ));
        }
        if self.data.max_len < 4 {
            return Err(LoraError::config(
                "data.max_len",
                "must be at least 4 tokens",
            ));
        }
        Ok(())
    }

    /// The cap of `source`, if any.
    pub fn cap(&self, source: PairSource) -> Option<usize> {
        self.data.max_per_source.get(source.name()).copied()
    }

    /// The trainer's settings.
    pub fn options(&self) -> ContrastiveOptions {
        let o = &self.optim;
        ContrastiveOptions {
            learning_rate: o.learning_rate,
            warmup_steps: o.warmup_steps,
            total_steps: o.total_steps,
            min_lr_ratio: o.min_lr_ratio,
            weight_decay: o.weight_decay,
            max_grad_norm: o.max_grad_norm,
            temperature: o.temperature,
            symmetric: o.symmetric,
            scorer: self.scorer(),
        }
    }

    /// The run's scorer (checked by [`validate`](Self::validate); `mean` if unknown).
    pub fn scorer(&self) -> Scorer {
        Scorer::from_name(&self.optim.scorer).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shipped encoder recipe reads and validates (a misspelt key or scorer would
    /// otherwise surface only when someone runs it).
    #[test]
    fn every_encoder_recipe_in_configs_validates() {
        let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs");
        let mut checked = Vec::new();
        for entry in std::fs::read_dir(&configs).expect("configs/") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("encoder-") && name.ends_with(".toml") {
                let config = EncoderTrainConfig::from_file(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                checked.push((name.to_string(), config.scorer()));
            }
        }
        assert!(checked.len() >= 4, "{checked:?}");
        assert!(
            checked
                .iter()
                .any(|(name, scorer)| name.contains("context") && *scorer == Scorer::TokenAttention),
            "{checked:?}"
        );
    }

    #[test]
    fn an_unknown_scorer_is_refused_by_name() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/encoder-minilm-context.toml"),
        )
        .expect("recipe")
        .replace("scorer = \"token-attention\"", "scorer = \"max\"");
        let config: EncoderTrainConfig = toml::from_str(&text).expect("parses");
        let err = config.validate().expect_err("unknown scorer").to_string();
        assert!(err.contains("optim.scorer") && err.contains("max"), "{err}");
    }
}
