//! The predictors a suite entry names: the classical baselines, the off-the-shelf and the
//! fine-tuned encoder (each scoring by pooled cosine or token attention), and the rerankers that
//! choose among an encoder's candidates.

use std::path::{Path, PathBuf};

use hirelm_core::Task;
use hirelm_model::bert::{Scorer, read_scorer};

use super::options::{CandidateSource, RunOptions};
use crate::baselines::Document;
use crate::baselines::bm25::{Bm25Options, Bm25Predictor};
use crate::baselines::fusion::RankFusion;
use crate::baselines::minilm_match::MiniLmMatcher;
use crate::baselines::nn::{MiniLm, NearestNeighbour};
use crate::baselines::rule_matcher::RuleMatcher;
use crate::suite::{EvalSpec, Suite, is_curated_only};
use crate::weakened::Weakened;
use crate::{EvalError, Predictor, Result};

/// Predictor names a suite may use.
/// `encoder-nn` is the shipped fine-tuned encoder of the entry's task
/// ([`RunOptions::encoder_dirs`]) with the scorer it was trained for, `minilm-nn` the
/// off-the-shelf MiniLM it was trained from; the `-token-attention` variants score either with
/// ConTeXT-style token attention ([`hirelm_model::bert::Scorer::TokenAttention`]);
/// `encoder-bm25-rrf` fuses the fine-tuned encoder's ranking with BM25's by reciprocal rank
/// ([`crate::baselines::fusion`]).
pub const PREDICTORS: [&str; 9] = [
    "bm25",
    "minilm-nn",
    "encoder-nn",
    "minilm-token-attention",
    "encoder-token-attention",
    "encoder-bm25-rrf",
    "bm25-weakened",
    "minilm-nn-weakened",
    "rule-matcher",
];

/// The matching tasks, which the rule matcher and the MiniLM matcher answer.
fn is_matching(task: Task) -> bool {
    matches!(task, Task::ScoreMatch | Task::RankCandidates)
}

/// Tasks a MiniLM predictor answers: retrieval over documents, or matching.
fn minilm_answers(task: Task) -> bool {
    !is_curated_only(task) || is_matching(task)
}

/// Builds the named baseline over `docs`.
pub fn build_predictor<'a>(
    name: &str,
    task: Task,
    docs: &[Document],
    minilm: Option<&'a MiniLm>,
    cache_dir: Option<&Path>,
) -> Result<Box<dyn Predictor + 'a>> {
    let match_task = is_matching(task);
    let answers = match name {
        "rule-matcher" => match_task,
        "minilm-nn" => minilm_answers(task),
        _ => !is_curated_only(task),
    };
    if !answers {
        return match PREDICTORS.contains(&name) {
            true => Err(EvalError::UnsupportedTask {
                predictor: name.to_string(),
                task: task.to_string(),
            }),
            false => Err(EvalError::unknown("predictor", name, &PREDICTORS)),
        };
    }
    match (name, match_task) {
        ("rule-matcher", _) => return Ok(Box::new(RuleMatcher)),
        ("minilm-nn", true) => {
            let model = minilm
                .ok_or_else(|| EvalError::Invalid("minilm-nn needs the MiniLM model".into()))?;
            return Ok(Box::new(MiniLmMatcher::new(model)));
        }
        _ => {}
    }
    let base = name.strip_suffix("-weakened").unwrap_or(name);
    let inner: Box<dyn Predictor + 'a> = match base {
        "bm25" => Box::new(Bm25Predictor::new(task, docs, Bm25Options::default())?),
        "minilm-nn" | "minilm-token-attention" => {
            let model = minilm
                .ok_or_else(|| EvalError::Invalid(format!("{base} needs the MiniLM model")))?;
            let nn = NearestNeighbour::new(model, task, docs, 100, cache_dir)?;
            match base {
                "minilm-nn" => Box::new(nn),
                _ => Box::new(nn.with_scorer(Scorer::TokenAttention).with_name(base)),
            }
        }
        _ => return Err(EvalError::unknown("predictor", name, &PREDICTORS)),
    };
    Ok(if base == name {
        inner
    } else {
        Box::new(Weakened::new(inner, 3))
    })
}

/// The predictor an entry runs: the run's override, else the entry's own.
pub(super) fn predictor_name(spec: &EvalSpec, options: &RunOptions) -> String {
    options
        .predictor_override
        .clone()
        .unwrap_or_else(|| spec.predictor.clone())
}

/// The retriever whose candidates predictor `name` reranks on `spec`, when it is a language
/// model answering a retrieval task (curated tasks are answered from the input alone).
pub(super) fn candidate_source(
    name: &str,
    spec: &EvalSpec,
    options: &RunOptions,
) -> Option<CandidateSource> {
    let reranker = options.rerankers.iter().find(|r| r.name() == name)?;
    (!is_curated_only(spec.task)).then(|| options.candidate_source(reranker.as_ref()))
}

