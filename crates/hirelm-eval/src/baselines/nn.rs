//! Cosine nearest neighbour over all-MiniLM-L6-v2 embeddings, with an on-disk embedding cache.
//!
//! Document embeddings are written once to `<cache_dir>/minilm-<key>.emb`, the key a hash of the
//! model files and every document text, so a rerun with the same model and labels loads them in
//! milliseconds and any change re-embeds (file format: `hirelm_model::bert::cache`).

use std::path::{Path, PathBuf};

use hirelm_core::Task;
use hirelm_model::bert::cache::{read_embeddings, write_embeddings};
use hirelm_model::bert::{Scorer, SentenceEncoder, token_attention_scores};

use super::{Document, intern_ids, top_k};
use crate::io::{input_text, ranked_output};
use crate::predictor::hash_parts;
use crate::{DecodingParams, EvalError, Prediction, Predictor, Result};

/// The MiniLM encoder with a hash of its files.
#[derive(Debug)]
pub struct MiniLm {
    /// The encoder.
    pub encoder: SentenceEncoder,
    /// Hex SHA-256 of `config.json`, `tokenizer.json` and `model.safetensors`.
    pub hash: String,
}

impl MiniLm {
    /// Loads the encoder from `dir` (e.g. `models/all-minilm-l6-v2`, fetched by
    /// `scripts/fetch-models.sh`) on the CPU.
    pub fn load(dir: &Path) -> Result<Self> {
        let mut files = Vec::new();
        for name in ["config.json", "tokenizer.json", "model.safetensors"] {
            let path = dir.join(name);
            files.push(std::fs::read(&path).map_err(|e| {
                EvalError::io(
                    &path,
                    std::io::Error::new(e.kind(), format!("{e} (run scripts/fetch-models.sh)")),
                )
            })?);
        }
        let hash = hash_parts(files.iter().map(Vec::as_slice));
        let encoder = SentenceEncoder::load(dir, &hirelm_model::burn::tensor::Device::flex())?;
        Ok(Self { encoder, hash })
    }
}

/// A nearest-neighbour predictor for one task over a fixed document set.
#[derive(Debug)]
pub struct NearestNeighbour<'a> {
    name: String,
    task: Task,
    model: &'a MiniLm,
    ids: Vec<String>,
    doc_ids: Vec<u32>,
    matrix: Vec<f32>,
    dim: usize,
    top_k: usize,
    hash: String,
    scorer: Scorer,
}

impl<'a> NearestNeighbour<'a> {
    /// Embeds `docs` (or loads their embeddings from `cache_dir`) for `task`.
    pub fn new(
        model: &'a MiniLm,
        task: Task,
        docs: &[Document],
        top_k: usize,
        cache_dir: Option<&Path>,
    ) -> Result<Self> {
        if docs.is_empty() || top_k == 0 {
            return Err(EvalError::Invalid(
                "nearest neighbour needs documents and top_k >= 1".into(),
            ));
        }
        let key = hash_parts(
            std::iter::once(model.hash.as_bytes()).chain(docs.iter().map(|d| d.text.as_bytes())),
        );
        let dim = model.encoder.dim();
        let cache = cache_dir.map(|d| d.join(format!("minilm-{}.emb", &key[..24])));
        let matrix = match cache
            .as_deref()
            .and_then(|p| read_embeddings(p, docs.len(), dim))
        {
            Some(m) => m,
            None => {
                let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
                let rows = model.encoder.embed(&texts)?;
                let m: Vec<f32> = rows.into_iter().flatten().collect();
                if let Some(path) = &cache {
                    write_embeddings(path, docs.len(), dim, &m)?;
                }
                m
            }
        };
        let (ids, doc_ids) = intern_ids(docs);
        let ids_hash = hash_parts(docs.iter().map(|d| d.id.as_bytes()));
        let hash = hash_parts([
            key.as_bytes(),
            ids_hash.as_bytes(),
            format!("nn {task} {top_k}").as_bytes(),
        ]);
        Ok(Self {
            name: "minilm-nn".into(),
            task,
            model,
            ids,
            doc_ids,
            matrix,
            dim,
            top_k,
            hash,
            scorer: Scorer::Mean,
        })
    }

