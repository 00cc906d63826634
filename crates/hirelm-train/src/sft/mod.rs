//! Supervised fine-tuning of LoRA adapters: batches with an assistant-only loss mask, the
//! masked loss, the learning-rate schedule and the optimiser step.

mod batch;
mod checkpoint;
mod data;
mod frozen_head;
mod loss;
mod mix;
mod pack;
mod schedule;
mod trainer;

pub use batch::{PAD_SEGMENT, SftBatch, collate};
pub use checkpoint::{DataPosition, latest_checkpoint, stream_fingerprint};
pub use data::{ExampleOrder, render_example};
pub use frozen_head::{FrozenHead, HeadLoss};
pub use loss::masked_cross_entropy;
pub use mix::{cap_per_task, stratified_indices, task_counts};
pub use pack::collate_packed;
pub use schedule::warmup_cosine;
pub use trainer::{SftOptions, SftTrainer, StepStats};
