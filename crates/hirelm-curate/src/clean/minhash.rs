//! MinHash signatures and LSH banding for near-duplicate detection.
//!
//! The same arithmetic as `datasketch` 2.0 (its default `affine32` scheme), so a signature
//! computed here equals one computed there from the same permutations: each shingle is hashed
//! with SHA-1 (the first four digest bytes, little-endian), mixed with the MurmurHash3 32-bit
//! finaliser, permutation `i` maps the mixed hash `h` to `(a_i·h + b_i) mod 2^32` with an odd
//! `a_i`, and the signature keeps the minimum per permutation. LSH splits the first
//! `bands × rows` values into `bands` bands; two documents sharing one band are candidates, kept
//! as duplicates when their estimated Jaccard similarity (the fraction of equal signature
//! values) reaches `threshold`.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::rng::Rng;

/// MinHash LSH parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinHashConfig {
    /// Words per shingle.
    pub shingle_words: usize,
    /// Number of hash permutations (signature length).
    pub permutations: usize,
    /// Number of LSH bands.
    pub bands: usize,
    /// Signature values per band; `permutations / bands` when absent. `bands × rows` must not
    /// exceed `permutations` (datasketch's optimum for 0.8 and 128 is 9 × 13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
    /// Estimated Jaccard similarity at or above which two texts are near-duplicates.
    pub threshold: f64,
    /// Seed of the permutations.
    pub seed: u64,
}

impl Default for MinHashConfig {
    fn default() -> Self {
        MinHashConfig {
            shingle_words: 3,
            permutations: 128,
            bands: 32,
            rows: None,
            threshold: 0.8,
            seed: 1,
        }
    }
}

impl MinHashConfig {
    /// Signature values per band.
    pub fn rows(&self) -> usize {
        self.rows.unwrap_or(self.permutations / self.bands.max(1))
    }

    /// Why the parameters cannot work, if they cannot.
    pub fn problem(&self) -> Option<String> {
        if self.permutations == 0 || self.bands == 0 || self.rows() == 0 {
            return Some("permutations, bands and rows must be positive".into());
        }
        if self.bands * self.rows() > self.permutations {
            return Some(format!(
                "{} bands of {} rows need more than {} permutations",
                self.bands,
                self.rows(),
                self.permutations
            ));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Some(format!("threshold {} is outside [0, 1]", self.threshold));
        }
        None
    }
}

/// Computes MinHash signatures.
#[derive(Debug, Clone)]
pub struct MinHasher {
    config: MinHashConfig,
    a: Vec<u32>,
    b: Vec<u32>,
}

/// datasketch's `sha1_hash32`: the first four bytes of the SHA-1 digest, little-endian.
pub fn sha1_hash32(bytes: &[u8]) -> u32 {
    let digest = Sha1::digest(bytes);
    u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The MurmurHash3 32-bit finaliser (datasketch's `_fmix(hv, 32)`): spreads weak hashes before
/// the affine permutations.
#[inline]
pub fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// `text.to_lowercase()`, faster for ASCII text.
fn lowercase(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// `text.split_whitespace()`, faster for ASCII text (whose Unicode white space is exactly
/// tab through carriage return and space).
fn words(text: &str) -> Vec<&str> {
    if !text.is_ascii() {
        return text.split_whitespace().collect();
    }
    text.split(|c: char| matches!(c, '\t'..='\r' | ' '))
        .filter(|w| !w.is_empty())
        .collect()
}

/// `sig[i] = min(sig[i], a[i]·h + b[i] mod 2^32)`, with AVX2 when the CPU has it (the portable
/// build targets baseline x86-64, whose SSE2 has no 32-bit lane multiply).
fn permute_min(sig: &mut [u32], a: &[u32], b: &[u32], h: u32) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above; the function is plain Rust.
        #[allow(unsafe_code)]
        unsafe {
            permute_min_avx2(sig, a, b, h)
        };
        return;
    }
    permute_min_portable(sig, a, b, h);
}

#[inline(always)]
fn permute_min_portable(sig: &mut [u32], a: &[u32], b: &[u32], h: u32) {
    let n = sig.len().min(a.len()).min(b.len());
    let (sig, a, b) = (&mut sig[..n], &a[..n], &b[..n]);
    for i in 0..n {
        sig[i] = sig[i].min(a[i].wrapping_mul(h).wrapping_add(b[i]));
    }
}

/// The portable loop compiled for AVX2 (8 lanes of `vpmulld`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn permute_min_avx2(sig: &mut [u32], a: &[u32], b: &[u32], h: u32) {
    permute_min_portable(sig, a, b, h);
}

