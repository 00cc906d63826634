//! Building engine weights from any model source, with LoRA adapters merged in.

use std::path::Path;

use hirelm_model::PretrainedLlama;
use hirelm_model::burn::tensor::Device;
use hirelm_model::gemma3::{Gemma3Config, load_gemma3_tensors};
use hirelm_model::gguf::GgufFile;
use hirelm_model::source::ModelSource;
use hirelm_model::tokenizer::TextTokenizer;

use crate::engine::EngineWeights;
use crate::error::{InferError, Result};
use crate::kernels::WeightFormat;

/// A base model as loaded from disk, with its tokenizer. Engine weights are derived from it,
/// one set per adapter.
#[derive(Debug)]
pub struct BaseModel {
    tokenizer: TextTokenizer,
    network: Network,
}

// One value per loaded model, so the size difference between the variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Network {
    /// SmolLM2: the training-model definition (the one copy of the architecture).
    Llama { lm: PretrainedLlama, device: Device },
    /// Gemma 3 (inference only): the memory-mapped file, dequantised when weights are built.
    Gemma3 {
        file: GgufFile,
        config: Gemma3Config,
    },
}

impl BaseModel {
    /// Loads `source`: a GGUF file (Llama or Gemma 3), an HF safetensors directory (Llama), or
    /// `hf://owner/repo[/file]`.
    pub fn load(source: &str) -> Result<Self> {
        let path = ModelSource::parse(source)?.resolve()?;
        let device = Device::flex();
        let lm = if path.is_dir() {
            PretrainedLlama::load_safetensors_dir(&path, &device)?
        } else {
            let file = GgufFile::open(&path)?;
            if file.architecture()? == "gemma3" {
                let config = Gemma3Config::from_gguf(&file)?;
                let tokenizer = TextTokenizer::from_gguf(&file)?;
                return Ok(Self {
                    tokenizer,
                    network: Network::Gemma3 { file, config },
                });
            }
            PretrainedLlama::from_gguf(&file, &device)?
        };
        Ok(Self {
            tokenizer: lm.tokenizer.clone(),
            network: Network::Llama { lm, device },
        })
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    /// Engine weights of the base model alone.
    pub fn engine_weights(&self, format: WeightFormat) -> Result<EngineWeights> {
        match &self.network {
            Network::Llama { lm, .. } => {
                EngineWeights::from_tensors(&lm.model.config, lm.model.export_tensors()?, format)
            }
            Network::Gemma3 { file, config } => {
                EngineWeights::from_gemma3(config, load_gemma3_tensors(file, config)?, format)
            }
        }
    }

    /// Engine weights with the PEFT adapter in `adapter_dir` merged into the projections
    /// (`W + scale·A·B` in hirelm's `[in, out]` layout, scale `alpha/r` or `alpha/√r` with
    /// rsLoRA), so decoding costs nothing extra. Adapters exist for the Llama family only.
    pub fn engine_weights_with_adapter(
        &self,
        adapter_dir: &Path,
        format: WeightFormat,
    ) -> Result<EngineWeights> {
        let Network::Llama { lm, device } = &self.network else {
            return Err(InferError::invalid(
                adapter_dir.display().to_string(),
                "LoRA adapters are supported on Llama-architecture (SmolLM2) bases only; this base is Gemma 3",
            ));
        };
        let mut model = lm.model.clone();
        hirelm_train::load_adapter(&mut model, adapter_dir, device)?;
        hirelm_train::merge_all(&mut model);
        EngineWeights::from_tensors(&model.config, model.export_tensors()?, format)
    }
}
