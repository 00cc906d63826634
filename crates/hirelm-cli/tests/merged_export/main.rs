//! `hirelm adapter merge` writes GGUF files that llama.cpp and hirelm run alike: the bundled
//! adapter merged into the fetched base, exported as Q8_0 and as F16, gives in hirelm the
//! logits llama.cpp recorded on the same files (`scripts/golden/merged_export_fixture.py`
//! writes `tests/fixtures/merged_export_llamacpp.json`), on every kernel path this CPU has.
//! Needs the real model (CI fetches it first); runs in release mode like every test.
//!
//! The fixture was recorded on one CPU; this test runs on others. Two engines that add the same
//! products in another order part at near-ties, and once a greedy text has parted it never
//! joins again, so comparing greedy texts demands bit-equal arithmetic. Instead every position
//! is teacher-forced (the prompt, then llama.cpp's greedy tokens) and scored on its own: top-1
//! agreement, where a difference is allowed at a few positions and only if llama.cpp itself
//! scored the two tokens close, and KL(llama.cpp || hirelm) over llama.cpp's top 20.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use hirelm_infer::{DotKernel, EngineWeights, Session, WeightFormat};
use hirelm_model::PretrainedLlama;
use hirelm_model::gguf::GgufFile;
use serde::Deserialize;
use sha2::{Digest, Sha256};

// llama.cpp's recorded top-k per position and how a row of logits is scored against it, shared
// with the engine's own golden tests.
#[path = "../../../hirelm-infer/tests/it/golden.rs"]
mod golden;
mod verdict;

use golden::Position;
use verdict::Verdict;

#[derive(Debug, Deserialize)]
struct Fixture {
    recorded_on: String,
    top_k: usize,
    files: Vec<FileCase>,
}

#[derive(Debug, Deserialize)]
struct FileCase {
    file: String,
    sha256: String,
    prompts: Vec<PromptCase>,
}

#[derive(Debug, Deserialize)]
struct PromptCase {
    name: String,
    ids: Vec<u32>,
    greedy: Vec<u32>,
    /// llama.cpp's top-k after each of `ids` and then each of `greedy` but the last.
    positions: Vec<Position>,
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("repository root")
}

fn fixture() -> Fixture {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merged_export_llamacpp.json"),
    )
    .expect("fixture is committed");
    serde_json::from_str(&text).expect("fixture parses")
}

