//! Parsing and validation of the GGUF header: magic, version, metadata and tensor infos.
//!
//! Every count is checked against the bytes left before anything is allocated for it, and every
//! failure is a [`ModelError::Gguf`] naming the byte offset and the field.

use std::collections::HashSet;

use super::cursor::Cursor;
use super::tensor_info::{MAX_DIMS, TensorInfo};
use super::types::GgmlType;
use super::value::{MetadataValue, type_id, type_name_of};
use crate::error::{ModelError, Result};

/// The four magic bytes every GGUF file starts with.
pub const MAGIC: [u8; 4] = *b"GGUF";
/// Alignment of the data section and of every tensor when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;
/// The metadata key that overrides [`DEFAULT_ALIGNMENT`].
pub const ALIGNMENT_KEY: &str = "general.alignment";
/// Deepest nesting of metadata arrays accepted (ggml has no limit; this stops a crafted file
/// from exhausting the stack).
pub const MAX_ARRAY_DEPTH: usize = 16;

/// Smallest encoded tensor info: empty name (8), n_dims (4), type (4), offset (8).
const MIN_TENSOR_INFO_SIZE: usize = 8 + 4 + 4 + 8;
/// Smallest encoded key/value pair: empty key (8), type (4), one-byte value (1).
const MIN_KV_SIZE: usize = 8 + 4 + 1;

/// Everything in a GGUF file before the tensor data, validated against the file's length.
#[derive(Debug)]
pub(crate) struct Header {
    pub version: u32,
    pub alignment: u64,
    pub metadata: Vec<(String, MetadataValue)>,
    pub tensors: Vec<TensorInfo>,
    /// Absolute offset of the data section (the header end rounded up to `alignment`).
    pub data_offset: u64,
}

/// Parses and validates the header of the GGUF file `bytes`, including that every tensor's data
/// lies inside `bytes`.
pub(crate) fn parse(bytes: &[u8]) -> Result<Header> {
    let mut c = Cursor::new(bytes);
    let magic = c.take(4, || "header.magic".into())?;
    if magic != MAGIC {
        return Err(ModelError::gguf(
            0,
            "header.magic",
            format!("expected \"GGUF\" (47 47 55 46), found {magic:02x?}"),
        ));
    }
    let version = c.u32(|| "header.version".into())?;
    match version {
        2 | 3 => {}
        1 => {
            return Err(ModelError::gguf(
                4,
                "header.version",
                "GGUF version 1 is not supported (only versions 2 and 3); re-convert the model",
            ));
        }
        v if v.swap_bytes() == 2 || v.swap_bytes() == 3 => {
            return Err(ModelError::gguf(
                4,
                "header.version",
                format!(
                    "version {v} looks like a big-endian GGUF file; only little-endian is supported"
                ),
            ));
        }
        v => {
            return Err(ModelError::gguf(
                4,
                "header.version",
                format!("unsupported GGUF version {v} (only versions 2 and 3)"),
            ));
        }
    }
    let tensor_count = c.u64(|| "header.tensor_count".into())?;
    let kv_count = c.u64(|| "header.metadata_kv_count".into())?;
    let kv_count = c.check_count(kv_count, MIN_KV_SIZE, 16, || {
        "header.metadata_kv_count".into()
    })?;

    let (metadata, alignment) = parse_metadata(&mut c, kv_count)?;

    let tensor_count = c.check_count(tensor_count, MIN_TENSOR_INFO_SIZE, 8, || {
        "header.tensor_count".into()
    })?;
    let mut tensors = Vec::with_capacity(tensor_count);
    let mut offset_fields = Vec::with_capacity(tensor_count);
    let mut names = HashSet::with_capacity(tensor_count);
    for i in 0..tensor_count {
        let start = c.pos();
        let info = parse_tensor_info(&mut c, i)?;
        if !names.insert(info.name.clone()) {
            return Err(ModelError::gguf(
                start,
                format!("tensor_info[{i}].name"),
                format!("duplicate tensor name `{}`", info.name),
            ));
        }
        offset_fields.push(c.pos() - 8);
        tensors.push(info);
    }

    let data_offset = c
        .pos()
        .div_ceil(alignment)
        .checked_mul(alignment)
        .ok_or_else(|| {
            ModelError::gguf(
                c.pos(),
                "data section",
                format!("alignment {alignment} overflows"),
            )
        })?;
    for (i, (info, &field_offset)) in tensors.iter().zip(&offset_fields).enumerate() {
        check_tensor_placement(info, i, field_offset, data_offset, alignment, bytes.len())?;
    }
    Ok(Header {
        version,
        alignment,
        metadata,
        tensors,
        data_offset,
    })
}

