//! [`GgmlType`]: the storage type of a tensor in a GGUF file, with its block layout.

use std::fmt;

/// Elements per K-quant super-block (`QK_K` in ggml).
pub const QK_K: usize = 256;

/// The storage type of a tensor, as numbered by ggml's `enum ggml_type`.
///
/// Types this crate can dequantise have their own variant; every other id, known to ggml or not,
/// is kept as [`GgmlType::Other`] so that a file using it can still be opened and inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GgmlType {
    /// 32-bit IEEE float (id 0).
    F32,
    /// 16-bit IEEE float (id 1).
    F16,
    /// Blocks of 32: f16 scale `d`, 32 4-bit quants; value `(q - 8) * d` (id 2).
    Q4_0,
    /// Blocks of 32: f16 scale `d` and minimum `m`, 32 4-bit quants; value `q * d + m` (id 3).
    Q4_1,
    /// Blocks of 32: f16 scale, 5-bit quants split into low nibbles and a high-bit mask (id 6).
    Q5_0,
    /// Blocks of 32: f16 scale and minimum, 5-bit quants (id 7).
    Q5_1,
    /// Blocks of 32: f16 scale `d`, 32 signed bytes; value `q * d` (id 8).
    Q8_0,
    /// Blocks of 32: f16 scale `d`, f16 sum `s`, 32 signed bytes; value `q * d` (id 9).
    Q8_1,
    /// Super-blocks of 256, 2-bit quants with 4-bit scales and minimums (id 10).
    Q2K,
    /// Super-blocks of 256, 3-bit quants with 6-bit scales (id 11).
    Q3K,
    /// Super-blocks of 256, 4-bit quants with 6-bit scales and minimums (id 12).
    Q4K,
    /// Super-blocks of 256, 5-bit quants with 6-bit scales and minimums (id 13).
    Q5K,
    /// Super-blocks of 256, 6-bit quants with 8-bit scales (id 14).
    Q6K,
    /// Super-blocks of 256: f32 scale, 256 signed bytes, 16 block sums (id 15).
    Q8K,
    /// bfloat16: the upper half of an f32 (id 30).
    BF16,
    /// Any other ggml type id (integer types, i-quants, or an id unknown to this crate).
    Other(u32),
}

/// `(id, name, block_size, type_size)` of the types kept as [`GgmlType::Other`] whose layout is
/// known (from ggml's `type_traits` / gguf-py's `GGML_QUANT_SIZES`), so their data can still be
/// bounds-checked.
const OTHER_LAYOUTS: &[(u32, &str, usize, usize)] = &[
    (16, "IQ2_XXS", QK_K, 2 + QK_K / 4),
    (17, "IQ2_XS", QK_K, 2 + QK_K / 4 + QK_K / 32),
    (18, "IQ3_XXS", QK_K, 2 + QK_K / 4 + QK_K / 8),
    (19, "IQ1_S", QK_K, 2 + QK_K / 8 + QK_K / 16),
    (20, "IQ4_NL", 32, 2 + 16),
    (21, "IQ3_S", QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4),
    (22, "IQ2_S", QK_K, 2 + QK_K / 4 + QK_K / 16),
    (23, "IQ4_XS", QK_K, 2 + 2 + QK_K / 2 + QK_K / 64),
    (24, "I8", 1, 1),
    (25, "I16", 1, 2),
    (26, "I32", 1, 4),
    (27, "I64", 1, 8),
    (28, "F64", 1, 8),
    (29, "IQ1_M", QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32),
    (34, "TQ1_0", QK_K, 2 + 4 * 13),
    (35, "TQ2_0", QK_K, 2 + QK_K / 4),
    (39, "MXFP4", 32, 1 + 16),
];

impl GgmlType {
    /// The type with ggml id `v`; ids without a dedicated variant become [`GgmlType::Other`].
    pub fn from_u32(v: u32) -> Self {
        match v {
            0 => Self::F32,
            1 => Self::F16,
            2 => Self::Q4_0,
            3 => Self::Q4_1,
            6 => Self::Q5_0,
            7 => Self::Q5_1,
            8 => Self::Q8_0,
            9 => Self::Q8_1,
            10 => Self::Q2K,
            11 => Self::Q3K,
            12 => Self::Q4K,
            13 => Self::Q5K,
            14 => Self::Q6K,
            15 => Self::Q8K,
            30 => Self::BF16,
            other => Self::Other(other),
        }
    }

