//! BERT hyper-parameters: the file-shaped HF `config.json` struct and the checked runtime config.

use std::path::Path;

use serde::Deserialize;

use crate::{ModelError, Result};

/// The feed-forward activation, from HF's `hidden_act`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BertActivation {
    /// Exact GELU, `x * Φ(x)` with the error function (HF `"gelu"`).
    Gelu,
    /// The tanh approximation of GELU (HF `"gelu_new"`, `"gelu_pytorch_tanh"`).
    GeluTanh,
}

impl BertActivation {
    /// Parses HF's `hidden_act` string.
    pub fn from_hf(name: &str) -> Result<Self> {
        match name {
            "gelu" => Ok(Self::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" => Ok(Self::GeluTanh),
            other => Err(ModelError::metadata(
                "hidden_act",
                format!(
                    "unsupported activation `{other}` (expected gelu, gelu_new or gelu_pytorch_tanh)"
                ),
            )),
        }
    }
}

/// Checked runtime configuration of a BERT encoder (post-LayerNorm, absolute positions).
///
/// Build it from a preset ([`BertConfig::all_minilm_l6_v2`]), from an HF `config.json`
/// ([`BertConfig::from_hf_file`]) or field by field; [`BertConfig::validate`] is called by
/// [`BertConfig::init`] and [`BertModel::load`](super::BertModel::load).
#[derive(Debug, Clone, PartialEq)]
pub struct BertConfig {
    /// Number of rows of the word-embedding table.
    pub vocab_size: usize,
    /// Width of the residual stream (`d_model`).
    pub hidden_size: usize,
    /// Number of encoder layers.
    pub num_layers: usize,
    /// Number of attention heads; must divide `hidden_size`.
    pub num_heads: usize,
    /// Width of the feed-forward hidden layer.
    pub intermediate_size: usize,
    /// Number of learned absolute positions: the longest sequence the model accepts.
    pub max_position_embeddings: usize,
    /// Number of token types (segments), usually 2.
    pub type_vocab_size: usize,
    /// Epsilon of every LayerNorm.
    pub layer_norm_eps: f64,
    /// Feed-forward activation.
    pub activation: BertActivation,
}

impl BertConfig {
    /// The configuration of `sentence-transformers/all-MiniLM-L6-v2`
    /// (6 layers, 384 wide, 12 heads, 30522-token uncased WordPiece vocabulary).
    pub fn all_minilm_l6_v2() -> Self {
        Self {
            vocab_size: 30522,
            hidden_size: 384,
            num_layers: 6,
            num_heads: 12,
            intermediate_size: 1536,
            max_position_embeddings: 512,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            activation: BertActivation::Gelu,
        }
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_heads.max(1)
    }

    /// Checks that the sizes are non-zero and consistent.
    pub fn validate(&self) -> Result<()> {
        let sizes = [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_hidden_layers", self.num_layers),
            ("num_attention_heads", self.num_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("type_vocab_size", self.type_vocab_size),
        ];
        if let Some((name, _)) = sizes.iter().find(|(_, v)| *v == 0) {
            return Err(ModelError::Config(format!("{name} must be positive")));
        }
        if !self.hidden_size.is_multiple_of(self.num_heads) {
            return Err(ModelError::Config(format!(
                "num_attention_heads ({}) does not divide hidden_size ({})",
                self.num_heads, self.hidden_size
            )));
        }
        if !(self.layer_norm_eps.is_finite() && self.layer_norm_eps > 0.0) {
            return Err(ModelError::Config(format!(
                "layer_norm_eps must be a positive number, got {}",
                self.layer_norm_eps
            )));
        }
        Ok(())
    }

    /// Reads and checks an HF `config.json`.
    pub fn from_hf_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| ModelError::io(path, e))?;
        Self::from_hf_json(&text).map_err(|e| match e {
            ModelError::Metadata { key, reason } => {
                ModelError::metadata(key, format!("{reason} (in {})", path.display()))
            }
            other => other,
        })
    }

    /// Parses and checks the text of an HF `config.json`.
    pub fn from_hf_json(text: &str) -> Result<Self> {
        let file: HfBertConfig = serde_json::from_str(text)
            .map_err(|e| ModelError::metadata("config.json", e.to_string()))?;
        file.into_config()
    }
}

