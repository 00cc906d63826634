//! Llama configuration: the checked runtime struct, and the two file shapes it is read from
//! (HF `config.json` and GGUF `llama.*` metadata).

use std::path::Path;

use serde::Deserialize;

use crate::error::{ModelError, Result};
use crate::gguf::GgufFile;

/// Hyper-parameters of a Llama-architecture decoder, checked for consistency.
#[derive(Debug, Clone, PartialEq)]
pub struct LlamaConfig {
    /// Number of tokens in the vocabulary (rows of the embedding matrix).
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub hidden_size: usize,
    /// Width of the SwiGLU hidden layer.
    pub intermediate_size: usize,
    /// Number of decoder blocks.
    pub num_layers: usize,
    /// Number of query heads.
    pub num_heads: usize,
    /// Number of key/value heads (grouped-query attention when smaller than `num_heads`).
    pub num_kv_heads: usize,
    /// Maximum sequence length the model was trained for.
    pub max_seq_len: usize,
    /// RoPE base frequency (`theta`).
    pub rope_theta: f64,
    /// Epsilon inside RMSNorm.
    pub rms_norm_eps: f64,
    /// Whether the output projection shares the token-embedding matrix.
    pub tie_word_embeddings: bool,
    /// Token id of beginning-of-sequence, if the model has one.
    pub bos_token_id: Option<u32>,
    /// Token id of end-of-sequence, if the model has one.
    pub eos_token_id: Option<u32>,
}

impl LlamaConfig {
    /// SmolLM2-135M(-Instruct): 30 layers, 576 wide, 9 query heads over 3 KV heads, tied embeddings.
    pub fn smollm2_135m() -> Self {
        Self {
            vocab_size: 49152,
            hidden_size: 576,
            intermediate_size: 1536,
            num_layers: 30,
            num_heads: 9,
            num_kv_heads: 3,
            max_seq_len: 8192,
            rope_theta: 100_000.0,
            rms_norm_eps: 1e-5,
            tie_word_embeddings: true,
            bos_token_id: Some(1),
            eos_token_id: Some(2),
        }
    }

    /// A tiny model of the same architecture for tests: random weights, seconds to run.
    pub fn tiny_for_tests() -> Self {
        Self {
            vocab_size: 96,
            hidden_size: 32,
            intermediate_size: 48,
            num_layers: 2,
            num_heads: 4,
            num_kv_heads: 2,
            max_seq_len: 128,
            rope_theta: 10_000.0,
            rms_norm_eps: 1e-5,
            tie_word_embeddings: true,
            bos_token_id: Some(1),
            eos_token_id: Some(2),
        }
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_heads
    }

    /// Checks the relations between the fields that the architecture relies on.
    pub fn validate(&self) -> Result<()> {
        let fail = |msg: String| Err(ModelError::Config(msg));
        if self.num_heads == 0 || self.num_kv_heads == 0 || self.num_layers == 0 {
            return fail("heads, kv heads and layers must be positive".into());
        }
        if !self.hidden_size.is_multiple_of(self.num_heads) {
            return fail(format!(
                "hidden_size {} is not divisible by num_heads {}",
                self.hidden_size, self.num_heads
            ));
        }
        if !self.num_heads.is_multiple_of(self.num_kv_heads) {
            return fail(format!(
                "num_heads {} is not a multiple of num_kv_heads {}",
                self.num_heads, self.num_kv_heads
            ));
        }
        if !self.head_dim().is_multiple_of(2) {
            return fail(format!(
                "head_dim {} must be even for RoPE",
                self.head_dim()
            ));
        }
        if self.vocab_size == 0 || self.intermediate_size == 0 || self.max_seq_len == 0 {
            return fail("vocab_size, intermediate_size and max_seq_len must be positive".into());
        }
        if !(self.rope_theta > 0.0) || !(self.rms_norm_eps > 0.0) {
            return fail("rope_theta and rms_norm_eps must be positive".into());
        }
        Ok(())
    }

    /// Reads the `llama.*` metadata of a GGUF file.
    pub fn from_gguf(file: &GgufFile) -> Result<Self> {
        let arch = file.architecture()?;
        if arch != "llama" {
            let hint = if arch == "gemma3" {
                "; Gemma 3 runs in hirelm-infer's engine only (e.g. `hirelm ask --base FILE --no-adapter`)"
            } else {
                ""
            };
            return Err(ModelError::metadata(
                "general.architecture",
                format!("expected `llama`, found `{arch}`{hint}"),
            ));
        }
        let key = |k: &str| format!("llama.{k}");
        let usize_of = |k: &str| -> Result<usize> { Ok(file.get_u64(&key(k))? as usize) };
        let num_heads = usize_of("attention.head_count")?;
        let vocab_size = match file.get_u64(&key("vocab_size")) {
            Ok(v) => v as usize,
            Err(_) => file.get_str_array("tokenizer.ggml.tokens")?.len(),
        };
        let config = Self {
            vocab_size,
            hidden_size: usize_of("embedding_length")?,
            intermediate_size: usize_of("feed_forward_length")?,
            num_layers: usize_of("block_count")?,
            num_heads,
            num_kv_heads: file
                .get_u64(&key("attention.head_count_kv"))
                .map(|v| v as usize)
                .unwrap_or(num_heads),
            max_seq_len: usize_of("context_length")?,
            rope_theta: file.get_f64(&key("rope.freq_base")).unwrap_or(10_000.0),
            rms_norm_eps: file.get_f64(&key("attention.layer_norm_rms_epsilon"))?,
            tie_word_embeddings: file.tensor("output.weight").is_none(),
            bos_token_id: file
                .get_u64("tokenizer.ggml.bos_token_id")
                .ok()
                .map(|v| v as u32),
            eos_token_id: file
                .get_u64("tokenizer.ggml.eos_token_id")
                .ok()
                .map(|v| v as u32),
        };
        config.validate()?;
        Ok(config)
    }

