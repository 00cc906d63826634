//! Strict weight loading: every tensor of the architecture present with its expected shape.

use burn::tensor::Device;

use super::attention::Attention;
use super::block::DecoderBlock;
use super::config::LlamaConfig;
use super::mlp::Mlp;
use super::model::LlamaModel;
use super::rope::RotaryEmbedding;
use crate::error::{ModelError, Result};
use crate::linear::AdaptableLinear;
use crate::norm::RmsNorm;
use crate::weights::{WeightSource, f32_values, load_param};

/// Every HF-named tensor of a Llama model with its row-major shape (PyTorch layout).
pub fn expected_tensors(config: &LlamaConfig) -> Vec<(String, Vec<usize>)> {
    let (d, ff, hd) = (
        config.hidden_size,
        config.intermediate_size,
        config.head_dim(),
    );
    let (q, kv) = (config.num_heads * hd, config.num_kv_heads * hd);
    let mut out = vec![(
        "model.embed_tokens.weight".to_string(),
        vec![config.vocab_size, d],
    )];
    for i in 0..config.num_layers {
        let p = format!("model.layers.{i}");
        out.extend([
            (format!("{p}.input_layernorm.weight"), vec![d]),
            (format!("{p}.self_attn.q_proj.weight"), vec![q, d]),
            (format!("{p}.self_attn.k_proj.weight"), vec![kv, d]),
            (format!("{p}.self_attn.v_proj.weight"), vec![kv, d]),
            (format!("{p}.self_attn.o_proj.weight"), vec![d, q]),
            (format!("{p}.post_attention_layernorm.weight"), vec![d]),
            (format!("{p}.mlp.gate_proj.weight"), vec![ff, d]),
            (format!("{p}.mlp.up_proj.weight"), vec![ff, d]),
            (format!("{p}.mlp.down_proj.weight"), vec![d, ff]),
        ]);
    }
    out.push(("model.norm.weight".to_string(), vec![d]));
    if !config.tie_word_embeddings {
        out.push(("lm_head.weight".to_string(), vec![config.vocab_size, d]));
    }
    out
}

/// Random weights for every tensor of `config` (norm gains near one), for tests and tools
/// that need a model of the right shape without a download.
pub fn random_weights(config: &LlamaConfig, seed: u64) -> Vec<crate::weights::NamedTensor> {
    crate::weights::random_tensors(expected_tensors(config), seed)
}

impl LlamaModel {
    /// Loads every tensor of `config` from `src` (HF names), checking each shape.
    pub fn load(src: &dyn WeightSource, config: LlamaConfig, device: &Device) -> Result<Self> {
        config.validate()?;
        let (d, ff, hd) = (
            config.hidden_size,
            config.intermediate_size,
            config.head_dim(),
        );
        let (q, kv) = (config.num_heads * hd, config.num_kv_heads * hd);
        let linear = |name: String, out: usize, inp: usize| -> Result<AdaptableLinear> {
            let (shape, data) = src.tensor_f32(&name)?;
            if shape != [out, inp] {
                return Err(ModelError::ShapeMismatch {
                    name,
                    expected: vec![out, inp],
                    got: shape,
                });
            }
            Ok(AdaptableLinear::from_torch_layout(&data, out, inp, device))
        };
        let norm = |name: String| -> Result<RmsNorm> {
            let gain = load_param::<1>(src, &name, [d], device)?;
            Ok(RmsNorm::new(gain.val(), config.rms_norm_eps))
        };
        let mut layers = Vec::with_capacity(config.num_layers);
        for i in 0..config.num_layers {
            let p = format!("model.layers.{i}");
            let self_attn = Attention {
                q_proj: linear(format!("{p}.self_attn.q_proj.weight"), q, d)?,
                k_proj: linear(format!("{p}.self_attn.k_proj.weight"), kv, d)?,
                v_proj: linear(format!("{p}.self_attn.v_proj.weight"), kv, d)?,
                o_proj: linear(format!("{p}.self_attn.o_proj.weight"), d, q)?,
                num_heads: config.num_heads,
                num_kv_heads: config.num_kv_heads,
            };
            let mlp = Mlp {
                gate_proj: linear(format!("{p}.mlp.gate_proj.weight"), ff, d)?,
                up_proj: linear(format!("{p}.mlp.up_proj.weight"), ff, d)?,
                down_proj: linear(format!("{p}.mlp.down_proj.weight"), d, ff)?,
            };
            layers.push(DecoderBlock {
                input_layernorm: norm(format!("{p}.input_layernorm.weight"))?,
                self_attn,
                post_attention_layernorm: norm(format!("{p}.post_attention_layernorm.weight"))?,
                mlp,
            });
        }
        let embed = load_param::<2>(
            src,
            "model.embed_tokens.weight",
            [config.vocab_size, d],
            device,
        )?;
        let lm_head = if config.tie_word_embeddings {
            None
        } else {
            Some(linear("lm_head.weight".to_string(), config.vocab_size, d)?)
        };
        Ok(Self {
            embed_tokens: embed.set_require_grad(false),
            layers,
            norm: norm("model.norm.weight".to_string())?,
            lm_head,
            rope: RotaryEmbedding::new(hd, config.max_seq_len, config.rope_theta, device),
            config,
        })
    }

