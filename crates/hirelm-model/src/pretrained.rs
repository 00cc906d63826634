//! Loading a ready-to-run causal LM (weights, config, tokenizer) from any [`ModelSource`].

use std::path::Path;

use burn::tensor::Device;

use crate::error::{ModelError, Result};
use crate::gguf::GgufFile;
use crate::llama::{GgufLlamaWeights, LlamaConfig, LlamaModel};
use crate::source::ModelSource;
use crate::tokenizer::TextTokenizer;
use crate::weights::SafetensorsWeights;

/// A causal LM with its tokenizer, as loaded from disk.
#[derive(Debug)]
pub struct PretrainedLlama {
    /// The network.
    pub model: LlamaModel,
    /// Its tokenizer.
    pub tokenizer: TextTokenizer,
}

impl PretrainedLlama {
    /// Loads `source` (`path.gguf`, a safetensors directory, or `hf://owner/repo[/file]`).
    pub fn load(source: &str, device: &Device) -> Result<Self> {
        let path = ModelSource::parse(source)?.resolve()?;
        if path.is_dir() {
            Self::load_safetensors_dir(&path, device)
        } else {
            Self::load_gguf(&path, device)
        }
    }

    /// Loads a GGUF file: config and tokenizer from its metadata, weights dequantised to f32.
    pub fn load_gguf(path: &Path, device: &Device) -> Result<Self> {
        Self::from_gguf(&GgufFile::open(path)?, device)
    }

    /// [`load_gguf`](Self::load_gguf) on a file already open (e.g. to check its architecture).
    pub fn from_gguf(file: &GgufFile, device: &Device) -> Result<Self> {
        let config = LlamaConfig::from_gguf(file)?;
        let tokenizer = TextTokenizer::from_gguf(file)?;
        let weights = GgufLlamaWeights::new(file, config.num_heads, config.num_kv_heads);
        let model = LlamaModel::load(&weights, config, device)?;
        Ok(Self { model, tokenizer })
    }

    /// Loads an HF-format directory: `config.json`, `tokenizer.json` and `*.safetensors`.
    pub fn load_safetensors_dir(dir: &Path, device: &Device) -> Result<Self> {
        let config = LlamaConfig::from_hf_json_file(&dir.join("config.json"))?;
        let mut shards: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| ModelError::io(dir, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "safetensors"))
            .collect();
        shards.sort();
        if shards.is_empty() {
            return Err(ModelError::Source {
                source_name: dir.display().to_string(),
                reason: "no *.safetensors file in the directory".into(),
            });
        }
        let weights = SafetensorsWeights::open_all(&shards)?;
        let mut tokenizer = TextTokenizer::from_file(&dir.join("tokenizer.json"), false)?;
        tokenizer.bos_id = config.bos_token_id.or(tokenizer.bos_id);
        tokenizer.eos_id = config.eos_token_id.or(tokenizer.eos_id);
        let model = LlamaModel::load(&weights, config, device)?;
        Ok(Self { model, tokenizer })
    }
}