    /// The ggml id of this type (inverse of [`GgmlType::from_u32`]).
    pub fn as_u32(self) -> u32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
            Self::Q4_0 => 2,
            Self::Q4_1 => 3,
            Self::Q5_0 => 6,
            Self::Q5_1 => 7,
            Self::Q8_0 => 8,
            Self::Q8_1 => 9,
            Self::Q2K => 10,
            Self::Q3K => 11,
            Self::Q4K => 12,
            Self::Q5K => 13,
            Self::Q6K => 14,
            Self::Q8K => 15,
            Self::BF16 => 30,
            Self::Other(v) => v,
        }
    }

    /// The name ggml gives the type (`"Q4_1"`, `"Q6_K"`, `"IQ4_XS"`, ...), or `"unknown"` for an
    /// id this crate does not know.
    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "F32",
            Self::F16 => "F16",
            Self::Q4_0 => "Q4_0",
            Self::Q4_1 => "Q4_1",
            Self::Q5_0 => "Q5_0",
            Self::Q5_1 => "Q5_1",
            Self::Q8_0 => "Q8_0",
            Self::Q8_1 => "Q8_1",
            Self::Q2K => "Q2_K",
            Self::Q3K => "Q3_K",
            Self::Q4K => "Q4_K",
            Self::Q5K => "Q5_K",
            Self::Q6K => "Q6_K",
            Self::Q8K => "Q8_K",
            Self::BF16 => "BF16",
            Self::Other(v) => other_layout(v).map_or("unknown", |(_, name, _, _)| name),
        }
    }

    /// Elements per block (1 for plain float types, 32 or 256 for quantised types).
    ///
    /// For an id of unknown layout this is 1; check [`GgmlType::type_size`] before relying on it.
    pub fn block_size(self) -> usize {
        match self {
            Self::F32 | Self::F16 | Self::BF16 => 1,
            Self::Q4_0 | Self::Q4_1 | Self::Q5_0 | Self::Q5_1 | Self::Q8_0 | Self::Q8_1 => 32,
            Self::Q2K | Self::Q3K | Self::Q4K | Self::Q5K | Self::Q6K | Self::Q8K => QK_K,
            Self::Other(v) => other_layout(v).map_or(1, |(_, _, block, _)| block),
        }
    }

    /// Bytes per block, or `None` for an id whose layout is unknown.
    pub fn type_size(self) -> Option<usize> {
        Some(match self {
            Self::F32 => 4,
            Self::F16 | Self::BF16 => 2,
            Self::Q4_0 => 2 + 16,
            Self::Q4_1 => 2 + 2 + 16,
            Self::Q5_0 => 2 + 4 + 16,
            Self::Q5_1 => 2 + 2 + 4 + 16,
            Self::Q8_0 => 2 + 32,
            Self::Q8_1 => 2 + 2 + 32,
            Self::Q2K => QK_K / 16 + QK_K / 4 + 2 + 2,
            Self::Q3K => QK_K / 8 + QK_K / 4 + 12 + 2,
            Self::Q4K => 2 + 2 + 12 + QK_K / 2,
            Self::Q5K => 2 + 2 + 12 + QK_K / 8 + QK_K / 2,
            Self::Q6K => QK_K / 2 + QK_K / 4 + QK_K / 16 + 2,
            Self::Q8K => 4 + QK_K + 2 * (QK_K / 16),
            Self::Other(v) => return other_layout(v).map(|(_, _, _, size)| size),
        })
    }

    /// Bytes needed to store `n_elements` elements, or `None` if the layout is unknown, the count
    /// is not a whole number of blocks, or the size overflows `usize`.
    pub fn bytes_for(self, n_elements: usize) -> Option<usize> {
        let block = self.block_size();
        if !n_elements.is_multiple_of(block) {
            return None;
        }
        (n_elements / block).checked_mul(self.type_size()?)
    }
}

fn other_layout(id: u32) -> Option<(u32, &'static str, usize, usize)> {
    OTHER_LAYOUTS
        .iter()
        .find(|(other, ..)| *other == id)
        .copied()
}

impl fmt::Display for GgmlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(v) if other_layout(*v).is_none() => write!(f, "unknown type id {v}"),
            _ => f.write_str(self.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for id in 0..64 {
            assert_eq!(GgmlType::from_u32(id).as_u32(), id);
        }
        assert_eq!(GgmlType::from_u32(12), GgmlType::Q4K);
        assert_eq!(GgmlType::from_u32(30), GgmlType::BF16);
        assert_eq!(GgmlType::from_u32(4), GgmlType::Other(4));
    }

    #[test]
    fn block_layouts_match_ggml() {
        // Sizes from ggml-common.h's static_asserts on the block structs.
        let expected = [
            (GgmlType::F32, 1, 4),
            (GgmlType::F16, 1, 2),
            (GgmlType::BF16, 1, 2),
            (GgmlType::Q4_0, 32, 18),
            (GgmlType::Q4_1, 32, 20),
            (GgmlType::Q5_0, 32, 22),
            (GgmlType::Q5_1, 32, 24),
            (GgmlType::Q8_0, 32, 34),
            (GgmlType::Q8_1, 32, 36),
            (GgmlType::Q2K, 256, 84),
            (GgmlType::Q3K, 256, 110),
            (GgmlType::Q4K, 256, 144),
            (GgmlType::Q5K, 256, 176),
            (GgmlType::Q6K, 256, 210),
            (GgmlType::Q8K, 256, 292),
            (GgmlType::Other(23), 256, 136),
        ];
        for (ty, block, size) in expected {
            assert_eq!(
                (ty.block_size(), ty.type_size()),
                (block, Some(size)),
                "{ty}"
            );
        }
        assert_eq!(GgmlType::Other(4).type_size(), None);
    }

    #[test]
    fn names_and_display() {
        assert_eq!(GgmlType::Q4_1.name(), "Q4_1");
        assert_eq!(GgmlType::Q6K.name(), "Q6_K");
        assert_eq!(GgmlType::Other(20).to_string(), "IQ4_NL");
        assert_eq!(GgmlType::Other(99).name(), "unknown");
        assert_eq!(GgmlType::Other(99).to_string(), "unknown type id 99");
    }

    #[test]
    fn bytes_for_checks_whole_blocks() {
        assert_eq!(GgmlType::Q4_1.bytes_for(64), Some(40));
        assert_eq!(GgmlType::Q4_1.bytes_for(33), None);
        assert_eq!(GgmlType::F32.bytes_for(usize::MAX), None);
        assert_eq!(GgmlType::Other(99).bytes_for(1), None);
    }
}
