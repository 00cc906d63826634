//! Shared helpers: where the fetched models live.

use std::path::PathBuf;

/// `$HIRELM_MODELS_DIR`, or `models/` at the workspace root.
pub fn models_dir() -> PathBuf {
    std::env::var_os("HIRELM_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models"))
}

/// A fetched model file; panics with the fix when it is missing (CI fetches it first).
pub fn require_model(relative: &str) -> PathBuf {
    let path = models_dir().join(relative);
    assert!(
        path.exists(),
        "{} is missing: run scripts/fetch-models.sh (or set HIRELM_MODELS_DIR)",
        path.display()
    );
    path
}

/// The SmolLM2 GGUF file.
pub fn smollm2_gguf() -> PathBuf {
    require_model("smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf")
}

/// A committed test fixture.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}
