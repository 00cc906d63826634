//! The real SmolLM2 Q4_1 model against llama.cpp's own tokens and logits, recorded by
//! `scripts/golden/llamacpp_fixture.py` into two fixtures:
//!
//! - `smollm2_llamacpp.json`: llama.cpp on the Q4_1 file itself. llama.cpp quantises
//!   activations to 8 bits inside Q4_1 matmuls, so agreement is close but not exact.
//! - `smollm2_f32_llamacpp.json`: llama.cpp on the F32 rewrite of the same file written by
//!   `hirelm model convert` (our GGUF writer, our Q/K permutation): the same weights we compute
//!   with, so agreement must be near-exact.

use std::sync::OnceLock;

use hirelm_model::burn::tensor::{Device, Int, Tensor, TensorData};
use hirelm_model::{ChatMessage, ChatTemplate, PretrainedLlama, Role};
use serde::Deserialize;

use crate::common;

#[derive(Debug, Deserialize)]
struct Fixture {
    model_file: String,
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
    add_bos: bool,
    special: bool,
    ids: Vec<u32>,
    positions: Vec<Position>,
}

#[derive(Debug, Deserialize)]
struct Position {
    top_ids: Vec<u32>,
    top_logits: Vec<f32>,
}

fn load_fixture(name: &str) -> Fixture {
    let path = common::fixture(name);
    let text = std::fs::read_to_string(&path).expect("fixture is committed");
    serde_json::from_str(&text).expect("fixture parses")
}

/// llama.cpp on the Q4_1 file.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| load_fixture("smollm2_llamacpp.json"))
}

/// llama.cpp on the F32 rewrite of the Q4_1 file.
fn f32_fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| load_fixture("smollm2_f32_llamacpp.json"))
}

fn model() -> &'static PretrainedLlama {
    static MODEL: OnceLock<PretrainedLlama> = OnceLock::new();
    MODEL.get_or_init(|| {
        PretrainedLlama::load_gguf(&common::smollm2_gguf(), &Device::flex()).expect("loads")
    })
}

#[test]
fn fixture_was_made_from_the_fetched_model() {
    // The fetch script checks this sha256 too; a mismatch means the fixture is stale.
    assert_eq!(
        fixture().model_sha256,
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    );
}

