//! Writing a Llama model as GGUF (llama.cpp's names, Q/K row order and metadata).

use std::path::Path;

use super::config::LlamaConfig;
use super::names::{hf_to_gguf, permute_for_gguf};
use crate::error::{ModelError, Result};
use crate::gguf::{GgufWriter, MetadataValue};

/// Storage type of the exported matrices (norm gains always stay F32, as llama.cpp keeps them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GgufExportType {
    /// 32-bit floats: lossless.
    F32,
    /// 16-bit floats.
    F16,
    /// llama.cpp's 8-bit blocks of 32.
    Q8_0,
}

/// A GGUF writer holding the `llama.*` metadata of `config` and every tensor of `tensors`
/// (HF names, PyTorch layout). Add tokenizer metadata before writing if the file must be
/// self-contained.
pub fn llama_gguf_writer(
    config: &LlamaConfig,
    tensors: &[crate::weights::NamedTensor],
    ty: GgufExportType,
) -> Result<GgufWriter> {
    let mut w = GgufWriter::new();
    let u32v = |v: usize| MetadataValue::U32(v as u32);
    w.add_metadata(
        "general.architecture",
        MetadataValue::String("llama".into()),
    )
    .add_metadata("llama.vocab_size", u32v(config.vocab_size))
    .add_metadata("llama.context_length", u32v(config.max_seq_len))
    .add_metadata("llama.embedding_length", u32v(config.hidden_size))
    .add_metadata("llama.feed_forward_length", u32v(config.intermediate_size))
    .add_metadata("llama.block_count", u32v(config.num_layers))
    .add_metadata("llama.attention.head_count", u32v(config.num_heads))
    .add_metadata("llama.attention.head_count_kv", u32v(config.num_kv_heads))
    .add_metadata("llama.rope.dimension_count", u32v(config.head_dim()))
    .add_metadata(
        "llama.rope.freq_base",
        MetadataValue::F32(config.rope_theta as f32),
    )
    .add_metadata(
        "llama.attention.layer_norm_rms_epsilon",
        MetadataValue::F32(config.rms_norm_eps as f32),
    );
    if let Some(bos) = config.bos_token_id {
        w.add_metadata("tokenizer.ggml.bos_token_id", MetadataValue::U32(bos));
    }
    if let Some(eos) = config.eos_token_id {
        w.add_metadata("tokenizer.ggml.eos_token_id", MetadataValue::U32(eos));
    }
    for (name, shape, data) in tensors {
        let gguf_name =
            hf_to_gguf(name).ok_or_else(|| ModelError::MissingTensor { name: name.clone() })?;
        let heads = if name.ends_with("q_proj.weight") {
            Some(config.num_heads)
        } else if name.ends_with("k_proj.weight") {
            Some(config.num_kv_heads)
        } else {
            None
        };
        let data = match heads {
            Some(h) => permute_for_gguf(data, h, shape[1]),
            None => data.clone(),
        };
        match (ty, shape.len()) {
            (GgufExportType::F32, _) | (_, 1) => w.add_f32(gguf_name, shape, &data)?,
            (GgufExportType::F16, _) => w.add_f16(gguf_name, shape, &data)?,
            (GgufExportType::Q8_0, _) => w.add_q8_0(gguf_name, shape, &data)?,
        };
    }
    Ok(w)
}

/// Writes `tensors` of `config` to `path` as a GGUF file (atomically).
pub fn write_llama_gguf(
    path: &Path,
    config: &LlamaConfig,
    tensors: &[crate::weights::NamedTensor],
    ty: GgufExportType,
) -> Result<()> {
    llama_gguf_writer(config, tensors, ty)?.write(path)
}
