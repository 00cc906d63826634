//! Autoregressive generation with a KV cache, stop tokens and a streaming callback.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::error::{ModelError, Result};
use crate::llama::LlamaModel;
use crate::sampling::{Sampler, SamplingParams};
use crate::tokenizer::TextTokenizer;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Most new tokens to produce.
    pub max_tokens: usize,
    /// Token choice.
    pub sampling: SamplingParams,
    /// Generation ends (without emitting it) at any of these ids, e.g. EOS and `<|im_end|>`.
    pub stop_tokens: Vec<u32>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            max_tokens: 256,
            sampling: SamplingParams::default(),
            stop_tokens: Vec::new(),
        }
    }
}

impl GenerateOptions {
    /// Stops at the tokenizer's EOS and at `<|im_end|>` when the vocabulary has them.
    pub fn with_default_stops(mut self, tokenizer: &TextTokenizer) -> Self {
        self.stop_tokens.extend(default_stop_tokens(tokenizer));
        self.stop_tokens.sort_unstable();
        self.stop_tokens.dedup();
        self
    }
}

/// The tokens that end an answer: end-of-sequence, ChatML's `<|im_end|>` and Gemma's
/// `<end_of_turn>` (those the vocabulary has), sorted, unique.
pub fn default_stop_tokens(tokenizer: &TextTokenizer) -> Vec<u32> {
    let mut stops: Vec<u32> = tokenizer
        .eos_id
        .into_iter()
        .chain(tokenizer.token_id(crate::chat::IM_END))
        .chain(tokenizer.token_id(crate::chat::END_OF_TURN))
        .collect();
    stops.sort_unstable();
    stops.dedup();
    stops
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// A stop token was produced.
    StopToken(u32),
    /// `max_tokens` were produced.
    MaxTokens,
    /// The model's context is full.
    ContextFull,
    /// The streaming callback asked to stop.
    Cancelled,
}

/// The result of a generation.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The new token ids (without the stop token).
    pub tokens: Vec<u32>,
    /// Their text.
    pub text: String,
    /// Why it ended.
    pub stop_reason: StopReason,
    /// Number of prompt tokens.
    pub prompt_tokens: usize,
    /// Time spent on the prompt (prefill), including the first token's sampling.
    pub prefill_time: Duration,
    /// Time spent producing the remaining tokens.
    pub decode_time: Duration,
}

impl Generation {
    /// Decode speed in tokens per second (tokens after the first, over the decode time).
    pub fn decode_tokens_per_second(&self) -> f64 {
        let n = self.tokens.len().saturating_sub(1) as f64;
        if self.decode_time.is_zero() {
            0.0
        } else {
            n / self.decode_time.as_secs_f64()
        }
    }
}

/// Runs a [`LlamaModel`] with its tokenizer.
#[derive(Debug)]
pub struct Generator<'a> {
    model: &'a LlamaModel,
    tokenizer: &'a TextTokenizer,
    device: Device,
}

impl<'a> Generator<'a> {
    /// A generator over `model` on `device`.
    pub fn new(model: &'a LlamaModel, tokenizer: &'a TextTokenizer, device: Device) -> Self {
        Self {
            model,
            tokenizer,
            device,
        }
    }

    /// Generates a continuation of `prompt`. `on_text` receives each new piece of text as soon
    /// as it decodes to whole characters; returning `ControlFlow::Break` stops generation.
    pub fn generate(
        &self,
        prompt: &[u32],
        options: &GenerateOptions,
        mut on_text: impl FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation> {
        let context = self.model.config.max_seq_len;
        if prompt.is_empty() {
            return Err(ModelError::Generation("the prompt is empty".into()));
        }
        if prompt.len() >= context {
            return Err(ModelError::Generation(format!(
                "the prompt has {} tokens but the context holds {context}",
                prompt.len()
            )));
        }
        let vocab = self.model.config.vocab_size;
        if let Some(bad) = prompt.iter().find(|&&t| t as usize >= vocab) {
            return Err(ModelError::Generation(format!(
                "token id {bad} is outside the vocabulary of {vocab}"
            )));
        }
        if options.max_tokens == 0 {
            return Ok(Generation {
                tokens: Vec::new(),
                text: String::new(),
                stop_reason: StopReason::MaxTokens,
                prompt_tokens: prompt.len(),
                prefill_time: Duration::ZERO,
                decode_time: Duration::ZERO,
            });
        }
        let mut sampler = Sampler::new(options.sampling.clone());
        let mut cache = self.model.new_cache();
        let start = Instant::now();
        let mut logits = self.step(prompt, &mut cache)?;
        let mut prefill_time = None;
        let mut tokens = Vec::new();
        let mut emitted = 0usize;
        let stop_reason = loop {
            let next = sampler.sample(&logits);
            prefill_time.get_or_insert_with(|| start.elapsed());
            if options.stop_tokens.contains(&next) {
                break StopReason::StopToken(next);
            }
            tokens.push(next);
            let text = self.tokenizer.decode(&tokens, true)?;
            // Hold back a trailing partial UTF-8 sequence until its last byte arrives.
            if !text.ends_with('\u{FFFD}') && text.len() > emitted {
                let piece = text.get(emitted..).unwrap_or_default().to_string();
                emitted = text.len();
                if on_text(&piece).is_break() {
                    break StopReason::Cancelled;
                }
            }
            if tokens.len() >= options.max_tokens {
                break StopReason::MaxTokens;
            }
            if cache.seq_len() + 1 > context {
                break StopReason::ContextFull;
            }
            logits = self.step(&[next], &mut cache)?;
        };
        let prefill_time = prefill_time.unwrap_or_else(|| start.elapsed());
        Ok(Generation {
            text: self.tokenizer.decode(&tokens, true)?,
            tokens,
            stop_reason,
            prompt_tokens: prompt.len(),
            prefill_time,
            decode_time: start.elapsed().saturating_sub(prefill_time),
        })
    }

    /// Feeds `ids` through the model, returning the last position's logits.
    fn step(&self, ids: &[u32], cache: &mut crate::llama::KvCache) -> Result<Vec<f32>> {
        let data: Vec<i64> = ids.iter().map(|&t| t as i64).collect();
        let tokens =
            Tensor::<2, Int>::from_data(TensorData::new(data, [1, ids.len()]), &self.device);
        let logits = self.model.forward_last(tokens, Some(cache));
        logits
            .into_data()
            .try_into_vec_as::<f32>()
            .map_err(|e| ModelError::Generation(format!("reading logits: {e:?}")))
    }
}
