//! Free-form strings: JSON escapes, UTF-8 split anywhere, `minLength` and a length cap, and a
//! `pattern` ([`super::pattern`]).
//!
//! The opening quote is consumed by the caller; a [`StrFrame`] then sees the content bytes and
//! the closing quote. Lengths count characters as [`hirelm_core::validate`] does (`chars()` of
//! the decoded string): an escape is one character, a multi-byte UTF-8 sequence is one
//! character. Raw bytes must form valid UTF-8 (no overlongs, no surrogates, nothing above
//! U+10FFFF) and a byte-level BPE token may stop in the middle of a sequence: the frame keeps
//! how many continuation bytes are still due and their allowed range. `\u` escapes of UTF-16
//! surrogates (`\uD800`–`\uDFFF`) are refused, because a lone one does not parse.

use std::sync::Arc;

use super::pattern::PatternSpec;

/// A compiled `string` schema without `enum`.
#[derive(Debug, Clone)]
pub(crate) struct StrSpec {
    /// Fewest characters (`minLength`).
    pub(crate) min_chars: u32,
    /// Most characters (the configured cap).
    pub(crate) max_chars: u32,
    /// The `pattern` the string must match, if any.
    pub(crate) pattern: Option<Arc<PatternSpec>>,
}

impl StrSpec {
    /// A string of `min_chars` to `max_chars` characters, any content.
    pub(crate) fn free(min_chars: u32, max_chars: u32) -> Self {
        Self {
            min_chars,
            max_chars,
            pattern: None,
        }
    }

    /// The fewest characters of a valid string.
    pub(crate) fn shortest_chars(&self) -> u32 {
        self.pattern
            .as_ref()
            .map_or(self.min_chars, |p| p.shortest())
    }
}

/// Where the frame is inside an escape sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Escape {
    /// Not in an escape.
    #[default]
    None,
    /// After `\`.
    Backslash,
    /// After `\u` and `done` hex digits; `d_first` when the first one was `d`/`D`.
    Hex { done: u8, d_first: bool },
}

/// What a string state does with the next byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrStep {
    /// The byte is part of the content.
    Consumed,
    /// The byte is the closing quote: the value is complete.
    Closed,
    /// The byte is not allowed.
    Reject,
}

/// The state inside a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct StrFrame {
    /// The pattern's automaton state after the last whole character (its start is 0).
    dfa: u32,
    /// The bits of the character being decoded so far (with a pattern).
    acc: u32,
    /// The code points the character being decoded may still become (with a pattern).
    cp_lo: u32,
    cp_hi: u32,
    /// Characters started so far.
    chars: u32,
    /// Escape state.
    escape: Escape,
    /// UTF-8 continuation bytes still due.
    utf8_due: u8,
    /// Smallest allowed next continuation byte.
    utf8_lo: u8,
    /// Largest allowed next continuation byte.
    utf8_hi: u8,
}

impl StrFrame {
    /// Feeds one byte; on [`StrStep::Reject`] the frame may be left modified.
    #[inline]
    pub(crate) fn step(&mut self, spec: &StrSpec, byte: u8) -> StrStep {
        if self.utf8_due > 0 {
            if byte < self.utf8_lo || byte > self.utf8_hi {
                return StrStep::Reject;
            }
            self.utf8_due -= 1;
            (self.utf8_lo, self.utf8_hi) = (0x80, 0xBF);
            if let Some(pattern) = &spec.pattern {
                return self.continue_char(pattern, byte);
            }
            return StrStep::Consumed;
        }
        match self.escape {
            Escape::None => {}
            Escape::Backslash => {
                self.escape = match byte {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Escape::None,
                    b'u' => Escape::Hex {
                        done: 0,
                        d_first: false,
                    },
                    _ => return StrStep::Reject,
                };
                return StrStep::Consumed;
            }
            Escape::Hex { done, d_first } => {
                let ok = match done {
                    1 if d_first => matches!(byte, b'0'..=b'7'),
                    _ => byte.is_ascii_hexdigit(),
                };
                if !ok {
                    return StrStep::Reject;
                }
                self.escape = if done == 3 {
                    Escape::None
                } else {
                    Escape::Hex {
                        done: done + 1,
                        d_first: d_first || (done == 0 && (byte | 0x20) == b'd'),
                    }
                };
                return StrStep::Consumed;
            }
        }
        if byte == b'"' {
            let matched = spec.pattern.as_ref().is_none_or(|p| p.accepts(self.dfa));
            return if self.chars >= spec.min_chars && matched {
                StrStep::Closed
            } else {
                StrStep::Reject
            };
        }
        if self.chars >= spec.max_chars {
            return StrStep::Reject;
        }
        if let Some(pattern) = &spec.pattern {
            return self.start_char(pattern, byte);
        }
        let (due, lo, hi) = match byte {
            0x00..=0x1F => return StrStep::Reject,
            b'\\' => {
                self.escape = Escape::Backslash;
                (0, 0, 0)
            }
            0x20..=0x7F => (0, 0, 0),
            _ => match utf8_lead(byte) {
                Some(lead) => lead,
                None => return StrStep::Reject,
            },
        };
        self.chars += 1;
        (self.utf8_due, self.utf8_lo, self.utf8_hi) = (due, lo, hi);
        StrStep::Consumed
    }
}

