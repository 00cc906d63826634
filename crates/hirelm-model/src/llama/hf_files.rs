//! The files an HF model directory needs beside its weights, config and `tokenizer.json`, so
//! that `transformers` (and PEFT on top of it) load an exported model with its chat template
//! and stop tokens: `tokenizer_config.json` and `generation_config.json`, built from a GGUF
//! file's tokenizer metadata.

use serde_json::{Map, Value, json};

use crate::Result;
use crate::gguf::GgufFile;

/// `tokenizer_config.json` and `generation_config.json` of a GGUF file's model.
#[derive(Debug, Clone, PartialEq)]
pub struct HfSideFiles {
    /// Special tokens by text, the chat template and the context length.
    pub tokenizer_config: Value,
    /// Special tokens by id, as `generate` reads them.
    pub generation_config: Value,
}

/// Reads the special tokens and the chat template from `file`'s `tokenizer.*` metadata.
/// Fails, naming the key, when the token list or the BOS/EOS ids are missing.
pub fn hf_side_files(file: &GgufFile) -> Result<HfSideFiles> {
    let tokens = file.get_str_array("tokenizer.ggml.tokens")?;
    let token = |key: &str| -> Result<Option<(u64, String)>> {
        let Some(id) = file.get(key).and_then(|v| v.as_u64()) else {
            return Ok(None);
        };
        let text = tokens
            .get(id as usize)
            .ok_or_else(|| crate::ModelError::Metadata {
                key: key.to_string(),
                reason: format!("token id {id} is beyond the {} tokens", tokens.len()),
            })?;
        Ok(Some((id, (*text).to_string())))
    };
    let bos = token("tokenizer.ggml.bos_token_id")?;
    let eos = token("tokenizer.ggml.eos_token_id")?;
    let (Some(bos), Some(eos)) = (bos, eos) else {
        return Err(crate::ModelError::Metadata {
            key: "tokenizer.ggml.bos_token_id / eos_token_id".into(),
            reason: "missing: the exported model would not know where an answer ends".into(),
        });
    };
    let pad = token("tokenizer.ggml.padding_token_id")?;
    let unk = token("tokenizer.ggml.unknown_token_id")?;
    let architecture = file.architecture()?;
    let context = file
        .get(&format!("{architecture}.context_length"))
        .and_then(|v| v.as_u64());

    let mut tokenizer = Map::new();
    tokenizer.insert("tokenizer_class".into(), json!("GPT2Tokenizer"));
    tokenizer.insert("bos_token".into(), json!(bos.1));
    tokenizer.insert("eos_token".into(), json!(eos.1));
    if let Some((_, text)) = &pad {
        tokenizer.insert("pad_token".into(), json!(text));
    }
    if let Some((_, text)) = &unk {
        tokenizer.insert("unk_token".into(), json!(text));
    }
    if let Some(template) = file.get("tokenizer.chat_template").and_then(|v| v.as_str()) {
        tokenizer.insert("chat_template".into(), json!(template));
    }
    if let Some(context) = context {
        tokenizer.insert("model_max_length".into(), json!(context));
    }
    // The byte-level BPE of `tokenizer.json` already handles spaces: no prefix space, and no
    // clean-up that would change decoded text.
    tokenizer.insert("add_prefix_space".into(), json!(false));
    tokenizer.insert("clean_up_tokenization_spaces".into(), json!(false));

    let mut generation = Map::new();
    generation.insert("bos_token_id".into(), json!(bos.0));
    generation.insert("eos_token_id".into(), json!(eos.0));
    if let Some((id, _)) = pad {
        generation.insert("pad_token_id".into(), json!(id));
    }
    Ok(HfSideFiles {
        tokenizer_config: Value::Object(tokenizer),
        generation_config: Value::Object(generation),
    })
}
