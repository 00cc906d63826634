//! [`Weakened`]: a deliberately degraded predictor (it sees only the first few words of each
//! input), used to show that the regression gate catches a real drop.

use hirelm_core::Task;

use crate::io::{input_for, input_text};
use crate::{Prediction, Predictor, Result};

/// Wraps a predictor and truncates every input text to its first `words` words.
pub struct Weakened<'a> {
    inner: Box<dyn Predictor + 'a>,
    words: usize,
    name: String,
}

impl std::fmt::Debug for Weakened<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Weakened")
            .field("name", &self.name)
            .field("words", &self.words)
            .finish()
    }
}

impl<'a> Weakened<'a> {
    /// Weakens `inner` to the first `words` words of each input.
    pub fn new(inner: Box<dyn Predictor + 'a>, words: usize) -> Self {
        let name = format!("{}-weakened", inner.name());
        Self { inner, words, name }
    }

    fn cut(&self, task: Task, input: &serde_json::Value) -> serde_json::Value {
        match input_text(task, input) {
            Some(t) => input_for(
                task,
                &t.split_whitespace()
                    .take(self.words)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            None => input.clone(),
        }
    }
}

impl Predictor for Weakened<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn content_hash(&self) -> String {
        crate::predictor::hash_parts([
            self.inner.content_hash().as_bytes(),
            format!("weakened {}", self.words).as_bytes(),
        ])
    }

    fn supports(&self, task: Task) -> bool {
        self.inner.supports(task)
    }

    fn predict(&self, task: Task, input: &serde_json::Value) -> Result<Prediction> {
        self.inner.predict(task, &self.cut(task, input))
    }

    fn predict_batch(&self, task: Task, inputs: &[serde_json::Value]) -> Vec<Result<Prediction>> {
        let cut: Vec<serde_json::Value> = inputs.iter().map(|i| self.cut(task, i)).collect();
        self.inner.predict_batch(task, &cut)
    }
}
