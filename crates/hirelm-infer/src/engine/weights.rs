//! The decoder's weights in inference layout: projections fused where they share an input
//! (`q|k|v`, `gate|up`) so each layer runs four matrix products, stored as f32, Q8_0 or Q4_1.

use std::collections::BTreeMap;

use hirelm_model::llama::{LlamaConfig, expected_tensors};

use super::config::EngineConfig;
use crate::error::{InferError, Result};
use crate::kernels::{BLOCK, Matrix, WeightFormat};

/// Tensors by name, each checked against `expected` (name and shape, nothing missing, nothing
/// extra: an extra tensor means the tensors belong to a different model), after the widths of
/// `config` are checked for `format`.
pub(super) fn check_tensors(
    config: &EngineConfig,
    format: WeightFormat,
    expected: &[(String, Vec<usize>)],
    tensors: Vec<hirelm_model::weights::NamedTensor>,
) -> Result<BTreeMap<String, Vec<f32>>> {
    check_q8_widths(config, format)?;
    let mut by_name: BTreeMap<String, (Vec<usize>, Vec<f32>)> = BTreeMap::new();
    for (name, shape, data) in tensors {
        if by_name.contains_key(&name) {
            return Err(InferError::tensor(name, "given twice"));
        }
        by_name.insert(name, (shape, data));
    }
    for (name, shape) in expected {
        match by_name.get(name) {
            None => return Err(InferError::tensor(name, "missing")),
            Some((found, _)) if found != shape => {
                return Err(InferError::tensor(
                    name,
                    format!("expected shape {shape:?}, found {found:?}"),
                ));
            }
            Some((_, data)) if data.len() != shape.iter().product::<usize>() => {
                return Err(InferError::tensor(
                    name,
                    format!("shape {shape:?} but {} values", data.len()),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = by_name
        .keys()
        .find(|n| !expected.iter().any(|(e, _)| e == *n))
    {
        return Err(InferError::tensor(
            extra.clone(),
            "not part of this architecture",
        ));
    }
    Ok(by_name
        .into_iter()
        .map(|(name, (_, data))| (name, data))
        .collect())
}

/// Q8_0 and Q4_1 store blocks of 32 along each row, so every matrix width must be a multiple.
fn check_q8_widths(config: &EngineConfig, format: WeightFormat) -> Result<()> {
    let (d, ff, q_dim) = (config.hidden_size, config.intermediate_size, config.q_dim());
    if format != WeightFormat::F32 && [d, ff, q_dim].iter().any(|n| n % BLOCK != 0) {
        return Err(InferError::invalid(
            "format",
            format!(
                "{format:?} needs widths that are multiples of {BLOCK}; hidden {d}, intermediate {ff}, attention {q_dim}"
            ),
        ));
    }
    Ok(())
}

/// One decoder block.
#[derive(Debug, Clone)]
pub struct LayerWeights {
    /// RMSNorm gain before attention.
    pub attn_norm: Vec<f32>,
    /// `[q_dim + 2·kv_dim, hidden]`: query, key and value projections stacked.
    pub qkv: Matrix,
    /// `[hidden, q_dim]`.
    pub o: Matrix,
    /// RMSNorm gain before the MLP.
    pub mlp_norm: Vec<f32>,
    /// `[2·intermediate, hidden]`: gate and up projections stacked.
    pub gate_up: Matrix,
    /// `[hidden, intermediate]`.
    pub down: Matrix,
    /// Gemma: RMSNorm gains of each query and each key head (`[head_dim]` each), before RoPE.
    pub qk_norm: Option<(Vec<f32>, Vec<f32>)>,
    /// Gemma: RMSNorm gain on the attention output, before the residual add.
    pub post_attn_norm: Option<Vec<f32>>,
    /// Gemma: RMSNorm gain on the MLP output, before the residual add.
    pub post_mlp_norm: Option<Vec<f32>>,
}

/// One block, its projections fused (`q|k|v`, `gate|up`), from the tensors `take` hands out by
/// name; `names` in a family's naming, in the order attention norm, q, k, v, o, MLP norm, gate,
/// up, down. Gemma's extra norms are its caller's to add.
pub(super) fn fused_block(
    take: &mut impl FnMut(&str) -> Vec<f32>,
    names: [String; 9],
    config: &EngineConfig,
    format: WeightFormat,
) -> LayerWeights {
    let [attn_norm, q, k, v, o, mlp_norm, gate, up, down] = names;
    let (d, ff, q_dim) = (config.hidden_size, config.intermediate_size, config.q_dim());
    let mut qkv = take(&q);
    qkv.extend(take(&k));
    qkv.extend(take(&v));
    let mut gate_up = take(&gate);
    gate_up.extend(take(&up));
    LayerWeights {
        attn_norm: take(&attn_norm),
        qkv: Matrix::from_f32(qkv, q_dim + 2 * config.kv_dim(), d, format),
        o: Matrix::from_f32(take(&o), d, q_dim, format),
        mlp_norm: take(&mlp_norm),
        gate_up: Matrix::from_f32(gate_up, 2 * ff, d, format),
        down: Matrix::from_f32(take(&down), d, ff, format),
        qk_norm: None,
        post_attn_norm: None,
        post_mlp_norm: None,
    }
}

/// Every weight of a decoder, ready for [`super::Session`].
#[derive(Debug, Clone)]
pub struct EngineWeights {
    /// The architecture.
    pub config: EngineConfig,
    /// `[vocab, hidden]` token embeddings (also the output head when tied).
    pub embed: Matrix,
    /// The blocks.
    pub layers: Vec<LayerWeights>,
    /// Final RMSNorm gain.
    pub norm: Vec<f32>,
    /// `[vocab, hidden]` output head when not tied to the embeddings.
    pub lm_head: Option<Matrix>,
}

impl EngineWeights {
    /// Builds Llama weights from HF-named, PyTorch-layout f32 tensors (what
    /// `LlamaModel::export_tensors` returns, adapters merged). Every tensor of the architecture
    /// must be present with its shape; extra tensors are an error too, since they mean the
    /// tensors belong to a different model.
    pub fn from_tensors(
        config: &LlamaConfig,
        tensors: Vec<hirelm_model::weights::NamedTensor>,
        format: WeightFormat,
    ) -> Result<Self> {
        config.validate()?;
        let engine = EngineConfig::from(config);
        let mut by_name = check_tensors(&engine, format, &expected_tensors(config), tensors)?;
        let mut take = |name: &str| by_name.remove(name).unwrap_or_default();
        let d = config.hidden_size;
        let layers = (0..config.num_layers)
            .map(|i| {
                let n = |t: &str| format!("model.layers.{i}.{t}.weight");
                let names = [
                    n("input_layernorm"),
                    n("self_attn.q_proj"),
                    n("self_attn.k_proj"),
                    n("self_attn.v_proj"),
                    n("self_attn.o_proj"),
                    n("post_attention_layernorm"),
                    n("mlp.gate_proj"),
                    n("mlp.up_proj"),
                    n("mlp.down_proj"),
                ];
                fused_block(&mut take, names, &engine, format)
            })
            .collect();
        let embed = Matrix::from_f32(
            take("model.embed_tokens.weight"),
            config.vocab_size,
            d,
            format.for_embeddings(),
        );
        let lm_head = (!config.tie_word_embeddings).then(|| {
            Matrix::from_f32(
                take("lm_head.weight"),
                config.vocab_size,
                d,
                format.for_embeddings(),
            )
        });
        Ok(Self {
            config: engine,
            embed,
            layers,
            norm: take("model.norm.weight"),
            lm_head,
        })
    }

    /// The matrix that turns the final hidden state into logits.
    pub fn output_head(&self) -> &Matrix {
        self.lm_head.as_ref().unwrap_or(&self.embed)
    }

    /// Storage format of the projections (the embeddings may be stored at higher precision: see
    /// [`WeightFormat::for_embeddings`]).
    pub fn format(&self) -> WeightFormat {
        self.layers
            .first()
            .map_or(self.embed.format(), |layer| layer.qkv.format())
    }

    /// Bytes of weight data held.
    pub fn bytes(&self) -> usize {
        let layers: usize = self
            .layers
            .iter()
            .map(|l| {
                let norms = l.attn_norm.len()
                    + l.mlp_norm.len()
                    + l.qk_norm.as_ref().map_or(0, |(q, k)| q.len() + k.len())
                    + l.post_attn_norm.as_ref().map_or(0, Vec::len)
                    + l.post_mlp_norm.as_ref().map_or(0, Vec::len);
                l.qkv.bytes() + l.o.bytes() + l.gate_up.bytes() + l.down.bytes() + 4 * norms
            })
            .sum();
        layers
            + self.embed.bytes()
            + self.lm_head.as_ref().map_or(0, Matrix::bytes)
            + 4 * self.norm.len()
    }
}
