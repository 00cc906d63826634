//! A whole fine-tuning run: render the data, attach (or resume) adapters, step, validate,
//! checkpoint, and write the final adapter, a metrics log and a loss curve.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

use hirelm_core::{Example, Task};
use hirelm_model::burn::tensor::Device;
use hirelm_model::{ChatTemplate, ChatTokens, PretrainedLlama};
use serde::Serialize;

use super::config::TrainConfig;
use super::generation_check::generation_check;
use super::log::{append_metrics, truncate_metrics};
use super::plot::write_loss_curve;
use crate::attach::attach_fresh;
use crate::error::{LoraError, Result};
use crate::peft::{load_adapter, save_adapter};
use crate::sft::{
    DataPosition, ExampleOrder, SftTrainer, cap_per_task, collate, collate_packed,
    latest_checkpoint, render_example, stratified_indices, stream_fingerprint, task_counts,
};

/// One line of `metrics.jsonl`, also handed to the progress callback.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    /// Step just finished (1-based).
    pub step: usize,
    /// Steps of the run.
    pub total_steps: usize,
    /// Training loss of the step.
    pub loss: f64,
    /// Learning rate used.
    pub learning_rate: f64,
    /// Gradient norm before clipping.
    pub grad_norm: f64,
    /// Input tokens of the step, padding included (a model card sums them as tokens seen).
    pub tokens: usize,
    /// Tokens (inputs) processed per second in this step.
    pub tokens_per_second: f64,
    /// Validation loss, on the steps that validate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_loss: Option<f64>,
    /// Share of greedy validation answers that are valid JSON for their task's schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_json_rate: Option<f64>,
    /// Share of greedy validation answers equal to the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_exact_match: Option<f64>,
}

/// What a finished run produced.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    /// The final adapter directory (PEFT format); the checkpoints directory when stopped early.
    pub adapter_dir: PathBuf,
    /// Whether the run was stopped before `total_steps` (resume it to finish).
    pub stopped: bool,
    /// Step the run started from (0, or the resumed checkpoint's).
    pub resumed_from: usize,
    /// Training examples truncated to `max_len`.
    pub truncated: usize,
    /// Training examples dropped because their answer starts beyond `max_len`.
    pub no_answer: usize,
    /// Training examples per task after `data.max_per_task`.
    pub per_task: BTreeMap<Task, usize>,
    /// The last report.
    pub last: Option<StepReport>,
}

