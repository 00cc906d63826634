//! Free-form chat on the domain model: what an OpenAI-compatible endpoint serves.
//!
//! Task answers ([`DomainModel::answer`]) build their own prompts; chat takes the caller's
//! messages as they are, runs them through the same chat template on the weights that serve
//! general requests (the adapter for every task, else the base), and can still be held to a JSON
//! schema (OpenAI's `response_format: json_schema`).

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
        let mut session = Session::new(Arc::clone(&self.routes[self.general_route()].weights));
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

    /// The name of the weights [`chat`](Self::chat) runs on.
    pub fn chat_route(&self) -> &str {
        &self.routes[self.general_route()].name
    }
}
