//! [`TensorInfo`]: the header entry describing one tensor of a GGUF file.

use super::types::GgmlType;

/// Most dimensions a GGUF tensor may have (`GGML_MAX_DIMS`).
pub const MAX_DIMS: usize = 4;

/// Name, shape, type and data location of one tensor, as stored in the GGUF header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// The tensor's name (`"blk.0.attn_q.weight"`).
    pub name: String,
    /// Dimensions in GGML order: `dims[0]` is the innermost (contiguous) dimension.
    pub dims: Vec<u64>,
    /// Storage type.
    pub ggml_type: GgmlType,
    /// Offset of the data from the start of the data section (a multiple of the alignment).
    pub offset: u64,
}

impl TensorInfo {
    /// The shape in row-major order, outermost dimension first (the GGML dims reversed).
    ///
    /// A dimension that does not fit in `usize` saturates to `usize::MAX`; files opened by
    /// [`GgufFile`](super::GgufFile) never have one.
    pub fn shape(&self) -> Vec<usize> {
        self.dims
            .iter()
            .rev()
            .map(|&d| usize::try_from(d).unwrap_or(usize::MAX))
            .collect()
    }

    /// Number of elements (the product of the dims; 1 for a zero-dimensional tensor).
    ///
    /// Saturates at `usize::MAX` on overflow; files opened by [`GgufFile`](super::GgufFile) are
    /// checked not to overflow.
    pub fn n_elements(&self) -> usize {
        self.checked_n_elements().unwrap_or(usize::MAX)
    }

    /// Number of elements, or `None` if the product overflows `usize`.
    pub fn checked_n_elements(&self) -> Option<usize> {
        self.dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(usize::try_from(d).ok()?))
    }

    /// Size of the tensor's data in bytes, or `None` if the type's layout is unknown, the
    /// innermost dimension is not a whole number of blocks, or the size overflows.
    pub fn n_bytes(&self) -> Option<usize> {
        let block = self.ggml_type.block_size() as u64;
        let row = self.dims.first().copied().unwrap_or(1);
        if !row.is_multiple_of(block) {
            return None;
        }
        self.ggml_type.bytes_for(self.checked_n_elements()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(dims: &[u64], ggml_type: GgmlType) -> TensorInfo {
        TensorInfo {
            name: "t".into(),
            dims: dims.to_vec(),
            ggml_type,
            offset: 0,
        }
    }

    #[test]
    fn shape_is_dims_reversed() {
        let t = info(&[576, 1536], GgmlType::Q4_1);
        assert_eq!(t.shape(), vec![1536, 576]);
        assert_eq!(t.n_elements(), 576 * 1536);
        assert_eq!(t.n_bytes(), Some(576 * 1536 / 32 * 20));
    }

    #[test]
    fn scalar_and_degenerate_tensors() {
        assert_eq!(info(&[], GgmlType::F32).n_elements(), 1);
        assert_eq!(info(&[], GgmlType::F32).n_bytes(), Some(4));
        assert_eq!(info(&[0, 7], GgmlType::F16).n_bytes(), Some(0));
    }

    #[test]
    fn n_bytes_rejects_partial_blocks_and_overflow() {
        // 64 elements in total, but rows of 16 do not hold whole blocks of 32.
        assert_eq!(info(&[16, 4], GgmlType::Q8_0).n_bytes(), None);
        assert_eq!(info(&[u64::MAX, 2], GgmlType::F32).n_bytes(), None);
        assert_eq!(info(&[u64::MAX, 2], GgmlType::F32).n_elements(), usize::MAX);
        assert_eq!(info(&[32], GgmlType::Other(99)).n_bytes(), None);
    }
}
