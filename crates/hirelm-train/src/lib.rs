//! `hirelm-train`: training hirelm's models: LoRA adapters on the Llama model, and contrastive
//! training of the BERT sentence encoder ([`contrastive`], [`run::train_encoder`]).
//!
//! Adapters are explicit low-rank layers (`x·A·B·scale` beside a frozen base weight, see
//! [`hirelm_model::linear::AdaptableLinear`]), never dense weight deltas, so training touches only
//! `A` and `B`. This crate attaches fresh adapters ([`attach_fresh`]), saves and loads them in
//! PEFT's format ([`save_adapter`], [`load_adapter`]) and merges them into the base
//! ([`merge_all`]), and trains them with [`sft::SftTrainer`] (assistant-only loss, AdamW,
//! warmup + cosine, gradient accumulation, global-norm clipping), with atomic checkpoints and
//! exact resume ([`sft::SftTrainer::save_checkpoint`], [`sft::SftTrainer::resume`]). [`run::train`]
//! runs a whole TOML recipe: what `hirelm train` executes.
//!
//! ```
//! use hirelm_train::{LoraConfig, attach_fresh};
//! use hirelm_model::burn::tensor::Device;
//! use hirelm_model::llama::{InMemoryWeights, LlamaConfig, LlamaModel, random_weights};
//!
//! let device = Device::flex();
//! let config = LlamaConfig::tiny_for_tests();
//! let weights = InMemoryWeights::new(random_weights(&config, 1));
//! let mut model = LlamaModel::load(&weights, config, &device)?;
//! let lora = LoraConfig { rank: 4, alpha: 8.0, ..Default::default() };
//! assert_eq!(attach_fresh(&mut model, &lora, 0, &device)?, 2 * 7);
//! # Ok::<(), hirelm_train::LoraError>(())
//! ```
#![warn(missing_docs)]

mod attach;
mod config;
pub mod contrastive;
mod error;
mod peft;
pub mod run;
pub mod sft;

pub use attach::{attach_fresh, detach_all, merge_all, projections_mut};
pub use config::{
    LoraConfig, PeftAdapterConfig, TARGET_MODULES, UNSUPPORTED_OPTIONS, hub_model_id,
};
pub use error::{LoraError, Result};
pub use peft::{
    ADAPTER_CONFIG, ADAPTER_WEIGHTS, Dtype, load_adapter, resolve_adapter, save_adapter,
    save_adapter_as,
};
