//! [`Cached`]: a prediction cache keyed by (predictor content hash, task, input hash).
//!
//! The predictor's content hash covers its model, adapter, index and decoding options, so an
//! unchanged rerun answers from disk. Entries live in `<dir>/<hash prefix>.jsonl`, one
//! `{"key": ..., "prediction": ...}` per line; only the *hash* of each input is stored, never the
//! input text, and outputs are PII-redacted (`hirelm_core::pii`) before they are stored, so the
//! cache holds no personal data.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use hirelm_core::Task;
use serde::{Deserialize, Serialize};

use crate::predictor::hash_parts;
use crate::{EvalError, Prediction, Predictor, Result};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Part of every key: raised when what a stored prediction means changes, so that older
/// entries are never read. 2: outputs redacted as JSON (format 1 redacted the raw text, which
/// broke every answer holding a URL, the ESCO URIs of normalise_title included). 3: ESCO URIs
/// kept whole (format 2 took the digit runs of some URIs' UUIDs for phone numbers, which cost
/// the titles about 1.5 points of acc@1 when answered from the cache).
const CACHE_FORMAT: &str = "hirelm-prediction-cache 3";

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    key: String,
    prediction: Prediction,
}

/// Wraps a predictor with an on-disk prediction cache.
pub struct Cached<'a> {
    inner: Box<dyn Predictor + 'a>,
    path: PathBuf,
    entries: Mutex<HashMap<String, Prediction>>,
    hits: Mutex<usize>,
}

impl std::fmt::Debug for Cached<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cached")
            .field("path", &self.path)
            .field("entries", &lock(&self.entries).len())
            .finish()
    }
}

impl<'a> Cached<'a> {
    /// Opens (or starts) the cache of `inner` under `dir`; unreadable lines are ignored.
    pub fn new(inner: Box<dyn Predictor + 'a>, dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| EvalError::io(dir, e))?;
        let path = dir.join(format!(
            "{}.jsonl",
            &inner.content_hash()[..24.min(inner.content_hash().len())]
        ));
        let mut entries = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            for line in text.lines() {
                if let Ok(e) = serde_json::from_str::<Entry>(line) {
                    entries.insert(e.key, e.prediction);
                }
            }
        }
        Ok(Self {
            inner,
            path,
            entries: Mutex::new(entries),
            hits: Mutex::new(0),
        })
    }

    /// Predictions answered from the cache so far.
    pub fn hits(&self) -> usize {
        *lock(&self.hits)
    }

    fn key(&self, task: Task, input: &serde_json::Value) -> String {
        hash_parts([
            CACHE_FORMAT.as_bytes(),
            self.inner.content_hash().as_bytes(),
            task.name().as_bytes(),
            input.to_string().as_bytes(),
        ])
    }
}

