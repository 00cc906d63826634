//! Text tokenizer: a `tokenizers::Tokenizer` built from a GGUF's `tokenizer.ggml.*` metadata
//! (byte-level BPE, or SentencePiece BPE in [`spm`]) or loaded from a `tokenizer.json`, with the
//! model's special tokens.

pub mod spm;

use std::path::Path;

use serde_json::{Value, json};
use tokenizers::Tokenizer;

use crate::error::{ModelError, Result};
use crate::gguf::GgufFile;

/// GGUF token type of control tokens (`<|im_start|>` and friends).
const TOKEN_TYPE_CONTROL: u64 = 3;
/// GGUF token type of user-defined tokens, also matched as whole units.
const TOKEN_TYPE_USER_DEFINED: u64 = 4;
/// GGUF token type of the unknown token (SentencePiece's `<unk>`), matched like a control token.
const TOKEN_TYPE_UNKNOWN: u64 = 2;

/// How token strings spell bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAlphabet {
    /// GPT-2's byte-to-unicode table (SmolLM2): every byte has a printable stand-in.
    ByteLevel,
    /// SentencePiece (Gemma): `▁` is a space, `<0xXX>` a raw byte, anything else its UTF-8.
    SentencePiece,
}

/// A tokenizer plus the special-token ids generation needs.
///
/// Two encodings exist on purpose: [`encode`](Self::encode) with `parse_special = true` turns
/// `<|im_end|>` in the text into the control token (for templates we render ourselves), while
/// `parse_special = false` keeps such strings as plain text, so user content can never inject a
/// control token into a prompt.
#[derive(Debug, Clone)]
pub struct TextTokenizer {
    with_special: Tokenizer,
    text_only: Tokenizer,
    /// Beginning-of-sequence id.
    pub bos_id: Option<u32>,
    /// End-of-sequence id.
    pub eos_id: Option<u32>,
    /// Whether the model expects BOS at the start of every sequence.
    pub add_bos: bool,
    /// How token strings spell bytes (what constrained decoding needs to know).
    pub alphabet: TokenAlphabet,
}

impl TextTokenizer {
    /// Wraps a ready `tokenizers::Tokenizer`.
    pub fn new(
        tokenizer: Tokenizer,
        bos_id: Option<u32>,
        eos_id: Option<u32>,
        add_bos: bool,
    ) -> Self {
        let mut text_only = tokenizer.clone();
        text_only.set_encode_special_tokens(true);
        Self {
            with_special: tokenizer,
            text_only,
            bos_id,
            eos_id,
            add_bos,
            alphabet: TokenAlphabet::ByteLevel,
        }
    }

    /// Loads a `tokenizer.json`; BOS/EOS are looked up by their usual names.
    pub fn from_file(path: &Path, add_bos: bool) -> Result<Self> {
        let tokenizer = Tokenizer::from_file(path)
            .map_err(|e| ModelError::Tokenizer(format!("{}: {e}", path.display())))?;
        let find = |names: &[&str]| names.iter().find_map(|n| tokenizer.token_to_id(n));
        let bos = find(&["<|im_start|>", "<s>", "<|endoftext|>", "[CLS]"]);
        let eos = find(&["<|im_end|>", "</s>", "<|endoftext|>", "[SEP]"]);
        Ok(Self::new(tokenizer, bos, eos, add_bos))
    }

