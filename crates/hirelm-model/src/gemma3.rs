//! The Gemma 3 architecture (Gemma 3 270M, the larger off-the-shelf baseline): its config read
//! from GGUF `gemma3.*` metadata and its tensors, checked and dequantised.
//!
//! What differs from Llama, and where the inference engine (`hirelm-infer`) implements it:
//! - embeddings scaled by √hidden; GELU (tanh) instead of SiLU in the gated MLP;
//! - RMSNorm on every query and key head (QK-norm) before RoPE;
//! - "sandwich" norms: the attention and MLP outputs are normalised again before the residual add;
//! - five of every six layers attend only to the last `sliding_window` positions with RoPE base
//!   10,000; every sixth is global with the file's RoPE base (1,000,000);
//! - heads wider than `hidden / heads` (4 × 256 over a 640-wide residual); attention scores are
//!   scaled by `1/√head_dim`, which is Gemma's `query_pre_attn_scalar` for every size up to 12B
//!   (27B differs, and uses RoPE scaling, which [`Gemma3Config::from_gguf`] refuses);
//! - a 262,144-piece SentencePiece vocabulary (see [`crate::tokenizer::spm`]).
//!
//! Tensors keep their GGUF names. llama.cpp's converter stores every Gemma norm gain as `1 + w`
//! (HF keeps `w` and adds one at run time), so the gains here multiply directly, and Gemma's Q/K
//! rows are not permuted (that is only done for the `llama` architecture).

use crate::error::{ModelError, Result};
use crate::gguf::GgufFile;

/// Hyper-parameters of a Gemma 3 decoder, checked for consistency.
#[derive(Debug, Clone, PartialEq)]
pub struct Gemma3Config {
    /// Pieces in the vocabulary.
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub hidden_size: usize,
    /// Width of the gated MLP's hidden layer.
    pub intermediate_size: usize,
    /// Decoder blocks.
    pub num_layers: usize,
    /// Query heads.
    pub num_heads: usize,
    /// Key/value heads.
    pub num_kv_heads: usize,
    /// Width of one head (not `hidden / heads` in Gemma).
    pub head_dim: usize,
    /// Longest context.
    pub max_seq_len: usize,
    /// RoPE base of the global layers.
    pub rope_theta: f64,
    /// RoPE base of the sliding-window layers.
    pub rope_local_theta: f64,
    /// Positions a sliding-window layer sees, itself included.
    pub sliding_window: usize,
    /// Every `sliding_window_pattern`-th layer is global.
    pub sliding_window_pattern: usize,
    /// Epsilon inside RMSNorm.
    pub rms_norm_eps: f64,
}

/// llama.cpp's constants for Gemma 3 (not stored in its GGUF files).
const LOCAL_ROPE_THETA: f64 = 10_000.0;
const SLIDING_WINDOW_PATTERN: usize = 6;
/// Tensors in each decoder block: four norms around attention and MLP, two QK-norms, seven
/// projections.
const TENSORS_PER_LAYER: usize = 13;

impl Gemma3Config {
    /// A tiny model for tests: two sliding-window layers (window 4) and a global one.
    pub fn tiny_for_tests() -> Self {
        Self {
            vocab_size: 64,
            hidden_size: 32,
            intermediate_size: 64,
            num_layers: 3,
            num_heads: 2,
            num_kv_heads: 1,
            head_dim: 32,
            max_seq_len: 64,
            rope_theta: 1_000_000.0,
            rope_local_theta: LOCAL_ROPE_THETA,
            sliding_window: 4,
            sliding_window_pattern: 3,
            rms_norm_eps: 1e-6,
        }
    }

    /// Whether layer `i` attends to the whole context (else to the sliding window).
    pub fn is_global(&self, layer: usize) -> bool {
        (layer + 1).is_multiple_of(self.sliding_window_pattern)
    }