/// FNV-1a over the little-endian bytes of a band (and its index): a stable band key.
fn band_key(band: usize, values: &[u32]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325 ^ band as u64;
    for v in values {
        for byte in v.to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

impl MinHasher {
    /// A hasher for `config` with permutations drawn from its seed (the caller checks
    /// [`MinHashConfig::problem`]).
    pub fn new(config: MinHashConfig) -> Self {
        let mut rng = Rng::new(config.seed);
        // Odd multipliers make each permutation a bijection of the 32-bit range.
        let a = (0..config.permutations)
            .map(|_| (rng.next_u64() as u32) | 1)
            .collect();
        let b = (0..config.permutations)
            .map(|_| rng.next_u64() as u32)
            .collect();
        MinHasher { config, a, b }
    }

    /// The parameters.
    pub fn config(&self) -> &MinHashConfig {
        &self.config
    }

    /// The permutation coefficients `(a, b)`, so another implementation can reproduce the
    /// signatures (datasketch's `MinHash(permutations=(a, b))`).
    pub fn permutations(&self) -> (&[u32], &[u32]) {
        (&self.a, &self.b)
    }

    /// The word shingles of `text` (lowercased; a text shorter than one shingle is one shingle).
    pub fn shingles(&self, text: &str) -> Vec<String> {
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let k = self.config.shingle_words.max(1);
        if words.len() <= k {
            return vec![words.join(" ")];
        }
        words.windows(k).map(|w| w.join(" ")).collect()
    }

    /// The signature of `text`: [`shingles`](Self::shingles) hashed and permuted, without
    /// allocating per shingle (this loop is the whole cost of near-dedup).
    pub fn signature(&self, text: &str) -> Vec<u32> {
        let lower = lowercase(text);
        let words = words(&lower);
        let k = self.config.shingle_words.max(1);
        let windows = if words.len() <= k {
            1
        } else {
            words.len() - k + 1
        };
        let mut sig = vec![u32::MAX; self.config.permutations];
        let mut shingle = String::with_capacity(128);
        for start in 0..windows {
            shingle.clear();
            for (i, word) in words.iter().skip(start).take(k).enumerate() {
                if i > 0 {
                    shingle.push(' ');
                }
                shingle.push_str(word);
            }
            permute_min(
                &mut sig,
                &self.a,
                &self.b,
                fmix32(sha1_hash32(shingle.as_bytes())),
            );
        }
        sig
    }

    /// Estimated Jaccard similarity of two signatures.
    pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
        let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
        same as f64 / a.len().max(1) as f64
    }

    /// The LSH band keys of a signature, one per band.
    pub fn band_keys(&self, sig: &[u32]) -> Vec<u64> {
        let rows = self.config.rows().max(1);
        sig.chunks_exact(rows)
            .take(self.config.bands)
            .enumerate()
            .map(|(band, chunk)| band_key(band, chunk))
            .collect()
    }
}

/// What [`near_dedup`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NearDupReport {
    /// Candidate pairs from LSH.
    pub candidate_pairs: usize,
    /// Pairs at or above the threshold.
    pub duplicate_pairs: Vec<(usize, usize)>,
    /// Clusters of two or more near-duplicates.
    pub clusters: usize,
    /// Items removed (all but the first of each cluster).
    pub removed: usize,
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Finds near-duplicate texts; returns a keep-mask (the lowest index of each cluster is kept)
/// and the report. Deterministic for a given input order.
pub fn near_dedup(hasher: &MinHasher, texts: &[&str]) -> (Vec<bool>, NearDupReport) {
    let sigs: Vec<Vec<u32>> = texts.par_iter().map(|t| hasher.signature(t)).collect();
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, sig) in sigs.iter().enumerate() {
        for key in hasher.band_keys(sig) {
            buckets.entry(key).or_default().push(i);
        }
    }
    let mut candidates: Vec<(usize, usize)> = buckets
        .values()
        .filter(|members| members.len() > 1)
        .flat_map(|members| {
            members
                .iter()
                .enumerate()
                .flat_map(move |(k, &i)| members[k + 1..].iter().map(move |&j| (i, j)))
        })
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let threshold = hasher.config().threshold;
    let duplicate_pairs: Vec<(usize, usize)> = candidates
        .iter()
        .copied()
        .filter(|&(i, j)| MinHasher::similarity(&sigs[i], &sigs[j]) >= threshold)
        .collect();
    let mut parent: Vec<usize> = (0..texts.len()).collect();
    for &(i, j) in &duplicate_pairs {
        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
        if ri != rj {
            parent[ri.max(rj)] = ri.min(rj);
        }
    }
    let mut keep = vec![true; texts.len()];
    let mut cluster_roots = std::collections::BTreeSet::new();
    for (i, kept) in keep.iter_mut().enumerate() {
        let root = find(&mut parent, i);
        if root != i {
            *kept = false;
            cluster_roots.insert(root);
        }
    }
    let removed = keep.iter().filter(|k| !**k).count();
    let report = NearDupReport {
        candidate_pairs: candidates.len(),
        duplicate_pairs,
        clusters: cluster_roots.len(),
        removed,
    };
    (keep, report)
}

#[cfg(test)]
mod tests;
