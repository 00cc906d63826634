//! JSON-schema-constrained decoding: greedy decoding that can only produce one JSON value valid
//! against a task's output schema.
//!
//! # Pieces
//!
//! - [`JsonSchemaConstraint`]: a schema ([`hirelm_core::output_schema`] or a narrowed copy)
//!   compiled into a grammar; [`ConstraintLimits`] caps string and array lengths and digits.
//! - [`ConstraintState`]: the incremental position in that grammar, advanced byte by byte.
//! - [`TokenVocab`]: the raw bytes of every token id ([`TokenVocab::from_tokenizer`] undoes the
//!   byte-level BPE alphabet) with a byte trie over them; [`TokenMasker`] walks the trie to find
//!   the allowed next tokens.
//! - [`ConstrainedDecoder`]: what a decode loop calls — [`mask_logits`](ConstrainedDecoder::mask_logits)
//!   (or [`mask_logits_within`](ConstrainedDecoder::mask_logits_within) a token budget, which
//!   keeps the answer finishable: see `state/closing.rs`), [`push`](ConstrainedDecoder::push),
//!   [`is_done`](ConstrainedDecoder::is_done).
//! - [`ConstraintError`]: unsupported keywords (named, with their JSON pointer), invalid schemas,
//!   refused bytes and tokens.
//!
//! # The output grammar, and why
//!
//! The model is fine-tuned on targets written by `serde_json::Value::to_string()`: compact JSON
//! (no whitespace) with object keys in sorted order. The grammar admits exactly that shape, so
//! the constraint never pushes the model off its training distribution, and each object has
//! one key order, which keeps the key grammar a simple ordered walk instead of a set of
//! permutations:
//!
//! - objects: the schema's `properties` in sorted key order (byte order, as serde_json's
//!   `BTreeMap`); every `required` property appears, optional ones may be skipped, and no other
//!   key is ever generated — also when `additionalProperties` is absent or `true`, which is
//!   sound (the output stays valid) but narrower than the schema;
//! - objects without `properties` (`{"type": "object"}`, OpenAI's JSON mode): free keys of 1 to
//!   64 characters, each with a value of `additionalProperties` when it is a schema, else any
//!   JSON value (string, number, `true`/`false`/`null`, object, array, nested to any depth),
//!   `minProperties`/`maxProperties` counted, at most [`ConstraintLimits::max_array_items`];
//! - `anyOf` whose alternatives start with different bytes (pydantic's `Optional[X]`, which is
//!   `anyOf: [X, {"type": "null"}]`): the first byte picks the alternative; alternatives that
//!   could start alike are refused with the byte they share;
//! - `$ref` to the root's `$defs` (or `definitions`), each definition compiled once; a schema
//!   that refers to itself is refused;
//! - `const`, and `null` as a type or an `enum` value;
//! - strings: any content with valid JSON escapes and valid UTF-8 (a token may end inside a
//!   multi-byte character), `minLength` and `maxLength` counted in characters, at most
//!   [`ConstraintLimits::max_string_chars`];
//! - `pattern` on strings (ECMA-262 syntax, matched anywhere unless anchored, over Unicode
//!   characters): literals, `.`, classes with ranges and negation, `\d \w \s` (ASCII, as
//!   ECMA) and their negations, groups (plain, `(?:…)`, named), `|`, `* + ? {n} {n,} {n,m}`,
//!   `^` and `$` at the ends. The pattern becomes a finite automaton, and a character is allowed
//!   only if a match can still be completed within the string's length bounds, so decoding
//!   still always finishes validly. Such a string is written without escapes (no `"`, `\` or
//!   control characters). Lookaround, backreferences, word boundaries and property escapes are
//!   refused, naming the construct;
//! - `enum` (strings, numbers or booleans, also without `type`): exactly the values' compact
//!   encodings, matched through a byte trie, so a caller may narrow a schema at run time to,
//!   say, 100 allowed skill labels at no per-step cost;
//! - numbers: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` without exponent; `minimum`/`maximum` are enforced
//!   on every prefix (a prefix is allowed only if some completion is in range; `-` only when
//!   the minimum is negative); integers take no fraction and never `-0`;
//! - booleans: `true` / `false`; arrays: `items`, `minItems`, `maxItems`, at most
//!   [`ConstraintLimits::max_array_items`].
//!
//! Any other keyword is an error ([`ConstraintError::UnsupportedKeyword`]) rather than silently
//! ignored, except annotations (`description`, `title`, …). The caps make every decode finite,
//! and every reachable incomplete state has at least one allowed byte, so with a vocabulary
//! holding every single byte (SmolLM2's does) decoding never dead-ends. End-of-sequence is
//! allowed exactly when the value is complete; once an object or array root has closed,
//! nothing but end-of-sequence is.
//!
//! ```
//! use std::sync::Arc;
//! use hirelm_core::{Task, output_schema};
//! use hirelm_infer::constrain::{ConstraintState, JsonSchemaConstraint};
//! let schema = Arc::new(JsonSchemaConstraint::compile(&output_schema(Task::ExtractSkills))?);
//! let mut state = ConstraintState::new(schema);
//! assert!(!state.accepts(br#"{ "skills""#), "no whitespace");
//! state.advance_bytes(br#"{"skills":["SQL"]}"#)?;
//! assert!(state.is_complete());
//! # Ok::<(), hirelm_infer::constrain::ConstraintError>(())
//! ```

mod compile;
mod decoder;
mod error;
mod keywords;
mod limits;
mod literal;
mod mask;
mod number;
mod object;
mod pattern;
mod refs;
mod state;
mod string;
mod union;
mod vocab;

#[cfg(test)]
mod closing_tests;
#[cfg(test)]
mod compile_tests;
#[cfg(test)]
mod task_tests;
#[cfg(test)]
mod union_tests;
#[cfg(test)]
mod walk_tests;

pub use compile::JsonSchemaConstraint;
pub use decoder::{BUDGET_CANDIDATES, ConstrainedDecoder};
pub use error::ConstraintError;
pub use limits::ConstraintLimits;
pub use mask::{TokenMasker, allowed_tokens};
pub use state::ConstraintState;
pub use vocab::TokenVocab;
