//! Named tensors from checkpoint files: the [`WeightSource`] trait, memory-mapped
//! [`SafetensorsWeights`], strict [`load_param`] / [`load_linear_weight`], and a small
//! [`write_safetensors`] used by tests and exporters.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use burn::module::Param;
use burn::tensor::{Device, Tensor, TensorData};
use memmap2::Mmap;
pub use safetensors::Dtype;
use safetensors::SafeTensors;
use safetensors::tensor::{Metadata, TensorInfo};

use crate::{ModelError, Result};

/// A named tensor as checkpoints hold it: name, shape, row-major f32 values. What loaders
/// return and exporters write, for every architecture.
pub type NamedTensor = (String, Vec<usize>, Vec<f32>);

/// A tensor's values as f32, or an error naming it: a tensor whose elements cannot be read as
/// f32 is refused, never exported or saved as an empty one.
pub fn f32_values(data: TensorData, name: &str) -> Result<Vec<f32>> {
    let dtype = data.dtype();
    data.try_into_vec_as::<f32>()
        .map_err(|_| ModelError::UnsupportedType {
            name: name.to_string(),
            dtype: format!("{dtype:?}"),
        })
}

/// Random values for each `(name, shape)`: norm gains (1-D) near one, matrices uniform in
/// ±√(3/fan-in); what tests use for a model of the right shape without a download.
pub fn random_tensors(shapes: Vec<(String, Vec<usize>)>, seed: u64) -> Vec<NamedTensor> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    shapes
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let data = if shape.len() == 1 {
                (0..n).map(|_| 1.0 + rng.random_range(-0.1..0.1)).collect()
            } else {
                let bound = (3.0 / shape[1] as f32).sqrt();
                (0..n).map(|_| rng.random_range(-bound..bound)).collect()
            };
            (name, shape, data)
        })
        .collect()
}

/// A read-only collection of named tensors (a checkpoint), converted to `f32` on request.
pub trait WeightSource {
    /// The tensor `name` as its row-major shape (outermost first) and its values.
    ///
    /// Returns [`ModelError::MissingTensor`] when there is no such tensor.
    fn tensor_f32(&self, name: &str) -> Result<(Vec<usize>, Vec<f32>)>;
    /// Whether a tensor called `name` exists.
    fn contains(&self, name: &str) -> bool;
    /// All tensor names, sorted.
    fn names(&self) -> Vec<String>;
}

/// One or several `.safetensors` files, memory-mapped; tensors are decoded on demand.
///
/// Supports `F32`, `F16` and `BF16` storage; other types give [`ModelError::UnsupportedType`]
/// when the tensor is read (they may be present, e.g. BERT's `I64` `position_ids`).
pub struct SafetensorsWeights {
    files: Vec<MappedFile>,
    index: HashMap<String, (usize, TensorInfo)>,
}

struct MappedFile {
    path: PathBuf,
    map: Mmap,
    /// Byte offset of the data section (8-byte length + JSON header).
    data_start: usize,
}

impl std::fmt::Debug for SafetensorsWeights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafetensorsWeights")
            .field(
                "files",
                &self.files.iter().map(|m| &m.path).collect::<Vec<_>>(),
            )
            .field("tensors", &self.index.len())
            .finish()
    }
}

impl SafetensorsWeights {
    /// Memory-maps one `.safetensors` file and parses its header.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_all(&[path.as_ref().to_path_buf()])
    }

    /// Memory-maps several `.safetensors` files (a sharded checkpoint) as one source.
    ///
    /// A tensor name present in two files is an error.
    pub fn open_all(paths: &[PathBuf]) -> Result<Self> {
        let mut files = Vec::with_capacity(paths.len());
        let mut index = HashMap::new();
        for path in paths {
            let (mapped, metadata) = map_file(path)?;
            let file_index = files.len();
            for (name, info) in metadata.tensors() {
                if let Some((other, _)) = index.insert(name.clone(), (file_index, info.clone())) {
                    let other = files.get(other).map_or(path, |f: &MappedFile| &f.path);
                    return Err(ModelError::Safetensors {
                        path: path.clone(),
                        reason: format!("tensor `{name}` is also in {}", other.display()),
                    });
                }
            }
            files.push(mapped);
        }
        Ok(Self { files, index })
    }

    /// The storage type and shape of `name`, without decoding it.
    pub fn info(&self, name: &str) -> Option<(Dtype, &[usize])> {
        self.index
            .get(name)
            .map(|(_, info)| (info.dtype, info.shape.as_slice()))
    }
}

