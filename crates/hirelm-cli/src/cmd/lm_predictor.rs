//! The domain model as a `hirelm-eval` predictor: MiniLM retrieves candidates, the language
//! model selects and ranks them under a JSON schema narrowed to those candidates. It lives in
//! the binary so that neither library depends on the other (`hirelm-eval` only knows the
//! [`RerankerFactory`] trait).
//!
//! Reranking supports `extract_skills` only: for `normalise_title` the evaluation documents are
//! job titles keyed by opaque ESCO URIs, and without the occupations' labels the model could only
//! pick a URI blindly (`hirelm_infer::DomainModel::normalise_title` chooses by label instead).
//!
//! `score_match` needs no retriever: [`LmMatcher`] parses the input as a
//! `hirelm_core::record::MatchInput` and answers through the typed
//! `DomainModel::score_match` (greedy, under the task's full output schema). An input that is not
//! a `MatchInput`, or a model error, is an error for that case, which the runner counts as a
//! failure.

use std::sync::{Arc, Mutex};

use hirelm_core::record::MatchInput;
use hirelm_core::{Task, output_schema};
use hirelm_eval::io::{input_text, parse_ranked, ranked_output};
use hirelm_eval::runner::RerankerFactory;
use hirelm_eval::{DecodingParams, EvalError, Prediction, Predictor};
use serde_json::Value;

use hirelm_infer::{DomainModel, DomainModelBuilder};

/// A lazily loaded [`DomainModel`] that suites select by name (e.g. `smollm2-lora`).
#[derive(Debug)]
pub struct DomainReranker {
    name: String,
    builder: DomainModelBuilder,
    model: Mutex<Option<Arc<DomainModel>>>,
}

impl DomainReranker {
    /// A reranker called `name` that builds its model from `builder` on first use.
    pub fn new(name: impl Into<String>, builder: DomainModelBuilder) -> Self {
        Self { name: name.into(), builder, model: Mutex::new(None) }
    }

    fn model(&self) -> hirelm_eval::Result<Arc<DomainModel>> {
        let mut slot = self.model.lock().map_err(|_| EvalError::Invalid("model lock poisoned".into()))?;
        if let Some(model) = slot.as_ref() {
            return Ok(Arc::clone(model));
        }
        let model = Arc::new(self.builder.clone().build().map_err(|e| EvalError::Invalid(format!("loading {}: {e}", self.name)))?);
        *slot = Some(Arc::clone(&model));
        Ok(model)
    }
}

impl RerankerFactory for DomainReranker {
    fn name(&self) -> &str {
        &self.name
    }

    fn build<'a>(&self, task: Task, retriever: Box<dyn Predictor + 'a>) -> hirelm_eval::Result<Box<dyn Predictor + 'a>> {
        if task != Task::ExtractSkills {
            return Err(EvalError::UnsupportedTask { predictor: self.name.clone(), task: task.to_string() });
        }
        Ok(Box::new(LmReranker { name: self.name.clone(), model: self.model()?, retriever }))
    }

    fn build_direct(&self, task: Task) -> hirelm_eval::Result<Box<dyn Predictor>> {
        if task != Task::ScoreMatch {
            return Err(EvalError::UnsupportedTask { predictor: self.name.clone(), task: task.to_string() });
        }
        Ok(Box::new(LmMatcher { name: self.name.clone(), model: self.model()? }))
    }
}

/// `score_match` by the language model, from the structured input alone.
struct LmMatcher {
    name: String,
    model: Arc<DomainModel>,
}

impl Predictor for LmMatcher {
    fn name(&self) -> &str {
        &self.name
    }

    fn content_hash(&self) -> String {
        hirelm_eval::predictor::hash_parts([self.model.content_hash().as_bytes(), b"score_match".as_slice()])
    }

    fn supports(&self, task: Task) -> bool {
        task == Task::ScoreMatch
    }

    fn predict(&self, task: Task, input: &Value) -> hirelm_eval::Result<Prediction> {
        if task != Task::ScoreMatch {
            return Err(EvalError::UnsupportedTask { predictor: self.name.clone(), task: task.to_string() });
        }
        let record: MatchInput =
            serde_json::from_value(input.clone()).map_err(|e| EvalError::Invalid(format!("score_match input is not a MatchInput: {e}")))?;
        let answer = self.model.score_match(&record).map_err(|e| EvalError::Invalid(format!("{}: {e}", self.name)))?;
        let value = serde_json::to_value(&answer).map_err(|e| EvalError::Invalid(format!("{}: {e}", self.name)))?;
        // Greedy, constrained; the token budget is part of the model's content hash.
        let decoding = DecodingParams { greedy: true, temperature: 0.0, seed: None, max_new_tokens: None, top_k: None };
        Ok(Prediction::json(&value, decoding))
    }
}

/// Retrieval, then constrained selection by the language model.
struct LmReranker<'a> {
    name: String,
    model: Arc<DomainModel>,
    retriever: Box<dyn Predictor + 'a>,
}

impl Predictor for LmReranker<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn content_hash(&self) -> String {
        hirelm_eval::predictor::hash_parts([self.model.content_hash().as_bytes(), self.retriever.content_hash().as_bytes()])
    }

    fn supports(&self, task: Task) -> bool {
        task == Task::ExtractSkills
    }

    fn predict(&self, task: Task, input: &Value) -> hirelm_eval::Result<Prediction> {
        let text = input_text(task, input).ok_or_else(|| EvalError::Invalid(format!("{task} input has no text: {input}")))?;
        let retrieved = self.retriever.predict(task, input)?;
        let candidates = parse_ranked(task, &retrieved.raw).map_err(EvalError::Invalid)?;
        if candidates.is_empty() {
            return Ok(Prediction::json(&ranked_output(task, &[]), DecodingParams::deterministic(0)));
        }
        let schema = hirelm_infer::tasks::narrow(output_schema(task), "/properties/skills/items", &candidates);
        let answer = self
            .model
            .answer_with_schema(task, &Value::String(text.to_string()), &schema)
            .map_err(|e| EvalError::Invalid(format!("{}: {e}", self.name)))?;
        let chosen: Vec<String> =
            answer.value["skills"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
        // The model's picks first, in its order; then the retriever's other candidates, so
        // ranking metrics at 10 compare like with like.
        let mut ranked: Vec<String> = Vec::new();
        for id in chosen.into_iter().chain(candidates.iter().cloned()) {
            if !ranked.contains(&id) {
                ranked.push(id);
            }
        }
        let items: Vec<(String, f32)> = ranked.into_iter().enumerate().map(|(i, id)| (id, 1.0 / (i as f32 + 1.0))).collect();
        // Greedy, constrained; the token budget is part of the model's content hash.
        let decoding = DecodingParams { greedy: true, temperature: 0.0, seed: None, max_new_tokens: None, top_k: Some(candidates.len()) };
        Ok(Prediction::json(&ranked_output(task, &items), decoding))
    }
}
