//! [`ConstrainedDecoder`]: the constraint as a decode loop uses it (mask logits, push a token).

use std::sync::Arc;

use serde_json::Value;

use super::compile::JsonSchemaConstraint;
use super::error::ConstraintError;
use super::limits::ConstraintLimits;
use super::mask::TokenMasker;
use super::state::ConstraintState;
use super::vocab::TokenVocab;

/// How many of the best-scoring allowed tokens [`ConstrainedDecoder::mask_logits_within`]
/// checks near the end of the budget.
pub const BUDGET_CANDIDATES: usize = 64;

/// Grammar state, vocabulary and end-of-sequence id of one constrained generation.
///
/// ```
/// use std::sync::Arc;
/// use hirelm_infer::constrain::{ConstrainedDecoder, TokenVocab};
/// // A toy vocabulary: every single byte, plus EOS (id 256) with no bytes.
/// let mut tokens: Vec<Option<Vec<u8>>> = (0..=255u8).map(|b| Some(vec![b])).collect();
/// tokens.push(None);
/// let vocab = Arc::new(TokenVocab::from_bytes(tokens));
/// let schema = serde_json::json!({"type": "object", "properties": {"n": {"type": "integer", "minimum": 3, "maximum": 9}},
///                                 "required": ["n"], "additionalProperties": false});
/// let mut decoder = ConstrainedDecoder::new(&schema, vocab, 256)?;
/// let mut text: Vec<u8> = Vec::new();
/// while !decoder.is_done() {
///     let mut logits = vec![0.0f32; 257];
///     decoder.mask_logits(&mut logits);
///     // Greedy: the first allowed id.
///     let token = logits.iter().position(|l| l.is_finite()).expect("never a dead end") as u32;
///     decoder.push(token)?;
///     text.extend(decoder.vocab().bytes(token).unwrap_or_default());
/// }
/// assert_eq!(text, br#"{"n":3}"#);
/// # Ok::<(), hirelm_infer::constrain::ConstraintError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConstrainedDecoder {
    state: ConstraintState,
    vocab: Arc<TokenVocab>,
    eos: u32,
    eos_seen: bool,
    masker: TokenMasker,
    allowed: Vec<bool>,
    /// `allowed` is the mask of the current state (a decode loop asks twice per token: for
    /// the output head, then to mask the logits).
    allowed_is_current: bool,
    /// How far from the end of the budget every candidate starts being checked: the closing
    /// path of a whole answer plus a few tokens. Only a speed trade-off: before that point the
    /// best-scoring token is still checked, and `decode` checks the token it draws.
    room_margin: usize,
}

impl ConstrainedDecoder {
    /// Compiles `schema` (default [`ConstraintLimits`]) for a decode over `vocab` ending with
    /// `eos_id`.
    pub fn new(
        schema: &Value,
        vocab: Arc<TokenVocab>,
        eos_id: u32,
    ) -> Result<Self, ConstraintError> {
        Self::with_limits(schema, vocab, eos_id, ConstraintLimits::default())
    }

    /// As [`new`](Self::new), with explicit limits.
    pub fn with_limits(
        schema: &Value,
        vocab: Arc<TokenVocab>,
        eos_id: u32,
        limits: ConstraintLimits,
    ) -> Result<Self, ConstraintError> {
        let compiled = Arc::new(JsonSchemaConstraint::compile_with(schema, limits)?);
        Ok(Self::from_compiled(compiled, vocab, eos_id))
    }

    /// A decoder over an already compiled schema (compile once, decode many times).
    pub fn from_compiled(
        schema: Arc<JsonSchemaConstraint>,
        vocab: Arc<TokenVocab>,
        eos_id: u32,
    ) -> Self {
        let state = ConstraintState::new(schema);
        let room_margin = state.tokens_to_finish().unwrap_or(0) + 8;
        Self {
            state,
            room_margin,
            vocab,
            eos: eos_id,
            eos_seen: false,
            masker: TokenMasker::new(),
            allowed: Vec::new(),
            allowed_is_current: false,
        }
    }

