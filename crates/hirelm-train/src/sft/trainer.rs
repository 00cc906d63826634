//! One optimisation step of supervised fine-tuning: masked loss, backward through the adapters
//! only, global gradient-norm clipping, AdamW with weight decay, warmup + cosine schedule, and
//! gradient accumulation over micro-batches.

use hirelm_model::burn::module::ParamId;
use hirelm_model::burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use hirelm_model::burn::tensor::{Bool, Device, Int, Tensor, TensorData};
use hirelm_model::llama::LlamaModel;

use super::batch::SftBatch;
use super::frozen_head::FrozenHead;
use super::loss::masked_cross_entropy;
use super::schedule::warmup_cosine;
use crate::attach::projections_mut;
use crate::error::{LoraError, Result};

/// Optimiser settings of a fine-tuning run.
#[derive(Debug, Clone, PartialEq)]
pub struct SftOptions {
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
    /// Clip the global gradient norm of all adapter weights to this value.
    pub max_grad_norm: Option<f64>,
}

impl Default for SftOptions {
    fn default() -> Self {
        Self {
            learning_rate: 2e-4,
            warmup_steps: 10,
            total_steps: 200,
            min_lr_ratio: 0.1,
            weight_decay: 0.01,
            max_grad_norm: Some(1.0),
        }
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepStats {
    /// Mean masked loss over the micro-batches.
    pub loss: f64,
    /// Learning rate used.
    pub learning_rate: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
    /// Target tokens that carried loss.
    pub loss_tokens: usize,
}

/// Trains the adapters of a model that lives on an autodiff device.
pub struct SftTrainer {
    pub(super) model: Option<LlamaModel>,
    pub(super) optimizer: ModuleOptimizer,
    pub(super) options: SftOptions,
    pub(super) step: usize,
    pub(super) device: Device,
    /// The output head for the fused loss; `None` sends the loss through autodiff.
    pub(super) head: Option<FrozenHead>,
}

impl std::fmt::Debug for SftTrainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SftTrainer")
            .field("options", &self.options)
            .field("step", &self.step)
            .finish()
    }
}

fn input_ids(batch: &SftBatch, device: &Device) -> Tensor<2, Int> {
    Tensor::from_data(
        TensorData::new(batch.inputs.clone(), [batch.batch, batch.seq]),
        device,
    )
}

/// Targets and loss weights, for the autodiff loss.
fn loss_tensors(batch: &SftBatch, device: &Device) -> (Tensor<2, Int>, Tensor<2>) {
    let shape = [batch.batch, batch.seq];
    (
        Tensor::from_data(TensorData::new(batch.targets.clone(), shape), device),
        Tensor::from_data(TensorData::new(batch.weights.clone(), shape), device),
    )
}

/// Final hidden states of a batch: plain causal attention, or the block mask of a packed batch.
fn hidden(model: &LlamaModel, batch: &SftBatch, device: &Device) -> Tensor<3> {
    model.forward_hidden(input_ids(batch, device), None, block_mask(batch, device))
}

/// The block mask of a packed batch; `None` (plain causal attention) otherwise.
fn block_mask(batch: &SftBatch, device: &Device) -> Option<Tensor<4, Bool>> {
    batch.block_mask().map(|m| {
        Tensor::<4, Bool>::from_data(
            TensorData::new(m, [batch.batch, 1, batch.seq, batch.seq]),
            device,
        )
    })
}

fn scalar(t: Tensor<1>) -> f64 {
    t.into_data()
        .try_into_vec_as::<f32>()
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or(f32::NAN) as f64
}

impl SftTrainer {
    /// A trainer for `model`, whose adapters are attached and which was loaded on `device`
    /// (an autodiff device: `Device::flex().autodiff()`).
    pub fn new(model: LlamaModel, options: SftOptions, device: Device) -> Result<Self> {
        if !device.is_autodiff() {
            return Err(LoraError::config(
                "device",
                "training needs an autodiff device (Device::flex().autodiff())",
            ));
        }
        let optimizer = AdamWConfig::new()
            .with_weight_decay(options.weight_decay as f32)
            .init();
        let head = FrozenHead::of(&model);
        Ok(Self {
            model: Some(model),
            optimizer,
            options,
            step: 0,
            device,
            head,
        })
    }

    /// Steps taken so far.
    pub fn step(&self) -> usize {
        self.step
    }

    /// The model being trained.
    pub fn model(&self) -> &LlamaModel {
        self.model
            .as_ref()
            .expect("the model is only taken during a step")
    }

    /// Ends training, returning the model.
    pub fn into_model(mut self) -> LlamaModel {
        self.model
            .take()
            .expect("the model is only taken during a step")
    }

    /// Masked loss of `batch` without updating anything.
    ///
    /// It runs on a gradient-free copy of the model on the plain device: a forward pass on the
    /// autodiff device records a graph that, without a backward pass, is never freed (a
    /// validation pass over 768-token batches used up 24 GB that way).
    pub fn eval_loss(&self, batch: &SftBatch) -> f64 {
        self.eval_losses(std::slice::from_ref(batch))[0]
    }

    /// [`eval_loss`](Self::eval_loss) of each batch, on one gradient-free copy of the model.
    pub fn eval_losses(&self, batches: &[SftBatch]) -> Vec<f64> {
        use hirelm_model::burn::module::Module;
        let device = self.device.clone().inner();
        let model = self.model().valid();
        batches
            .iter()
            .map(|batch| {
                let (targets, weights) = loss_tensors(batch, &device);
                scalar(masked_cross_entropy(
                    model.logits(hidden(&model, batch, &device)),
                    targets,
                    weights,
                ))
            })
            .collect()
    }

