//! A whole contrastive encoder run: tokenize the pairs, start (or resume), step, validate,
//! keep the best encoder, checkpoint, and write metrics and curves.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use hirelm_core::{EncoderPair, PairSource};
use hirelm_model::bert::{BertConfig, BertModel, save_sentence_encoder};
use hirelm_model::burn::tensor::Device;
use hirelm_model::weights::SafetensorsWeights;
use serde::{Deserialize, Serialize};

use super::encoder_config::EncoderTrainConfig;
use super::encoder_data::{
    fingerprint, hard_negatives, negative_ids, select_pairs, tokenize_pairs,
};
use super::log::{append_metrics, truncate_metrics};
use super::plot::{Curve, loss_curve_svg};
use crate::contrastive::{ContrastiveTrainer, PairBatcher, PairPosition, TextBatch};
use crate::error::{LoraError, Result};
use crate::sft::latest_checkpoint;

/// Complete checkpoints kept (each is ~270 MB: weights and AdamW's two moments); the newest
/// is what a resume needs, the one before it covers a damaged newest.
const KEEP_CHECKPOINTS: usize = 2;

/// Texts embedded per forward pass within a step.
const CHUNK_ROWS: usize = 16;

/// Validation figures by name (higher is better for the selecting one).
pub type Scores = BTreeMap<String, f64>;

/// One line of `metrics.jsonl`, also handed to the progress callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EncoderStepReport {
    /// Step just finished (1-based).
    pub step: usize,
    /// Steps of the run.
    pub total_steps: usize,
    /// InfoNCE loss of the step.
    pub loss: f64,
    /// Learning rate used.
    pub learning_rate: f64,
    /// Gradient norm before clipping.
    pub grad_norm: f64,
    /// Pairs in the step.
    pub pairs: usize,
    /// Mined negatives added to the step's candidates.
    #[serde(default)]
    pub hard_negatives: usize,
    /// Pairs per second in this step.
    pub pairs_per_second: f64,
    /// Pairs trained on since the start of the run.
    pub pairs_seen: u64,
    /// Tokens (padding excluded) trained on since the start of the run.
    pub tokens_seen: u64,
    /// Validation figures, on the steps that validate.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub valid: Scores,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct EncoderSummary {
    /// The encoder that scored best on validation (`out_dir/best`), or the last one when the
    /// run does not validate.
    pub best_dir: PathBuf,
    /// Step and figures of the best encoder.
    pub best: Option<(usize, Scores)>,
    /// Whether the run stopped before `total_steps` (resume it to finish).
    pub stopped: bool,
    /// Step the run started from.
    pub resumed_from: usize,
    /// Pairs per source after the caps.
    pub per_source: BTreeMap<PairSource, usize>,
    /// Texts longer than `data.max_len` tokens (truncated).
    pub truncated: usize,
    /// Pairs given a mined hard negative (0 without `[hard_negatives]`).
    pub mined: usize,
    /// The last report.
    pub last: Option<EncoderStepReport>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Best {
    step: usize,
    scores: Scores,
}

