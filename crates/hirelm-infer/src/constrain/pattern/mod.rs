//! `pattern` on strings: the regular expression as a deterministic automaton over characters
//! ([`automaton`]), stepped as the string's characters are decoded, with a table of how far
//! each automaton state is from a match, so that no character is allowed after which the string
//! could no longer match within `minLength`/`maxLength` (or the configured cap). Every answer
//! then still completes validly within its budget.
//!
//! A pattern-constrained string is written without escapes: it holds no `"`, `\` or control
//! characters, even where the pattern would allow them (the answer is still valid, only
//! narrower). Semantics are JSON Schema's: unanchored patterns match anywhere in the string.

mod automaton;
mod charset;
mod parse;
#[cfg(test)]
mod tests;

use automaton::{DEAD, Dfa};
use charset::MAX_CHAR;
use parse::Regex;

/// No accepting state within reach.
const UNREACHABLE: u16 = u16::MAX;

/// A compiled `pattern` within a string's length bounds.
#[derive(Debug, Clone)]
pub(crate) struct PatternSpec {
    dfa: Dfa,
    /// `nearest[state * (max_chars + 1) + k]`: the fewest characters, at least `k`, after which
    /// an accepting state can be reached from `state` ([`UNREACHABLE`] when none up to
    /// `max_chars`).
    nearest: Vec<u16>,
    min_chars: u32,
    max_chars: u32,
}

impl PatternSpec {
    /// The automaton of `pattern` for strings of `min_chars` to `max_chars` characters; the
    /// error says what in the pattern is wrong or unsupported, or that no string of those
    /// lengths matches.
    pub(crate) fn compile(pattern: &str, min_chars: u32, max_chars: u32) -> Result<Self, String> {
        if max_chars >= u32::from(UNREACHABLE) {
            return Err(format!(
                "strings under a pattern hold at most {} characters",
                UNREACHABLE - 1
            ));
        }
        let parsed = parse::parse(pattern)?;
        let anything = Regex::Repeat {
            inner: Box::new(Regex::Class(vec![(0, MAX_CHAR)])),
            min: 0,
            max: None,
        };
        let mut parts = Vec::with_capacity(3);
        if !parsed.anchored_start {
            parts.push(anything.clone());
        }
        parts.push(parsed.regex);
        if !parsed.anchored_end {
            parts.push(anything);
        }
        let dfa = Dfa::build(&Regex::Concat(parts))?;
        let spec = Self {
            nearest: nearest_table(&dfa, max_chars),
            dfa,
            min_chars,
            max_chars,
        };
        if spec.closest(0, 0).is_none() {
            return Err(format!(
                "no string of {min_chars} to {max_chars} characters without `\"`, `\\` or control characters matches it"
            ));
        }
        Ok(spec)
    }

    /// The start state.
    pub(crate) const START: u32 = 0;

    /// Whether `state` is a match.
    pub(crate) fn accepts(&self, state: u32) -> bool {
        self.dfa.accepting[state as usize]
    }

    /// The state after character `c`.
    pub(crate) fn step(&self, state: u32, c: u32) -> u32 {
        self.dfa.step(state, c)
    }

    /// The fewest further characters that complete a match from `state` with `chars` written,
    /// within the length bounds; `None` when no completion fits.
    pub(crate) fn closest(&self, state: u32, chars: u32) -> Option<u32> {
        if state == DEAD || chars > self.max_chars {
            return None;
        }
        let from = self.min_chars.saturating_sub(chars);
        let row = state as usize * (self.max_chars as usize + 1);
        let k = *self.nearest.get(row + from as usize)?;
        (k != UNREACHABLE && u32::from(k) <= self.max_chars - chars).then_some(u32::from(k))
    }

    /// The best next character among `lo..=hi` from `state` (`chars` written once it is):
    /// (fewest further characters to a match, the lowest such character); `None` when no
    /// character of the range keeps a match within reach.
    pub(crate) fn best_in(&self, state: u32, lo: u32, hi: u32, chars: u32) -> Option<(u32, u32)> {
        self.dfa
            .transitions(state, lo, hi)
            .filter_map(|(c, to)| Some((self.closest(to, chars)?, c)))
            .min()
    }

    /// The fewest characters of a matching string.
    pub(crate) fn shortest(&self) -> u32 {
        self.closest(Self::START, 0).unwrap_or(self.min_chars)
    }
}

/// The [`PatternSpec::nearest`] table: which distances to a match each state has (a
/// breadth-first recurrence over distances), then for each `k` the first one at or after it.
fn nearest_table(dfa: &Dfa, max_chars: u32) -> Vec<u16> {
    let (states, len) = (dfa.states(), max_chars as usize + 1);
    let width = dfa.starts.len();
    let successors: Vec<Vec<u32>> = (0..states)
        .map(|s| {
            let mut to: Vec<u32> = dfa.next[s * width..(s + 1) * width]
                .iter()
                .copied()
                .filter(|&t| t != DEAD)
                .collect();
            to.sort_unstable();
            to.dedup();
            to
        })
        .collect();
    // reach[s * len + k]: a match exactly k characters from s.
    let mut reach = vec![false; states * len];
    for s in 0..states {
        reach[s * len] = dfa.accepting[s];
    }
    for k in 1..len {
        for s in 0..states {
            reach[s * len + k] = successors[s]
                .iter()
                .any(|&t| reach[t as usize * len + k - 1]);
        }
    }
    let mut nearest = vec![UNREACHABLE; states * len];
    for s in 0..states {
        let mut next = UNREACHABLE;
        for k in (0..len).rev() {
            if reach[s * len + k] {
                next = k as u16;
            }
            nearest[s * len + k] = next;
        }
    }
    nearest
}
