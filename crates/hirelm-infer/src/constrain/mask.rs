//! Token masks: which token ids may come next in a [`ConstraintState`].
//!
//! A depth-first walk over the vocabulary's byte trie ([`TokenVocab`]) with one cloned
//! grammar state per depth: a node's state is its parent's advanced by one byte, and a refused
//! byte prunes the node's whole subtree. Each trie node costs one small `memcpy` and one byte
//! step, and the scratch states are reused from step to step.
//!
//! Inside a free-form string almost every token is allowed, so almost the whole trie is
//! visited; there only the string's own frame changes until its closing quote, so the walk
//! keeps just that small frame per depth and switches to full stack copies below a closing
//! quote. Outside strings the grammar prunes the trie after a byte or two.

use super::state::{ConstraintState, Stack};
use super::string::StrStep;
use super::vocab::TokenVocab;

/// Reusable scratch for [`TokenMasker::fill`]: grammar states per trie depth.
#[derive(Debug, Clone, Default)]
pub struct TokenMasker {
    /// Full states per depth.
    states: Vec<Stack>,
    /// String frames per depth (string fast path).
    strings: Vec<super::string::StrFrame>,
    /// Whether depth `d` is still inside the string (string fast path).
    in_string: Vec<bool>,
}

impl TokenMasker {
    /// An empty scratch; it grows on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `allowed[id]` for every id of `vocab` (resized to `vocab.len()`): whether the
    /// token's bytes may come next. `eos`, when given, is allowed iff the state is complete.
    pub fn fill(
        &mut self,
        state: &ConstraintState,
        vocab: &TokenVocab,
        eos: Option<u32>,
        allowed: &mut Vec<bool>,
    ) {
        allowed.clear();
        allowed.resize(vocab.len(), false);
        let trie = &vocab.trie;
        if !state.is_closed() && trie.len() > 1 {
            let depth = trie.max_depth + 1;
            if self.states.len() < depth {
                self.states.resize(depth, state.stack.clone());
                self.strings.resize(depth, Default::default());
                self.in_string.resize(depth, false);
            }
            self.states[0].clone_from(&state.stack);
            if state.stack.top_string(state.schema()).is_some() {
                self.walk_string(state, vocab, allowed);
            } else {
                self.walk(state, vocab, allowed);
            }
        }
        if let Some(slot) = eos.and_then(|id| allowed.get_mut(id as usize)) {
            *slot = state.is_complete();
        }
    }

    /// The generic walk: a full state per depth.
    fn walk(&mut self, state: &ConstraintState, vocab: &TokenVocab, allowed: &mut [bool]) {
        let (trie, schema) = (&vocab.trie, state.schema());
        let mut i = 1;
        while i < trie.len() {
            let depth = usize::from(trie.depth[i]);
            let (parents, rest) = self.states.split_at_mut(depth);
            let current = &mut rest[0];
            current.clone_from(&parents[depth - 1]);
            if current.step(schema, trie.byte[i]) {
                for &id in trie.tokens_at(i) {
                    allowed[id as usize] = true;
                }
                i += 1;
            } else {
                i = trie.subtree_end[i] as usize;
            }
        }
    }

    /// The walk from inside a free-form string: only the string frame per depth until a
    /// closing quote, full states below it.
    fn walk_string(&mut self, state: &ConstraintState, vocab: &TokenVocab, allowed: &mut [bool]) {
        let (trie, schema) = (&vocab.trie, state.schema());
        let Some((root_frame, spec)) = state.stack.top_string(schema) else {
            return;
        };
        self.strings[0] = root_frame;
        self.in_string[0] = true;
        let mut i = 1;
        while i < trie.len() {
            let depth = usize::from(trie.depth[i]);
            let byte = trie.byte[i];
            let ok = if self.in_string[depth - 1] {
                let mut frame = self.strings[depth - 1];
                match frame.step(spec, byte) {
                    StrStep::Consumed => {
                        self.strings[depth] = frame;
                        self.in_string[depth] = true;
                        true
                    }
                    StrStep::Closed => {
                        // The string closes here: continue below with full states.
                        let current = &mut self.states[depth];
                        current.clone_from(&state.stack);
                        current.close();
                        self.in_string[depth] = false;
                        true
                    }
                    StrStep::Reject => false,
                }
            } else {
                let (parents, rest) = self.states.split_at_mut(depth);
                let current = &mut rest[0];
                current.clone_from(&parents[depth - 1]);
                self.in_string[depth] = false;
                current.step(schema, byte)
            };
            if ok {
                for &id in trie.tokens_at(i) {
                    allowed[id as usize] = true;
                }
                i += 1;
            } else {
                i = trie.subtree_end[i] as usize;
            }
        }
    }
}

