//! Adapters in PEFT's format: `adapter_model.safetensors` with PEFT's tensor names and
//! `adapter_config.json`, so Python PEFT loads ours and we load theirs.
//!
//! Names: `base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight` (`[r, d_in]`) and
//! `….lora_B.weight` (`[d_out, r]`), PyTorch layout. Ours are `A: [d_in, r]`, `B: [r, d_out]`.

use std::path::Path;

use hirelm_model::burn::module::Param;
use hirelm_model::burn::tensor::{Device, Tensor, TensorData};
use hirelm_model::linear::{LowRankAdapter, transpose};
use hirelm_model::llama::LlamaModel;
pub use hirelm_model::weights::Dtype;
use hirelm_model::weights::{SafetensorsWeights, WeightSource, write_safetensors_as};

use crate::attach::projections_mut;
use crate::config::{LoraConfig, PeftAdapterConfig};
use crate::error::{LoraError, Result};

/// File name of the adapter weights.
pub const ADAPTER_WEIGHTS: &str = "adapter_model.safetensors";
/// File name of the adapter config.
pub const ADAPTER_CONFIG: &str = "adapter_config.json";

/// The local directory of a PEFT adapter given as a directory or as `hf://owner/repo`, whose
/// `adapter_config.json` and `adapter_model.safetensors` are fetched into the Hugging Face
/// cache as a base model's files are (`hirelm_model::ModelSource`).
pub fn resolve_adapter(source: &str) -> Result<std::path::PathBuf> {
    let source = hirelm_model::ModelSource::parse(source)?;
    Ok(source.resolve_dir(&[ADAPTER_WEIGHTS, ADAPTER_CONFIG])?)
}

fn peft_name(module: &str, part: &str) -> String {
    format!("base_model.model.{module}.{part}.weight")
}

fn to_vec(t: Tensor<2>, name: &str) -> Result<Vec<f32>> {
    Ok(hirelm_model::weights::f32_values(t.into_data(), name)?)
}

/// Writes the model's adapters and `config` into `dir` (created if needed; each file atomically).
pub fn save_adapter(model: &mut LlamaModel, config: &LoraConfig, dir: &Path) -> Result<usize> {
    save_adapter_as(model, config, dir, Dtype::F32)
}

/// As [`save_adapter`], storing the tensors as `dtype` (`F16` halves a shipped adapter).
pub fn save_adapter_as(
    model: &mut LlamaModel,
    config: &LoraConfig,
    dir: &Path,
    dtype: Dtype,
) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|source| LoraError::Io {
        path: dir.into(),
        source,
    })?;
    let mut tensors = Vec::new();
    for (module, _, linear) in projections_mut(model) {
        let Some(adapter) = &linear.adapter else {
            continue;
        };
        let [d_in, rank] = adapter.a.dims();
        let [_, d_out] = adapter.b.dims();
        let (a_name, b_name) = (peft_name(&module, "lora_A"), peft_name(&module, "lora_B"));
        let a = transpose(&to_vec(adapter.a.val(), &a_name)?, d_in, rank);
        let b = transpose(&to_vec(adapter.b.val(), &b_name)?, rank, d_out);
        tensors.push((a_name, vec![rank, d_in], a));
        tensors.push((b_name, vec![d_out, rank], b));
    }
    write_safetensors_as(&dir.join(ADAPTER_WEIGHTS), &tensors, dtype)?;
    let json = serde_json::to_string_pretty(&PeftAdapterConfig::from_config(config))
        .map_err(|e| LoraError::config("adapter_config.json", e.to_string()))?;
    let path = dir.join(ADAPTER_CONFIG);
    hirelm_core::fs::write_atomic(&path, json.as_bytes())
        .map_err(|source| LoraError::Io { path, source })?;
    Ok(tensors.len() / 2)
}

/// Reads `dir/adapter_config.json` and attaches every adapter of `dir/adapter_model.safetensors`
/// to `model`, strictly: each targeted projection must have both tensors with the right shapes.
pub fn load_adapter(model: &mut LlamaModel, dir: &Path, device: &Device) -> Result<LoraConfig> {
    let config = LoraConfig::from_peft_file(&dir.join(ADAPTER_CONFIG))?;
    let weights = SafetensorsWeights::open(dir.join(ADAPTER_WEIGHTS))?;
    let rank = config.rank;
    for (module, short, linear) in projections_mut(model) {
        if !config.target_modules.iter().any(|m| m == short) {
            continue;
        }
        let [d_in, d_out] = linear.dims();
        let read = |part: &str, expected: [usize; 2]| -> Result<Vec<f32>> {
            let name = peft_name(&module, part);
            if !weights.contains(&name) {
                return Err(LoraError::Tensor {
                    name,
                    reason: "missing from the adapter file".into(),
                });
            }
            let (shape, data) = weights.tensor_f32(&name)?;
            if shape != expected {
                return Err(LoraError::Tensor {
                    name,
                    reason: format!("shape {shape:?}, expected {expected:?}"),
                });
            }
            Ok(data)
        };
        let a = transpose(&read("lora_A", [rank, d_in])?, rank, d_in);
        let b = transpose(&read("lora_B", [d_out, rank])?, d_out, rank);
        linear.adapter = Some(LowRankAdapter {
            a: Param::from_tensor(Tensor::from_data(TensorData::new(a, [d_in, rank]), device)),
            b: Param::from_tensor(Tensor::from_data(TensorData::new(b, [rank, d_out]), device)),
            scale: config.scale(),
        });
    }
    Ok(config)
}
