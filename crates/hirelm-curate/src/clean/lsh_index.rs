//! An incremental MinHash LSH index for streaming near-dedup.
//!
//! Documents arrive in order. Each is compared with the documents kept before it: it is a
//! near-duplicate of the earliest kept document that shares an LSH band with it and whose
//! estimated Jaccard similarity reaches the threshold; otherwise it is kept and indexed. This is
//! the usual `datasketch` dedup loop (`query`, then `insert` when nothing matched), so both find
//! the same pairs from the same signatures.
//!
//! Memory grows only with the *kept* documents, and slowly: per band a `u32` key → id table
//! entry and a `u32` chain link (about 20 bytes), so about 180 bytes per kept document with 9
//! bands. Signatures (512 bytes each at 128 permutations) go to a scratch file and are read back
//! only for candidates, and the documents themselves are never held.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::minhash::MinHasher;

/// No earlier document in a band chain.
const NONE: u32 = u32::MAX;
/// Kept signatures buffered in memory before they are appended to the scratch file.
const FLUSH_EVERY: usize = 4096;

/// What became of a pushed document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Kept and indexed.
    Kept,
    /// A near-duplicate of an earlier kept document (its row number).
    Duplicate {
        /// Row number of the earliest matching kept document.
        of: u64,
        /// Estimated Jaccard similarity with it.
        similarity: f64,
    },
}

/// Signatures of kept documents, with their row numbers, in a scratch file.
struct SignatureStore {
    path: PathBuf,
    file: File,
    /// Values per record: two for the row number, then the signature.
    record: usize,
    flushed: usize,
    pending: Vec<u32>,
}

