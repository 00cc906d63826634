//! [`GgufFile`]: an opened, validated GGUF file with typed metadata access and tensor data.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::dequant;
use super::header;
use super::tensor_info::TensorInfo;
use super::value::MetadataValue;
use crate::error::{ModelError, Result};

/// The bytes of a GGUF file: memory-mapped from disk, or owned.
enum Storage {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Storage {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Mapped(map) => map,
            Self::Owned(bytes) => bytes,
        }
    }
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Self::Mapped(_) => "Mapped",
            Self::Owned(_) => "Owned",
        };
        write!(f, "{kind}({} bytes)", self.bytes().len())
    }
}

/// A GGUF file (versions 2 and 3) whose header has been parsed and validated.
///
/// Opening checks the whole header and that every tensor's data is aligned and inside the file,
/// so [`GgufFile::tensor_data`] cannot fail for the file's own tensors. Tensor data is not copied:
/// it is read from the memory map (or owned buffer) on demand.
///
/// ```no_run
/// # fn main() -> hirelm_model::Result<()> {
/// use hirelm_model::gguf::GgufFile;
/// let file = GgufFile::open("model.gguf".as_ref())?;
/// assert_eq!(file.architecture()?, "llama");
/// let n_layers = file.get_u64("llama.block_count")?;
/// let embeddings: Vec<f32> = file.dequantize("token_embd.weight")?;
/// # let _ = (n_layers, embeddings);
/// # Ok(())
/// # }
/// ```
pub struct GgufFile {
    /// Format version (2 or 3).
    pub version: u32,
    /// Alignment of the data section and of each tensor (`general.alignment`, default 32).
    pub alignment: u64,
    /// Metadata key/value pairs in file order.
    pub metadata: Vec<(String, MetadataValue)>,
    /// Tensor infos in file order.
    pub tensors: Vec<TensorInfo>,
    storage: Storage,
    data_offset: u64,
    path: Option<PathBuf>,
    tensor_index: HashMap<String, usize>,
}

