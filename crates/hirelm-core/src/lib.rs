//! `hirelm-core`: the vocabulary every hirelm crate speaks.
//!
//! - [`Task`]: the hiring tasks hirelm curates data for, trains on, serves and evaluates.
//! - [`Example`] and [`Provenance`]: one task example (`input` → `target`) and where it came from.
//! - [`record`]: the domain records (job post, brief, profile, ESCO skill and occupation,
//!   availability, evaluation rubric).
//! - [`output_schema`] and [`validate`]: each task's output JSON schema and its validator,
//!   whose error names the failing JSON path.
//! - [`EncoderPair`]: a training pair of the sentence encoder, and [`normalise_label`], the one
//!   normalisation of ESCO labels.
//! - [`CoreError`]: errors of parsing task names and validating outputs.
//!
//! No machine learning lives here, so the curation, evaluation and inference crates can share
//! these types without depending on each other.
//!
//! ```
//! use hirelm_core::Task;
//! let task: Task = "extract_skills".parse()?;
//! assert_eq!(task, Task::ExtractSkills);
//! assert_eq!(task.to_string(), "extract_skills");
//! let target = serde_json::json!({"esco_uri": "http://data.europa.eu/esco/occupation/x", "label": "data analyst"});
//! hirelm_core::validate(Task::NormaliseTitle, &target)?;
//! # Ok::<(), hirelm_core::CoreError>(())
//! ```
#![warn(missing_docs)]

mod encoder_pair;
mod error;
mod example;
pub mod fs;
pub mod pii;
mod prompt;
pub mod record;
mod schema;
mod task;
mod task_input;
pub mod text;
mod validate;

pub use encoder_pair::{EncoderPair, PairSource, normalise_label, read_encoder_pairs};
pub use error::CoreError;
pub use example::{Example, Provenance};
pub use prompt::{assistant_message, task_instruction, user_message};
pub use schema::{MATCH_LABELS, MATCH_THRESHOLDS, match_label, output_schema};
pub use task::Task;
pub use task_input::{canonical_input, input_type};
pub use validate::validate;