fn fail(path: &Path, e: impl std::fmt::Display) -> LoraError {
    LoraError::Checkpoint {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Runs `config` on `pairs`, resuming from the newest checkpoint when `resume` is set.
///
/// `validate` scores a gradient-free copy of the encoder (every `run.eval_every` steps and at
/// the end); the copy scoring best on `run.select_metric` is kept in `out_dir/best`. `on_step`
/// sees every report; `ControlFlow::Break` stops after checkpointing that step.
pub fn train_encoder(
    config: &EncoderTrainConfig,
    pairs: &[EncoderPair],
    resume: bool,
    validate: &mut dyn FnMut(&BertModel) -> Result<Scores>,
    on_step: &mut dyn FnMut(&EncoderStepReport) -> ControlFlow<()>,
) -> Result<EncoderSummary> {
    config.validate()?;
    let pairs = select_pairs(config, pairs);
    if pairs.len() < config.optim.batch_size {
        return Err(LoraError::config(
            "data.pairs",
            format!(
                "{} pairs, fewer than one batch of {}",
                pairs.len(),
                config.optim.batch_size
            ),
        ));
    }
    let mut per_source = BTreeMap::new();
    for pair in &pairs {
        *per_source.entry(pair.source).or_insert(0) += 1;
    }
    let base = &config.model.base;
    let bert = BertConfig::from_hf_file(&base.join("config.json"))?;
    let (anchors, positives, truncated) = tokenize_pairs(
        &base.join("tokenizer.json"),
        &pairs,
        config.data.max_len.min(bert.max_position_embeddings),
    )?;
    let stream = fingerprint(&pairs, &anchors, &positives, config);

    let out = &config.run.out_dir;
    let checkpoints = out.join("checkpoints");
    std::fs::create_dir_all(&checkpoints).map_err(|e| fail(&checkpoints, e))?;
    let device = Device::flex().autodiff();
    let checkpoint = match (resume, latest_checkpoint(&checkpoints)) {
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
        (_, found) => found,
    };
    let (mut trainer, mut position) = match &checkpoint {
        Some(dir) => {
            let (trainer, position) =
                ContrastiveTrainer::resume(&bert, config.options(), device.clone(), dir)?;
            if position.seed != config.run.seed || position.stream != stream {
                return Err(fail(
                    dir,
                    "the checkpoint was trained on another pair stream (pairs file, caps, max_len, batch size or seed changed): restore them, or start a fresh run in another out_dir",
                ));
            }
            (trainer, position)
        }
        None => {
            let weights = SafetensorsWeights::open(base.join("model.safetensors"))?;
            let model = BertModel::load(&weights, &bert, &device)?;
            let start = PairPosition {
                cursor: 0,
                pairs_seen: 0,
                tokens_seen: 0,
                seed: config.run.seed,
                stream,
            };
            (
                ContrastiveTrainer::new(model, config.options(), device.clone())?,
                start,
            )
        }
    };
    let resumed_from = trainer.step();
    // The recipe as run, overrides included, for the model card (once out_dir is known to be ours).
    let recipe = out.join("recipe.toml");
    let text = toml::to_string(config).map_err(|e| fail(&recipe, e))?;
    hirelm_core::fs::write_atomic(&recipe, text.as_bytes()).map_err(|e| fail(&recipe, e))?;
    let metrics_path = out.join("metrics.jsonl");
    let best_path = out.join("best.json");
    let best_dir = out.join("best");
    if resumed_from == 0 {
        let _ = std::fs::remove_file(&metrics_path);
        let _ = std::fs::remove_file(&best_path);
    } else {
        truncate_metrics(&metrics_path, resumed_from)?;
    }
    // A best encoder saved after the checkpoint resumed from is from steps that will be redone.
    let mut best: Option<Best> = std::fs::read_to_string(&best_path)
        .ok()
        .and_then(|t| serde_json::from_str::<Best>(&t).ok())
        .filter(|b| b.step <= resumed_from && best_dir.is_dir());
    // Mined by the encoder the run starts from, before its first step.
    let fresh_model = (resumed_from == 0).then(|| trainer.snapshot());
    let negatives = hard_negatives(
        config,
        &pairs,
        (&anchors, &positives),
        stream,
        fresh_model.as_ref(),
        &Device::flex(),
    )?;
    drop(fresh_model);
    let negative_tokens = negative_ids(&pairs, &positives);
    let mut batcher = PairBatcher::new(&pairs, config.run.seed);
    let o = &config.optim;
    let mut last = None;
    while trainer.step() < o.total_steps {
        let start = Instant::now();
        let (mut batch, next) = batcher.next_batch(position.cursor, o.batch_size);
        // Sorted by anchor length and embedded in chunks: padding every anchor to the batch's
        // longest (sentences run from 3 to 64 tokens) doubled the tokens of a step. The loss
        // does not depend on the order of the pairs.
        batch.sort_by_key(|&i| (anchors[i].len(), i));
        let anchor_rows: Vec<&[u32]> = batch.iter().map(|&i| anchors[i].as_slice()).collect();
        let positive_rows: Vec<&[u32]> = batch.iter().map(|&i| positives[i].as_slice()).collect();
        let chunks = |rows: &[&[u32]]| {
            rows.chunks(CHUNK_ROWS)
                .map(TextBatch::collate)
                .collect::<Vec<_>>()
        };
        // Candidates: the positives row for row, then the batch's hard negatives.
        let negative_rows: Vec<&[u32]> = batcher
            .batch_negatives(&batch, &negatives)
            .into_iter()
            .filter_map(|n| negative_tokens.get(n.text.as_str()).copied())
            .collect();
        let mut candidates = chunks(&positive_rows);
        candidates.extend(chunks(&negative_rows));
        let stats = trainer.train_step(&chunks(&anchor_rows), &candidates)?;
        position.cursor = next;
        position.pairs_seen += batch.len() as u64;
        position.tokens_seen += anchor_rows
            .iter()
            .chain(&positive_rows)
            .chain(&negative_rows)
            .map(|r| r.len() as u64)
            .sum::<u64>();
        let step = trainer.step();
        let mut report = EncoderStepReport {
            step,
            total_steps: o.total_steps,
            loss: stats.loss,
            learning_rate: stats.learning_rate,
            grad_norm: stats.grad_norm,
            pairs: batch.len(),
            hard_negatives: negative_rows.len(),
            pairs_per_second: batch.len() as f64 / start.elapsed().as_secs_f64().max(1e-9),
            pairs_seen: position.pairs_seen,
            tokens_seen: position.tokens_seen,
            valid: Scores::new(),
        };
        let is_last = step == o.total_steps;
        let every = |n: usize| is_last || (n > 0 && step % n == 0);
        if every(config.run.eval_every) {
            let snapshot = trainer.snapshot();
            report.valid = validate(&snapshot)?;
            let score = report.valid.get(&config.run.select_metric).copied();
            if score.is_none() {
                let known: Vec<&str> = report.valid.keys().map(String::as_str).collect();
                return Err(LoraError::config(
                    "run.select_metric",
                    format!(
                        "`{}` is not a validation figure; expected one of {}",
                        config.run.select_metric,
                        known.join(", ")
                    ),
                ));
            }
            let better = match (score, &best) {
                (Some(s), Some(b)) => b
                    .scores
                    .get(&config.run.select_metric)
                    .is_none_or(|old| s > *old),
                (Some(_), None) => true,
                (None, _) => false,
            };
            if better {
                save_sentence_encoder(&snapshot, base, &best_dir, config.scorer())?;
                let record = Best {
                    step,
                    scores: report.valid.clone(),
                };
                let json =
                    serde_json::to_string_pretty(&record).map_err(|e| fail(&best_path, e))?;
                hirelm_core::fs::write_atomic(&best_path, json.as_bytes())
                    .map_err(|e| fail(&best_path, e))?;
                best = Some(record);
            }
        }
        append_metrics(&metrics_path, &report)?;
        let stop = on_step(&report).is_break();
        if stop || every(config.run.checkpoint_every) {
            trainer.save_checkpoint(&checkpoints, base, position)?;
            prune_checkpoints(&checkpoints, KEEP_CHECKPOINTS)?;
        }
        last = Some(report);
        if stop {
            break;
        }
    }
    let stopped = trainer.step() < o.total_steps;
    if best.is_none() && !stopped {
        save_sentence_encoder(&trainer.snapshot(), base, &best_dir, config.scorer())?;
    }
    write_curves(&metrics_path, out, &config.run.select_metric)?;
    Ok(EncoderSummary {
        best_dir,
        best: best.map(|b| (b.step, b.scores)),
        stopped,
        resumed_from,
        per_source,
        truncated,
        mined: negatives.iter().flatten().count(),
        last,
    })
}

/// Deletes all but the newest `keep` complete checkpoints (`step-N/`) of `dir`.
fn prune_checkpoints(dir: &Path, keep: usize) -> Result<()> {
    let mut steps: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| fail(dir, e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            Some((
                e.file_name()
                    .to_str()?
                    .strip_prefix("step-")?
                    .parse()
                    .ok()?,
                e.path(),
            ))
        })
        .collect();
    steps.sort();
    for (_, path) in steps.iter().rev().skip(keep) {
        std::fs::remove_dir_all(path).map_err(|e| fail(path, e))?;
    }
    Ok(())
}

/// `loss.svg` (training loss) and `validation.svg` (the selecting figure) in `out`, from the
/// metrics log of a run (also of one stopped early, which wrote no curves itself).
pub fn write_curves(metrics: &Path, out: &Path, select: &str) -> Result<()> {
    let text = std::fs::read_to_string(metrics).map_err(|e| fail(metrics, e))?;
    let reports: Vec<EncoderStepReport> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let loss: Vec<(f64, f64)> = reports.iter().map(|r| (r.step as f64, r.loss)).collect();
    let mut by_metric: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    for r in &reports {
        for (name, value) in &r.valid {
            by_metric
                .entry(name.as_str())
                .or_default()
                .push((r.step as f64, *value));
        }
    }
    let colours = [
        "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    ];
    let valid: Vec<Curve<'_>> = by_metric
        .into_iter()
        .enumerate()
        .map(|(i, (name, points))| {
            (
                name,
                if name == select {
                    "#1f77b4"
                } else {
                    colours[i % colours.len()]
                },
                points,
            )
        })
        .collect();
    for (file, series) in [
        ("loss.svg", vec![("train loss", "#1f77b4", loss)]),
        ("validation.svg", valid),
    ] {
        let path = out.join(file);
        hirelm_core::fs::write_atomic(&path, loss_curve_svg(&series).as_bytes())
            .map_err(|e| fail(&path, e))?;
    }
    Ok(())
}
