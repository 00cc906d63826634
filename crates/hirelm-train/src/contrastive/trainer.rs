//! One optimisation step of contrastive encoder training: embed anchors and positives (masked
//! mean pooling, L2 normalisation), score them (pooled cosine or token attention), InfoNCE over
//! in-batch negatives, backward through the whole
//! encoder, global gradient-norm clipping, AdamW with warmup and cosine decay.

use hirelm_model::bert::{BertModel, Scorer, l2_normalize, mean_pool, token_attention_matrix};
use hirelm_model::burn::module::Module;
use hirelm_model::burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use hirelm_model::burn::tensor::{Device, Tensor};

use super::batches::TextBatch;
use super::loss::info_nce_of_scores;
use super::params::{clip_global_norm, renumber_params};
use crate::error::{LoraError, Result};
use crate::sft::warmup_cosine;

/// Optimiser and loss settings of a contrastive run.
#[derive(Debug, Clone, PartialEq)]
pub struct ContrastiveOptions {
    /// Peak learning rate.
    pub learning_rate: f64,
    /// Linear warmup steps.
    pub warmup_steps: usize,
    /// Steps of the whole run (end of the cosine).
    pub total_steps: usize,
    /// Final learning rate as a fraction of the peak.
    pub min_lr_ratio: f64,
    /// AdamW decoupled weight decay.
    pub weight_decay: f64,
    /// Clip the global gradient norm to this value.
    pub max_grad_norm: Option<f64>,
    /// Softmax temperature of the cosine scores (0.05 in the published recipes: a scale of 20).
    pub temperature: f64,
    /// Average in the loss of finding each positive's anchor.
    pub symmetric: bool,
    /// How anchors are scored against candidates (candidates are always pooled).
    pub scorer: Scorer,
}

impl Default for ContrastiveOptions {
    fn default() -> Self {
        Self {
            learning_rate: 3e-5,
            warmup_steps: 50,
            total_steps: 1000,
            min_lr_ratio: 0.1,
            weight_decay: 0.01,
            max_grad_norm: Some(1.0),
            temperature: 0.05,
            symmetric: true,
            scorer: Scorer::Mean,
        }
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContrastiveStats {
    /// The InfoNCE loss.
    pub loss: f64,
    /// Learning rate used.
    pub learning_rate: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
}

/// Sentence embeddings of a batch: masked mean of the last hidden states, unit length.
pub fn embed_batch(model: &BertModel, batch: &TextBatch, device: &Device) -> Tensor<2> {
    let (ids, types, mask) = batch.tensors(device);
    l2_normalize(mean_pool(model.forward(ids, types, mask.clone()), mask))
}

/// Scores of a batch of anchors `[rows]` against unit-length `candidates` `[c, d]` under
/// `scorer`: `[rows, c]`.
pub fn score_batch(
    model: &BertModel,
    anchors: &TextBatch,
    candidates: Tensor<2>,
    scorer: Scorer,
    device: &Device,
) -> Tensor<2> {
    match scorer {
        Scorer::Mean => embed_batch(model, anchors, device).matmul(candidates.transpose()),
        Scorer::TokenAttention => {
            let (ids, types, mask) = anchors.tensors(device);
            token_attention_matrix(model.forward(ids, types, mask.clone()), mask, candidates)
        }
    }
}

/// Trains every weight of a BERT encoder that lives on an autodiff device.
pub struct ContrastiveTrainer {
    model: Option<BertModel>,
    pub(super) optimizer: ModuleOptimizer,
    options: ContrastiveOptions,
    pub(super) step: usize,
    device: Device,
}

impl std::fmt::Debug for ContrastiveTrainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContrastiveTrainer")
            .field("options", &self.options)
            .field("step", &self.step)
            .finish()
    }
}

impl ContrastiveTrainer {
    /// A trainer for `model`, loaded on `device` (an autodiff device: `Device::flex().autodiff()`).
    /// Parameter ids are renumbered so that checkpoints resume onto a fresh load.
    pub fn new(model: BertModel, options: ContrastiveOptions, device: Device) -> Result<Self> {
        if !device.is_autodiff() {
            return Err(LoraError::config(
                "device",
                "training needs an autodiff device (Device::flex().autodiff())",
            ));
        }
        if !(options.temperature > 0.0) {
            return Err(LoraError::config(
                "optim.temperature",
                format!("must be > 0, got {}", options.temperature),
            ));
        }
        let optimizer = AdamWConfig::new()
            .with_weight_decay(options.weight_decay as f32)
            .init();
        Ok(Self {
            model: Some(renumber_params(model)),
            optimizer,
            options,
            step: 0,
            device,
        })
    }

    /// Steps taken so far.
    pub fn step(&self) -> usize {
        self.step
    }

    /// The settings.
    pub fn options(&self) -> &ContrastiveOptions {
        &self.options
    }

    /// The model being trained.
    pub fn model(&self) -> &BertModel {
        self.model
            .as_ref()
            .expect("the model is only taken during a step")
    }

    /// A gradient-free copy of the model on the plain device, for validation and export
    /// (a forward pass on the autodiff model would record a graph nobody frees).
    pub fn snapshot(&self) -> BertModel {
        self.model().valid()
    }

    /// One step on `anchors` and `candidates` (the positives row for row, then any hard
    /// negatives), each given as chunks that are embedded separately and joined in order, so
    /// that a short text is not padded to the longest of the whole batch.
    pub fn train_step(
        &mut self,
        anchors: &[TextBatch],
        candidates: &[TextBatch],
    ) -> Result<ContrastiveStats> {
        let rows = |chunks: &[TextBatch]| chunks.iter().map(|c| c.batch).sum::<usize>();
        let (a_rows, c_rows) = (rows(anchors), rows(candidates));
        if a_rows < 2 || c_rows < a_rows {
            return Err(LoraError::config(
                "batch",
                format!(
                    "a contrastive step needs >= 2 anchors and as many candidates, got {a_rows} and {c_rows}"
                ),
            ));
        }
        let model = self
            .model
            .take()
            .expect("the model is only taken during a step");
        let c = Tensor::cat(
            candidates
                .iter()
                .map(|c| embed_batch(&model, c, &self.device))
                .collect(),
            0,
        );
        let scores = Tensor::cat(
            anchors
                .iter()
                .map(|a| score_batch(&model, a, c.clone(), self.options.scorer, &self.device))
                .collect(),
            0,
        );
        let loss = info_nce_of_scores(scores, self.options.temperature, self.options.symmetric);
        let value = f64::from(
            loss.clone()
                .detach()
                .into_data()
                .iter::<f32>()
                .next()
                .unwrap_or(f32::NAN),
        );
        let mut grads = GradientsParams::from_grads(loss.backward(), &model);
        let grad_norm = clip_global_norm(&model, &mut grads, self.options.max_grad_norm);
        if !(value.is_finite() && grad_norm.is_finite()) {
            self.model = Some(model);
            return Err(LoraError::config(
                "training",
                format!(
                    "step {}: loss {value} or gradient norm {grad_norm} is not finite; lower the learning rate",
                    self.step + 1
                ),
            ));
        }
        let o = &self.options;
        let learning_rate = warmup_cosine(
            self.step,
            o.warmup_steps,
            o.total_steps,
            o.learning_rate,
            o.min_lr_ratio,
        );
        self.model = Some(self.optimizer.step(learning_rate, model, grads));
        self.step += 1;
        Ok(ContrastiveStats {
            loss: value,
            learning_rate,
            grad_norm,
        })
    }
}
