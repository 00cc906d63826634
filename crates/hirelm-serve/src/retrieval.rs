//! The tasks answered by retrieval: by default `extract_skills` ranks ESCO skills and
//! `normalise_title` picks the nearest ESCO occupation, each with the shipped fine-tuned encoder
//! of its task (what the benchmarks measure). `hirelm serve` and `hirelm ask` build it from
//! their options; a task without a retriever goes to the language model.

use hirelm_core::Task;
use hirelm_infer::{Hit, Retriever};
use serde_json::{Value, json};

use crate::ServeError;

/// The retrievers of the tasks answered by retrieval.
#[derive(Debug, Default)]
pub struct Retrieval {
    skills: Option<Retriever>,
    titles: Option<Retriever>,
    top_k: usize,
}

impl Retrieval {
    /// `skills` answers `extract_skills` with its `top_k` nearest labels, `titles` answers
    /// `normalise_title` with the nearest occupation; a task whose retriever is `None` is left
    /// to the language model.
    pub fn new(skills: Option<Retriever>, titles: Option<Retriever>, top_k: usize) -> Self {
        Self {
            skills,
            titles,
            top_k: top_k.max(1),
        }
    }

    /// The answer to `task` for `text` when retrieval answers it: valid against the task's
    /// schema, with the hits it came from (best first). `extract_skills`:
    /// `{"skills": [labels]}`; `normalise_title`: `{"esco_uri", "label"}` of the nearest
    /// occupation.
    pub fn answer(&self, task: Task, text: &str) -> Option<Result<(Value, Vec<Hit>), ServeError>> {
        match task {
            Task::ExtractSkills => {
                let retriever = self.skills.as_ref()?;
                Some(
                    retriever
                        .search(text, self.top_k)
                        .map(|hits| {
                            let labels: Vec<&str> = hits.iter().map(|h| h.text.as_str()).collect();
                            (json!({ "skills": labels }), hits)
                        })
                        .map_err(Into::into),
                )
            }
            Task::NormaliseTitle => {
                let retriever = self.titles.as_ref()?;
                Some((|| {
                    let hits = retriever.search(text, 1)?;
                    let best = hits
                        .first()
                        .ok_or(ServeError::NothingRetrieved("occupation"))?;
                    let value = json!({ "esco_uri": best.id, "label": best.text });
                    Ok((value, hits))
                })())
            }
            _ => None,
        }
    }

    /// The encoder `POST /v1/embeddings` serves: the titles encoder (trained for pooled cosine,
    /// like every sentence-transformers model), else the skills encoder; `None` when both tasks
    /// were left to the language model.
    pub fn embedder(&self) -> Option<&hirelm_model::bert::SentenceEncoder> {
        self.titles
            .as_ref()
            .or(self.skills.as_ref())
            .map(Retriever::encoder)
    }

    /// What the answer to `task` was retrieved from, for a log line: "N ESCO skills".
    pub fn source(&self, task: Task) -> Option<String> {
        match task {
            Task::ExtractSkills => Some(format!("{} ESCO skills", self.skills.as_ref()?.len())),
            Task::NormaliseTitle => {
                Some(format!("{} ESCO occupations", self.titles.as_ref()?.len()))
            }
            _ => None,
        }
    }
}
