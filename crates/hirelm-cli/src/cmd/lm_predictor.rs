//! The domain model as a `hirelm-eval` predictor: a retriever (the tuned encoder, or MiniLM for
//! an `[[lm]]` with `candidates = "minilm-nn"`) proposes candidates, the language model selects
//! and ranks them under a JSON schema narrowed to those candidates. It lives in the binary so
//! that neither library depends on the other (`hirelm-eval` only knows the [`RerankerFactory`]
//! trait).
//!
//! Reranking supports `extract_skills` only: for `normalise_title` the evaluation documents are
//! job titles keyed by opaque ESCO URIs, and without the occupations' labels the model could only
//! pick a URI blindly (`hirelm_infer::DomainModel::normalise_title` chooses by label instead).
//!
//! The curated JSON-answer tasks need no retriever: [`LmDirect`] parses the input as the task's
//! `hirelm_core::record` type (`MatchInput`, `RankInput`, `EvaluationInput`, `ClientBrief`,
//! `InterviewRequest`) and answers with the prompt and schema of the typed `DomainModel` API
//! (greedy, under the task's output schema; `rank_candidates` narrows `profile_id` to the
//! input's ids), so the untuned and the tuned model get the same prompts and constraints (a
//! few-shot model's prompts add its demonstrations before the question). Every
//! answer carries its token usage, for the tokens/s and hosted-API cost columns of
//! `hirelm bench compare`. An input that is not of the task's type,
//! or a model error (an answer that does not finish within the token budget included), is an
//! error for that case, which the runner counts as a failure.
//!
//! Token budgets: `score_match` and the reranker keep the 128 new tokens of the builder the CLI
//! passes in; `draft_job_post`, `evaluate_candidate`, `schedule_interview` and `rank_candidates`
//! answer from a second model on the same weights with [`LONG_ANSWER_TOKENS`], since their curated
//! answers run to about 250 tokens (a post of 889 characters, up to 18 slots).

use std::sync::{Arc, Mutex};

use hirelm_core::{Task, output_schema};
use hirelm_eval::io::{input_text, parse_ranked, ranked_output};
use hirelm_eval::runner::{CandidateSource, RerankerFactory};
use hirelm_eval::{DecodingParams, EvalError, Prediction, Predictor, Usage};
use serde_json::Value;

use hirelm_infer::tasks::task_schema;
use hirelm_infer::{DomainModel, DomainModelBuilder, TaskAnswer};

/// New-token budget of the tasks with long answers (see the module doc).
pub const LONG_ANSWER_TOKENS: usize = 384;

/// A lazily loaded [`DomainModel`] that suites select by name (e.g. `smollm2-lora`).
#[derive(Debug)]
pub struct DomainReranker {
    name: String,
    builder: DomainModelBuilder,
    model: Mutex<Option<Arc<DomainModel>>>,
    long_model: Mutex<Option<Arc<DomainModel>>>,
    candidates: CandidateSource,
}

impl DomainReranker {
    /// A reranker called `name` that builds its model from `builder` on first use.
    pub fn new(name: impl Into<String>, builder: DomainModelBuilder) -> Self {
        Self {
            name: name.into(),
            builder,
            model: Mutex::new(None),
            long_model: Mutex::new(None),
            candidates: CandidateSource::default(),
        }
    }

    /// The same reranker choosing among `source`'s candidates on `extract_skills`.
    pub fn with_candidates(mut self, source: CandidateSource) -> Self {
        self.candidates = source;
        self
    }

    fn load(
        &self,
        slot: &Mutex<Option<Arc<DomainModel>>>,
        builder: DomainModelBuilder,
    ) -> hirelm_eval::Result<Arc<DomainModel>> {
        let mut slot = slot
            .lock()
            .map_err(|_| EvalError::Invalid("model lock poisoned".into()))?;
        if let Some(model) = slot.as_ref() {
            return Ok(Arc::clone(model));
        }
        let model = Arc::new(
            builder
                .build()
                .map_err(|e| EvalError::Invalid(format!("loading {}: {e}", self.name)))?,
        );
        *slot = Some(Arc::clone(&model));
        Ok(model)
    }

    fn model(&self) -> hirelm_eval::Result<Arc<DomainModel>> {
        self.load(&self.model, self.builder.clone())
    }

    fn long_model(&self) -> hirelm_eval::Result<Arc<DomainModel>> {
        self.load(
            &self.long_model,
            self.builder.clone().with_max_new_tokens(LONG_ANSWER_TOKENS),
        )
    }
}

impl RerankerFactory for DomainReranker {
    fn name(&self) -> &str {
        &self.name
    }

    fn candidate_source(&self) -> CandidateSource {
        self.candidates
    }

    fn build<'a>(
        &self,
        task: Task,
        retriever: Box<dyn Predictor + 'a>,
    ) -> hirelm_eval::Result<Box<dyn Predictor + 'a>> {
        if task != Task::ExtractSkills {
            return Err(EvalError::UnsupportedTask {
                predictor: self.name.clone(),
                task: task.to_string(),
            });
        }
        Ok(Box::new(LmReranker {
            name: self.name.clone(),
            model: self.model()?,
            retriever,
        }))
    }

    fn build_direct(&self, task: Task) -> hirelm_eval::Result<Box<dyn Predictor>> {
        let model = match task {
            Task::ScoreMatch => self.model()?,
            Task::RankCandidates
            | Task::EvaluateCandidate
            | Task::DraftJobPost
            | Task::ScheduleInterview => self.long_model()?,
            _ => {
                return Err(EvalError::UnsupportedTask {
                    predictor: self.name.clone(),
                    task: task.to_string(),
                });
            }
        };
        Ok(Box::new(LmDirect {
            name: self.name.clone(),
            task,
            model,
        }))
    }
}

