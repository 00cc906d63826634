//! GGUF: reading (memory-mapped), dequantising and writing ggml's model file format.
//!
//! - [`GgufFile`] opens a GGUF v2/v3 file, validates the whole header up front (every count
//!   against the bytes left, every tensor aligned and inside the file) and gives typed access to
//!   metadata ([`GgufFile::get_u64`], [`GgufFile::get_str_array`], ...) and to tensor data.
//! - [`dequantize`] turns F32/F16/BF16, Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 and Q2_K..Q8_K data into `f32`,
//!   bit-for-bit as ggml's `dequantize_row_*`, in parallel over blocks.
//! - [`GgufWriter`] builds small v3 files (F32, F16, Q8_0 tensors; any metadata), for fixtures and
//!   exports; writes are atomic.
//!
//! Malformed input never panics: it is a [`ModelError::Gguf`](crate::ModelError::Gguf) naming the
//! byte offset and the field (`header.magic`, `metadata[`general.name`].value`,
//! `tensor_info[3].n_dims`, ...).
//!
//! # File layout (little-endian)
//!
//! ```text
//! "GGUF" u32 version  u64 tensor_count  u64 metadata_kv_count
//! metadata_kv_count × { string key, u32 value_type, value }
//! tensor_count × { string name, u32 n_dims, u64 dims[n_dims], u32 ggml_type, u64 offset }
//! padding to general.alignment (default 32)
//! tensor data, each tensor at data_start + offset (offset a multiple of the alignment)
//! ```
//!
//! Strings are a u64 byte length and UTF-8 bytes. Tensor dims are in GGML order (innermost
//! first); [`TensorInfo::shape`] gives the row-major shape.
//!
//! # Example
//!
//! ```
//! # fn main() -> hirelm_model::Result<()> {
//! use hirelm_model::gguf::{GgufFile, GgufWriter, MetadataValue};
//!
//! let mut writer = GgufWriter::new();
//! writer.add_metadata("general.architecture", MetadataValue::from("llama"));
//! writer.add_q8_0("w", &[2, 32], &vec![0.5; 64])?;
//! let file = GgufFile::from_bytes(writer.to_bytes())?;
//! assert_eq!(file.architecture()?, "llama");
//! assert_eq!(file.tensor("w").map(|t| t.shape()), Some(vec![2, 32]));
//! assert!(file.dequantize("w")?.iter().all(|&v| (v - 0.5).abs() < 1e-3));
//! # Ok(())
//! # }
//! ```

mod cursor;
mod dequant;
mod encode;
mod file;
mod header;
mod quantize;
mod tensor_info;
mod types;
mod value;
mod writer;

pub use dequant::{dequantize, is_supported};
pub use file::GgufFile;
pub use header::{ALIGNMENT_KEY, DEFAULT_ALIGNMENT, MAGIC, MAX_ARRAY_DEPTH};
pub use quantize::quantize_q8_0;
pub use tensor_info::{MAX_DIMS, TensorInfo};
pub use types::{GgmlType, QK_K};
pub use value::MetadataValue;
pub use writer::GgufWriter;
