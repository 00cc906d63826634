//! Attaching, detaching and merging adapters on a [`LlamaModel`]'s projections, in place.

use hirelm_model::burn::module::Param;
use hirelm_model::burn::tensor::{Device, Tensor, TensorData};
use hirelm_model::linear::{AdaptableLinear, LowRankAdapter};
use hirelm_model::llama::LlamaModel;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::config::LoraConfig;
use crate::error::Result;

/// Every adaptable projection of `model` with its HF module path
/// (`model.layers.{i}.self_attn.q_proj`, …) and short name (`q_proj`).
pub fn projections_mut(
    model: &mut LlamaModel,
) -> Vec<(String, &'static str, &mut AdaptableLinear)> {
    let mut out = Vec::new();
    for (i, layer) in model.layers.iter_mut().enumerate() {
        let attn = &mut layer.self_attn;
        let mlp = &mut layer.mlp;
        let prefix = format!("model.layers.{i}");
        out.push((
            format!("{prefix}.self_attn.q_proj"),
            "q_proj",
            &mut attn.q_proj,
        ));
        out.push((
            format!("{prefix}.self_attn.k_proj"),
            "k_proj",
            &mut attn.k_proj,
        ));
        out.push((
            format!("{prefix}.self_attn.v_proj"),
            "v_proj",
            &mut attn.v_proj,
        ));
        out.push((
            format!("{prefix}.self_attn.o_proj"),
            "o_proj",
            &mut attn.o_proj,
        ));
        out.push((
            format!("{prefix}.mlp.gate_proj"),
            "gate_proj",
            &mut mlp.gate_proj,
        ));
        out.push((format!("{prefix}.mlp.up_proj"), "up_proj", &mut mlp.up_proj));
        out.push((
            format!("{prefix}.mlp.down_proj"),
            "down_proj",
            &mut mlp.down_proj,
        ));
    }
    out
}

/// Attaches a fresh adapter to every targeted projection: `A` uniform in `±1/sqrt(d_in)` (PEFT's
/// Kaiming init), `B` zero, so the model's output is unchanged until training moves `B`.
/// Returns the number of adapters attached.
pub fn attach_fresh(
    model: &mut LlamaModel,
    config: &LoraConfig,
    seed: u64,
    device: &Device,
) -> Result<usize> {
    config.validate()?;
    if config.dropout > 0.0 {
        return Err(crate::error::LoraError::config(
            "lora_dropout",
            format!(
                "{} requested, but adapter dropout is not implemented yet: use 0",
                config.dropout
            ),
        ));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut count = 0;
    for (_, short, linear) in projections_mut(model) {
        if !config.target_modules.iter().any(|m| m == short) {
            continue;
        }
        let [d_in, d_out] = linear.dims();
        let bound = 1.0 / (d_in as f32).sqrt();
        let a: Vec<f32> = (0..d_in * config.rank)
            .map(|_| rng.random_range(-bound..bound))
            .collect();
        linear.adapter = Some(LowRankAdapter {
            a: Param::from_tensor(Tensor::from_data(
                TensorData::new(a, [d_in, config.rank]),
                device,
            )),
            b: Param::from_tensor(Tensor::zeros([config.rank, d_out], device)),
            scale: config.scale(),
        });
        count += 1;
    }
    Ok(count)
}

/// Removes every adapter, giving back the base model.
pub fn detach_all(model: &mut LlamaModel) -> usize {
    projections_mut(model)
        .into_iter()
        .filter_map(|(_, _, l)| l.adapter.take())
        .count()
}

/// Folds every adapter into its base weight (`W + A·B·scale`) and removes it: the merged model
/// runs at base-model speed and exports as a plain checkpoint.
pub fn merge_all(model: &mut LlamaModel) -> usize {
    let mut merged = 0;
    for (_, _, linear) in projections_mut(model) {
        if let Some(adapter) = linear.adapter.take() {
            let weight = linear.weight.val() + adapter.delta();
            *linear = AdaptableLinear::from_weight(weight);
            merged += 1;
        }
    }
    merged
}
