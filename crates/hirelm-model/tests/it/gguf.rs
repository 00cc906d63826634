//! Integration tests of `hirelm_model::gguf`: writer→reader round trips, malformed files, and
//! the real SmolLM2 GGUF file.

mod malformed;
mod real_model;
mod round_trip;

use hirelm_model::ModelError;
use hirelm_model::gguf::{GgufWriter, MetadataValue};

/// A small valid file: metadata of a few types, three tensors (F32, F16, Q8_0).
fn small_file() -> Vec<u8> {
    let mut w = GgufWriter::new();
    w.add_metadata("general.architecture", MetadataValue::from("llama"))
        .add_metadata("llama.block_count", MetadataValue::U32(2))
        .add_metadata(
            "tokenizer.ggml.tokens",
            MetadataValue::Array(vec!["<s>".into(), "a".into(), "é".into()]),
        );
    let q8: Vec<f32> = (0..64).map(|i| (i as f32 - 31.5) / 8.0).collect();
    w.add_f32("a", &[2, 3], &[1.0, -2.0, 3.5, 0.0, 1e-3, 7.0])
        .and_then(|w| w.add_f16("b", &[4], &[0.5, -1.0, 2.0, 65504.0]))
        .and_then(|w| w.add_q8_0("c", &[2, 32], &q8))
        .expect("valid tensors");
    w.to_bytes()
}

/// Asserts `err` is a GGUF format error at `offset` (if given) whose field contains `field`.
#[track_caller]
fn assert_gguf_error(err: &ModelError, offset: Option<u64>, field: &str) {
    match err {
        ModelError::Gguf {
            offset: at,
            field: f,
            ..
        } => {
            assert!(
                f.contains(field),
                "field `{f}` does not name `{field}`: {err}"
            );
            if let Some(offset) = offset {
                assert_eq!(*at, offset, "wrong offset: {err}");
            }
            let msg = err.to_string();
            assert!(
                msg.contains(&format!("offset {at}")) && msg.contains(f.as_str()),
                "{msg}"
            );
        }
        other => panic!("expected ModelError::Gguf naming `{field}`, got {other:?}"),
    }
}
