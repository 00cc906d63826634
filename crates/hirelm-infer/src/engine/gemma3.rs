//! Gemma 3 weights in the engine's layout (GGUF tensor names, norm gains already `1 + w`).

use hirelm_model::gemma3::Gemma3Config;

use super::config::EngineConfig;
use super::weights::{EngineWeights, LayerWeights, check_q8_widths, check_tensors};
use crate::error::Result;
use crate::kernels::{Matrix, WeightFormat};

impl EngineWeights {
    /// Builds Gemma 3 weights from f32 tensors with GGUF names and `[rows, cols]` shapes (what
    /// `hirelm_model::gemma3::load_gemma3_tensors` returns), checked like
    /// [`from_tensors`](Self::from_tensors). The output head is the embedding matrix.
    pub fn from_gemma3(
        config: &Gemma3Config,
        tensors: Vec<(String, Vec<usize>, Vec<f32>)>,
        format: WeightFormat,
    ) -> Result<Self> {
        config.validate()?;
        let engine = EngineConfig::from(config);
        check_q8_widths(&engine, format)?;
        let mut by_name = check_tensors(&config.expected_tensors(), tensors)?;
        let mut take = |name: String| by_name.remove(&name).unwrap_or_default();
        let (d, ff) = (config.hidden_size, config.intermediate_size);
        let (q_dim, kv_dim) = (engine.q_dim(), engine.kv_dim());
        let layers = (0..config.num_layers)
            .map(|i| {
                let p = format!("blk.{i}");
                let mut qkv = take(format!("{p}.attn_q.weight"));
                qkv.extend(take(format!("{p}.attn_k.weight")));
                qkv.extend(take(format!("{p}.attn_v.weight")));
                let mut gate_up = take(format!("{p}.ffn_gate.weight"));
                gate_up.extend(take(format!("{p}.ffn_up.weight")));
                LayerWeights {
                    attn_norm: take(format!("{p}.attn_norm.weight")),
                    qkv: Matrix::from_f32(qkv, q_dim + 2 * kv_dim, d, format),
                    o: Matrix::from_f32(take(format!("{p}.attn_output.weight")), d, q_dim, format),
                    mlp_norm: take(format!("{p}.ffn_norm.weight")),
                    gate_up: Matrix::from_f32(gate_up, 2 * ff, d, format),
                    down: Matrix::from_f32(take(format!("{p}.ffn_down.weight")), d, ff, format),
                    qk_norm: Some((take(format!("{p}.attn_q_norm.weight")), take(format!("{p}.attn_k_norm.weight")))),
                    post_attn_norm: Some(take(format!("{p}.post_attention_norm.weight"))),
                    post_mlp_norm: Some(take(format!("{p}.post_ffw_norm.weight"))),
                }
            })
            .collect();
        let embed = Matrix::from_f32(take("token_embd.weight".into()), config.vocab_size, d, format);
        Ok(Self { config: engine, embed, layers, norm: take("output_norm.weight".into()), lm_head: None })
    }
}
