//! Helpers shared by the binary's end-to-end tests.

#![allow(dead_code)] // each test binary uses some of them

use std::path::PathBuf;
use std::process::{Command, Output};

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