    /// Reads an HF `config.json`.
    pub fn from_hf_json_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| ModelError::io(path, e))?;
        let file: HfLlamaConfig = serde_json::from_str(&text).map_err(|e| {
            ModelError::metadata(
                path.display().to_string(),
                format!("invalid config.json: {e}"),
            )
        })?;
        file.into_config()
    }
}

/// HF `config.json` of a `LlamaForCausalLM`, shaped like the file.
#[derive(Debug, Clone, Deserialize)]
pub struct HfLlamaConfig {
    /// `vocab_size`.
    pub vocab_size: usize,
    /// `hidden_size`.
    pub hidden_size: usize,
    /// `intermediate_size`.
    pub intermediate_size: usize,
    /// `num_hidden_layers`.
    pub num_hidden_layers: usize,
    /// `num_attention_heads`.
    pub num_attention_heads: usize,
    /// `num_key_value_heads` (defaults to `num_attention_heads`).
    pub num_key_value_heads: Option<usize>,
    /// `max_position_embeddings`.
    #[serde(default = "default_max_positions")]
    pub max_position_embeddings: usize,
    /// `rope_theta`.
    #[serde(default = "default_rope_theta")]
    pub rope_theta: f64,
    /// `rms_norm_eps`.
    #[serde(default = "default_rms_eps")]
    pub rms_norm_eps: f64,
    /// `tie_word_embeddings`.
    #[serde(default)]
    pub tie_word_embeddings: bool,
    /// `bos_token_id`.
    pub bos_token_id: Option<u32>,
    /// `eos_token_id`.
    pub eos_token_id: Option<u32>,
    /// `hidden_act`: only `silu` is supported.
    #[serde(default = "default_act")]
    pub hidden_act: String,
}

fn default_max_positions() -> usize {
    2048
}
fn default_rope_theta() -> f64 {
    10_000.0
}
fn default_rms_eps() -> f64 {
    1e-6
}
fn default_act() -> String {
    "silu".into()
}

impl HfLlamaConfig {
    /// Converts the file struct into the checked runtime config.
    pub fn into_config(self) -> Result<LlamaConfig> {
        if self.hidden_act != "silu" {
            return Err(ModelError::metadata(
                "hidden_act",
                format!("only `silu` is supported, found `{}`", self.hidden_act),
            ));
        }
        let config = LlamaConfig {
            vocab_size: self.vocab_size,
            hidden_size: self.hidden_size,
            intermediate_size: self.intermediate_size,
            num_layers: self.num_hidden_layers,
            num_heads: self.num_attention_heads,
            num_kv_heads: self.num_key_value_heads.unwrap_or(self.num_attention_heads),
            max_seq_len: self.max_position_embeddings,
            rope_theta: self.rope_theta,
            rms_norm_eps: self.rms_norm_eps,
            tie_word_embeddings: self.tie_word_embeddings,
            bos_token_id: self.bos_token_id,
            eos_token_id: self.eos_token_id,
        };
        config.validate()?;
        Ok(config)
    }

    /// The HF file for a runtime config (used when exporting a model).
    pub fn from_config(config: &LlamaConfig) -> serde_json::Value {
        serde_json::json!({
            "architectures": ["LlamaForCausalLM"],
            "model_type": "llama",
            "vocab_size": config.vocab_size,
            "hidden_size": config.hidden_size,
            "intermediate_size": config.intermediate_size,
            "num_hidden_layers": config.num_layers,
            "num_attention_heads": config.num_heads,
            "num_key_value_heads": config.num_kv_heads,
            "max_position_embeddings": config.max_seq_len,
            "rope_theta": config.rope_theta,
            "rms_norm_eps": config.rms_norm_eps,
            "tie_word_embeddings": config.tie_word_embeddings,
            "bos_token_id": config.bos_token_id,
            "eos_token_id": config.eos_token_id,
            "hidden_act": "silu",
            "torch_dtype": "float32",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_is_valid_and_has_64_wide_heads() {
        let c = LlamaConfig::smollm2_135m();
        c.validate().expect("preset must validate");
        assert_eq!(c.head_dim(), 64);
    }

    #[test]
    fn rejects_heads_that_do_not_divide() {
        let mut c = LlamaConfig::tiny_for_tests();
        c.num_kv_heads = 3;
        let err = c
            .validate()
            .expect_err("4 heads over 3 kv heads is invalid");
        assert!(err.to_string().contains("num_kv_heads"), "{err}");
    }

    #[test]
    fn hf_json_round_trips() {
        let c = LlamaConfig::smollm2_135m();
        let json = HfLlamaConfig::from_config(&c);
        let file: HfLlamaConfig = serde_json::from_value(json).expect("parses");
        assert_eq!(file.into_config().expect("valid"), c);
    }

    #[test]
    fn hf_json_rejects_other_activations() {
        let mut json = HfLlamaConfig::from_config(&LlamaConfig::tiny_for_tests());
        json["hidden_act"] = "gelu".into();
        let file: HfLlamaConfig = serde_json::from_value(json).expect("parses");
        let err = file.into_config().expect_err("gelu is not llama");
        assert!(err.to_string().contains("hidden_act"));
    }
}
