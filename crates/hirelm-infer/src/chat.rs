//! Free-form chat on the domain model: what an OpenAI-compatible endpoint serves.
//!
//! Task answers ([`DomainModel::answer`]) build their own prompts; chat takes the caller's
//! messages as they are, runs them through the same chat template on the weights that serve
//! general requests (the adapter for every task, else the base) or on the weights the request
//! names ([`DomainModel::chat_routes`]), and can still be held to a JSON schema (OpenAI's
//! `response_format: json_schema`).

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use hirelm_model::ChatMessage;
use hirelm_model::sampling::SamplingParams;
use serde_json::Value;

use crate::constrain::ConstrainedDecoder;
use crate::decode::{DecodeOptions, Decoded, decode};
use crate::domain::{DomainModel, until};
use crate::engine::Session;
use crate::error::{InferError, Result};

/// One chat completion request.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    /// The conversation; the model answers as the assistant.
    pub messages: Vec<ChatMessage>,
    /// Largest number of new tokens.
    pub max_new_tokens: usize,
    /// Greedy (temperature 0) or seeded sampling.
    pub sampling: SamplingParams,
    /// Hold the answer to this JSON schema.
    pub schema: Option<Value>,
    /// Stop (with what was produced so far) once this passes.
    pub deadline: Option<Instant>,
    /// The weights to answer on, by name (one of [`DomainModel::chat_routes`]); `None`: those
    /// of [`DomainModel::chat_route`].
    pub route: Option<String>,
}

/// Weights a chat can run on: their name and the tasks they answer in task routing (`None`:
/// every task no narrower adapter takes).
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRoute {
    /// `base` or the adapter's name.
    pub name: String,
    /// The tasks routed to these weights.
    pub tasks: Option<Vec<hirelm_core::Task>>,
}

impl DomainModel {
    /// Tokens the chat template makes of `messages` with the assistant turn opened.
    pub fn chat_prompt_tokens(&self, messages: &[ChatMessage]) -> Result<usize> {
        Ok(self
            .template
            .encode(&self.tokenizer, messages, true)?
            .ids
            .len())
    }

    /// Answers a conversation; `on_text` receives the text as it forms and may stop it. A passed
    /// deadline ends the decode with [`crate::StopReason::Cancelled`], like a stop from `on_text`.
    pub fn chat(
        &self,
        request: &ChatRequest,
        mut on_text: impl FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Decoded> {
        if request.messages.is_empty() {
            return Err(InferError::invalid(
                "messages",
                "at least one message is needed",
            ));
        }
        let prompt = self
            .template
            .encode(&self.tokenizer, &request.messages, true)?
            .ids;
        let route = match &request.route {
            None => self.general_route(),
            Some(name) => self
                .routes
                .iter()
                .position(|r| &r.name == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = self.routes.iter().map(|r| r.name.as_str()).collect();
                    InferError::invalid(
                        "route",
                        format!(
                            "no weights named `{name}` (these are: {})",
                            names.join(", ")
                        ),
                    )
                })?,
        };
        let mut session = Session::new(Arc::clone(&self.routes[route].weights));
        let mut options = DecodeOptions::greedy(request.max_new_tokens, &self.tokenizer);
        options.sampling = request.sampling.clone();
        let mut constraint = match &request.schema {
            Some(schema) => Some(ConstrainedDecoder::with_limits(
                schema,
                Arc::clone(&self.vocab),
                self.eos,
                self.limits,
            )?),
            None => None,
        };
        decode(
            &mut session,
            &prompt,
            &self.tokenizer,
            &options,
            constraint.as_mut(),
            |piece| {
                if until(request.deadline).is_break() {
                    return ControlFlow::Break(());
                }
                on_text(piece)
            },
        )
    }

    /// The name of the weights [`chat`](Self::chat) runs on when the request names none.
    pub fn chat_route(&self) -> &str {
        &self.routes[self.general_route()].name
    }

    /// Every set of weights this model holds, which a chat request may name.
    pub fn chat_routes(&self) -> Vec<ChatRoute> {
        self.routes
            .iter()
            .map(|r| ChatRoute {
                name: r.name.clone(),
                tasks: r.tasks.clone(),
            })
            .collect()
    }
}
