//! Greedy decoding under a JSON schema on the fetched SmolLM2-135M and Gemma 3 270M (Q8_0
//! engine), two ways in the same run: the whole output head computed and then masked, against
//! only the head's tiles that hold an allowed id (`Session::forward_within`, what
//! `hirelm_infer::decode` does). Both produce the same tokens (checked before timing), so the
//! ratio is the skipped head alone:
//!
//!   cargo bench -p hirelm-infer --bench constrained_decode
//!
//! One iteration answers `score_match` (labels, a score and four components, at most 64
//! tokens) after a fixed prompt held in a cached session. A model that is not fetched
//! (`scripts/fetch-models.sh`) is skipped with a message.

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use hirelm_core::{Task, output_schema};
use hirelm_infer::constrain::{ConstrainedDecoder, TokenVocab};
use hirelm_infer::{BaseModel, Session, WeightFormat};

const PROMPT: &str = "Score how well this candidate matches the job. Job: senior data engineer, \
                      SQL, Rust and Airflow required, 40 hours a week, remote within two hours \
                      of UTC. Candidate: five years of SQL and Python, some Rust, available in \
                      a month, based in Lisbon. Answer in JSON.";
const MAX_TOKENS: usize = 64;

/// The first allowed id with the highest logit.
fn greedy(logits: &[f32]) -> u32 {
    let mut best = (0, f32::NEG_INFINITY);
    for (id, &logit) in logits.iter().enumerate() {
        if logit > best.1 {
            best = (id, logit);
        }
    }
    best.0 as u32
}

/// One constrained answer from a copy of `prompted` (which holds the prompt), its head computed
/// only where allowed when `within`.
fn answer(
    prompted: &Session,
    first: &[f32],
    decoder: &ConstrainedDecoder,
    within: bool,
) -> Vec<u32> {
    let (mut session, mut decoder) = (prompted.clone(), decoder.clone());
    let mut logits = first.to_vec();
    let mut tokens = Vec::new();
    while tokens.len() < MAX_TOKENS && !decoder.is_done() {
        decoder.mask_logits(&mut logits);
        let token = greedy(&logits);
        if decoder.push(token).is_err() {
            break;
        }
        tokens.push(token);
        logits = match within {
            true => session.forward_within(token, decoder.allowed()),
            false => session.forward(&[token]),
        }
        .expect("decode step");
    }
    tokens
}

fn bench(c: &mut Criterion) {
    for (name, file, eos) in [
        ("SmolLM2-135M", hirelm_model::SMOLLM2_GGUF, "<|im_end|>"),
        ("Gemma 3 270M", hirelm_model::GEMMA3_GGUF, "<end_of_turn>"),
    ] {
        let Ok(path) = hirelm_model::fetched_model(file) else {
            eprintln!("skipped {name}: {file} is not fetched (scripts/fetch-models.sh)");
            continue;
        };
        let base = BaseModel::load(&path.display().to_string()).expect("model loads");
        let weights = base
            .engine_weights(WeightFormat::Q8_0)
            .expect("engine weights");
        let tokenizer = base.tokenizer();
        let vocab = Arc::new(TokenVocab::from_tokenizer(tokenizer));
        let eos = tokenizer.token_id(eos).expect("end-of-turn token");
        let decoder = ConstrainedDecoder::new(&output_schema(Task::ScoreMatch), vocab, eos)
            .expect("schema compiles");
        let mut prompted = Session::new(Arc::new(weights));
        let prompt = tokenizer
            .encode(PROMPT, false, true)
            .expect("prompt encodes");
        let first = prompted.forward(&prompt).expect("prefill");
        let tokens = answer(&prompted, &first, &decoder, false);
        assert_eq!(
            tokens,
            answer(&prompted, &first, &decoder, true),
            "{name}: skipping the head changed the answer"
        );
        let mut group = c.benchmark_group(format!(
            "{name} score_match answer ({} tokens)",
            tokens.len()
        ));
        group.sample_size(10);
        group.bench_function("whole head, then masked", |b| {
            b.iter(|| answer(&prompted, &first, &decoder, false))
        });
        group.bench_function("allowed tiles only", |b| {
            b.iter(|| answer(&prompted, &first, &decoder, true))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
