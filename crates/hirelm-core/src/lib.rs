//! `hirelm-core`: the vocabulary every hirelm crate speaks.
//!
//! - [`Task`]: the hiring tasks hirelm curates data for, trains on, serves and evaluates.
//! - [`CoreError`]: errors of parsing task names and records.
//!
//! No machine learning lives here, so the curation, evaluation and inference crates can share
//! these types without depending on each other.
//!
//! ```
//! use hirelm_core::Task;
//! let task: Task = "extract_skills".parse()?;
//! assert_eq!(task, Task::ExtractSkills);
//! assert_eq!(task.to_string(), "extract_skills");
//! # Ok::<(), hirelm_core::CoreError>(())
//! ```
#![warn(missing_docs)]

mod error;
mod task;

pub use error::CoreError;
pub use task::Task;
