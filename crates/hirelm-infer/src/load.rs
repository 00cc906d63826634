//! Building engine weights from any model source, with LoRA adapters merged in.

use std::path::Path;

use hirelm_model::PretrainedLlama;
use hirelm_model::burn::tensor::Device;
use hirelm_model::tokenizer::TextTokenizer;

use crate::engine::EngineWeights;
use crate::error::Result;
use crate::kernels::WeightFormat;

/// A base model as loaded from disk: the training-model definition (the one copy of the
/// architecture) and its tokenizer. Engine weights are derived from it, one set per adapter.
#[derive(Debug)]
pub struct BaseModel {
    lm: PretrainedLlama,
    device: Device,
}

impl BaseModel {
    /// Loads `source`: a GGUF file, an HF safetensors directory, or `hf://owner/repo[/file]`.
    pub fn load(source: &str) -> Result<Self> {
        let device = Device::flex();
        Ok(Self { lm: PretrainedLlama::load(source, &device)?, device })
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.lm.tokenizer
    }

    /// Engine weights of the base model alone.
    pub fn engine_weights(&self, format: WeightFormat) -> Result<EngineWeights> {
        let model = &self.lm.model;
        EngineWeights::from_tensors(&model.config, model.export_tensors(), format)
    }

    /// Engine weights with the PEFT adapter in `adapter_dir` merged into the projections
    /// (`W + scale·A·B` in hirelm's `[in, out]` layout, scale `alpha/r` or `alpha/√r` with
    /// rsLoRA), so decoding costs nothing extra.
    pub fn engine_weights_with_adapter(&self, adapter_dir: &Path, format: WeightFormat) -> Result<EngineWeights> {
        let mut model = self.lm.model.clone();
        hirelm_lora::load_adapter(&mut model, adapter_dir, &self.device)?;
        hirelm_lora::merge_all(&mut model);
        EngineWeights::from_tensors(&model.config, model.export_tensors(), format)
    }
}
