//! Scoring continuations ([`DomainModel::score_continuations`]) against the log-probabilities
//! of one plain forward pass over the whole conversation, on a tiny random network with the
//! real SmolLM2 tokenizer: the cached prompt, the shared answer opening and the truncation
//! between candidates must not change a score.

use std::sync::Arc;

use hirelm_core::{Task, task_instruction, user_message};
use hirelm_infer::{BaseModel, DomainModel, DomainModelBuilder, Session, WeightFormat};
use hirelm_model::{ChatMessage, ChatTemplate, Role};
use serde_json::{Value, json};

use crate::common::tiny_model_with_real_tokenizer;

const OPENING: &str = "{\"skills\":[\"";

/// The log-probability of `continuation` after the prompt and `OPENING`, from one forward pass
/// over all the tokens (no cache reuse, no truncation).
fn reference(path: &str, model: &DomainModel, input: &Value, continuation: &str) -> f32 {
    let tokenizer = model.tokenizer();
    let messages = [
        ChatMessage::new(Role::System, task_instruction(Task::ExtractSkills)),
        ChatMessage::new(Role::User, user_message(input)),
    ];
    let prompt = ChatTemplate::for_tokenizer(tokenizer)
        .encode(tokenizer, &messages, true)
        .expect("prompt")
        .ids;
    let opening = tokenizer.encode(OPENING, false, false).expect("opening");
    let answer = tokenizer
        .encode(&format!("{OPENING}{continuation}"), false, false)
        .expect("answer");
    let shared = answer
        .iter()
        .zip(&opening)
        .take_while(|(a, b)| a == b)
        .count();
    let ids: Vec<u32> = prompt.iter().chain(&answer).copied().collect();
    let weights = Arc::new(
        BaseModel::load(path)
            .expect("load")
            .engine_weights(WeightFormat::Q8_0)
            .expect("weights"),
    );
    let logits = Session::new(weights).forward_all(&ids).expect("forward");
    let vocab = logits.len() / ids.len();
    (prompt.len() + shared..ids.len())
        .map(|at| {
            let row = &logits[(at - 1) * vocab..at * vocab];
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = row.iter().map(|l| (l - max).exp()).sum();
            row[ids[at] as usize] - max - sum.ln()
        })
        .sum()
}

#[test]
fn continuation_scores_equal_a_plain_forward_pass_in_any_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(path) = tiny_model_with_real_tokenizer(dir.path()) else {
        return;
    };
    let path = path.to_string_lossy().into_owned();
    let model = DomainModelBuilder::new(&path).build().expect("build");
    let input = json!("You will maintain our Rust services and mentor junior engineers.");
    // `"]` crosses the opening's last token boundary in a BPE tokenizer: the second path.
    let continuations: Vec<String> = ["Rust", "mentor others", "\"]", "project management"]
        .map(String::from)
        .into();
    let scores = model
        .score_continuations(Task::ExtractSkills, &input, OPENING, &continuations)
        .expect("scores");
    for (continuation, score) in continuations.iter().zip(&scores) {
        let expected = reference(&path, &model, &input, continuation);
        assert!(
            (score.log_prob - expected).abs() < 1e-3 * expected.abs().max(1.0),
            "{continuation}: {} against {expected}",
            score.log_prob
        );
        assert!(score.log_prob < 0.0 && score.tokens >= 1, "{continuation}");
    }
    let reversed: Vec<String> = continuations.iter().rev().cloned().collect();
    let again = model
        .score_continuations(Task::ExtractSkills, &input, OPENING, &reversed)
        .expect("reversed");
    for (a, b) in scores.iter().zip(again.iter().rev()) {
        assert!((a.log_prob - b.log_prob).abs() < 1e-4, "{a:?} {b:?}");
    }
    let empty = model.score_continuations(Task::ExtractSkills, &input, OPENING, &[String::new()]);
    assert!(empty.is_err());
}
