//! The JSON-schema constraint on fuzzer-chosen byte and token streams, for every task schema
//! (and a narrowed `rank_candidates` one, and any schema a chat request may send).
//!
//! Input: byte 0 picks the schema, byte 1 the limits and the mode, the rest drives the walk:
//! - raw: the bytes go straight into `ConstraintState`; `accepts` and `advance_bytes` must
//!   agree, and whatever is accepted as complete parses as JSON and passes `validate`;
//! - guided: each byte picks one of the bytes the state accepts next (so walks get deep): there
//!   must always be one until the value is closed, and a complete value must be valid;
//! - tokens: each byte picks one of the tokens `ConstrainedDecoder::allowed` allows over a vocab
//!   with multi-byte tokens; every allowed token must be accepted.
#![no_main]

use std::sync::Arc;

use hirelm_core::{Task, output_schema, validate};
use hirelm_infer::constrain::{
    ConstrainedDecoder, ConstraintLimits, ConstraintState, JsonSchemaConstraint,
};
use hirelm_infer::tasks::narrow;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// A complete output must be JSON, and valid for `task` when the schema is the task's own.
fn check_complete(task: Option<Task>, out: &[u8], narrowed_ids: Option<&[String]>) {
    let value: Value = serde_json::from_slice(out).unwrap_or_else(|e| {
        panic!(
            "complete but not JSON: {e}: {:?}",
            String::from_utf8_lossy(out)
        )
    });
    if let Some(task) = task {
        validate(task, &value)
            .unwrap_or_else(|e| panic!("{task}: complete but invalid: {e}: {value}"));
    }
    if let Some(ids) = narrowed_ids {
        for item in value["ranking"].as_array().into_iter().flatten() {
            let id = item["profile_id"].as_str().unwrap_or_default();
            assert!(ids.iter().any(|x| x == id), "ranked an id not given: {id}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [pick, mode, rest @ ..] = data else {
        return;
    };
    let mode = *mode;
    let tasks = Task::ALL;
    let ids: Vec<String> = vec!["p-1".into(), "p\"2".into(), "é".into()];
    let (schema, task, narrowed, rest) = match usize::from(*pick) % (tasks.len() + 2) {
        i if i < tasks.len() => (output_schema(tasks[i]), Some(tasks[i]), None, rest),
        i if i == tasks.len() => (
            narrow(
                output_schema(Task::RankCandidates),
                "/properties/ranking/items/properties/profile_id",
                &ids,
            ),
            Some(Task::RankCandidates),
            Some(ids.as_slice()),
            rest,
        ),
        _ => {
            // A schema from outside (chat `response_format`), then the walk bytes.
            let (json, walk) = hirelm_fuzz::split2(rest);
            let Ok(schema) = serde_json::from_slice::<Value>(json) else {
                return;
            };
            (schema, None, None, walk)
        }
    };
    let limits = if mode & 1 == 0 {
        ConstraintLimits {
            max_string_chars: 12,
            max_array_items: 4,
            max_int_digits: 4,
            max_frac_digits: 3,
        }
    } else {
        ConstraintLimits::default()
    };
    let compiled = match JsonSchemaConstraint::compile_with(&schema, limits) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            assert!(task.is_none(), "a task schema must compile: {e}");
            return;
        }
    };
    match (mode >> 1) % 3 {
        0 => {
            let mut state = ConstraintState::new(compiled);
            let mut out = Vec::new();
            for chunk in rest.chunks(3) {
                let accepted = state.accepts(chunk);
                let advanced = state.advance_bytes(chunk);
                assert_eq!(
                    accepted,
                    advanced.is_ok(),
                    "accepts and advance_bytes disagree on {chunk:?}"
                );
                if advanced.is_ok() {
                    out.extend_from_slice(chunk);
                }
                assert_eq!(state.bytes_accepted(), out.len());
                if state.is_complete() {
                    check_complete(task, &out, narrowed);
                }
            }
        }
        1 => {
            let mut state = ConstraintState::new(compiled);
            let mut out = Vec::new();
            for &choice in rest {
                if state.is_closed() {
                    break;
                }
                let allowed: Vec<u8> = (0..=255u8).filter(|&b| state.accepts(&[b])).collect();
                if allowed.is_empty() {
                    assert!(
                        state.is_complete(),
                        "dead end after {:?}",
                        String::from_utf8_lossy(&out)
                    );
                    break;
                }
                let byte = allowed[usize::from(choice) % allowed.len()];
                state
                    .advance_bytes(&[byte])
                    .expect("an accepted byte advances");
                out.push(byte);
                if state.is_complete() {
                    check_complete(task, &out, narrowed);
                }
            }
        }
        _ => {
            let (vocab, eos) = hirelm_fuzz::byte_vocab();
            let mut decoder = ConstrainedDecoder::from_compiled(compiled, vocab.clone(), eos);
            let mut out = Vec::new();
            for &choice in rest {
                let allowed: Vec<u32> = decoder
                    .allowed()
                    .iter()
                    .enumerate()
                    .filter(|(_, ok)| **ok)
                    .map(|(i, _)| i as u32)
                    .collect();
                if allowed.is_empty() {
                    assert!(
                        decoder.is_done(),
                        "dead end after {:?}",
                        String::from_utf8_lossy(&out)
                    );
                    break;
                }
                let token = allowed[usize::from(choice) % allowed.len()];
                decoder
                    .push(token)
                    .unwrap_or_else(|e| panic!("allowed token {token} refused: {e}"));
                if token == eos {
                    assert!(decoder.is_complete());
                    check_complete(task, &out, narrowed);
                    break;
                }
                out.extend_from_slice(vocab.bytes(token).unwrap_or_default());
            }
        }
    }
});
