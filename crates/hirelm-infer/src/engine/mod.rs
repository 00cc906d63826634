//! The decoding engine: [`EngineWeights`] (fused, optionally Q8_0 projections) shared by any
//! number of [`Session`]s (one KV cache each).
//!
//! It computes exactly the network of `hirelm_model::llama::LlamaModel` (the one model
//! definition, used for training); the tests hold the two to the same logits.

mod session;
mod weights;

pub use session::Session;
pub use weights::{EngineWeights, LayerWeights};
