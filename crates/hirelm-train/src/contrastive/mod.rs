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
mod mining;
mod params;
mod trainer;

pub use batches::{PairBatcher, TextBatch};
pub use checkpoint::{ENCODER_DIR, PairPosition};
pub use loss::info_nce;
pub use mining::{HardNegative, embed_token_rows, mine_hard_negatives};
pub use params::{clip_global_norm, renumber_params};
pub use trainer::{ContrastiveOptions, ContrastiveStats, ContrastiveTrainer, embed_batch};

/// A one-layer BERT small enough for unit tests.
#[cfg(test)]
pub(crate) fn tiny_bert() -> hirelm_model::bert::BertConfig {
    hirelm_model::bert::BertConfig {
        vocab_size: 20,
        hidden_size: 8,
        num_layers: 1,
        num_heads: 2,
        intermediate_size: 8,
        max_position_embeddings: 8,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        activation: hirelm_model::bert::BertActivation::Gelu,
    }
}

/// A pair whose positive is its key, from a job-ad sentence (unit tests).
#[cfg(test)]
pub(crate) fn test_pair(anchor: &str, key: &str) -> hirelm_core::EncoderPair {
    hirelm_core::EncoderPair {
        anchor: anchor.into(),
        positive: key.into(),
        key: key.into(),
        source: hirelm_core::PairSource::SkillSkape,
    }
}
