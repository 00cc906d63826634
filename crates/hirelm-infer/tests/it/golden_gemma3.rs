//! The real Gemma 3 270M (Q4_K_M GGUF) against llama.cpp's own tokens and logits, recorded by
//! `scripts/golden/llamacpp_fixture.py --preset gemma3` into `tests/fixtures/gemma3_llamacpp.json`.
//! One prompt (869 tokens) is longer than the 512-token sliding window.
//!
//! Our engine computes with the file's weights dequantised exactly (F32); llama.cpp quantises
//! activations to 8 bits inside its K-quant matmuls, so agreement is close, not exact.

use std::sync::{Arc, OnceLock};

use hirelm_infer::engine::{EngineWeights, Session};
use hirelm_infer::kernels::WeightFormat;
use hirelm_model::gemma3::{Gemma3Config, load_gemma3_tensors};
use hirelm_model::gguf::GgufFile;
use hirelm_model::tokenizer::TextTokenizer;
use hirelm_model::{ChatMessage, ChatTemplate, GEMMA3_GGUF, Role, fetched_model};
use serde::Deserialize;

use crate::golden::{Position, score_position};

#[derive(Debug, Deserialize)]
struct Fixture {
    model_sha256: String,
    top_k: usize,
    tokenize: Vec<TokenizeCase>,
    prompts: Vec<PromptCase>,
}

#[derive(Debug, Deserialize)]
struct TokenizeCase {
    text: String,
    add_bos: bool,
    special: bool,
    ids: Vec<u32>,
}

#[derive(Debug, Deserialize)]
struct PromptCase {
    name: String,
    text: String,
    ids: Vec<u32>,
    positions: Vec<Position>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/gemma3_llamacpp.json");
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture is committed"))
            .expect("fixture parses")
    })
}

/// The fetched file, opened; panics with the fix when it is missing (CI fetches it first).
fn file() -> &'static GgufFile {
    static FILE: OnceLock<GgufFile> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = fetched_model(GEMMA3_GGUF).unwrap_or_else(|e| panic!("{e}"));
        GgufFile::open(&path).expect("opens")
    })
}

fn tokenizer() -> &'static TextTokenizer {
    static TOKENIZER: OnceLock<TextTokenizer> = OnceLock::new();
    TOKENIZER.get_or_init(|| TextTokenizer::from_gguf(file()).expect("builds"))
}

fn weights(format: WeightFormat) -> Arc<EngineWeights> {
    let config = Gemma3Config::from_gguf(file()).expect("config");
    let tensors = load_gemma3_tensors(file(), &config).expect("tensors");
    Arc::new(EngineWeights::from_gemma3(&config, tensors, format).expect("engine weights"))
}

#[test]
fn gemma3_fixture_was_made_from_the_fetched_model() {
    assert_eq!(
        fixture().model_sha256,
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    );
}

#[test]
fn gemma3_config_reads_the_270m_shape() {
    let c = Gemma3Config::from_gguf(file()).expect("config");
    assert_eq!(
        (
            c.vocab_size,
            c.hidden_size,
            c.num_layers,
            c.num_heads,
            c.num_kv_heads,
            c.head_dim
        ),
        (262_144, 640, 18, 4, 1, 256)
    );
    assert_eq!(c.sliding_window, 512);
    assert_eq!(
        (0..18).filter(|&i| c.is_global(i)).collect::<Vec<_>>(),
        [5, 11, 17]
    );
}

#[test]
fn gemma3_tokenizer_matches_llama_cpp() {
    let tok = tokenizer();
    let cases = fixture()
        .tokenize
        .iter()
        .map(|c| (&c.text, c.special, c.add_bos, &c.ids));
    let prompts = fixture()
        .prompts
        .iter()
        .map(|p| (&p.text, true, false, &p.ids));
    let mut checked = 0;
    for (text, special, add_bos, ids) in cases.chain(prompts) {
        let ours = tok.encode(text, special, add_bos).expect("encodes");
        assert_eq!(&ours, ids, "token ids differ from llama.cpp for {text:?}");
        let plain = !text.contains('<');
        if plain {
            assert_eq!(
                tok.decode(&ours, true).expect("decodes"),
                *text,
                "round trip"
            );
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} cases");
}

#[test]
fn gemma3_chat_template_tokens_equal_rendered_text_tokens() {
    let tok = tokenizer();
    let template = ChatTemplate::for_tokenizer(tok);
    assert_eq!(template, ChatTemplate::gemma());
    let chat = [
        ChatMessage::new(Role::System, "You are a recruiting assistant."),
        ChatMessage::new(
            Role::User,
            "Draft a job post for a senior Rust engineer (remote, €90k).",
        ),
        ChatMessage::new(
            Role::Assistant,
            "Senior Rust Engineer\n- 5+ years of systems work",
        ),
        ChatMessage::new(Role::User, "Make it shorter."),
    ];
    let encoded = template.encode(tok, &chat, true).expect("encodes");
    let rendered = tok
        .encode(&template.render(&chat, true), true, false)
        .expect("encodes");
    assert_eq!(encoded.ids, rendered);
    let system_only = template.encode(tok, &chat[..1], false).expect("encodes");
    assert!(
        encoded.ids.starts_with(&system_only.ids),
        "the system turn's ids are a prefix (the prefix cache needs it)"
    );
}

/// Top-1 agreement and mean KL(llama.cpp || ours) over llama.cpp's top-k ids, both renormalised
/// over them, for every position of every prompt; each prompt runs as one batched prefill.
fn compare_logits(format: WeightFormat) -> (usize, f64, f64) {
    let weights = weights(format);
    let vocab = weights.config.vocab_size;
    let (mut positions, mut agree, mut kl_sum, mut worst) = (0usize, 0usize, 0.0f64, 0.0f64);
    for prompt in &fixture().prompts {
        let logits = Session::new(Arc::clone(&weights))
            .forward_all(&prompt.ids)
            .expect("forward");
        assert_eq!(prompt.positions.len(), prompt.ids.len(), "{}", prompt.name);
        let mut prompt_agree = 0;
        for (i, reference) in prompt.positions.iter().enumerate() {
            let (agrees, kl) = score_position(
                &logits[i * vocab..(i + 1) * vocab],
                reference,
                fixture().top_k,
            );
            prompt_agree += usize::from(agrees);
            kl_sum += kl;
            worst = worst.max(kl);
        }
        eprintln!(
            "{}: top-1 agreement {prompt_agree}/{}",
            prompt.name,
            prompt.positions.len()
        );
        agree += prompt_agree;
        positions += prompt.positions.len();
    }
    let (agreement, mean_kl) = (agree as f64 / positions as f64, kl_sum / positions as f64);
    eprintln!(
        "gemma3 golden ({format:?}): {positions} positions, top-1 agreement {:.2}%, mean KL {mean_kl:.5} nats, worst {worst:.4}",
        agreement * 100.0
    );
    assert!(
        positions >= 1000,
        "fixture too small: {positions} positions"
    );
    (positions, agreement, mean_kl)
}

#[test]
fn gemma3_logits_match_llama_cpp() {
    let (_, agreement, mean_kl) = compare_logits(WeightFormat::F32);
    assert!(agreement >= 0.97, "top-1 agreement {agreement:.4} < 0.97");
    assert!(mean_kl <= 0.02, "mean KL {mean_kl:.5} > 0.02");
}
