//! LoRA settings: the checked runtime struct and PEFT's `adapter_config.json` file shape.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{LoraError, Result};

/// The projections of a Llama block an adapter can wrap, by their HF/PEFT names.
pub const TARGET_MODULES: [&str; 7] = [
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "gate_proj",
    "up_proj",
    "down_proj",
];

/// Checked LoRA hyper-parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct LoraConfig {
    /// Rank `r` of every adapter.
    pub rank: usize,
    /// `lora_alpha`: the update is scaled by `alpha / r` (or `alpha / sqrt(r)` with rsLoRA).
    pub alpha: f64,
    /// Dropout on the adapter's input during training. Recorded in `adapter_config.json`; training
    /// with dropout is not implemented yet, so [`crate::attach_fresh`] refuses a non-zero value
    /// rather than silently ignoring it (loading for inference accepts any value).
    pub dropout: f64,
    /// Wrapped projections, a subset of [`TARGET_MODULES`].
    pub target_modules: Vec<String>,
    /// rsLoRA scaling (`alpha / sqrt(r)`), stable at high ranks.
    pub use_rslora: bool,
    /// The base model this adapter belongs to (`base_model_name_or_path`).
    pub base_model: String,
}

impl Default for LoraConfig {
    fn default() -> Self {
        Self {
            rank: 16,
            alpha: 32.0,
            dropout: 0.0,
            target_modules: TARGET_MODULES.iter().map(|s| s.to_string()).collect(),
            use_rslora: false,
            base_model: "HuggingFaceTB/SmolLM2-135M-Instruct".into(),
        }
    }
}

impl LoraConfig {
    /// Whether `other` describes adapters of the same shape and scale: rank, alpha, rsLoRA and
    /// the set of wrapped projections (in any order: they are matched by name). Dropout and the
    /// base model's name do not change the weights a run trains.
    pub fn same_shape(&self, other: &LoraConfig) -> bool {
        fn targets(c: &LoraConfig) -> Vec<&str> {
            let mut t: Vec<&str> = c.target_modules.iter().map(String::as_str).collect();
            t.sort_unstable();
            t
        }
        (self.rank, self.alpha, self.use_rslora) == (other.rank, other.alpha, other.use_rslora)
            && targets(self) == targets(other)
    }

    /// The factor applied to `x·A·B`.
    pub fn scale(&self) -> f64 {
        if self.use_rslora {
            self.alpha / (self.rank as f64).sqrt()
        } else {
            self.alpha / self.rank as f64
        }
    }

    /// Checks rank, alpha, dropout and module names.
    pub fn validate(&self) -> Result<()> {
        if self.rank == 0 {
            return Err(LoraError::config("r", "must be at least 1"));
        }
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(LoraError::config(
                "lora_alpha",
                format!("must be positive, got {}", self.alpha),
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(LoraError::config(
                "lora_dropout",
                format!("must be in [0, 1), got {}", self.dropout),
            ));
        }
        if self.target_modules.is_empty() {
            return Err(LoraError::config("target_modules", "is empty"));
        }
        if let Some(bad) = self
            .target_modules
            .iter()
            .find(|m| !TARGET_MODULES.contains(&m.as_str()))
        {
            return Err(LoraError::config(
                "target_modules",
                format!("`{bad}` is not one of {}", TARGET_MODULES.join(", ")),
            ));
        }
        Ok(())
    }

    /// Reads PEFT's `adapter_config.json`.
    pub fn from_peft_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| LoraError::Io {
            path: path.into(),
            source,
        })?;
        let file: PeftAdapterConfig = serde_json::from_str(&text).map_err(|e| {
            LoraError::config(path.display().to_string(), format!("invalid JSON: {e}"))
        })?;
        file.into_config()
    }
}

