//! Contrastive training of the BERT sentence encoder: InfoNCE over in-batch negatives (with
//! optional extra hard negatives), full fine-tuning of every weight, resumable.
//!
//! - [`PairBatcher`]: batches without a repeated concept or anchor, resumable by position.
//! - [`info_nce`]: the loss, one-way or symmetric.
//! - [`ContrastiveTrainer`]: the step, checkpoints ([`ContrastiveTrainer::save_checkpoint`])
//!   and resume ([`ContrastiveTrainer::resume`]).
//!
//! [`crate::run::train_encoder`] runs a whole recipe: what `hirelm encoder train` executes.

mod batches;
mod checkpoint;
mod loss;
mod params;
mod trainer;

pub use batches::{PairBatcher, TextBatch};
pub use checkpoint::{ENCODER_DIR, PairPosition};
pub use loss::info_nce;
pub use params::{clip_global_norm, renumber_params};
pub use trainer::{ContrastiveOptions, ContrastiveStats, ContrastiveTrainer, embed_batch};