/// A UTF-8 lead byte's continuation bytes due and the range of the first one (which rules
/// out overlong forms, surrogates and code points above U+10FFFF); `None` for a byte that
/// cannot start a character.
fn utf8_lead(byte: u8) -> Option<(u8, u8, u8)> {
    Some(match byte {
        0xC2..=0xDF => (1, 0x80, 0xBF),
        0xE0 => (2, 0xA0, 0xBF),
        0xED => (2, 0x80, 0x9F),
        0xE1..=0xEF => (2, 0x80, 0xBF),
        0xF0 => (3, 0x90, 0xBF),
        0xF1..=0xF3 => (3, 0x80, 0xBF),
        0xF4 => (3, 0x80, 0x8F),
        _ => return None,
    })
}

/// Stepping under a `pattern`: each character moves the automaton, and a byte is refused when
/// no character it can still be part of keeps a match within the length bounds.
impl StrFrame {
    /// The first byte of a character (the closing quote and the length cap already checked).
    fn start_char(&mut self, pattern: &PatternSpec, byte: u8) -> StrStep {
        if byte.is_ascii() {
            if byte < 0x20 || byte == b'\\' {
                return StrStep::Reject;
            }
            let next = pattern.step(self.dfa, u32::from(byte));
            if pattern.closest(next, self.chars + 1).is_none() {
                return StrStep::Reject;
            }
            self.dfa = next;
            self.chars += 1;
            return StrStep::Consumed;
        }
        let Some((due, lo, hi)) = utf8_lead(byte) else {
            return StrStep::Reject;
        };
        let bits = 6 * u32::from(due - 1);
        let acc = u32::from(byte) & (0x7F >> (due + 1));
        let base = acc << (bits + 6);
        let cp_lo = base | (u32::from(lo & 0x3F) << bits);
        let cp_hi = base | (u32::from(hi & 0x3F) << bits) | ((1 << bits) - 1);
        if pattern
            .best_in(self.dfa, cp_lo, cp_hi, self.chars + 1)
            .is_none()
        {
            return StrStep::Reject;
        }
        self.chars += 1;
        (self.utf8_due, self.utf8_lo, self.utf8_hi) = (due, lo, hi);
        (self.acc, self.cp_lo, self.cp_hi) = (acc, cp_lo, cp_hi);
        StrStep::Consumed
    }

    /// The code points a character can still become after continuation byte `byte`, with
    /// `due` bytes to come: `(bits so far, lowest, highest)`.
    fn narrowed(&self, byte: u8, due: u8) -> (u32, u32, u32) {
        let acc = (self.acc << 6) | u32::from(byte & 0x3F);
        let rest = 6 * u32::from(due);
        let lo = self.cp_lo.max(acc << rest);
        let hi = self.cp_hi.min((acc << rest) | ((1 << rest) - 1));
        (acc, lo, hi)
    }

    /// A continuation byte, already range-checked, with `utf8_due` counting the bytes after it.
    fn continue_char(&mut self, pattern: &PatternSpec, byte: u8) -> StrStep {
        let (acc, lo, hi) = self.narrowed(byte, self.utf8_due);
        if self.utf8_due == 0 {
            let next = pattern.step(self.dfa, acc);
            if pattern.closest(next, self.chars).is_none() {
                return StrStep::Reject;
            }
            self.dfa = next;
        } else if lo > hi || pattern.best_in(self.dfa, lo, hi, self.chars).is_none() {
            return StrStep::Reject;
        }
        (self.acc, self.cp_lo, self.cp_hi) = (acc, lo, hi);
        StrStep::Consumed
    }

