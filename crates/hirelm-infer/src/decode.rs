//! The decode loop: feed a prompt, pick tokens (greedy or seeded sampling), optionally under a
//! JSON-schema constraint, stream text, stop on end-of-turn, completion or budget.

use std::ops::ControlFlow;
use std::time::Instant;

use hirelm_model::sampling::{Sampler, SamplingParams};
use hirelm_model::tokenizer::TextTokenizer;

use crate::constrain::ConstrainedDecoder;
use crate::engine::Session;
use crate::error::{InferError, Result};

/// How to pick tokens and when to stop.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeOptions {
    /// Largest number of new tokens.
    pub max_new_tokens: usize,
    /// Sampling; `SamplingParams::greedy()` (the default) takes the argmax.
    pub sampling: SamplingParams,
    /// Token ids that end the answer (e.g. `<|im_end|>`); not part of the output.
    pub stop_tokens: Vec<u32>,
}

impl DecodeOptions {
    /// Greedy decoding of up to `max_new_tokens`, stopping at the tokenizer's end-of-turn tokens.
    pub fn greedy(max_new_tokens: usize, tokenizer: &TextTokenizer) -> Self {
        let mut stop_tokens = hirelm_model::generate::default_stop_tokens(tokenizer);
        stop_tokens.extend(tokenizer.token_id("<|endoftext|>"));
        stop_tokens.sort_unstable();
        stop_tokens.dedup();
        Self {
            max_new_tokens,
            sampling: SamplingParams::greedy(),
            stop_tokens,
        }
    }
}

/// Why decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// A stop token was produced.
    EndOfTurn,
    /// The constrained JSON value is complete.
    Complete,
    /// `max_new_tokens` was reached.
    MaxTokens,
    /// The streaming callback asked to stop.
    Cancelled,
}

/// What a decode produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// New token ids (stop token excluded).
    pub tokens: Vec<u32>,
    /// Their text.
    pub text: String,
    /// Why it stopped.
    pub stop: StopReason,
    /// Tokens fed as prompt in this call.
    pub prompt_tokens: usize,
    /// Seconds spent on the prompt.
    pub prefill_seconds: f64,
    /// Seconds spent producing the new tokens.
    pub decode_seconds: f64,
}

/// Feeds `prompt` to `session` (which may already hold a cached prefix) and decodes.
/// `on_text` receives each new piece of text as soon as it forms whole UTF-8 characters.
pub fn decode(
    session: &mut Session,
    prompt: &[u32],
    tokenizer: &TextTokenizer,
    options: &DecodeOptions,
    mut constraint: Option<&mut ConstrainedDecoder>,
    mut on_text: impl FnMut(&str) -> ControlFlow<()>,
) -> Result<Decoded> {
    if options.max_new_tokens == 0 {
        return Err(InferError::invalid("max_new_tokens", "must be at least 1"));
    }
    let start = Instant::now();
    let mut logits = session.forward(prompt)?;
    let prefill_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut sampler = Sampler::new(options.sampling.clone());
    let mut tokens = Vec::new();
    let mut emitted = 0usize;
    let mut stop = StopReason::MaxTokens;
    for step in 0..options.max_new_tokens {
        if let Some(c) = constraint.as_deref_mut() {
            c.mask_logits_within(&mut logits, options.max_new_tokens - step);
        }
        let left = options.max_new_tokens - step;
        let mut token = sampler.sample(&logits);
        if let Some(c) = constraint.as_deref() {
            // A drawn token the budget cannot afford (sampling only: greedy picks are checked
            // while masking) is masked and drawn again; the closing token always fits.
            while !c.fits(token, left) {
                logits[token as usize] = f32::NEG_INFINITY;
                if !logits.iter().any(|l| l.is_finite()) {
                    token = c.closing_token().unwrap_or(token);
                    break;
                }
                token = sampler.sample(&logits);
            }
        }
        if options.stop_tokens.contains(&token) {
            stop = StopReason::EndOfTurn;
            break;
        }
        if let Some(c) = constraint.as_deref_mut() {
            c.push(token)?;
        }
        tokens.push(token);
        let text = tokenizer.decode(&tokens, true)?;
        // Hold back a trailing partial UTF-8 sequence (decoded as U+FFFD) until it completes.
        let ready = text.trim_end_matches('\u{FFFD}');
        if let Some(piece) = ready.get(emitted..).filter(|p| !p.is_empty()) {
            if on_text(piece).is_break() {
                stop = StopReason::Cancelled;
                break;
            }
            emitted = ready.len();
        }
        if constraint.as_deref().is_some_and(|c| c.is_done()) {
            stop = StopReason::Complete;
            break;
        }
        if step + 1 < options.max_new_tokens {
            // Under a grammar only the allowed ids' logits are needed (the rest are masked).
            logits = match constraint.as_deref_mut() {
                Some(c) => session.forward_within(token, c.allowed())?,
                None => session.forward(&[token])?,
            };
        }
    }
    let text = tokenizer.decode(&tokens, true)?;
    if let Some(rest) = text
        .get(emitted..)
        .filter(|r| !r.is_empty() && stop != StopReason::Cancelled)
    {
        let _ = on_text(rest);
    }
    Ok(Decoded {
        tokens,
        text,
        stop,
        prompt_tokens: prompt.len(),
        prefill_seconds,
        decode_seconds: start.elapsed().as_secs_f64(),
    })
}