    /// The same predictor scoring queries with `scorer` (its answers are cached apart).
    pub fn with_scorer(mut self, scorer: Scorer) -> Self {
        if scorer != Scorer::Mean {
            self.hash = hash_parts([self.hash.as_bytes(), scorer.name().as_bytes()]);
        }
        self.scorer = scorer;
        self
    }

    /// Renames the predictor.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The best `(id, cosine)` pairs for a unit-length query embedding.
    pub fn search_embedding(&self, query: &[f32]) -> Vec<(String, f32)> {
        let scores = self
            .matrix
            .chunks_exact(self.dim)
            .map(|row| row.iter().zip(query).map(|(a, b)| a * b).sum())
            .collect();
        self.best_ids(scores)
    }

    /// The best `(id, score)` pairs for a query text under the predictor's scorer, best first
    /// (what [`Predictor::predict`] writes as its ranked output).
    pub fn search(&self, text: &str) -> Result<Vec<(String, f32)>> {
        let encoder = &self.model.encoder;
        let failed = |e: hirelm_model::ModelError| EvalError::Invalid(format!("embedding: {e}"));
        let no_rows = || EvalError::Invalid("embedding: no vector".into());
        Ok(match self.scorer {
            Scorer::Mean => {
                let q = encoder.embed(&[text]).map_err(failed)?.pop();
                self.search_embedding(&q.ok_or_else(no_rows)?)
            }
            Scorer::TokenAttention => {
                let q = encoder.embed_tokens(&[text]).map_err(failed)?.pop();
                self.best_ids(token_attention_scores(
                    &q.ok_or_else(no_rows)?,
                    &self.matrix,
                ))
            }
        })
    }

    /// The `top_k` best ids by their best-scoring document.
    fn best_ids(&self, doc_scores: Vec<f32>) -> Vec<(String, f32)> {
        let mut id_scores = vec![f32::NEG_INFINITY; self.ids.len()];
        for (d, s) in doc_scores.into_iter().enumerate() {
            let id = self.doc_ids[d] as usize;
            if s > id_scores[id] {
                id_scores[id] = s;
            }
        }
        top_k(&id_scores, self.top_k)
            .into_iter()
            .map(|(i, s)| (self.ids[i].clone(), s))
            .collect()
    }
}

impl Predictor for NearestNeighbour<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn content_hash(&self) -> String {
        self.hash.clone()
    }

    fn supports(&self, task: Task) -> bool {
        task == self.task
    }

    fn predict(&self, task: Task, input: &serde_json::Value) -> Result<Prediction> {
        self.predict_batch(task, std::slice::from_ref(input))
            .pop()
            .unwrap_or_else(|| Err(EvalError::Invalid("no output".into())))
    }

    fn predict_batch(&self, task: Task, inputs: &[serde_json::Value]) -> Vec<Result<Prediction>> {
        if task != self.task {
            let err = || EvalError::UnsupportedTask {
                predictor: self.name.clone(),
                task: task.to_string(),
            };
            return inputs.iter().map(|_| Err(err())).collect();
        }
        // One query at a time: a padded batch changes the float sums (and so near-tied rankings)
        // with its neighbours' lengths, and an answer must not depend on what it was batched with.
        inputs
            .iter()
            .map(|input| {
                let text = input_text(task, input).ok_or_else(|| {
                    EvalError::Invalid(format!("{task} input has no text field: {input}"))
                })?;
                let out = ranked_output(task, &self.search(text)?);
                Ok(Prediction::json(
                    &out,
                    DecodingParams::deterministic(self.top_k),
                ))
            })
            .collect()
    }
}

/// The default embedding cache directory: `$HIRELM_CACHE_DIR/embeddings`, else
/// `.cache/hirelm/embeddings` under the current directory (git-ignored).
pub fn default_cache_dir() -> PathBuf {
    std::env::var_os("HIRELM_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".cache/hirelm"))
        .join("embeddings")
}
