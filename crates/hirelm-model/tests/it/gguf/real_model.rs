//! The real SmolLM2-135M-Instruct Q4_1 file: opens, has the expected metadata, and every tensor
//! dequantises to finite values of the right count.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use hirelm_model::ModelError;
use hirelm_model::gguf::{GgmlType, GgufFile};

fn smollm2_path() -> PathBuf {
    crate::common::smollm2_gguf()
}

#[test]
fn smollm2_q4_1_opens_and_dequantises() -> Result<(), ModelError> {
    let file = GgufFile::open(&smollm2_path())?;
    assert_eq!(file.architecture()?, "llama");
    assert!(matches!(file.version, 2 | 3), "version {}", file.version);
    assert_eq!(file.get_u64("llama.block_count")?, 30);
    assert_eq!(file.get_u64("llama.embedding_length")?, 576);
    assert_eq!(file.get_u64("llama.attention.head_count")?, 9);
    assert_eq!(file.get_u64("llama.attention.head_count_kv")?, 3);
    assert_eq!(file.get_str_array("tokenizer.ggml.tokens")?.len(), 49152);
    assert!(file.get_f64("llama.attention.layer_norm_rms_epsilon")? > 0.0);
    assert!(
        (250..=300).contains(&file.tensors.len()),
        "{} tensors",
        file.tensors.len()
    );

    let embd = file
        .tensor("token_embd.weight")
        .ok_or(ModelError::MissingTensor {
            name: "token_embd.weight".into(),
        })?;
    assert_eq!(embd.shape(), vec![49152, 576]);

    let mut histogram: BTreeMap<&str, usize> = BTreeMap::new();
    let mut elements = 0usize;
    let start = Instant::now();
    for t in &file.tensors {
        *histogram.entry(t.ggml_type.name()).or_default() += 1;
        let values = file.dequantize(&t.name)?;
        assert_eq!(values.len(), t.n_elements(), "{}", t.name);
        assert_eq!(
            values.len(),
            t.shape().iter().product::<usize>(),
            "{}",
            t.name
        );
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            panic!("{} ({}): element {i} is {}", t.name, t.ggml_type, values[i]);
        }
        elements += values.len();
    }
    let elapsed = start.elapsed();
    // Norm weights are F32 in every llama.cpp conversion; the matrices are quantised.
    assert_eq!(
        file.tensor("output_norm.weight").map(|t| t.ggml_type),
        Some(GgmlType::F32)
    );
    assert!(
        histogram.get("Q4_1").copied().unwrap_or(0) > 100,
        "{histogram:?}"
    );
    eprintln!(
        "SmolLM2 Q4_1: {} tensors, {elements} elements dequantised in {elapsed:.2?}; types {histogram:?}",
        file.tensors.len()
    );
    Ok(())
}