/// The fields of an HF BERT `config.json` that the encoder uses, named as in the file.
///
/// Unknown fields (dropout rates, `architectures`, ...) are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct HfBertConfig {
    /// `model_type`, `"bert"` when present.
    #[serde(default)]
    pub model_type: Option<String>,
    /// Vocabulary size.
    pub vocab_size: usize,
    /// Hidden width.
    pub hidden_size: usize,
    /// Number of layers.
    pub num_hidden_layers: usize,
    /// Number of attention heads.
    pub num_attention_heads: usize,
    /// Feed-forward width.
    pub intermediate_size: usize,
    /// Number of positions.
    pub max_position_embeddings: usize,
    /// Number of token types.
    #[serde(default = "default_type_vocab_size")]
    pub type_vocab_size: usize,
    /// LayerNorm epsilon.
    #[serde(default = "default_layer_norm_eps")]
    pub layer_norm_eps: f64,
    /// Activation name.
    #[serde(default = "default_hidden_act")]
    pub hidden_act: String,
    /// Position embedding kind; only `"absolute"` is supported.
    #[serde(default)]
    pub position_embedding_type: Option<String>,
}

fn default_type_vocab_size() -> usize {
    2
}
fn default_layer_norm_eps() -> f64 {
    1e-12
}
fn default_hidden_act() -> String {
    "gelu".to_owned()
}

impl HfBertConfig {
    /// Converts the file struct into a checked [`BertConfig`].
    pub fn into_config(self) -> Result<BertConfig> {
        if let Some(kind) = self.model_type.as_deref()
            && kind != "bert"
        {
            return Err(ModelError::metadata(
                "model_type",
                format!("expected \"bert\", got \"{kind}\""),
            ));
        }
        if let Some(kind) = self.position_embedding_type.as_deref()
            && kind != "absolute"
        {
            return Err(ModelError::metadata(
                "position_embedding_type",
                format!("only \"absolute\" is supported, got \"{kind}\""),
            ));
        }
        let config = BertConfig {
            vocab_size: self.vocab_size,
            hidden_size: self.hidden_size,
            num_layers: self.num_hidden_layers,
            num_heads: self.num_attention_heads,
            intermediate_size: self.intermediate_size,
            max_position_embeddings: self.max_position_embeddings,
            type_vocab_size: self.type_vocab_size,
            layer_norm_eps: self.layer_norm_eps,
            activation: BertActivation::from_hf(&self.hidden_act)?,
        };
        config.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINILM_CONFIG: &str = r#"{
      "_name_or_path": "nreimers/MiniLM-L6-H384-uncased",
      "architectures": ["BertModel"],
      "attention_probs_dropout_prob": 0.1,
      "hidden_act": "gelu",
      "hidden_dropout_prob": 0.1,
      "hidden_size": 384,
      "initializer_range": 0.02,
      "intermediate_size": 1536,
      "layer_norm_eps": 1e-12,
      "max_position_embeddings": 512,
      "model_type": "bert",
      "num_attention_heads": 12,
      "num_hidden_layers": 6,
      "pad_token_id": 0,
      "position_embedding_type": "absolute",
      "transformers_version": "4.8.2",
      "type_vocab_size": 2,
      "use_cache": true,
      "vocab_size": 30522
    }"#;

    #[test]
    fn minilm_config_json_matches_preset() {
        let config = BertConfig::from_hf_json(MINILM_CONFIG).expect("valid config");
        assert_eq!(config, BertConfig::all_minilm_l6_v2());
        assert_eq!(config.head_dim(), 32);
    }

    #[test]
    fn heads_must_divide_hidden() {
        let text =
            MINILM_CONFIG.replace("\"num_attention_heads\": 12", "\"num_attention_heads\": 5");
        let err = BertConfig::from_hf_json(&text).expect_err("5 does not divide 384");
        assert!(
            matches!(err, ModelError::Config(ref m) if m.contains("does not divide")),
            "{err}"
        );
    }

    #[test]
    fn unsupported_activation_names_the_key() {
        let text = MINILM_CONFIG.replace("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"relu\"");
        let err = BertConfig::from_hf_json(&text).expect_err("relu unsupported");
        assert!(
            matches!(err, ModelError::Metadata { ref key, .. } if key == "hidden_act"),
            "{err}"
        );
    }

    #[test]
    fn relative_positions_are_rejected() {
        let text = MINILM_CONFIG.replace("\"absolute\"", "\"relative_key\"");
        let err = BertConfig::from_hf_json(&text).expect_err("relative positions unsupported");
        assert!(
            matches!(err, ModelError::Metadata { ref key, .. } if key == "position_embedding_type"),
            "{err}"
        );
    }

    #[test]
    fn missing_field_is_an_error() {
        let text = MINILM_CONFIG.replace("\"hidden_size\": 384,", "");
        let err = BertConfig::from_hf_json(&text).expect_err("hidden_size missing");
        assert!(err.to_string().contains("hidden_size"), "{err}");
    }

    #[test]
    fn zero_layers_rejected() {
        let config = BertConfig {
            num_layers: 0,
            ..BertConfig::all_minilm_l6_v2()
        };
        assert!(config.validate().is_err());
    }
}
