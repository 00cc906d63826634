//! A tiny random Llama written by the test itself to GGUF and safetensors: both load to the same
//! model, the KV cache changes nothing, and loading is strict.

use hirelm_model::ModelError;
use hirelm_model::burn::tensor::{Device, Int, Tensor, TensorData};
use hirelm_model::gguf::GgufFile;
use hirelm_model::llama::{
    GgufExportType, GgufLlamaWeights, InMemoryWeights, LlamaConfig, LlamaModel, random_weights,
    write_llama_gguf,
};
use hirelm_model::weights::{SafetensorsWeights, write_safetensors};

const TOKENS: [i64; 12] = [5, 17, 3, 88, 42, 42, 0, 63, 9, 1, 95, 30];

fn logits(model: &LlamaModel, ids: &[i64], device: &Device) -> Vec<f32> {
    let tokens = Tensor::<2, Int>::from_data(TensorData::new(ids.to_vec(), [1, ids.len()]), device);
    model
        .forward(tokens, None)
        .into_data()
        .try_into_vec_as::<f32>()
        .expect("f32 logits")
}

fn tiny() -> (LlamaConfig, Vec<hirelm_model::weights::NamedTensor>) {
    let config = LlamaConfig::tiny_for_tests();
    let weights = random_weights(&config, 7);
    (config, weights)
}

#[test]
fn gguf_and_safetensors_load_identically() {
    let device = Device::flex();
    let (config, weights) = tiny();
    let dir = tempfile::tempdir().expect("tempdir");
    let gguf_path = dir.path().join("tiny.gguf");
    let st_path = dir.path().join("model.safetensors");
    write_llama_gguf(&gguf_path, &config, &weights, GgufExportType::F32).expect("write gguf");
    write_safetensors(&st_path, &weights).expect("write safetensors");

    let file = GgufFile::open(&gguf_path).expect("open gguf");
    let gguf_config = LlamaConfig::from_gguf(&file).expect("config from metadata");
    assert_eq!(gguf_config.num_kv_heads, config.num_kv_heads);
    let from_gguf = LlamaModel::load(
        &GgufLlamaWeights::new(&file, config.num_heads, config.num_kv_heads),
        gguf_config,
        &device,
    )
    .expect("load gguf");
    let st = SafetensorsWeights::open(&st_path).expect("open safetensors");
    let from_st = LlamaModel::load(&st, config, &device).expect("load safetensors");

    let a = logits(&from_gguf, &TOKENS, &device);
    let b = logits(&from_st, &TOKENS, &device);
    assert_eq!(a.len(), TOKENS.len() * 96);
    assert_eq!(
        a, b,
        "GGUF and safetensors copies of one model must give identical logits"
    );
    assert!(a.iter().all(|v| v.is_finite()));
}

#[test]
fn q_and_k_permutation_matters() {
    // Loading the GGUF copy without undoing llama.cpp's row permutation must change the
    // output: otherwise the golden test could not catch a wrong permutation.
    let device = Device::flex();
    let (config, weights) = tiny();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tiny.gguf");
    write_llama_gguf(&path, &config, &weights, GgufExportType::F32).expect("write");
    let file = GgufFile::open(&path).expect("open");
    // One "head" for the unpermute makes it a different permutation than the writer's.
    let wrong = GgufLlamaWeights::new(&file, 1, 1);
    let bad = LlamaModel::load(&wrong, config.clone(), &device).expect("loads");
    let good = LlamaModel::load(&InMemoryWeights::new(weights), config, &device).expect("loads");
    assert_ne!(
        logits(&bad, &TOKENS, &device),
        logits(&good, &TOKENS, &device)
    );
}

#[test]
fn kv_cache_matches_full_forward() {
    let device = Device::flex();
    let (config, weights) = tiny();
    let model =
        LlamaModel::load(&InMemoryWeights::new(weights), config.clone(), &device).expect("load");
    let full = logits(&model, &TOKENS, &device);
    let vocab = config.vocab_size;
    let mut cache = model.new_cache();
    // A 5-token prefill, then one token at a time.
    let mut incremental = Vec::new();
    let prefill =
        Tensor::<2, Int>::from_data(TensorData::new(TOKENS[..5].to_vec(), [1, 5]), &device);
    incremental.extend(
        model
            .forward(prefill, Some(&mut cache))
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32"),
    );
    for &t in &TOKENS[5..] {
        let step = Tensor::<2, Int>::from_data(TensorData::new(vec![t], [1, 1]), &device);
        incremental.extend(
            model
                .forward(step, Some(&mut cache))
                .into_data()
                .try_into_vec_as::<f32>()
                .expect("f32"),
        );
    }
    assert_eq!(cache.seq_len(), TOKENS.len());
    let worst = full
        .iter()
        .zip(&incremental)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst < 1e-4,
        "cached decode differs from the full forward by {worst}"
    );
    // forward_last agrees with the last row of the full forward.
    let last = model
        .forward_last(
            Tensor::<2, Int>::from_data(
                TensorData::new(TOKENS.to_vec(), [1, TOKENS.len()]),
                &device,
            ),
            None,
        )
        .into_data()
        .try_into_vec_as::<f32>()
        .expect("f32");
    assert_eq!(last.len(), vocab);
    let worst = last
        .iter()
        .zip(&full[full.len() - vocab..])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-5, "{worst}");
}

#[test]
fn causal_mask_hides_the_future() {
    let device = Device::flex();
    let (config, weights) = tiny();
    let model =
        LlamaModel::load(&InMemoryWeights::new(weights), config.clone(), &device).expect("load");
    let mut other = TOKENS;
    other[8] = 77; // change a later token
    let (a, b) = (
        logits(&model, &TOKENS, &device),
        logits(&model, &other, &device),
    );
    let v = config.vocab_size;
    assert_eq!(
        a[..8 * v],
        b[..8 * v],
        "positions before the change must not see it"
    );
    assert_ne!(a[8 * v..9 * v], b[8 * v..9 * v]);
}

#[test]
fn loading_is_strict_and_names_the_tensor() {
    let device = Device::flex();
    let (config, weights) = tiny();
    let missing: Vec<_> = weights
        .iter()
        .filter(|(n, _, _)| n != "model.layers.1.mlp.up_proj.weight")
        .cloned()
        .collect();
    let err = LlamaModel::load(&InMemoryWeights::new(missing), config.clone(), &device)
        .expect_err("missing");
    assert!(
        matches!(&err, ModelError::MissingTensor { name } if name == "model.layers.1.mlp.up_proj.weight"),
        "{err}"
    );
    let mut reshaped = weights.clone();
    let entry = reshaped
        .iter_mut()
        .find(|(n, _, _)| n == "model.layers.0.self_attn.k_proj.weight")
        .expect("present");
    entry.1 = vec![entry.1[1], entry.1[0]];
    let err =
        LlamaModel::load(&InMemoryWeights::new(reshaped), config, &device).expect_err("bad shape");
    assert!(
        err.to_string()
            .contains("model.layers.0.self_attn.k_proj.weight"),
        "{err}"
    );
}

#[test]
fn export_round_trips_every_tensor() {
    let device = Device::flex();
    let (config, weights) = tiny();
    let model =
        LlamaModel::load(&InMemoryWeights::new(weights.clone()), config, &device).expect("load");
    let mut exported = model.export_tensors().expect("f32 tensors");
    let mut expected = weights;
    exported.sort_by(|a, b| a.0.cmp(&b.0));
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(exported, expected);
}
