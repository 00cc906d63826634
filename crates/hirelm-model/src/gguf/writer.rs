//! [`GgufWriter`]: builds small GGUF v3 files (test fixtures, exported adapters).

use std::path::Path;

use half::f16;

use super::encode::{check_value, put_string, put_value};
use super::header::{ALIGNMENT_KEY, DEFAULT_ALIGNMENT, MAGIC};
use super::quantize::quantize_q8_0;
use super::tensor_info::MAX_DIMS;
use super::types::GgmlType;
use super::value::MetadataValue;
use crate::error::{ModelError, Result};

/// A tensor waiting to be written: GGML dims, type and encoded bytes.
#[derive(Debug)]
struct PendingTensor {
    name: String,
    dims: Vec<u64>,
    ggml_type: GgmlType,
    data: Vec<u8>,
}

/// Builds a GGUF version 3 file in memory: metadata in insertion order, then tensors in insertion
/// order, each aligned to `general.alignment` (32 unless the caller adds that key).
///
/// ```
/// # fn main() -> hirelm_model::Result<()> {
/// use hirelm_model::gguf::{GgufFile, GgufWriter, MetadataValue};
/// let mut writer = GgufWriter::new();
/// writer.add_metadata("general.architecture", MetadataValue::from("llama"));
/// writer.add_f32("w", &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])?;
/// let file = GgufFile::from_bytes(writer.to_bytes())?;
/// assert_eq!(file.dequantize("w")?, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Default)]
pub struct GgufWriter {
    metadata: Vec<(String, MetadataValue)>,
    tensors: Vec<PendingTensor>,
    /// The first metadata entry refused by `add_metadata`, as (key, reason).
    rejected: Option<(String, String)>,
}

