//! `hirelm-eval`: consistency and robustness evaluation of hiring-task predictors.
//!
//! - [`Predictor`]: anything that answers a task (task + input JSON → raw output + decoding
//!   parameters), with a name and content hash for caching. Classical baselines live in
//!   [`baselines`]: BM25 over ESCO labels, MiniLM nearest neighbour, and the rule-based matcher.
//! - [`metrics`]: R-Precision@K and MRR as the skill-extraction benchmark defines them,
//!   accuracy@1, NDCG@5, accuracy, macro-F1, score error, span F1, Spearman; valid-slot rate and
//!   slot F1, job-post schema validity, skill coverage and budget band, rubric rank correlation
//!   and error; the adverse-impact ratio and counterfactual score deltas; bootstrap intervals.
//! - [`corpus`]: loaders for the benchmark CSV, the ESCO label list, the job titles, SkillSpan
//!   and curated Parquet dataset files.
//! - [`perturb`]: seeded, named perturbation packs on text and structured inputs, invariant
//!   (including fairness, thesaurus synonyms and ESCO skill aliases) and directional; [`suite`]: `eval/*.toml`; [`runner`]: runs a suite,
//!   with a determinism self-check, into a [`report::SuiteReport`] (JSON, Markdown, JUnit,
//!   HTML); [`gate`]: thresholds, determinism and a paired-bootstrap comparison against a stored
//!   baseline; [`compare`]: many predictors over many suites, with cost, in one table
//!   (`hirelm bench compare`); [`rerank_fusion`]: a retriever's scores fused with a language
//!   model's, the weight cross-fitted on validation (`hirelm bench fusion`).
//!
//! ```
//! use hirelm_eval::metrics::ranking::r_precision_at_k;
//! let ranked: Vec<String> = ["SQL", "Java (computer programming)", "teamwork"].map(String::from).into();
//! let gold = vec!["Java (computer programming)".to_string()];
//! assert_eq!(r_precision_at_k(&ranked, &gold, 5), Some(1.0));
//! ```
#![warn(missing_docs)]

pub mod baselines;
pub mod cache;
pub mod candidate_choice;
pub mod compare;
pub mod consistency_data;
pub mod corpus;
mod error;
pub mod gate;
pub mod heldout;
pub mod io;
pub mod metrics;
pub mod perturb;
pub mod predictor;
pub mod report;
pub mod rerank_fusion;
pub mod runner;
pub mod suite;
pub mod text;
pub mod timed;
pub mod weakened;

pub use error::{EvalError, Result};
pub use predictor::{DecodingParams, Prediction, Predictor, Usage};
