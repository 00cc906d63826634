//! The closing path and token budgets: from any state the closing path finishes a valid value
//! in exactly the predicted number of tokens, and a decode given at least that budget always
//! ends with a complete value, whatever the model prefers.

use std::sync::Arc;

use hirelm_core::{Task, output_schema, validate};
use serde_json::{Value, json};

use super::union_tests::{conforms, union_schemas};
use super::walk_tests::{XorShift, byte_vocab, small_limits};
use super::*;

fn schemas() -> Vec<(Value, ConstraintLimits)> {
    let mut out: Vec<(Value, ConstraintLimits)> = Task::ALL
        .iter()
        .flat_map(|&t| {
            [
                (output_schema(t), small_limits()),
                (output_schema(t), ConstraintLimits::default()),
            ]
        })
        .collect();
    out.push((
        json!({"type": "object", "properties": {
            "a": {"type": "integer", "minimum": 1000, "maximum": 5000},
            "b": {"type": "number", "minimum": 0.5, "maximum": 1},
            "e": {"enum": ["long label", "x", 10, true]},
            "f": {"type": "array", "items": {"type": "array", "items": {"type": "string", "minLength": 3}, "minItems": 2}, "minItems": 1},
            "g": {"type": "string", "minLength": 4}}, "required": ["a", "b", "e", "f", "g"]}),
        ConstraintLimits::default(),
    ));
    out.push((
        json!({"type": "number", "minimum": -2.5, "maximum": -0.25}),
        ConstraintLimits::default(),
    ));
    for schema in union_schemas() {
        out.push((schema.clone(), small_limits()));
        out.push((schema, ConstraintLimits::default()));
    }
    out
}

fn valid(schema: &Value, text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    match Task::ALL.iter().find(|&&t| output_schema(t) == *schema) {
        Some(&task) => validate(task, &value).is_ok(),
        None => conforms(schema, schema, &value).is_ok(),
    }
}

#[test]
fn the_closing_path_finishes_a_valid_value_in_exactly_the_predicted_tokens() {
    let (vocab, eos) = byte_vocab();
    let mut rng = XorShift(7);
    for (schema, limits) in schemas() {
        let compiled =
            Arc::new(JsonSchemaConstraint::compile_with(&schema, limits).expect("compiles"));
        for round in 0..150 {
            // A random valid prefix, then the closing path.
            let mut decoder =
                ConstrainedDecoder::from_compiled(compiled.clone(), vocab.clone(), eos);
            let mut text = Vec::new();
            for _ in 0..rng.below(80) {
                let allowed: Vec<u32> = decoder
                    .allowed()
                    .iter()
                    .enumerate()
                    .filter(|(id, ok)| **ok && *id as u32 != eos)
                    .map(|(i, _)| i as u32)
                    .collect();
                if allowed.is_empty() || decoder.is_done() {
                    break;
                }
                let token = allowed[rng.below(allowed.len())];
                decoder.push(token).expect("allowed");
                text.extend_from_slice(vocab.bytes(token).unwrap_or_default());
            }
            let mut state = decoder.state().clone();
            let mut left = state.tokens_to_finish().expect("reachable state");
            while let Some(byte) = state.closing_byte() {
                state
                    .advance_bytes(&[byte])
                    .unwrap_or_else(|e| panic!("round {round}: closing byte refused: {e}"));
                text.push(byte);
                let now = state.tokens_to_finish().expect("reachable state");
                assert_eq!(
                    now + 1,
                    left,
                    "round {round}: {}",
                    String::from_utf8_lossy(&text)
                );
                left = now;
            }
            assert!(state.is_complete(), "round {round}");
            assert_eq!(
                left,
                usize::from(!state.is_closed()),
                "only end-of-sequence may remain"
            );
            let text = String::from_utf8(text).expect("UTF-8");
            assert!(
                valid(&schema, &text),
                "round {round}: {text} is not valid against {schema}"
            );
        }
    }
}