impl SignatureStore {
    fn create(path: PathBuf, permutations: usize) -> std::io::Result<Self> {
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)?;
        Ok(Self {
            path,
            file,
            record: permutations + 2,
            flushed: 0,
            pending: Vec::new(),
        })
    }

    fn push(&mut self, row: u64, sig: &[u32]) -> std::io::Result<()> {
        self.pending.extend([row as u32, (row >> 32) as u32]);
        self.pending.extend_from_slice(sig);
        if self.pending.len() >= FLUSH_EVERY * self.record {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let bytes: Vec<u8> = self.pending.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.file.write_all(&bytes)?;
        self.flushed += self.pending.len() / self.record;
        self.pending.clear();
        Ok(())
    }

    /// The row number and signature of kept document `id`, into `buf`.
    fn read(&self, id: usize, buf: &mut Vec<u32>) -> std::io::Result<u64> {
        buf.clear();
        if id >= self.flushed {
            let start = (id - self.flushed) * self.record;
            buf.extend_from_slice(&self.pending[start..start + self.record]);
        } else {
            let mut bytes = vec![0u8; self.record * 4];
            self.file
                .read_exact_at(&mut bytes, (id * self.record * 4) as u64)?;
            buf.extend(
                bytes
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
        }
        let row = u64::from(buf[0]) | (u64::from(buf[1]) << 32);
        buf.drain(..2);
        Ok(row)
    }
}

impl Drop for SignatureStore {
    fn drop(&mut self) {
        // Scratch data only: nothing to keep if the run stops.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The index (see the module docs).
pub struct LshIndex {
    hasher: MinHasher,
    /// Per band: truncated band key → latest kept id with that key.
    heads: Vec<HashMap<u32, u32>>,
    /// `id · bands + band` → the previous kept id with the same key in that band.
    next: Vec<u32>,
    store: SignatureStore,
    kept: usize,
    /// Candidate signatures compared so far (the work LSH did not avoid).
    pub comparisons: u64,
}

impl std::fmt::Debug for LshIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LshIndex")
            .field("config", self.hasher.config())
            .field("kept", &self.kept)
            .finish_non_exhaustive()
    }
}

impl LshIndex {
    /// An empty index whose scratch signature file is `scratch` (removed on drop).
    pub fn new(hasher: MinHasher, scratch: &Path) -> std::io::Result<Self> {
        let bands = hasher.config().bands;
        let store = SignatureStore::create(scratch.to_path_buf(), hasher.config().permutations)?;
        Ok(Self {
            hasher,
            heads: vec![HashMap::new(); bands],
            next: Vec::new(),
            store,
            kept: 0,
            comparisons: 0,
        })
    }

    /// The hasher (signatures pushed must come from it).
    pub fn hasher(&self) -> &MinHasher {
        &self.hasher
    }

    /// Documents kept so far.
    pub fn kept(&self) -> usize {
        self.kept
    }

    /// Compares document `row` (signature `sig`) with the kept documents, then keeps and
    /// indexes it unless it is a near-duplicate.
    pub fn push(&mut self, row: u64, sig: &[u32]) -> std::io::Result<Verdict> {
        // Truncating keys to 32 bits only adds rare false candidates, which the check drops.
        let keys: Vec<u32> = self
            .hasher
            .band_keys(sig)
            .into_iter()
            .map(|k| k as u32)
            .collect();
        let mut candidates = Vec::new();
        for (band, key) in keys.iter().enumerate() {
            let mut id = self.heads[band].get(key).copied().unwrap_or(NONE);
            while id != NONE {
                candidates.push(id);
                id = self.next[id as usize * keys.len() + band];
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let threshold = self.hasher.config().threshold;
        let mut best: Option<(u64, f64)> = None;
        let mut buf = Vec::new();
        for &id in &candidates {
            self.comparisons += 1;
            let kept_row = self.store.read(id as usize, &mut buf)?;
            let similarity = MinHasher::similarity(sig, &buf);
            if similarity >= threshold && best.is_none_or(|(r, _)| kept_row < r) {
                best = Some((kept_row, similarity));
            }
        }
        if let Some((of, similarity)) = best {
            return Ok(Verdict::Duplicate { of, similarity });
        }
        let id = u32::try_from(self.kept)
            .map_err(|_| std::io::Error::other("more than 4 billion kept documents"))?;
        for (band, key) in keys.iter().enumerate() {
            let previous = self.heads[band].insert(*key, id).unwrap_or(NONE);
            self.next.push(previous);
        }
        self.store.push(row, sig)?;
        self.kept += 1;
        Ok(Verdict::Kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::{MinHashConfig, near_dedup};

    const TEXTS: [&str; 6] = [
        "We are looking for a senior backend engineer with strong Python and PostgreSQL experience in a fast growing team",
        "Lorem ipsum is unrelated text about gardening tomatoes and watering plants every morning in the summer heat",
        "We are looking for a senior backend engineer with strong Python and PostgreSQL experience in a fast growing team!",
        "Design and build data pipelines on Spark and Kafka for our analytics platform serving millions of users daily",
        "lorem ipsum is unrelated text about gardening tomatoes and watering plants every morning in the summer heat",
        "we are looking for a senior backend engineer with strong python and postgresql experience in a fast growing team!",
    ];

    #[test]
    fn streaming_finds_the_same_duplicates_as_the_batch_dedup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let hasher = MinHasher::new(MinHashConfig::default());
        let (keep, _) = near_dedup(&hasher, &TEXTS);
        let mut index = LshIndex::new(hasher.clone(), &dir.path().join("sigs")).expect("index");
        let verdicts: Vec<Verdict> = TEXTS
            .iter()
            .enumerate()
            .map(|(i, t)| index.push(i as u64, &hasher.signature(t)).expect("push"))
            .collect();
        let streamed_keep: Vec<bool> = verdicts.iter().map(|v| *v == Verdict::Kept).collect();
        assert_eq!(streamed_keep, keep);
        assert_eq!(streamed_keep, vec![true, true, false, true, false, false]);
        // Every duplicate points at the earliest kept document of its cluster.
        assert!(matches!(verdicts[2], Verdict::Duplicate { of: 0, .. }));
        assert!(
            matches!(verdicts[4], Verdict::Duplicate { of: 1, similarity } if similarity == 1.0)
        );
        assert!(matches!(verdicts[5], Verdict::Duplicate { of: 0, .. }));
        assert_eq!(index.kept(), 3);
    }

    #[test]
    fn signatures_read_back_from_the_scratch_file_after_a_flush() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sigs");
        let mut store = SignatureStore::create(path.clone(), 3).expect("store");
        for id in 0..FLUSH_EVERY as u64 + 5 {
            store
                .push(id * 7 + (1 << 40), &[id as u32, 1, 2])
                .expect("push");
        }
        assert_eq!(store.flushed, FLUSH_EVERY);
        let mut buf = Vec::new();
        for id in [0usize, 17, FLUSH_EVERY - 1, FLUSH_EVERY, FLUSH_EVERY + 4] {
            let row = store.read(id, &mut buf).expect("read");
            assert_eq!(
                (row, buf.clone()),
                (id as u64 * 7 + (1 << 40), vec![id as u32, 1, 2])
            );
        }
        drop(store);
        assert!(!path.exists(), "the scratch file is removed");
    }
}
