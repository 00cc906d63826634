//! The Llama architecture (SmolLM2): config, layers, KV cache and strict weight loading.
//!
//! The model speaks HF tensor names and layouts; GGUF files are read through
//! [`GgufLlamaWeights`], which renames tensors and undoes llama.cpp's Q/K row permutation.

mod attention;
mod block;
mod cache;
mod config;
mod export;
mod hf_files;
mod load;
mod mlp;
mod model;
mod names;
mod rope;

pub use attention::Attention;
pub use block::DecoderBlock;
pub use cache::{KvCache, LayerCache};
pub use config::{HfLlamaConfig, LlamaConfig};
pub use export::{GgufExportType, llama_gguf_writer, write_llama_gguf};
pub use hf_files::{HfSideFiles, hf_side_files};
pub use load::{InMemoryWeights, expected_tensors, random_weights};
pub use mlp::Mlp;
pub use model::LlamaModel;
pub use names::{GgufLlamaWeights, gguf_to_hf, hf_to_gguf, permute_for_gguf, unpermute_from_gguf};
pub use rope::RotaryEmbedding;