impl Predictor for Cached<'_> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn content_hash(&self) -> String {
        self.inner.content_hash()
    }

    fn supports(&self, task: Task) -> bool {
        self.inner.supports(task)
    }

    fn predict(&self, task: Task, input: &serde_json::Value) -> Result<Prediction> {
        self.predict_batch(task, std::slice::from_ref(input))
            .pop()
            .unwrap_or_else(|| Err(EvalError::Invalid("no output".into())))
    }

    fn predict_batch(&self, task: Task, inputs: &[serde_json::Value]) -> Vec<Result<Prediction>> {
        let keys: Vec<String> = inputs.iter().map(|i| self.key(task, i)).collect();
        let missing: Vec<usize> = (0..inputs.len())
            .filter(|&i| !lock(&self.entries).contains_key(&keys[i]))
            .collect();
        *lock(&self.hits) += inputs.len() - missing.len();
        let fresh = self.inner.predict_batch(
            task,
            &missing
                .iter()
                .map(|&i| inputs[i].clone())
                .collect::<Vec<_>>(),
        );
        let mut errors: HashMap<usize, EvalError> = HashMap::new();
        let mut lines = String::new();
        for (&i, r) in missing.iter().zip(fresh) {
            match r {
                Ok(mut p) => {
                    // Model outputs may echo personal data from the input; neither the cache
                    // nor anything computed from it keeps it.
                    p.raw = hirelm_core::pii::redact_json(&p.raw);
                    let entry = Entry {
                        key: keys[i].clone(),
                        prediction: p.clone(),
                    };
                    if let Ok(line) = serde_json::to_string(&entry) {
                        lines.push_str(&line);
                        lines.push('\n');
                    }
                    lock(&self.entries).insert(keys[i].clone(), p);
                }
                Err(e) => {
                    errors.insert(i, e);
                }
            }
        }
        if !lines.is_empty() {
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .and_then(|mut f| f.write_all(lines.as_bytes()));
            if let Err(e) = written {
                tracing::warn!(path = %self.path.display(), "prediction cache not written: {e}");
            }
        }
        let entries = lock(&self.entries);
        (0..inputs.len())
            .map(|i| match errors.remove(&i) {
                Some(e) => Err(e),
                None => entries
                    .get(&keys[i])
                    .cloned()
                    .ok_or_else(|| EvalError::Invalid("predictor returned too few outputs".into())),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baselines::Document;
    use crate::baselines::bm25::{Bm25Options, Bm25Predictor};
    use crate::io::input_for;

    #[test]
    fn a_rerun_answers_from_disk_without_storing_inputs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let make = || -> Box<dyn Predictor> {
            let docs = [Document::new("SQL", "SQL"), Document::new("Java", "Java")];
            Box::new(
                Bm25Predictor::new(Task::ExtractSkills, &docs, Bm25Options::default())
                    .expect("bm25"),
            )
        };
        let inputs = [
            input_for(Task::ExtractSkills, "Anna Smith knows SQL"),
            input_for(Task::ExtractSkills, "Java"),
        ];
        let first = Cached::new(make(), dir.path()).expect("cache");
        let a: Vec<String> = first
            .predict_batch(Task::ExtractSkills, &inputs)
            .into_iter()
            .map(|r| r.expect("ok").raw)
            .collect();
        assert_eq!(first.hits(), 0);
        let second = Cached::new(make(), dir.path()).expect("cache");
        let b: Vec<String> = second
            .predict_batch(Task::ExtractSkills, &inputs)
            .into_iter()
            .map(|r| r.expect("ok").raw)
            .collect();
        assert_eq!((a, second.hits()), (b, 2));
        let file = std::fs::read_dir(dir.path())
            .expect("dir")
            .next()
            .expect("a file")
            .expect("entry")
            .path();
        let text = std::fs::read_to_string(file).expect("read");
        assert!(
            !text.contains("Anna") && text.lines().count() == 2,
            "{text}"
        );
    }

    /// A model whose answer is `answer(task, input)`.
    #[derive(Debug)]
    struct Answers(fn(Task, &serde_json::Value) -> serde_json::Value);

    impl Predictor for Answers {
        fn name(&self) -> &str {
            "answers"
        }
        fn content_hash(&self) -> String {
            "answers".into()
        }
        fn supports(&self, _: Task) -> bool {
            true
        }
        fn predict(&self, task: Task, input: &serde_json::Value) -> Result<Prediction> {
            Ok(Prediction::json(
                &(self.0)(task, input),
                crate::DecodingParams::deterministic(1),
            ))
        }
    }

    /// A title normaliser that answers an ESCO URI.
    fn esco(task: Task, _: &serde_json::Value) -> serde_json::Value {
        let uri = "http://data.europa.eu/esco/occupation/47e81c7f-2d04-4a60-a8ff-9913c36d8344";
        crate::io::ranked_output(task, &[(uri.to_string(), 0.9)])
    }

    /// A model that echoes its input, personal data included.
    fn echo(_: Task, input: &serde_json::Value) -> serde_json::Value {
        serde_json::json!({"skills": [input.to_string()]})
    }

    #[test]
    fn cached_title_answers_keep_their_uris() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = input_for(Task::NormaliseTitle, "Data engineer");
        for _ in 0..2 {
            let cached = Cached::new(Box::new(Answers(esco)), dir.path()).expect("cache");
            let raw = cached
                .predict(Task::NormaliseTitle, &input)
                .expect("ok")
                .raw;
            let ids = crate::io::parse_ranked(Task::NormaliseTitle, &raw).expect("parses");
            assert!(
                ids[0].starts_with("http://data.europa.eu/esco/occupation/47e8"),
                "{raw}"
            );
        }
    }

    #[test]
    fn echoed_personal_data_never_reaches_the_cache_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let planted = "Reach Jane at jane.doe@example.com or +1 415 555 0132, 12 Baker Street.";
        let cached = Cached::new(Box::new(Answers(echo)), dir.path()).expect("cache");
        let raw = cached
            .predict(
                Task::ExtractSkills,
                &input_for(Task::ExtractSkills, planted),
            )
            .expect("ok")
            .raw;
        assert!(raw.contains("<EMAIL>") && raw.contains("<PHONE>"), "{raw}");
        for entry in std::fs::read_dir(dir.path()).expect("dir") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
            for pii in ["jane.doe@example.com", "415 555 0132", "12 Baker Street"] {
                assert!(!text.contains(pii), "{pii} in the cache: {text}");
            }
        }
    }
}