impl GgufWriter {
    /// An empty writer (GGUF version 3, alignment 32).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds metadata `key` (replacing an earlier value for the same key, in place).
    ///
    /// A value GGUF cannot represent — an array whose elements differ in type, arrays nested
    /// deeper than the reader accepts, or a `general.alignment` that is not a non-zero power of two
    /// — is not added; [`GgufWriter::try_to_bytes`] and [`GgufWriter::write`] then report it.
    pub fn add_metadata(&mut self, key: impl Into<String>, value: MetadataValue) -> &mut Self {
        let key = key.into();
        if let Err(reason) = check_value(&key, &value, 0) {
            self.rejected.get_or_insert((key, reason));
            return self;
        }
        match self.metadata.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.metadata.push((key, value)),
        }
        self
    }

    /// Adds an F32 tensor of row-major `shape` (outermost first).
    ///
    /// # Errors
    /// [`ModelError::ShapeMismatch`] if `data` does not have `shape`'s element count;
    /// [`ModelError::UnsupportedType`] for more than 4 dimensions; [`ModelError::Config`] if a
    /// tensor of that name was already added.
    pub fn add_f32(
        &mut self,
        name: impl Into<String>,
        shape: &[usize],
        data: &[f32],
    ) -> Result<&mut Self> {
        let name = name.into();
        let dims = self.check_tensor(&name, shape, data, GgmlType::F32)?;
        let bytes = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        Ok(self.push(name, dims, GgmlType::F32, bytes))
    }

    /// Adds an F16 tensor (values rounded to nearest even). Errors as [`GgufWriter::add_f32`].
    pub fn add_f16(
        &mut self,
        name: impl Into<String>,
        shape: &[usize],
        data: &[f32],
    ) -> Result<&mut Self> {
        let name = name.into();
        let dims = self.check_tensor(&name, shape, data, GgmlType::F16)?;
        let bytes = data
            .iter()
            .flat_map(|&v| f16::from_f32(v).to_le_bytes())
            .collect();
        Ok(self.push(name, dims, GgmlType::F16, bytes))
    }

    /// Adds a tensor quantised to Q8_0 with ggml's reference quantiser.
    ///
    /// # Errors
    /// As [`GgufWriter::add_f32`], and [`ModelError::UnsupportedType`] if the innermost dimension
    /// (the last of `shape`) is not a multiple of 32.
    pub fn add_q8_0(
        &mut self,
        name: impl Into<String>,
        shape: &[usize],
        data: &[f32],
    ) -> Result<&mut Self> {
        let name = name.into();
        let dims = self.check_tensor(&name, shape, data, GgmlType::Q8_0)?;
        let bytes = quantize_q8_0(data);
        Ok(self.push(name, dims, GgmlType::Q8_0, bytes))
    }

    /// Adds a tensor whose bytes are already encoded in `ggml_type` (any type with a known block
    /// layout). `shape` is row-major.
    ///
    /// # Errors
    /// [`ModelError::ShapeMismatch`] if `data` is not exactly the size `shape` needs in that type;
    /// otherwise as [`GgufWriter::add_f32`].
    pub fn add_raw(
        &mut self,
        name: impl Into<String>,
        shape: &[usize],
        ggml_type: GgmlType,
        data: Vec<u8>,
    ) -> Result<&mut Self> {
        let name = name.into();
        let dims = self.check_shape(&name, shape, ggml_type)?;
        let size = shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .and_then(|n| ggml_type.bytes_for(n));
        match size {
            Some(size) if size == data.len() => Ok(self.push(name, dims, ggml_type, data)),
            _ => Err(ModelError::ShapeMismatch {
                name,
                expected: vec![size.unwrap_or(usize::MAX)],
                got: vec![data.len()],
            }),
        }
    }

    fn push(
        &mut self,
        name: String,
        dims: Vec<u64>,
        ggml_type: GgmlType,
        data: Vec<u8>,
    ) -> &mut Self {
        self.tensors.push(PendingTensor {
            name,
            dims,
            ggml_type,
            data,
        });
        self
    }

    /// Checks name, shape and element count; returns the GGML dims.
    fn check_tensor(
        &self,
        name: &str,
        shape: &[usize],
        data: &[f32],
        ty: GgmlType,
    ) -> Result<Vec<u64>> {
        let dims = self.check_shape(name, shape, ty)?;
        let n = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        if n != Some(data.len()) {
            return Err(ModelError::ShapeMismatch {
                name: name.into(),
                expected: shape.to_vec(),
                got: vec![data.len()],
            });
        }
        Ok(dims)
    }

    fn check_shape(&self, name: &str, shape: &[usize], ty: GgmlType) -> Result<Vec<u64>> {
        if self.tensors.iter().any(|t| t.name == name) {
            return Err(ModelError::Config(format!(
                "GGUF writer: tensor `{name}` added twice"
            )));
        }
        let unsupported = |why: String| ModelError::UnsupportedType {
            name: name.into(),
            dtype: why,
        };
        if shape.len() > MAX_DIMS {
            return Err(unsupported(format!(
                "{ty} with {} dimensions (at most {MAX_DIMS})",
                shape.len()
            )));
        }
        let row = shape.last().copied().unwrap_or(1);
        if ty.type_size().is_none() || !row.is_multiple_of(ty.block_size()) {
            return Err(unsupported(format!(
                "{ty} with innermost dimension {row} (must be a multiple of {})",
                ty.block_size()
            )));
        }
        Ok(shape.iter().rev().map(|&d| d as u64).collect())
    }

    /// The data alignment: `general.alignment` if the caller added it, else 32.
    fn alignment(&self) -> u64 {
        self.metadata
            .iter()
            .find(|(k, _)| k == ALIGNMENT_KEY)
            .and_then(|(_, v)| v.as_u64())
            .unwrap_or(DEFAULT_ALIGNMENT)
    }

    /// Encodes the file. Metadata refused by [`GgufWriter::add_metadata`] is left out; use
    /// [`GgufWriter::try_to_bytes`] to have that reported.
    pub fn to_bytes(&self) -> Vec<u8> {
        let alignment = self.alignment() as usize;
        let mut buf = Vec::new();
        buf.extend_from_slice(&MAGIC);
        buf.extend_from_slice(&3u32.to_le_bytes());
        buf.extend_from_slice(&(self.tensors.len() as u64).to_le_bytes());
        buf.extend_from_slice(&(self.metadata.len() as u64).to_le_bytes());
        for (key, value) in &self.metadata {
            put_string(&mut buf, key);
            buf.extend_from_slice(&value.type_id().to_le_bytes());
            put_value(&mut buf, value);
        }
        let mut offsets = Vec::with_capacity(self.tensors.len());
        let mut next = 0usize;
        for t in &self.tensors {
            offsets.push(next);
            next = (next + t.data.len()).next_multiple_of(alignment);
            put_string(&mut buf, &t.name);
            buf.extend_from_slice(&(t.dims.len() as u32).to_le_bytes());
            for d in &t.dims {
                buf.extend_from_slice(&d.to_le_bytes());
            }
            buf.extend_from_slice(&t.ggml_type.as_u32().to_le_bytes());
            buf.extend_from_slice(&(*offsets.last().unwrap_or(&0) as u64).to_le_bytes());
        }
        buf.resize(buf.len().next_multiple_of(alignment), 0);
        let data_start = buf.len();
        buf.reserve(next);
        for (t, offset) in self.tensors.iter().zip(offsets) {
            buf.resize(data_start + offset, 0);
            buf.extend_from_slice(&t.data);
        }
        // Pad the last tensor too, as llama.cpp's writer does.
        buf.resize(data_start + next, 0);
        buf
    }

    /// Encodes the file, or reports the first metadata entry [`GgufWriter::add_metadata`] refused.
    ///
    /// # Errors
    /// [`ModelError::Metadata`] naming the refused key.
    pub fn try_to_bytes(&self) -> Result<Vec<u8>> {
        match &self.rejected {
            Some((key, reason)) => Err(ModelError::metadata(key.clone(), reason.clone())),
            None => Ok(self.to_bytes()),
        }
    }

    /// Writes the file atomically: to a temporary file in the same directory, fsync, rename.
    ///
    /// # Errors
    /// [`ModelError::Metadata`] as [`GgufWriter::try_to_bytes`]; [`ModelError::Io`] if writing
    /// fails (the temporary file is removed and `path` is left untouched).
    pub fn write(&self, path: &Path) -> Result<()> {
        let bytes = self.try_to_bytes()?;
        write_atomic(path, &bytes)
    }
}