/// PEFT's `adapter_config.json`, with PEFT's field names.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeftAdapterConfig {
    /// Always `LORA` here.
    pub peft_type: String,
    /// `CAUSAL_LM`.
    #[serde(default)]
    pub task_type: Option<String>,
    /// Rank.
    pub r: usize,
    /// Scaling numerator.
    pub lora_alpha: f64,
    /// Dropout.
    #[serde(default)]
    pub lora_dropout: f64,
    /// Wrapped modules.
    pub target_modules: Vec<String>,
    /// rsLoRA scaling.
    #[serde(default)]
    pub use_rslora: bool,
    /// Base model id or path.
    #[serde(default)]
    pub base_model_name_or_path: Option<String>,
    /// Bias handling: only `none` is supported.
    #[serde(default = "default_bias")]
    pub bias: String,
    /// Whether `lora_B` was initialised to zero (PEFT's `init_lora_weights`).
    #[serde(default = "default_true")]
    pub init_lora_weights: bool,
    /// Whether the adapter is in inference mode.
    #[serde(default = "default_true")]
    pub inference_mode: bool,
    /// `fan_in_fan_out` (GPT-2 style Conv1D): must be false for Llama.
    #[serde(default)]
    pub fan_in_fan_out: bool,
    /// PEFT's other options. Those that change the model ([`UNSUPPORTED_OPTIONS`]) are refused
    /// when set; the rest (`revision`, `megatron_core`, …) describe nothing hirelm computes.
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_json::Value>,
}

/// PEFT options that change what the adapter computes, which hirelm does not implement: a file
/// that sets one is refused rather than loaded as a different model.
pub const UNSUPPORTED_OPTIONS: [&str; 13] = [
    "use_dora",
    "modules_to_save",
    "layers_to_transform",
    "layers_pattern",
    "rank_pattern",
    "alpha_pattern",
    "megatron_config",
    "use_qalora",
    "target_parameters",
    "trainable_token_indices",
    "lora_bias",
    "layer_replication",
    "exclude_modules",
];

/// Whether an option's value asks for something: not null, false, empty or zero-length.
fn is_set(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Bool(true) | Value::Number(_) => true,
    }
}

/// The Hugging Face Hub id of a base model given as a local file or `hf://` source, so that
/// PEFT's `AutoPeftModelForCausalLM` finds it: `hf://owner/repo[/file]` gives `owner/repo`, a
/// SmolLM2-135M-Instruct file or directory (any quantisation) the model it was converted from.
/// Anything else is kept as given.
pub fn hub_model_id(base: &str) -> String {
    if let Some(rest) = base.strip_prefix("hf://") {
        return rest.split('/').take(2).collect::<Vec<_>>().join("/");
    }
    let name = std::path::Path::new(base)
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.starts_with("smollm2-135m-instruct") {
        return "HuggingFaceTB/SmolLM2-135M-Instruct".into();
    }
    base.to_string()
}

fn default_bias() -> String {
    "none".into()
}
fn default_true() -> bool {
    true
}

impl PeftAdapterConfig {
    /// The file for a runtime config.
    pub fn from_config(config: &LoraConfig) -> Self {
        Self {
            peft_type: "LORA".into(),
            task_type: Some("CAUSAL_LM".into()),
            r: config.rank,
            lora_alpha: config.alpha,
            lora_dropout: config.dropout,
            target_modules: config.target_modules.clone(),
            use_rslora: config.use_rslora,
            base_model_name_or_path: Some(hub_model_id(&config.base_model)),
            bias: "none".into(),
            init_lora_weights: true,
            inference_mode: true,
            fan_in_fan_out: false,
            other: Default::default(),
        }
    }

