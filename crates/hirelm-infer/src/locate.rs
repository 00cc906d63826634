//! Files shipped in the repository (adapters, the encoder), found from wherever the caller runs.

use std::path::{Path, PathBuf};

/// `relative` (a directory of the checkout) in the nearest hirelm checkout at or above the
/// current directory that holds `marker` in it, else in the checkout this crate was built from
/// (a build reused across checkouts may name another one, see `hirelm_model::models_dir`).
pub(crate) fn in_checkout(relative: &Path, marker: &str) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            cwd.ancestors()
                .map(|dir| dir.join(relative))
                .find(|dir| dir.join(marker).is_file())
        })
        .unwrap_or_else(|| {
            let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
            crate_dir
                .ancestors()
                .nth(2)
                .unwrap_or(crate_dir)
                .join(relative)
        })
}
