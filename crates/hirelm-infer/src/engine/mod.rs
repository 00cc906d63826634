//! The decoding engine: [`EngineWeights`] (fused, optionally Q8_0 projections) shared by any
//! number of [`Session`]s (one KV cache each).
//!
//! For Llama it computes exactly the network of `hirelm_model::llama::LlamaModel` (the one model
//! definition, used for training); the tests hold the two to the same logits. Gemma 3 (the
//! larger baseline, inference only) is described in `hirelm_model::gemma3` and held to
//! llama.cpp's logits by the golden test.

mod config;
mod decode_step;
mod gemma3;
mod ops;
mod session;
mod team;
mod weights;

pub use config::{EngineConfig, Family, LayerAttention};
pub use session::Session;
pub use weights::{EngineWeights, LayerWeights};
