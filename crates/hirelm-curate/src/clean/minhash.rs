//! MinHash signatures and LSH banding for near-duplicate detection.
//!
//! Like `datasketch`: each shingle is hashed to 32 bits, permutation `i` maps a hash `h` to
//! `(a_i * h + b_i) mod (2^61 - 1)` truncated to 32 bits, and the signature keeps the minimum per
//! permutation. LSH splits the signature into `bands` bands of `permutations / bands` rows; two
//! documents sharing one band bucket are candidates, kept as duplicates when their estimated
//! Jaccard similarity (signature agreement) reaches `threshold`.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::rng::{Rng, stable_hash};

const MERSENNE_61: u64 = (1 << 61) - 1;

/// MinHash LSH parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinHashConfig {
    /// Words per shingle.
    pub shingle_words: usize,
    /// Number of hash permutations (signature length).
    pub permutations: usize,
    /// Number of LSH bands; must divide `permutations`.
    pub bands: usize,
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
            threshold: 0.8,
            seed: 1,
        }
    }
}

/// Computes MinHash signatures.
#[derive(Debug, Clone)]
pub struct MinHasher {
    config: MinHashConfig,
    a: Vec<u64>,
    b: Vec<u64>,
}

fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811C_9DC5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

impl MinHasher {
    /// A hasher for `config` (the caller checks `bands` divides `permutations`).
    pub fn new(config: MinHashConfig) -> Self {
        let mut rng = Rng::new(config.seed);
        let a = (0..config.permutations)
            .map(|_| 1 + rng.next_u64() % (MERSENNE_61 - 1))
            .collect();
        let b = (0..config.permutations)
            .map(|_| rng.next_u64() % MERSENNE_61)
            .collect();
        MinHasher { config, a, b }
    }

    /// The parameters.
    pub fn config(&self) -> &MinHashConfig {
        &self.config
    }

    /// The word shingles of `text` (lowercased; a text shorter than one shingle is one shingle).
    pub fn shingles(&self, text: &str) -> Vec<String> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        let k = self.config.shingle_words.max(1);
        if words.len() <= k {
            return vec![words.join(" ")];
        }
        words.windows(k).map(|w| w.join(" ")).collect()
    }

    /// The signature of `text`.
    pub fn signature(&self, text: &str) -> Vec<u32> {
        let mut sig = vec![u32::MAX; self.config.permutations];
        for shingle in self.shingles(text) {
            let h = u64::from(fnv1a32(shingle.as_bytes()));
            for (i, slot) in sig.iter_mut().enumerate() {
                let p = (((self.a[i] as u128 * h as u128) + self.b[i] as u128)
                    % MERSENNE_61 as u128) as u32;
                *slot = (*slot).min(p);
            }
        }
        sig
    }

    /// Estimated Jaccard similarity of two signatures.
    pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
        let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
        same as f64 / a.len().max(1) as f64
    }

    /// The LSH band keys of a signature.
    pub fn band_keys(&self, sig: &[u32]) -> Vec<u64> {
        let rows = (self.config.permutations / self.config.bands.max(1)).max(1);
        sig.chunks(rows)
            .enumerate()
            .map(|(band, chunk)| {
                let text: Vec<String> = chunk.iter().map(u32::to_string).collect();
                stable_hash(&format!("{band}:{}", text.join(",")))
            })
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
    for i in 0..texts.len() {
        let root = find(&mut parent, i);
        if root != i {
            keep[i] = false;
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
mod tests {
    use super::*;

    #[test]
    fn finds_near_duplicates_and_keeps_distinct_texts() {
        let hasher = MinHasher::new(MinHashConfig::default());
        let texts = [
            "We are looking for a senior backend engineer with strong Python and PostgreSQL experience in a fast growing team",
            "Lorem ipsum is unrelated text about gardening tomatoes and watering plants every morning in the summer heat",
            "We are looking for a senior backend engineer with strong Python and PostgreSQL experience in a fast growing team!",
            "Design and build data pipelines on Spark and Kafka for our analytics platform serving millions of users daily",
        ];
        let (keep, report) = near_dedup(&hasher, &texts);
        assert_eq!(keep, vec![true, true, false, true]);
        assert_eq!((report.clusters, report.removed), (1, 1));
        assert_eq!(report.duplicate_pairs, vec![(0, 2)]);
    }

    #[test]
    fn similarity_estimates_jaccard() {
        let hasher = MinHasher::new(MinHashConfig {
            shingle_words: 1,
            permutations: 256,
            ..MinHashConfig::default()
        });
        // Jaccard of these word sets is 8/12.
        let a = hasher.signature("a b c d e f g h i j");
        let b = hasher.signature("a b c d e f g h k l");
        let s = MinHasher::similarity(&a, &b);
        assert!((s - 8.0 / 12.0).abs() < 0.1, "{s}");
    }
}
