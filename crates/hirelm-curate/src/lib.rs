//! `hirelm-curate`: real-data-anchored hiring datasets as Parquet, cleaned, decontaminated and
//! described by a card.
//!
//! Main types: [`CurateConfig`] (the TOML recipe), [`curate`] (the run), [`Report`] (every count,
//! rendered as `card.md`), [`Embedder`] (sentence embeddings for distant supervision; the CLI
//! passes MiniLM). Building blocks: [`esco`] (ESCO CSV parser), [`clean`] (normalisation, PII
//! redaction, exact and MinHash LSH dedup), [`decontam`], [`split`], [`parquet_io`], [`wages`]
//! (BLS OEWS via SQLite) and [`names`] (US first names via SQLite) for the matching tasks,
//! [`encoder_pairs`] (training pairs of the sentence encoder), [`market`] (occupations with skill sets and wage rows) and [`tasks::match_rule`] (the one
//! documented rule behind score_match and rank_candidates).
//!
//! ```no_run
//! // Needs scripts/fetch-data.sh and ../shared/data.
//! use hirelm_curate::{CurateConfig, NoProgress, curate};
//! let mut config = CurateConfig::from_file(std::path::Path::new("configs/curate.toml"))?;
//! config.extract_skills.distant = false; // no embedder in this example
//! let report = curate(&config, None, None, &mut NoProgress)?;
//! println!("{}", report.render());
//! # Ok::<(), hirelm_curate::CurateError>(())
//! ```
#![warn(missing_docs)]

pub mod card;
pub mod clean;
pub mod config;
pub mod decontam;
pub mod encoder_pairs;
pub mod error;
pub mod esco;
pub mod labels;
pub mod market;
pub mod names;
pub mod parquet_io;
pub mod pipeline;
pub mod rng;
pub mod skillspan;
pub mod split;
mod sqlite;
pub mod stream_dedup;
pub mod tasks;
pub mod titles;
pub mod wages;

pub use card::Report;
pub use config::CurateConfig;
pub use error::CurateError;
pub use pipeline::{NoProgress, Progress, Shard, curate};
pub use tasks::Embedder;
