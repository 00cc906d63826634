//! Tiny random models of the SmolLM2 architecture, made by the tests themselves.

use hirelm_model::burn::tensor::{Device, Int, Tensor, TensorData};
use hirelm_model::gguf::GgufFile;
use hirelm_model::llama::{
    GgufExportType, InMemoryWeights, LlamaConfig, LlamaModel, llama_gguf_writer, random_weights,
};
use hirelm_model::source::{SMOLLM2_GGUF, fetched_model};

/// A tiny Llama whose widths are multiples of 32, so the Q8_0 path runs too.
pub fn tiny_config() -> LlamaConfig {
    LlamaConfig {
        vocab_size: 300,
        hidden_size: 64,
        intermediate_size: 96,
        num_layers: 2,
        num_heads: 4,
        num_kv_heads: 2,
        max_seq_len: 256,
        ..LlamaConfig::tiny_for_tests()
    }
}

/// Random weights for `config` (HF names, PyTorch layout).
pub fn tiny_weights(config: &LlamaConfig, seed: u64) -> Vec<hirelm_model::weights::NamedTensor> {
    random_weights(config, seed)
}

/// The training model (burn) over the same weights.
pub fn burn_model(
    config: &LlamaConfig,
    weights: &[hirelm_model::weights::NamedTensor],
) -> LlamaModel {
    LlamaModel::load(
        &InMemoryWeights::new(weights.to_vec()),
        config.clone(),
        &Device::flex(),
    )
    .expect("load tiny model")
}

/// Logits of every position, `[T, vocab]` row-major, from the burn model.
pub fn burn_logits(model: &LlamaModel, ids: &[u32]) -> Vec<f32> {
    let ids: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
    let tokens = Tensor::<2, Int>::from_data(
        TensorData::new(ids.clone(), [1, ids.len()]),
        &Device::flex(),
    );
    model
        .forward(tokens, None)
        .into_data()
        .try_into_vec_as::<f32>()
        .expect("f32 logits")
}

/// Largest absolute difference.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Index of the largest value.
pub fn argmax(x: &[f32]) -> usize {
    x.iter()
        .enumerate()
        .fold(0, |best, (i, v)| if *v > x[best] { i } else { best })
}

/// A 2-layer random model with the real tokenizer, written as GGUF; `None` (with a note) when
/// the real model has not been fetched.
pub fn tiny_model_with_real_tokenizer(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let Ok(real) = fetched_model(SMOLLM2_GGUF) else {
        eprintln!("skipped: run scripts/fetch-models.sh for the real tokenizer");
        return None;
    };
    let real = GgufFile::open(&real).expect("open real GGUF");
    let config = LlamaConfig {
        vocab_size: 49152,
        hidden_size: 64,
        intermediate_size: 128,
        num_layers: 2,
        num_heads: 4,
        num_kv_heads: 2,
        max_seq_len: 2048,
        ..LlamaConfig::smollm2_135m()
    };
    let mut writer = llama_gguf_writer(&config, &random_weights(&config, 11), GgufExportType::F32)
        .expect("writer");
    for (key, value) in &real.metadata {
        if key.starts_with("tokenizer.") {
            writer.add_metadata(key.clone(), value.clone());
        }
    }
    let path = dir.join("tiny-real-tokenizer.gguf");
    writer.write(&path).expect("write tiny GGUF");
    Some(path)
}
