//! Dense retrieval with a sentence encoder, by default the shipped fine-tuned one of the task
//! ([`shipped_encoder_dir`], trained by `hirelm encoder train`): the nearest ESCO skills to a
//! job-ad sentence, the nearest occupations to a title, or the nearest of any fixed set of
//! documents. Documents are embedded once and cached on disk per encoder and document set.
//!
//! ```no_run
//! use hirelm_core::Task;
//! use hirelm_core::record::Skill;
//! use hirelm_infer::retrieve::{Retriever, shipped_encoder_dir};
//!
//! let skills = vec![
//!     Skill { esco_uri: "http://data.europa.eu/esco/skill/s1".into(), label: "use databases".into() },
//!     Skill { esco_uri: "http://data.europa.eu/esco/skill/s2".into(), label: "manage staff".into() },
//! ];
//! let docs = skills.iter().map(|s| (s.esco_uri.clone(), s.label.clone())).collect();
//! let retriever = Retriever::new(&shipped_encoder_dir(Task::ExtractSkills), docs, None)?;
//! let hits = retriever.search("You will write SQL queries against Postgres.", 1)?;
//! assert_eq!(hits[0].id, "http://data.europa.eu/esco/skill/s1");
//! # Ok::<(), hirelm_infer::InferError>(())
//! ```

use std::path::{Path, PathBuf};

use hirelm_core::Task;
use hirelm_model::bert::cache::{read_embeddings, write_embeddings};
use hirelm_model::bert::{
    Scorer, SentenceEncoder, TokenStates, read_scorer, token_attention_scores,
};
use hirelm_model::burn::tensor::Device;
use sha2::{Digest, Sha256};

use crate::error::{InferError, Result};

pub use hirelm_model::{SHIPPED_ENCODER, SHIPPED_SKILLS_ENCODER};

/// The shipped fine-tuned encoder that retrieves for `task` ([`hirelm_model::shipped_encoder`]).
/// `$HIRELM_ENCODER_DIR`, when set, is the encoder of every task; the shipped ones are in
/// `shipped/` of the nearest hirelm checkout at or above the current directory, else of the
/// checkout this crate was built from.
pub fn shipped_encoder_dir(task: Task) -> PathBuf {
    if let Some(dir) = std::env::var_os("HIRELM_ENCODER_DIR") {
        return PathBuf::from(dir);
    }
    crate::locate::in_checkout(&hirelm_model::shipped_encoder(task), "model.safetensors")
}

/// One retrieved document.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The document's id (an ESCO URI, say).
    pub id: String,
    /// The document's text (its label).
    pub text: String,
    /// Similarity to the query under the retriever's [`Scorer`] (the cosine for
    /// [`Scorer::Mean`]).
    pub score: f32,
}

/// A fixed set of `(id, text)` documents embedded by one encoder.
pub struct Retriever {
    encoder: SentenceEncoder,
    docs: Vec<(String, String)>,
    matrix: Vec<f32>,
    dim: usize,
    scorer: Scorer,
}

impl std::fmt::Debug for Retriever {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retriever")
            .field("docs", &self.docs.len())
            .field("dim", &self.dim)
            .field("scorer", &self.scorer)
            .finish_non_exhaustive()
    }
}

impl Retriever {
    /// Loads the encoder in `encoder_dir` and embeds `docs` (or reads their embeddings from
    /// `cache_dir`, keyed by a hash of the encoder's files and every document). Queries are
    /// scored with the scorer the encoder was trained for
    /// ([`read_scorer`](hirelm_model::bert::read_scorer)).
    pub fn new(
        encoder_dir: &Path,
        docs: Vec<(String, String)>,
        cache_dir: Option<&Path>,
    ) -> Result<Self> {
        let scorer = read_scorer(encoder_dir)?;
        Ok(Self::load_docs(encoder_dir, docs, cache_dir)?.with_scorer(scorer))
    }

