//! Resumable contrastive training: atomic checkpoints holding a loadable encoder directory, the
//! optimiser's moments and the data position.
//!
//! `step-NNNNNNNN/` holds `encoder/` (a sentence-encoder directory, see
//! [`save_sentence_encoder`]), `optimizer.bpk` and `state.json`. It is written as
//! `.step-NNNNNNNN.partial/` and renamed when complete, so a run killed mid-write resumes from
//! the previous complete one ([`crate::sft::latest_checkpoint`] skips partial directories).

use std::path::{Path, PathBuf};

use hirelm_model::bert::{BertConfig, BertModel, save_sentence_encoder};
use hirelm_model::burn::optim::AdamWConfig;
use hirelm_model::burn::tensor::Device;
use hirelm_model::weights::SafetensorsWeights;
use serde::{Deserialize, Serialize};

use super::trainer::{ContrastiveOptions, ContrastiveTrainer};
use crate::error::{LoraError, Result};

const STATE_FILE: &str = "state.json";
const OPTIMIZER_FILE: &str = "optimizer.bpk";
/// The encoder directory inside a checkpoint.
pub const ENCODER_DIR: &str = "encoder";

/// Where the pair stream stood at a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairPosition {
    /// Stream position of the next batch.
    pub cursor: u64,
    /// Pairs trained on so far.
    pub pairs_seen: u64,
    /// Tokens (anchors and candidates, padding excluded) trained on so far.
    pub tokens_seen: u64,
    /// Seed of the pair order.
    pub seed: u64,
    /// Fingerprint of the tokenized pairs and recipe knobs that decide the stream.
    pub stream: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct State {
    step: usize,
    data: PairPosition,
}

fn fail(path: &Path, reason: impl std::fmt::Display) -> LoraError {
    LoraError::Checkpoint {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

impl ContrastiveTrainer {
    /// Writes a checkpoint of the current step into `run_dir`; `base` is the encoder directory
    /// the run started from (its tokenizer and config are copied). Returns the directory.
    pub fn save_checkpoint(
        &self,
        run_dir: &Path,
        base: &Path,
        data: PairPosition,
    ) -> Result<PathBuf> {
        let name = format!("step-{:08}", self.step);
        let partial = run_dir.join(format!(".{name}.partial"));
        let done = run_dir.join(&name);
        if partial.exists() {
            std::fs::remove_dir_all(&partial).map_err(|e| fail(&partial, e))?;
        }
        std::fs::create_dir_all(&partial).map_err(|e| fail(&partial, e))?;
        save_sentence_encoder(
            &self.snapshot(),
            base,
            &partial.join(ENCODER_DIR),
            self.options().scorer,
        )?;
        self.optimizer
            .save(partial.join(OPTIMIZER_FILE))
            .map_err(|e| fail(&partial, format!("{e:?}")))?;
        let json = serde_json::to_string_pretty(&State {
            step: self.step,
            data,
        })
        .map_err(|e| fail(&partial, e))?;
        std::fs::write(partial.join(STATE_FILE), json).map_err(|e| fail(&partial, e))?;
        if done.exists() {
            std::fs::remove_dir_all(&done).map_err(|e| fail(&done, e))?;
        }
        std::fs::rename(&partial, &done).map_err(|e| fail(&done, e))?;
        Ok(done)
    }

    /// Continues from `checkpoint`: its weights (on the autodiff `device`), optimiser moments,
    /// step and data position.
    pub fn resume(
        config: &BertConfig,
        options: ContrastiveOptions,
        device: Device,
        checkpoint: &Path,
    ) -> Result<(Self, PairPosition)> {
        let text = std::fs::read_to_string(checkpoint.join(STATE_FILE))
            .map_err(|e| fail(checkpoint, e))?;
        let state: State = serde_json::from_str(&text).map_err(|e| fail(checkpoint, e))?;
        let weights =
            SafetensorsWeights::open(checkpoint.join(ENCODER_DIR).join("model.safetensors"))?;
        let model = BertModel::load(&weights, config, &device)?;
        let mut trainer = Self::new(model, options, device)?;
        trainer.optimizer = AdamWConfig::new()
            .with_weight_decay(trainer.options().weight_decay as f32)
            .init()
            .load(checkpoint.join(OPTIMIZER_FILE))
            .map_err(|e| fail(checkpoint, format!("{e:?}")))?;
        trainer.step = state.step;
        Ok((trainer, state.data))
    }
}