    /// Builds the tokenizer described by a GGUF file's metadata: byte-level BPE (`gpt2`, with
    /// its merge list) or SentencePiece BPE (`llama`, merges implied by the piece scores).
    pub fn from_gguf(file: &GgufFile) -> Result<Self> {
        let model = file.get_str("tokenizer.ggml.model")?;
        let tokens = file.get_str_array("tokenizer.ggml.tokens")?;
        let types: Vec<u64> = match file
            .get("tokenizer.ggml.token_type")
            .and_then(|v| v.as_array())
        {
            Some(values) => values.iter().map(|v| v.as_u64().unwrap_or(1)).collect(),
            None => vec![1; tokens.len()],
        };
        let id = |key: &str| file.get_u64(key).ok().map(|v| v as u32);
        let (tokenizer, alphabet) = match model {
            "gpt2" => {
                let merges = file.get_str_array("tokenizer.ggml.merges")?;
                let pre = file.get_str("tokenizer.ggml.pre").unwrap_or("default");
                let json = tokenizer_json(&tokens, &merges, &types, pre)?;
                let tokenizer = Tokenizer::from_bytes(json.to_string()).map_err(|e| {
                    ModelError::Tokenizer(format!("building BPE from GGUF metadata: {e}"))
                })?;
                (tokenizer, TokenAlphabet::ByteLevel)
            }
            "llama" => {
                if file
                    .get("tokenizer.ggml.add_space_prefix")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true)
                {
                    return Err(ModelError::metadata(
                        "tokenizer.ggml.add_space_prefix",
                        "SentencePiece vocabularies that prefix a space are not supported; pass a tokenizer.json",
                    ));
                }
                let scores: Vec<f32> = file
                    .get("tokenizer.ggml.scores")
                    .and_then(|v| v.as_array())
                    .ok_or_else(|| {
                        ModelError::metadata("tokenizer.ggml.scores", "missing or not an array")
                    })?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        v.as_f64()
                            .filter(|s| s.is_finite())
                            .map(|s| s as f32)
                            .ok_or_else(|| {
                                ModelError::metadata(
                                    format!("tokenizer.ggml.scores[{i}]"),
                                    "not a finite number",
                                )
                            })
                    })
                    .collect::<Result<_>>()?;
                let tokenizer = spm::spm_tokenizer(
                    &tokens,
                    &scores,
                    &types,
                    id("tokenizer.ggml.unknown_token_id"),
                )?;
                (tokenizer, TokenAlphabet::SentencePiece)
            }
            other => {
                return Err(ModelError::metadata(
                    "tokenizer.ggml.model",
                    format!(
                        "`gpt2` (byte-level BPE) and `llama` (SentencePiece) are supported, found `{other}`; pass a tokenizer.json"
                    ),
                ));
            }
        };
        let add_bos = file
            .get("tokenizer.ggml.add_bos_token")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let mut out = Self::new(
            tokenizer,
            id("tokenizer.ggml.bos_token_id"),
            id("tokenizer.ggml.eos_token_id"),
            add_bos,
        );
        out.alphabet = alphabet;
        Ok(out)
    }

    /// Token ids of `text`; BOS is prepended when the model asks for it and `add_bos` is set.
    pub fn encode(&self, text: &str, parse_special: bool, add_bos: bool) -> Result<Vec<u32>> {
        let tokenizer = if parse_special {
            &self.with_special
        } else {
            &self.text_only
        };
        let encoding = tokenizer
            .encode(text, false)
            .map_err(|e| ModelError::Tokenizer(format!("encoding failed: {e}")))?;
        let mut ids = Vec::with_capacity(encoding.len() + 1);
        if add_bos && self.add_bos {
            ids.extend(self.bos_id);
        }
        ids.extend_from_slice(encoding.get_ids());
        Ok(ids)
    }

    /// Text of `ids`; special tokens are dropped when `skip_special` is set.
    pub fn decode(&self, ids: &[u32], skip_special: bool) -> Result<String> {
        self.with_special
            .decode(ids, skip_special)
            .map_err(|e| ModelError::Tokenizer(format!("decoding failed: {e}")))
    }

    /// Id of a token given by its exact text, e.g. `<|im_end|>`.
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.with_special.token_to_id(token)
    }

    /// Number of tokens in the vocabulary, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.with_special.get_vocab_size(true)
    }

    /// The wrapped tokenizer (e.g. to save it as `tokenizer.json`).
    pub fn inner(&self) -> &Tokenizer {
        &self.with_special
    }
}

/// The pre-tokenizer llama.cpp uses for `tokenizer.ggml.pre`, as HF `pre_tokenizer` JSON.
fn pre_tokenizer(pre: &str) -> Result<Value> {
    let byte_level = json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true});
    match pre {
        // GPT-2's regex.
        "default" | "gpt2" => Ok(byte_level),
        // llama.cpp splits every digit first, then applies GPT-2's regex.
        "smollm" | "starcoder" | "refact" | "codeshell" | "command-r" => Ok(json!({
            "type": "Sequence",
            "pretokenizers": [{"type": "Digits", "individual_digits": true}, byte_level],
        })),
        other => Err(ModelError::metadata(
            "tokenizer.ggml.pre",
            format!("pre-tokenizer `{other}` is not supported; pass a tokenizer.json"),
        )),
    }
}