/// Reads `count` key/value pairs and returns them with the data alignment they specify.
fn parse_metadata(c: &mut Cursor<'_>, count: usize) -> Result<(Vec<(String, MetadataValue)>, u64)> {
    let mut metadata = Vec::with_capacity(count);
    let mut keys = HashSet::with_capacity(count);
    let mut alignment = None;
    for i in 0..count {
        let key_offset = c.pos();
        let key = c.string(|| format!("metadata[{i}].key"))?;
        if !keys.insert(key.clone()) {
            return Err(ModelError::gguf(
                key_offset,
                format!("metadata[{i}].key"),
                format!("duplicate key `{key}`"),
            ));
        }
        let type_offset = c.pos();
        let ty = c.u32(|| format!("metadata[`{key}`].type"))?;
        if type_name_of(ty).is_none() {
            return Err(ModelError::gguf(
                type_offset,
                format!("metadata[`{key}`].type"),
                format!("invalid metadata value type {ty} (valid: 0..=12)"),
            ));
        }
        let value_offset = c.pos();
        let value = read_value(c, ty, type_offset, 0, &|| {
            format!("metadata[`{key}`].value")
        })?;
        if key == ALIGNMENT_KEY {
            alignment = Some(check_alignment(&value, value_offset)?);
        }
        metadata.push((key, value));
    }
    Ok((metadata, alignment.unwrap_or(DEFAULT_ALIGNMENT)))
}

/// Checks that a `general.alignment` value is a non-zero power of two.
fn check_alignment(value: &MetadataValue, offset: u64) -> Result<u64> {
    value
        .as_u64()
        .filter(|a| a.is_power_of_two())
        .ok_or_else(|| {
            ModelError::gguf(
                offset,
                format!("metadata[`{ALIGNMENT_KEY}`].value"),
                format!(
                    "must be a non-zero power of two, found {} {value:?}",
                    value.type_name()
                ),
            )
        })
}

/// Minimum encoded size of one value of type `ty` (used to bound array counts).
fn min_value_size(ty: u32) -> usize {
    match ty {
        type_id::U8 | type_id::I8 | type_id::BOOL => 1,
        type_id::U16 | type_id::I16 => 2,
        type_id::U32 | type_id::I32 | type_id::F32 => 4,
        type_id::ARRAY => 4 + 8,
        _ => 8,
    }
}

/// Reads one value of GGUF type `ty` (read at `type_offset`), recursing into arrays.
fn read_value(
    c: &mut Cursor<'_>,
    ty: u32,
    type_offset: u64,
    depth: usize,
    field: &dyn Fn() -> String,
) -> Result<MetadataValue> {
    Ok(match ty {
        type_id::U8 => MetadataValue::U8(c.u8(field)?),
        type_id::I8 => MetadataValue::I8(i8::from_le_bytes([c.u8(field)?])),
        type_id::U16 => MetadataValue::U16(c.u16(field)?),
        type_id::I16 => MetadataValue::I16(i16::from_le_bytes(c.u16(field)?.to_le_bytes())),
        type_id::U32 => MetadataValue::U32(c.u32(field)?),
        type_id::I32 => MetadataValue::I32(i32::from_le_bytes(c.u32(field)?.to_le_bytes())),
        type_id::F32 => MetadataValue::F32(f32::from_bits(c.u32(field)?)),
        type_id::U64 => MetadataValue::U64(c.u64(field)?),
        type_id::I64 => MetadataValue::I64(i64::from_le_bytes(c.u64(field)?.to_le_bytes())),
        type_id::F64 => MetadataValue::F64(f64::from_bits(c.u64(field)?)),
        type_id::BOOL => {
            let at = c.pos();
            match c.u8(field)? {
                0 => MetadataValue::Bool(false),
                1 => MetadataValue::Bool(true),
                b => {
                    return Err(ModelError::gguf(
                        at,
                        field(),
                        format!("invalid bool byte {b}"),
                    ));
                }
            }
        }
        type_id::STRING => MetadataValue::String(c.string(field)?),
        type_id::ARRAY => {
            if depth >= MAX_ARRAY_DEPTH {
                return Err(ModelError::gguf(
                    type_offset,
                    field(),
                    format!("arrays nested deeper than {MAX_ARRAY_DEPTH} levels"),
                ));
            }
            let elem_type_offset = c.pos();
            let elem_ty = c.u32(|| format!("{}.type", field()))?;
            if type_name_of(elem_ty).is_none() {
                return Err(ModelError::gguf(
                    elem_type_offset,
                    format!("{}.type", field()),
                    format!("invalid array element type {elem_ty} (valid: 0..=12)"),
                ));
            }
            let count_offset = c.pos();
            let count = c.u64(|| format!("{}.count", field()))?;
            let count = c.check_count(count, min_value_size(elem_ty), count_offset, || {
                format!("{}.count", field())
            })?;
            let mut items = Vec::with_capacity(count);
            for i in 0..count {
                let elem_field = || format!("{}[{i}]", field());
                items.push(read_value(
                    c,
                    elem_ty,
                    elem_type_offset,
                    depth + 1,
                    &elem_field,
                )?);
            }
            MetadataValue::Array(items)
        }
        other => {
            return Err(ModelError::gguf(
                type_offset,
                field(),
                format!("invalid metadata value type {other} (valid: 0..=12)"),
            ));
        }
    })
}