/// A curated JSON-answer task by the language model, from the structured input alone.
struct LmDirect {
    name: String,
    task: Task,
    model: Arc<DomainModel>,
}

/// A task input as the typed API renders it: the structured tasks' inputs read as their record
/// type and written back ([`hirelm_core::canonical_input`]), text inputs as they are.
pub fn canonical_input(task: Task, input: &Value) -> hirelm_eval::Result<Value> {
    match task {
        Task::ExtractSkills | Task::NormaliseTitle => Ok(input.clone()),
        _ => {
            hirelm_core::canonical_input(task, input).map_err(|e| EvalError::Invalid(e.to_string()))
        }
    }
}

/// What a language model read and wrote for `answer`.
fn usage(answer: &TaskAnswer) -> Usage {
    Usage {
        prompt_tokens: answer.prompt_tokens,
        completion_tokens: answer.decoded.tokens.len(),
    }
}

impl LmDirect {
    /// The answer under the schema the typed API uses (`rank_candidates` narrowed to the input's
    /// ids), with its token usage.
    fn answer(&self, input: &Value) -> hirelm_eval::Result<(Value, Usage)> {
        let task = self.task;
        if matches!(task, Task::ExtractSkills | Task::NormaliseTitle) {
            return Err(EvalError::UnsupportedTask {
                predictor: self.name.clone(),
                task: task.to_string(),
            });
        }
        let input = canonical_input(task, input)?;
        if task == Task::RankCandidates && input["candidates"].as_array().is_none_or(Vec::is_empty)
        {
            return Err(EvalError::Invalid(format!(
                "{task} input has no candidates"
            )));
        }
        let answer = self
            .model
            .answer_with_schema(task, &input, &task_schema(task, &input))
            .map_err(|e| EvalError::Invalid(format!("{}: {e}", self.name)))?;
        let usage = usage(&answer);
        Ok((answer.value, usage))
    }
}

impl Predictor for LmDirect {
    fn name(&self) -> &str {
        &self.name
    }

    fn content_hash(&self) -> String {
        // The task is part of the prediction-cache key; this constant is the one `score_match`
        // used before the other tasks were added, so its cached answers stay valid.
        hirelm_eval::predictor::hash_parts([
            self.model.content_hash().as_bytes(),
            b"score_match".as_slice(),
        ])
    }

    fn supports(&self, task: Task) -> bool {
        task == self.task
    }

    fn predict(&self, task: Task, input: &Value) -> hirelm_eval::Result<Prediction> {
        if task != self.task {
            return Err(EvalError::UnsupportedTask {
                predictor: self.name.clone(),
                task: task.to_string(),
            });
        }
        let (value, usage) = self.answer(input)?;
        // Greedy, constrained; the token budget is part of the model's content hash.
        let decoding = DecodingParams {
            greedy: true,
            temperature: 0.0,
            seed: None,
            max_new_tokens: None,
            top_k: None,
        };
        Ok(Prediction::json(&value, decoding).with_usage(usage))
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
        hirelm_eval::predictor::hash_parts([
            self.model.content_hash().as_bytes(),
            self.retriever.content_hash().as_bytes(),
        ])
    }

    fn supports(&self, task: Task) -> bool {
        task == Task::ExtractSkills
    }

    fn predict(&self, task: Task, input: &Value) -> hirelm_eval::Result<Prediction> {
        let text = input_text(task, input)
            .ok_or_else(|| EvalError::Invalid(format!("{task} input has no text: {input}")))?;
        let retrieved = self.retriever.predict(task, input)?;
        let candidates =
            parse_ranked(task, &retrieved.raw).map_err(|e| EvalError::Invalid(e.to_string()))?;
        if candidates.is_empty() {
            return Ok(Prediction::json(
                &ranked_output(task, &[]),
                DecodingParams::deterministic(0),
            ));
        }
        let schema = hirelm_infer::tasks::narrow(
            output_schema(task),
            "/properties/skills/items",
            &candidates,
        );
        let answer = self
            .model
            .answer_with_schema(task, &Value::String(text.to_string()), &schema)
            .map_err(|e| EvalError::Invalid(format!("{}: {e}", self.name)))?;
        let chosen: Vec<String> = answer.value["skills"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        // The model's picks first, in its order; then the retriever's other candidates, so
        // ranking metrics at 10 compare like with like.
        let mut ranked: Vec<String> = Vec::new();
        for id in chosen.into_iter().chain(candidates.iter().cloned()) {
            if !ranked.contains(&id) {
                ranked.push(id);
            }
        }
        let items: Vec<(String, f32)> = ranked
            .into_iter()
            .enumerate()
            .map(|(i, id)| (id, 1.0 / (i as f32 + 1.0)))
            .collect();
        // Greedy, constrained; the token budget is part of the model's content hash.
        let decoding = DecodingParams {
            greedy: true,
            temperature: 0.0,
            seed: None,
            max_new_tokens: None,
            top_k: Some(candidates.len()),
        };
        Ok(Prediction::json(&ranked_output(task, &items), decoding).with_usage(usage(&answer)))
    }
}
