//! Files shipped in the repository (adapters, the encoder), found from wherever the caller runs.

use std::path::{Path, PathBuf};

/// `relative` (a directory of the checkout) in the nearest hirelm checkout at or above the
/// current directory that holds `marker` in it, else in the checkout this crate was built from
/// ([`hirelm_model::in_checkout`]).
pub(crate) fn in_checkout(relative: &Path, marker: &str) -> PathBuf {
    hirelm_model::in_checkout(relative, |dir| dir.join(relative).join(marker).is_file())
}
