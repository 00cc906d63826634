//! Gemma 3 weights in the engine's layout (GGUF tensor names, norm gains already `1 + w`).

use hirelm_model::gemma3::Gemma3Config;

use super::config::EngineConfig;
use super::weights::{EngineWeights, LayerWeights, check_tensors, fused_block};
use crate::error::Result;
use crate::kernels::{Matrix, WeightFormat};

impl EngineWeights {
    /// Builds Gemma 3 weights from f32 tensors with GGUF names and `[rows, cols]` shapes (what
    /// `hirelm_model::gemma3::load_gemma3_tensors` returns), checked like
    /// [`from_tensors`](Self::from_tensors). The output head is the embedding matrix.
    pub fn from_gemma3(
        config: &Gemma3Config,
        tensors: Vec<hirelm_model::weights::NamedTensor>,
        format: WeightFormat,
    ) -> Result<Self> {
        config.validate()?;
        let engine = EngineConfig::from(config);
        let mut by_name = check_tensors(&engine, format, &config.expected_tensors(), tensors)?;
        let mut take = |name: &str| by_name.remove(name).unwrap_or_default();
        let d = config.hidden_size;
        let layers = (0..config.num_layers)
            .map(|i| {
                let n = |t: &str| format!("blk.{i}.{t}.weight");
                let names = [
                    n("attn_norm"),
                    n("attn_q"),
                    n("attn_k"),
                    n("attn_v"),
                    n("attn_output"),
                    n("ffn_norm"),
                    n("ffn_gate"),
                    n("ffn_up"),
                    n("ffn_down"),
                ];
                LayerWeights {
                    qk_norm: Some((take(&n("attn_q_norm")), take(&n("attn_k_norm")))),
                    post_attn_norm: Some(take(&n("post_attention_norm"))),
                    post_mlp_norm: Some(take(&n("post_ffw_norm"))),
                    ..fused_block(&mut take, names, &engine, format)
                }
            })
            .collect();
        let embed = Matrix::from_f32(
            take("token_embd.weight"),
            config.vocab_size,
            d,
            format.for_embeddings(),
        );
        Ok(Self {
            config: engine,
            embed,
            layers,
            norm: take("output_norm.weight"),
            lm_head: None,
        })
    }
}