fn map_file(path: &Path) -> Result<(MappedFile, Metadata)> {
    let file = File::open(path).map_err(|e| ModelError::io(path, e))?;
    #[allow(unsafe_code)]
    // SAFETY: the map is read-only and private to this process. Like every mmap-based reader we
    // assume the checkpoint is not truncated or rewritten while mapped; our own writer replaces
    // files by atomic rename, which leaves existing maps intact.
    let map = unsafe { Mmap::map(&file) }.map_err(|e| ModelError::io(path, e))?;
    let (header_len, metadata) =
        SafeTensors::read_metadata(&map).map_err(|e| ModelError::Safetensors {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    let data_start = 8 + header_len;
    Ok((
        MappedFile {
            path: path.to_path_buf(),
            map,
            data_start,
        },
        metadata,
    ))
}

impl WeightSource for SafetensorsWeights {
    fn tensor_f32(&self, name: &str) -> Result<(Vec<usize>, Vec<f32>)> {
        let (file, info) = self
            .index
            .get(name)
            .ok_or_else(|| ModelError::MissingTensor {
                name: name.to_owned(),
            })?;
        let file = &self.files[*file];
        let (begin, end) = info.data_offsets;
        // `read_metadata` validated the offsets against the buffer length.
        let bytes = file
            .map
            .get(file.data_start + begin..file.data_start + end)
            .ok_or_else(|| ModelError::Safetensors {
                path: file.path.clone(),
                reason: format!("tensor `{name}` data lies outside the file"),
            })?;
        let values = decode_f32(name, info.dtype, bytes)?;
        Ok((info.shape.clone(), values))
    }

    fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.index.keys().cloned().collect();
        names.sort();
        names
    }
}

/// Decodes little-endian `F32`, `F16` or `BF16` bytes into `f32`.
fn decode_f32(name: &str, dtype: Dtype, bytes: &[u8]) -> Result<Vec<f32>> {
    let values = match dtype {
        Dtype::F32 => bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        Dtype::F16 => bytes
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
        Dtype::BF16 => bytes
            .chunks_exact(2)
            .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
        other => {
            return Err(ModelError::UnsupportedType {
                name: name.to_owned(),
                dtype: other.to_string(),
            });
        }
    };
    Ok(values)
}

/// Reads `name` from `src` as a parameter of exactly the shape `expected`.
///
/// Returns [`ModelError::MissingTensor`] or [`ModelError::ShapeMismatch`] naming the tensor.
pub fn load_param<const D: usize>(
    src: &dyn WeightSource,
    name: &str,
    expected: [usize; D],
    device: &Device,
) -> Result<Param<Tensor<D>>> {
    let (shape, values) = src.tensor_f32(name)?;
    if shape.as_slice() != expected.as_slice() {
        return Err(ModelError::ShapeMismatch {
            name: name.to_owned(),
            expected: expected.to_vec(),
            got: shape,
        });
    }
    let tensor = Tensor::<D>::from_data(TensorData::new(values, expected), device);
    Ok(Param::from_tensor(tensor))
}

/// Reads a PyTorch `nn.Linear` weight (stored `[d_out, d_in]`) and returns it transposed to
/// `[d_in, d_out]`, the layout of [`burn::tensor::module::linear`].
///
/// The transpose is done once on the host, so the parameter is contiguous.
pub fn load_linear_weight(
    src: &dyn WeightSource,
    name: &str,
    d_in: usize,
    d_out: usize,
    device: &Device,
) -> Result<Param<Tensor<2>>> {
    let (shape, values) = src.tensor_f32(name)?;
    if shape != [d_out, d_in] {
        return Err(ModelError::ShapeMismatch {
            name: name.to_owned(),
            expected: vec![d_out, d_in],
            got: shape,
        });
    }
    let mut transposed = vec![0.0f32; values.len()];
    for (o, row) in values.chunks_exact(d_in).enumerate() {
        for (i, &v) in row.iter().enumerate() {
            transposed[i * d_out + o] = v;
        }
    }
    let tensor = Tensor::<2>::from_data(TensorData::new(transposed, [d_in, d_out]), device);
    Ok(Param::from_tensor(tensor))
}

/// Writes `f32` tensors `(name, row-major shape, values)` to a `.safetensors` file.
///
/// The file is written to a temporary sibling and renamed into place, so `path` never holds a
/// half-written file. Names must be unique and each shape must match its value count.
pub fn write_safetensors(path: &Path, tensors: &[NamedTensor]) -> Result<()> {
    write_safetensors_as(path, tensors, Dtype::F32)
}

/// As [`write_safetensors`], storing the values as `dtype`: `F32`, `F16` (half the size, for
/// shipping adapters) or `BF16`.
pub fn write_safetensors_as(path: &Path, tensors: &[NamedTensor], dtype: Dtype) -> Result<()> {
    let invalid = |reason: String| ModelError::Safetensors {
        path: path.to_path_buf(),
        reason,
    };
    let mut seen = std::collections::HashSet::new();
    let mut encoded = Vec::with_capacity(tensors.len());
    for (name, shape, values) in tensors {
        if !seen.insert(name.as_str()) {
            return Err(invalid(format!("duplicate tensor name `{name}`")));
        }
        let count: usize = shape.iter().product();
        if count != values.len() {
            return Err(invalid(format!(
                "tensor `{name}` has shape {shape:?} ({count} values) but {} values",
                values.len()
            )));
        }
        let bytes: Vec<u8> = match dtype {
            Dtype::F32 => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            Dtype::F16 => values
                .iter()
                .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
                .collect(),
            Dtype::BF16 => values
                .iter()
                .flat_map(|v| half::bf16::from_f32(*v).to_le_bytes())
                .collect(),
            other => return Err(invalid(format!("cannot write {other:?} tensors"))),
        };
        encoded.push((name.as_str(), shape.clone(), bytes));
    }
    let views = encoded
        .iter()
        .map(|(name, shape, bytes)| {
            safetensors::tensor::TensorView::new(dtype, shape.clone(), bytes)
                .map(|view| (*name, view))
                .map_err(|e| invalid(e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;

    let file_name = path
        .file_name()
        .ok_or_else(|| invalid("the path has no file name".to_owned()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(".tmp{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = safetensors::serialize_to_file(views, None, &tmp)
        .map_err(|e| invalid(e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| ModelError::io(path, e)));
    if result.is_err() {
        // Best effort: the temporary file is useless after a failure.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests;
