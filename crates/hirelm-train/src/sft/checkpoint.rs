//! Resumable training: atomic checkpoints of the adapter, the optimiser state and the position.
//!
//! A checkpoint is a directory `step-NNNNNNNN/` holding `adapter_model.safetensors`,
//! `adapter_config.json` (PEFT format), `optimizer.bpk` (burn's AdamW moments) and `state.json`
//! (step, data position, seed, parameter ids). It is written as `.step-NNNNNNNN.partial/` and
//! renamed when complete, so a run killed mid-write leaves only a partial directory, which
//! [`latest_checkpoint`] ignores: resume continues from the previous good one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hirelm_model::burn::module::ParamId;
use hirelm_model::burn::optim::AdamWConfig;
use hirelm_model::burn::tensor::Device;
use hirelm_model::llama::LlamaModel;
use serde::{Deserialize, Serialize};

use super::trainer::{SftOptions, SftTrainer};
use crate::attach::projections_mut;
use crate::config::LoraConfig;
use crate::error::{LoraError, Result};
use crate::peft::{load_adapter, save_adapter};

const STATE_FILE: &str = "state.json";
const OPTIMIZER_FILE: &str = "optimizer.bpk";

/// Where the data stream stood when a checkpoint was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataPosition {
    /// Examples consumed so far (the next batch starts here in the seeded order).
    pub examples_seen: u64,
    /// Seed of the data order.
    pub seed: u64,
    /// Fingerprint of the training stream ([`stream_fingerprint`]); `None` in checkpoints written
    /// before it existed, which are resumed unchecked.
    #[serde(default)]
    pub stream: Option<u64>,
}

/// FNV-1a over everything that decides which token rows the data position counts through: the
/// rendered training examples (ids and loss masks, so a changed data file, `max_per_task` cap or
/// template shows), `max_len` and packing. Resuming on another stream would silently train on
/// different examples from the saved position.
pub fn stream_fingerprint<'a>(
    examples: impl IntoIterator<Item = (&'a [u32], &'a [bool])>,
    max_len: usize,
    pack: bool,
) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |v: u64| {
        for b in v.to_le_bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    eat(max_len as u64);
    eat(u64::from(pack));
    for (ids, mask) in examples {
        eat(ids.len() as u64);
        ids.iter().for_each(|&id| eat(u64::from(id)));
        mask.iter().for_each(|&m| eat(u64::from(m)));
    }
    hash
}

#[derive(Debug, Serialize, Deserialize)]
struct CheckpointState {
    step: usize,
    data: DataPosition,
    /// Module path → ids of its A and B parameters, which key the optimiser state.
    param_ids: BTreeMap<String, [u64; 2]>,
}

fn fail(path: &Path, reason: impl std::fmt::Display) -> LoraError {
    LoraError::Checkpoint {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// The newest complete checkpoint under `run_dir`, if any.
pub fn latest_checkpoint(run_dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(run_dir).ok()?;
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let step: u64 = name.strip_prefix("step-")?.parse().ok()?;
            e.path()
                .join(STATE_FILE)
                .is_file()
                .then(|| (step, e.path()))
        })
        .max_by_key(|(step, _)| *step)
        .map(|(_, path)| path)
}

impl SftTrainer {
    /// Writes a checkpoint of the current step into `run_dir` and returns its directory.
    pub fn save_checkpoint(
        &mut self,
        run_dir: &Path,
        lora: &LoraConfig,
        data: DataPosition,
    ) -> Result<PathBuf> {
        let name = format!("step-{:08}", self.step);
        let partial = run_dir.join(format!(".{name}.partial"));
        let done = run_dir.join(&name);
        if partial.exists() {
            std::fs::remove_dir_all(&partial).map_err(|e| fail(&partial, e))?;
        }
        let model = self
            .model
            .as_mut()
            .ok_or_else(|| fail(run_dir, "no model"))?;
        save_adapter(model, lora, &partial)?;
        let param_ids = projections_mut(model)
            .into_iter()
            .filter_map(|(module, _, l)| {
                l.adapter
                    .as_ref()
                    .map(|a| (module, [a.a.id.val(), a.b.id.val()]))
            })
            .collect();
        self.optimizer
            .save(partial.join(OPTIMIZER_FILE))
            .map_err(|e| fail(&partial, format!("{e:?}")))?;
        let state = CheckpointState {
            step: self.step,
            data,
            param_ids,
        };
        let json = serde_json::to_string_pretty(&state).map_err(|e| fail(&partial, e))?;
        std::fs::write(partial.join(STATE_FILE), json).map_err(|e| fail(&partial, e))?;
        if done.exists() {
            std::fs::remove_dir_all(&done).map_err(|e| fail(&done, e))?;
        }
        std::fs::rename(&partial, &done).map_err(|e| fail(&done, e))?;
        Ok(done)
    }

    /// Continues training from `checkpoint` on `base` (the base model without adapters, loaded
    /// on the autodiff `device`): same adapter, optimiser moments, step and data position.
    pub fn resume(
        mut base: LlamaModel,
        options: SftOptions,
        device: Device,
        checkpoint: &Path,
    ) -> Result<(Self, LoraConfig, DataPosition)> {
        let text = std::fs::read_to_string(checkpoint.join(STATE_FILE))
            .map_err(|e| fail(checkpoint, e))?;
        let state: CheckpointState =
            serde_json::from_str(&text).map_err(|e| fail(checkpoint, e))?;
        let lora = load_adapter(&mut base, checkpoint, &device)?;
        for (module, _, linear) in projections_mut(&mut base) {
            if let Some(adapter) = linear.adapter.as_mut() {
                let [a, b] = state.param_ids.get(&module).ok_or_else(|| {
                    fail(
                        checkpoint,
                        format!("state.json has no parameter ids for {module}"),
                    )
                })?;
                adapter.a.id = ParamId::from(*a);
                adapter.b.id = ParamId::from(*b);
            }
        }
        let optimizer = AdamWConfig::new()
            .with_weight_decay(options.weight_decay as f32)
            .init()
            .load(checkpoint.join(OPTIMIZER_FILE))
            .map_err(|e| fail(checkpoint, format!("{e:?}")))?;
        let mut trainer = SftTrainer::new(base, options, device)?;
        trainer.optimizer = optimizer;
        trainer.step = state.step;
        Ok((trainer, lora, state.data))
    }
}
