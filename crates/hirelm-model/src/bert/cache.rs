//! Embedding matrices on disk, so a fixed document set (ESCO labels, an index of titles) is
//! embedded once per encoder: `HLMEMB01`, `u64` rows, `u64` dim, then rows × dim
//! little-endian `f32`, written atomically. The caller keys the file name by a hash of the
//! encoder's files and the documents, so any change re-embeds.

use std::path::Path;

use crate::{ModelError, Result};

const MAGIC: &[u8; 8] = b"HLMEMB01";

/// The `rows × dim` matrix stored at `path`, or `None` when it is absent or of another shape.
pub fn read_embeddings(path: &Path, rows: usize, dim: usize) -> Option<Vec<f32>> {
    let bytes = std::fs::read(path).ok()?;
    let header = MAGIC.len() + 16;
    if bytes.len() != header + rows * dim * 4 || &bytes[..8] != MAGIC {
        return None;
    }
    let r = u64::from_le_bytes(bytes[8..16].try_into().ok()?);
    let d = u64::from_le_bytes(bytes[16..24].try_into().ok()?);
    if r != rows as u64 || d != dim as u64 {
        return None;
    }
    Some(
        bytes[header..]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// Stores a `rows × dim` matrix at `path` (parent directories created).
pub fn write_embeddings(path: &Path, rows: usize, dim: usize, matrix: &[f32]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| ModelError::io(dir, e))?;
    let mut bytes = Vec::with_capacity(24 + matrix.len() * 4);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(rows as u64).to_le_bytes());
    bytes.extend_from_slice(&(dim as u64).to_le_bytes());
    for v in matrix {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    hirelm_core::fs::write_atomic(path, &bytes).map_err(|e| ModelError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_a_wrong_shape() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/x.emb");
        let m = vec![0.5f32, -1.0, 2.25, 3.0, 0.0, 1e-7];
        write_embeddings(&path, 2, 3, &m).expect("write");
        assert_eq!(read_embeddings(&path, 2, 3), Some(m));
        assert_eq!(read_embeddings(&path, 3, 2), None);
        assert_eq!(read_embeddings(&dir.path().join("missing"), 2, 3), None);
    }
}