    /// Checks the relations the architecture relies on.
    pub fn validate(&self) -> Result<()> {
        let fail = |msg: String| Err(ModelError::Config(msg));
        let sizes = [
            self.vocab_size,
            self.hidden_size,
            self.intermediate_size,
            self.num_layers,
            self.num_heads,
            self.num_kv_heads,
            self.max_seq_len,
            self.sliding_window,
            self.sliding_window_pattern,
        ];
        if sizes.contains(&0) {
            return fail("every size of a Gemma 3 config must be positive".into());
        }
        if !self.num_heads.is_multiple_of(self.num_kv_heads) {
            return fail(format!(
                "num_heads {} is not a multiple of num_kv_heads {}",
                self.num_heads, self.num_kv_heads
            ));
        }
        if self.head_dim == 0 || !self.head_dim.is_multiple_of(2) {
            return fail(format!(
                "head_dim {} must be positive and even for RoPE",
                self.head_dim
            ));
        }
        let widths = [
            self.num_heads.checked_mul(self.head_dim),
            self.vocab_size.checked_mul(self.hidden_size),
        ];
        if widths
            .iter()
            .any(|w| w.is_none_or(|w| w > u32::MAX as usize))
        {
            return fail("heads × head_dim and vocabulary × hidden must stay below 2³²".into());
        }
        if !(self.rope_theta > 0.0) || !(self.rope_local_theta > 0.0) || !(self.rms_norm_eps > 0.0)
        {
            return fail("RoPE bases and rms_norm_eps must be positive".into());
        }
        Ok(())
    }

    /// Reads the `gemma3.*` metadata of a GGUF file.
    pub fn from_gguf(file: &GgufFile) -> Result<Self> {
        let arch = file.architecture()?;
        if arch != "gemma3" {
            return Err(ModelError::metadata(
                "general.architecture",
                format!("expected `gemma3`, found `{arch}`"),
            ));
        }
        let key = |k: &str| format!("gemma3.{k}");
        let usize_of = |k: &str| -> Result<usize> { Ok(file.get_u64(&key(k))? as usize) };
        let num_heads = usize_of("attention.head_count")?;
        let hidden_size = usize_of("embedding_length")?;
        let head_dim = file
            .get_u64(&key("attention.key_length"))
            .map(|v| v as usize)
            .unwrap_or(hidden_size / num_heads.max(1));
        if let Ok(value_length) = file.get_u64(&key("attention.value_length"))
            && value_length as usize != head_dim
        {
            return Err(ModelError::metadata(
                key("attention.value_length"),
                format!("{value_length} differs from key_length {head_dim}"),
            ));
        }
        if file.get(&key("rope.scaling.type")).is_some()
            || file.get(&key("rope.scaling.factor")).is_some()
        {
            return Err(ModelError::metadata(
                key("rope.scaling.factor"),
                "RoPE scaling (Gemma 3 4B and larger) is not supported",
            ));
        }
        let config = Self {
            vocab_size: file.get_str_array("tokenizer.ggml.tokens")?.len(),
            hidden_size,
            intermediate_size: usize_of("feed_forward_length")?,
            num_layers: usize_of("block_count")?,
            num_heads,
            num_kv_heads: file
                .get_u64(&key("attention.head_count_kv"))
                .map(|v| v as usize)
                .unwrap_or(num_heads),
            head_dim,
            max_seq_len: usize_of("context_length")?,
            rope_theta: file.get_f64(&key("rope.freq_base")).unwrap_or(1_000_000.0),
            rope_local_theta: LOCAL_ROPE_THETA,
            sliding_window: usize_of("attention.sliding_window")?,
            sliding_window_pattern: SLIDING_WINDOW_PATTERN,
            rms_norm_eps: file.get_f64(&key("attention.layer_norm_rms_epsilon"))?,
        };
        config.validate()?;
        // Checked before anything is sized by the layer count, so a corrupt count cannot ask
        // for more memory than the file justifies.
        if config
            .num_layers
            .checked_mul(TENSORS_PER_LAYER)
            .and_then(|n| n.checked_add(2))
            != Some(file.tensors.len())
        {
            return Err(ModelError::metadata(
                key("block_count"),
                format!(
                    "{} layers need {TENSORS_PER_LAYER} tensors each plus 2, the file has {}",
                    config.num_layers,
                    file.tensors.len()
                ),
            ));
        }
        Ok(config)
    }

