//! `hirelm-model`: the models hirelm runs, in burn, on the device you pick.
//!
//! - [`llama::LlamaModel`]: SmolLM2 (Llama architecture) with RMSNorm, RoPE, grouped-query
//!   attention, SwiGLU, tied embeddings and a KV cache; every projection is an
//!   [`linear::AdaptableLinear`] so LoRA adapters attach without a second copy of the model.
//! - [`gguf`]: the GGUF reader (v2/v3, every metadata type, F32/F16/BF16/Q8_0/Q4_0/Q4_1/Q4_K/
//!   Q5_K/Q6_K dequantisation) and a writer.
//! - [`tokenizer::TextTokenizer`]: byte-level BPE built from GGUF metadata or a `tokenizer.json`;
//!   [`chat::ChatTemplate`]: the one ChatML template training and inference share.
//! - [`generate::Generator`]: greedy or seeded sampling with stop tokens and streaming.
//! - [`bert::SentenceEncoder`]: all-MiniLM-L6-v2 sentence embeddings.
//! - [`gemma3::Gemma3Config`]: the Gemma 3 architecture (the larger baseline), its config and
//!   tensors from GGUF; `hirelm-infer` runs it. Its SentencePiece vocabulary is in
//!   [`tokenizer::spm`], its turn markup in [`chat::ChatFormat::Gemma`].
//!
//! ```no_run
//! // Needs the real model: run scripts/fetch-models.sh first.
//! use hirelm_model::{ChatMessage, ChatTemplate, GenerateOptions, Generator, PretrainedLlama, Role};
//! let device = burn::tensor::Device::flex();
//! let lm = PretrainedLlama::load("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf", &device)?;
//! let chat = [ChatMessage::new(Role::User, "List three skills of a data engineer.")];
//! let prompt = ChatTemplate::default().encode(&lm.tokenizer, &chat, true)?;
//! let options = GenerateOptions { max_tokens: 64, ..Default::default() }.with_default_stops(&lm.tokenizer);
//! let out = Generator::new(&lm.model, &lm.tokenizer, device).generate(&prompt.ids, &options, |_| {
//!     std::ops::ControlFlow::Continue(())
//! })?;
//! println!("{}", out.text);
//! # Ok::<(), hirelm_model::ModelError>(())
//! ```
#![warn(missing_docs)]

pub mod bert;
pub mod chat;
pub mod error;
pub mod gemma3;
pub mod generate;
pub mod gguf;
pub mod linear;
pub mod llama;
pub mod norm;
pub mod pretrained;
pub mod sampling;
pub mod source;
pub mod tokenizer;
pub mod weights;

pub use burn;
pub use chat::{ChatFormat, ChatMessage, ChatTemplate, ChatTokens, Role};
pub use error::{ModelError, Result};
pub use generate::{GenerateOptions, Generation, Generator, StopReason};
pub use pretrained::PretrainedLlama;
pub use sampling::{Sampler, SamplingParams};
pub use source::{
    GEMMA3_GGUF, MINILM_DIR, ModelSource, SHIPPED_ENCODER, SHIPPED_SKILLS_ENCODER, SMOLLM2_GGUF,
    fetched_model, in_checkout, models_dir, set_models_dir, shipped_encoder,
};
pub use tokenizer::TextTokenizer;