/// A checkpoint-kind error about `path`.
pub(super) fn fail(path: &std::path::Path, e: impl std::fmt::Display) -> LoraError {
    LoraError::Checkpoint {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Attaches the adapter of `init` to `model` as the starting point of training, refusing one
/// whose shape differs from the recipe's `lora` (a mismatch would train another adapter than the
/// recipe names, and its checkpoints would not resume under it).
fn warm_start(
    model: &mut hirelm_model::llama::LlamaModel,
    init: &std::path::Path,
    lora: &crate::config::LoraConfig,
    device: &Device,
) -> Result<()> {
    let loaded = load_adapter(model, init, device)
        .map_err(|e| LoraError::config("lora.init", format!("{}: {e}", init.display())))?;
    if !loaded.same_shape(lora) {
        return Err(LoraError::config(
            "lora.init",
            format!(
                "{} has rank {}, alpha {}, targets {:?}, rsLoRA {}; the recipe asks for rank {}, alpha {}, targets {:?}, rsLoRA {}",
                init.display(),
                loaded.rank,
                loaded.alpha,
                loaded.target_modules,
                loaded.use_rslora,
                lora.rank,
                lora.alpha,
                lora.target_modules,
                lora.use_rslora
            ),
        ));
    }
    Ok(())
}

/// Runs `config` on `train`/`valid`, resuming from the newest checkpoint when `resume` is set.
///
/// `on_step` sees every step's report; returning `ControlFlow::Break` stops the run after
/// checkpointing that step (a caller's signal handler can use this), and a later call with
/// `resume` continues exactly. A fresh run refuses an `out_dir` that holds checkpoints, and a
/// resumed one refuses a recipe whose LoRA settings or seed differ from the checkpoint's.
pub fn train(
    config: &TrainConfig,
    train: &[Example],
    valid: &[Example],
    resume: bool,
    on_step: &mut dyn FnMut(&StepReport) -> ControlFlow<()>,
) -> Result<TrainSummary> {
    let (selected_train, selected_valid);
    let (train, valid) = match &config.data.tasks {
        Some(tasks) => {
            let keep = |examples: &[Example]| {
                examples
                    .iter()
                    .filter(|e| tasks.contains(&e.task))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            (selected_train, selected_valid) = (keep(train), keep(valid));
            if selected_valid.is_empty() {
                return Err(LoraError::config(
                    "data.tasks",
                    format!("no validation examples of {tasks:?}"),
                ));
            }
            (&selected_train[..], &selected_valid[..])
        }
        None => (train, valid),
    };
    if train.is_empty() {
        return Err(LoraError::config(
            "data.train",
            "no training examples (of data.tasks, when set)",
        ));
    }
    let capped;
    let train = match config.data.max_per_task {
        Some(cap) => {
            capped = cap_per_task(train, cap, config.run.seed);
            &capped[..]
        }
        None => train,
    };
    let per_task = task_counts(train);
    let out = &config.run.out_dir;
    let checkpoints = out.join("checkpoints");
    std::fs::create_dir_all(&checkpoints).map_err(|e| fail(&checkpoints, e))?;
    let device = Device::flex().autodiff();
    let lm = PretrainedLlama::load(&config.model.base, &device)?;
    let template = ChatTemplate::default();
    let render = |examples: &[Example]| -> Result<Vec<ChatTokens>> {
        examples
            .iter()
            .map(|e| render_example(&lm.tokenizer, &template, e))
            .collect()
    };
    let max_len = config.data.max_len;
    if max_len + 1 > lm.model.config.max_seq_len {
        return Err(LoraError::config(
            "data.max_len",
            format!(
                "{max_len} exceeds the model's context of {} tokens",
                lm.model.config.max_seq_len
            ),
        ));
    }
    // Validation examples drawn round-robin over the tasks: the files are written task by task.
    let valid: Vec<Example> = stratified_indices(
        valid,
        config.run.eval_examples.max(config.run.generate_examples),
    )
    .into_iter()
    .map(|i| valid[i].clone())
    .collect();
    let valid = &valid[..];
    let (rendered, valid_tokens) = (render(train)?, render(valid)?);
    let truncated = rendered
        .iter()
        .filter(|t| t.ids.len() > max_len + 1)
        .count();
    // An example whose answer starts beyond `max_len` would train on nothing: drop and count it.
    let has_answer = |t: &ChatTokens| {
        t.assistant_mask
            .iter()
            .take(max_len + 1)
            .skip(1)
            .any(|m| *m)
    };
    let train_tokens: Vec<ChatTokens> = rendered.into_iter().filter(has_answer).collect();
    let no_answer = train.len() - train_tokens.len();
    if train_tokens.is_empty() {
        return Err(LoraError::config(
            "data.max_len",
            format!("every training example's answer starts beyond {max_len} tokens"),
        ));
    }
    let pad = lm.tokenizer.eos_id.unwrap_or(0);
    let lora = config.lora_config();
    let stream = stream_fingerprint(
        train_tokens
            .iter()
            .map(|t| (&t.ids[..], &t.assistant_mask[..])),
        max_len,
        config.data.pack,
    );

    let existing = latest_checkpoint(&checkpoints);
    let checkpoint = match (resume, existing) {
        (true, None) => {
            return Err(fail(
                &checkpoints,
                "--resume was asked for, but there is no complete checkpoint here",
            ));
        }
        (false, Some(found)) => {
            return Err(fail(
                &found,
                "this out_dir holds checkpoints of an earlier run: resume it, or choose another out_dir",
            ));
        }
        (true, found) => found,
        (false, None) => None,
    };
    let (mut trainer, mut position) = match &checkpoint {
        Some(dir) => {
            let (trainer, saved, data) =
                SftTrainer::resume(lm.model, config.sft_options(), device.clone(), dir)?;
            if !saved.same_shape(&lora) || data.seed != config.run.seed {
                return Err(fail(
                    dir,
                    "the checkpoint's LoRA settings or seed differ from the recipe's",
                ));
            }
            if data.stream.is_some_and(|saved| saved != stream) {
                return Err(fail(
                    dir,
                    "the checkpoint was trained on another data stream (the data file, data.max_len, data.max_per_task, data.tasks or data.pack changed): restore them, or start a fresh run in another out_dir",
                ));
            }
            (trainer, data.examples_seen)
        }
        None => {
            let mut model = lm.model;
            match &config.lora.init {
                Some(init) => warm_start(&mut model, init, &lora, &device)?,
                None => {
                    attach_fresh(&mut model, &lora, config.run.seed, &device)?;
                }
            }
            (
                SftTrainer::new(model, config.sft_options(), device.clone())?,
                0,
            )
        }
    };
    let resumed_from = trainer.step();
    let metrics_path = out.join("metrics.jsonl");
    if resumed_from == 0 {
        // A fresh run starts a fresh log; a resumed one drops lines past its checkpoint.
        let _ = std::fs::remove_file(&metrics_path);
    } else {
        truncate_metrics(&metrics_path, resumed_from)?;
    }
    let mut order = ExampleOrder::new(train_tokens.len(), config.run.seed);
    let mut last = None;
    let o = &config.optim;
    while trainer.step() < o.total_steps {
        let start = Instant::now();
        // The step's examples are packed into rows, or sorted by length before they are cut
        // into micro-batches, so that short and long examples are not padded to each other's
        // length (the mix runs from 60 to 700 tokens). Either way the step's set of examples is
        // what the order drew, a pure function of the data position (resuming needs that).
        let mut picked: Vec<ChatTokens> = order
            .take(position, o.batch_size * o.grad_accum)
            .into_iter()
            .map(|i| train_tokens[i].clone())
            .collect();
        position += picked.len() as u64;
        let micro: Vec<_> = if config.data.pack {
            collate_packed(&picked, max_len, pad, o.batch_size)
        } else {
            picked.sort_by_key(|t| t.ids.len());
            picked
                .chunks(o.batch_size)
                .map(|chunk| collate(chunk, max_len, pad))
                .collect()
        };
        let tokens: usize = micro.iter().map(|b| b.batch * b.seq).sum();
        let stats = trainer.train_step(&micro)?;
        let step = trainer.step();
        let mut report = StepReport {
            step,
            total_steps: o.total_steps,
            loss: stats.loss,
            learning_rate: stats.learning_rate,
            grad_norm: stats.grad_norm,
            tokens,
            tokens_per_second: tokens as f64 / start.elapsed().as_secs_f64().max(1e-9),
            valid_loss: None,
            valid_json_rate: None,
            valid_exact_match: None,
        };
        let is_last = step == o.total_steps;
        let every = |n: usize| is_last || (n > 0 && step % n == 0);
        if every(config.run.eval_every) && !valid_tokens.is_empty() {
            let n = config.run.eval_examples.min(valid_tokens.len()).max(1);
            let chunks: Vec<&[ChatTokens]> = valid_tokens[..n].chunks(o.batch_size).collect();
            let batches: Vec<_> = chunks
                .iter()
                .map(|chunk| collate(chunk, max_len, pad))
                .collect();
            let loss: f64 = trainer
                .eval_losses(&batches)
                .iter()
                .zip(&chunks)
                .map(|(l, chunk)| l * chunk.len() as f64)
                .sum();
            report.valid_loss = Some(loss / n as f64);
            if config.run.generate_examples > 0 {
                let (json, exact) =
                    generation_check(&trainer, &lm.tokenizer, &template, valid, config)?;
                report.valid_json_rate = Some(json);
                report.valid_exact_match = Some(exact);
            }
        }
        append_metrics(&metrics_path, &report)?;
        let stop = on_step(&report).is_break();
        if stop || every(config.run.checkpoint_every) {
            trainer.save_checkpoint(
                &checkpoints,
                &lora,
                DataPosition {
                    examples_seen: position,
                    seed: config.run.seed,
                    stream: Some(stream),
                },
            )?;
        }
        last = Some(report);
        if stop {
            return Ok(TrainSummary {
                adapter_dir: checkpoints,
                resumed_from,
                truncated,
                no_answer,
                per_task,
                last,
                stopped: true,
            });
        }
    }
    let adapter_dir = out.join("adapter");
    let mut model = trainer.into_model();
    save_adapter(&mut model, &lora, &adapter_dir)?;
    write_loss_curve(&metrics_path, &out.join("loss.svg"))?;
    Ok(TrainSummary {
        adapter_dir,
        resumed_from,
        truncated,
        no_answer,
        per_task,
        last,
        stopped: false,
    })
}