/// Writes `bytes` to `path` atomically ([`hirelm_core::fs::write_atomic`]).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    hirelm_core::fs::write_atomic(path, bytes).map_err(|e| ModelError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_metadata_is_reported_not_written() {
        let mut w = GgufWriter::new();
        w.add_metadata(
            "mixed",
            MetadataValue::Array(vec![MetadataValue::U8(1), "x".into()]),
        );
        w.add_metadata(ALIGNMENT_KEY, MetadataValue::U32(3));
        w.add_metadata("ok", MetadataValue::U8(1));
        let err = w.try_to_bytes().expect_err("mixed array").to_string();
        assert!(
            err.contains("`mixed`") && err.contains("homogeneous"),
            "{err}"
        );
        assert_eq!(w.metadata.len(), 1);
    }

    #[test]
    fn replacing_a_key_keeps_its_position() {
        let mut w = GgufWriter::new();
        w.add_metadata("a", MetadataValue::U8(1))
            .add_metadata("b", MetadataValue::U8(2));
        w.add_metadata("a", MetadataValue::U8(3));
        assert_eq!(
            w.metadata,
            [
                ("a".into(), MetadataValue::U8(3)),
                ("b".into(), MetadataValue::U8(2))
            ]
        );
    }

    #[test]
    fn tensor_argument_errors() {
        let mut w = GgufWriter::new();
        assert!(matches!(
            w.add_f32("a", &[2, 3], &[0.0; 5]),
            Err(ModelError::ShapeMismatch { .. })
        ));
        assert!(matches!(
            w.add_q8_0("a", &[2, 33], &[0.0; 66]),
            Err(ModelError::UnsupportedType { .. })
        ));
        assert!(matches!(
            w.add_f32("a", &[1; 5], &[0.0]),
            Err(ModelError::UnsupportedType { .. })
        ));
        assert!(w.add_f32("a", &[1], &[0.0]).is_ok());
        assert!(matches!(
            w.add_f16("a", &[1], &[0.0]),
            Err(ModelError::Config(_))
        ));
    }

    #[test]
    fn layout_is_aligned() {
        let mut w = GgufWriter::new();
        w.add_metadata(ALIGNMENT_KEY, MetadataValue::U32(64));
        let _ = w
            .add_f32("a", &[3], &[1.0, 2.0, 3.0])
            .and_then(|w| w.add_f16("b", &[1], &[1.0]));
        let bytes = w.to_bytes();
        assert_eq!(bytes.len() % 64, 0);
        assert_eq!(&bytes[..4], b"GGUF");
    }
}
