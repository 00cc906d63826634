//! A [`BertModel`] back to an HF checkpoint: its tensors under HF names and shapes
//! (`nn.Linear` weights `[out, in]`), and a sentence-encoder directory that hirelm, HF
//! `transformers` and `sentence-transformers` all load.

use std::path::Path;

use burn::module::Param;
use burn::nn::{LayerNorm, Linear};
use burn::tensor::Tensor;

use super::token_scoring::{SCORER_FILE, Scorer, scorer_file_text};
use super::{BertModel, TensorNames};
use crate::linear::transpose;
use crate::weights::write_safetensors;
use crate::{ModelError, Result};

pub use crate::weights::NamedTensor;

fn values<const D: usize>(param: &Param<Tensor<D>>) -> (Vec<usize>, Vec<f32>) {
    let tensor = param.val();
    let shape = tensor.dims().to_vec();
    (shape, tensor.into_data().iter::<f32>().collect())
}

fn push_linear(out: &mut Vec<NamedTensor>, name: String, linear: &Linear) {
    let (shape, w) = values(&linear.weight);
    // burn stores `[in, out]`; PyTorch `[out, in]`.
    out.push((
        format!("{name}.weight"),
        vec![shape[1], shape[0]],
        transpose(&w, shape[0], shape[1]),
    ));
    if let Some(bias) = &linear.bias {
        let (shape, b) = values(bias);
        out.push((format!("{name}.bias"), shape, b));
    }
}

fn push_norm(out: &mut Vec<NamedTensor>, name: String, norm: &LayerNorm) {
    let (shape, g) = values(&norm.gamma);
    out.push((format!("{name}.weight"), shape, g));
    if let Some(beta) = &norm.beta {
        let (shape, b) = values(beta);
        out.push((format!("{name}.bias"), shape, b));
    }
}

impl BertModel {
    /// Every tensor under its bare HF name, in the order of [`TensorNames::expected`].
    pub fn to_hf_tensors(&self) -> Vec<NamedTensor> {
        let names = TensorNames::bare();
        let mut out = Vec::new();
        let e = &self.embeddings;
        for (name, param) in [
            ("word", &e.word),
            ("position", &e.position),
            ("token_type", &e.token_type),
        ] {
            let (shape, v) = values(param);
            out.push((
                names.get(&format!("embeddings.{name}_embeddings.weight")),
                shape,
                v,
            ));
        }
        push_norm(&mut out, names.get("embeddings.LayerNorm"), &e.layer_norm);
        for (i, layer) in self.layers.iter().enumerate() {
            let a = &layer.attention;
            push_linear(&mut out, names.layer(i, "attention.self.query"), &a.query);
            push_linear(&mut out, names.layer(i, "attention.self.key"), &a.key);
            push_linear(&mut out, names.layer(i, "attention.self.value"), &a.value);
            push_linear(
                &mut out,
                names.layer(i, "attention.output.dense"),
                &a.output,
            );
            push_norm(
                &mut out,
                names.layer(i, "attention.output.LayerNorm"),
                &a.layer_norm,
            );
            push_linear(
                &mut out,
                names.layer(i, "intermediate.dense"),
                &layer.intermediate,
            );
            push_linear(&mut out, names.layer(i, "output.dense"), &layer.output);
            push_norm(
                &mut out,
                names.layer(i, "output.LayerNorm"),
                &layer.layer_norm,
            );
        }
        out
    }
}

/// Files of an encoder directory besides the weights, copied from the base when present:
/// the architecture, the tokenizer, and sentence-transformers' pipeline description.
pub const ENCODER_SIDE_FILES: [&str; 10] = [
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    SCORER_FILE,
];

/// Writes `model` as a sentence-encoder directory `out`: `model.safetensors` plus the side
/// files of `base` (the directory the model was loaded from; `config.json` and
/// `tokenizer.json` must be there). Without sentence-transformers files in `base`, the
/// mean-pooling pipeline is described in `modules.json` and `1_Pooling/config.json`. The
/// scorer it was trained for goes in [`SCORER_FILE`], replacing the base's.
///
/// The directory is assembled as `out.partial` and renamed, so a reader never sees half of it.
pub fn save_sentence_encoder(
    model: &BertModel,
    base: &Path,
    out: &Path,
    scorer: Scorer,
) -> Result<()> {
    let partial = out.with_extension("partial");
    let io = |path: &Path, e: std::io::Error| ModelError::io(path, e);
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(|e| io(&partial, e))?;
    }
    std::fs::create_dir_all(partial.join("1_Pooling")).map_err(|e| io(&partial, e))?;
    for name in ENCODER_SIDE_FILES {
        let from = base.join(name);
        if from.is_file() {
            std::fs::copy(&from, partial.join(name)).map_err(|e| io(&from, e))?;
        } else if name == "config.json" || name == "tokenizer.json" {
            return Err(io(
                &from,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the base encoder directory must hold it",
                ),
            ));
        }
    }
    let hidden = model.embeddings.word.dims()[1];
    let defaults = [
        ("modules.json", r#"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},{"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]"#.to_string()),
        ("1_Pooling/config.json", format!(r#"{{"word_embedding_dimension":{hidden},"pooling_mode_cls_token":false,"pooling_mode_mean_tokens":true,"pooling_mode_max_tokens":false,"pooling_mode_mean_sqrt_len_tokens":false}}"#)),
        ("sentence_bert_config.json", format!(r#"{{"max_seq_length":{},"do_lower_case":false}}"#, model.max_positions().min(256))),
    ];
    for (name, text) in defaults {
        let path = partial.join(name);
        if !path.exists() {
            std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        }
    }
    let scorer_path = partial.join(SCORER_FILE);
    std::fs::write(&scorer_path, scorer_file_text(scorer)).map_err(|e| io(&scorer_path, e))?;
    write_safetensors(&partial.join("model.safetensors"), &model.to_hf_tensors())?;
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| io(out, e))?;
    }
    std::fs::rename(&partial, out).map_err(|e| io(out, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bert::{BertActivation, BertConfig};
    use crate::weights::{SafetensorsWeights, WeightSource};
    use burn::tensor::Device;

    #[test]
    fn exported_tensors_reload_into_the_same_model() {
        let config = BertConfig {
            vocab_size: 30,
            hidden_size: 8,
            num_layers: 2,
            num_heads: 2,
            intermediate_size: 12,
            max_position_embeddings: 16,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            activation: BertActivation::Gelu,
        };
        let device = Device::default();
        let model = config.init(&device).expect("config");
        let tensors = model.to_hf_tensors();
        let expected = TensorNames::bare().expected(&config);
        let got: Vec<(String, Vec<usize>)> = tensors
            .iter()
            .map(|(n, s, _)| (n.clone(), s.clone()))
            .collect();
        assert_eq!(got, expected);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("model.safetensors");
        write_safetensors(&path, &tensors).expect("write");
        let weights = SafetensorsWeights::open(&path).expect("open");
        let reloaded = BertModel::load(&weights, &config, &device).expect("load");
        assert_eq!(reloaded.to_hf_tensors(), tensors);
        // The query weight went out as PyTorch's [out, in]: a transposed read would differ.
        let (shape, values) = weights
            .tensor_f32("encoder.layer.0.attention.self.query.weight")
            .expect("tensor");
        assert_eq!(shape, [8, 8]);
        let burn_layout: Vec<f32> = model.layers[0]
            .attention
            .query
            .weight
            .val()
            .into_data()
            .iter::<f32>()
            .collect();
        assert_eq!(values, transpose(&burn_layout, 8, 8));
    }
}