/// `hirelm adapter merge` of the bundled adapter into `out` as `gguf_type`.
fn merge(out: &Path, gguf_type: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_hirelm"))
        .args([
            "adapter",
            "merge",
            "--adapter",
            "shipped/adapters/hirelm-hiring-v2",
            "--gguf-type",
            gguf_type,
            "--gguf-out",
        ])
        .arg(out)
        .current_dir(repo())
        .output()
        .expect("runs");
    assert!(
        status.status.success(),
        "merge failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// Every teacher-forced position of `case` through `weights` on `kernel`.
fn compare(
    weights: &Arc<EngineWeights>,
    kernel: DotKernel,
    case: &FileCase,
    top_k: usize,
) -> Verdict {
    let vocab = weights.config.vocab_size;
    let mut verdict = Verdict::default();
    for prompt in &case.prompts {
        let fed: Vec<u32> = prompt
            .ids
            .iter()
            .chain(&prompt.greedy[..prompt.greedy.len() - 1])
            .copied()
            .collect();
        assert_eq!(
            fed.len(),
            prompt.positions.len(),
            "{} {}: fixture positions",
            case.file,
            prompt.name
        );
        let logits = Session::with_kernel(Arc::clone(weights), kernel)
            .forward_all(&fed)
            .expect("forward");
        for (i, reference) in prompt.positions.iter().enumerate() {
            verdict.score(
                &prompt.name,
                i,
                &logits[i * vocab..(i + 1) * vocab],
                reference,
                top_k,
            );
        }
    }
    verdict
}

/// The merged export of `gguf_type` in `dir`. It is byte-identical to the file llama.cpp ran on
/// the CPUs measured so far, but merging runs f32 products on burn, whose rounding may differ
/// on another CPU: then the logits are still compared, within the same tolerances, and the
/// difference is reported.
fn export(dir: &Path, case: &FileCase, gguf_type: &str) -> std::path::PathBuf {
    let path = dir.join(&case.file);
    merge(&path, gguf_type);
    let sha: String = Sha256::digest(std::fs::read(&path).expect("written"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if sha != case.sha256 {
        eprintln!(
            "{}: sha256 {sha} is not the recorded {} (merge rounding on this CPU?); comparing logits anyway",
            case.file, case.sha256
        );
    }
    path
}

/// The Llama tensors of a GGUF file, as the engine builds from them.
fn tensors(
    path: &Path,
) -> (
    hirelm_model::llama::LlamaConfig,
    Vec<hirelm_model::weights::NamedTensor>,
) {
    let file = GgufFile::open(path).expect("opens");
    let lm = PretrainedLlama::from_gguf(&file, &hirelm_model::burn::tensor::Device::flex())
        .expect("loads");
    (
        lm.model.config.clone(),
        lm.model.export_tensors().expect("f32 tensors"),
    )
}

#[test]
fn merged_gguf_exports_give_llama_cpps_logits_on_every_kernel_path() {
    let fixture = fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| {
        c.lines()
            .find(|l| l.starts_with("model name"))
            .map(|l| l[l.find(':').map_or(0, |i| i + 1)..].trim().to_owned())
    });
    eprintln!(
        "fixture recorded on {}; this CPU: {}",
        fixture.recorded_on,
        cpu.as_deref().unwrap_or("unknown")
    );
    let mut failures = Vec::new();
    for (case, (gguf_type, format)) in fixture
        .files
        .iter()
        .zip([("q8-0", WeightFormat::Q8_0), ("f16", WeightFormat::F32)])
    {
        let path = export(dir.path(), case, gguf_type);
        let (config, tensors) = tensors(&path);
        let weights = Arc::new(
            EngineWeights::from_tensors(&config, tensors, format).expect("engine weights"),
        );
        for kernel in DotKernel::available() {
            let v = compare(&weights, kernel, case, fixture.top_k);
            eprintln!("{} on {}: {}", case.file, kernel.name(), v.summary());
            // Enough positions that a share of disagreements means something.
            assert!(
                v.positions >= 200,
                "{}: only {} positions in the fixture",
                case.file,
                v.positions
            );
            if !v.passes() {
                failures.push(format!(
                    "{} on {}: {}; differ at {:?}",
                    case.file,
                    kernel.name(),
                    v.summary(),
                    v.disagreements
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "hirelm parts from llama.cpp beyond the tolerance:\n{}",
        failures.join("\n")
    );
}

/// Rewrites every row of one projection (layer 15's `o_proj`, one of 30 layers' seven) as a
/// broken kernel would see it, block by block.
fn break_one_projection(
    tensors: &mut [hirelm_model::weights::NamedTensor],
    breakage: impl Fn(&mut [f32]),
) {
    let (_, shape, data) = tensors
        .iter_mut()
        .find(|(name, _, _)| name == "model.layers.15.self_attn.o_proj.weight")
        .expect("o_proj");
    data.chunks_exact_mut(shape[1]).for_each(breakage);
}

/// The tolerances are tight enough to catch a kernel bug, each bound on its own: a kernel that
/// reads one scale per row instead of one per block, and one that reads each block one block
/// off, in a single projection, both fail the top-1 bound and the KL bound.
#[test]
fn a_wrong_kernel_fails_the_comparison() {
    let fixture = fixture();
    let case = &fixture.files[0];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = export(dir.path(), case, "q8-0");
    let (config, tensors) = tensors(&path);
    let amax = |block: &[f32]| block.iter().fold(0f32, |m, v| m.max(v.abs()));
    let first_scale_only = |row: &mut [f32]| {
        let first = amax(&row[..32]);
        for block in row.chunks_exact_mut(32) {
            let own = amax(block);
            if own > 0.0 {
                block.iter_mut().for_each(|v| *v *= first / own);
            }
        }
    };
    let one_block_off = |row: &mut [f32]| row.rotate_left(32);
    type Breakage<'a> = (&'a str, &'a dyn Fn(&mut [f32]));
    let breakages: [Breakage<'_>; 2] = [
        ("first scale only", &first_scale_only),
        ("one block off", &one_block_off),
    ];
    for (name, breakage) in breakages {
        let mut broken = tensors.clone();
        break_one_projection(&mut broken, breakage);
        let weights = Arc::new(
            EngineWeights::from_tensors(&config, broken, WeightFormat::Q8_0)
                .expect("engine weights"),
        );
        let v = compare(&weights, DotKernel::detect(), case, fixture.top_k);
        eprintln!("{name}: {}", v.summary());
        assert_eq!(
            v.failures(),
            (true, true),
            "{name}: a broken kernel passes a bound: {}",
            v.summary()
        );
    }
}

/// `--hf-out` writes what `transformers` and PEFT need to load the merged model as a chat model:
/// the chat template and special tokens from the GGUF base, and the stop token by id.
#[test]
fn an_hf_export_carries_the_chat_template_and_stop_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_hirelm"))
        .args([
            "adapter",
            "merge",
            "--adapter",
            "shipped/adapters/hirelm-hiring-v2",
            "--hf-out",
        ])
        .arg(dir.path())
        .current_dir(repo())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.path().join(name)).expect(name)).expect(name)
    };
    let tokenizer = read("tokenizer_config.json");
    let generation = read("generation_config.json");
    let template = tokenizer["chat_template"]
        .as_str()
        .expect("a chat template");
    assert!(template.contains("<|im_start|>"), "{template}");
    assert_eq!(tokenizer["eos_token"], "<|im_end|>", "{tokenizer}");
    // The stop token's id is the tokenizer's id for the same text.
    let tokenizer_json = read("tokenizer.json");
    let id_of = |text: &str| {
        tokenizer_json["added_tokens"]
            .as_array()
            .and_then(|added| added.iter().find(|t| t["content"] == text))
            .map(|t| t["id"].clone())
            .unwrap_or_else(|| tokenizer_json["model"]["vocab"][text].clone())
    };
    assert_eq!(
        generation["eos_token_id"],
        id_of("<|im_end|>"),
        "{generation}"
    );
    for file in ["config.json", "model.safetensors"] {
        assert!(dir.path().join(file).is_file(), "{file}");
    }
}