/// An HF `tokenizer.json` document for a byte-level BPE vocabulary.
fn tokenizer_json(tokens: &[&str], merges: &[&str], types: &[u64], pre: &str) -> Result<Value> {
    let vocab: serde_json::Map<String, Value> = tokens
        .iter()
        .enumerate()
        .map(|(id, t)| (t.to_string(), json!(id)))
        .collect();
    let added: Vec<Value> = tokens
        .iter()
        .zip(types)
        .enumerate()
        .filter(|(_, (_, ty))| matches!(**ty, TOKEN_TYPE_CONTROL | TOKEN_TYPE_USER_DEFINED))
        .map(|(id, (content, ty))| {
            json!({"id": id, "content": content, "single_word": false, "lstrip": false, "rstrip": false,
                   "normalized": false, "special": *ty == TOKEN_TYPE_CONTROL})
        })
        .collect();
    let merges: Vec<Value> = merges
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (a, b) = m.split_once(' ').ok_or_else(|| {
                ModelError::metadata(
                    format!("tokenizer.ggml.merges[{i}]"),
                    format!("`{m}` is not `left right`"),
                )
            })?;
            Ok(json!([a, b]))
        })
        .collect::<Result<_>>()?;
    Ok(json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": null,
        "pre_tokenizer": pre_tokenizer(pre)?,
        "post_processor": null,
        "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                  "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                  "ignore_merges": false, "vocab": vocab, "merges": merges},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A byte-level vocabulary: the 256 byte symbols, two merges and two control tokens.
    pub(crate) fn toy_tokenizer() -> TextTokenizer {
        let bytes = tokenizers::pre_tokenizers::byte_level::ByteLevel::alphabet();
        let mut symbols: Vec<String> = bytes.into_iter().map(|c| c.to_string()).collect();
        symbols.sort();
        symbols.extend([
            "he".to_string(),
            "hel".to_string(),
            "<|im_start|>".into(),
            "<|im_end|>".into(),
        ]);
        let tokens: Vec<&str> = symbols.iter().map(String::as_str).collect();
        let mut types = vec![1u64; tokens.len()];
        let n = types.len();
        types[n - 2] = TOKEN_TYPE_CONTROL;
        types[n - 1] = TOKEN_TYPE_CONTROL;
        let json = tokenizer_json(&tokens, &["h e", "he l"], &types, "smollm").expect("valid");
        let tok = Tokenizer::from_bytes(json.to_string()).expect("builds");
        TextTokenizer::new(tok, None, Some(n as u32 - 1), false)
    }

    #[test]
    fn merges_apply_and_decode_round_trips() {
        let tok = toy_tokenizer();
        let ids = tok.encode("hello", true, false).expect("encodes");
        assert_eq!(ids[0], tok.token_id("hel").expect("merged token"));
        assert_eq!(tok.decode(&ids, false).expect("decodes"), "hello");
    }

    #[test]
    fn control_tokens_parse_only_when_asked() {
        let tok = toy_tokenizer();
        let end = tok.token_id("<|im_end|>").expect("present");
        let parsed = tok.encode("a<|im_end|>", true, false).expect("encodes");
        assert_eq!(parsed.last(), Some(&end));
        let plain = tok.encode("a<|im_end|>", false, false).expect("encodes");
        assert!(
            !plain.contains(&end),
            "user text must not produce control tokens: {plain:?}"
        );
        assert_eq!(tok.decode(&plain, false).expect("decodes"), "a<|im_end|>");
    }

    #[test]
    fn digits_are_split_individually() {
        let tok = toy_tokenizer();
        let ids = tok.encode("2026", true, false).expect("encodes");
        assert_eq!(ids.len(), 4);
    }

    #[test]
    fn malformed_merge_names_its_index() {
        let err =
            tokenizer_json(&["a", "b"], &["a b", "ab"], &[1, 1], "gpt2").expect_err("bad merge");
        assert!(
            err.to_string().contains("tokenizer.ggml.merges[1]"),
            "{err}"
        );
    }
}
