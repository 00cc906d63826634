//! Tensor names: the HF (`model.layers.{i}.self_attn.q_proj.weight`) scheme the loader speaks,
//! and its GGUF (`blk.{i}.attn_q.weight`) equivalent, with llama.cpp's Q/K row permutation.

use crate::error::{ModelError, Result};
use crate::gguf::GgufFile;
use crate::weights::WeightSource;

/// Whole-model tensors: (HF name, GGUF name).
const MODEL_TENSORS: [(&str, &str); 3] = [
    ("model.embed_tokens.weight", "token_embd.weight"),
    ("model.norm.weight", "output_norm.weight"),
    ("lm_head.weight", "output.weight"),
];

/// Per-block tensors: (HF suffix after `model.layers.{i}.`, GGUF part of `blk.{i}.{part}.weight`).
const BLOCK_TENSORS: [(&str, &str); 9] = [
    ("input_layernorm.weight", "attn_norm"),
    ("self_attn.q_proj.weight", "attn_q"),
    ("self_attn.k_proj.weight", "attn_k"),
    ("self_attn.v_proj.weight", "attn_v"),
    ("self_attn.o_proj.weight", "attn_output"),
    ("post_attention_layernorm.weight", "ffn_norm"),
    ("mlp.gate_proj.weight", "ffn_gate"),
    ("mlp.up_proj.weight", "ffn_up"),
    ("mlp.down_proj.weight", "ffn_down"),
];

/// GGUF name of an HF-named Llama tensor, or `None` for a name outside the architecture.
pub fn hf_to_gguf(name: &str) -> Option<String> {
    if let Some((_, gguf)) = MODEL_TENSORS.iter().find(|(hf, _)| *hf == name) {
        return Some(gguf.to_string());
    }
    let (index, suffix) = name.strip_prefix("model.layers.")?.split_once('.')?;
    let index: usize = index.parse().ok()?;
    let (_, part) = BLOCK_TENSORS.iter().find(|(hf, _)| *hf == suffix)?;
    Some(format!("blk.{index}.{part}.weight"))
}

/// HF name of a GGUF-named Llama tensor (the inverse of [`hf_to_gguf`]).
pub fn gguf_to_hf(name: &str) -> Option<String> {
    if let Some((hf, _)) = MODEL_TENSORS.iter().find(|(_, gguf)| *gguf == name) {
        return Some(hf.to_string());
    }
    let (index, part) = name
        .strip_prefix("blk.")?
        .strip_suffix(".weight")?
        .split_once('.')?;
    let index: usize = index.parse().ok()?;
    let (suffix, _) = BLOCK_TENSORS.iter().find(|(_, gguf)| *gguf == part)?;
    Some(format!("model.layers.{index}.{suffix}"))
}

/// Rows of a `[heads·head_dim, cols]` projection as llama.cpp stores them: within every head,
/// the two RoPE halves are interleaved (`convert_hf_to_gguf.py`'s `permute`).
pub fn permute_for_gguf(w: &[f32], heads: usize, cols: usize) -> Vec<f32> {
    reorder_rows(w, heads, cols, true)
}

/// Undoes [`permute_for_gguf`], giving back the HF row order.
pub fn unpermute_from_gguf(w: &[f32], heads: usize, cols: usize) -> Vec<f32> {
    reorder_rows(w, heads, cols, false)
}

fn reorder_rows(w: &[f32], heads: usize, cols: usize, to_gguf: bool) -> Vec<f32> {
    let rows = w.len() / cols;
    let head_dim = rows / heads;
    let half = head_dim / 2;
    let mut out = vec![0.0f32; w.len()];
    for h in 0..heads {
        for i in 0..half {
            for j in 0..2 {
                let gguf_row = h * head_dim + 2 * i + j;
                let hf_row = h * head_dim + j * half + i;
                let (dst, src) = if to_gguf {
                    (gguf_row, hf_row)
                } else {
                    (hf_row, gguf_row)
                };
                out[dst * cols..(dst + 1) * cols].copy_from_slice(&w[src * cols..(src + 1) * cols]);
            }
        }
    }
    out
}

/// A GGUF Llama file seen through HF tensor names, with Q/K rows in HF order.
#[derive(Debug)]
pub struct GgufLlamaWeights<'a> {
    file: &'a GgufFile,
    num_heads: usize,
    num_kv_heads: usize,
}

impl<'a> GgufLlamaWeights<'a> {
    /// Wraps `file`, whose attention has `num_heads` query and `num_kv_heads` KV heads.
    pub fn new(file: &'a GgufFile, num_heads: usize, num_kv_heads: usize) -> Self {
        Self {
            file,
            num_heads,
            num_kv_heads,
        }
    }
}

impl WeightSource for GgufLlamaWeights<'_> {
    fn tensor_f32(&self, name: &str) -> Result<(Vec<usize>, Vec<f32>)> {
        let gguf_name = hf_to_gguf(name).ok_or_else(|| ModelError::MissingTensor {
            name: name.to_string(),
        })?;
        let info = self
            .file
            .tensor(&gguf_name)
            .ok_or_else(|| ModelError::MissingTensor {
                name: gguf_name.clone(),
            })?;
        let shape = info.shape();
        let data = self.file.dequantize(&gguf_name)?;
        let heads = if name.ends_with("q_proj.weight") {
            Some(self.num_heads)
        } else if name.ends_with("k_proj.weight") {
            Some(self.num_kv_heads)
        } else {
            None
        };
        match (heads, shape.as_slice()) {
            (Some(heads), [rows, cols]) if rows % (2 * heads) == 0 => {
                Ok((shape.clone(), unpermute_from_gguf(&data, heads, *cols)))
            }
            (Some(heads), _) => Err(ModelError::Gguf {
                offset: 0,
                field: gguf_name,
                reason: format!(
                    "expected a 2-D projection whose rows split into {heads} heads of even width, got shape {shape:?}"
                ),
            }),
            (None, _) => Ok((shape, data)),
        }
    }

    fn contains(&self, name: &str) -> bool {
        hf_to_gguf(name).is_some_and(|n| self.file.tensor(&n).is_some())
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .file
            .tensors
            .iter()
            .filter_map(|t| gguf_to_hf(&t.name))
            .collect();
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_round_trips_and_interleaves_halves() {
        // One head of dim 4, one column: HF rows [a0 a1 | b0 b1] -> GGUF [a0 b0 a1 b1].
        let hf = [0.0, 1.0, 10.0, 11.0];
        let gguf = permute_for_gguf(&hf, 1, 1);
        assert_eq!(gguf, vec![0.0, 10.0, 1.0, 11.0]);
        assert_eq!(unpermute_from_gguf(&gguf, 1, 1), hf.to_vec());
    }

    #[test]
    fn maps_every_block_tensor() {
        assert_eq!(
            hf_to_gguf("model.layers.7.mlp.down_proj.weight").as_deref(),
            Some("blk.7.ffn_down.weight")
        );
        assert_eq!(
            hf_to_gguf("model.layers.0.self_attn.o_proj.weight").as_deref(),
            Some("blk.0.attn_output.weight")
        );
        assert_eq!(hf_to_gguf("model.layers.x.mlp.down_proj.weight"), None);
        assert_eq!(hf_to_gguf("something.else"), None);
        for name in [
            "model.embed_tokens.weight",
            "model.layers.12.self_attn.k_proj.weight",
            "lm_head.weight",
        ] {
            assert_eq!(
                gguf_to_hf(&hf_to_gguf(name).expect("maps")).as_deref(),
                Some(name)
            );
        }
    }
}