    fn load_docs(
        encoder_dir: &Path,
        docs: Vec<(String, String)>,
        cache_dir: Option<&Path>,
    ) -> Result<Self> {
        let encoder = SentenceEncoder::load(encoder_dir, &Device::flex())?;
        let Some(cache_dir) = cache_dir else {
            return Self::from_encoder(encoder, docs);
        };
        let mut hasher = Sha256::new();
        for name in ["config.json", "tokenizer.json", "model.safetensors"] {
            let path = encoder_dir.join(name);
            let bytes = std::fs::read(&path)
                .map_err(|e| InferError::invalid(path.display().to_string(), e.to_string()))?;
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
        for (id, text) in &docs {
            for part in [id, text] {
                hasher.update((part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        let key: String = hasher
            .finalize()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect();
        let cache = cache_dir.join(format!("retriever-{key}.emb"));
        if let Some(matrix) = read_embeddings(&cache, docs.len(), encoder.dim()) {
            return Self::with_matrix(encoder, docs, matrix);
        }
        let retriever = Self::from_encoder(encoder, docs)?;
        write_embeddings(
            &cache,
            retriever.docs.len(),
            retriever.dim,
            &retriever.matrix,
        )?;
        Ok(retriever)
    }

    /// Embeds `docs` with an encoder already in memory (no cache: a model in training, say).
    pub fn from_encoder(encoder: SentenceEncoder, docs: Vec<(String, String)>) -> Result<Self> {
        let texts: Vec<&str> = docs.iter().map(|(_, t)| t.as_str()).collect();
        let matrix: Vec<f32> = encoder.embed(&texts)?.into_iter().flatten().collect();
        Self::with_matrix(encoder, docs, matrix)
    }

    fn with_matrix(
        encoder: SentenceEncoder,
        docs: Vec<(String, String)>,
        matrix: Vec<f32>,
    ) -> Result<Self> {
        if docs.is_empty() {
            return Err(InferError::invalid(
                "retriever documents",
                "needs at least one",
            ));
        }
        let dim = encoder.dim();
        Ok(Self {
            encoder,
            docs,
            matrix,
            dim,
            scorer: Scorer::Mean,
        })
    }

    /// The same retriever scoring queries with `scorer`.
    pub fn with_scorer(mut self, scorer: Scorer) -> Self {
        self.scorer = scorer;
        self
    }

    /// How queries are scored.
    pub fn scorer(&self) -> Scorer {
        self.scorer
    }

    /// The encoder, to embed queries in batches for [`search_embedding`](Self::search_embedding).
    pub fn encoder(&self) -> &SentenceEncoder {
        &self.encoder
    }

    /// Documents indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether nothing is indexed (never: [`new`](Self::new) refuses an empty set).
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The `k` documents most similar to `query`, best first (ties by document order).
    pub fn search(&self, query: &str, k: usize) -> Result<Vec<Hit>> {
        self.search_batch(&[query], k)?
            .pop()
            .ok_or_else(|| InferError::invalid("query", "the encoder returned no vector"))
    }

    /// [`search`](Self::search) for many queries, embedded in batches (faster; the scores can
    /// differ from one query at a time in the last float bits).
    pub fn search_batch(&self, queries: &[&str], k: usize) -> Result<Vec<Vec<Hit>>> {
        Ok(match self.scorer {
            Scorer::Mean => self
                .encoder
                .embed(queries)?
                .iter()
                .map(|q| self.search_embedding(q, k))
                .collect(),
            Scorer::TokenAttention => self
                .encoder
                .embed_tokens(queries)?
                .iter()
                .map(|q| self.search_tokens(q, k))
                .collect(),
        })
    }

    /// The `k` documents most similar to a unit-length query embedding by cosine, best first.
    pub fn search_embedding(&self, query: &[f32], k: usize) -> Vec<Hit> {
        let scores = self
            .matrix
            .chunks_exact(self.dim)
            .map(|row| row.iter().zip(query).map(|(a, b)| a * b).sum())
            .collect();
        self.best(scores, k)
    }

    /// The `k` documents scoring best against a query's token states by token attention.
    pub fn search_tokens(&self, query: &TokenStates, k: usize) -> Vec<Hit> {
        self.best(token_attention_scores(query, &self.matrix), k)
    }

    /// The `k` best of one score per document, best first (ties by document order).
    fn best(&self, scores: Vec<f32>, k: usize) -> Vec<Hit> {
        let mut scored: Vec<(f32, usize)> = scores.into_iter().zip(0..).collect();
        let k = k.min(scored.len());
        if k == 0 {
            return Vec::new();
        }
        let order = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        scored.select_nth_unstable_by(k - 1, order);
        scored.truncate(k);
        scored.sort_by(order);
        scored
            .into_iter()
            .map(|(score, i)| Hit {
                id: self.docs[i].0.clone(),
                text: self.docs[i].1.clone(),
                score,
            })
            .collect()
    }
}