/// The encoders a suite's entries need, each loaded once: off-the-shelf MiniLM, and the
/// fine-tuned encoder of each task (skills and titles may have their own) with the scorer it was
/// trained for.
pub(super) struct Encoders {
    minilm: Option<MiniLm>,
    tuned: Vec<(PathBuf, MiniLm, Scorer)>,
}

impl Encoders {
    /// Loads the encoders that `suite`'s entries (under `options`) use.
    pub(super) fn load(suite: &Suite, options: &RunOptions) -> Result<Self> {
        let source = |s: &EvalSpec| candidate_source(&predictor_name(s, options), s, options);
        let needs_minilm = |s: &EvalSpec| {
            (predictor_name(s, options).starts_with("minilm") && minilm_answers(s.task))
                || source(s) == Some(CandidateSource::Minilm)
        };
        let needs_tuned = |s: &EvalSpec| {
            (predictor_name(s, options).starts_with("encoder-") && !is_curated_only(s.task))
                || source(s) == Some(CandidateSource::TunedEncoder)
        };
        let minilm = match suite.evals.iter().any(needs_minilm) {
            true => Some(MiniLm::load(&options.minilm_dir)?),
            false => None,
        };
        let mut tuned: Vec<(PathBuf, MiniLm, Scorer)> = Vec::new();
        for spec in suite.evals.iter().filter(|s| needs_tuned(s)) {
            let dir = options.encoder_dirs.for_task(spec.task);
            if !tuned.iter().any(|(loaded, _, _)| loaded == dir) {
                tuned.push((dir.to_path_buf(), MiniLm::load(dir)?, read_scorer(dir)?));
            }
        }
        Ok(Self { minilm, tuned })
    }

    /// The fine-tuned encoder of `task` and its scorer, when an entry needed it.
    fn tuned_for(&self, task: Task, options: &RunOptions) -> Option<(&MiniLm, Scorer)> {
        let dir = options.encoder_dirs.for_task(task);
        self.tuned
            .iter()
            .find(|(loaded, _, _)| loaded == dir)
            .map(|(_, model, scorer)| (model, *scorer))
    }
}

/// Builds the predictor `name` for an entry over its documents.
pub(super) fn entry_predictor<'a>(
    name: &str,
    spec: &EvalSpec,
    docs: &[Document],
    encoders: &'a Encoders,
    options: &RunOptions,
) -> Result<Box<dyn Predictor + 'a>> {
    let cache_dir = options.cache_dir.as_deref();
    let reranker = options.rerankers.iter().find(|r| r.name() == name);
    match reranker {
        Some(factory) if is_curated_only(spec.task) => factory.build_direct(spec.task),
        Some(factory) => {
            let needs_retriever = || EvalError::Invalid(format!("{name} needs a retriever"));
            let (model, scorer) = match options.candidate_source(factory.as_ref()) {
                CandidateSource::TunedEncoder => encoders
                    .tuned_for(spec.task, options)
                    .ok_or_else(needs_retriever)?,
                CandidateSource::Minilm => (
                    encoders.minilm.as_ref().ok_or_else(needs_retriever)?,
                    Scorer::Mean,
                ),
            };
            let retriever =
                NearestNeighbour::new(model, spec.task, docs, factory.candidates(), cache_dir)?
                    .with_scorer(scorer);
            factory.build(spec.task, Box::new(retriever))
        }
        None if matches!(
            name,
            "encoder-nn" | "encoder-token-attention" | "encoder-bm25-rrf"
        ) =>
        {
            match encoders.tuned_for(spec.task, options) {
                Some((model, trained_for)) if !is_curated_only(spec.task) => {
                    let scorer = match name {
                        "encoder-token-attention" => Scorer::TokenAttention,
                        _ => trained_for,
                    };
                    let encoder = NearestNeighbour::new(model, spec.task, docs, 100, cache_dir)?
                        .with_scorer(scorer);
                    if name != "encoder-bm25-rrf" {
                        return Ok(Box::new(encoder.with_name(name)));
                    }
                    let bm25 = Bm25Predictor::new(spec.task, docs, Bm25Options::default())?;
                    Ok(Box::new(RankFusion::new(
                        name,
                        Box::new(encoder.with_name("encoder-nn")),
                        Box::new(bm25),
                        100,
                    )))
                }
                _ => Err(EvalError::UnsupportedTask {
                    predictor: name.to_string(),
                    task: spec.task.to_string(),
                }),
            }
        }
        None => build_predictor(name, spec.task, docs, encoders.minilm.as_ref(), cache_dir),
    }
}
