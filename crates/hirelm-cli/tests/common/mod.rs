//! Helpers shared by the binary's end-to-end tests.

#![allow(dead_code)] // each test binary uses some of them

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hirelm_model::TextTokenizer;
use hirelm_model::gguf::GgufFile;
use hirelm_model::llama::{HfLlamaConfig, LlamaConfig, random_weights};
use hirelm_model::weights::write_safetensors;

/// `hirelm` with `args`, run in the CLI crate's directory.
pub fn hirelm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hirelm"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// A fetched model file's path (scripts/fetch-models.sh).
pub fn model(relative: &str) -> String {
    hirelm_model::fetched_model(relative)
        .unwrap_or_else(|e| panic!("{e}"))
        .display()
        .to_string()
}

/// The base language model.
pub fn smollm2() -> String {
    model(hirelm_model::SMOLLM2_GGUF)
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An HF-format directory under `dir` with a tiny random Llama over SmolLM2's real tokenizer.
pub fn tiny_model(dir: &Path) -> PathBuf {
    let model = dir.join("tiny");
    std::fs::create_dir_all(&model).expect("mkdir");
    let config = LlamaConfig {
        vocab_size: 49152,
        max_seq_len: 512,
        ..LlamaConfig::tiny_for_tests()
    };
    std::fs::write(
        model.join("config.json"),
        HfLlamaConfig::from_config(&config).to_string(),
    )
    .expect("config");
    write_safetensors(
        &model.join("model.safetensors"),
        &random_weights(&config, 11),
    )
    .expect("weights");
    let gguf =
        hirelm_model::fetched_model(hirelm_model::SMOLLM2_GGUF).unwrap_or_else(|e| panic!("{e}"));
    let tokenizer =
        TextTokenizer::from_gguf(&GgufFile::open(&gguf).expect("gguf")).expect("tokenizer");
    tokenizer
        .inner()
        .save(model.join("tokenizer.json"), false)
        .expect("tokenizer.json");
    model
}