    /// Every tensor in HF names and PyTorch layout, adapters merged: the input of the
    /// safetensors and GGUF exporters.
    pub fn export_tensors(&self) -> Result<Vec<crate::weights::NamedTensor>> {
        let c = &self.config;
        let gain = |n: &RmsNorm, name: &str| {
            let values = f32_values(n.weight.val().into_data(), name)?;
            Ok::<_, ModelError>((name.to_string(), vec![c.hidden_size], values))
        };
        let proj = |l: &AdaptableLinear, name: String| {
            let [inp, out] = l.dims();
            let values = l.to_torch_layout(&name)?;
            Ok::<_, ModelError>((name, vec![out, inp], values))
        };
        let embed = "model.embed_tokens.weight";
        let mut out = vec![(
            embed.to_string(),
            vec![c.vocab_size, c.hidden_size],
            f32_values(self.embed_tokens.val().into_data(), embed)?,
        )];
        for (i, layer) in self.layers.iter().enumerate() {
            let p = format!("model.layers.{i}");
            let a = &layer.self_attn;
            out.push(gain(
                &layer.input_layernorm,
                &format!("{p}.input_layernorm.weight"),
            )?);
            for (name, l) in [
                ("q_proj", &a.q_proj),
                ("k_proj", &a.k_proj),
                ("v_proj", &a.v_proj),
                ("o_proj", &a.o_proj),
            ] {
                out.push(proj(l, format!("{p}.self_attn.{name}.weight"))?);
            }
            out.push(gain(
                &layer.post_attention_layernorm,
                &format!("{p}.post_attention_layernorm.weight"),
            )?);
            let m = &layer.mlp;
            for (name, l) in [
                ("gate_proj", &m.gate_proj),
                ("up_proj", &m.up_proj),
                ("down_proj", &m.down_proj),
            ] {
                out.push(proj(l, format!("{p}.mlp.{name}.weight"))?);
            }
        }
        out.push(gain(&self.norm, "model.norm.weight")?);
        if let Some(head) = &self.lm_head {
            out.push(proj(head, "lm_head.weight".to_string())?);
        }
        Ok(out)
    }
}

/// A [`WeightSource`] over tensors held in memory (HF names), e.g. from [`random_weights`].
#[derive(Debug, Default)]
pub struct InMemoryWeights {
    tensors: std::collections::BTreeMap<String, (Vec<usize>, Vec<f32>)>,
}

impl InMemoryWeights {
    /// Collects `(name, shape, data)` triples.
    pub fn new(tensors: Vec<crate::weights::NamedTensor>) -> Self {
        Self {
            tensors: tensors.into_iter().map(|(n, s, d)| (n, (s, d))).collect(),
        }
    }
}

impl WeightSource for InMemoryWeights {
    fn tensor_f32(&self, name: &str) -> Result<(Vec<usize>, Vec<f32>)> {
        self.tensors
            .get(name)
            .cloned()
            .ok_or_else(|| ModelError::MissingTensor {
                name: name.to_string(),
            })
    }
    fn contains(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }
    fn names(&self) -> Vec<String> {
        self.tensors.keys().cloned().collect()
    }
}
