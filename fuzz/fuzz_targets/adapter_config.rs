//! PEFT adapters and HF model configs from outside: `adapter_config.json` parsing
//! (`LoraConfig::from_peft_file`), a whole `load_adapter` (config + safetensors) onto a tiny
//! Llama, and `LlamaConfig::from_hf_json_file` for `config.json`.
//!
//! Input: two little-endian bytes giving the length of the JSON part, the JSON, then the
//! `adapter_model.safetensors` bytes.
#![no_main]

use std::cell::RefCell;

use hirelm_model::burn::tensor::Device;
use hirelm_model::llama::{InMemoryWeights, LlamaConfig, LlamaModel, random_weights};
use hirelm_train::{ADAPTER_CONFIG, ADAPTER_WEIGHTS, LoraConfig, detach_all, load_adapter};
use libfuzzer_sys::fuzz_target;

thread_local! {
    static MODEL: RefCell<(LlamaModel, Device)> = RefCell::new({
        let device = Device::flex();
        let config = LlamaConfig::tiny_for_tests();
        let weights = InMemoryWeights::new(random_weights(&config, 1));
        (LlamaModel::load(&weights, config, &device).expect("tiny model loads"), device)
    });
}

fuzz_target!(|data: &[u8]| {
    let (json, weights) = hirelm_fuzz::split2(data);
    let dir = hirelm_fuzz::scratch_dir();
    let config_path = hirelm_fuzz::scratch_file(ADAPTER_CONFIG, json);
    if let Ok(config) = LoraConfig::from_peft_file(&config_path) {
        config.validate().expect("a loaded config is valid");
        let scale = config.scale();
        assert!(
            scale.is_finite() || !config.alpha.is_finite(),
            "scale {scale} for {config:?}"
        );
    }
    let hf_path = hirelm_fuzz::scratch_file("config.json", json);
    if let Ok(config) = LlamaConfig::from_hf_json_file(&hf_path) {
        let _ = config.head_dim();
    }
    hirelm_fuzz::scratch_file(ADAPTER_WEIGHTS, weights);
    MODEL.with_borrow_mut(|(model, device)| {
        let _ = load_adapter(model, dir, device);
        detach_all(model);
    });
});
