//! What a run is given: model locations, caches, predictor override, and the rerankers that
//! plug language models in.

use std::path::{Path, PathBuf};

use hirelm_core::Task;

use crate::{EvalError, Predictor, Result};

/// Where the shipped fine-tuned encoder of titles lives, relative to the repository root.
pub const DEFAULT_ENCODER_DIR: &str = "shipped/hirelm-encoder-minilm";

/// The fine-tuned encoder of each retrieval task (`hirelm encoder export` writes them): skills
/// and titles are served by different encoders when one wins on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunedEncoderDirs {
    /// The encoder of `extract_skills`.
    pub skills: PathBuf,
    /// The encoder of `normalise_title`.
    pub titles: PathBuf,
}

impl TunedEncoderDirs {
    /// One encoder for every task (a run under evaluation, say).
    pub fn same(dir: PathBuf) -> Self {
        Self {
            skills: dir.clone(),
            titles: dir,
        }
    }

    /// The encoder that retrieves for `task` (split as [`hirelm_model::shipped_encoder`]).
    pub fn for_task(&self, task: Task) -> &Path {
        match task {
            Task::NormaliseTitle => &self.titles,
            _ => &self.skills,
        }
    }
}

impl Default for TunedEncoderDirs {
    fn default() -> Self {
        Self {
            skills: hirelm_model::shipped_encoder(Task::ExtractSkills),
            titles: hirelm_model::shipped_encoder(Task::NormaliseTitle),
        }
    }
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The MiniLM directory (`scripts/fetch-models.sh` puts it in `models/all-minilm-l6-v2`).
    pub minilm_dir: PathBuf,
    /// The fine-tuned encoders of the `encoder-nn` predictor, one per retrieval task.
    pub encoder_dirs: TunedEncoderDirs,
    /// Whether each language-model reranker chooses among the candidates of its own
    /// [`RerankerFactory::candidate_source`] (the default); `false` gives every reranker
    /// off-the-shelf MiniLM's (`--rerank-from-minilm`).
    pub rerank_from_encoder: bool,
    /// Where embeddings are cached.
    pub cache_dir: Option<PathBuf>,
    /// Where predictions are cached ([`crate::cache::Cached`]); `None` predicts afresh.
    pub prediction_cache_dir: Option<PathBuf>,
    /// Use this predictor for every entry instead of the suite's.
    pub predictor_override: Option<String>,
    /// The fetched-data directory (`scripts/fetch-data.sh`), for the packs that need it.
    pub data_dir: PathBuf,
    /// Predictors that rerank MiniLM candidates (the language models of `hirelm-infer`),
    /// selectable by their names like the built-in baselines.
    pub rerankers: Vec<std::sync::Arc<dyn RerankerFactory>>,
    /// Run the determinism self-check (on by default; `hirelm bench compare` skips it, since
    /// its extra answers would double a small entry's time and the eval gate checks it anyway).
    pub check_determinism: bool,
}

/// Builds a predictor that answers from a retriever's candidates: the retriever (nearest
/// neighbours over the entry's documents under the fine-tuned encoder, or MiniLM with
/// `rerank_from_encoder` off) proposes, the predictor selects and ranks. Language
/// models plug in here without this crate depending on them.
pub trait RerankerFactory: Send + Sync + std::fmt::Debug {
    /// The predictor name suites use.
    fn name(&self) -> &str;
    /// Candidates the retriever proposes per input.
    fn candidates(&self) -> usize {
        20
    }
    /// The retriever that proposes the candidates: the tuned encoder unless the factory says
    /// otherwise (an off-the-shelf system reranks an off-the-shelf retriever's).
    fn candidate_source(&self) -> CandidateSource {
        CandidateSource::TunedEncoder
    }
    /// A predictor for `task` over `retriever`.
    fn build<'a>(
        &self,
        task: Task,
        retriever: Box<dyn Predictor + 'a>,
    ) -> Result<Box<dyn Predictor + 'a>>;
    /// A predictor for a structured task (`score_match`) that answers from the input alone, with
    /// no retriever; the default supports none.
    fn build_direct(&self, task: Task) -> Result<Box<dyn Predictor>> {
        Err(EvalError::UnsupportedTask {
            predictor: self.name().to_string(),
            task: task.to_string(),
        })
    }
}

/// The retriever whose candidates a language-model reranker chooses among on a retrieval task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum CandidateSource {
    /// The fine-tuned encoder of the task, as `encoder-nn` retrieves: what the shipped system
    /// uses, so a reranker measured on it shows what reranking adds to the encoder.
    #[default]
    #[serde(rename = "encoder-nn")]
    TunedEncoder,
    /// Off-the-shelf MiniLM, as `minilm-nn` retrieves: a system built only from untuned models.
    #[serde(rename = "minilm-nn")]
    Minilm,
}

impl CandidateSource {
    /// The predictor name of the retriever (`encoder-nn`, `minilm-nn`).
    pub fn predictor(self) -> &'static str {
        match self {
            Self::TunedEncoder => "encoder-nn",
            Self::Minilm => "minilm-nn",
        }
    }
}

impl RunOptions {
    /// Where `reranker`'s candidates come from in this run.
    pub fn candidate_source(&self, reranker: &dyn RerankerFactory) -> CandidateSource {
        match self.rerank_from_encoder {
            true => reranker.candidate_source(),
            false => CandidateSource::Minilm,
        }
    }

    /// The same options with predictions cached beside the embeddings
    /// (`.cache/hirelm/predictions`).
    pub fn with_prediction_cache(mut self) -> Self {
        self.prediction_cache_dir = self
            .cache_dir
            .as_ref()
            .and_then(|d| d.parent())
            .map(|d| d.join("predictions"));
        self
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            minilm_dir: hirelm_model::models_dir().join(hirelm_model::MINILM_DIR),
            encoder_dirs: TunedEncoderDirs::default(),
            rerank_from_encoder: true,
            cache_dir: Some(crate::baselines::nn::default_cache_dir()),
            prediction_cache_dir: None,
            predictor_override: None,
            data_dir: crate::perturb::codespell::data_dir(),
            rerankers: Vec::new(),
            check_determinism: true,
        }
    }
}
