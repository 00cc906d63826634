//! The Rust half of `benches/peft_roundtrip.sh` (not CI): proves our adapters and Python PEFT's
//! are interchangeable.
//!
//! `peft_check export BASE.gguf DIR`: writes DIR/base (HF-format base model), DIR/ours (a random
//! adapter in PEFT format) and DIR/ours_logits.json (our logits of base + that adapter).
//! `peft_check load BASE.gguf DIR`: loads PEFT's adapter DIR/theirs onto the base and writes
//! DIR/theirs_logits_hirelm.json.

use std::path::Path;

use hirelm_model::PretrainedLlama;
use hirelm_model::burn::module::Param;
use hirelm_model::burn::tensor::{Device, Int, Tensor, TensorData};
use hirelm_model::llama::HfLlamaConfig;
use hirelm_model::weights::write_safetensors;
use hirelm_train::{LoraConfig, attach_fresh, load_adapter, projections_mut, save_adapter};

/// Fixed token ids inside the vocabulary (the same for both engines).
const IDS: [i64; 12] = [1, 4093, 198, 3602, 1892, 1553, 282, 253, 940, 14154, 30, 2];

fn logits(lm: &PretrainedLlama, device: &Device) -> Vec<f32> {
    let tokens = Tensor::<2, Int>::from_data(TensorData::new(IDS.to_vec(), [1, IDS.len()]), device);
    lm.model
        .forward(tokens, None)
        .into_data()
        .try_into_vec_as::<f32>()
        .unwrap_or_default()
}

fn write_logits(path: &Path, values: &[f32]) -> Result<(), Box<dyn std::error::Error>> {
    let json = serde_json::json!({"ids": IDS, "vocab": values.len() / IDS.len(), "logits": values});
    std::fs::write(path, json.to_string())?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, base, dir] = args.as_slice() else {
        return Err("usage: peft_check export|load BASE.gguf DIR".into());
    };
    let dir = Path::new(dir);
    let device = Device::flex();
    let mut lm = PretrainedLlama::load(base, &device)?;
    match mode.as_str() {
        "export" => {
            let base_dir = dir.join("base");
            std::fs::create_dir_all(&base_dir)?;
            write_safetensors(
                &base_dir.join("model.safetensors"),
                &lm.model.export_tensors()?,
            )?;
            std::fs::write(
                base_dir.join("config.json"),
                HfLlamaConfig::from_config(&lm.model.config).to_string(),
            )?;
            lm.tokenizer
                .inner()
                .save(base_dir.join("tokenizer.json"), false)
                .map_err(|e| e.to_string())?;
            let lora = LoraConfig {
                rank: 8,
                alpha: 16.0,
                base_model: "base".into(),
                ..Default::default()
            };
            attach_fresh(&mut lm.model, &lora, 7, &device)?;
            for (i, (_, _, linear)) in projections_mut(&mut lm.model).into_iter().enumerate() {
                if let Some(adapter) = linear.adapter.as_mut() {
                    let [r, out] = adapter.b.dims();
                    let b: Vec<f32> = (0..r * out)
                        .map(|j| (((i * 7919 + j) % 97) as f32 / 97.0 - 0.5) * 0.02)
                        .collect();
                    adapter.b = Param::from_tensor(Tensor::from_data(
                        TensorData::new(b, [r, out]),
                        &device,
                    ));
                }
            }
            save_adapter(&mut lm.model, &lora, &dir.join("ours"))?;
            write_logits(&dir.join("ours_logits.json"), &logits(&lm, &device))?;
        }
        "load" => {
            load_adapter(&mut lm.model, &dir.join("theirs"), &device)?;
            write_logits(
                &dir.join("theirs_logits_hirelm.json"),
                &logits(&lm, &device),
            )?;
        }
        other => return Err(format!("unknown mode {other}").into()),
    }
    Ok(())
}
