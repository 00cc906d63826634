//! Shared helpers: the fetched models and the committed fixtures.

use std::path::PathBuf;

/// A fetched model file; panics with the fix when it is missing (CI fetches it first).
pub fn require_model(relative: &str) -> PathBuf {
    hirelm_model::fetched_model(relative).unwrap_or_else(|e| panic!("{e}"))
}

/// The SmolLM2 GGUF file.
pub fn smollm2_gguf() -> PathBuf {
    require_model(hirelm_model::SMOLLM2_GGUF)
}

/// A committed test fixture.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
