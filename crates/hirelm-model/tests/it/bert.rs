//! BERT / all-MiniLM-L6-v2: golden embeddings against sentence-transformers, batching
//! invariance on the real model, and strict weight loading.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use hirelm_model::ModelError;
use hirelm_model::bert::{BertActivation, BertConfig, BertModel, SentenceEncoder, TensorNames};
use hirelm_model::weights::{SafetensorsWeights, write_safetensors};
use serde::Deserialize;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fetched encoder directory (panics with the fetch command when missing).
fn minilm_dir() -> PathBuf {
    crate::common::require_model(hirelm_model::MINILM_DIR)
}

#[derive(Debug, Deserialize)]
struct Fixture {
    versions: serde_json::Value,
    sentences: Vec<FixtureSentence>,
}

#[derive(Debug, Deserialize)]
struct FixtureSentence {
    text: String,
    embedding: Vec<f32>,
}

fn load_fixture() -> Fixture {
    let path = manifest_dir().join("tests/fixtures/minilm_st.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (regenerate with scripts/golden/minilm_fixture.py)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

#[test]
fn minilm_matches_sentence_transformers() {
    let fixture = load_fixture();
    assert!(
        fixture.sentences.len() >= 24,
        "fixture has only {} sentences",
        fixture.sentences.len()
    );
    let encoder = SentenceEncoder::load(&minilm_dir(), &Device::default()).expect("load MiniLM");
    assert_eq!(encoder.dim(), 384);
    let texts: Vec<&str> = fixture.sentences.iter().map(|s| s.text.as_str()).collect();
    let got = encoder.embed(&texts).expect("embed");
    assert_eq!(got.len(), texts.len());

    let mut worst = (f32::INFINITY, "");
    for (sentence, ours) in fixture.sentences.iter().zip(&got) {
        assert_eq!(
            ours.len(),
            sentence.embedding.len(),
            "width for {:?}",
            sentence.text
        );
        let norm: f32 = ours.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!(
            (norm - 1.0).abs() < 1e-4,
            "norm {norm} for {:?}",
            sentence.text
        );
        let c = cosine(ours, &sentence.embedding);
        assert!(c >= 0.999, "cosine {c} < 0.999 for {:?}", sentence.text);
        if c < worst.0 {
            worst = (c, sentence.text.as_str());
        }
    }
    println!(
        "MiniLM vs sentence-transformers ({}): {} sentences, min cosine {:.7} for {:?}",
        fixture.versions,
        texts.len(),
        worst.0,
        worst.1.chars().take(60).collect::<String>()
    );
}

#[test]
fn minilm_batching_does_not_change_embeddings() {
    let fixture = load_fixture();
    let encoder = SentenceEncoder::load(&minilm_dir(), &Device::default()).expect("load MiniLM");
    let long = fixture
        .sentences
        .iter()
        .map(|s| s.text.as_str())
        .max_by_key(|t| t.len())
        .expect("non-empty fixture");
    for text in ["Senior Rust engineer", "Zoë Müller, São Paulo", "."] {
        let alone = encoder.embed(&[text]).expect("embed");
        let batched = encoder.embed(&[long, text, long]).expect("embed");
        let diff = alone[0]
            .iter()
            .zip(&batched[1])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(diff < 1e-5, "padding changed {text:?} by {diff}");
        assert!(
            cosine(&batched[0], &batched[1]) < 0.99,
            "test texts should differ"
        );
    }
    assert!(encoder.embed(&[]).expect("empty input").is_empty());
}

fn tiny_config() -> BertConfig {
    BertConfig {
        vocab_size: 40,
        hidden_size: 8,
        num_layers: 2,
        num_heads: 2,
        intermediate_size: 16,
        max_position_embeddings: 16,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        activation: BertActivation::Gelu,
    }
}

/// A random checkpoint with every tensor of `config` under `names`.
fn random_checkpoint(
    config: &BertConfig,
    names: &TensorNames,
) -> Vec<hirelm_model::weights::NamedTensor> {
    let mut state = 0x2545_f491_u32;
    names
        .expected(config)
        .into_iter()
        .map(|(name, shape)| {
            let values = (0..shape.iter().product::<usize>())
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    (state as f32 / u32::MAX as f32 - 0.5) * 0.2
                })
                .collect();
            (name, shape, values)
        })
        .collect()
}

fn write_and_load(
    dir: &Path,
    tensors: &[hirelm_model::weights::NamedTensor],
) -> Result<BertModel, ModelError> {
    let path = dir.join("model.safetensors");
    write_safetensors(&path, tensors).expect("write checkpoint");
    let src = SafetensorsWeights::open(&path).expect("open checkpoint");
    BertModel::load(&src, &tiny_config(), &Device::default())
}

#[test]
fn bert_loading_is_strict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = tiny_config();
    let full = random_checkpoint(&config, &TensorNames::bare());
    assert_eq!(full.len(), 5 + 16 * config.num_layers);
    write_and_load(dir.path(), &full).expect("complete checkpoint loads");

    // With the `bert.` prefix of BertForXxx exports, plus an extra tensor that is ignored.
    let mut prefixed = random_checkpoint(&config, &TensorNames::with_prefix("bert."));
    prefixed.push(("cls.predictions.bias".to_owned(), vec![40], vec![0.0; 40]));
    write_and_load(dir.path(), &prefixed).expect("prefixed checkpoint loads");

    let missing_name = "encoder.layer.1.attention.self.value.bias";
    let missing: Vec<_> = full
        .iter()
        .filter(|(n, _, _)| n != missing_name)
        .cloned()
        .collect();
    let err = write_and_load(dir.path(), &missing).expect_err("missing tensor");
    assert!(
        matches!(err, ModelError::MissingTensor { ref name } if name == missing_name),
        "{err}"
    );
    assert!(err.to_string().contains(missing_name));

    let bad_name = "encoder.layer.0.intermediate.dense.weight";
    let reshaped: Vec<_> = full
        .iter()
        .map(|(n, shape, v)| {
            if n == bad_name {
                (n.clone(), vec![shape[1], shape[0]], v.clone())
            } else {
                (n.clone(), shape.clone(), v.clone())
            }
        })
        .collect();
    let err = write_and_load(dir.path(), &reshaped).expect_err("wrong shape");
    assert!(
        matches!(err, ModelError::ShapeMismatch { ref name, ref expected, ref got }
            if name == bad_name && expected == &[16, 8] && got == &[8, 16]),
        "{err}"
    );

    let err = BertModel::load(
        &SafetensorsWeights::open(dir.path().join("model.safetensors")).expect("open"),
        &BertConfig {
            num_heads: 3,
            ..config
        },
        &Device::default(),
    )
    .expect_err("3 heads do not divide 8");
    assert!(matches!(err, ModelError::Config(_)), "{err}");
}
