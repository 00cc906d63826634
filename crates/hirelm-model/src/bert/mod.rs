//! BERT sentence encoder (all-MiniLM-L6-v2): [`BertConfig`] → [`BertModel`] →
//! [`SentenceEncoder`] (tokenize, encode, masked mean pooling, L2 normalisation).
//!
//! - [`config`]: [`BertConfig`], its preset and the HF `config.json` file struct.
//! - [`names`]: HF tensor names (with or without a `bert.` prefix).
//! - [`embeddings`], [`attention`], [`layer`], [`model`]: the architecture, post-LayerNorm.
//! - [`pooling`]: [`mean_pool`] and [`l2_normalize`].
//! - [`token_scoring`]: [`Scorer`]: pooled cosine or ConTeXT-style token attention.
//! - [`encoder`]: the [`SentenceEncoder`].
//! - [`cache`]: the embedding matrices kept on disk.
//! - [`export`]: a model back to an HF / sentence-transformers directory ([`save_sentence_encoder`]).
//!
//! ```no_run
//! # fn main() -> hirelm_model::Result<()> {
//! use hirelm_model::bert::SentenceEncoder;
//! let device = burn::tensor::Device::default();
//! // Needs the model: scripts/fetch-models.sh
//! let encoder = SentenceEncoder::load("models/all-minilm-l6-v2".as_ref(), &device)?;
//! let v = encoder.embed(&["Senior Rust engineer", "Backend developer (Rust)"])?;
//! let cosine: f32 = v[0].iter().zip(&v[1]).map(|(a, b)| a * b).sum();
//! assert!(cosine > 0.5);
//! # Ok(()) }
//! ```

pub mod attention;
pub mod cache;
pub mod config;
pub mod embeddings;
pub mod encoder;
pub mod export;
pub mod layer;
pub mod model;
pub mod names;
pub mod pooling;
pub mod token_scoring;

pub use attention::BertAttention;
pub use config::{BertActivation, BertConfig, HfBertConfig};
pub use embeddings::BertEmbeddings;
pub use encoder::{EncoderOptions, SentenceEncoder};
pub use export::{NamedTensor, save_sentence_encoder};
pub use layer::BertLayer;
pub use model::BertModel;
pub use names::TensorNames;
pub use pooling::{l2_normalize, mean_pool};
pub use token_scoring::{
    SCORER_FILE, Scorer, TokenStates, read_scorer, token_attention_matrix, token_attention_scores,
    token_attention_scores_reference,
};