    /// The next byte on the way to the nearest match: the rest of the character nearest to
    /// one, then `"` once the automaton accepts at `minLength` or more.
    fn closing_byte_in(&self, pattern: &PatternSpec, min_chars: u32) -> u8 {
        if self.utf8_due > 0 {
            return (self.utf8_lo..=self.utf8_hi)
                .filter_map(|b| {
                    let (_, lo, hi) = self.narrowed(b, self.utf8_due - 1);
                    if lo > hi {
                        return None;
                    }
                    let (k, _) = pattern.best_in(self.dfa, lo, hi, self.chars)?;
                    Some((k, b))
                })
                .min()
                .map_or(self.utf8_lo, |(_, b)| b);
        }
        if self.chars >= min_chars && pattern.accepts(self.dfa) {
            return b'"';
        }
        let next = pattern.best_in(self.dfa, 0, char::MAX as u32, self.chars + 1);
        match next.and_then(|(_, c)| char::from_u32(c)) {
            Some(c) => {
                let mut utf8 = [0u8; 4];
                c.encode_utf8(&mut utf8);
                utf8[0]
            }
            // Not reached: every accepted byte keeps a match within reach.
            None => b'"',
        }
    }
}

impl StrFrame {
    /// The next byte of the shortest way to close the string: the rest of a started character,
    /// `n` after a backslash, `0` inside `\u`, then `a` until `minLength` is met, then `"`;
    /// with a pattern, the characters nearest to a match.
    pub(crate) fn closing_byte(&self, spec: &StrSpec) -> u8 {
        if let Some(pattern) = &spec.pattern {
            return self.closing_byte_in(pattern, spec.min_chars);
        }
        if self.utf8_due > 0 {
            return self.utf8_lo;
        }
        match self.escape {
            Escape::Backslash => b'n',
            Escape::Hex { .. } => b'0',
            Escape::None if self.chars >= spec.min_chars => b'"',
            Escape::None => b'a',
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: StrSpec = StrSpec {
        min_chars: 1,
        max_chars: 8,
        pattern: None,
    };

    /// Feeds `content` and returns the index of the first refused byte, or the closing step.
    fn run(spec: &StrSpec, content: &[u8]) -> Result<StrStep, usize> {
        let mut frame = StrFrame::default();
        let mut last = StrStep::Consumed;
        for (i, &b) in content.iter().enumerate() {
            last = frame.step(spec, b);
            if last == StrStep::Reject {
                return Err(i);
            }
        }
        Ok(last)
    }

    #[test]
    fn escapes_and_utf8() {
        assert_eq!(run(&SPEC, br#"a\n\"\u00e9""#), Ok(StrStep::Closed));
        assert_eq!(run(&SPEC, "é€😀\"".as_bytes()), Ok(StrStep::Closed));
        assert_eq!(run(&SPEC, br"\x"), Err(1));
        assert_eq!(run(&SPEC, br"\ud800"), Err(3), "surrogate escape");
        assert_eq!(
            run(&SPEC, br#"\uDC00"#),
            Err(3),
            "surrogate escape, upper case"
        );
        assert_eq!(run(&SPEC, br"\ud7ff\ue000"), Ok(StrStep::Consumed));
        assert_eq!(run(&SPEC, b"\xC0\x80"), Err(0), "overlong");
        assert_eq!(run(&SPEC, b"\xE0\x80"), Err(1), "overlong 3-byte");
        assert_eq!(run(&SPEC, b"\xED\xA0\x80"), Err(1), "encoded surrogate");
        assert_eq!(run(&SPEC, b"\xF4\x90"), Err(1), "above U+10FFFF");
        assert_eq!(run(&SPEC, b"\xC3\""), Err(1), "quote inside a sequence");
        assert_eq!(run(&SPEC, b"a\tb"), Err(1), "raw control character");
    }

    #[test]
    fn lengths_count_characters() {
        assert_eq!(run(&SPEC, b"\""), Err(0), "minLength 1");
        assert_eq!(
            run(&SPEC, "ééééééé\u{e9}\"".as_bytes()),
            Ok(StrStep::Closed)
        );
        assert_eq!(
            run(&SPEC, "éééééééé\u{e9}".as_bytes()),
            Err(16),
            "ninth character"
        );
        assert_eq!(
            run(&SPEC, br"12345678\n"),
            Err(8),
            "an escape is a character"
        );
        let mut frame = StrFrame::default();
        assert_eq!(frame.step(&SPEC, 0xE2), StrStep::Consumed);
        assert_eq!(
            (frame.chars, frame.utf8_due),
            (1, 2),
            "counted at the lead byte"
        );
        assert_eq!(
            frame.step(&SPEC, b'"'),
            StrStep::Reject,
            "no quote inside a character"
        );
    }
}