/// Decodes under `budget` tokens: each step masks the model's `scores` with
/// `mask_logits_within` and lets `choose` pick a token from them; asserts that the value
/// completes, validly.
fn decode_within(
    compiled: &Arc<JsonSchemaConstraint>,
    schema: &Value,
    budget: usize,
    scores: &[f32],
    mut choose: impl FnMut(&ConstrainedDecoder, &mut Vec<f32>, usize) -> u32,
) {
    let (vocab, eos) = byte_vocab();
    let mut decoder = ConstrainedDecoder::from_compiled(compiled.clone(), vocab.clone(), eos);
    let mut text = Vec::new();
    for step in 0..budget {
        let mut logits = scores.to_vec();
        decoder.mask_logits_within(&mut logits, budget - step);
        assert!(
            logits.iter().any(|l| l.is_finite()),
            "dead end after {}",
            String::from_utf8_lossy(&text)
        );
        let token = choose(&decoder, &mut logits, budget - step);
        decoder.push(token).expect("allowed");
        text.extend_from_slice(vocab.bytes(token).unwrap_or_default());
        if decoder.is_done() {
            break;
        }
    }
    let text = String::from_utf8(text).expect("UTF-8");
    assert!(decoder.is_complete(), "budget {budget} ran out: {text}");
    assert!(valid(schema, &text), "{text} is not valid against {schema}");
}

#[test]
fn a_budget_always_ends_with_a_complete_value_whatever_the_model_prefers() {
    let mut rng = XorShift(11);
    for (schema, limits) in schemas() {
        let compiled =
            Arc::new(JsonSchemaConstraint::compile_with(&schema, limits).expect("compiles"));
        let minimum = ConstraintState::new(compiled.clone())
            .tokens_to_finish()
            .expect("start");
        for extra in [0, 1, 7, 40] {
            // A greedy "model" that loves to go on: long strings, more items, more digits.
            let (vocab, eos) = byte_vocab();
            let mut preference: Vec<f32> = (0..vocab.len())
                .map(|_| rng.below(1000) as f32 / 100.0)
                .collect();
            for (byte, bonus) in [
                (b'x', 30.0),
                (b',', 25.0),
                (b'[', 20.0),
                (b'9', 20.0),
                (b'.', 15.0),
            ] {
                preference[byte as usize] += bonus;
            }
            preference[eos as usize] = -50.0;
            decode_within(
                &compiled,
                &schema,
                minimum + extra,
                &preference,
                |_, logits, _| {
                    let best = logits
                        .iter()
                        .enumerate()
                        .max_by(|a, b| a.1.total_cmp(b.1))
                        .map(|(id, _)| id);
                    best.expect("a token") as u32
                },
            );
        }
    }
}

#[test]
fn a_budget_holds_for_sampled_tokens_too() {
    // Random draws among the allowed tokens, redrawn while a draw does not fit (as
    // `crate::decode` does): far from the end of the budget `mask_logits_within` checks only
    // the best token, so an unchecked draw (say, opening one more array item) must be caught.
    let mut rng = XorShift(23);
    let (vocab, eos) = byte_vocab();
    let mut flat = vec![0.0f32; vocab.len()];
    flat[eos as usize] = -50.0;
    for (schema, limits) in schemas() {
        let compiled =
            Arc::new(JsonSchemaConstraint::compile_with(&schema, limits).expect("compiles"));
        let minimum = ConstraintState::new(compiled.clone())
            .tokens_to_finish()
            .expect("start");
        for extra in [0, 3, 25, 60] {
            for _ in 0..8 {
                decode_within(
                    &compiled,
                    &schema,
                    minimum + extra,
                    &flat,
                    |decoder, logits, left| loop {
                        let allowed: Vec<usize> = (0..logits.len())
                            .filter(|&id| logits[id].is_finite())
                            .collect();
                        assert!(!allowed.is_empty(), "every draw was refused");
                        // Half the draws open a value or an item where one may open.
                        let opening = [b'{', b'[', b',', b'"'].map(usize::from);
                        let open: Vec<usize> = allowed
                            .iter()
                            .copied()
                            .filter(|id| opening.contains(id))
                            .collect();
                        let pool = if !open.is_empty() && rng.below(2) == 0 {
                            &open
                        } else {
                            &allowed
                        };
                        let token = pool[rng.below(pool.len())] as u32;
                        if decoder.fits(token, left) {
                            break token;
                        }
                        logits[token as usize] = f32::NEG_INFINITY;
                    },
                );
            }
        }
    }
}
