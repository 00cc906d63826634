//! Adapters attach without changing the model, train only A and B, and survive PEFT save/load
//! and merging.

use hirelm_model::burn::module::Param;
use hirelm_model::burn::tensor::{Device, Int, Tensor, TensorData};
use hirelm_model::llama::{InMemoryWeights, LlamaConfig, LlamaModel, random_weights};
use hirelm_train::{
    LoraConfig, LoraError, attach_fresh, load_adapter, merge_all, projections_mut, save_adapter,
};

const TOKENS: [i64; 8] = [4, 90, 13, 13, 57, 2, 31, 70];

fn base(device: &Device) -> LlamaModel {
    let config = LlamaConfig::tiny_for_tests();
    LlamaModel::load(
        &InMemoryWeights::new(random_weights(&config, 3)),
        config,
        device,
    )
    .expect("loads")
}

fn logits(model: &LlamaModel, device: &Device) -> Vec<f32> {
    let tokens =
        Tensor::<2, Int>::from_data(TensorData::new(TOKENS.to_vec(), [1, TOKENS.len()]), device);
    model
        .forward(tokens, None)
        .into_data()
        .try_into_vec_as::<f32>()
        .expect("f32")
}

fn lora() -> LoraConfig {
    LoraConfig {
        rank: 4,
        alpha: 8.0,
        ..Default::default()
    }
}

/// Gives every B a non-zero value, as training would.
fn perturb_b(model: &mut LlamaModel, device: &Device) {
    for (i, (_, _, linear)) in projections_mut(model).into_iter().enumerate() {
        let adapter = linear.adapter.as_mut().expect("attached");
        let [r, out] = adapter.b.dims();
        let data: Vec<f32> = (0..r * out)
            .map(|j| ((i * 31 + j) as f32 * 0.37).sin() * 0.05)
            .collect();
        adapter.b = Param::from_tensor(Tensor::from_data(TensorData::new(data, [r, out]), device));
    }
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn fresh_adapters_leave_the_model_unchanged() {
    let device = Device::flex();
    let mut model = base(&device);
    let before = logits(&model, &device);
    assert_eq!(
        attach_fresh(&mut model, &lora(), 9, &device).expect("attaches"),
        14
    );
    assert_eq!(
        logits(&model, &device),
        before,
        "step 0 must equal the base model"
    );
}

#[test]
fn only_adapter_weights_receive_gradients() {
    let device = Device::flex().autodiff();
    let mut model = base(&device);
    attach_fresh(&mut model, &lora(), 9, &device).expect("attaches");
    let tokens =
        Tensor::<2, Int>::from_data(TensorData::new(TOKENS.to_vec(), [1, TOKENS.len()]), &device);
    let grads = model.forward(tokens, None).sum().backward();
    let q = &model.layers[0].self_attn.q_proj;
    assert!(
        q.weight.val().grad(&grads).is_none(),
        "the frozen base weight got a gradient"
    );
    assert!(
        model.embed_tokens.val().grad(&grads).is_none(),
        "the embedding got a gradient"
    );
    let adapter = q.adapter.as_ref().expect("attached");
    let grad_b = adapter.b.val().grad(&grads).expect("B must get a gradient");
    let norm: f32 = grad_b
        .abs()
        .sum()
        .into_data()
        .try_into_vec_as::<f32>()
        .expect("f32")[0];
    assert!(norm > 0.0, "B's gradient is zero");
}

#[test]
fn peft_save_and_load_reproduce_the_adapted_model() {
    let device = Device::flex();
    let mut model = base(&device);
    attach_fresh(&mut model, &lora(), 9, &device).expect("attaches");
    perturb_b(&mut model, &device);
    let adapted = logits(&model, &device);
    assert!(
        max_diff(&adapted, &logits(&base(&device), &device)) > 1e-3,
        "the adapter must matter"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        save_adapter(&mut model, &lora(), dir.path()).expect("saves"),
        14
    );
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("adapter_config.json")).expect("written"),
    )
    .expect("json");
    assert_eq!(config["r"], 4);
    assert_eq!(config["peft_type"], "LORA");

    let mut reloaded = base(&device);
    let loaded = load_adapter(&mut reloaded, dir.path(), &device).expect("loads");
    assert_eq!(loaded, lora());
    assert_eq!(logits(&reloaded, &device), adapted);

    assert_eq!(merge_all(&mut reloaded), 14);
    assert!(
        max_diff(&logits(&reloaded, &device), &adapted) < 1e-4,
        "merged model differs"
    );
}

#[test]
fn loading_names_a_missing_or_misshapen_tensor() {
    let device = Device::flex();
    let mut model = base(&device);
    attach_fresh(&mut model, &lora(), 9, &device).expect("attaches");
    let dir = tempfile::tempdir().expect("tempdir");
    save_adapter(&mut model, &lora(), dir.path()).expect("saves");
    // Declare a different rank than the file holds.
    let path = dir.path().join("adapter_config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    config["r"] = 8.into();
    std::fs::write(&path, config.to_string()).expect("write");
    let err = load_adapter(&mut base(&device), dir.path(), &device).expect_err("rank mismatch");
    assert!(
        matches!(&err, LoraError::Tensor { name, .. } if name.ends_with("q_proj.lora_A.weight")),
        "{err}"
    );
    // Ask for a module the file has no tensors for.
    config["r"] = 4.into();
    config["target_modules"] = serde_json::json!(["q_proj", "gate_proj"]);
    std::fs::write(&path, config.to_string()).expect("write");
    let mut only_q = base(&device);
    attach_fresh(
        &mut only_q,
        &LoraConfig {
            target_modules: vec!["q_proj".into()],
            ..lora()
        },
        1,
        &device,
    )
    .expect("attaches");
    let q_only_dir = tempfile::tempdir().expect("tempdir");
    save_adapter(&mut only_q, &lora(), q_only_dir.path()).expect("saves");
    std::fs::copy(&path, q_only_dir.path().join("adapter_config.json")).expect("copy");
    let err = load_adapter(&mut base(&device), q_only_dir.path(), &device)
        .expect_err("gate_proj missing");
    assert!(
        err.to_string().contains("gate_proj.lora_A.weight") && err.to_string().contains("missing"),
        "{err}"
    );
}