/// The tokens of `vocab` that may come next in `state` (see [`TokenMasker::fill`]); allocates
/// its scratch, so decode loops should keep a [`TokenMasker`] instead.
pub fn allowed_tokens(state: &ConstraintState, vocab: &TokenVocab, eos: Option<u32>) -> Vec<bool> {
    let mut allowed = Vec::new();
    TokenMasker::new().fill(state, vocab, eos, &mut allowed);
    allowed
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::super::compile::JsonSchemaConstraint;
    use super::*;

    #[test]
    fn mask_matches_token_by_token_simulation() {
        let schema = json!({"type": "object", "properties": {"label": {"type": "string", "enum": ["good", "poor"]},
            "n": {"type": "integer", "minimum": 0, "maximum": 30}}, "required": ["label", "n"], "additionalProperties": false});
        let words: Vec<&[u8]> = vec![
            b"{",
            b"{\"",
            b"\"",
            b"label",
            b"\":",
            b"\":\"",
            b"go",
            b"good",
            b"od",
            b"\",",
            b"\"n",
            b"\"n\":",
            b"1",
            b"3",
            b"30",
            b"31",
            b"4",
            b"}",
            b"0}",
            b",",
            b"poor\"",
            b"p",
            b"\xc3",
            b"\xa9",
            b"ood\",\"n\":2}",
        ];
        let mut tokens: Vec<Option<Vec<u8>>> = words.iter().map(|w| Some(w.to_vec())).collect();
        tokens.push(None);
        let eos = tokens.len() as u32 - 1;
        let vocab = TokenVocab::from_bytes(tokens);
        let mut state = ConstraintState::new(Arc::new(
            JsonSchemaConstraint::compile(&schema).expect("compiles"),
        ));
        let mut masker = TokenMasker::new();
        let mut allowed = Vec::new();
        for piece in [&b"{\""[..], b"label", b"\":\"", b"go", b"od\",\"n\":2}"] {
            masker.fill(&state, &vocab, Some(eos), &mut allowed);
            for (id, &ok) in allowed.iter().enumerate().take(eos as usize) {
                let bytes = vocab.bytes(id as u32).expect("bytes");
                assert_eq!(
                    ok,
                    state.accepts(bytes),
                    "token {:?} after {} bytes",
                    String::from_utf8_lossy(bytes),
                    state.bytes_accepted()
                );
            }
            assert!(!allowed[eos as usize]);
            state.advance_bytes(piece).expect("valid piece");
        }
        assert!(state.is_complete());
        masker.fill(&state, &vocab, Some(eos), &mut allowed);
        let only: Vec<usize> = allowed
            .iter()
            .enumerate()
            .filter(|(_, ok)| **ok)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(only, [eos as usize], "only EOS once complete");
    }

    #[test]
    fn string_fast_path_matches_simulation() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string", "minLength": 2}},
            "b": {"type": "integer"}}, "required": ["a"], "additionalProperties": false});
        let limits = super::super::ConstraintLimits {
            max_string_chars: 6,
            ..Default::default()
        };
        let compiled =
            Arc::new(JsonSchemaConstraint::compile_with(&schema, limits).expect("compiles"));
        let words: Vec<&[u8]> = vec![
            b"\"",
            b"\",",
            b"\"]",
            b"\"],\"b\":",
            b"\"]}",
            b"\",\"",
            b"\\",
            b"\\u",
            b"00e9",
            b"u00",
            b"n\"",
            b"ab",
            b"abc",
            b"a\"",
            b"\xc3",
            b"\xa9",
            b"\xa9\"",
            b"\xc3\xa9",
            b"\xe2\x82",
            b"\xac",
            b"}",
            b"]",
            b",",
            b"1",
            b"\"]}x",
        ];
        let vocab = TokenVocab::from_bytes(words.iter().map(|w| Some(w.to_vec())).collect());
        let mut masker = TokenMasker::new();
        let mut allowed = Vec::new();
        let prefixes: [&[u8]; 9] = [
            b"{\"a\":[\"",
            b"{\"a\":[\"a",
            b"{\"a\":[\"ab",
            b"{\"a\":[\"ab\\",
            b"{\"a\":[\"ab\\u0",
            b"{\"a\":[\"ab\xc3",
            b"{\"a\":[\"ab\xe2\x82",
            b"{\"a\":[\"abcde",
            b"{\"a\":[\"abcdef",
        ];
        for prefix in prefixes {
            let mut state = ConstraintState::new(compiled.clone());
            state.advance_bytes(prefix).expect("valid prefix");
            masker.fill(&state, &vocab, None, &mut allowed);
            for (id, &ok) in allowed.iter().enumerate() {
                let bytes = vocab.bytes(id as u32).expect("bytes");
                let what = (
                    String::from_utf8_lossy(prefix),
                    String::from_utf8_lossy(bytes),
                );
                assert_eq!(ok, state.accepts(bytes), "{what:?}");
            }
        }
    }
}