/// Reads tensor info `i` and checks its dims and type (placement is checked later).
fn parse_tensor_info(c: &mut Cursor<'_>, i: usize) -> Result<TensorInfo> {
    let name = c.string(|| format!("tensor_info[{i}].name"))?;
    let n_dims_offset = c.pos();
    let n_dims = c.u32(|| format!("tensor_info[{i}].n_dims"))?;
    if n_dims as usize > MAX_DIMS {
        return Err(ModelError::gguf(
            n_dims_offset,
            format!("tensor_info[{i}].n_dims"),
            format!("tensor `{name}` has {n_dims} dimensions, at most {MAX_DIMS} are allowed"),
        ));
    }
    let dims_offset = c.pos();
    let dims = (0..n_dims as usize)
        .map(|j| c.u64(|| format!("tensor_info[{i}].dims[{j}]")))
        .collect::<Result<Vec<u64>>>()?;
    let type_offset = c.pos();
    let ggml_type = GgmlType::from_u32(c.u32(|| format!("tensor_info[{i}].type"))?);
    let offset = c.u64(|| format!("tensor_info[{i}].offset"))?;
    let info = TensorInfo {
        name,
        dims,
        ggml_type,
        offset,
    };

    if ggml_type.type_size().is_none() {
        return Err(ModelError::gguf(
            type_offset,
            format!("tensor_info[{i}].type"),
            format!(
                "tensor `{}` has {ggml_type}, which has no known block layout",
                info.name
            ),
        ));
    }
    let dims_error =
        |reason: String| ModelError::gguf(dims_offset, format!("tensor_info[{i}].dims"), reason);
    let n_elements = info.checked_n_elements().ok_or_else(|| {
        dims_error(format!(
            "tensor `{}` dims {:?} overflow the element count",
            info.name, info.dims
        ))
    })?;
    if info.n_bytes().is_none() {
        return Err(dims_error(format!(
            "tensor `{}` dims {:?} ({n_elements} elements): the innermost dimension must be a \
             multiple of the {ggml_type} block size {}",
            info.name,
            info.dims,
            ggml_type.block_size()
        )));
    }
    Ok(info)
}

/// Checks that tensor `i`'s data is aligned and lies inside a file of `file_len` bytes.
fn check_tensor_placement(
    info: &TensorInfo,
    i: usize,
    field_offset: u64,
    data_offset: u64,
    alignment: u64,
    file_len: usize,
) -> Result<()> {
    let field = || format!("tensor_info[{i}].offset");
    if !info.offset.is_multiple_of(alignment) {
        return Err(ModelError::gguf(
            field_offset,
            field(),
            format!(
                "tensor `{}` offset {} is not a multiple of the alignment {alignment}",
                info.name, info.offset
            ),
        ));
    }
    let size = info.n_bytes().unwrap_or(0) as u64;
    let start = data_offset.checked_add(info.offset);
    let end = start.and_then(|s| s.checked_add(size));
    if end.is_none_or(|end| end > file_len as u64) {
        return Err(ModelError::gguf(
            field_offset,
            field(),
            format!(
                "data of tensor `{}` ({size} bytes at data offset {}, file offset {}) extends past \
                 the end of the file ({file_len} bytes)",
                info.name,
                info.offset,
                data_offset.saturating_add(info.offset)
            ),
        ));
    }
    Ok(())
}
