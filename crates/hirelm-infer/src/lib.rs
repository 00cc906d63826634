//! `hirelm-infer`: the library applications call to answer hiring tasks.
//!
//! - [`DomainModel`]: the base model with its hiring adapters merged in (one set of weights per
//!   adapter, routed by task), answering every task with JSON that is valid against the task's
//!   schema from `hirelm-core`: decoding is constrained token by token ([`constrain`]), so an
//!   answer always parses and validates.
//! - [`engine`]: the CPU decoder. Weights are stored as Q8_0, Q4_1 (or f32) in four-row tiles;
//!   products run on int8 SIMD kernels chosen at run time ([`kernels::DotKernel`]: AVX-512
//!   VNNI, AVX2, portable), with a KV cache, batched prefill on all cores, a decode step shared
//!   by a team of spinning threads, and a cached prompt prefix per task (the system message and
//!   any demonstrations). It computes the network of
//!   `hirelm_model::llama::LlamaModel`, the one model definition, and the tests hold the two
//!   to the same logits. It also runs Gemma 3 (`hirelm_model::gemma3`,
//!   the larger off-the-shelf baseline: sliding-window layers, QK-norm, sandwich norms), held
//!   to llama.cpp's logits; `DomainModelBuilder::new("…gemma-3-270m-q4_k_m.gguf")` answers
//!   tasks with it under its own chat template (no adapters).
//! - Few-shot prompting ([`few_shot`]): solved examples before the question, for off-the-shelf
//!   baselines (`DomainModelBuilder::with_demonstrations`).
//! - Typed calls ([`tasks`]) take and return `hirelm-core` records, with choices narrowed to the
//!   caller's candidates where it has them. (The `hirelm` binary wraps the model as a
//!   `hirelm-eval` predictor, so suites run on the tuned and the untuned model alike.)
//! - Retrieval ([`retrieve`], [`Retriever`]): the nearest ESCO skills or occupations by the
//!   shipped fine-tuned sentence encoder, the candidates `extract_skills` and `normalise_title`
//!   answer from.
//! - Free-form chat ([`chat`], [`ChatRequest`]): the caller's messages through the same chat
//!   template, greedy or seeded sampling, streamed, optionally held to a JSON schema, stopped at
//!   a deadline. `hirelm serve` exposes it as an OpenAI-compatible endpoint.
//!
//! ```no_run
//! // Needs the real model (scripts/fetch-models.sh) and the bundled adapter.
//! use hirelm_core::Task;
//! use hirelm_infer::DomainModel;
//!
//! let model = DomainModel::load_default()?;
//! let sentence = serde_json::json!("You will build data pipelines in Python and SQL.");
//! let answer = model.answer(Task::ExtractSkills, &sentence)?;
//! println!("{}", answer.value); // {"skills":[...]}, valid against the task's schema
//! # Ok::<(), hirelm_infer::InferError>(())
//! ```
#![warn(missing_docs)]

pub mod chat;
pub mod constrain;
pub mod decode;
pub mod domain;
pub mod engine;
pub mod error;
pub mod few_shot;
pub mod kernels;
pub mod load;
mod locate;
pub mod retrieve;
pub mod routes;
pub mod score;
pub mod tasks;

pub use chat::{ChatRequest, ChatRoute};
pub use decode::{DecodeOptions, Decoded, StopReason, decode};
pub use domain::{AdapterSpec, DomainModel, DomainModelBuilder, TaskAnswer, bundled_adapter_dir};
pub use engine::{EngineWeights, Session};
pub use error::{InferError, Result};
pub use few_shot::Demonstration;
pub use kernels::{DotKernel, WeightFormat};
pub use load::BaseModel;
pub use retrieve::{Hit, Retriever, SHIPPED_ENCODER, SHIPPED_SKILLS_ENCODER, shipped_encoder_dir};
pub use routes::{Answerer, SHIPPED_ROUTES, ShippedRoutes, shipped_routes_path};
pub use score::ContinuationScore;