    /// Every tensor (GGUF names) with its row-major shape `[rows, cols]`.
    pub fn expected_tensors(&self) -> Vec<(String, Vec<usize>)> {
        let mut out = vec![(
            "token_embd.weight".to_string(),
            vec![self.vocab_size, self.hidden_size],
        )];
        out.extend((0..self.num_layers).flat_map(|i| self.layer_tensors(i)));
        out.push(("output_norm.weight".to_string(), vec![self.hidden_size]));
        out
    }

    /// The tensors of block `i`.
    fn layer_tensors(&self, i: usize) -> [(String, Vec<usize>); TENSORS_PER_LAYER] {
        let (d, ff, hd) = (self.hidden_size, self.intermediate_size, self.head_dim);
        let (q, kv) = (self.num_heads * hd, self.num_kv_heads * hd);
        let p = format!("blk.{i}");
        [
            (format!("{p}.attn_norm.weight"), vec![d]),
            (format!("{p}.attn_q.weight"), vec![q, d]),
            (format!("{p}.attn_k.weight"), vec![kv, d]),
            (format!("{p}.attn_v.weight"), vec![kv, d]),
            (format!("{p}.attn_q_norm.weight"), vec![hd]),
            (format!("{p}.attn_k_norm.weight"), vec![hd]),
            (format!("{p}.attn_output.weight"), vec![d, q]),
            (format!("{p}.post_attention_norm.weight"), vec![d]),
            (format!("{p}.ffn_norm.weight"), vec![d]),
            (format!("{p}.ffn_gate.weight"), vec![ff, d]),
            (format!("{p}.ffn_up.weight"), vec![ff, d]),
            (format!("{p}.ffn_down.weight"), vec![d, ff]),
            (format!("{p}.post_ffw_norm.weight"), vec![d]),
        ]
    }
}

/// Every tensor of `config` read from `file` and dequantised to f32, in the order of
/// [`Gemma3Config::expected_tensors`]; a missing tensor, another shape, or a tensor the
/// architecture does not have (a separate output head, say) is an error naming it.
pub fn load_gemma3_tensors(
    file: &GgufFile,
    config: &Gemma3Config,
) -> Result<Vec<crate::weights::NamedTensor>> {
    let expected = config.expected_tensors();
    if let Some(extra) = file
        .tensors
        .iter()
        .find(|t| !expected.iter().any(|(n, _)| *n == t.name))
    {
        return Err(ModelError::metadata(
            &extra.name,
            "tensor is not part of the Gemma 3 architecture",
        ));
    }
    expected
        .into_iter()
        .map(|(name, shape)| {
            let info = file
                .tensor(&name)
                .ok_or_else(|| ModelError::MissingTensor { name: name.clone() })?;
            if info.shape() != shape {
                return Err(ModelError::ShapeMismatch {
                    name,
                    expected: shape,
                    got: info.shape(),
                });
            }
            let data = file.dequantize(&name)?;
            Ok((name, shape, data))
        })
        .collect()
}

/// Random tensors for `config` (norm gains near one), for tests.
pub fn random_gemma3_tensors(config: &Gemma3Config, seed: u64) -> Vec<crate::weights::NamedTensor> {
    crate::weights::random_tensors(config.expected_tensors(), seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sixth_layer_of_the_real_pattern_is_global() {
        let mut c = Gemma3Config::tiny_for_tests();
        c.num_layers = 18;
        c.sliding_window_pattern = SLIDING_WINDOW_PATTERN;
        let global: Vec<usize> = (0..18).filter(|&i| c.is_global(i)).collect();
        assert_eq!(global, [5, 11, 17]);
    }

    #[test]
    fn rejects_heads_that_do_not_group() {
        let mut c = Gemma3Config::tiny_for_tests();
        c.num_heads = 3;
        c.num_kv_heads = 2;
        assert!(
            c.validate()
                .expect_err("3 over 2")
                .to_string()
                .contains("num_kv_heads")
        );
    }
}