    /// Converts to the checked runtime config.
    pub fn into_config(self) -> Result<LoraConfig> {
        if self.peft_type != "LORA" {
            return Err(LoraError::config(
                "peft_type",
                format!("only LORA is supported, found `{}`", self.peft_type),
            ));
        }
        if self.bias != "none" {
            return Err(LoraError::config(
                "bias",
                format!("only `none` is supported, found `{}`", self.bias),
            ));
        }
        if self.fan_in_fan_out {
            return Err(LoraError::config(
                "fan_in_fan_out",
                "must be false for Llama linear layers",
            ));
        }
        if let Some(option) = UNSUPPORTED_OPTIONS
            .iter()
            .find(|o| self.other.get(**o).is_some_and(is_set))
        {
            return Err(LoraError::config(
                *option,
                format!(
                    "is set ({}), but hirelm implements plain LoRA only; an adapter trained with it would load as a different model",
                    self.other[*option]
                ),
            ));
        }
        let config = LoraConfig {
            rank: self.r,
            alpha: self.lora_alpha,
            dropout: self.lora_dropout,
            target_modules: self.target_modules,
            use_rslora: self.use_rslora,
            base_model: self.base_model_name_or_path.unwrap_or_default(),
        };
        config.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_follows_lora_and_rslora() {
        let mut c = LoraConfig {
            rank: 16,
            alpha: 32.0,
            ..Default::default()
        };
        assert_eq!(c.scale(), 2.0);
        c.use_rslora = true;
        assert_eq!(c.scale(), 8.0);
    }

    #[test]
    fn peft_file_round_trips_and_rejects_unknown_modules() {
        let c = LoraConfig::default();
        let json = serde_json::to_value(PeftAdapterConfig::from_config(&c)).expect("serialises");
        assert_eq!(json["r"], 16);
        assert_eq!(json["lora_alpha"], 32.0);
        let back: PeftAdapterConfig = serde_json::from_value(json.clone()).expect("parses");
        assert_eq!(back.into_config().expect("valid"), c);
        let mut bad = json;
        bad["target_modules"] = serde_json::json!(["q_proj", "lm_head"]);
        let err = serde_json::from_value::<PeftAdapterConfig>(bad)
            .expect("parses")
            .into_config()
            .expect_err("bad");
        assert!(err.to_string().contains("lm_head"), "{err}");
    }

    #[test]
    fn options_that_change_the_model_are_refused_and_defaults_are_not() {
        let mut json = serde_json::to_value(PeftAdapterConfig::from_config(&LoraConfig::default()))
            .expect("serialises");
        // What PEFT writes for a plain LoRA adapter loads.
        json["use_dora"] = serde_json::json!(false);
        json["modules_to_save"] = serde_json::Value::Null;
        json["rank_pattern"] = serde_json::json!({});
        json["megatron_core"] = serde_json::json!("megatron.core");
        json["revision"] = serde_json::json!("main");
        let parse = |v: &serde_json::Value| {
            serde_json::from_value::<PeftAdapterConfig>(v.clone())
                .expect("parses")
                .into_config()
        };
        parse(&json).expect("plain LoRA");
        for (option, value) in [
            ("use_dora", serde_json::json!(true)),
            ("modules_to_save", serde_json::json!(["lm_head"])),
            ("rank_pattern", serde_json::json!({"q_proj": 8})),
        ] {
            let mut set = json.clone();
            set[option] = value;
            let err = parse(&set).expect_err(option).to_string();
            assert!(err.contains(option) && err.contains("plain LoRA"), "{err}");
        }
    }

    #[test]
    fn a_local_smollm2_base_is_named_by_its_hub_id() {
        for base in [
            "models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf",
            "models/smollm2-135m-instruct",
            "hf://HuggingFaceTB/SmolLM2-135M-Instruct/model.safetensors",
        ] {
            assert_eq!(
                hub_model_id(base),
                "HuggingFaceTB/SmolLM2-135M-Instruct",
                "{base}"
            );
        }
        assert_eq!(hub_model_id("runs/my-base"), "runs/my-base");
        let file = PeftAdapterConfig::from_config(&LoraConfig {
            base_model: "models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf".into(),
            ..LoraConfig::default()
        });
        assert_eq!(
            file.base_model_name_or_path.as_deref(),
            Some("HuggingFaceTB/SmolLM2-135M-Instruct")
        );
    }
}