#[test]
fn tokenizer_matches_llama_cpp() {
    let tok = &model().tokenizer;
    // The F32 file carries the tokenizer metadata our converter copied: same ids expected.
    let cases = [fixture(), f32_fixture()]
        .into_iter()
        .flat_map(|f| f.tokenize.iter());
    let cases = cases.map(|c| (&c.text, c.special, c.add_bos, &c.ids));
    let prompts = fixture()
        .prompts
        .iter()
        .map(|p| (&p.text, p.special, p.add_bos, &p.ids));
    let mut checked = 0;
    for (text, special, add_bos, ids) in cases.chain(prompts) {
        let ours = tok.encode(text, special, add_bos).expect("encodes");
        assert_eq!(&ours, ids, "token ids differ from llama.cpp for {text:?}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} cases");
}

#[test]
fn chat_template_tokens_equal_rendered_text_tokens() {
    let tok = &model().tokenizer;
    let template = ChatTemplate::default();
    let chat = [
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
    // The mask covers the assistant's content and its closing <|im_end|>, nothing else.
    let masked: Vec<u32> = encoded
        .ids
        .iter()
        .zip(&encoded.assistant_mask)
        .filter(|(_, m)| **m)
        .map(|(t, _)| *t)
        .collect();
    let im_end = tok.token_id("<|im_end|>").expect("present");
    assert_eq!(masked.last(), Some(&im_end));
    assert_eq!(
        tok.decode(&masked[..masked.len() - 1], false)
            .expect("decodes"),
        "Senior Rust Engineer\n- 5+ years of systems work"
    );
}

/// Softmax over `logits`.
fn softmax(logits: &[f64]) -> Vec<f64> {
    let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = exp.iter().sum();
    exp.into_iter().map(|e| e / total).collect()
}

/// Top-1 agreement and KL(llama.cpp || ours) over llama.cpp's top-k ids, both renormalised over
/// them: `(positions, agreement, mean_kl)`.
fn compare_logits(fixture: &Fixture) -> (usize, f64, f64) {
    let lm = model();
    let device = Device::flex();
    let (mut positions, mut top1_agree, mut kl_sum, mut worst_kl) =
        (0usize, 0usize, 0.0f64, 0.0f64);
    for prompt in &fixture.prompts {
        let ids: Vec<i64> = prompt.ids.iter().map(|&t| t as i64).collect();
        let tokens =
            Tensor::<2, Int>::from_data(TensorData::new(ids.clone(), [1, ids.len()]), &device);
        let logits = lm
            .model
            .forward(tokens, None)
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32");
        let vocab = lm.model.config.vocab_size;
        assert_eq!(prompt.positions.len(), ids.len(), "{}", prompt.name);
        let mut prompt_agree = 0;
        for (i, reference) in prompt.positions.iter().enumerate() {
            let row = &logits[i * vocab..(i + 1) * vocab];
            if hirelm_model::sampling::argmax(row) == reference.top_ids[0] {
                prompt_agree += 1;
            }
            let k = fixture.top_k.min(reference.top_ids.len());
            let p = softmax(
                &reference.top_logits[..k]
                    .iter()
                    .map(|&l| l as f64)
                    .collect::<Vec<_>>(),
            );
            let q = softmax(
                &reference.top_ids[..k]
                    .iter()
                    .map(|&t| row[t as usize] as f64)
                    .collect::<Vec<_>>(),
            );
            let kl: f64 = p.iter().zip(&q).map(|(p, q)| p * (p / q).ln()).sum();
            kl_sum += kl;
            worst_kl = worst_kl.max(kl);
        }
        eprintln!(
            "{}: top-1 agreement {prompt_agree}/{}",
            prompt.name,
            prompt.positions.len()
        );
        top1_agree += prompt_agree;
        positions += prompt.positions.len();
    }
    let agreement = top1_agree as f64 / positions as f64;
    let mean_kl = kl_sum / positions as f64;
    eprintln!(
        "golden ({}): {positions} positions, top-1 agreement {:.2}%, mean KL {mean_kl:.5} nats, worst {worst_kl:.4}",
        fixture.model_file,
        agreement * 100.0
    );
    assert!(positions >= 450, "fixture too small: {positions} positions");
    (positions, agreement, mean_kl)
}

#[test]
fn logits_match_llama_cpp_on_q4_1() {
    let (_, agreement, mean_kl) = compare_logits(fixture());
    assert!(agreement >= 0.97, "top-1 agreement {agreement:.4} < 0.97");
    assert!(mean_kl <= 0.02, "mean KL {mean_kl:.5} > 0.02");
}

#[test]
fn logits_match_llama_cpp_on_the_same_weights_in_f32() {
    let (_, agreement, mean_kl) = compare_logits(f32_fixture());
    assert!(agreement >= 0.995, "top-1 agreement {agreement:.4} < 0.995");
    assert!(mean_kl <= 0.001, "mean KL {mean_kl:.5} > 0.001");
}

/// Found by `scripts/fuzz.sh tokenizer_bytes` (crash-f2dec21a): SmolLM2's byte-level vocabulary
/// has no symbol for 21 of the 256 bytes (among them the control characters U+0004, U+0006,
/// U+0013, U+0014, U+0016 and U+001D), and with neither an unknown token nor byte fallback the
/// tokenizer drops them. Pinned here so that a change in that behaviour is noticed; every other
/// text must survive the round trip.
#[test]
fn fuzz_tokenizer_bytes_control_bytes_outside_the_vocabulary_are_dropped() {
    let tok = &model().tokenizer;
    let ids = tok.encode("a\u{6}b\u{4}c", false, false).expect("encodes");
    assert_eq!(tok.decode(&ids, false).expect("decodes"), "abc");
    let text = "Senior Rust engineer – 5+ yrs, €90k, naïve café\tremote\n日本語";
    let ids = tok.encode(text, false, false).expect("encodes");
    assert_eq!(tok.decode(&ids, false).expect("decodes"), text);
}
