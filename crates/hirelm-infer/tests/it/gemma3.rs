//! Gemma 3 in the engine on a tiny random model: the sliding window, incremental decoding and
//! the checks on its tensors. (The real model is held to llama.cpp in `golden_gemma3`.)

use std::sync::Arc;

use hirelm_infer::engine::{EngineWeights, Session};
use hirelm_infer::kernels::WeightFormat;
use hirelm_model::gemma3::{Gemma3Config, random_gemma3_tensors};

use crate::common::{argmax, max_abs_diff};

fn tiny(format: WeightFormat) -> Arc<EngineWeights> {
    let config = Gemma3Config::tiny_for_tests();
    Arc::new(
        EngineWeights::from_gemma3(&config, random_gemma3_tensors(&config, 5), format)
            .expect("weights"),
    )
}

#[test]
fn gemma3_incremental_decoding_equals_one_batched_pass() {
    let weights = tiny(WeightFormat::F32);
    let ids: Vec<u32> = (0..12).map(|i| (i * 7 + 3) % 64).collect();
    let batched = Session::new(Arc::clone(&weights))
        .forward_all(&ids)
        .expect("forward");
    let mut session = Session::new(Arc::clone(&weights));
    let vocab = weights.config.vocab_size;
    for (i, &id) in ids.iter().enumerate() {
        let step = session.forward(&[id]).expect("step");
        let diff = max_abs_diff(&step, &batched[i * vocab..(i + 1) * vocab]);
        assert!(diff < 1e-4, "position {i}: {diff}");
    }
}

#[test]
fn gemma3_sliding_window_layers_forget_what_left_the_window() {
    // With every layer local (window 4), a token 4 or more positions back cannot reach the last
    // position through any layer... except through the positions in between, which themselves
    // saw it. So change the first token of a 12-token prompt: 3 local layers carry it at most
    // 3 × 3 = 9 positions forward, and the last position (index 11) must not change.
    let mut config = Gemma3Config::tiny_for_tests();
    config.sliding_window_pattern = 1000; // no global layer
    let weights = Arc::new(
        EngineWeights::from_gemma3(
            &config,
            random_gemma3_tensors(&config, 5),
            WeightFormat::F32,
        )
        .expect("weights"),
    );
    let mut ids: Vec<u32> = (0..12).map(|i| (i * 5 + 1) % 64).collect();
    let before = Session::new(Arc::clone(&weights))
        .forward(&ids)
        .expect("forward");
    ids[0] = 63;
    let after = Session::new(Arc::clone(&weights))
        .forward(&ids)
        .expect("forward");
    assert_eq!(
        before, after,
        "a token outside every window changed the output"
    );
    // With the default pattern the third layer is global, so the same change does reach it.
    let global = tiny(WeightFormat::F32);
    let a = Session::new(Arc::clone(&global))
        .forward(&ids)
        .expect("forward");
    ids[0] = 1;
    let b = Session::new(Arc::clone(&global))
        .forward(&ids)
        .expect("forward");
    assert!(
        max_abs_diff(&a, &b) > 1e-6,
        "the global layer must see the whole context"
    );
}

#[test]
fn gemma3_q8_0_agrees_with_f32() {
    let ids: Vec<u32> = (0..10).map(|i| (i * 11 + 2) % 64).collect();
    let f32_logits = Session::new(tiny(WeightFormat::F32))
        .forward(&ids)
        .expect("f32");
    let q8_logits = Session::new(tiny(WeightFormat::Q8_0))
        .forward(&ids)
        .expect("q8");
    assert_eq!(argmax(&f32_logits), argmax(&q8_logits));
    assert!(max_abs_diff(&f32_logits, &q8_logits) < 0.1);
}

#[test]
fn gemma3_missing_or_reshaped_tensors_are_named() {
    let config = Gemma3Config::tiny_for_tests();
    let mut tensors = random_gemma3_tensors(&config, 1);
    tensors.retain(|(name, _, _)| name != "blk.1.attn_q_norm.weight");
    let err = EngineWeights::from_gemma3(&config, tensors, WeightFormat::F32).expect_err("missing");
    assert!(
        err.to_string().contains("blk.1.attn_q_norm.weight"),
        "{err}"
    );
    let mut tensors = random_gemma3_tensors(&config, 1);
    tensors.push(("output.weight".into(), vec![64, 32], vec![0.0; 64 * 32]));
    let err = EngineWeights::from_gemma3(&config, tensors, WeightFormat::F32).expect_err("extra");
    assert!(err.to_string().contains("output.weight"), "{err}");
}
