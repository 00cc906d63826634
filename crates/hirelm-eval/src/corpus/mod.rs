//! Loaders for the evaluation data formats.
//!
//! - [`benchmark`]: the skill-extraction benchmark's annotation CSV and ESCO label list.
//! - [`titles`]: the JobBERT vacancy titles with their ESCO occupation, and a deterministic split.
//! - [`skillskape`]: SkillSkape's synthetic sentences with their ESCO skills (training pairs, and
//!   `dev.csv` for choosing a checkpoint).
//! - [`skillspan`]: SkillSpan's JSON lines with BIO tags.
//! - [`curated`]: the Parquet dataset files `hirelm curate` writes (`task`, `input`, `target`).

pub mod benchmark;
pub mod curated;
pub mod skillskape;
pub mod skillspan;
pub mod titles;

use std::path::PathBuf;

/// The shared real-data folder: `$HIRELM_SHARED_DATA` when set, else `../shared/data` relative to
/// the current directory (the repository root).
pub fn shared_data_dir() -> PathBuf {
    std::env::var_os("HIRELM_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data"))
}

/// 64-bit FNV-1a: a stable hash for seeded, reproducible splits and perturbations.
pub fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