    /// One optimiser step over `micro_batches` (gradient accumulation: their gradients are
    /// averaged before the update).
    pub fn train_step(&mut self, micro_batches: &[SftBatch]) -> Result<StepStats> {
        if micro_batches.is_empty() {
            return Err(LoraError::config(
                "batch",
                "a step needs at least one micro-batch",
            ));
        }
        let mut model = self
            .model
            .take()
            .expect("the model is only taken during a step");
        let ids = adapter_param_ids(&mut model);
        let n = micro_batches.len() as f64;
        let (mut total_loss, mut loss_tokens) = (0.0, 0);
        let mut accumulated = GradientsParams::new();
        for batch in micro_batches {
            let (loss, objective) = match self.micro_batch_loss(&model, batch, 1.0 / n) {
                Ok(pair) => pair,
                Err(e) => {
                    self.model = Some(model);
                    return Err(e);
                }
            };
            total_loss += loss;
            loss_tokens += batch.loss_tokens();
            let mut grads = GradientsParams::from_grads(objective.backward(), &model);
            for id in &ids {
                if let Some(g) = grads.remove::<2>(*id) {
                    let sum = match accumulated.remove::<2>(*id) {
                        Some(prev) => prev + g,
                        None => g,
                    };
                    accumulated.register(*id, sum);
                }
            }
        }
        let grad_norm = clip_global_norm(&mut accumulated, &ids, self.options.max_grad_norm);
        if !(total_loss.is_finite() && grad_norm.is_finite()) {
            // Applying a NaN/inf update would poison every later step and checkpoint.
            self.model = Some(model);
            return Err(LoraError::config(
                "training",
                format!(
                    "step {}: loss {total_loss} or gradient norm {grad_norm} is not finite; lower the learning rate",
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
        self.model = Some(self.optimizer.step(learning_rate, model, accumulated));
        self.step += 1;
        Ok(StepStats {
            loss: total_loss / n,
            learning_rate,
            grad_norm,
            loss_tokens,
        })
    }

    /// The loss of one micro-batch, and the tensor whose gradient is that loss's times `scale`.
    fn micro_batch_loss(
        &self,
        model: &LlamaModel,
        batch: &SftBatch,
        scale: f64,
    ) -> Result<(f64, Tensor<1>)> {
        let hidden = hidden(model, batch, &self.device);
        match &self.head {
            Some(head) => {
                let fused = head.loss(hidden, &batch.targets, &batch.weights, scale)?;
                Ok((fused.loss, fused.surrogate))
            }
            // An untied head with its own adapter: the loss goes through autodiff.
            None => {
                let (targets, weights) = loss_tensors(batch, &self.device);
                let loss = masked_cross_entropy(model.logits(hidden), targets, weights);
                Ok((scalar(loss.clone().detach()), loss.mul_scalar(scale)))
            }
        }
    }
}

/// Ids of every adapter weight (A and B of each wrapped projection).
pub(super) fn adapter_param_ids(model: &mut LlamaModel) -> Vec<ParamId> {
    projections_mut(model)
        .into_iter()
        .filter_map(|(_, _, l)| l.adapter.as_ref().map(|a| [a.a.id, a.b.id]))
        .flatten()
        .collect()
}

/// Scales all gradients so their joint L2 norm is at most `max`; returns the norm before.
fn clip_global_norm(grads: &mut GradientsParams, ids: &[ParamId], max: Option<f64>) -> f64 {
    let squares: f64 = ids
        .iter()
        .filter_map(|id| grads.get::<2>(*id))
        .map(|g| scalar(g.powi_scalar(2).sum()))
        .sum();
    let norm = squares.sqrt();
    if let Some(max) = max.filter(|m| norm > *m && norm.is_finite()) {
        let factor = max / norm;
        for id in ids {
            if let Some(g) = grads.remove::<2>(*id) {
                grads.register(*id, g.mul_scalar(factor));
            }
        }
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use hirelm_model::burn::tensor::TensorData;

    fn grad(values: Vec<f32>, device: &Device) -> Tensor<2> {
        let n = values.len();
        Tensor::from_data(TensorData::new(values, [1, n]), device)
    }

    #[test]
    fn global_norm_is_joint_and_clipping_rescales_every_tensor() {
        let device = Device::flex();
        let (a, b) = (ParamId::new(), ParamId::new());
        let mut grads = GradientsParams::new();
        grads.register(a, grad(vec![3.0, 0.0], &device));
        grads.register(b, grad(vec![0.0, 4.0], &device));
        let norm = clip_global_norm(&mut grads, &[a, b], Some(1.0));
        assert!((norm - 5.0).abs() < 1e-6, "{norm}");
        let read = |grads: &GradientsParams, id| {
            grads
                .get::<2>(id)
                .expect("kept")
                .into_data()
                .try_into_vec_as::<f32>()
                .expect("f32")
        };
        assert_eq!(read(&grads, a), vec![0.6, 0.0]);
        assert_eq!(read(&grads, b), vec![0.0, 0.8]);
        // Below the limit nothing changes.
        let norm = clip_global_norm(&mut grads, &[a, b], Some(2.0));
        assert!((norm - 1.0).abs() < 1e-6);
        assert_eq!(read(&grads, a), vec![0.6, 0.0]);
    }
}
