//! Integration tests of hirelm-curate (one binary). Tests on real data need
//! `../shared/data` (or `$HIRELM_SHARED_DATA`) and `scripts/fetch-data.sh` to have run.

mod market;
mod pipeline;
mod planted_pii;
mod real_sources;

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared real data folder.
pub fn shared_data() -> PathBuf {
    let dir = std::env::var_os("HIRELM_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/data"));
    assert!(
        dir.join("PROVENANCE.md").is_file(),
        "shared data not found at {} (set HIRELM_SHARED_DATA)",
        dir.display()
    );
    dir
}

/// The fetched sources folder, failing with a message naming the script when absent.
pub fn fetched(rel: &str) -> PathBuf {
    let dir = std::env::var_os("HIRELM_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("data"));
    let path = dir.join(rel);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-data.sh first",
        path.display()
    );
    dir
}
