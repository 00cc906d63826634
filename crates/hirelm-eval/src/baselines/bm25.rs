//! Okapi BM25 (Lucene's IDF `ln(1 + (N - df + 0.5) / (df + 0.5))`) over word tokens.

use std::collections::HashMap;

use hirelm_core::Task;

use super::{Document, intern_ids, top_k};
use crate::io::{input_text, ranked_output};
use crate::predictor::hash_parts;
use crate::text::words;
use crate::{DecodingParams, EvalError, Prediction, Predictor, Result};

/// BM25 options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bm25Options {
    /// Term-frequency saturation.
    pub k1: f32,
    /// Length normalisation.
    pub b: f32,
    /// Ids returned per input.
    pub top_k: usize,
}

impl Default for Bm25Options {
    fn default() -> Self {
        Self {
            k1: 1.2,
            b: 0.75,
            top_k: 100,
        }
    }
}

/// A BM25 predictor for one task over a fixed document set.
#[derive(Debug, Clone)]
pub struct Bm25Predictor {
    name: String,
    task: Task,
    options: Bm25Options,
    ids: Vec<String>,
    doc_ids: Vec<u32>,
    doc_len: Vec<f32>,
    avg_len: f32,
    postings: HashMap<String, Vec<(u32, f32)>>,
    hash: String,
}

impl Bm25Predictor {
    /// Indexes `docs` for `task`.
    pub fn new(task: Task, docs: &[Document], options: Bm25Options) -> Result<Self> {
        if docs.is_empty() || options.top_k == 0 {
            return Err(EvalError::Invalid(
                "BM25 needs documents and top_k >= 1".into(),
            ));
        }
        let (ids, doc_ids) = intern_ids(docs);
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        let mut doc_len = Vec::with_capacity(docs.len());
        for (d, doc) in docs.iter().enumerate() {
            let tokens = words(&doc.text);
            doc_len.push(tokens.len() as f32);
            let mut tf: HashMap<String, f32> = HashMap::new();
            for t in tokens {
                *tf.entry(t).or_default() += 1.0;
            }
            for (t, n) in tf {
                postings.entry(t).or_default().push((d as u32, n));
            }
        }
        let avg_len = doc_len.iter().sum::<f32>() / doc_len.len() as f32;
        let opts = format!(
            "bm25 k1={} b={} top_k={} task={task}",
            options.k1, options.b, options.top_k
        );
        let texts = docs
            .iter()
            .flat_map(|d| [d.id.as_bytes(), d.text.as_bytes()]);
        let hash = hash_parts(std::iter::once(opts.as_bytes()).chain(texts));
        Ok(Self {
            name: "bm25".into(),
            task,
            options,
            ids,
            doc_ids,
            doc_len,
            avg_len,
            postings,
            hash,
        })
    }

    /// Renames the predictor (for reports comparing variants).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The best `(id, score)` pairs for a query, best first.
    pub fn search(&self, query: &str) -> Vec<(String, f32)> {
        let n = self.doc_len.len() as f32;
        let mut doc_scores = vec![0.0f32; self.doc_len.len()];
        let mut terms = words(query);
        terms.sort();
        terms.dedup();
        for term in terms {
            let Some(list) = self.postings.get(&term) else {
                continue;
            };
            let df = list.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for &(d, tf) in list {
                let norm =
                    1.0 - self.options.b + self.options.b * self.doc_len[d as usize] / self.avg_len;
                doc_scores[d as usize] +=
                    idf * tf * (self.options.k1 + 1.0) / (tf + self.options.k1 * norm);
            }
        }
        let mut id_scores = vec![f32::NEG_INFINITY; self.ids.len()];
        for (d, &s) in doc_scores.iter().enumerate() {
            let id = self.doc_ids[d] as usize;
            if s > 0.0 && s > id_scores[id] {
                id_scores[id] = s;
            }
        }
        top_k(&id_scores, self.options.top_k)
            .into_iter()
            .map(|(i, s)| (self.ids[i].clone(), s))
            .collect()
    }
}

impl Predictor for Bm25Predictor {
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
        if task != self.task {
            return Err(EvalError::UnsupportedTask {
                predictor: self.name.clone(),
                task: task.to_string(),
            });
        }
        let text = input_text(task, input).ok_or_else(|| {
            EvalError::Invalid(format!("{task} input has no text field: {input}"))
        })?;
        let out = ranked_output(task, &self.search(text));
        Ok(Prediction::json(
            &out,
            DecodingParams::deterministic(self.options.top_k),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{input_for, parse_ranked};

    fn index() -> Bm25Predictor {
        let docs = [
            Document::new("Java (computer programming)", "Java (computer programming)"),
            Document::new("JavaScript", "JavaScript"),
            Document::new("manage staff", "manage staff"),
            Document::new("manage budgets", "manage budgets"),
        ];
        Bm25Predictor::new(Task::ExtractSkills, &docs, Bm25Options::default()).expect("index")
    }

    #[test]
    fn ranks_matching_labels_first_and_omits_non_matching_ones() {
        let p = index();
        let raw = p
            .predict(
                Task::ExtractSkills,
                &input_for(Task::ExtractSkills, "You manage a budget and budgets"),
            )
            .expect("ok")
            .raw;
        let ids = parse_ranked(Task::ExtractSkills, &raw).expect("valid");
        assert_eq!(ids, ["manage budgets", "manage staff"]);
        // idf(java) with N = 4, df = 1: ln(1 + 3.5 / 1.5); doc length 3 of average (3+1+2+2)/4 = 2.
        let got = p.search("java")[0].1;
        let norm = 1.0 - 0.75 + 0.75 * 3.0 / 2.0;
        let want = (1.0f32 + 3.5 / 1.5).ln() * 2.2 / (1.0 + 1.2 * norm);
        assert!((got - want).abs() < 1e-5, "{got} {want}");
    }

    #[test]
    fn wrong_task_and_missing_text_are_errors() {
        let p = index();
        assert!(
            p.predict(Task::NormaliseTitle, &input_for(Task::NormaliseTitle, "x"))
                .is_err()
        );
        assert!(
            p.predict(Task::ExtractSkills, &serde_json::json!({"title": "x"}))
                .is_err()
        );
        assert_eq!(
            p.content_hash(),
            index().content_hash(),
            "hash is a function of the index"
        );
    }
}