    /// The allowed next tokens, indexed by id (EOS allowed iff the output is complete; nothing
    /// after EOS).
    pub fn allowed(&mut self) -> &[bool] {
        if self.allowed_is_current {
            return &self.allowed;
        }
        self.allowed_is_current = true;
        if self.eos_seen {
            self.allowed.clear();
            self.allowed.resize(self.vocab.len(), false);
        } else {
            self.masker
                .fill(&self.state, &self.vocab, Some(self.eos), &mut self.allowed);
        }
        &self.allowed
    }

    /// Sets the logit of every token that may not come next to `-inf`. Ids beyond the
    /// vocabulary (padding rows of the output layer) are never allowed.
    pub fn mask_logits(&mut self, logits: &mut [f32]) {
        self.allowed();
        for (id, logit) in logits.iter_mut().enumerate() {
            if !self.allowed.get(id).copied().unwrap_or(false) {
                *logit = f32::NEG_INFINITY;
            }
        }
    }

    /// As [`mask_logits`](Self::mask_logits), for a decode that may produce at most
    /// `tokens_left` more tokens (this one included), and keeping the answer finishable in
    /// time. Far from the end of the budget nothing more is masked, once the best-scoring
    /// token is checked to [`fit`](Self::fits). Near the end, only tokens that fit are kept,
    /// the best-scoring [`BUDGET_CANDIDATES`] checked; if none of those fits, the one-byte token
    /// of the value's closing path (see [`ConstraintState::tokens_to_finish`]) is the only
    /// choice. A greedy decode that starts with at least `tokens_to_finish()` tokens of budget
    /// therefore always ends with a complete value; a sampling decode must also check the
    /// token it draws with [`fits`](Self::fits) and draw again when it does not (as
    /// [`crate::decode`] does), since far from the end the unchecked tokens stay allowed.
    pub fn mask_logits_within(&mut self, logits: &mut [f32], tokens_left: usize) {
        self.mask_logits(logits);
        if self.is_done() {
            return;
        }
        let Some(needed) = self.state.tokens_to_finish() else {
            return;
        };
        let best = logits
            .iter()
            .enumerate()
            .filter(|(_, l)| l.is_finite())
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(id, _)| id);
        if needed + self.room_margin < tokens_left
            && best.is_some_and(|id| self.fits(id as u32, tokens_left))
        {
            return;
        }
        let mut candidates: Vec<usize> = (0..logits.len())
            .filter(|&id| logits[id].is_finite())
            .collect();
        let top = candidates.len().min(BUDGET_CANDIDATES);
        if top < candidates.len() {
            candidates.select_nth_unstable_by(top, |&a, &b| logits[b].total_cmp(&logits[a]));
        }
        let keep: Vec<usize> = candidates[..top]
            .iter()
            .copied()
            .filter(|&id| self.fits(id as u32, tokens_left))
            .collect();
        let fallback = self.closing_token();
        for (id, logit) in logits.iter_mut().enumerate() {
            let kept = if keep.is_empty() {
                Some(id as u32) == fallback
            } else {
                keep.contains(&id)
            };
            if !kept {
                *logit = f32::NEG_INFINITY;
            }
        }
        if keep.is_empty()
            && let Some(id) = fallback.filter(|&id| (id as usize) < logits.len())
        {
            logits[id as usize] = 0.0;
        }
    }

    /// Whether the value can still be finished after `token` when `tokens_left` tokens remain
    /// (this one included): end-of-sequence always fits (it ends the decode); any other token
    /// must be allowed and leave a closing path of at most `tokens_left − 1` tokens.
    pub fn fits(&self, token: u32, tokens_left: usize) -> bool {
        if token == self.eos {
            return self.state.is_complete();
        }
        let Some(bytes) = self.vocab.bytes(token) else {
            return false;
        };
        let mut after = self.state.clone();
        after.advance_bytes(bytes).is_ok()
            && after.tokens_to_finish().is_some_and(|n| n < tokens_left)
    }

    /// The one-byte token that takes the next step of the closing path (`None` when the value
    /// is complete, or the vocabulary lacks that byte).
    pub fn closing_token(&self) -> Option<u32> {
        self.state
            .closing_byte()
            .and_then(|b| self.vocab.single_byte(b))
    }

    /// Accepts `token`; an error (state unchanged) if the constraint does not allow it.
    pub fn push(&mut self, token: u32) -> Result<(), ConstraintError> {
        let reject = |reason: String| ConstraintError::RejectedToken { token, reason };
        if self.eos_seen {
            return Err(reject("end-of-sequence was already pushed".into()));
        }
        if token == self.eos {
            if !self.state.is_complete() {
                return Err(reject(
                    "end-of-sequence before the JSON value is complete".into(),
                ));
            }
            self.eos_seen = true;
            self.allowed_is_current = false;
            return Ok(());
        }
        let bytes = self
            .vocab
            .bytes(token)
            .ok_or_else(|| reject("a special or unknown token".into()))?;
        self.allowed_is_current = false;
        self.state
            .advance_bytes(bytes)
            .map_err(|e| reject(e.to_string()))
    }

    /// Whether generation must stop: EOS was pushed, or the value closed itself so that only
    /// EOS could follow.
    pub fn is_done(&self) -> bool {
        self.eos_seen || self.state.is_closed()
    }

    /// Whether the bytes so far form a complete valid value.
    pub fn is_complete(&self) -> bool {
        self.state.is_complete()
    }

    /// The grammar state.
    pub fn state(&self) -> &ConstraintState {
        &self.state
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Arc<TokenVocab> {
        &self.vocab
    }

    /// The end-of-sequence id.
    pub fn eos_id(&self) -> u32 {
        self.eos
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vocab() -> Arc<TokenVocab> {
        let mut tokens: Vec<Option<Vec<u8>>> = (0..=255u8).map(|b| Some(vec![b])).collect();
        tokens.push(None);
        tokens.push(Some(b"{\"ok\":".to_vec()));
        Arc::new(TokenVocab::from_bytes(tokens))
    }

    #[test]
    fn push_checks_tokens_and_eos() {
        let schema = json!({"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]});
        let mut d = ConstrainedDecoder::new(&schema, vocab(), 256).expect("compiles");
        assert!(matches!(
            d.push(256),
            Err(ConstraintError::RejectedToken { token: 256, .. })
        ));
        assert!(d.push(u32::from(b'[')).is_err());
        d.push(257).expect("multi-byte token");
        let mut logits = vec![1.0f32; 300];
        d.mask_logits(&mut logits);
        let allowed: Vec<usize> = logits
            .iter()
            .enumerate()
            .filter(|(_, l)| l.is_finite())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(allowed, [usize::from(b'f'), usize::from(b't')]);
        for &b in b"false}" {
            d.push(u32::from(b)).expect("valid byte");
        }
        assert!(d.is_done() && d.is_complete());
        d.push(256).expect("EOS once complete");
        assert!(d.push(256).is_err());
        assert!(d.allowed().iter().all(|&ok| !ok));
    }

    #[test]
    fn a_root_number_is_complete_before_it_is_done() {
        let schema = json!({"type": "integer", "minimum": 0, "maximum": 99});
        let mut d = ConstrainedDecoder::new(&schema, vocab(), 256).expect("compiles");
        d.push(u32::from(b'4')).expect("digit");
        assert!(d.is_complete() && !d.is_done());
        assert!(d.allowed()[256] && d.allowed()[usize::from(b'2')]);
        d.push(256).expect("EOS");
        assert!(d.is_done());
    }
}
