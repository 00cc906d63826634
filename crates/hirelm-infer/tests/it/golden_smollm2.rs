//! The real SmolLM2 in the engine against llama.cpp's logits on the same Q4_1 file (the fixture
//! of `hirelm-model`'s golden test, `crates/hirelm-model/tests/fixtures/smollm2_llamacpp.json`).
//!
//! With Q4_1 weights the engine computes with the file's own blocks (requantising the
//! dequantised values is lossless: checked below), so it differs from llama.cpp only in how the
//! activations are rounded to 8 bits. With Q8_0 the weights are requantised once more.

use std::sync::{Arc, OnceLock};

use hirelm_infer::kernels::Matrix;
use hirelm_infer::{DotKernel, EngineWeights, Session, WeightFormat};
use hirelm_model::gguf::GgufFile;
use hirelm_model::{PretrainedLlama, SMOLLM2_GGUF, fetched_model};
use serde::Deserialize;

use crate::golden::{Position, score_position};

#[derive(Debug, Deserialize)]
struct Fixture {
    top_k: usize,
    prompts: Vec<PromptCase>,
}

#[derive(Debug, Deserialize)]
struct PromptCase {
    ids: Vec<u32>,
    positions: Vec<Position>,
}

fn fixture() -> Fixture {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hirelm-model/tests/fixtures/smollm2_llamacpp.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture is committed"))
        .expect("fixture parses")
}

/// The fetched Q4_1 model's tensors, dequantised; panics with the fix when the file is missing.
fn tensors() -> &'static (
    hirelm_model::llama::LlamaConfig,
    Vec<hirelm_model::weights::NamedTensor>,
) {
    static TENSORS: OnceLock<(
        hirelm_model::llama::LlamaConfig,
        Vec<hirelm_model::weights::NamedTensor>,
    )> = OnceLock::new();
    TENSORS.get_or_init(|| {
        let path = fetched_model(SMOLLM2_GGUF).unwrap_or_else(|e| panic!("{e}"));
        let file = GgufFile::open(&path).expect("opens");
        let lm = PretrainedLlama::from_gguf(&file, &hirelm_model::burn::tensor::Device::flex())
            .expect("loads");
        (
            lm.model.config.clone(),
            lm.model.export_tensors().expect("f32 tensors"),
        )
    })
}

#[test]
fn q4_1_engine_weights_are_the_files_own_blocks() {
    let mut checked = 0;
    // Every projection is Q4_1 in the file; the embeddings are Q8_0 (and stay 8-bit in the engine).
    for (name, shape, data) in tensors()
        .1
        .iter()
        .filter(|(name, _, _)| name.ends_with("proj.weight"))
    {
        let [rows, cols] = shape[..] else { continue };
        let matrix = Matrix::from_f32(data.clone(), rows, cols, WeightFormat::Q4_1);
        let mut row = vec![0f32; cols];
        for r in 0..rows {
            matrix.row_f32(r, &mut row);
            assert!(
                row == data[r * cols..(r + 1) * cols],
                "{name} row {r} changed when requantised"
            );
        }
        checked += data.len();
    }
    assert!(checked > 100_000_000, "only {checked} values checked");
}

/// The fetched model's engine weights in `format`.
fn engine_weights(format: WeightFormat) -> Arc<EngineWeights> {
    let (config, tensors) = tensors();
    Arc::new(EngineWeights::from_tensors(config, tensors.clone(), format).expect("engine weights"))
}

/// Top-1 agreement and mean KL(llama.cpp || ours) over llama.cpp's top-k ids, every product
/// computed on `kernel` with `weights` (of `format`, named in the log line).
fn compare(weights: &Arc<EngineWeights>, format: WeightFormat, kernel: DotKernel) -> (f64, f64) {
    let (fixture, vocab) = (fixture(), weights.config.vocab_size);
    let (mut positions, mut agree, mut kl_sum) = (0usize, 0usize, 0.0f64);
    for prompt in &fixture.prompts {
        let logits = Session::with_kernel(Arc::clone(weights), kernel)
            .forward_all(&prompt.ids)
            .expect("forward");
        for (i, reference) in prompt.positions.iter().enumerate() {
            let (agrees, kl) = score_position(
                &logits[i * vocab..(i + 1) * vocab],
                reference,
                fixture.top_k,
            );
            agree += usize::from(agrees);
            kl_sum += kl;
        }
        positions += prompt.positions.len();
    }
    let (agreement, mean_kl) = (agree as f64 / positions as f64, kl_sum / positions as f64);
    let name = kernel.name();
    eprintln!(
        "engine {format:?} on {name} vs llama.cpp Q4_1: {positions} positions, top-1 agreement {:.2}%, mean KL {mean_kl:.5} nats",
        100.0 * agreement
    );
    assert!(positions >= 450, "fixture too small: {positions} positions");
    (agreement, mean_kl)
}

#[test]
fn engine_logits_match_llama_cpp_on_the_q4_1_file_on_every_kernel_path() {
    // The burn model, with f32 activations, reaches 97.07% on this fixture. The engine rounds
    // activations to 8 bits as llama.cpp's Q8_0 path does, but llama.cpp's Q4_1 path keeps a
    // block sum in f16 (Q8_1), and these prompts have many near-ties. Measured (Q4_1 / Q8_0
    // weights, on an AMD EPYC; the AVX-512 figures were the same on an Intel Xeon, and each
    // path runs the same instructions on any CPU that has it):
    //   portable     96.72% / 95.69%, mean KL 0.0032 / 0.0052
    //   avx2         96.38% / 96.55%, mean KL 0.0033 / 0.0047
    //   avx512-vnni  96.72% / 96.03%, mean KL 0.0049 / 0.0052
    // A wrong tensor or scale costs far more (a 4-bit output head alone: 85.5%).
    for format in [WeightFormat::Q4_1, WeightFormat::Q8_0] {
        let weights = engine_weights(format);
        for kernel in DotKernel::available() {
            let (agreement, mean_kl) = compare(&weights, format, kernel);
            let name = kernel.name();
            assert!(
                agreement >= 0.95,
                "{format:?} on {name}: top-1 agreement {agreement:.4} < 0.95"
            );
            assert!(
                mean_kl <= 0.01,
                "{format:?} on {name}: mean KL {mean_kl:.5} > 0.01"
            );
        }
    }
}
