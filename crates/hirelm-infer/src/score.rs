//! Scoring given answers instead of generating one: how likely the model finds each of several
//! candidate continuations of its answer. A reranker uses it to weigh every candidate a
//! retriever found (the log-probability of the candidate as the first skill of the answer)
//! rather than letting the model pick a few and drop the retriever's order for the rest.
//!
//! The prompt and the answer's opening are computed once; each candidate then costs a batched
//! pass over its own tokens only (the session is truncated back between candidates).

use hirelm_core::Task;
use serde_json::Value;

use crate::domain::DomainModel;
use crate::engine::Session;
use crate::error::{InferError, Result};

/// The model's log-probability of one continuation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContinuationScore {
    /// Sum of the continuation's token log-probabilities (natural log).
    pub log_prob: f32,
    /// Its tokens.
    pub tokens: usize,
}

impl ContinuationScore {
    /// Log-probability per token: comparable across continuations of different lengths.
    pub fn mean(&self) -> f32 {
        self.log_prob / self.tokens.max(1) as f32
    }
}

impl DomainModel {
    /// For each of `continuations`, the log-probability that the answer to `task` for `input`
    /// goes on with it after `answer_prefix`, on the weights that answer `task` and with its
    /// prompt (system turn, demonstrations, input).
    ///
    /// E.g. `answer_prefix = {"skills":["` and ESCO labels as continuations: how likely each
    /// label is as the first skill the answer names (the answer text is compact JSON, as in
    /// training). An empty continuation is an error.
    pub fn score_continuations(
        &self,
        task: Task,
        input: &Value,
        answer_prefix: &str,
        continuations: &[String],
    ) -> Result<Vec<ContinuationScore>> {
        let route = self.route(task);
        let (prompt, fed, mut session) = self.prompt_session(route, task, input)?;
        let prompt_logits = session.forward(&prompt[fed..])?;
        let at_prompt = session.len();
        let opening = self.tokenizer.encode(answer_prefix, false, false)?;
        let opening_logits = match opening.is_empty() {
            true => prompt_logits.clone(),
            false => session.forward(&opening)?,
        };
        let mut scores = Vec::with_capacity(continuations.len());
        for continuation in continuations {
            if continuation.is_empty() {
                return Err(InferError::invalid(
                    "continuation",
                    "an empty continuation has no tokens to score",
                ));
            }
            let ids =
                self.tokenizer
                    .encode(&format!("{answer_prefix}{continuation}"), false, false)?;
            // Usually the opening's tokens begin the joined text's; where a token spans the
            // boundary, the continuation is scored from the last token they share.
            let shared = ids.iter().zip(&opening).take_while(|(a, b)| a == b).count();
            if shared == opening.len() {
                let score = score_tokens(&mut session, &opening_logits, &ids[shared..]);
                session.truncate(at_prompt + opening.len());
                scores.push(score?);
                continue;
            }
            session.truncate(at_prompt);
            let logits = match shared {
                0 => prompt_logits.clone(),
                _ => session.forward(&ids[..shared])?,
            };
            let score = score_tokens(&mut session, &logits, &ids[shared..]);
            // Back to the state after the opening, for the next continuation.
            session.truncate(at_prompt);
            session.forward(&opening)?;
            scores.push(score?);
        }
        Ok(scores)
    }
}

/// The log-probability of `tokens` after a state whose next-token logits are `logits`, fed
/// into `session` (the caller truncates it back).
fn score_tokens(
    session: &mut Session,
    logits: &[f32],
    tokens: &[u32],
) -> Result<ContinuationScore> {
    let Some(&first) = tokens.first() else {
        return Err(InferError::invalid(
            "continuation",
            "it adds no token to the answer's opening",
        ));
    };
    let mut log_prob = log_softmax_at(logits, first);
    if tokens.len() > 1 {
        let vocab = logits.len();
        let all = session.forward_all(&tokens[..tokens.len() - 1])?;
        for (row, &next) in all.chunks_exact(vocab).zip(&tokens[1..]) {
            log_prob += log_softmax_at(row, next);
        }
    }
    Ok(ContinuationScore {
        log_prob,
        tokens: tokens.len(),
    })
}

/// `log softmax(logits)[token]`, computed stably.
fn log_softmax_at(logits: &[f32], token: u32) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = logits.iter().map(|l| (l - max).exp()).sum();
    logits[token as usize] - max - sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_softmax_is_normalised_and_ordered() {
        let logits = [1.0f32, 2.0, 3.0, -1.0];
        let total: f32 = (0..4).map(|t| log_softmax_at(&logits, t).exp()).sum();
        assert!((total - 1.0).abs() < 1e-5, "{total}");
        assert!(log_softmax_at(&logits, 2) > log_softmax_at(&logits, 1));
        // Large logits do not overflow.
        let big = [1000.0f32, 999.0];
        assert!((log_softmax_at(&big, 0) - (-(1.0 + (-1f32).exp()).ln())).abs() < 1e-5);
    }

    #[test]
    fn mean_divides_by_tokens() {
        let s = ContinuationScore {
            log_prob: -6.0,
            tokens: 3,
        };
        assert_eq!(s.mean(), -2.0);
    }
}