impl GgufFile {
    /// Memory-maps and validates the GGUF file at `path`.
    ///
    /// # Errors
    /// [`ModelError::Io`] if the file cannot be opened or mapped; [`ModelError::Gguf`] (with the
    /// path appended to the reason) if it is malformed.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| ModelError::io(path, e))?;
        let len = file.metadata().map_err(|e| ModelError::io(path, e))?.len();
        // Mapping an empty file fails on some platforms; an empty buffer gives the proper error.
        let storage = if len == 0 {
            Storage::Owned(Vec::new())
        } else {
            map(&file, path)?
        };
        Self::from_storage(storage, Some(path.to_path_buf())).map_err(|err| match err {
            ModelError::Gguf {
                offset,
                field,
                reason,
            } => ModelError::gguf(offset, field, format!("{reason} (in {})", path.display())),
            other => other,
        })
    }

    /// Validates a GGUF file held in memory (tests, fuzzing, downloads).
    ///
    /// # Errors
    /// [`ModelError::Gguf`] if the bytes are not a well-formed GGUF file.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        Self::from_storage(Storage::Owned(bytes), None)
    }

    fn from_storage(storage: Storage, path: Option<PathBuf>) -> Result<Self> {
        let header = header::parse(storage.bytes())?;
        let tensor_index = header
            .tensors
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        Ok(Self {
            version: header.version,
            alignment: header.alignment,
            metadata: header.metadata,
            tensors: header.tensors,
            storage,
            data_offset: header.data_offset,
            path,
            tensor_index,
        })
    }

    /// Absolute byte offset of the data section (tensor offsets are relative to it).
    pub fn data_offset(&self) -> u64 {
        self.data_offset
    }

    /// The file this was opened from, if it was opened with [`GgufFile::open`].
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The whole file's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.storage.bytes()
    }

    /// The value of metadata `key`, if present.
    pub fn get(&self, key: &str) -> Option<&MetadataValue> {
        self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of metadata `key`, or [`ModelError::Metadata`] if it is missing.
    fn require(&self, key: &str) -> Result<&MetadataValue> {
        self.get(key)
            .ok_or_else(|| ModelError::metadata(key, "missing from the GGUF metadata"))
    }

    /// Metadata `key` as an unsigned integer (any integer type holding a non-negative value).
    ///
    /// # Errors
    /// [`ModelError::Metadata`] naming the key if it is missing or not such an integer.
    pub fn get_u64(&self, key: &str) -> Result<u64> {
        let value = self.require(key)?;
        value
            .as_u64()
            .ok_or_else(|| wrong_type(key, "a non-negative integer", value))
    }

    /// Metadata `key` as a float (any numeric type).
    ///
    /// # Errors
    /// [`ModelError::Metadata`] naming the key if it is missing or not numeric.
    pub fn get_f64(&self, key: &str) -> Result<f64> {
        let value = self.require(key)?;
        value
            .as_f64()
            .ok_or_else(|| wrong_type(key, "a number", value))
    }

    /// Metadata `key` as a string.
    ///
    /// # Errors
    /// [`ModelError::Metadata`] naming the key if it is missing or not a string.
    pub fn get_str(&self, key: &str) -> Result<&str> {
        let value = self.require(key)?;
        value
            .as_str()
            .ok_or_else(|| wrong_type(key, "a string", value))
    }

    /// Metadata `key` as an array of strings (e.g. `tokenizer.ggml.tokens`).
    ///
    /// # Errors
    /// [`ModelError::Metadata`] naming the key if it is missing, not an array, or has an element
    /// that is not a string.
    pub fn get_str_array(&self, key: &str) -> Result<Vec<&str>> {
        let value = self.require(key)?;
        let items = value
            .as_array()
            .ok_or_else(|| wrong_type(key, "an array of strings", value))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().ok_or_else(|| {
                    ModelError::metadata(
                        key,
                        format!("element {i} is {}, expected a string", describe(item)),
                    )
                })
            })
            .collect()
    }

    /// The model architecture, `general.architecture` (`"llama"`, `"bert"`, ...).
    ///
    /// # Errors
    /// [`ModelError::Metadata`] if the key is missing or not a string.
    pub fn architecture(&self) -> Result<&str> {
        self.get_str("general.architecture")
    }

    /// The info of tensor `name`, if present.
    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        // The index may be stale if the caller edited the public `tensors`; verify and fall back.
        match self
            .tensor_index
            .get(name)
            .and_then(|&i| self.tensors.get(i))
        {
            Some(info) if info.name == name => Some(info),
            _ => self.tensors.iter().find(|t| t.name == name),
        }
    }

    /// The raw (possibly quantised) bytes of a tensor, bounds-checked against the file.
    ///
    /// # Errors
    /// [`ModelError::UnsupportedType`] if the tensor's size cannot be computed from its type and
    /// dims; [`ModelError::Gguf`] if its data does not lie inside the file.
    pub fn tensor_data(&self, info: &TensorInfo) -> Result<&[u8]> {
        let size = info.n_bytes().ok_or_else(|| ModelError::UnsupportedType {
            name: info.name.clone(),
            dtype: format!("{} with dims {:?}", info.ggml_type, info.dims),
        })?;
        let bytes = self.storage.bytes();
        let start = self
            .data_offset
            .checked_add(info.offset)
            .and_then(|s| usize::try_from(s).ok());
        match start.and_then(|s| Some((s, s.checked_add(size)?))) {
            Some((start, end)) if end <= bytes.len() => Ok(&bytes[start..end]),
            _ => Err(ModelError::gguf(
                self.data_offset.saturating_add(info.offset),
                format!("tensor `{}`.data", info.name),
                format!(
                    "{size} bytes do not fit in the file ({} bytes)",
                    bytes.len()
                ),
            )),
        }
    }

    /// Dequantises tensor `name` to row-major `f32` (`n_elements` values).
    ///
    /// # Errors
    /// [`ModelError::MissingTensor`] if there is no such tensor; [`ModelError::UnsupportedType`]
    /// if its type cannot be dequantised.
    pub fn dequantize(&self, name: &str) -> Result<Vec<f32>> {
        let info = self
            .tensor(name)
            .ok_or_else(|| ModelError::MissingTensor { name: name.into() })?;
        let data = self.tensor_data(info)?;
        dequant::dequantize(info.ggml_type, data, info.n_elements(), &info.name)
    }
}

impl fmt::Debug for GgufFile {
    /// Summarises the file: metadata and tensors by count (a tokenizer array alone can hold
    /// 100k strings).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GgufFile")
            .field("path", &self.path)
            .field("version", &self.version)
            .field("alignment", &self.alignment)
            .field("metadata_len", &self.metadata.len())
            .field("tensors_len", &self.tensors.len())
            .field("data_offset", &self.data_offset)
            .field("storage", &self.storage)
            .finish()
    }
}

/// Maps `file` read-only.
#[allow(unsafe_code)]
fn map(file: &File, path: &Path) -> Result<Storage> {
    // SAFETY: the map is read-only and private to this process. Like every memory-mapped reader
    // (llama.cpp, safetensors, candle) we rely on the model file not being truncated or modified
    // while it is open; all accesses are bounds-checked against the length seen at map time.
    let map = unsafe { memmap2::Mmap::map(file) }.map_err(|e| ModelError::io(path, e))?;
    Ok(Storage::Mapped(map))
}

/// A short description of a value for error messages (arrays by length, not content).
fn describe(value: &MetadataValue) -> String {
    match value {
        MetadataValue::Array(items) => format!("an array of {} elements", items.len()),
        MetadataValue::String(s) if s.len() > 64 => format!("a string of {} bytes", s.len()),
        other => format!("{} {other:?}", other.type_name()),
    }
}

fn wrong_type(key: &str, expected: &str, found: &MetadataValue) -> ModelError {
    ModelError::metadata(
        key,
        format!("expected {expected}, found {}", describe(found)),
    )
}
