//! Integration tests of `hirelm-eval` (one binary, ripgrep style).
//!
//! Real data is read from `$HIRELM_SHARED_DATA` or `../shared/data` beside the repository; the
//! MiniLM model from `models/all-minilm-l6-v2` (`scripts/fetch-models.sh`).

mod bad_input;
mod candidates;
mod compare;
mod gate;
mod matching;
mod minilm;
mod real_data;
mod tasks;

use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the shared real-data folder; panics with where to get it when missing.
pub fn shared(rel: &str) -> PathBuf {
    let base = std::env::var_os("HIRELM_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = base.join(rel);
    assert!(
        path.exists(),
        "{} is missing: the real data lives in ../shared/data beside the repository (see its PROVENANCE.md) or $HIRELM_SHARED_DATA",
        path.display()
    );
    path
}

/// The MiniLM model directory; panics naming the fetch script when missing.
pub fn minilm_dir() -> PathBuf {
    let dir = repo_root().join("models/all-minilm-l6-v2");
    assert!(
        dir.join("model.safetensors").exists(),
        "{} is missing: run scripts/fetch-models.sh",
        dir.display()
    );
    dir
}
